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

import urllib.request

from conftest import TRACEKIT, collect, free_port, run_tracer, spawn, target, wait_line

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


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


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


def test_gethostlatency_metrics(no_leftovers):
    port = free_port()
    p = py_child(LOOKUPS)
    t = tracer("gethostlatency", "-p", p.pid, "--metrics", f"127.0.0.1:{port}")
    send(p)
    wait_line(p, "^done")
    body = scrape(port)
    assert f'tracekit_gethostlatency_seconds_count{{comm="python3",func="getaddrinfo"}} {N}\n' \
        in body, body
    stopped(t)
    send(p)
    collect(p)


def test_gethostlatency_bad_input():
    assert "no process" in one_line_error("gethostlatency", "-p", "999999999")
    assert one_line_error("gethostlatency", "-l", "/nonexistent/libc.so.6")


# ---- memleak -----------------------------------------------------------------------------

ROUNDS = 24
BLOCK = 4096


def leaker():
    p = spawn([str(target("leaker")), str(ROUNDS)], stdin=subprocess.PIPE)
    wait_line(p, "^ready")
    return p


def blocks(out):
    """memleak's blocks: (bytes, allocations, [frames]) in order."""
    res = []
    for line in out.splitlines():
        m = re.match(r"^\t(\d+) bytes in (\d+) allocations from stack$", line)
        if m:
            res.append((int(m.group(1)), int(m.group(2)), []))
        elif line.startswith("\t\t") and res:
            res[-1][2].append(line[2:])
    return res


def run_leaker(*args, ready=r"^Attaching to pid"):
    """memleak on the leaker, through its rounds; its output once stopped (Ctrl-C)."""
    p = leaker()
    t = tracer("memleak", "-p", p.pid, *args, ready=ready)
    assert t.ready_line == f"Attaching to pid {p.pid}, Ctrl+C to quit." or "--json" in args
    send(p)
    assert wait_line(p, "^leaked") == f"leaked {ROUNDS} {ROUNDS * BLOCK}"
    out = stopped(t)
    send(p)
    collect(p)
    return out


def test_memleak_outstanding_blocks(no_leftovers):
    out = run_leaker("-o", "0", "60")
    assert re.search(r"^\[\d\d:\d\d:\d\d\] Top 10 stacks with outstanding allocations:$", out,
                     re.M), out
    mine = [b for b in blocks(out) if any(f.startswith("leak_some+0x") for f in b[2])]
    assert len(mine) == 1, out
    size, n, frames = mine[0]
    assert (size, n) == (ROUNDS * BLOCK, ROUNDS), out
    assert re.match(r"^leak_some\+0x[0-9a-f]+ \[leaker\]$", frames[0]), frames
    assert re.match(r"^main\+0x[0-9a-f]+ \[leaker\]$", frames[1]), frames


def test_memleak_show_allocs_and_json(no_leftovers):
    out = run_leaker("-o", "0", "-a", "-z", "4096", "-Z", "4096", "60")
    addrs = re.findall(r"^\taddr = [0-9a-f]+ size = (\d+)$", out, re.M)
    assert addrs == ["4096"] * ROUNDS, out
    assert [(b[0], b[1]) for b in blocks(out)] == [(ROUNDS * BLOCK, ROUNDS)], out
    out = run_leaker("-o", "0", "-z", "4096", "-Z", "4096", "--json", "60", ready=r"^Attach")
    evs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    assert len(evs) == 1 and evs[0]["bytes"] == ROUNDS * BLOCK and evs[0]["allocs"] == ROUNDS
    assert evs[0]["stack"][0].startswith("leak_some+0x"), evs


def test_memleak_trace_calls(no_leftovers):
    out = run_leaker("-t", "-z", "4096", "-Z", "4096", "60")
    allocs = re.findall(r"^malloc exited, size = 4096, result = ([0-9a-f]+)$", out, re.M)
    frees = re.findall(r"^free entered, address = ([0-9a-f]+), size = 4096$", out, re.M)
    assert (len(allocs), len(frees)) == (4 * ROUNDS, 3 * ROUNDS), out
    assert set(frees) <= set(allocs)


def test_memleak_metrics(no_leftovers):
    port = free_port()
    p = leaker()
    t = tracer("memleak", "-p", p.pid, "--metrics", f"127.0.0.1:{port}", "60",
               ready=r"^Attaching to pid")
    assert "tracekit_memleak_outstanding_bytes 0\n" in scrape(port)
    send(p)
    wait_line(p, "^leaked")
    body = scrape(port)
    assert f"tracekit_memleak_outstanding_bytes {ROUNDS * BLOCK}\n" in body, body
    assert f"tracekit_memleak_outstanding_allocations {ROUNDS}\n" in body, body
    stopped(t)
    send(p)
    collect(p)


def test_static_binary_has_no_libc(rpc_service):
    for tool in ("memleak", "gethostlatency"):
        line = one_line_error(tool, "-p", str(rpc_service.pid))
        assert line == f"{tool}: process {rpc_service.pid} does not map libc (a static binary?): " \
            "nothing to trace", line


def test_memleak_bad_input():
    assert "-p PID is required" in one_line_error("memleak")
    assert "no process" in one_line_error("memleak", "-p", "999999999")
    assert one_line_error("memleak", "-p", str(os.getpid()), "-z", "10", "-Z", "5")


# ---- bashreadline ------------------------------------------------------------------------


def test_bashreadline_sees_typed_command(no_leftovers):
    bash = shutil.which("bash")
    if not bash:
        pytest.skip("no bash on this machine")
    t = tracer("bashreadline", ready=r"^TIME")
    assert re.match(r"^TIME +PID +COMMAND$", t.ready_line)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(bash, [bash, "--norc", "--noprofile", "-i"],
                  {"PATH": "/usr/bin:/bin", "TERM": "dumb", "PS1": "$ "})
    bash_pid = pid
    try:
        def read_until(pat, timeout=10):
            buf, end = b"", time.monotonic() + timeout
            while pat not in buf and time.monotonic() < end:
                if select.select([fd], [], [], 0.2)[0]:
                    buf += os.read(fd, 4096)
            assert pat in buf, buf
        read_until(b"$ ")
        os.write(fd, b"echo tk_brl_$((6*7))\n")
        read_until(b"tk_brl_42")
        os.write(fd, b"exit\n")
        os.waitpid(pid, 0)
        pid = 0
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
    out = stopped(t)
    rows = [l for l in out.splitlines() if "tk_brl_" in l]
    assert len(rows) == 1, out
    f = rows[0].split(None, 2)
    assert re.match(r"^\d\d:\d\d:\d\d$", f[0]) and f[2] == "echo tk_brl_$((6*7))", rows
    assert int(f[1]) == bash_pid, rows
