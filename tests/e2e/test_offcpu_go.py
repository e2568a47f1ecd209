"""offcputime --go: off-CPU time per goroutine, charged to the goroutine's own stack.

`goprof sleep 50` has one goroutine, main.sleeper, parked in time.Sleep(50 ms) nearly all the
time; `goprof chan 50` has main.receiver parked on a channel that main.sender fills every
50 ms. Traced for D seconds, such a goroutine's parks that end inside the trace add up to D
minus what the trace cuts off: the park in progress when it starts (not seen: at most one
period, 50 ms) and the one in progress when it ends (not finished: at most one more), plus
the microseconds it runs between parks. So its total lies in [D - 2 x 50 ms - slack, D +
slack]: the tests take [0.85 D, 1.02 D] (D = 2 s: 1.70 s to 2.04 s), where the lower bound
leaves 200 ms for a loaded machine's late timers and wake-ups, and the upper only the -d
timer's own lateness. Values are microseconds, as bcc's offcputime prints them.

The thread view (offcputime without --go) of the same process must not show main.sleeper:
its thread parks in the scheduler (runtime.findRunnable / futex), having switched to the g0
stack, which is the issue's point.
"""

import json
import subprocess

import pytest

from conftest import (GO_VERSIONS, TRACEKIT, collect, go_target, require_file, spawn,
                      target, wait_line)
from test_profile import GO, blocks, run_tool, start

D = 2  # seconds traced
LOW, HIGH = 0.85 * D * 1e6, 1.02 * D * 1e6  # microseconds, see the docstring


def offcputime(*args, timeout=30):
    """`tracekit offcputime ARGS` to its end (a duration is among args): (stdout, stderr)."""
    return run_tool("offcputime", *args, timeout=timeout)


def under(stacks, func):
    """The total of the stacks that hold func, and those stacks."""
    hit = [s for s in stacks if func in s[0]]
    return sum(s[-1] for s in hit), hit


def test_sleeper_parked_in_time_sleep(no_leftovers):
    proc, pid = start(target("goprof"), "sleep", 50)
    out, err = offcputime("--go", "-p", pid, D)
    assert f"Tracing off-CPU time (us) of PID {pid} goroutines by user stack for {D} secs." in out
    stacks = blocks(out)
    total, hit = under(stacks, "main.sleeper")
    assert LOW <= total <= HIGH, out
    # one stack, complete: gopark's caller (read at [SP]) and the goroutine's function
    assert len(hit) == 1, out
    frames, comm, who, _ = hit[0]
    assert frames[:3] == ["runtime.gopark", "time.Sleep", "main.sleeper"], frames
    assert comm == "goprof" and who == pid


def test_receiver_parked_on_channel(no_leftovers):
    proc, pid = start(target("goprof"), "chan", 50)
    out, _ = offcputime("--go", "-p", pid, D)
    stacks = blocks(out)
    total, hit = under(stacks, "main.receiver")
    assert LOW <= total <= HIGH, out
    frames = hit[0][0]
    assert frames[0] == "runtime.gopark" and "runtime.chanrecv" in frames, frames
    assert frames.index("main.receiver") > frames.index("runtime.chanrecv"), frames
    # the sender sleeps between sends: its own stack, its own time
    total, _ = under(stacks, "main.sender")
    assert LOW <= total <= HIGH, out


def test_thread_view_shows_the_scheduler_not_the_goroutine(no_leftovers):
    proc, pid = start(target("goprof"), "sleep", 50)
    out, _ = offcputime("-U", "-p", pid, D)
    stacks = blocks(out)
    assert stacks, out
    assert not any("main.sleeper" in s[0] for s in stacks), out
    assert any(f.startswith("runtime.") for s in stacks for f in s[0]), out
    out, _ = offcputime("--go", "-U", "-p", pid, D)
    assert LOW <= under(blocks(out), "main.sleeper")[0] <= HIGH, out


def test_stripped_binary_folded(no_leftovers):
    proc, pid = start(target("goprof-stripped"), "sleep", 50)
    out, err = offcputime("--go", "-f", "-p", pid, D)
    lines = [l.rsplit(" ", 1) for l in out.splitlines()]
    hit = [(f.split(";"), int(v)) for f, v in lines if "main.sleeper" in f]
    assert len(hit) == 1, out
    frames, total = hit[0]
    assert frames[0] == "goprof-stripped" and frames[-3:] == [
        "main.sleeper", "time.Sleep", "runtime.gopark"], frames
    assert LOW <= total <= HIGH, out


def test_json_and_pprof(no_leftovers, tmp_path):
    proc, pid = start(target("goprof"), "sleep", 50)
    pb = tmp_path / "go.pb.gz"
    out, _ = offcputime("--go", "--json", "--pprof", pb, "-p", pid, D)
    recs = [json.loads(l) for l in out.splitlines()]
    rec = [r for r in recs if any(f["func"] == "main.sleeper" for f in r["ustack"])]
    assert len(rec) == 1, out
    r = rec[0]
    assert r["pid"] == pid and r["kstack"] == [] and LOW <= r["value"] <= HIGH, r
    assert r["values"]["offcpu"] // 1000 == r["value"], r
    sleeper = next(f for f in r["ustack"] if f["func"] == "main.sleeper")
    assert sleeper["file"].endswith("goprof/main.go") and sleeper["line"] > 0, sleeper
    require_file(GO, "Go is needed for `go tool pprof`")
    top = subprocess.run([GO, "tool", "pprof", "-top", "-unit=ms", pb], capture_output=True,
                         text=True, timeout=60)
    assert top.returncode == 0, top.stderr
    assert "Type: offcpu" in top.stdout, top.stdout
    row = next(l for l in top.stdout.splitlines() if l.endswith(" main.sleeper"))
    cum_ms = float(row.split()[3].rstrip("ms"))
    assert LOW / 1000 <= cum_ms <= HIGH / 1000, top.stdout


@pytest.mark.parametrize("version", GO_VERSIONS)
def test_go_matrix(no_leftovers, version):
    """gostress -mode sleep: main.f sleeps 1 ms per call, long enough to outlast the trace
    (20000 calls); its goroutine is parked in f's time.Sleep nearly all the time."""
    proc = spawn([go_target(version, "gostress"), "-mode", "sleep", "-n", "20000", "-g", "1",
                  "-delay", "0.1"])
    wait_line(proc, r"^ready$")
    out, _ = offcputime("--go", "-p", proc.pid, D)
    total, hit = under(blocks(out), "main.f")
    assert LOW <= total <= HIGH, out
    frames = hit[0][0]
    assert frames[:3] == ["runtime.gopark", "time.Sleep", "main.f"], frames


def test_errors(no_leftovers):
    proc, pid = start(target("cprof"), "sleep", 50)
    for args, msg in [
        (["--go", "1"], "--go traces the goroutines of one Go process: give -p PID"),
        (["--go", "-p", f"{pid},{pid}", "1"], "give -p PID"),
        (["--go", "-K", "-p", pid, "1"], "-K leaves nothing to show"),
        (["--go", "-p", pid, "1"], f"process {pid}: no Go runtime to probe"),
        (["--go", "-p", "999999", "1"], "no process with PID 999999"),
    ]:
        p = spawn([TRACEKIT, "offcputime", *map(str, args)])
        rc, out, err = collect(p, 20)
        assert rc == 1 and out == "", (args, out, err)
        assert len(err.splitlines()) == 1 and msg in err, (args, err)


def test_min_max_block_time(no_leftovers):
    """Each park of main.sleeper lasts ~50 ms: -M 10000 (10 ms) drops them all, -m 10000
    keeps them all."""
    proc, pid = start(target("goprof"), "sleep", 50)
    out, _ = offcputime("--go", "-M", 10000, "-p", pid, D)
    assert under(blocks(out), "main.sleeper")[0] == 0, out
    out, _ = offcputime("--go", "-m", 10000, "-p", pid, D)
    assert LOW <= under(blocks(out), "main.sleeper")[0] <= HIGH, out
