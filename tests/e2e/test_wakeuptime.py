"""wakeuptime: blocked time summed by who woke the thread up, in bcc's layout.

Two processes the test starts share a pipe: "tkreader" reads it ROUNDS times, "tkwriter"
sleeps 100 ms before each write. Both wait for a "go" line first (so the reader's wait on
its stdin, which the test's own write ends, is over before the rounds). The reader then
blocks in read() for each round until the writer's write() wakes it: ROUNDS x ~100 ms of
blocked time under waker tkwriter, its kernel stack in the pipe's write path. The reader
starts reading at most a few ms after the writer starts sleeping, and a sleep overshoots by
its timer slack (50 us) and scheduling: the tests take [0.9, 1.3] x ROUNDS x 100 ms.
"""

import os
import re
import subprocess

from conftest import TRACEKIT, collect, run_tracer, spawn, wait_line

ROUNDS = 8
PERIOD_US = 100000

CHILD = r"""
import ctypes, os, sys, time
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)  # PR_SET_NAME
fd = int(sys.argv[2])
print("ready", os.getpid(), flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[3])):
    if sys.argv[1] == "tkwriter":
        time.sleep(0.1)
        os.write(fd, b"x")
    else:
        os.read(fd, 1)
print("done", flush=True)
"""


def child(name, fd):
    p = spawn(["/usr/bin/python3", "-c", CHILD, name, fd, ROUNDS], stdin=subprocess.PIPE,
              pass_fds=(fd,))
    p.pid_ = int(wait_line(p, r"^ready \d+").split()[1])
    return p


def go(*procs):
    for p in procs:
        p.stdin.write(b"go\n")
        p.stdin.flush()
    for p in procs:
        wait_line(p, r"^done$", timeout=30)


def blocks(out):
    """bcc's blocks: [(target, frames leaf first, waker, microseconds)]"""
    text = out.split("\n", 1)[1]
    assert text.startswith("\n") and text.endswith("Detaching...\n"), out
    res = []
    for block in filter(None, text[1:-len("Detaching...\n")].split("\n\n")):
        lines = block.split("\n")
        target = re.fullmatch(r"    target:          (.*)", lines[0])
        waker = re.fullmatch(r"    waker:           (.*)", lines[-2])
        value = re.fullmatch(r"        (\d+)", lines[-1])
        assert target and waker and value, block
        frames = [re.fullmatch(r"    ([0-9a-f]{16}) (\S+)", l) for l in lines[1:-2]]
        assert all(frames), block
        res.append((target[1], [f[2] for f in frames], waker[1], int(value[1])))
    return res


def pipe_pair():
    r, w = os.pipe()
    reader, writer = child("tkreader", r), child("tkwriter", w)
    os.close(r)
    os.close(w)
    return reader, writer


def test_reader_woken_by_writer(no_leftovers):
    reader, writer = pipe_pair()
    t = run_tracer(["wakeuptime", "-p", reader.pid_],
                   ready_regex=r"^Tracing blocked time \(us\) by kernel stack\.\.\. Hit Ctrl-C")
    go(reader, writer)
    rc, out, err = t.stop()
    assert rc == 0, err
    res = blocks(out)
    assert {r[0] for r in res} == {"tkreader"}, out  # -p: the blocked threads' process
    mine = [r for r in res if r[2] == "tkwriter"]
    total = sum(r[3] for r in mine)
    assert 0.9 * ROUNDS * PERIOD_US <= total <= 1.3 * ROUNDS * PERIOD_US, out
    for _, frames, _, _ in mine:
        assert any("pipe_write" in f for f in frames), frames
        assert "try_to_wake_up" in frames, frames


def test_folded(no_leftovers):
    reader, writer = pipe_pair()
    # bcc prints no header with -f: tracekit says it on stderr, stdout is only folded lines
    t = run_tracer(["wakeuptime", "-f", "-p", reader.pid_], ready_regex=r"^Tracing blocked")
    go(reader, writer)
    rc, out, err = t.stop()
    assert rc == 0, err
    lines = [l.rsplit(" ", 1) for l in out.splitlines()]
    mine = [(f.split(";"), int(v)) for f, v in lines if f.startswith("tkwriter;")]
    assert mine and all(f[-1] == "tkreader" for f, _ in mine), out
    assert all(any("pipe_write" in x for x in f) for f, _ in mine), out
    total = sum(v for _, v in mine)
    assert 0.9 * ROUNDS * PERIOD_US <= total <= 1.3 * ROUNDS * PERIOD_US, out


def test_errors(no_leftovers):
    p = spawn([TRACEKIT, "wakeuptime", "-u", "-p", "1", "1"])
    rc, out, err = collect(p, 20)
    assert rc == 2 and "not allowed with argument" in err.splitlines()[-1], err
