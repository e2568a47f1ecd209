#!/bin/sh
# Start-up time (spawn -> first complete stdout line, printed after attach) and peak RSS of
# the snoop tools, measured the way bcc-tools.md section 7 measured libbpf-tools: started
# under GNU time with stdout on a pty (line-buffered as on a terminal), held 1.5 s, then
# SIGINT; peak RSS as GNU time reports it. (GNU time matters: a child forked from Python
# starts with Python's RSS, and the kernel keeps that as its peak across exec.)
# N runs per tool (default 5); prints the median and min-max next to libbpf-tools' figures.
#
# usage: bench/snoop_startup.sh [-n N] [TRACEKIT_BINARY]
set -eu
N=5
if [ "${1:-}" = "-n" ]; then N=$2; shift 2; fi
BIN=${1:-$(dirname "$0")/../build/tracekit}
[ -x "$BIN" ] || { echo "snoop_startup: $BIN is not built (run make)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "snoop_startup: needs root (BPF)" >&2; exit 1; }

exec /usr/bin/python3 - "$BIN" "$N" <<'PY'
import os, pty, select, signal, statistics, sys, tempfile, time

BIN, N = sys.argv[1], int(sys.argv[2])
TIME = "/usr/bin/time"
if not os.access(TIME, os.X_OK):
    raise SystemExit("snoop_startup: needs GNU time (/usr/bin/time, Debian package time)")
# libbpf-tools on this kind of machine (bcc-tools.md section 7): median ms, peak RSS MB.
LIBBPF = {
    "syncsnoop": (4.9, 2.1), "exitsnoop": (18.9, 2.7), "killsnoop": (22.6, 2.9),
    "statsnoop": (23.8, 2.7), "opensnoop": (32.1, 3.3), "execsnoop": (55.8, 2.8),
    "bindsnoop": None,  # fails here (kprobes): no figure
}
TOOLS = ["execsnoop", "exitsnoop", "opensnoop", "killsnoop", "statsnoop", "syncsnoop",
         "bindsnoop"]


def run_once(tool):
    rss_file = tempfile.NamedTemporaryFile(prefix="snoop-rss.", delete=False)
    rss_file.close()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(TIME, [TIME, "-f", "%M", "-o", rss_file.name, BIN, tool])
        finally:
            os._exit(127)
    t0 = time.monotonic()
    buf, ready = b"", None
    deadline = t0 + 10
    while ready is None and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        if b"\n" in buf:
            ready = time.monotonic() - t0
    time.sleep(1.5)
    os.killpg(pid, signal.SIGINT)  # GNU time ignores it; the tool stops
    end = time.monotonic() + 5
    wpid = 0
    while not wpid and time.monotonic() < end:  # drain so the tool never blocks on the pty
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
        wpid, status = os.waitpid(pid, os.WNOHANG)
    if not wpid:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
    if ready is None:
        raise SystemExit(f"{tool}: no output line within 10 s: {buf[-300:]!r}")
    with open(rss_file.name) as f:
        lines = [l for l in f.read().split() if l.isdigit()]
    os.unlink(rss_file.name)
    if not lines:
        raise SystemExit(f"{tool}: GNU time reported no peak RSS")
    return ready * 1000, int(lines[-1]) / 1024


print(f"{'tool':<10} {'ready median':>12} {'min-max':>14} {'peak RSS':>9}   "
      f"{'libbpf-tools':>16}  ratio (time, RSS)")
for tool in TOOLS:
    runs = [run_once(tool) for _ in range(N)]
    ms = [r[0] for r in runs]
    rss = statistics.median(r[1] for r in runs)
    med = statistics.median(ms)
    ref = LIBBPF[tool]
    refs = f"{ref[0]:5.1f} ms {ref[1]:.1f} MB" if ref else "   (fails here)"
    ratio = f"{med / ref[0]:.2f}x, {rss / ref[1]:.2f}x" if ref else "-"
    print(f"{tool:<10} {med:9.1f} ms {min(ms):6.1f}-{max(ms):5.1f} {rss:6.1f} MB   {refs:>16}  {ratio}")
PY
