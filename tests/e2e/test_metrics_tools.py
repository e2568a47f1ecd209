"""--metrics of the tcp* and *snoop tools: each counts what its output counts.

Every test starts one tool with --metrics on a free loopback port, causes a known number of
that tool's events (execs of a private copy of /bin/true, opens of a test file, signals to a
process it started, loopback TCP connections it makes, ...) from a child process that names
itself (prctl PR_SET_NAME), so that the series of that comm are the test's alone, or filters
on the child's PID or port, then scrapes http://ADDR/metrics with urllib until the counters
reach those numbers, and checks that they stay there and that promtool accepts the body.
Where the number of events is the kernel's to decide (retransmits, drops, RTT samples), the
counter must equal what the tool printed for the same events. No assertion is about time:
waits poll a condition up to a deadline.
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

from conftest import collect, free_port, spawn, wait_line
from prom import exporter, metrics_addr, promtool_check
from test_tcp_b import FLOW, LOOPBACK, in_ns, lossy_exchange, netns, start_flow  # noqa: F401
from test_tcp_b import port as random_port

NO_SUCH_PID = 2**22 + 1  # above PID_MAX_LIMIT: kill() gives ESRCH
DEADLINE = 30  # seconds a counter has to reach its value

# ---- helpers ------------------------------------------------------------------------------


def comm_name(what):
    """A comm of 15 characters at most that no other process on the machine has."""
    return f"tk{what[:5]}{os.getpid() % 100000}"[:15]


def child(comm, script, *args):
    """A python3 child named comm that runs script once the test calls go(child)."""
    code = ("import ctypes, os, signal, socket, subprocess, sys\n"
            f"ctypes.CDLL(None).prctl(15, {comm.encode()!r}, 0, 0, 0)\n"
            "print('waiting', flush=True)\n"
            "sys.stdin.readline()\n" + textwrap.dedent(script) + "\nprint('done', flush=True)\n")
    p = spawn([sys.executable, "-c", code, *map(str, args)], stdin=subprocess.PIPE)
    wait_line(p, r"^waiting$")
    return p


def go(p, timeout=60):
    """Let the child run its script; wait for it to end well; its stdout."""
    p.stdin.write(b"go\n")
    p.stdin.flush()
    rc, out, err = collect(p, timeout)
    assert rc == 0, f"child failed (rc={rc}):\n{out}{err}"
    return out


def tool(argv, attached):
    """`tracekit ARGV --metrics ADDR`, serving and attached: (tracer, addr)."""
    addr = metrics_addr()
    return exporter([*argv, "--metrics", addr], addr, attached=attached, stream="both"), addr


def scrape(addr):
    with urllib.request.urlopen(f"http://{addr}/metrics", timeout=10) as r:
        assert r.status == 200
        return r.read().decode()


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(body):
    """[(name, {label: value}, float)] of a text exposition."""
    out = []
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        out.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return out


def total(body, name, **labels):
    """The sum of the samples of name whose labels include these; None when there is none."""
    vals = [v for n, ls, v in samples(body)
            if n == name and all(ls.get(k) == str(w) for k, w in labels.items())]
    return sum(vals) if vals else None


def check_body(body):
    """Every family has # HELP and # TYPE, and promtool accepts the body."""
    helps = set(re.findall(r"^# HELP (\S+) ", body, re.M))
    types = set(re.findall(r"^# TYPE (\S+) ", body, re.M))
    assert helps == types and helps, body
    ok, out = promtool_check(body)
    assert ok, out


def wait_values(addr, expected, timeout=DEADLINE):
    """expected: {(name, labels as a tuple of pairs): value}. Polls until every value is
    reached, then checks that they stay on a second scrape; the last body."""
    deadline = time.monotonic() + timeout
    while True:
        body = scrape(addr)
        got = {k: total(body, k[0], **dict(k[1])) for k in expected}
        if got == expected:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"metrics not reached: want {expected}\ngot {got}\n{body}")
        time.sleep(0.2)
    body = scrape(addr)
    assert {k: total(body, k[0], **dict(k[1])) for k in expected} == expected, body
    check_body(body)
    return body


def want(name, value, **labels):
    return {(name, tuple(sorted(labels.items()))): value}


def stop(t):
    rc, out, err = t.stop()
    assert rc == 0, f"rc={rc}\n{err}"
    return out


# ---- *snoop -----------------------------------------------------------------------------


def test_execsnoop_execs_by_comm_and_errno(tmp_path):
    prog = tmp_path / comm_name("exec")
    shutil.copy2("/bin/true", prog)
    comm = comm_name("xfail")
    p = child(comm, """
        for i in range(5):
            subprocess.run([sys.argv[1]], check=True)
        for i in range(2):
            try:
                subprocess.run([sys.argv[1] + ".missing"])
            except FileNotFoundError:
                pass
        """, prog)
    t, addr = tool(["execsnoop", "-x"], r"COMM +PID +PPID +RET ARGS")
    go(p)
    name = "tracekit_execsnoop_execs_total"
    wait_values(addr, {**want(name, 5, comm=prog.name, errno="0"),
                       **want(name, 2, comm=comm, errno="ENOENT"),
                       **want(name, None, comm=comm, errno="0")})
    stop(t)


def test_exitsnoop_exits_by_code_and_signal():
    comm = comm_name("exit")
    p = child(comm, """
        for code in (3, 3, 3):
            pid = os.fork()
            if pid == 0:
                os._exit(code)
            os.waitpid(pid, 0)
        for i in range(2):
            pid = os.fork()
            if pid == 0:
                os.kill(os.getpid(), signal.SIGKILL)
            os.waitpid(pid, 0)
        """)
    t, addr = tool(["exitsnoop"], r"PCOMM +PID +PPID")
    go(p)
    name = "tracekit_exitsnoop_exits_total"
    # the child itself exits with 0 once done
    wait_values(addr, {**want(name, 3, comm=comm, exit_code="3", signal=""),
                       **want(name, 2, comm=comm, exit_code="", signal="KILL"),
                       **want(name, 1, comm=comm, exit_code="0", signal="")})
    stop(t)


def test_killsnoop_signals_by_signal_and_errno():
    comm = comm_name("kill")
    p = child(comm, f"""
        target = subprocess.Popen(["sleep", "60"])
        for i in range(3):
            os.kill(target.pid, signal.SIGCONT)
        for i in range(2):
            try:
                os.kill({NO_SUCH_PID}, signal.SIGTERM)
            except ProcessLookupError:
                pass
        target.kill()
        target.wait()
        """)
    t, addr = tool(["killsnoop", "-p", p.pid], r"^TIME +PID +COMM +SIG")
    go(p)
    name = "tracekit_killsnoop_signals_total"
    body = wait_values(addr, {**want(name, 3, comm=comm, signal="CONT", errno="0"),
                              **want(name, 2, comm=comm, signal="TERM", errno="ESRCH"),
                              **want(name, 1, comm=comm, signal="KILL", errno="0")})
    assert total(body, name) == 6, body  # -p: nothing from anyone else
    stop(t)


@pytest.mark.parametrize("snoop,call,family", [
    ("opensnoop", "open", "tracekit_opensnoop_opens_total"),
    ("statsnoop", "os.stat", "tracekit_statsnoop_stats_total"),
])
def test_file_snoops_by_errno(tmp_path, snoop, call, family):
    """4 calls on a file that exists, 2 on one that does not (ENOENT), with -p (statsnoop:
    whichever stat syscall Python's os.stat() makes)."""
    path = tmp_path / "file"
    path.write_text("x")
    comm = comm_name(snoop)
    p = child(comm, f"""
        for i in range(4):
            {call}(sys.argv[1])
        for i in range(2):
            try:
                {call}(sys.argv[1] + ".missing")
            except FileNotFoundError:
                pass
        """, path)
    t, addr = tool([snoop, "-p", p.pid], r"COMM +FD ERR")
    go(p)
    wait_values(addr, {**want(family, 4, comm=comm, errno="0"),
                       **want(family, 2, comm=comm, errno="ENOENT")})
    stop(t)


def test_syncsnoop_syncs_by_syscall(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    comm = comm_name("sync")
    p = child(comm, """
        fd = os.open(sys.argv[1], os.O_WRONLY)
        for i in range(3):
            os.fsync(fd)
        for i in range(2):
            os.fdatasync(fd)
        os.sync()
        """, path)
    t, addr = tool(["syncsnoop", "-p", p.pid], r"^TIME\(s\) +COMM +CALL")
    go(p)
    name = "tracekit_syncsnoop_syncs_total"
    wait_values(addr, {**want(name, 3, comm=comm, syscall="fsync"),
                       **want(name, 2, comm=comm, syscall="fdatasync"),
                       **want(name, 1, comm=comm, syscall="sync")})
    stop(t)


def test_bindsnoop_binds_by_port_and_errno():
    port, busy = free_port(), free_port()
    comm = comm_name("bind")
    p = child(comm, """
        port, busy = int(sys.argv[1]), int(sys.argv[2])
        for i in range(3):
            s = socket.socket()
            s.bind(("127.0.0.1", port))
            s.close()
        holder = socket.socket()
        holder.bind(("127.0.0.1", busy))
        holder.listen()
        for i in range(2):
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", busy))
            except OSError:
                pass
            s.close()
        holder.close()
        """, port, busy)
    t, addr = tool(["bindsnoop", "-E", "-p", p.pid], r"^Tracing binds")
    go(p)
    name = "tracekit_bindsnoop_binds_total"
    wait_values(addr, {**want(name, 3, comm=comm, protocol="TCP", port=port, errno="0"),
                       **want(name, 1, comm=comm, protocol="TCP", port=busy, errno="0"),
                       **want(name, 2, comm=comm, protocol="TCP", port=busy,
                              errno="EADDRINUSE")})
    stop(t)


# ---- tcp* on loopback connections ---------------------------------------------------------

N, UP, DOWN = 4, 3000, 700  # connections, bytes up (client to server) and down

# Listen on HOST (argv[1]) with backlog 37, print the port, then on "go" make N connections to
# it, one after the other: the client sends UP bytes, the server answers DOWN, the client
# closes first, the server reads the end and closes.
CONNS = f"""
host = sys.argv[1]
def recv_exact(s, n):
    got = 0
    while got < n:
        b = s.recv(65536)
        assert b
        got += len(b)
for i in range({N}):
    c = socket.create_connection((host, port))
    a, _ = srv.accept()
    c.sendall(b"u" * {UP})
    recv_exact(a, {UP})
    a.sendall(b"d" * {DOWN})
    recv_exact(c, {DOWN})
    c.close()
    assert a.recv(1) == b""
    a.close()
srv.close()
"""
LISTEN = """
import socket, sys
srv = socket.socket()
srv.bind((sys.argv[1], 0))
srv.listen(37)
port = srv.getsockname()[1]
print("port", port, flush=True)
"""


def conns(what, host="127.0.0.1"):
    """The child that makes the N connections, listening already: (child, comm, port)."""
    comm = comm_name(what)
    code = ("import ctypes, socket, sys\n"
            f"ctypes.CDLL(None).prctl(15, {comm.encode()!r}, 0, 0, 0)\n"
            + textwrap.dedent(LISTEN) + "sys.stdin.readline()\n" + textwrap.dedent(CONNS)
            + "print('done', flush=True)\n")
    p = spawn([sys.executable, "-c", code, host], stdin=subprocess.PIPE)
    port = int(wait_line(p, r"^port \d+$").split()[1])
    return p, comm, port


def test_tcpconnect_connects_by_destination():
    p, comm, port = conns("conn")
    t, addr = tool(["tcpconnect", "-p", p.pid], r"^PID +COMM")
    go(p)
    wait_values(addr, want("tracekit_tcpconnect_connects_total", N, comm=comm,
                           daddr="127.0.0.1", dport=port))
    stop(t)


def test_tcpaccept_accepts_by_port():
    p, comm, port = conns("acc")
    t, addr = tool(["tcpaccept", "-p", p.pid], r"^PID +COMM")
    go(p)
    wait_values(addr, want("tracekit_tcpaccept_accepts_total", N, comm=comm, lport=port))
    stop(t)


def test_tcptracer_events_by_type():
    p, comm, port = conns("trc")
    t, addr = tool(["tcptracer", "-p", p.pid], r"^T +PID +COMM")
    go(p)
    name = "tracekit_tcptracer_events_total"
    wait_values(addr, {**want(name, N, comm=comm, type="connect"),
                       **want(name, N, comm=comm, type="accept"),
                       **want(name, 2 * N, comm=comm, type="close")})
    stop(t)


def histogram(body, name, **labels):
    """(count, sum, [(le, cumulative)]) of a histogram's series with these labels."""
    bs = sorted((float(ls["le"]), v) for n, ls, v in samples(body)
                if n == name + "_bucket"
                and all(ls.get(k) == str(w) for k, w in labels.items()))
    return total(body, name + "_count", **labels), total(body, name + "_sum", **labels), bs


def assert_cumulative(bs, count):
    assert bs and bs[-1] == (math.inf, count), bs
    assert [c for _, c in bs] == sorted(c for _, c in bs), bs


def test_tcpconnlat_latency_histogram():
    p, comm, port = conns("clat")
    t, addr = tool(["tcpconnlat", "-p", p.pid], r"^PID +COMM")
    go(p)
    name = "tracekit_tcpconnlat_latency_seconds"
    body = wait_values(addr, want(name + "_count", N, comm=comm))
    count, s, bs = histogram(body, name, comm=comm)
    assert_cumulative(bs, N)
    assert 0 < s < 10 * N, body  # seconds, not microseconds
    stop(t)


def test_tcplife_duration_and_bytes_histograms():
    p, comm, port = conns("life")
    # -L: the server's sessions (it received UP and sent DOWN bytes in each)
    t, addr = tool(["tcplife", "-L", port], r"^PID +COMM")
    go(p)
    # the byte counters count sequence space, where each side's FIN takes one (as bcc's):
    # the payload + 1 per session
    body = wait_values(addr, {**want("tracekit_tcplife_duration_seconds_count", N),
                              **want("tracekit_tcplife_rx_bytes_count", N),
                              **want("tracekit_tcplife_rx_bytes_sum", N * (UP + 1)),
                              **want("tracekit_tcplife_tx_bytes_count", N),
                              **want("tracekit_tcplife_tx_bytes_sum", N * (DOWN + 1))})
    for fam in ("duration_seconds", "rx_bytes", "tx_bytes"):
        count, _, bs = histogram(body, "tracekit_tcplife_" + fam)
        assert_cumulative(bs, N)
    # every byte count of a session is in the bucket of its value (log2: le 4095 for 3000)
    assert histogram(body, "tracekit_tcplife_rx_bytes")[2][:13][-2:] == [(2047, 0), (4095, N)]
    stop(t)


def test_tcpstates_changes_by_state():
    p, comm, port = conns("stat")
    # -D: the client's sockets
    t, addr = tool(["tcpstates", "-D", port], r"^SKADDR")
    go(p)
    name = "tracekit_tcpstates_changes_total"
    body = wait_values(addr, {**want(name, N, oldstate="CLOSE", newstate="SYN_SENT"),
                              **want(name, N, oldstate="SYN_SENT", newstate="ESTABLISHED"),
                              **want(name, N, oldstate="ESTABLISHED", newstate="FIN_WAIT1")})
    assert total(body, "tracekit_tcpstates_state_seconds_total", state="SYN_SENT") > 0, body
    stop(t)


def test_tcptop_bytes_by_comm_and_remote_address():
    p, comm, port = conns("top")
    t, addr = tool(["tcptop", "-C", "-p", p.pid, "1"], r"Tracing|loadavg")
    go(p)
    wait_values(addr, {
        **want("tracekit_tcptop_sent_bytes_total", N * (UP + DOWN), comm=comm,
               raddr="127.0.0.1"),
        **want("tracekit_tcptop_received_bytes_total", N * (UP + DOWN), comm=comm,
               raddr="127.0.0.1")})
    stop(t)


def test_tcpsubnet_bytes_by_subnet():
    # 127.0.0.77 is ours alone: what the clients send goes there, the server's answers go
    # back to 127.0.0.1 (the loopback route's source address), in the catch-all subnet
    p, comm, port = conns("sub", host="127.0.0.77")
    t, addr = tool(["tcpsubnet", "127.0.0.77/32,0.0.0.0/0"], r"^Tracing")
    body = scrape(addr)
    assert total(body, "tracekit_tcpsubnet_sent_bytes_total", subnet="127.0.0.77/32") == 0
    go(p)
    wait_values(addr, want("tracekit_tcpsubnet_sent_bytes_total", N * UP,
                           subnet="127.0.0.77/32"))
    stop(t)


def test_tcpsynbl_backlog_histogram_by_backlog_limit():
    p, comm, port = conns("synbl")
    t, addr = tool(["tcpsynbl", "1"], r"^Tracing SYN backlog")
    go(p)
    # the listener's backlog is 37: nobody else's on this machine
    body = wait_values(addr, want("tracekit_tcpsynbl_backlog_count", N, backlog_max=37))
    count, total_sum, bs = histogram(body, "tracekit_tcpsynbl_backlog", backlog_max=37)
    assert_cumulative(bs, N)
    assert_sum_within_buckets(total_sum, bs)
    stop(t)


def assert_sum_within_buckets(total_sum, bs, scale=1):
    """A measured _sum lies between the bucket bounds of the samples counted: log2 buckets
    as bcc's, le their largest integer, so le=1 holds 0 and 1, le=3 holds 2 and 3, ..."""
    lo = hi = 0.0
    prev_c = 0
    for le, c in bs:
        n = c - prev_c
        le = round(le * scale) if le != math.inf else le
        if n and le != math.inf:
            lo += n * ((le + 1) // 2 if le >= 3 else 0)
            hi += n * le
        prev_c = c
    lo, hi = lo / scale, hi / scale
    assert not math.isnan(total_sum) and lo <= total_sum <= hi, (total_sum, lo, hi, bs)


def test_tcprtt_histogram_equals_its_summaries():
    p, comm, port = conns("rtt")
    t, addr = tool(["tcprtt", "--json", "-i", "1", "-p", port], r"^Tracing TCP RTT")
    go(p)
    name = "tracekit_tcprtt_rtt_seconds"
    deadline = time.monotonic() + DEADLINE
    while True:  # every sample of our port, printed by a summary and in the metrics
        body = scrape(addr)
        printed = sum(h["count"] for line in t.output().splitlines() if line.startswith("{")
                      for h in json.loads(line)["hists"])
        if printed and total(body, name + "_count") == printed:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"printed {printed} samples, metrics {total(body, name + '_count')}")
        time.sleep(0.2)
    assert_cumulative(histogram(body, name)[2], printed)
    check_body(body)
    stop(t)


# ---- tcp* on a lossy flow (test_tcp_b's network namespace) ------------------------------


def json_rows(t):
    return [json.loads(l) for l in t.output().splitlines() if l.startswith("{")]


def wait_equal(addr, metric, rows, what, **labels):
    """Poll until the counter equals rows() (both stop growing once the kernel is done)."""
    deadline = time.monotonic() + DEADLINE
    while True:
        body = scrape(addr)
        n = rows()
        if n and total(body, metric, **labels) == n:
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: {n} rows printed, {total(body, metric, **labels)} counted")
        time.sleep(0.2)


@pytest.mark.parametrize("fam", [4])
def test_tcpretrans_and_tcpdrop_count_what_they_print(netns, fam):  # noqa: F811
    retrans, raddr = tool(["tcpretrans", "--json"], r"^Tracing")
    counts, caddr = tool(["tcpretrans", "-c"], r"^Tracing")  # the BPF side counts per flow
    flow, sport, cport = start_flow(netns, fam)
    drops, daddr = tool(["tcpdrop", "--json", "--pid-netns", flow.pid], r"^Tracing")

    def ours():
        return [e for e in json_rows(retrans) if sport in (e["lport"], e["rport"])]
    lossy_exchange(netns, flow, sport, lambda: wait_until(lambda: ours()))
    body = wait_equal(raddr, "tracekit_tcpretrans_retransmits_total",
                      lambda: len(json_rows(retrans)), "tcpretrans")
    for e in ours():
        assert total(body, "tracekit_tcpretrans_retransmits_total", state=e["state"],
                     type="retransmit") >= 1, body
    check_body(body)
    flows = "tracekit_tcpretrans_flow_retransmits_total"
    body = wait_equal(caddr, flows, lambda: len(ours()), "tcpretrans -c", rport=sport)
    assert total(body, flows, lport=sport) is None, body  # the server never retransmitted
    check_body(body)
    body = wait_equal(daddr, "tracekit_tcpdrop_drops_total",
                      lambda: sum(e["reason"] == "NETFILTER_DROP" for e in json_rows(drops)),
                      "tcpdrop", reason="NETFILTER_DROP")
    assert total(body, "tracekit_tcpdrop_drops_total") == len(json_rows(drops)), body
    check_body(body)
    stop(retrans)
    stop(counts)
    stop(drops)


def wait_until(pred, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail("condition not met")
        time.sleep(0.1)


def test_tcpcong_changes_equal_its_output(netns):  # noqa: F811
    sport = random_port()
    # -R: only sockets whose remote port is the server's, i.e. the client that loses packets
    t, addr = tool(["tcpcong", "-j", "-u", "-R", sport, "1"], r"^Tracing")
    d, daddr = tool(["tcpcong", "-d", "-u", "-R", sport, "1"], r"^Tracing")
    flow = in_ns(netns, FLOW, 4, LOOPBACK[4], sport)
    wait_line(flow, r"^ready \d+$")

    def changes():
        return sum(f["Chgs"] for r in json_rows(t) for f in r["flows"])
    lossy_exchange(netns, flow, sport, lambda: wait_until(lambda: changes() > 0))
    body = wait_equal(addr, "tracekit_tcpcong_changes_total", changes, "tcpcong")
    assert total(body, "tracekit_tcpcong_state_seconds_total", state="loss") > 0, body
    check_body(body)
    stop(t)
    # -d: the periods' histogram has a measured _sum (microsecond buckets, in seconds)
    dbody = scrape(daddr)
    count, total_sum, bs = histogram(dbody, "tracekit_tcpcong_state_duration_seconds",
                                     state="loss")
    assert count and count > 0, dbody
    assert_sum_within_buckets(total_sum, bs, scale=1e6)
    stop(d)
