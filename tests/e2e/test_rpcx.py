"""The seed article's own program: its rpcx 102basic server and client (tests/targets/rpcx,
built through the Go module proxy), traced with the article's command lines.

Each test copies rpcx-server and rpcx-client into its own directory as ./server and ./client
(so COMM is `server`/`client`, as in the article, and probes by path see only this test's
processes) and runs the tracer there, so patterns are the article's: './server:main.*.Mul'.
The client makes exactly N calls of Arith.Mul(10, 20), so every count is exact. Where the
article relies on a latency (funcslower -u 10), the tests use -u 0: every call is a row.
No expectation depends on the kernel build or on the Go version: the +OFFSET of the article's
one-liner is computed from this build's disassembly.
"""

import re
import shutil
import subprocess
import time

import pytest

from conftest import (
    BPFTRACE_NOTIFY,
    collect,
    free_port,
    kill_proc,
    output,
    run_tracer,
    spawn,
    target,
    wait_line,
)

MUL = "main.(*Arith).Mul"
RPCX = "github.com/smallnest/rpcx/server."


class Rpcx:
    """./server running in dir on 127.0.0.1:port; .call(n) runs ./client to completion."""

    def __init__(self, dir, proc, port):
        self.dir = dir
        self.proc = proc
        self.pid = proc.pid
        self.port = port
        self.addr = f"127.0.0.1:{port}"

    def client(self, n):
        return spawn([self.dir / "client", "-addr", self.addr, "-n", n, "-rate", 0, "-q"])

    def call(self, n):
        c = self.client(n)
        rc, out, err = collect(c, 60)
        assert rc == 0 and out == f"calls={n} errors=0\n", out + err
        return c.pid


@pytest.fixture
def rpcx(tmp_path, procs):
    for name in ("server", "client"):
        shutil.copy2(target(f"rpcx-{name}"), tmp_path / name)
    for _ in range(3):
        port = free_port()
        proc = spawn([tmp_path / "server", "-addr", f"127.0.0.1:{port}"])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            if re.search(r"^listening on ", output(proc), re.M):
                wait_line(proc, r"^listening on ")
                return Rpcx(tmp_path, proc, port)
            time.sleep(0.01)
        kill_proc(proc)
        rc, out, err = collect(proc, 5)
        if "address already in use" not in err:  # else the port was taken meanwhile: retry
            pytest.fail(f"rpcx-server did not start (rc={rc}):\n{out}{err}")
    pytest.fail("rpcx-server found no free port in 3 tries")


def tool(svc, args, **kw):
    """A tool run in the service's directory, where ./server is the article's server."""
    return run_tracer(args, cwd=svc.dir, **kw)


def lang(svc, prog):
    """tracekit -e prog in the service's directory, once its probes are attached."""
    return run_tracer(["-e", prog], ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"},
                      cwd=svc.dir)


def counts(out):
    """funccount's table: {function: count}."""
    table = out.split("\nFUNC ", 1)[1].splitlines()[1:]
    return {l.rsplit(None, 1)[0]: int(l.rsplit(None, 1)[1]) for l in table if l.strip() and
            l != "Detaching..."}


def test_funccount_counts_every_call(rpcx, no_leftovers):
    t = tool(rpcx, ["funccount", "./server:main.*.Mul"])
    assert t.ready_line == 'Tracing 1 functions for "./server:main.*.Mul"... Hit Ctrl-C to end.'
    rpcx.call(25)
    rpcx.call(12)
    rc, out, err = t.stop()
    assert rc == 0, err
    assert counts(out) == {MUL: 37}
    assert out.endswith("Detaching...\n")


def test_funccount_duration_as_in_the_article(rpcx, no_leftovers):
    # the article's -d 10, shortened: the calls are made in the first second
    t = tool(rpcx, ["funccount", "-d", "4", "./server:main.*.Mul"])
    rpcx.call(20)
    rc, out, err = t.wait(30)
    assert rc == 0, err
    assert counts(out) == {MUL: 20}


def test_funccount_rpcx_internals(rpcx, no_leftovers):
    """Hundreds of rpcx functions at once (one uprobe_multi link), each counted exactly."""
    t = tool(rpcx, ["funccount", "./server:github.com/smallnest/rpcx/server.*"])
    n = int(re.match(r"Tracing (\d+) functions", t.ready_line).group(1))
    assert n > 100, t.ready_line
    rpcx.call(33)
    rc, out, err = t.stop()
    assert rc == 0, err
    c = counts(out)
    assert c[RPCX + "(*service).call"] == 33
    assert c[RPCX + "(*Server).handleRequest"] == 33


def test_funccount_go_runtime(rpcx, no_leftovers):
    """The article's runtime patterns find their functions in the rpcx binary."""
    t = tool(rpcx, ["funccount", "./server:runtime.*.gc*"])
    assert int(re.match(r"Tracing (\d+) functions", t.ready_line).group(1)) >= 1
    rc, out, err = t.stop()
    assert rc == 0, err
    t = tool(rpcx, ["funccount", "./server:runtime.schedule", "./server:runtime.mallocgc"])
    assert t.ready_line.startswith("Tracing 2 functions for ")
    rpcx.call(50)
    rc, out, err = t.stop()
    assert rc == 0, err
    c = counts(out)
    # how many depends on the Go version; that there are some does not
    assert c.get("runtime.schedule", 0) > 0 and c.get("runtime.mallocgc", 0) > 0, out


def test_funclatency_counts_every_call(rpcx, no_leftovers):
    t = tool(rpcx, ["funclatency", "./server:main.*.Mul"])
    rpcx.call(40)
    rc, out, err = t.stop()
    assert rc == 0, err
    assert f"Function = {MUL} [{rpcx.pid}]\n" in out
    hist = re.findall(r"^\s+\d+ -> \d+\s+: (\d+)\s+\|", out, re.M)
    assert sum(map(int, hist)) == 40, out
    assert re.search(r"^avg = \d+ nsecs, total: \d+ nsecs, count: 40$", out, re.M), out


def test_funcslower_stack_through_rpcx_to_goexit(rpcx, no_leftovers):
    """The article's `funcslower -UK`, with -u 0 so that every call is a row."""
    spec = f"./server:{MUL}"
    t = tool(rpcx, ["funcslower", "-UK", "-u", "0", spec])
    assert t.ready_line == "Tracing function calls slower than 0 us... Ctrl+C to quit."
    rpcx.call(8)
    rc, out, err = t.stop()
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[1] == "COMM           PID    LAT(us)             RVAL FUNC"
    rows = [i for i, l in enumerate(lines) if l.startswith("server ")]
    assert len(rows) == 8, out
    for i, end in zip(rows, rows[1:] + [len(lines)]):
        f = lines[i].split()
        assert (f[0], int(f[1]), f[3], f[4]) == ("server", rpcx.pid, "0", spec)
        assert float(f[2]) >= 0
        stack = [s.strip() for s in lines[i + 1 : end] if s.startswith("    ")]
        assert re.fullmatch(r"runtime\.call\d+(\.abi0)?", stack[0]), out
        assert re.fullmatch(r"runtime\.goexit(\.abi0)?", stack[-1]), out
        chain = ["reflect.Value.Call", RPCX + "(*service).call", RPCX + "(*Server).handleRequest"]
        at = [stack.index(fn) for fn in chain]
        assert at == sorted(at) and at[-1] < len(stack) - 1, out


def test_tcptracer_client_connection(rpcx, no_leftovers):
    t = tool(rpcx, ["tcptracer", "-4"])
    cpid = rpcx.call(2)  # a new client: one connection, two calls, close

    def ours():
        rows = [l.split() for l in output(t.proc).splitlines()[2:]]
        return [r for r in rows if len(r) == 8 and str(rpcx.port) in (r[6], r[7])]

    deadline = time.monotonic() + 10
    while len(ours()) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)  # the server's close follows the client's
    rc, out, err = t.stop()
    assert rc == 0, err
    rows = ours()
    assert len(rows) == 4, out
    cport = int(rows[0][6])
    assert rows == [
        ["C", str(cpid), "client", "4", "127.0.0.1", "127.0.0.1", str(cport), str(rpcx.port)],
        ["A", str(rpcx.pid), "server", "4", "127.0.0.1", "127.0.0.1", str(rpcx.port), str(cport)],
        ["X", str(cpid), "client", "4", "127.0.0.1", "127.0.0.1", str(cport), str(rpcx.port)],
        ["X", str(rpcx.pid), "server", "4", "127.0.0.1", "127.0.0.1", str(rpcx.port), str(cport)],
    ], out


def test_article_args_one_liner(rpcx, no_leftovers):
    t = lang(rpcx, 'uprobe:./server:main.*.Mul {printf("%s - %s: arg1: %d, arg2: %d\\n", '
                   "comm, func, arg0, arg1)}")
    rpcx.call(6)
    rc, out, err = t.stop()
    assert rc == 0, err
    # bpftrace 0.26's attach notice (the article's 0.17 printed "Attaching 1 probe..." on stdout)
    assert err.splitlines()[0] == "Attached 1 probe"
    assert [l for l in out.splitlines() if l] == ["server - main.(*Arith).Mul: arg1: 10, arg2: 20"] * 6


SYSV_ARGS = {"rdi": "arg0", "rsi": "arg1", "rdx": "arg2", "rcx": "arg3", "r8": "arg4", "r9": "arg5"}


def reply_offset(binary):
    """(offset, register): the instruction after Mul stores reply.C into *reply (Go passes
    reply in R8), and the register the value is still in. The article's build had +92, arg0."""
    dis = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", binary], capture_output=True, text=True, check=True
    ).stdout
    body = dis.split(f"<{MUL}>:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    addrs = [int(l.split(":")[0], 16) for l in body]
    store = next(i for i, l in enumerate(body) if re.search(r"\smov\s+%\w+,\(%r8\)$", l))
    reg = re.search(r"mov\s+%(\w+),", body[store]).group(1)
    return addrs[store + 1] - addrs[0], reg


def test_article_reply_offset_one_liner(rpcx, no_leftovers):
    off, reg = reply_offset(rpcx.dir / "server")
    arg = SYSV_ARGS.get(reg, f'reg("{reg}")')  # arg0 (RDI), as in the article, with Go 1.19-1.26
    t = lang(rpcx, f"uprobe:./server:main.*.Mul+{off} "
                   f'{{printf("%s - %s: reply: %d\\n", comm, func, {arg})}}')
    rpcx.call(5)
    rc, out, err = t.stop()
    assert rc == 0, err
    assert [l for l in out.splitlines() if l] == ["server - main.(*Arith).Mul: reply: 200"] * 5
