"""A freshly booted machine has no tracefs mounted (and no debugfs). Every kernel-side tool and
the language must mount it themselves where they need it: each runs here in a private mount
namespace where neither is mounted (conftest.fresh_boot), and must attach, trace and exit
cleanly. Nothing in these tests mounts tracefs for the product.
"""

import re
import socket
import subprocess
import sys

import pytest

from conftest import BPFTRACE_NOTIFY, TRACEKIT, collect, fresh_boot, run_tracer, spawn, wait_line

pytestmark = pytest.mark.usefixtures("no_leftovers")

KERNEL_TOOLS = [
    "tcptracer", "tcpconnect", "tcpaccept", "tcpconnlat", "tcplife", "tcpstates", "tcptop",
    "tcpretrans", "tcpdrop", "tcpcong", "tcprtt", "tcpsubnet", "tcpsynbl",
    "execsnoop", "exitsnoop", "opensnoop", "killsnoop", "statsnoop", "syncsnoop", "bindsnoop",
    "profile", "offcputime", "wakeuptime",
    "runqlat", "cpudist", "runqlen", "runqslower", "softirqs", "hardirqs",
    "biolatency", "biosnoop", "biotop", "bitesize",
    "syscount", "sigsnoop", "mountsnoop", "oomkill", "drsnoop",
]


def test_the_namespace_has_no_tracefs():
    """The fixture itself: inside, neither tracefs nor debugfs's tracing/ is there."""
    r = subprocess.run(fresh_boot(["sh", "-c", "ls /sys/kernel/tracing; ls /sys/kernel/debug"]),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [], r.stdout


@pytest.mark.parametrize("tool", KERNEL_TOOLS)
def test_tool_attaches_without_tracefs(tool):
    """--json prints "Tracing..." (profile: "Sampling...") on stderr once every probe is
    attached."""
    t = run_tracer(fresh_boot([TRACEKIT, tool, "--json"]), ready_regex=r"^(Tracing|Sampling)",
                   binary="env")
    rc, out, err = t.stop()
    assert rc == 0, err
    assert "tracefs" not in err and "no such probe point" not in err, err


def test_tcptracer_shows_a_loopback_connect_without_tracefs():
    t = run_tracer(fresh_boot([TRACEKIT, "tcptracer"]), ready_regex=r"^T +PID", binary="env")
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        code = ("import socket, sys\n"
                "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
                "print(s.getsockname()[1], flush=True)\n"
                "sys.stdin.readline()\n")
        client = spawn([sys.executable, "-c", code, port], stdin=subprocess.PIPE)
        sport = int(wait_line(client, r"^\d+$"))
        conn, _ = srv.accept()
        client.stdin.close()
        collect(client)
        conn.close()
    row = wait_line(t.proc, rf"^C +{client.pid} ")
    assert row.split()[3:] == ["4", "127.0.0.1", "127.0.0.1", str(sport), str(port)], row
    rc, _, err = t.stop()
    assert rc == 0, err


def test_language_tracepoint_without_tracefs():
    """A tracepoint one-liner: its format file is read from tracefs, mounted on demand."""
    prog = ('tracepoint:syscalls:sys_enter_getppid /pid == $1/ '
            '{ @calls = count(); printf("ppid of %d\\n", pid); }')
    child = spawn([sys.executable, "-c", "import os, sys\nsys.stdin.readline()\n"
                   "for _ in range(5): os.getppid()\n"], stdin=subprocess.PIPE)
    t = run_tracer(fresh_boot([TRACEKIT, "-e", prog, child.pid]), ready_regex=BPFTRACE_NOTIFY,
                   binary="env", env={BPFTRACE_NOTIFY: "1"})
    child.stdin.write(b"\n")
    child.stdin.close()
    assert collect(child)[0] == 0
    for _ in range(5):
        wait_line(t.proc, rf"^ppid of {child.pid}$")
    rc, out, err = t.stop()
    assert rc == 0, err
    assert re.search(r"^@calls: 5$", out, re.M), out
