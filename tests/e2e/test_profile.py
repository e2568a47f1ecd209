"""profile: CPU stack samples of real processes, in bcc's text and folded formats, JSON and
pprof (read by the real `go tool pprof`).

The targets spend their time in known places: `goprof cpu` spins in main.hotLoop (one
goroutine, so one thread at ~100% of a CPU), into which the compiler inlines main.mix;
`cprof cpu` spins in hot_loop() with mix() inlined. Inlined functions are frames of their
own, from Go's pclntab inline tree and C's DWARF. At -F 99 the cpu-clock event fires every
1e9/99 ns on each CPU and samples whatever runs there, so a process gets about
99 x (its CPU seconds) samples; the tests compare with the CPU time /proc says it used.
"""

import json
import os
import re
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import TRACEKIT, collect, require_file, run_tracer, spawn, target, wait_line

GO = "/usr/local/go/bin/go"
PERIOD_NS = 1000000000 // 99  # what one sample at -F 99 stands for
TICK = os.sysconf("SC_CLK_TCK")

def start(name, *args):
    """A target (a name in tests/targets/bin, or a path) that prints "ready PID"."""
    proc = spawn([name if "/" in str(name) else target(name), *map(str, args)])
    pid = int(wait_line(proc, r"^ready \d+").split()[1])
    return proc, pid


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def run_tool(tool, *args, timeout=30):
    """Run `tracekit TOOL ARGS` to its end (a duration is among args): (stdout, stderr)."""
    proc = spawn([TRACEKIT, tool, *map(str, args)])
    rc, out, err = collect(proc, timeout)
    assert rc == 0, err
    return out, err


def profile(*args):
    return run_tool("profile", *args)


def blocks(out):
    """bcc's blocks: [(frames leaf first, comm, pid, count)], after the header and blank line."""
    text = out.split("\n\n", 1)[1]
    res = []
    for block in filter(None, text.split("\n\n")):
        lines = block.split("\n")
        who = re.fullmatch(r"    -                (.*) \((\d+)\)", lines[-2])
        count = re.fullmatch(r"        (\d+)", lines[-1])
        assert who and count, block
        frames = [line[4:] for line in lines[:-2]]
        assert all(line.startswith("    ") for line in lines[:-2]), block
        res.append((frames, who[1], int(who[2]), int(count[1])))
    return res


def folded(out):
    """bcc's folded lines: [(frames root first, count)]"""
    res = []
    for line in out.splitlines():
        m = re.fullmatch(r"(\S[^ ]*(?: [^ ]+)*) (\d+)", line)
        assert m, line
        res.append((m[1].split(";"), int(m[2])))
    return res


def pprof(path, *args):
    require_file(GO, "Go is needed for `go tool pprof`")
    r = subprocess.run(
        [GO, "tool", "pprof", *args, str(path)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def top_rows(text):
    """The function column of go tool pprof -top's rows, most first."""
    return [
        re.split(r"\s+", line.strip(), maxsplit=5)[5]
        for line in text.splitlines()
        if re.match(r"\s+[\d.]+(?:[mu]?s)? ", line)
    ]


def test_go_text_blocks_and_rate(no_leftovers):
    """bcc's header and blocks; main.hotLoop holds > 90% of the process's samples, and there
    are 99 samples per second the process ran on a CPU.

    The event fires every 1e9/99 ns on each CPU and samples what runs there, so the process's
    count is 99 x the CPU seconds it ran while sampled: measured from /proc between the
    header (printed once attached) and the tracer's exit. Allowed: 10% + 3 samples for the
    window's edges (the CPU time is read in ticks of 10 ms, after the process was scheduled
    around our reads) on a shared, busy machine.
    """
    proc, pid = start("goprof", "cpu")
    tracer = run_tracer(["profile", "-F", "99", "-p", str(pid), "3"], ready_regex="Sampling")
    c0 = cpu_ticks(pid)
    rc, out, err = tracer.wait()
    c1 = cpu_ticks(pid)
    assert rc == 0, err
    assert out.startswith(
        f"Sampling at 99 Hertz of PID [{pid}] by user + kernel stack for 3 secs.\n\n"
    )
    bl = blocks(out)
    assert bl
    assert all(comm == "goprof" and p == pid for _, comm, p, _ in bl)
    counts = [c for *_, c in bl]
    assert counts == sorted(counts), "bcc prints stacks in ascending order of their counts"
    total = sum(counts)
    assert sum(c for frames, *_, c in bl if "main.hotLoop" in frames) > 0.9 * total, out
    expected = 99 * (c1 - c0) / TICK
    assert abs(total - expected) <= 0.1 * expected + 3, (total, expected)


def test_ctrl_c_all_threads(no_leftovers):
    """Without a duration: bcc's "... Hit Ctrl-C to end." header, the stacks after SIGINT;
    every process sampled, except the idle threads (pid 0), which only -I includes."""
    proc, pid = start("goprof", "cpu")
    for idle in (False, True):
        args = ["profile", "-F", "99"] + (["-I"] if idle else [])
        tracer = run_tracer(args, ready_regex="Sampling")
        assert tracer.ready_line == (
            "Sampling at 99 Hertz of all threads by user + kernel stack... Hit Ctrl-C to end."
        )
        time.sleep(1)
        rc, out, err = tracer.stop()
        assert rc == 0, err
        bl = blocks(out)
        assert any(p == pid and "main.hotLoop" in f for f, _, p, _ in bl), out
        if idle:
            assert all(comm.startswith("swapper/") for _, comm, p, _ in bl if p == 0)
        else:
            assert all(p != 0 for _, _, p, _ in bl), out


@pytest.mark.parametrize(
    "name, hot, inlined",
    [
        ("goprof", "main.hotLoop", "main.mix"),
        ("goprof-stripped", "main.hotLoop", "main.mix"),  # names from .gopclntab
        ("cprof", "hot_loop", "mix"),  # ELF symbols, DWARF's inlined subroutine
    ],
)
def test_folded(no_leftovers, name, hot, inlined):
    """-f -d: comm;user frames outermost first[;-;kernel frames outermost first] VALUE, the
    header on stderr (stdout is only folded lines), ascending counts. The hot function holds > 90% of the samples; the function it
    inlines is its own frame right above it in most of them; after them only "-" and the
    kernel's frames (an interrupt) may come."""
    proc, pid = start(name, "cpu")
    out, err = profile("-F", 99, "-p", pid, "-f", "-d", 2)
    assert f"Sampling at 99 Hertz of PID [{pid}] by user + kernel stack for 2 secs." in err
    lines = folded(out)
    assert lines
    assert all(frames[0] == name[:15] for frames, _ in lines), out
    counts = [c for _, c in lines]
    assert counts == sorted(counts)
    total = sum(counts)
    assert sum(c for frames, c in lines if hot in frames) > 0.9 * total, out
    with_inlined = 0
    for frames, c in lines:
        if hot in frames:
            after = frames[frames.index(hot) + 1 :]
            if after[:1] == [inlined]:
                with_inlined += c
                after = after[1:]
            assert after[:1] in ([], ["-"]), frames
    assert with_inlined > 0.5 * total, out


def test_user_and_kernel_only(no_leftovers):
    """-U: no kernel stacks; -K: no user stacks (JSON says which it has); headers say so."""
    proc, pid = start("goprof", "cpu")
    p = spawn([TRACEKIT, "profile", "-U", "-p", str(pid), "1"])
    rc, out, err = collect(p)
    assert rc == 0, err
    assert out.startswith(f"Sampling at 49 Hertz of PID [{pid}] by user stack for 1 secs.\n")
    out, _ = profile("-U", "--json", "-p", pid, 1)
    recs = [json.loads(line) for line in out.splitlines()]
    assert recs and all("kstack" not in r and "ustack" in r for r in recs)
    assert any(f["func"] == "main.hotLoop" for r in recs for f in r["ustack"])
    out, _ = profile("-K", "--json", "-p", pid, 1)
    recs = [json.loads(line) for line in out.splitlines()]
    assert recs and all("ustack" not in r and "kstack" in r for r in recs)
    assert not any(f["func"].startswith("main.") for r in recs for f in r["kstack"])


def test_kernel_frames_and_delimiter(no_leftovers):
    """A process in system calls: kernel frames leaf first, "--" with -d, then user frames;
    -a marks kernel frames _[k]; folded -d puts "-" between user and kernel frames."""
    proc, pid = start("cprof", "sleep", "1")
    out, _ = profile("-F", 999, "-I", "-d", "-a", 2)
    bl = blocks(out)
    both = [frames for frames, *_ in bl if "--" in frames]
    assert both, out
    for frames in both:
        i = frames.index("--")
        assert i > 0 and all(f.endswith("_[k]") for f in frames[:i]), frames
        assert not any(f.endswith("_[k]") for f in frames[i + 1 :]), frames
    out, _ = profile("-F", 999, "-d", "-f", 1)
    delimited = [frames for frames, _ in folded(out) if "-" in frames]
    assert delimited, out


def test_json_records(no_leftovers):
    """--json: one object per stack with comm, pid, values by type and frames with file:line."""
    proc, pid = start("goprof", "cpu")
    out, err = profile("--json", "-F", 99, "-p", pid, 1)
    # the header goes to stderr when JSON owns stdout
    assert f"Sampling at 99 Hertz of PID [{pid}] by user + kernel stack for 1 secs." in err
    recs = [json.loads(line) for line in out.splitlines()]
    assert recs
    for r in recs:
        assert r["comm"] == "goprof" and r["pid"] == pid
        assert r["values"]["samples"] == r["value"]
        assert r["values"]["cpu"] == r["value"] * PERIOD_NS
        for f in r["ustack"] + r["kstack"]:
            assert set(f) == {"func", "file", "line", "inlined", "module", "addr"}
            assert f["addr"].startswith("0x")
    hot = [f for r in recs for f in r["ustack"] if f["func"] == "main.hotLoop"]
    assert hot and all(f["file"].endswith("goprof/main.go") and f["line"] > 0 for f in hot)
    assert all(f["module"].endswith("/goprof") for f in hot)
    vals = [r["value"] for r in recs]
    assert vals == sorted(vals)


@pytest.mark.parametrize(
    "name, hot, inlined, source",
    [
        ("goprof", "main.hotLoop", "main.mix", "goprof/main.go"),
        ("goprof-stripped", "main.hotLoop", "main.mix", "goprof/main.go"),
        ("cprof", "hot_loop", "mix", "cprof.c"),
    ],
)
def test_pprof_go_tool(no_leftovers, tmp_path, name, hot, inlined, source):
    """--pprof, read by go tool pprof: the hot function (or what it inlined) on top, the hot
    function first by cumulative time, the inlined function its own frame above it in
    -traces, file:line in -lines. --svg at the same time: a flame graph with the hot function.
    Nothing but the header on stdout."""
    proc, pid = start(name, "cpu")
    path, svg = tmp_path / "cpu.pb.gz", tmp_path / "cpu.svg"
    out, _ = profile("-F", 99, "-p", pid, "--pprof", path, "--svg", svg, 2)
    names = {"".join(e.itertext()) for e in ET.parse(svg).iter("{http://www.w3.org/2000/svg}title")}
    assert any(n.startswith(hot) for n in names), names
    assert out == f"Sampling at 99 Hertz of PID [{pid}] by user + kernel stack for 2 secs.\n"
    top = pprof(path, "-top")
    assert "Type: cpu" in top
    assert top_rows(top)[0] in (hot, f"{inlined} (inline)"), top
    # cprof's caller of hot_loop is in libc, which has no symbol for it
    cum = [f for f in top_rows(pprof(path, "-top", "-cum")) if f != "[unknown]"]
    assert cum[0] == hot, cum
    traces = pprof(path, "-traces")
    assert re.search(rf"{re.escape(inlined)} \(inline\)\n\s+{re.escape(hot)}\n", traces), traces
    lines = pprof(path, "-lines", "-top")
    assert re.search(rf"{re.escape(hot)} \S*{re.escape(source)}:\d+", lines), lines


@pytest.mark.parametrize(
    "args, message",
    [
        (["-F", "0"], r"argument -F/--frequency: "),
        (["-F", "x"], r"argument -F/--frequency: invalid int value: 'x'"),
        (["-F", "99", "-c", "1000"], r"argument -c/--count: not allowed with argument -F"),
        (["-p", "x"], r"argument -p/--pid: invalid positive_int_list value: 'x'"),
        (["-p", "1", "-L", "2"], r"argument -L/--tid: not allowed with argument -p/--pid"),
        (["-U", "-K"], r"not allowed with argument -U/--user-stacks-only"),
        (["0"], r"duration"),
        (["1", "2"], r"unrecognized arguments: 2"),
        (["--cgroupmap", "/x"], r"argument --cgroupmap: not supported"),
        (["--bogus"], r"unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors(args, message):
    """bcc's argparse errors: usage on stderr, one error line, exit 2."""
    p = spawn([TRACEKIT, "profile", *args])
    rc, out, err = collect(p)
    assert rc == 2
    assert re.search(message, err), err
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["-C", "4095", "1"], r"cannot sample CPU 4095"),
        (["-F", "999999", "1"], r"cannot sample at 999999 Hertz"),
        (["--pprof", "/nonexistent/dir/x.pb.gz", "1"], r"cannot write /nonexistent/dir/x.pb.gz"),
        (["--svg", "", "1"], r"--svg: empty file name"),
    ],
)
def test_run_errors(no_leftovers, args, message):
    """Failures after parsing: one line on stderr, exit 1, nothing left attached."""
    p = spawn([TRACEKIT, "profile", *args])
    rc, out, err = collect(p)
    assert rc == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and re.search(message, lines[0]), err


def test_two_processes_of_one_binary(no_leftovers):
    """-p A,B: both processes sampled and symbolized (one file's tables serve both)."""
    _, a = start("goprof", "cpu")
    _, b = start("goprof", "cpu")
    out, err = profile("--json", "-F", 99, "-p", f"{a},{b}", 2)
    assert f"Sampling at 99 Hertz of PID [{a}, {b}]" in err
    recs = [json.loads(line) for line in out.splitlines()]
    for pid in (a, b):
        mine = [r for r in recs if r["pid"] == pid]
        total = sum(r["value"] for r in mine)
        hot = sum(r["value"] for r in mine if any(f["func"] == "main.hotLoop" for f in r["ustack"]))
        assert total > 0 and hot > 0.9 * total, (pid, mine)
    assert {r["pid"] for r in recs} == {a, b}
