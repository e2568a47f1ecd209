"""stackcount: events counted by their stacks, exactly, in bcc's layout.

Targets whose events are known in number: rpcserver answers each rpcclient call with one
call of main.(*Arith).Mul, made through reflect (runtime.call64 calls it directly); a Python
child calls libc's getppid() N times through ctypes when told to, so the uprobe c:getppid and
the tracepoint syscalls:sys_enter_getppid each fire exactly N times in it. It can also call
os.getppid(), whose C implementation (os_getppid_impl in the python3 binary) is another
caller of the same libc function.
"""

import json
import os
import re
import subprocess

import pytest

from conftest import (TRACEKIT, collect, require_file, run_tracer, spawn, start_rpc_service,
                      wait_line)

GO = "/usr/local/go/bin/go"
MUL = "main.(*Arith).Mul"

CHILD = """
import ctypes, os, sys
libc = ctypes.CDLL("libc.so.6")
print("ready", os.getpid(), flush=True)
for line in sys.stdin:
    how, n = line.split()
    for _ in range(int(n)):
        libc.getppid() if how == "ctypes" else os.getppid()
    print("done", flush=True)
"""


def blocks(out):
    """bcc's blocks after the ready line: [(frames leaf first, who or None, count)]"""
    text = out.split("\n", 1)[1]
    assert text.startswith("\n") and text.endswith("Detaching...\n"), out
    res = []
    for block in filter(None, text[:-len("Detaching...\n")].strip("\n").split("\n\n")):
        lines = block.strip("\n").split("\n")
        count = re.fullmatch(r"    (\d+)", lines[-1])
        assert count, block
        who = re.fullmatch(r"    (.+) \[(\d+)\]", lines[-2]) if len(lines) > 1 else None
        frames = lines[:-2] if who else lines[:-1]
        assert all(re.fullmatch(r"  \S.*|    --", f) for f in frames), block
        res.append(([f.strip() for f in frames], who and (who[1], int(who[2])),
                    int(count[1])))
    return res


def stackcount(*args, **kw):
    return run_tracer(["stackcount", *map(str, args)], ready_regex=r"^Tracing \d+ ",
                      **kw)


@pytest.fixture
def child(procs):
    proc = spawn(["/usr/bin/python3", "-c", CHILD], stdin=subprocess.PIPE)
    proc.pid_ = int(wait_line(proc, r"^ready \d+").split()[1])
    return proc


def calls(proc, n, how="ctypes"):
    proc.stdin.write(f"{how} {n}\n".encode())
    proc.stdin.flush()
    wait_line(proc, r"^done$")


def test_go_method_exact_with_its_direct_caller(no_leftovers):
    svc = start_rpc_service()
    t = stackcount(f"{svc.bin}:{MUL}")
    assert t.ready_line == f'Tracing 1 functions for "{svc.bin}:{MUL}"... Hit Ctrl-C to end.'
    svc.call(25)
    rc, out, err = t.stop()
    assert rc == 0, err
    res = blocks(out)
    assert len(res) == 1, out
    frames, who, count = res[0]
    assert count == 25, out
    # the direct caller comes from [SP]: a frame-pointer walk at the entry skips it
    assert frames[0] == MUL and frames[1].startswith("runtime.call"), frames
    assert "reflect.Value.call" in frames and "runtime.goexit.abi0" == frames[-1], frames
    assert who == ("rpcserver", svc.pid), out


def test_go_stripped_folded_with_pid(no_leftovers):
    svc = start_rpc_service("rpcserver-stripped")
    t = stackcount("-f", "-p", svc.pid, f"{svc.bin}:{MUL}")
    svc.call(17)
    rc, out, err = t.stop()
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 1, out
    frames, count = lines[0].rsplit(" ", 1)
    frames = frames.split(";")
    assert int(count) == 17 and frames[0] == "rpcserver-strip", out  # comm: 15 bytes
    assert frames[-1] == MUL and frames[-2].startswith("runtime.call"), frames


def counted(child, args, *ns):
    """stackcount ARGS -p CHILD while the child makes ns calls: its blocks, whose counts
    must sum to the calls made."""
    t = stackcount(*args[:-1], "-p", child.pid_, args[-1])
    for n in ns:
        calls(child, n)
    rc, out, err = t.stop()
    assert rc == 0, err
    res = blocks(out)
    assert sum(c for _, _, c in res) == sum(ns), out
    return res


def test_uprobe_libc_exact(no_leftovers, child):
    res = counted(child, ["c:getppid"], 37)
    assert all(f[0] == "getppid" and who is None for f, who, _ in res), res  # -p: no who


def test_two_callers_exact(no_leftovers, child):
    """ctypes calls getppid from libffi, os.getppid() from the interpreter: two stacks whose
    frame 1, the direct caller put back from [SP] at the entry, is in each one's module
    (Debian's python3 has no symbols to name it by)."""
    t = stackcount("--json", "-p", child.pid_, "c:getppid")
    calls(child, 7)
    calls(child, 11, "os")
    rc, out, err = t.stop()
    assert rc == 0, err
    by_caller = {}
    for r in map(json.loads, out.splitlines()):
        assert r["ustack"][0]["func"] == "getppid", r
        mod = os.path.basename(r["ustack"][1]["module"] or "?")
        by_caller[mod] = by_caller.get(mod, 0) + r["value"]
    ffi = [m for m in by_caller if m.startswith("libffi")]
    py = [m for m in by_caller if m.startswith("python3")]
    assert len(ffi) == 1 and len(py) == 1 and len(by_caller) == 2, by_caller
    assert by_caller[ffi[0]] == 7 and by_caller[py[0]] == 11, by_caller


def test_tracepoint_exact_kernel_and_user(no_leftovers, child):
    res = counted(child, ["-d", "t:syscalls:sys_enter_getppid"], 41, 2)
    for frames, _, _ in res:
        k, u = frames[:frames.index("--")], frames[frames.index("--") + 1:]
        assert "do_syscall_64" in k and u[0] == "getppid", frames


def test_user_and_kernel_only(no_leftovers, child):
    for flag, want in [("-U", "getppid"), ("-K", "do_syscall_64")]:
        for frames, _, _ in counted(child, [flag, "t:syscalls:sys_enter_getppid"], 9):
            assert want in frames, (flag, frames)
            assert ("getppid" in frames) == (flag == "-U"), (flag, frames)


def test_cpu_filter(no_leftovers, child):
    """-c: the child runs on CPU 1 only; -c 0 sees none of its calls, -c 1 all."""
    os.sched_setaffinity(child.pid_, {1})
    t0 = stackcount("-c", 0, "-p", child.pid_, "c:getppid")
    t1 = stackcount("-c", 1, "-p", child.pid_, "c:getppid")
    calls(child, 6)
    (rc0, out0, err0), (rc1, out1, err1) = t0.stop(), t1.stop()
    assert rc0 == 0 and rc1 == 0, err0 + err1
    assert blocks(out0) == [], out0
    assert sum(c for _, _, c in blocks(out1)) == 6, out1


def test_interval_counts_since_last(no_leftovers, child):
    t = stackcount("-i", 1, "-p", child.pid_, "c:getppid")
    calls(child, 5)
    wait_line(t.proc, r"^    5$", timeout=5)
    calls(child, 3)
    wait_line(t.proc, r"^    3$", timeout=5)
    rc, out, err = t.stop()
    assert rc == 0, err


def test_json_and_pprof(no_leftovers, child, tmp_path):
    pb = tmp_path / "sc.pb.gz"
    t = stackcount("--json", "--pprof", pb, "-p", child.pid_, "c:getppid")
    calls(child, 12)
    rc, out, err = t.stop()
    assert rc == 0, err
    recs = [json.loads(l) for l in out.splitlines()]
    assert sum(r["value"] for r in recs) == 12, out
    assert all(r["ustack"][0]["func"] == "getppid" and r["pid"] == child.pid_ for r in recs)
    require_file(GO, "Go is needed for `go tool pprof`")
    top = subprocess.run([GO, "tool", "pprof", "-top", pb], capture_output=True, text=True,
                         timeout=60)
    assert top.returncode == 0, top.stderr
    assert re.search(r"^\s+12\s+100%.* getppid$", top.stdout, re.M), top.stdout


def test_errors(no_leftovers):
    for args, msg in [
        (["vfs_read"], "use tracepoints"),
        (["-K", "-U", "c:getppid"], "not allowed with argument"),
        (["c:no_such_function_tk"], "no_such_function_tk"),
        (["c:getppid", "c:getpid"], "one pattern"),
        (["-p", "999999", "c:getppid"], "no process with PID 999999"),
    ]:
        p = spawn([TRACEKIT, "stackcount", *args])
        rc, out, err = collect(p, 20)
        assert rc != 0 and out == "", (args, out, err)
        # one line, or argparse's usage and then its one-line error
        assert msg in err.strip().splitlines()[-1], (args, err)
        assert len(err.strip().splitlines()) == 1 or err.startswith("usage:"), (args, err)


def test_exited_process_keeps_its_frames(no_leftovers):
    """-p: the process's memory map is read at the start, so a process that exits before
    the summary still gets its user frames (resolved through the binary's own path)."""
    binary = require_file(os.path.join(os.path.dirname(__file__), "..", "targets", "bin",
                                       "gostress"), "make targets")
    proc = spawn([binary, "-mode", "leaf", "-n", "33", "-g", "1", "-wait-stdin"],
                 stdin=subprocess.PIPE)
    wait_line(proc, r"^ready$")
    t = stackcount("-p", proc.pid, f"{binary}:main.f")
    proc.stdin.write(b"\n")
    proc.stdin.flush()
    wait_line(proc, r"^calls=33$")
    assert proc.wait(timeout=10) == 0
    rc, out, err = t.stop()
    assert rc == 0, err
    res = blocks(out)
    assert sum(c for _, _, c in res) == 33, out
    for frames, who, count in res:
        assert frames[0] == "main.f" and "[unknown]" not in frames[:2], out
