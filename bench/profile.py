#!/usr/bin/python3
"""profile -F 99 on a busy 2-CPU machine: what sampling costs, against `perf record -F 99 -g -a`
(Debian's linux-perf) and bpftrace's `profile:hz:99 { @[ustack, kstack] = count(); }`, in
one run.

The workload is one CPU-bound C loop pinned to each CPU (built here from SPIN_C, with frame
pointers, as a profiled program would be), for T seconds per phase; it prints how many rounds
of work it did. Phases, in this order: untraced, tracekit, perf, bpftrace, untraced again
(the two untraced ones show the machine's drift). Each tracer samples every process (-a,
no -p), as a machine-wide profiler does. Measured per tracer, over the T seconds the
workload ran while it was attached:
- its own CPU time (user + system, /proc/PID/stat): reading, aggregating, writing samples;
- the run time of its BPF programs (the kernel's bpf_stats, enabled for this run only
  through BPF_ENABLE_STATS, read from the tracer's program fds' fdinfo): the sampling work
  done in the interrupted task's context, which no process's CPU time shows;
- the workload's work per CPU second it was charged, against the untraced mean: the whole
  cost in the workload's context, the perf interrupt and the stack walks included (perf's
  stack copies show only here), but within the machine's noise (shown as the two untraced
  phases' difference).
Overhead = (own CPU + BPF run time) / T, as a percentage of one CPU; the issue's target is
< 1% of one CPU. The end of the run (stopping, symbolizing, printing) is not a per-second
cost and is shown apart. Nothing is asserted.
"""

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as b  # noqa: E402

T = 2.0 if b.QUICK else 5.0
HZ = 99
SPIN = b.ROOT / "build" / "bench" / "spin"
PERF = shutil.which("perf")

SPIN_C = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

__attribute__((noinline)) static uint64_t work(uint64_t x)
{
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

int main(int argc, char **argv)
{
	double end = now() + atof(argv[1]);
	uint64_t x = 88172645463325252ull, rounds = 0;
	struct timespec cpu;

	while (now() < end) {
		x = work(x);
		rounds++;
	}
	/* the CPU time charged to us: the interrupts' and BPF programs' time is in it */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	printf("%llu %.9f %llu\n", (unsigned long long)rounds, cpu.tv_sec + cpu.tv_nsec / 1e9,
	       (unsigned long long)(x & 1));
	return 0;
}
"""


def build_spin():
    SPIN.parent.mkdir(parents=True, exist_ok=True)
    src = SPIN.with_suffix(".c")
    src.write_text(SPIN_C)
    subprocess.run(
        ["cc", "-O2", "-g", "-fno-omit-frame-pointer", "-o", str(SPIN), str(src)], check=True
    )


def enable_bpf_stats():
    """BPF_ENABLE_STATS (BPF_STATS_RUN_TIME): an fd; the kernel counts while it is open."""
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(8)  # union bpf_attr { __u32 type; } enable_stats
    fd = libc.syscall(321, 32, attr, 8)  # __NR_bpf, BPF_ENABLE_STATS
    return fd if fd >= 0 else None


def cpu_seconds(pid):
    """CPU time of all of pid's threads, in ns precision (schedstat: time on a CPU)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def bpf_run_ns(pid):
    """Total run_time_ns of the BPF programs pid holds open."""
    total, seen = 0, set()
    for info in Path(f"/proc/{pid}/fdinfo").glob("*"):
        try:
            text = info.read_text()
        except OSError:
            continue
        prog = re.search(r"^prog_id:\s+(\d+)", text, re.M)
        run = re.search(r"^run_time_ns:\s+(\d+)", text, re.M)
        if prog and run and prog.group(1) not in seen:
            seen.add(prog.group(1))
            total += int(run.group(1))
    return total


def spin_phase():
    """Run the workload on both CPUs for T s: its rounds per CPU second it was charged.

    Per CPU second, not per second: how much CPU the workload gets on a shared machine
    varies with others' load, while what a sampler costs in the workload's context (the
    interrupt, the stack walk, the BPF program) is charged to the workload's CPU time and
    lowers the rounds it does in it."""
    procs = [
        subprocess.Popen(["taskset", "-c", str(cpu), str(SPIN), str(T)], stdout=subprocess.PIPE)
        for cpu in (0, 1)
    ]
    outs = [p.communicate()[0].split() for p in procs]
    return sum(int(o[0]) for o in outs) / sum(float(o[1]) for o in outs)


def traced_phase(name, argv, ready, env=None):
    """Start the tracer, run the workload, measure; None (with why) when it cannot run."""
    proc = b.Proc(argv, env)
    if ready is None:
        time.sleep(1.0)  # perf record says nothing until it stops: give it its start-up
    ok = proc.wait_for(ready) is not None if ready else proc.p.poll() is None
    if not ok:
        proc.stop(signal.SIGKILL)
        return {"name": name, "error": (proc.text().strip().splitlines() or ["no output"])[-1]}
    pid = proc.p.pid
    cpu0, bpf0 = cpu_seconds(pid), bpf_run_ns(pid)
    rate = spin_phase()
    cpu1, bpf1 = cpu_seconds(pid), bpf_run_ns(pid)
    t = time.monotonic()
    proc.stop(signal.SIGINT, timeout=120)
    end = time.monotonic() - t
    return {
        "name": name,
        "rate": rate,
        "cpu": cpu1 - cpu0,
        "bpf": (bpf1 - bpf0) / 1e9,
        "end": end,
    }


def main():
    if not b.TRACEKIT.exists():
        sys.exit(f"{b.TRACEKIT} not built")
    build_spin()
    stats_fd = enable_bpf_stats()
    tmp = Path(tempfile.mkdtemp(prefix="tk-bench-profile-"))
    phases = [("untraced", None)]
    phases.append(
        ("tracekit", ([b.TRACEKIT, "profile", "-F", str(HZ)], r"^Sampling at", None))
    )
    if PERF:
        perf = [PERF, "record", "-F", str(HZ), "-g", "-a", "-q", "-o", str(tmp / "perf.data")]
        phases.append(("perf", (perf, None, None)))
    if b.BPFTRACE:
        prog = f"profile:hz:{HZ} {{ @[ustack, kstack] = count(); }}"
        phases.append(
            ("bpftrace", ([b.BPFTRACE, "-e", prog], b.BPFTRACE_NOTIFY, {b.BPFTRACE_NOTIFY: "1"}))
        )
    phases.append(("untraced", None))
    res = []
    for name, how in phases:
        b.log(f"profile bench: {name}, {T:.0f} s")
        if how is None:
            res.append({"name": name, "rate": spin_phase()})
        else:
            argv, ready, env = how
            res.append(traced_phase(name, argv, ready, env))
    shutil.rmtree(tmp, ignore_errors=True)
    if stats_fd is not None:
        os.close(stats_fd)
    report(res, stats_fd is not None)


def report(res, have_stats):
    base = [r["rate"] for r in res if r["name"] == "untraced"]
    mean = sum(base) / len(base)
    noise = abs(base[0] - base[-1]) / mean * 200  # % of one CPU (2 CPUs of work)
    print(f"\nprofile -F {HZ}, every process, workload on 2 CPUs for {T:.0f} s per phase")
    print(
        f"{'tracer':<10} {'own CPU':>9} {'BPF run':>9} {'overhead':>9} {'vs tracekit':>11} "
        f"{'work lost':>11} {'end':>7}"
    )
    tk = next((r for r in res if r["name"] == "tracekit" and "rate" in r), None)
    tk_cost = (tk["cpu"] + tk["bpf"]) / T * 100 if tk else None
    for r in res:
        if r["name"] == "untraced":
            continue
        if "error" in r:
            print(f"{r['name']:<10} could not run: {r['error']}")
            continue
        cost = (r["cpu"] + r["bpf"]) / T * 100
        ratio = f"{tk_cost / cost:.2f}x" if tk_cost and cost else "-"
        lost = (mean - r["rate"]) / mean * 200
        bpf = f"{r['bpf'] * 1000 / T:.2f}ms/s" if have_stats and r["bpf"] else "-"
        print(
            f"{r['name']:<10} {r['cpu'] * 1000 / T:>6.2f}ms/s {bpf:>9} {cost:>8.3f}% "
            f"{ratio:>11} {lost:>+9.2f}%  {r['end']:>5.2f}s"
        )
    print(
        "overhead: (own CPU + BPF run time) per second, in % of one CPU (target < 1%);"
        f" 'vs tracekit': tracekit's overhead / this one's\nwork lost: the workload's work per"
        f" CPU second against untraced, as % of one CPU (noise: the untraced phases differ by"
        f" {noise:.2f}%); end: stop to exit (symbolizing, writing)\nperf's sampling work in"
        " the kernel (its stack copies) is no BPF program: its overhead column misses it, and"
        " only 'work lost' shows it"
    )


if __name__ == "__main__":
    main()
