"""offcputime (the thread view): off-CPU time of real threads by the stacks they left the CPU
with, in bcc's text and folded formats, and pprof.

`goprof syscall 200`: main.blocker's thread blocks in a raw nanosleep(200 ms) in a loop;
`cprof sleep 100`: the process sleeps in nanosleep(100 ms) in a loop. Traced for D seconds,
such a thread's sleeps that end inside the trace add up to D minus what the trace cuts off:
the sleep in progress when it starts (not seen: at most one period) and the one in progress
when it ends (not finished: at most one more). So its total lies in [D - 2 periods - slack,
D + slack]; the tests take [D - 2 periods - 100 ms, D + 50 ms] (the slack: late timers and
wake-ups on a loaded machine below, the -d timer's own lateness above). Values are
microseconds, as bcc's offcputime prints them.

cprof's sleeper() is not among the frames: glibc's nanosleep has no frame pointer, so a
frame-pointer walk from it goes from the saved frame of sleeper() straight to sleeper()'s
caller, main (bcc shows the same). The Go blocker makes its system call from Go code, whose
frames all have frame pointers.
"""

import re
import subprocess

import pytest

from conftest import TRACEKIT, collect, require_file, spawn, target
from test_profile import GO, blocks, folded, run_tool, start, top_rows

D = 2  # seconds traced


def offcputime(*args):
    return run_tool("offcputime", *args)


def bounds(period_ms):
    """The total a thread sleeping period_ms at a time shows in D s (see the docstring)."""
    return (D * 1000 - 2 * period_ms - 100) * 1000, (D * 1000 + 50) * 1000


def test_go_thread_blocked_in_syscall(no_leftovers):
    """main.blocker's thread: ~D s under main.blocker, leaf first: the kernel's sleep from
    __schedule (the tracing frames dropped), then Go's syscall path up to main.blocker."""
    proc, pid = start("goprof", "syscall", 200)
    out, _ = offcputime("-p", pid, D)
    assert out.startswith(
        f"Tracing off-CPU time (us) of PID {pid} by user + kernel stack for {D} secs.\n\n"
    )
    bl = blocks(out)
    hit = [b for b in bl if "main.blocker" in b[0]]
    low, high = bounds(200)
    assert low <= sum(b[-1] for b in hit) <= high, out
    assert len({b[2] for b in hit}) == 1, "one thread: the blocker's (bcc shows the TID)"
    frames, comm, tid, _ = max(hit, key=lambda b: b[-1])
    assert comm == "goprof"
    assert frames[:2] == ["__schedule", "schedule"], frames
    assert "do_nanosleep" in frames and "__x64_sys_nanosleep" in frames
    user = frames[frames.index("entry_SYSCALL_64_after_hwframe") + 1 :]
    assert "syscall.Syscall" in user and user.index("main.blocker") > user.index(
        "syscall.Syscall"
    ), frames
    values = [b[-1] for b in bl]
    assert values == sorted(values)


def test_c_sleep_folded(no_leftovers):
    """cprof sleep 100, folded with -d: comm;user frames;-;kernel frames VALUE; ~D s."""
    proc, pid = start("cprof", "sleep", 100)
    out, _ = offcputime("-p", pid, "-f", "-d", D)
    lines = folded(out)
    hit = [(f, c) for f, c in lines if "clock_nanosleep" in f]
    low, high = bounds(100)
    assert low <= sum(c for _, c in hit) <= high, out
    frames = max(hit, key=lambda h: h[1])[0]
    assert frames[0] == "cprof"
    i = frames.index("-")
    assert frames[i - 2 : i] == ["main", "clock_nanosleep"], frames
    assert frames[i + 1] == "entry_SYSCALL_64_after_hwframe" and frames[-1] == "__schedule"


@pytest.mark.parametrize(
    "args, shown",
    [
        (["-m", 150000], False),  # each sleep is ~100 ms: none lasts 150 ms
        (["-M", 50000], False),  # nor only 50 ms
        (["-m", 50000, "-M", 150000], True),
        (["--state", 1], True),  # nanosleep sleeps TASK_INTERRUPTIBLE
        (["--state", 2], False),  # not TASK_UNINTERRUPTIBLE
    ],
)
def test_filters(no_leftovers, args, shown):
    """-m/-M bound each period (microseconds); --state filters by the state it left in."""
    proc, pid = start("cprof", "sleep", 100)
    out, _ = offcputime("-p", pid, "-f", *args, D)
    total = sum(c for f, c in folded(out) if "clock_nanosleep" in f)
    if shown:
        low, high = bounds(100)
        assert low <= total <= high, out
    else:
        assert total == 0, out


def test_tid_user_and_kernel_stacks(no_leftovers):
    """-t TID: that thread only; -U: user frames only; -K: kernel frames only."""
    proc, pid = start("cprof", "sleep", 100)
    out, _ = offcputime("-t", pid, "-U", D)
    assert out.startswith(f"Tracing off-CPU time (us) of TID {pid} by user stack for {D} secs.")
    bl = blocks(out)
    assert bl and all(b[2] == pid for b in bl)
    assert all(f in ("main", "clock_nanosleep", "[unknown]") for b in bl for f in b[0]), out
    out, _ = offcputime("-t", pid, "-K", "-f", D)
    lines = folded(out)
    assert lines and all(f[1] == "entry_SYSCALL_64_after_hwframe" for f, _ in lines), out


def test_kernel_threads_only(no_leftovers):
    """-k: kernel threads only, which have no user stack."""
    proc, pid = start("cprof", "sleep", 100)
    out, _ = offcputime("-k", "-f", 1)
    lines = folded(out)
    assert lines and not any(f[0] == "cprof" for f, _ in lines)
    assert all(f[1] in ("ret_from_fork_asm", "[Missed Kernel Stack]") for f, _ in lines), out


def test_pprof(no_leftovers, tmp_path):
    """--pprof: go tool pprof reads offcpu/nanoseconds; main.blocker holds ~D s."""
    require_file(GO, "Go is needed for `go tool pprof`")
    proc, pid = start("goprof", "syscall", 200)
    path = tmp_path / "off.pb.gz"
    out, _ = offcputime("-p", pid, "--pprof", path, D)
    assert out.count("\n") == 1  # the header alone
    r = subprocess.run(
        [GO, "tool", "pprof", "-top", "-cum", "-unit=ms", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "Type: offcpu" in r.stdout
    row = next(line for line in r.stdout.splitlines() if line.endswith(" main.blocker"))
    ms = float(re.split(r"\s+", row.strip())[3].rstrip("ms"))
    low, high = bounds(200)
    assert low / 1000 <= ms <= high / 1000, r.stdout
    assert "main.blocker" in top_rows(r.stdout)


@pytest.mark.parametrize(
    "args, rc, message",
    [
        (["-p", "x"], 2, r"argument -p/--pid: invalid positive_int_list value: 'x'"),
        (["-p", "1", "-t", "2"], 2, r"argument -t/--tid: not allowed with argument -p/--pid"),
        (["-u", "-k"], 2, r"argument -k/--kernel-threads-only: not allowed with argument -u"),
        (["-U", "-K"], 2, r"not allowed with argument -U/--user-stacks-only"),
        (["-m", "0"], 2, r"argument -m/--min-block-time: "),
        (["--state", "x"], 2, r"argument --state: invalid int value: 'x'"),
        (["-s"], 2, r"argument -s/--offset: not supported"),
        (["-k", "-U", "1"], 1, r"ERROR: Displaying user stacks for kernel threads"),
        (["--pprof", "/nonexistent/x.pb.gz", "1"], 1, r"cannot write /nonexistent/x.pb.gz"),
    ],
)
def test_errors(no_leftovers, args, rc, message):
    """One error line (after argparse's usage for a usage error), the exit status, no probe."""
    p = spawn([TRACEKIT, "offcputime", *args])
    got, out, err = collect(p)
    assert got == rc, (out, err)
    assert re.search(message, err.strip().splitlines()[-1]), err
    assert out == "" and "Traceback" not in err
