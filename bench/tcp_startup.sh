#!/bin/sh
# Start-up time to attached and peak RSS of the tcp* tools of tcp-A, measured the way
# reference/bcc-tools.md §7 measured libbpf-tools: started under GNU time with stdout on a
# pty (line-buffered as on a terminal), wall time from spawn to the first complete stdout
# line (every tool prints it after its programs are attached), held 1.5 s, SIGINT, peak RSS
# as GNU time reports it (not wait4 from here: a child forked from Python would carry
# Python's RSS as its peak across exec).
# N runs per tool (default 5); prints the median and min-max. libbpf-tools on this kind of
# machine: tcplife 22.6 ms / 2.8 MB, tcpstates 23.3 ms / 2.8 MB.
#
# usage: bench/tcp_startup.sh [TRACEKIT] [N]
set -eu
TK=${1:-$(dirname "$0")/../build/tracekit}
N=${2:-5}
[ -x "$TK" ] || { echo "tcp_startup.sh: $TK not found (run make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "tcp_startup.sh: needs GNU time (Debian package time)" >&2; exit 1; }

exec /usr/bin/python3 - "$TK" "$N" <<'PY'
import os, pty, select, signal, statistics, sys, tempfile, time

tk, n = sys.argv[1], int(sys.argv[2])
tools = [["tcptracer"], ["tcpconnect"], ["tcpaccept"], ["tcpconnlat"], ["tcplife"],
         ["tcpstates"], ["tcptop", "-C", "1"]]

def once(args):
    rss = tempfile.NamedTemporaryFile(prefix="tcp-rss.", delete=False)
    rss.close()
    t0 = time.monotonic()
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execv("/usr/bin/time", ["/usr/bin/time", "-f", "%M", "-o", rss.name, tk, *args])
        finally:
            os._exit(127)
    buf, ready = b"", None
    while ready is None:
        r, _, _ = select.select([master], [], [], 10)
        if not r:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        if b"\n" in buf:
            ready = time.monotonic() - t0
    time.sleep(1.5)
    os.killpg(pid, signal.SIGINT)  # the group: time(1) ignores SIGINT, the tool stops
    while True:  # keep the pty drained until the tool is gone
        try:
            if not os.read(master, 4096):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    os.close(master)
    with open(rss.name) as f:
        kb = f.read().split()
    os.unlink(rss.name)
    rc = os.waitstatus_to_exitcode(status)
    if ready is None or rc != 0 or not kb:
        sys.exit(f"{' '.join(args)}: no ready line or rc={rc}: {buf.decode(errors='replace')}")
    return ready * 1000, int(kb[-1]) / 1024

print(f"{'tool':<16} {'ready median':>12} {'min-max (ms)':>16} {'peak RSS median':>16}")
for args in tools:
    runs = [once(args) for _ in range(n)]
    ms = sorted(r[0] for r in runs)
    rss = statistics.median(r[1] for r in runs)
    print(f"{' '.join(args):<16} {statistics.median(ms):>9.1f} ms {ms[0]:>7.1f}-{ms[-1]:<7.1f} {rss:>13.1f} MB")
PY
