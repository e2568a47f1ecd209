"""The test targets work untraced, so a traced failure is the tracer's fault."""

import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import collect, free_port, spawn, start_rpc_service, stop, target, wait_line

GOSTRESS_MODES = ["grow", "sleep", "yield", "leaf", "big", "mix"]
CPROGS = ["cprog-gcc", "cprog-gcc-pie", "cprog-clang", "cprog-clang-pie"]
RPCSERVERS = ["rpcserver", "rpcserver-stripped", "rpcserver-pie", "rpcserver-pie-stripped"]


def run(argv, timeout=60, stdin=None):
    """Run argv to completion, feeding it stdin (text) if given; (rc, stdout, stderr)."""
    p = spawn(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    if stdin is not None:
        p.stdin.write(stdin.encode())
        p.stdin.close()
    return collect(p, timeout)


@pytest.mark.parametrize("binary", RPCSERVERS)
def test_rpc_service_answers_100_calls(binary):
    svc = start_rpc_service(binary)
    assert svc.call(100) == 100
    assert svc.call(7, a=-3, b=5, conns=True) == 7  # slow path, one connection per call
    assert svc.stop() == 107


def test_rpc_service_verbose_prints_products():
    svc = start_rpc_service(args=["-v"])
    svc.call(3, a=6, b=7)
    assert svc.stop() == 3
    out = svc.proc.tk_out.text()
    assert re.findall(r"^C= (-?\d+)$", out, re.M) == ["42", "42", "42"]


def test_rpc_client_rate_and_sigint(rpc_service):
    client = spawn(rpc_service.client_argv(0, rate=200))
    time.sleep(0.5)  # let it make some calls; how many does not matter
    rc, out, err = stop(client, signal.SIGINT)
    m = re.search(r"^calls=(\d+) errors=0$", out, re.M)
    assert rc == 0 and m, out + err
    assert int(m.group(1)) > 0
    assert rpc_service.stop() == int(m.group(1))


def test_rpc_client_reports_errors():
    rc, out, err = run([target("rpcclient"), "-addr", f"127.0.0.1:{free_port()}", "-n", "2"])
    assert rc == 1
    assert out == "calls=2 errors=2\n"
    assert err.count("connection refused") == 2


@pytest.mark.parametrize("binary", ["gostress", "gostress-stripped"])
@pytest.mark.parametrize("mode", GOSTRESS_MODES)
def test_gostress_mode(binary, mode):
    n = 300 if mode in ("sleep", "mix") else 1000
    rc, out, err = run([target(binary), "-mode", mode, "-n", n, "-g", 4])
    assert (rc, out, err) == (0, f"calls={n}\n", "")


def test_gostress_spin():
    """Mode spin: long call-free loops inside f, preempted asynchronously."""
    rc, out, err = run([target("gostress"), "-mode", "spin", "-n", 6, "-g", 3, "-spin", 20])
    assert (rc, out, err) == (0, "calls=6\n", "")


def test_gostress_waits_for_stdin():
    p = spawn([target("gostress"), "-mode", "leaf", "-n", 10, "-wait-stdin"], stdin=subprocess.PIPE)
    assert wait_line(p, r".") == "ready"
    p.stdin.write(b"\n")
    p.stdin.close()
    assert collect(p) == (0, "calls=10\n", "")


def test_gostress_rejects_bad_mode():
    rc, out, err = run([target("gostress"), "-mode", "nope"])
    assert rc == 2 and out == "" and "usage" in err


@pytest.mark.parametrize("binary", CPROGS)
def test_cprog(binary):
    assert run([target(binary), 1000]) == (0, "calls=1000 slow=0\n", "")
    assert run([target(binary), 5, 2, 3]) == (0, "calls=5 slow=3\n", "")
    assert run([target(binary), "-recurse", 9, 0]) == (0, "calls=0 slow=0\nrecurse=10\n", "")
    assert run([target(binary), "-delay", "0.05", 1]) == (0, "ready\ncalls=1 slow=0\n", "")
    assert run([target(binary), "-wait-stdin", 2], stdin="go\n") == (
        0,
        "ready\ncalls=2 slow=0\n",
        "",
    )


@pytest.mark.parametrize("argv", [[], ["-1"], ["x"], ["1", "2", "3", "4"], ["-delay"]])
def test_cprog_rejects_bad_arguments(argv):
    rc, out, err = run([target("cprog-gcc"), *argv])
    assert rc == 2 and out == "" and err.startswith("usage: cprog ")


def test_cprog_lib():
    assert run([target("cprog-lib"), 123]) == (0, "calls=123\n", "")
    assert (target("libtkdemo.so")).exists()


@pytest.mark.parametrize("binary", CPROGS + ["cprog-lib"])
def test_c_functions_are_real_calls(binary):
    """The traced functions exist as symbols and are called, not inlined (objdump)."""
    import shutil
    objdump = shutil.which("objdump")
    assert objdump, "objdump missing (Debian package binutils)"
    dis = subprocess.run([objdump, "-d", target(binary)], capture_output=True, text=True).stdout
    wanted = ["tk_lib_call@plt"] if binary == "cprog-lib" else ["tk_add", "tk_slow", "tk_recurse"]
    for fn in wanted:
        assert re.search(rf"\bcall\s+\w+ <{re.escape(fn)}>", dis), f"no call to {fn} in {binary}"
