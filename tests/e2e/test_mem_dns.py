"""gethostlatency, memleak and bashreadline on real processes the tests start.

Each test makes its own calls in a child it controls and checks what is exactly knowable:
the number of lookups and their host, the outstanding bytes of a program that keeps one
allocation in four (with the allocating function in the stack), the command typed into an
interactive bash on a pty.
"""
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import TRACEKIT, collect, run_tracer, spawn, target, wait_line

N = 7


def tracer(tool, *args, ready=r"^Tracing|^TIME|^Attaching"):
    if not TRACEKIT.exists():
        pytest.fail(f"{TRACEKIT} is missing: run `make` first")
    return run_tracer([tool, *[str(a) for a in args]], ready_regex=ready)


def stopped(t):
    rc, out, err = t.stop()
    assert rc == 0, f"tracer failed (rc={rc}):\n{err}"
    return out


def py_child(script):
    """A python3 child that prints "ready", waits for a line, runs script, prints "done" and
    waits for a last line before it exits."""
    code = ("import sys\nprint('ready', flush=True)\nsys.stdin.readline()\n" +
            textwrap.dedent(script) + "\nprint('done', flush=True)\nsys.stdin.readline()\n")
    p = spawn([sys.executable, "-c", code], stdin=subprocess.PIPE)
    wait_line(p, "^ready")
    return p


def send(p, line=b"go\n"):
    p.stdin.write(line)
    p.stdin.flush()


def one_line_error(tool, *args):
    r = subprocess.run([str(TRACEKIT), tool, *args], capture_output=True, text=True, timeout=20)
    lines = [l for l in r.stderr.splitlines() if not l.startswith(("usage:", " "))]
    assert r.returncode != 0 and r.stdout == "" and len(lines) == 1, r
    return lines[0]


# ---- gethostlatency ----------------------------------------------------------------------

LOOKUPS = f"""
import socket
for i in range({N}):
    socket.getaddrinfo("localhost", 80)
"""


def test_gethostlatency_counts_lookups(no_leftovers):
    p = py_child(LOOKUPS)
    t = tracer("gethostlatency", "-p", p.pid)
    assert re.match(r"^TIME +PID +COMM +LATms HOST$", wait_line(t.proc, "^TIME"))
    send(p)
    wait_line(p, "^done")
    send(p)
    collect(p)
    out = stopped(t)
    rows = [l for l in out.splitlines() if re.match(r"^\d\d:\d\d:\d\d ", l)]
    assert len(rows) == N, out
    for r in rows:
        f = r.split()
        assert f[1] == str(p.pid) and f[2] == "python3" and f[4] == "localhost", r
        assert float(f[3]) >= 0


def test_gethostlatency_json(no_leftovers):
    p = py_child(LOOKUPS)
    t = tracer("gethostlatency", "-p", p.pid, "--json", ready=r"^Tracing")
    send(p)
    wait_line(p, "^done")
    send(p)
    collect(p)
    out = stopped(t)
    evs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    assert len(evs) == N, out
    assert all(e["pid"] == p.pid and e["host"] == "localhost" and
               e["func"] == "getaddrinfo" and e["lat_ns"] > 0 for e in evs), evs


def test_gethostlatency_bad_input():
    assert "no process" in one_line_error("gethostlatency", "-p", "999999999")
    assert one_line_error("gethostlatency", "-l", "/nonexistent/libc.so.6")
