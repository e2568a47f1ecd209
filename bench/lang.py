#!/usr/bin/python3
"""The trace language against bpftrace and a minimal libbpf ring-buffer program, in one run.

The workload is the article's printf one-liner on a C function probed at its first
instruction (the same site for all three), so the three differ only in what they do per event:

    uprobe:BIN:tk_add { printf("%s - %s: arg1: %d, arg2: %d\\n", comm, func, arg0, arg1); }

Measured, as in bench.py:
- start-up: launch -> probes attached (tracekit and bpftrace: the
  __BPFTRACE_NOTIFY_PROBES_ATTACHED line; minimal: "attached"), median of RUNS;
- peak RSS (VmHWM), median of RUNS;
- per-event cost: (traced CPU of the target - untraced CPU) + the tracer's own CPU while it
  consumes and prints the events, divided by the events it printed;
- a 300-line script (SCRIPT_PROBES syscall tracepoints, each with a predicate, maps, an if and
  a printf; in both dialects' common subset): launch -> probes attached, which is compiling,
  loading and attaching it, median of RUNS. Nothing is asserted.
"""

import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as b  # noqa: E402

RINGBUF = b.ROOT / "build" / "bench" / "ringbuf"
FMT = r'"%s - %s: arg1: %d, arg2: %d\n", comm, func, arg0, arg1'


def program(binary):
    return f"uprobe:{binary}:tk_add {{ printf({FMT}); }}"


# Syscalls whose sys_enter tracepoint every x86-64 kernel of this kind has.
SCRIPT_PROBES = (
    "read write openat close newfstat lseek mmap mprotect munmap brk ioctl pread64 pwrite64 "
    "readv writev access pipe select sched_yield mremap msync mincore madvise dup dup2 "
    "nanosleep getpid sendfile64 socket connect"
).split()


def script_300():
    """30 probes of 10 lines each: what a long script compiles to, never firing much
    (the predicate holds for no process)."""
    lines = []
    for i, sc in enumerate(SCRIPT_PROBES):
        lines += [
            f"tracepoint:syscalls:sys_enter_{sc} /pid == 1 && tid == {i + 2}/ {{",
            f"\t@calls_{i}[comm] = count();",
            f"\t$x = nsecs % 1000 + {i};",
            "\tif ($x > 500) {",
            f"\t\t@big_{i}[tid] = sum($x);",
            "\t} else {",
            f"\t\t@small_{i} = hist($x);",
            "\t}",
            f'\tprintf("{sc} %s %d\\n", comm, $x);',
            "}",
        ]
    return "\n".join(lines) + "\n"


def script_startup(res, path):
    """launch -> attached for the 300-line script, per tracer that can run it."""
    for name in ("tracekit", "bpftrace"):
        exe = b.TRACEKIT if name == "tracekit" else b.BPFTRACE
        if not exe or not Path(exe).exists():
            continue
        b.log(f"lang 300-line script: {name} x{b.RUNS}")
        att = []
        for _ in range(b.RUNS):
            p = b.Proc([exe, path], {b.BPFTRACE_NOTIFY: "1"})
            t = p.wait_for(b.BPFTRACE_NOTIFY)
            p.stop()
            if t is None:
                res[name]["script_error"] = (p.text("err").strip().splitlines() or ["?"])[-1]
                break
            att.append(t * 1e3)
        if att:
            res[name]["script_ms"] = statistics.median(att)


def tracers(binary):
    out = {"minimal": ([RINGBUF, binary, "tk_add"], r"^attached$", None)}
    out["tracekit"] = ([b.TRACEKIT, "-e", program(binary)], b.BPFTRACE_NOTIFY,
                       {b.BPFTRACE_NOTIFY: "1"})
    if b.BPFTRACE:
        out["bpftrace"] = ([b.BPFTRACE, "-e", program(binary)], b.BPFTRACE_NOTIFY,
                           {b.BPFTRACE_NOTIFY: "1"})
    return out


def cpu_s(pid):
    """user + system CPU seconds of a live process."""
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def events_printed(proc):
    return len(re.findall(r" - tk_add: arg1: ", proc.text("out")))


def main():
    binary = b.TARGETS / "cprog-gcc"
    b.TARGETS.mkdir(parents=True, exist_ok=True)
    shutil.copy2(b.BUILT_TARGETS / "cprog-gcc", binary)
    n = b.N
    res = {}
    b.log(f"lang per-event: untraced x{b.REPS}")
    base = statistics.median(b.run_target([binary, n]) for _ in range(b.REPS))
    for name, (argv, ready, env) in tracers(binary).items():
        r = res[name] = {}
        if not Path(argv[0]).exists():
            r["error"] = f"{argv[0]} not built"
            continue
        b.log(f"lang start-up: {name} x{b.RUNS}")
        att, rss = [], []
        for _ in range(b.RUNS):
            p = b.Proc(argv, env)
            t = p.wait_for(ready)
            if t is None:
                p.stop()
                r["error"] = (p.text("err").strip().splitlines() or ["no output"])[-1]
                break
            time.sleep(0.2)
            _, peak = p.stop()
            att.append(t * 1e3)
            rss.append(peak)
        if "error" in r:
            continue
        r["attached_ms"] = statistics.median(att)
        r["peak_rss_kb"] = statistics.median(rss)
        b.log(f"lang per-event: {name}")
        p = b.Proc(argv, env)
        p.wait_for(ready)
        c0 = cpu_s(p.p.pid)
        target = statistics.median(b.run_target([binary, n]) for _ in range(b.REPS))
        deadline = time.monotonic() + 30
        while events_printed(p) < n * b.REPS and time.monotonic() < deadline:
            time.sleep(0.05)  # let the tracer drain its buffer before its CPU is read
        c1 = cpu_s(p.p.pid)
        p.stop()
        got = events_printed(p)
        r["events"] = got
        r["expected"] = n * b.REPS
        r["ns_per_event"] = ((target - base) * b.REPS + (c1 - c0)) / max(got, 1) * 1e9
    script = b.TARGETS / "script300.bt"
    script.write_text(script_300())
    assert script.read_text().count("\n") == 300
    script_startup(res, script)
    report(res)


def report(res):
    names = list(res)
    rows = []
    for key, label, fmt, div, target in (
        ("attached_ms", "start-up to attached, ms", "{:.1f}", 1, "<= 20 ms"),
        ("peak_rss_kb", "peak RSS, MB", "{:.1f}", 1024, "< 10 MB"),
        ("ns_per_event", "per-event ns (probe + printf)", "{:.0f}", 1, "<= 1.15x minimal"),
        ("script_ms", "300-line script to attached, ms", "{:.1f}", 1, "< 100 ms"),
    ):
        ref = res["minimal"].get(key)
        row = [label]
        for nm in names:
            v = res[nm].get(key)
            if v is None:
                row.append("n/a")
                continue
            cellv = fmt.format(v / div)
            if nm != "minimal" and ref and key != "script_ms":
                cellv += f" ({v / ref:.2f}x)"
            row.append(cellv)
        rows.append(row + [target])
    head = ["", *names, "target"]
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    print()
    print(f"language bench: printf one-liner on C tk_add, N={b.N} x {b.REPS}; "
          f"start-up/RSS median of {b.RUNS}; ratios vs minimal")
    print()
    for r in [head] + rows:
        print("  ".join(str(c).ljust(x) if i == 0 else str(c).rjust(x)
                        for i, (c, x) in enumerate(zip(r, w))))
    print()
    for nm in names:
        d = res[nm]
        if "error" in d:
            print(f"  {nm}: n/a: {d['error']}")
        if "script_error" in d:
            print(f"  {nm}: 300-line script: {d['script_error']}")
        elif d.get("events") != d.get("expected"):
            print(f"  {nm}: printed {d.get('events')} of {d.get('expected')} events")


if __name__ == "__main__":
    main()
