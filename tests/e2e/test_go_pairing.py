"""Go entry/return pairing with several processes of one binary (workers of one service).

Two processes of the same Go binary have the same goroutine ids and the same stack offsets
for their workers, so a pairing keyed by (goroutine id, g.stack.hi - SP) alone mixes them up.
The tools and the language share one key (struct call_key in src/bpf/func_probe.h): process,
goroutine id, stack offset. Each process here calls main.f with its own argument, released at
the same moment, so their calls interleave on both CPUs; every number is exact.
"""

import re
import shutil
import subprocess
import time

import pytest

from conftest import BPFTRACE_NOTIFY, collect, run_tracer, spawn, target, wait_line

pytestmark = pytest.mark.usefixtures("no_leftovers")

N = 3000  # calls of main.f per process


def private_gostress(tmp_path):
    dst = tmp_path / "gostress"
    shutil.copy2(target("gostress"), dst)
    return dst


def start_workers(binary, depths):
    """One gostress per depth, each waiting on stdin; returns the processes."""
    procs = []
    for d in depths:
        p = spawn([binary, "-mode", "yield", "-n", N, "-g", 8, "-depth", d, "-wait-stdin"],
                  stdin=subprocess.PIPE)
        wait_line(p, r"^ready$")
        procs.append(p)
    return procs


def release(procs):
    for p in procs:
        p.stdin.write(b"\n")
        p.stdin.flush()
    for p in procs:
        p.stdin.close()
        rc, out, err = collect(p, 120)
        assert rc == 0 and f"calls={N}" in out, out + err


def test_language_go_return_args_per_process(tmp_path):
    gs = private_gostress(tmp_path)
    procs = start_workers(gs, (3, 5))
    t = run_tracer(["-e", f"uretprobe:{gs}:main.f {{ @[pid, args.depth] = count(); }}"],
                   ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"})
    release(procs)
    rc, out, err = t.stop()
    assert rc == 0, err
    rows = sorted(l for l in out.splitlines() if l.startswith("@["))
    assert rows == sorted([f"@[{procs[0].pid}, 3]: {N}", f"@[{procs[1].pid}, 5]: {N}"]), out
    assert "no matching entry" not in err, err


def test_language_reports_returns_without_entry(tmp_path):
    """Returns of calls already running at attach have no saved entry: said, not hidden."""
    gs = private_gostress(tmp_path)
    # f sleeps 1 ms per call in mode sleep: attach while calls are in flight. The calls are
    # released before the tracer starts (a loaded CI machine may take long to start Go), and
    # the tracer runs on after attaching until the in-flight calls have surely returned.
    p = spawn([gs, "-mode", "sleep", "-n", 200000, "-g", 8, "-wait-stdin"], stdin=subprocess.PIPE)
    wait_line(p, r"^ready$")
    p.stdin.write(b"\n")
    p.stdin.flush()
    time.sleep(0.3)
    t = run_tracer(["-e", f"uretprobe:{gs}:main.f {{ @n[args.depth] = count(); }}"],
                   ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"})
    time.sleep(0.3)
    rc, out, err = t.stop()
    assert rc == 0, err
    m = re.search(r"^WARNING: (\d+) Go returns? had no matching entry", err, re.M)
    assert m and 1 <= int(m.group(1)) <= 8, err
    p.kill()


def test_funclatency_counts_per_process(tmp_path):
    gs = private_gostress(tmp_path)
    procs = start_workers(gs, (3, 5))
    t = run_tracer(["funclatency", f"{gs}:main.f"])
    release(procs)
    rc, out, err = t.stop()
    assert rc == 0, err
    # one histogram per process, bcc's "Function = NAME [PID]" sections
    parts = re.split(r"^Function = main\.f \[(\d+)\]$", out, flags=re.M)[1:]
    per_pid = {int(pid): sum(int(c) for c in re.findall(r"^\s+\d+ -> \d+\s+: (\d+)", body, re.M))
               for pid, body in zip(parts[::2], parts[1::2])}
    assert per_pid == {procs[0].pid: N, procs[1].pid: N}, out
    assert re.search(rf"count: {2 * N}$", out, re.M), out
