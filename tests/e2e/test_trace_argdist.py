"""trace and argdist (bcc's multi-tools, made as programs of the language) on real processes.

Every test traces programs it starts itself and checks what they are known to do: cprog's
tk_add(sink, n) returns 0 + 1 + ... + n, rpcclient makes N calls of Arith.Mul with A and B,
a Python child writes N times 7 bytes.
"""

import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import BPFTRACE_NOTIFY, TRACEKIT, collect, run_tracer, spawn, target
from prom import metrics_addr, promtool_check

pytestmark = pytest.mark.usefixtures("no_leftovers")

TRACE_HEADER = r"^PID\s+TID\s+COMM\s+FUNC"
MUL = "main.(*Arith).Mul"
# Arith.Mul's Go signature in registers: receiver, ctx (two words), A, B, reply
MUL_SIG = "(void *t, void *c1, void *c2, long a, long b)"


def run_target(argv, timeout=60):
    p = spawn([str(a) for a in argv])
    rc, out, err = collect(p, timeout)
    assert rc == 0, f"{argv} failed rc={rc}\n{out}\n{err}"
    return p.pid, out


def rows(text):
    """trace's event rows: (pid, tid, comm, func, msg)."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$", line)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), m.group(5)))
    return out


def wait_rows(tracer, want, pred=lambda r: True, timeout=10):
    """Rows that match pred once there are `want` of them (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while True:
        got = [r for r in rows(tracer.output()) if pred(r)]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def wait_rows_t(tracer, want, timeout=10):
    """Rows after a HH:MM:SS column."""
    deadline = time.monotonic() + timeout
    while True:
        got = [l for l in tracer.output().splitlines() if re.match(r"^\d\d:\d\d:\d\d ", l)]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def tk(*args, timeout=60):
    return subprocess.run([str(TRACEKIT), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


# ---- trace --------------------------------------------------------------------------------

def test_trace_c_returns_exact():
    """r: prints exactly one row per return, with the values tk_add returned."""
    prog, n = target("cprog-gcc"), 25
    t = run_tracer(["trace", f'r:{prog}:tk_add "%d", retval'], ready_regex=TRACE_HEADER)
    assert re.match(r"^PID {5}TID {5}COMM {12}FUNC {13}-$", t.ready_line), t.ready_line
    pid, out = run_target([prog, n])
    assert out.strip() == f"calls={n} slow=0"
    wait_rows(t, n, lambda r: r[0] == pid)
    time.sleep(0.3)
    rc, text, err = t.stop()
    assert rc == 0, err
    mine = [r for r in rows(text) if r[0] == pid]
    assert len(mine) == n, text
    assert [int(r[4]) for r in mine] == [k * (k + 1) // 2 for k in range(n)]
    assert all(r[1] == pid and r[2] == "cprog-gcc" and r[3] == "tk_add" for r in mine)
    # bcc's columns: "%-7d %-7d %-15s %-16s %s"
    line = next(l for l in text.splitlines() if l.startswith(f"{pid} "))
    assert line == f"{pid:<7d} {pid:<7d} {'cprog-gcc':<15s} {'tk_add':<16s} 0"


def test_trace_c_args_predicate_and_max_events():
    """p: with a predicate on arg2 and two arguments; -M stops after that many rows."""
    prog, n = target("cprog-gcc"), 15
    t = run_tracer(["trace", "-M", "3", f'p:{prog}:tk_add (arg2 >= 10) "a=%d b=%d", arg1, arg2'],
                   ready_regex=TRACE_HEADER)
    pid, _ = run_target([prog, n])
    rc, text, err = t.wait(timeout=20)  # -M 3 ends the run by itself
    assert rc == 0, err
    mine = [r[4] for r in rows(text) if r[0] == pid]
    assert mine == [f"a={sum(range(b))} b={b}" for b in (10, 11, 12)], text
    assert len(rows(text)) == 3


def test_trace_json():
    """--json: one object per event; the ready line goes to stderr."""
    prog = target("cprog-gcc")
    t = run_tracer(["trace", "--json", "-M", "2", f'r:{prog}:tk_add "%d", retval'],
                   ready_regex="Tracing")
    pid, _ = run_target([prog, 4])
    rc, text, err = t.wait(timeout=20)
    assert rc == 0, err
    recs = [json.loads(l) for l in text.splitlines()]
    assert [(r["pid"], r["tid"], r["comm"], r["func"], r["msg"]) for r in recs] == \
        [(pid, pid, "cprog-gcc", "tk_add", "0"), (pid, pid, "cprog-gcc", "tk_add", "1")]
    assert recs[0]["time"] <= recs[1]["time"]


def test_trace_go_args_and_returns(rpc_service):
    """On Go code arg4/arg5 are Go's 4th and 5th register arguments (A and B of Arith.Mul),
    and r: probes the RETs (the server keeps running, unlike with a uretprobe)."""
    svc, n = rpc_service, 6
    t = run_tracer(["trace", "-p", svc.pid, f'p:{svc.bin}:{MUL} "A=%d B=%d", arg4, arg5',
                    f'r:{svc.bin}:{MUL} "err=%d", retval'], ready_regex=TRACE_HEADER)
    svc.call(n, a=6, b=7)
    wait_rows(t, 2 * n)
    rc, text, err = t.stop()
    assert rc == 0, err
    got = rows(text)
    assert all(r[0] == svc.pid and r[2] == "rpcserver" and r[3] == MUL for r in got), text
    msgs = [r[4] for r in got]
    assert msgs.count("A=6 B=7") == n and msgs.count("err=0") == n and len(msgs) == 2 * n, text
    assert svc.stop() == n


def test_trace_tracepoint_field_and_filters():
    """t: with args->field; -n (comm) and -f (message) filters; -T adds bcc's TIME column."""
    prog = target("cprog-gcc")
    t = run_tracer(["trace", "-T", "-n", "cprog", "-f", str(prog),
                    't:sched:sched_process_exec "exec %s", args->filename'],
                   ready_regex=r"^TIME\s+PID\s+TID")
    pid, _ = run_target([prog, 1])
    wait_rows_t(t, 1)
    rc, text, err = t.stop()
    assert rc == 0, err
    lines = [l for l in text.splitlines() if re.match(r"^\d\d:\d\d:\d\d ", l)]
    assert len(lines) == 1, text
    f = lines[0].split(None, 5)
    assert f[1:5] == [str(pid), str(pid), "cprog-gcc", "sched_process_exec"], lines
    assert f[5] == f"exec {prog}"


@pytest.mark.parametrize("args,msg", [
    (["x:c:write"], "probe type must be"),
    (['p:c:write "%d %d", arg3'], "more conversions than arguments"),
    (["p:c:tk_no_such_function_xyz"], "no function"),
    (["p:c:write (arg1 >"], "unmatched end of predicate"),
    (["p:c:write (no_such_name > 1)"], "no_such_name"),
    (['p:c:write "%q", arg1'], "unrecognized format specifier"),
])
def test_trace_errors(args, msg):
    r = tk("trace", *args)
    assert r.returncode != 0
    assert msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stdout == ""


def test_trace_usage():
    r = tk("trace")
    assert r.returncode == 2 and "probe" in r.stderr


# ---- argdist ------------------------------------------------------------------------------

def test_argdist_counts_writes_of_7_bytes():
    """-C on libc's write: a child's N writes of 7 bytes counted exactly (-p: its writes only;
    the run ends with the child, with a last summary)."""
    n = 9
    child = spawn([sys.executable, "-c",
                   "import os, sys\nsys.stdin.readline()\n"
                   f"for _ in range({n}): os.write(1, b'abcdef\\n')\n"],
                  stdin=subprocess.PIPE)
    spec = "p:c:write(int fd, const void *buf, size_t count):size_t:count"
    t = run_tracer(["argdist", "-p", child.pid, "-i", "30", "-C", spec],
                   ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"})
    child.stdin.write(b"go\n")
    child.stdin.close()
    rc, _, _ = collect(child)
    assert rc == 0
    rc, text, err = t.wait(timeout=20)
    assert rc == 0, err
    assert re.search(r"^\[\d\d:\d\d:\d\d\]$", text, re.M), text
    assert f"{spec}\n\tCOUNT      EVENT\n" in text
    assert f"\t{n:<10d} count = 7\n" in text, text


def test_argdist_metrics():
    """--metrics: a -C specifier's counts as a counter labelled by its expression, and a
    $latency histogram in seconds; the child's 7-byte writes counted exactly."""
    n, addr = 5, metrics_addr()
    child = spawn([sys.executable, "-c",
                   "import os, sys\nsys.stdin.readline()\n"
                   f"for _ in range({n}): os.write(1, b'abcdef\\n')\n"
                   "sys.stdin.readline()\n"], stdin=subprocess.PIPE)
    t = run_tracer(["argdist", "-p", child.pid, "-i", "30", "--metrics", addr,
                    "-C", "p:c:write(int fd, const void *buf, size_t count):size_t:count",
                    "-H", "r:c:write():u64:$latency"],
                   ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"})
    child.stdin.write(b"go\n")
    child.stdin.flush()
    want = f'tracekit_argdist_write_total{{count="7"}} {n}'
    deadline = time.monotonic() + 10
    while True:
        with urllib.request.urlopen(f"http://{addr}/metrics", timeout=10) as r:
            body = r.read().decode()
        if want in body.splitlines() or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert want in body.splitlines(), body
    assert f"tracekit_argdist_write_1_seconds_count {n}" in body.splitlines(), body
    ok, out = promtool_check(body)
    assert ok, out
    child.stdin.write(b"end\n")
    child.stdin.close()
    assert collect(child)[0] == 0
    rc, text, err = t.wait(timeout=20)
    assert rc == 0, err
    assert f"\t{n:<10d} count = 7\n" in text, text


def test_trace_refuses_metrics():
    r = tk("trace", "--metrics", "127.0.0.1:1", "p:c:write")
    assert r.returncode == 2 and "counts nothing" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_argdist_go_histogram_and_retval(rpc_service):
    """-H of a Go argument (A, Go's 4th register) and -C of a Go return value (RET probes)."""
    svc, n = rpc_service, 6
    t = run_tracer(["argdist", "-c", "-i", "30", "-p", svc.pid,
                    "-H", f"p:{svc.bin}:{MUL}{MUL_SIG}:long:a",
                    "-C", f"r:{svc.bin}:{MUL}()",
                    "-C", f"r:{svc.bin}:{MUL}{MUL_SIG}:long:$entry(b)#B at return"],
                   ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"})
    svc.call(n, a=40, b=3)
    assert svc.stop() == n  # the server ends, and with it the run (-p)
    rc, text, err = t.wait(timeout=20)
    assert rc == 0, err
    assert re.search(r"^\s+a\s+: count\s+distribution$", text, re.M), text
    hist = {int(lo): int(c) for lo, c in re.findall(r"^\s*(\d+) -> \d+\s+: (\d+)", text, re.M)}
    assert hist[32] == n and sum(hist.values()) == n, text
    assert f"\t{n:<10d} retval = 0\n" in text, text
    assert f"B at return\n\tCOUNT      EVENT\n\t{n:<10d} b = 3\n" in text, text


def test_argdist_interval_count_stops():
    """-i 1 -n 2: two summaries, then the run ends by itself."""
    t = run_tracer(["argdist", "-i", "1", "-n", "2", "-C", "p:c:getppid()"],
                   ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"})
    rc, text, err = t.wait(timeout=20)
    assert rc == 0, err
    assert len(re.findall(r"^\[\d\d:\d\d:\d\d\]$", text, re.M)) == 2, text
    assert text.count("p:c:getppid()\n\tCOUNT      EVENT\n") == 2


@pytest.mark.parametrize("args,msg", [
    (["-C", "x:c:write()"], "probe type must be"),
    (["-C", "p:c:write"], "function signature"),
    (["-C", "p:c"], "at least the probe type"),
    (["-H", "p:c:write()"], "histograms must have expr"),
    (["-C", "p:c:write(int fd):int,int:fd"], "mismatched # of exprs and types"),
    (["-C", "p:c:write(int fd):struct x:fd"], "unsupported type"),
    (["-C", "r:c:write():int:$entry(fd)"], "unknown variable"),
    ([], "at least one specifier"),
])
def test_argdist_errors(args, msg):
    r = tk("argdist", *args)
    assert r.returncode != 0
    assert msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stdout == ""
