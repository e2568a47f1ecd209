"""funccount, funclatency and funcslower on real processes: exact counts, Go safety, exits.

Every test traces programs it starts itself (tests/targets) and checks numbers the program
reports about itself: calls made == calls counted.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import (count_rows, GO_VERSIONS, TRACEKIT, TARGETS, collect, fresh_boot, run_tracer, spawn,
                      start_rpc_service,
                      target, wait_line)

pytestmark = pytest.mark.usefixtures("no_leftovers")

CPROGS = ["cprog-gcc", "cprog-gcc-pie", "cprog-clang", "cprog-clang-pie"]


def run_target(argv, timeout=120):
    """Run a target to completion; return its stdout (fails the test on rc != 0)."""
    p = spawn([str(a) for a in argv])
    rc, out, err = collect(p, timeout)
    assert rc == 0, f"{argv} failed rc={rc}\n{out}\n{err}"
    return out




def hist_total(out):
    """count from funclatency's avg line, and the sum of its histogram rows."""
    m = re.search(r"^avg = \d+ \w+, total: \d+ \w+, count: (\d+)$", out, re.M)
    rows = sum(int(x) for x in re.findall(r"^\s*\d+ -> \d+\s+: (\d+)\s+\|", out, re.M))
    return (int(m.group(1)) if m else None), rows


def rows_from(out, low):
    """Calls counted in histogram rows whose lower bound is >= low."""
    return sum(int(c) for lo, c in re.findall(r"^\s*(\d+) -> \d+\s+: (\d+)\s+\|", out, re.M)
               if int(lo) >= low)


def tk(*args):
    return subprocess.run([str(TRACEKIT), *map(str, args)], capture_output=True, text=True,
                          timeout=60)


# ---- funccount ---------------------------------------------------------------------------

@pytest.mark.parametrize("prog", CPROGS)
def test_funccount_c_exact(prog):
    binary = target(prog)
    nm = subprocess.run(["nm", binary], capture_output=True, text=True).stdout
    nfuncs = len(re.findall(r" [tT] tk_", nm))
    t = run_tracer(["funccount", f"{binary}:tk_*"])
    assert t.ready_line == f'Tracing {nfuncs} functions for "{binary}:tk_*"... Hit Ctrl-C to end.'
    out = run_target([binary, 4321, 1, 3])
    assert "calls=4321 slow=3" in out
    rc, out, err = t.stop()
    assert rc == 0, err
    rows = count_rows(out)
    assert rows["tk_add"] == 4321 and rows["tk_slow"] == 3, out
    lines = out.splitlines()
    assert "FUNC                                    COUNT" in lines
    assert lines[-1] == "Detaching..."
    # bcc's order: ascending by count
    table = lines[lines.index("FUNC                                    COUNT") + 1:-1]
    counts = [int(l.split()[-1]) for l in table]
    assert counts == sorted(counts)


def test_funccount_recursion_counts_every_frame():
    binary = target("cprog-gcc")
    t = run_tracer(["funccount", f"{binary}:tk_recurse"])
    run_target([binary, "-recurse", 50, 1])
    rc, out, _ = t.stop()
    assert count_rows(out).get("tk_recurse") == 51, out


def test_funccount_shared_library_by_path_and_by_name_with_pid():
    lib = target("libtkdemo.so")
    t = run_tracer(["funccount", f"{lib}:tk_lib_*"])
    run_target([target("cprog-lib"), 777])
    rc, out, _ = t.stop()
    assert count_rows(out).get("tk_lib_call") == 777, out

    # A library name, found through /proc/PID/maps of a running process.
    p = spawn([target("cprog-lib"), "-wait-stdin", 555], stdin=subprocess.PIPE)
    wait_line(p, "ready")
    t = run_tracer(["funccount", "-p", p.pid, "tkdemo:tk_lib_call"])
    p.stdin.write(b"\n")
    p.stdin.flush()
    rc, out, err = t.wait(60)  # ends when the -p process exits
    assert rc == 0, err
    assert count_rows(out).get("tk_lib_call") == 555, out
    assert "Detaching..." in out


def test_funccount_libc_by_name():
    t = run_tracer(["funccount", "c:nanosleep"])
    run_target([target("cprog-gcc"), 1, 1, 4])
    rc, out, _ = t.stop()
    # other processes may sleep too: at least ours
    assert count_rows(out).get("nanosleep", 0) >= 4, out


def test_funccount_go_rpc_exact(rpc_service):
    t = run_tracer(["funccount", "-p", rpc_service.pid, f"{rpc_service.bin}:main.*.Mul"])
    assert t.ready_line.startswith('Tracing 1 functions for "')
    rpc_service.call(300)
    rpc_service.call(3, a=-2, b=5)  # slow path: goes through the stack check too
    rc, out, _ = t.stop()
    assert count_rows(out) == {"main.(*Arith).Mul": 303}, out


@pytest.mark.parametrize("binary", ["rpcserver-stripped", "rpcserver-pie",
                                    "rpcserver-pie-stripped"])
def test_funccount_go_stripped_and_pie(binary):
    svc = start_rpc_service(binary)
    t = run_tracer(["funccount", "-p", svc.pid, f"{svc.bin}:main.*.Mul"])
    svc.call(120)
    rc, out, _ = t.stop()
    assert count_rows(out) == {"main.(*Arith).Mul": 120}, out


@pytest.mark.parametrize("mode", ["big", "grow", "yield", "sleep"])
def test_funccount_go_prologue_reentry_counted_once(mode):
    """morestack re-enters at +0; the probe on the JBE counts only real entries."""
    binary = target("gostress")
    t = run_tracer(["funccount", f"{binary}:main.f"])
    out = run_target([binary, "-mode", mode, "-n", 2000, "-g", 8])
    calls = int(re.search(r"calls=(\d+)", out).group(1))
    rc, tout, _ = t.stop()
    assert count_rows(tout).get("main.f") == calls, tout


# The Go <= 1.20 of the version matrix: its runtime.gcWriteBarrierR8 starts with REX.B 0x90.
GO_REX_B = next((v for v in GO_VERSIONS if int(v.split(".")[1]) <= 20), None)


@pytest.mark.parametrize("version", ["", GO_REX_B], ids=["default", str(GO_REX_B)])
def test_funccount_runtime_glob_uprobe_multi(version):
    """Every runtime function of a running service at once: a site the kernel refuses
    (Go 1.26's size-0 runtime.etext on int3 padding, `lock`-prefixed atomics that the glob's
    bcc reading adds, REX.B xchg) would fail the whole uprobe_multi link."""
    assert GO_REX_B, f"no Go <= 1.20 in the version matrix {GO_VERSIONS}"
    rpc_service = start_rpc_service(f"{version}/rpcserver" if version else "rpcserver")
    t = run_tracer(["funccount", f"{rpc_service.bin}:runtime.*"], timeout=30)
    n = int(re.search(r"Tracing (\d+) functions", t.ready_line).group(1))
    assert n > 1000
    rpc_service.call(50)
    rc, out, err = t.stop(timeout=30)
    assert rc == 0, err
    rows = count_rows(out)
    assert rows.get("runtime.mallocgc", 0) > 0, out
    # the REX.B xchg write barrier (Go <= 1.20) is refused, and said so
    assert "runtime.gcWriteBarrierR8" not in rows
    assert "skipped" in err
    # and the service survived all of it
    rpc_service.call(10)


def test_funccount_refuses_rex_b_xchg_site():
    assert GO_REX_B, f"no Go <= 1.20 in the version matrix {GO_VERSIONS}"
    r = tk("funccount", "-d", 1, f"{target(GO_REX_B + '/rpcserver')}:runtime.gcWriteBarrierR8")
    assert r.returncode != 0
    assert "can be probed safely" in r.stderr and len(r.stderr.splitlines()) == 1


def test_funccount_pid_filter():
    a = start_rpc_service()
    b = start_rpc_service()
    t = run_tracer(["funccount", "-p", a.pid, f"{a.bin}:main.*.Mul"])
    a.call(40)
    b.call(70)
    rc, out, _ = t.stop()
    assert count_rows(out) == {"main.(*Arith).Mul": 40}, out


def test_funccount_interval_timestamp_and_duration(rpc_service):
    t = run_tracer(["funccount", "-T", "-i", 1, "-d", 2, "-p", rpc_service.pid,
                       f"{rpc_service.bin}:main.*.Mul"])
    rpc_service.call(25)
    rc, out, err = t.wait(30)
    assert rc == 0, err
    assert len(re.findall(r"^\d\d:\d\d:\d\d$", out, re.M)) == 2, out
    assert out.count("FUNC                                    COUNT") == 2
    total = sum(int(x) for x in re.findall(r"^main\.\(\*Arith\)\.Mul\s+(\d+)$", out, re.M))
    assert total == 25
    assert out.splitlines()[-1] == "Detaching..."


def test_funccount_json(rpc_service):
    t = run_tracer(["funccount", "--json", "-p", rpc_service.pid, f"{rpc_service.bin}:main.*.Mul"])
    rpc_service.call(11)
    rc, out, _ = t.stop()
    objs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    assert objs[-1]["counts"] == [{"func": "main.(*Arith).Mul", "count": 11}]


def test_funccount_tracepoint_with_pid():
    p = spawn([target("cprog-gcc"), "-wait-stdin", 1, 1, 6], stdin=subprocess.PIPE)
    wait_line(p, "ready")
    t = run_tracer(["funccount", "-p", p.pid, "t:syscalls:sys_enter_*nanosleep"])
    assert re.match(r'Tracing \d+ functions for "t:syscalls:sys_enter_\*nanosleep"',
                    t.ready_line)
    p.stdin.write(b"\n")
    p.stdin.flush()
    rc, out, _ = t.wait(60)
    rows = count_rows(out)
    assert sum(rows.values()) == 6, out
    assert all(k.startswith("syscalls:sys_enter_") for k in rows)


def test_funccount_kernel_functions_say_why():
    r = tk("funccount", "vfs_*")
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1
    assert "tracepoint" in r.stderr


@pytest.mark.parametrize("args,msg", [
    (["/nonexistent/bin:foo"], "no such file"),
    (["/etc/passwd:foo"], "not an x86-64 ELF"),
    ([f"{TARGETS}/cprog-gcc:no_such_function_*"], "no function"),
    (["-p", "999999", f"{TARGETS}/cprog-gcc:tk_add"], "no process with PID 999999"),
    (["-r", f"{TARGETS}/cprog-gcc:tk_(add"], "bad regular expression"),
    (["u:c:probe"], "USDT"),
    (["-d", "x", "c:malloc"], "funccount: error: argument -d: invalid int value: 'x'"),
    (["t:nosuchcat:nosuchevent"], "no tracepoint matches"),
    (["no_such_library_xyz:foo"], "no such library"),
    ([], "funccount: error: the following arguments are required: pattern"),
])
def test_funccount_bad_input_one_line(args, msg):
    """One line; a wrong command line (exit 2) is bcc's usage block and that line."""
    r = tk("funccount", *args)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert lines and msg in lines[-1], r.stderr
    if r.returncode == 2:
        assert lines[0].startswith("usage: funccount ") and len(lines) == 3, r.stderr
    else:
        assert len(lines) == 1, r.stderr


def test_funccount_sigterm_and_target_exit_leave_nothing(rpc_service):
    t = run_tracer(["funccount", f"{rpc_service.bin}:runtime.s*"], timeout=30)
    rpc_service.call(5)
    rc, out, _ = t.stop(sig=signal.SIGTERM, timeout=30)
    assert rc == 0 and "Detaching..." in out
    t = run_tracer(["funccount", "-p", rpc_service.pid, f"{rpc_service.bin}:main.*.Mul"])
    rpc_service.call(9)
    rpc_service.stop()
    rc, out, err = t.wait(30)
    assert rc == 0 and count_rows(out) == {"main.(*Arith).Mul": 9}, out + err


# ---- funclatency -------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["grow", "sleep", "yield", "big", "mix"])
def test_funclatency_go_total_equals_calls_and_target_lives(mode):
    """Stack growth, blocking and thread migration inside the traced function."""
    binary = target("gostress")
    t = run_tracer(["funclatency", f"{binary}:main.f"])
    out = run_target([binary, "-mode", mode, "-n", 1500, "-g", 8])
    calls = int(re.search(r"calls=(\d+)", out).group(1))
    rc, tout, err = t.stop()
    assert rc == 0, err
    count, rows = hist_total(tout)
    assert count == calls and rows == calls, tout
    assert re.search(r"^Function = main\.f \[\d+\]$", tout, re.M)
    assert "     nsecs               : count     distribution" in tout


def test_funclatency_go_stripped_pid_units(rpc_service):
    svc = start_rpc_service("rpcserver-pie-stripped")
    t = run_tracer(["funclatency", "-u", "-p", svc.pid, f"{svc.bin}:main.*.Mul"])
    svc.call(40)
    svc.call(4, a=-3, b=1)  # 3 ms each: the [2048, 4095] us row
    rc, out, _ = t.stop()
    count, rows = hist_total(out)
    assert count == 44 and rows == 44, out
    assert "     usecs               : count     distribution" in out
    # a 3 ms sleep lasts at least 3 ms: 4 calls at or above the [2048, 4095] us row
    assert rows_from(out, 2048) == 4, out
    assert "Function =" not in out  # -p without -F: one histogram, as bcc


def test_funclatency_c_uretprobe_and_per_function():
    binary = target("cprog-clang-pie")
    t = run_tracer(["funclatency", "-m", "-F", "-r", f"{binary}:^tk_(add|slow)$"])
    run_target([binary, 100, 2, 5])
    rc, out, _ = t.stop()
    sections = re.split(r"^Function = ", out, flags=re.M)[1:]
    names = {s.split(" [")[0]: hist_total(s)[1] for s in sections}
    assert names == {"tk_add": 100, "tk_slow": 5}, out
    slow = [sec for sec in sections if sec.startswith("tk_slow")][0]
    assert rows_from(slow, 2) == 5, out  # 2 ms sleeps: nothing below the [2, 3] ms row


def test_funclatency_interval_json(rpc_service):
    t = run_tracer(["funclatency", "--json", "-i", 1, "-d", 2, "-p", rpc_service.pid,
                       f"{rpc_service.bin}:main.*.Mul"])
    rpc_service.call(30)
    rc, out, err = t.wait(30)
    objs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    assert len(objs) == 2
    assert sum(h["count"] for o in objs for h in o["histograms"]) == 30


# ---- funcslower --------------------------------------------------------------------------

def test_funcslower_catches_exactly_the_slow_calls_with_go_stacks(rpc_service):
    spec = f"{rpc_service.bin}:main.(*Arith).Mul"
    t = run_tracer(["funcslower", "-U", "-m", 2, "-p", rpc_service.pid, spec])
    assert t.ready_line == "Tracing function calls slower than 2 ms... Ctrl+C to quit."
    wait_line(t.proc, r"^COMM\s+PID\s+LAT\(ms\)\s+RVAL FUNC$")
    rpc_service.call(50)
    rpc_service.call(3, a=-4, b=5)  # 4 ms each
    rpc_service.call(50)
    rc, out, _ = t.stop()
    rows = [l for l in out.splitlines() if re.match(r"^rpcserver\s+\d+", l)]
    assert len(rows) == 3, out
    for r in rows:
        f = r.split()
        assert int(f[1]) == rpc_service.pid and float(f[2]) >= 4.0 and f[3] == "0"
        assert f[4] == spec
    # the immediate caller is present (frame the frame-pointer walk misses at a RET)
    stack = out.split(rows[0])[1].splitlines()[1:5]
    assert [s.strip() for s in stack[:4]] == ["runtime.call64.abi0", "runtime.reflectcall",
                                            "reflect.Value.call", "reflect.Value.Call"], out


def test_funcslower_c_args_json_and_escaped_comm(tmp_path):
    # a program whose comm carries an escape sequence: it must not reach the terminal raw
    odd = tmp_path / "ev\x1bil"
    shutil.copy(target("cprog-gcc"), odd)
    t = run_tracer(["funcslower", "-u", 500, "-a", 1, f"{odd}:tk_slow"])
    run_target([odd, 1, 1, 2])
    rc, out, _ = t.stop()
    rows = [l for l in out.splitlines() if l.startswith("ev")]
    assert len(rows) == 2 and all(r.startswith("ev\\eil ") for r in rows), out
    assert "\x1b" not in out
    assert all(r.split()[3] == "1" and r.endswith(" 0x1") for r in rows)  # RVAL, ARGS

    t = run_tracer(["funcslower", "--json", "-m", 1, f"{target('cprog-gcc')}:tk_slow"])
    run_target([target("cprog-gcc"), 1, 2, 2])
    rc, out, _ = t.stop()
    evs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    assert len(evs) == 2 and all(e["retval"] == 2 and e["lat_ns"] >= 2e6 for e in evs)


# ---- environment -------------------------------------------------------------------------

def test_unprivileged_user_gets_one_line():
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed"
    r = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                        "--inh-caps=-all", "--bounding-set=-all", str(TRACEKIT), "funccount",
                        f"{TARGETS}/cprog-gcc:tk_add"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "permission denied" in lines[0], r.stderr


def test_tracefs_is_mounted_when_missing():
    """In a private mount namespace without tracefs, funccount mounts it itself."""
    argv = fresh_boot([TRACEKIT, "funccount", "-d", "1", "t:syscalls:sys_enter_nanosleep"])
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'Tracing 1 functions for "t:syscalls:sys_enter_nanosleep"' in r.stdout


def test_tool_symlink_dispatch(tmp_path):
    """`make install` links every tool to tracekit; argv[0] picks the tool."""
    link = tmp_path / "funccount"
    link.symlink_to(TRACEKIT)
    r = subprocess.run([str(link), "-h"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and r.stdout.startswith("usage: funccount ")


def test_funccount_article_gc_pattern_bcc_reading(rpc_service):
    """The article's 'runtime.*.gc*' relies on bcc reading '.' as any character: the tools
    take what the glob matches (Go 1.26 has a few runtime.X.gcY) and what bcc's reading
    adds, and say how many came from the latter."""
    t = run_tracer(["funccount", "-p", rpc_service.pid, f"{rpc_service.bin}:runtime.*.gc*"],
                   timeout=30)
    rpc_service.call(200)
    rc, out, err = t.stop(timeout=30)
    m = re.search(r"(\d+) function\(s\) of '.*' matched only as bcc reads the pattern", err)
    assert rc == 0 and m and int(m.group(1)) > 0, err
    rows = count_rows(out)
    assert rows.get("runtime.mallocgc", 0) > 0, out
    assert all(re.match(r"^runtime\..*.gc", k) for k in rows), rows


def test_funcslower_duration_ends_by_itself(rpc_service):
    t = run_tracer(["funcslower", "-d", 1, "-p", rpc_service.pid,
                    f"{rpc_service.bin}:main.(*Arith).Mul"])
    rc, out, err = t.wait(30)
    assert rc == 0, err


def _run_on_pty(argv, timeout=60):
    """argv with stderr on a pseudo-terminal (stdout a pipe): (exit status, stdout, stderr)."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([str(a) for a in argv], stdout=subprocess.PIPE, stderr=slave,
                         stdin=subprocess.DEVNULL)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    out = p.stdout.read().decode()
    return p.wait(timeout=timeout), out, err.decode(errors="replace")


def test_long_attach_shows_progress_on_a_terminal_only(no_leftovers):
    """Thousands of uprobes: on a terminal's stderr a line counts them in as they attach and is
    erased before the ready line; with stderr not a terminal, nothing of it."""
    binary = TARGETS / "rpcserver"
    argv = [TRACEKIT, "funccount", "-d", "1", f"{binary}:*"]
    rc, out, err = _run_on_pty(argv)
    assert rc == 0, err
    counts = [int(n) for n in re.findall(r"\rattaching probes: (\d+)", err)]
    nfuncs = int(re.search(r"Tracing (\d+) functions", out).group(1))
    assert nfuncs > 4096 and counts, err
    assert counts == sorted(counts) and counts[0] >= 4096 and counts[-1] <= nfuncs
    # erased once all are in (tool_run() does it before the ready line)
    assert err.index("\r\x1b[K") > err.rindex("\rattaching probes: ")
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "attaching probes" not in r.stderr and "\x1b" not in r.stderr
