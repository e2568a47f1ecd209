#!/usr/bin/python3
"""Start-up and peak RSS of the tools, beside libbpf-tools' reference figures.

Measured as bcc-tools.md section 7 measured libbpf-tools: each tool started under GNU time with stdout on a pty (line-buffered as on a
terminal); start-up is spawn -> its first complete stdout line, which every tool prints once
attached; held 1.5 s, then SIGINT; peak RSS as GNU time reports it. Median of RUNS (default
5, BENCH_RUNS; --quick: 2). libbpf-tools cannot be built in CI, so their figures are the
reference measurement of section 7 on this kind of machine, printed as such.

Usage: python3 bench/tools.py [--quick] [TOOL...]   (as root, after `make all targets`)
"""

import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACEKIT = ROOT / "build" / "tracekit"
GNU_TIME = "/usr/bin/time"
QUICK = "--quick" in sys.argv
RUNS = int(os.environ.get("BENCH_RUNS", 2 if QUICK else 5))
HOLD = 1.5  # seconds after the first line, as section 7 held libbpf-tools
PID = "{pid}"  # a tool's argument: the pid of a process started for it (memleak -p)

# Each tool with bcc's command line for a plain run; {pid} is an idle process of ours.
TOOLS = [
    ("execsnoop", []), ("exitsnoop", []), ("opensnoop", []), ("killsnoop", []),
    ("statsnoop", []), ("syncsnoop", []), ("bindsnoop", []),
    ("tcptracer", []), ("tcpconnect", []), ("tcpaccept", []), ("tcpconnlat", []),
    ("tcplife", []), ("tcpstates", []), ("tcptop", ["-C", "1"]), ("tcpretrans", []),
    ("tcpdrop", []), ("tcpcong", []), ("tcprtt", []), ("tcpsubnet", []), ("tcpsynbl", []),
    ("profile", []), ("offcputime", []), ("wakeuptime", []),
    ("runqlat", []), ("runqlen", []), ("runqslower", []), ("cpudist", []),
    ("softirqs", []), ("hardirqs", []),
    ("biolatency", []), ("biosnoop", []), ("biotop", []), ("bitesize", []),
    ("syscount", []), ("sigsnoop", []), ("mountsnoop", []), ("oomkill", []), ("drsnoop", []),
    ("trace", ['r:c:getpid "%d", retval']),
    ("argdist", ["-C", "p:c:write(int fd, const void *buf, size_t count):size_t:count"]),
    ("gethostlatency", []), ("memleak", ["-p", PID]), ("bashreadline", []),
]

# Tools whose first stdout line is not a ready line, and what it is instead.
NOTES = {
    "argdist": "first line = first summary, after -i (1 s): like bcc's, it prints no ready line",
}

# libbpf-tools on this kind of machine (bcc-tools.md section 7): ready median ms, peak RSS
# MB. Tools it did not measure have no figure.
LIBBPF = {
    "syncsnoop": (4.9, 2.1), "exitsnoop": (18.9, 2.7), "tcplife": (22.6, 2.8),
    "killsnoop": (22.6, 2.9), "tcpstates": (23.3, 2.8), "statsnoop": (23.8, 2.7),
    "opensnoop": (32.1, 3.3), "execsnoop": (55.8, 2.8), "profile": (171.1, 9.1),
    "offcputime": (176.7, 12.2),
    "runqlat": (30.3, 2.8), "biolatency": (34.3, 3.3), "syscount": (86.1, 2.7),
    "sigsnoop": (22.7, 2.8), "gethostlatency": (35.3, 2.7), "memleak": (336.1, 8.2),
}


def run_once(argv):
    """(ms to the first stdout line, peak RSS in MB), or raises RuntimeError with its output."""
    rss = tempfile.NamedTemporaryFile(prefix="tools-rss.", delete=False)
    rss.close()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(GNU_TIME, [GNU_TIME, "-f", "%M", "-o", rss.name, *argv])
        finally:
            os._exit(127)
    t0 = time.monotonic()
    buf, ready = b"", None
    while ready is None and time.monotonic() < t0 + 10:
        if not select.select([fd], [], [], 0.5)[0]:
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
    if ready is not None:
        time.sleep(HOLD)
    os.killpg(pid, signal.SIGINT)  # GNU time ignores it; the tool stops
    wpid, end = 0, time.monotonic() + 5
    while not wpid and time.monotonic() < end:  # drain: the tool never blocks on the pty
        if select.select([fd], [], [], 0.1)[0]:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                pass
        wpid, _ = os.waitpid(pid, os.WNOHANG)
    if not wpid:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
    with open(rss.name) as f:
        peak = [l for l in f.read().split() if l.isdigit()]
    os.unlink(rss.name)
    if ready is None or not peak:
        last = buf.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(last[-1] if last else "no output")
    return ready * 1000, int(peak[-1]) / 1024


def registered():
    """The tools this tracekit has (`tracekit help`)."""
    out = subprocess.run([str(TRACEKIT), "help"], capture_output=True, text=True).stdout
    part = out.split("\nTOOLS ")[1].split("\n\n")[0]
    return {l.split()[0] for l in part.splitlines()[1:] if l.startswith("  ")}


def main():
    if os.geteuid() != 0:
        raise SystemExit("tools.py: needs root (BPF)")
    if not TRACEKIT.exists() or not os.access(GNU_TIME, os.X_OK):
        raise SystemExit("tools.py: needs build/tracekit (make) and GNU time (/usr/bin/time)")
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    have = registered()
    idle = subprocess.Popen(["sleep", "3600"])  # memleak's -p
    try:
        print(f"tools: start-up (spawn -> first line on a pty) and peak RSS, "
              f"median of {RUNS}; libbpf-tools: reference figures (bcc-tools.md section 7, "
              f"this kind of machine, not measured here)")
        print(f"{'tool':<15} {'ready median':>12} {'min-max':>14} {'peak RSS':>9}   "
              f"{'libbpf-tools (ref)':>18}  ratio (time, RSS)")
        for tool, args in TOOLS:
            if only and tool not in only:
                continue
            if tool not in have:
                print(f"{tool:<15} {'not built':>12}")
                continue
            argv = [str(TRACEKIT), tool, *[a.replace(PID, str(idle.pid)) for a in args]]
            try:
                runs = [run_once(argv) for _ in range(RUNS)]
            except RuntimeError as e:
                print(f"{tool:<15} {'n/a':>12}   ({e})")
                continue
            ms = [r[0] for r in runs]
            med, rss = statistics.median(ms), statistics.median(r[1] for r in runs)
            ref = LIBBPF.get(tool)
            refs = f"{ref[0]:5.1f} ms {ref[1]:.1f} MB" if ref else "-"
            ratio = f"{med / ref[0]:.2f}x, {rss / ref[1]:.2f}x" if ref else "-"
            print(f"{tool:<15} {med:9.1f} ms {min(ms):6.1f}-{max(ms):6.1f} {rss:6.1f} MB   "
                  f"{refs:>18}  {ratio}", flush=True)
            if tool in NOTES:
                print(f"{'':<15}   ({NOTES[tool]})")
    finally:
        idle.kill()
        idle.wait()


if __name__ == "__main__":
    main()
