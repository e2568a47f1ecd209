"""tcptracer, tcpconnect, tcpaccept, tcpconnlat, tcplife, tcpstates, tcptop on the real kernel.

Every test makes its own loopback connections (IPv4 and IPv6) between two python processes
it spawns, whose PIDs, comms (set with prctl) and ports are known, and checks the tool's rows
for exactly those connections. Other TCP activity on the machine is ignored by filtering on
our ports. The tools are built on tracepoints only (this kernel has no kprobes).

TRACEKIT_BIN overrides the binary under test (default: build/tracekit).
"""

import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

import subprocess
import time

from conftest import TRACEKIT, collect, free_port, kill_spawned, run_tracer, spawn, wait_line

BIN = Path(os.environ.get("TRACEKIT_BIN", str(TRACEKIT)))

# Server: listen, print the port, accept one connection, read N bytes, send M bytes, wait for
# the client's close, wait a little (so the client's FIN is ACKed on its own and the client
# passes FIN_WAIT2), close. Client: connect, print its local port, send N, read M, close.
# Both name themselves (prctl PR_SET_NAME) so the tools' COMM shows who did what.
PEER = r"""
import ctypes, socket, sys, time
role, fam, arg, n_up, n_down = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
ctypes.CDLL(None).prctl(15, (b"tk-srv" if role == "server" else b"tk-cli"), 0, 0, 0)
af = socket.AF_INET6 if fam == "6" else socket.AF_INET
host = "::1" if fam == "6" else "127.0.0.1"

def recv_exact(s, n):
    got = 0
    while got < n:
        b = s.recv(65536)
        if not b:
            break
        got += len(b)
    return got

if role == "server":
    srv = socket.socket(af, socket.SOCK_STREAM)
    srv.bind((host, 0))
    srv.listen(4)
    print("listening", srv.getsockname()[1], flush=True)
    c, _ = srv.accept()
    assert recv_exact(c, n_up) == n_up
    c.sendall(b"d" * n_down)
    while c.recv(65536):
        pass
    time.sleep(0.5)
    c.close()
    srv.close()
    print("done", flush=True)
elif role == "client":
    c = socket.socket(af, socket.SOCK_STREAM)
    c.connect((host, int(arg)))
    print("lport", c.getsockname()[1], flush=True)
    c.sendall(b"u" * n_up)
    assert recv_exact(c, n_down) == n_down
    c.close()
    print("done", flush=True)
elif role == "refused":
    c = socket.socket(af, socket.SOCK_STREAM)
    try:
        c.connect((host, int(arg)))
    except ConnectionRefusedError:
        print("refused", c.getsockname()[1], flush=True)
    c.close()
"""

def bpf_ids_held_by(pid):
    """{("prog"|"link", id)} for the BPF fds process pid holds (from /proc/PID/fdinfo)."""
    held = set()
    for fd in Path("/proc/%d/fd" % pid).iterdir():
        try:
            if not os.readlink(fd).startswith("anon_inode:bpf"):
                continue
            info = (Path("/proc/%d/fdinfo" % pid) / fd.name).read_text()
        except OSError:
            continue
        for key, kind in (("link_id:", "link"), ("prog_id:", "prog")):
            m = re.search(r"^%s\s*(\d+)" % key, info, re.M)
            if m:
                held.add((kind, int(m.group(1))))
    return held


def bpf_ids_alive(ids):
    alive = set()
    for kind in ("prog", "link"):
        out = subprocess.run(["bpftool", "-j", kind, "list"], capture_output=True, text=True, check=True)
        alive |= {(kind, o["id"]) for o in json.loads(out.stdout or "[]")}
    return alive & ids


_loaded = []  # BPF program ids of the tracers started by the running test


@pytest.fixture
def no_leftovers():
    """Every BPF program and link our tracers held is gone after the test. Tracked by the ids
    each tracer held while running, not by a before/after snapshot:
    other engineers' tracers come and go on this machine at the same time."""
    _loaded.clear()
    yield
    kill_spawned()
    ids = set(_loaded)
    deadline = time.monotonic() + 3  # the kernel frees programs a little after the last fd
    while (left := bpf_ids_alive(ids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == set(), "BPF objects left in the kernel: %s" % sorted(left)


FAMILIES = ["4", "6"]
LOCAL = {"4": "127.0.0.1", "6": "::1"}


class Conn:
    """One finished loopback connection: pids, ports, byte counts."""

    def __init__(self, fam, up, down):
        self.fam, self.up, self.down = fam, up, down
        self.addr = LOCAL[fam]
        self.server = spawn([sys.executable, "-c", PEER, "server", fam, "0", up, down])
        self.port = int(wait_line(self.server, r"^listening ").split()[1])
        self.client = spawn([sys.executable, "-c", PEER, "client", fam, self.port, up, down])
        self.lport = int(wait_line(self.client, r"^lport ").split()[1])
        for p in (self.client, self.server):
            wait_line(p, r"^done$", timeout=20)
            rc, _, err = collect(p)
            assert rc == 0, err
        self.spid, self.cpid = self.server.pid, self.client.pid


def connect(fam, up=3000, down=10):
    return Conn(fam, up, down)


def refused_connect(fam):
    """A connect to a port nobody listens on; returns (pid, local port, remote port)."""
    # A port that was just free on the family's loopback.
    import socket

    af = socket.AF_INET6 if fam == "6" else socket.AF_INET
    with socket.socket(af) as s:
        s.bind((LOCAL[fam], 0))
        port = s.getsockname()[1]
    p = spawn([sys.executable, "-c", PEER, "refused", fam, port, 0, 0])
    lport = int(wait_line(p, r"^refused ").split()[1])
    collect(p)
    return p.pid, lport, port


def tracer(args, ready=r"Tracing|PID|SKADDR"):
    t = run_tracer(args, ready_regex=ready, binary=str(BIN))
    ids = bpf_ids_held_by(t.pid)
    assert {k for k, _ in ids} == {"prog", "link"}, "the ready tracer holds no BPF program or link"
    _loaded.extend(ids)
    return t


def stop_ok(t, sig=signal.SIGINT):
    rc, out, err = t.stop(sig)
    assert rc == 0, f"rc={rc}\nstderr:\n{err}"
    assert err.strip() == "" or err.startswith("Tracing"), err
    return out.splitlines()


# ---------------------------------------------------------------------------------------
# tcptracer


TRACER_HDR = "T  PID    COMM             IP SADDR            DADDR            SPORT  DPORT "


def tracer_row(t, pid, comm, fam, sport, dport):
    a = LOCAL[fam] if fam == "4" else "[%s]" % LOCAL[fam]
    return "%-2s %-6d %-16s %-2s %-16s %-16s %-6d %-6d" % (t, pid, comm, fam, a, a, sport, dport)


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcptracer_connect_accept_close(fam, no_leftovers):
    t = tracer(["tcptracer"])
    assert t.ready_line == "Tracing TCP established connections. Ctrl-C to end."
    c = connect(fam)
    out = stop_ok(t)
    assert out[1] == TRACER_HDR
    ours = [l for l in out[2:] if re.search(r" (%d|%d) +(%d|%d) *$" % (c.port, c.lport, c.port, c.lport), l)]
    assert ours == [
        tracer_row("C", c.cpid, "tk-cli", fam, c.lport, c.port),
        tracer_row("A", c.spid, "tk-srv", fam, c.port, c.lport),
        tracer_row("X", c.cpid, "tk-cli", fam, c.lport, c.port),
        tracer_row("X", c.spid, "tk-srv", fam, c.port, c.lport),
    ]


def test_tcptracer_refused_ipv6_close_row(no_leftovers):
    """The article's `X ... 6 [::1] [::1] 43010 8972` row: a refused IPv6 connect."""
    t = tracer(["tcptracer", "-6"])
    pid, lport, port = refused_connect("6")
    out = stop_ok(t)
    ours = [l for l in out[2:] if l.split()[-1] == str(port)]
    assert ours == [tracer_row("X", pid, "tk-cli", "6", lport, port)]


def test_tcptracer_json(no_leftovers):
    t = tracer(["tcptracer", "--json", "-4"])
    c = connect("4")
    out = stop_ok(t)
    evs = [json.loads(l) for l in out]
    ours = [e for e in evs if {e["sport"], e["dport"]} == {c.port, c.lport}]
    assert [(e["type"], e["pid"], e["comm"], e["ip"], e["saddr"], e["daddr"], e["sport"], e["dport"]) for e in ours] == [
        ("connect", c.cpid, "tk-cli", 4, "127.0.0.1", "127.0.0.1", c.lport, c.port),
        ("accept", c.spid, "tk-srv", 4, "127.0.0.1", "127.0.0.1", c.port, c.lport),
        ("close", c.cpid, "tk-cli", 4, "127.0.0.1", "127.0.0.1", c.lport, c.port),
        ("close", c.spid, "tk-srv", 4, "127.0.0.1", "127.0.0.1", c.port, c.lport),
    ]


# ---------------------------------------------------------------------------------------
# tcpconnect, tcpaccept, tcpconnlat


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcpconnect(fam, no_leftovers):
    # -P with two ports nobody listens on (not 1 or 2: other tests on this machine provoke
    # refused connects to low ports).
    t = tracer(["tcpconnect", "-L", "-U", "-P", "%d,%d" % (free_port(), free_port())])
    t2 = tracer(["tcpconnect"])
    c = connect(fam)
    out = stop_ok(t)
    out2 = stop_ok(t2)
    # -P with other ports: our connect is filtered out.
    assert out == [
        "Tracing connect ... Hit Ctrl-C to end",
        "UID   PID    COMM         IP SADDR            LPORT  DADDR            DPORT ",
    ]
    assert out2[1] == "PID    COMM         IP SADDR            DADDR            DPORT "
    row = "%-6d %-12.12s %-2s %-16s %-16s %-6d" % (c.cpid, "tk-cli", fam, c.addr, c.addr, c.port)
    assert [l for l in out2 if l.split()[0] == str(c.cpid)] == [row]


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcpconnect_lport_port_filter(fam, no_leftovers):
    server = spawn([sys.executable, "-c", PEER, "server", fam, "0", 100, 100])
    port = int(wait_line(server, r"^listening ").split()[1])
    t = tracer(["tcpconnect", "-L", "-U", "-P", "%d,1" % port, "-" + fam])
    client = spawn([sys.executable, "-c", PEER, "client", fam, port, 100, 100])
    lport = int(wait_line(client, r"^lport ").split()[1])
    wait_line(server, r"^done$", timeout=20)
    out = stop_ok(t)
    addr = LOCAL[fam]
    assert out[2:] == [
        "%-6d%-6d %-12.12s %-2s %-16s %-6d %-16s %-6d" % (os.getuid(), client.pid, "tk-cli", fam, addr, lport, addr, port)
    ]


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcpaccept(fam, no_leftovers):
    t = tracer(["tcpaccept", "-" + fam])
    assert t.ready_line == "PID     COMM         IP RADDR            RPORT LADDR            LPORT"
    c = connect(fam)
    out = stop_ok(t)
    row = "%-7d %-12.12s %-2s %-16s %-5d %-16s %-5d" % (c.spid, "tk-srv", fam, c.addr, c.lport, c.addr, c.port)
    assert [l for l in out[1:] if l.split()[-1] == str(c.port)] == [row]


def test_tcpaccept_port_filter_json(no_leftovers):
    t = tracer(["tcpaccept", "--json", "-P", "1"])
    c0 = connect("6")
    out = stop_ok(t)
    assert [l for l in out if str(c0.port) in l] == []
    t = tracer(["tcpaccept", "--json"])
    c = connect("6")
    out = stop_ok(t)
    ours = [json.loads(l) for l in out if json.loads(l)["lport"] == c.port]
    assert len(ours) == 1
    del ours[0]["time"]
    assert ours == [{"pid": c.spid, "comm": "tk-srv", "ip": 6, "raddr": "::1", "rport": c.lport,
                     "laddr": "::1", "lport": c.port}]


def test_tcptracer_pid_filter(no_leftovers):
    server = spawn([sys.executable, "-c", PEER, "server", "4", "0", 10, 10])
    port = int(wait_line(server, r"^listening ").split()[1])
    t = tracer(["tcptracer", "-p", str(server.pid)])
    client = spawn([sys.executable, "-c", PEER, "client", "4", port, 10, 10])
    lport = int(wait_line(client, r"^lport ").split()[1])
    wait_line(server, r"^done$", timeout=20)
    out = stop_ok(t)
    assert out[2:] == [tracer_row("A", server.pid, "tk-srv", "4", port, lport),
                       tracer_row("X", server.pid, "tk-srv", "4", port, lport)]


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcpconnlat(fam, no_leftovers):
    t = tracer(["tcpconnlat", "-L", "-" + fam])
    assert t.ready_line == "PID    COMM         IP SADDR            LPORT  DADDR            DPORT LAT(ms)"
    c = connect(fam)
    out = stop_ok(t)
    ours = [l for l in out[1:] if l.split()[0] == str(c.cpid)]
    assert len(ours) == 1
    m = re.fullmatch(r"(\d+) +tk-cli +(\d) +(\S+) +(\d+) +(\S+) +(\d+) +(\d+\.\d\d)", ours[0])
    assert m, ours[0]
    assert m.group(2, 3, 4, 5, 6) == (fam, c.addr, str(c.lport), c.addr, str(c.port))
    # The format is bcc's "%-6d %-12.12s %-2d %-16s %-6d %-16s %-5d %.2f".
    assert ours[0] == "%-6d %-12.12s %-2s %-16s %-6d %-16s %-5d %s" % (
        c.cpid, "tk-cli", fam, c.addr, c.lport, c.addr, c.port, m.group(7))


# ---------------------------------------------------------------------------------------
# tcplife


UP, DOWN = 300000, 70000  # bytes client -> server, server -> client


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcplife_bytes(fam, no_leftovers):
    t = tracer(["tcplife"])
    assert t.ready_line == "PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS"
    c = connect(fam, UP, DOWN)
    out = stop_ok(t)
    rows = {}
    for l in out[1:]:
        f = l.split()
        if {f[3], f[5]} == {str(c.port), str(c.lport)}:
            rows[int(f[0])] = l
    # bcc: "%-5d %-10.10s %s%-15s %-5d %-15s %-5d %5d %5d %.2f", KB = int(bytes / 1024).
    fmt = "%-5d %-10.10s %-15s %-5d %-15s %-5d %5d %5d "
    assert sorted(rows) == sorted([c.cpid, c.spid])
    assert rows[c.cpid].startswith(fmt % (c.cpid, "tk-cli", c.addr, c.lport, c.addr, c.port, UP // 1024, DOWN // 1024))
    assert rows[c.spid].startswith(fmt % (c.spid, "tk-srv", c.addr, c.port, c.addr, c.lport, DOWN // 1024, UP // 1024))
    for r in rows.values():
        assert re.fullmatch(r"\d+\.\d\d", r.split()[-1])


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcplife_json_exact_bytes_and_filter(fam, no_leftovers):
    server = spawn([sys.executable, "-c", PEER, "server", fam, "0", UP, DOWN])
    port = int(wait_line(server, r"^listening ").split()[1])
    t = tracer(["tcplife", "--json", "-L", str(port)])
    client = spawn([sys.executable, "-c", PEER, "client", fam, port, UP, DOWN])
    lport = int(wait_line(client, r"^lport ").split()[1])
    wait_line(server, r"^done$", timeout=20)
    wait_line(client, r"^done$", timeout=20)
    out = stop_ok(t)
    evs = [json.loads(l) for l in out]
    # -L port: only the server's side (local port = port) of our connection. The byte
    # counters (tcp_sock bytes_acked/bytes_received, as in bcc) count sequence space, where
    # each side's FIN takes one: both ends closed normally, so each is the payload + 1.
    assert [(e["pid"], e["comm"], e["ip"], e["laddr"], e["lport"], e["raddr"], e["rport"], e["tx_b"], e["rx_b"], e["tx_kb"], e["rx_kb"]) for e in evs] == [
        (server.pid, "tk-srv", int(fam), LOCAL[fam], port, LOCAL[fam], lport, DOWN + 1, UP + 1, DOWN // 1024, UP // 1024)
    ]


# ---------------------------------------------------------------------------------------
# tcpstates


CLIENT_STATES = [("CLOSE", "SYN_SENT"), ("SYN_SENT", "ESTABLISHED"), ("ESTABLISHED", "FIN_WAIT1"),
                 ("FIN_WAIT1", "FIN_WAIT2"), ("FIN_WAIT2", "CLOSE")]
SERVER_STATES = [("LISTEN", "SYN_RECV"), ("SYN_RECV", "ESTABLISHED"), ("ESTABLISHED", "CLOSE_WAIT"),
                 ("CLOSE_WAIT", "LAST_ACK"), ("LAST_ACK", "CLOSE")]
LISTEN_STATES = [("CLOSE", "LISTEN"), ("LISTEN", "CLOSE")]


def state_rows(out, fam):
    pat = re.compile(r"([0-9a-f]{16}) (\d+) +(\S+) +(\S+) +(\d+) +(\S+) +(\d+) +(\S+) +-> (\S+) +(\d+\.\d{3})$")
    rows = []
    for l in out:
        m = pat.fullmatch(l)
        if m:
            sk, pid, comm, la, lp, ra, rp, old, new, ms = m.groups()
            rows.append(dict(sk=sk, pid=int(pid), comm=comm, la=la, lp=int(lp), ra=ra, rp=int(rp), old=old, new=new, ms=ms, line=l))
    return rows


def socket_life(rows, row):
    """The transitions of row's socket in the life (up to -> CLOSE) that contains row: a
    socket address is reused by later sockets."""
    life = []
    for r in rows:
        if r["sk"] != row["sk"]:
            continue
        life.append(r)
        if r["new"] == "CLOSE":
            if any(x is row for x in life):
                return life
            life = []
    return life


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcpstates_sequence(fam, no_leftovers):
    t = tracer(["tcpstates"])
    assert t.ready_line == ("SKADDR           C-PID C-COMM     LADDR           LPORT RADDR           "
                            "RPORT OLDSTATE    -> NEWSTATE    MS")
    c = connect(fam)
    out = stop_ok(t)
    rows = state_rows(out[1:], fam)
    a = c.addr
    anyaddr = "0.0.0.0" if fam == "4" else "::"
    cli = [r for r in rows if r["lp"] == c.lport and r["rp"] == c.port]
    srv = [r for r in rows if r["lp"] == c.port and r["rp"] == c.lport]
    lis = [r for r in rows if r["lp"] == c.port and r["rp"] == 0 and r["ra"] == anyaddr]
    assert cli and srv and lis, "\n".join(out)
    cli_life = socket_life(rows, cli[0])
    srv_life = socket_life(rows, srv[0])
    lis_life = socket_life(rows, lis[0])
    assert [(r["old"], r["new"]) for r in cli_life] == CLIENT_STATES
    assert [(r["old"], r["new"]) for r in srv_life] == SERVER_STATES
    assert [(r["old"], r["new"]) for r in lis_life] == LISTEN_STATES
    # At CLOSE -> SYN_SENT the local port is not chosen yet (0); addresses are set.
    assert (cli_life[0]["la"], cli_life[0]["lp"], cli_life[0]["ra"], cli_life[0]["rp"]) == (a, 0, a, c.port)
    # The connecting task owns every transition of its socket, softirq ones included.
    assert {(r["pid"], r["comm"]) for r in cli_life} == {(c.cpid, "tk-cli")}
    # After accept, the server's socket is the server's.
    assert {(r["pid"], r["comm"]) for r in srv_life[2:]} == {(c.spid, "tk-srv")}
    assert {(r["pid"], r["comm"]) for r in lis_life} == {(c.spid, "tk-srv")}
    assert cli_life[0]["ms"] == "0.000"


def test_tcpstates_port_filter_csv(no_leftovers):
    server = spawn([sys.executable, "-c", PEER, "server", "4", "0", 10, 10])
    port = int(wait_line(server, r"^listening ").split()[1])
    t = tracer(["tcpstates", "-s", "-D", str(port)], ready="SKADDR")
    client = spawn([sys.executable, "-c", PEER, "client", "4", port, 10, 10])
    lport = int(wait_line(client, r"^lport ").split()[1])
    wait_line(server, r"^done$", timeout=20)
    out = stop_ok(t)
    assert out[0] == "SKADDR,C-PID,C-COMM,IP,LADDR,LPORT,RADDR,RPORT,OLDSTATE,NEWSTATE,MS"
    # -D port: remote port = port, i.e. the client's socket only.
    trans = [tuple(l.split(",")[1:10]) for l in out[1:]]
    assert [(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8]) for x in trans] == [
        (str(client.pid), "tk-cli", "4", "127.0.0.1", str(lp), "127.0.0.1", str(port), o, n)
        for (o, n), lp in zip(CLIENT_STATES, [0, lport, lport, lport, lport])
    ]


# ---------------------------------------------------------------------------------------
# tcptop


@pytest.mark.parametrize("fam", FAMILIES)
def test_tcptop_bytes(fam, no_leftovers):
    t = tracer(["tcptop", "--json", "-C", "1"])
    c = connect(fam, UP, DOWN)
    out = stop_ok(t)
    tot = {}
    for l in out:
        obj = json.loads(l)
        for e in obj["connections"]:
            if {e["lport"], e["rport"]} == {c.port, c.lport}:
                k = (e["pid"], e["comm"], e["ip"], e["laddr"], e["lport"], e["raddr"], e["rport"])
                s = tot.setdefault(k, [0, 0])
                s[0] += e["rx_b"]
                s[1] += e["tx_b"]
    a = c.addr
    assert tot == {
        (c.cpid, "tk-cli", int(fam), a, c.lport, a, c.port): [DOWN, UP],
        (c.spid, "tk-srv", int(fam), a, c.port, a, c.lport): [UP, DOWN],
    }


def test_tcptop_text_layout(no_leftovers):
    t = tracer(["tcptop", "-C", "-S", "-p", "1", "1", "2"])
    assert t.ready_line == "Tracing... Output every 1 secs. Hit Ctrl-C to end"
    rc, out, err = t.wait(timeout=20)  # count 2: ends by itself
    assert rc == 0, err
    # pid 1 makes no TCP traffic here: two empty intervals, each a blank line (-C) only.
    assert out.splitlines() == ["Tracing... Output every 1 secs. Hit Ctrl-C to end", "", ""]


# ---------------------------------------------------------------------------------------
# errors and clean exits


@pytest.mark.parametrize("args", [
    ["tcptracer", "--bogus"], ["tcptracer", "-4", "-6"], ["tcpconnect", "-P", "0"],
    ["tcpconnect", "-p", "abc"], ["tcpaccept", "-P", "70000"], ["tcpconnlat", "xyz"],
    ["tcplife", "-L", "1,,2"], ["tcpstates", "-D"], ["tcptop", "0"], ["tcptop", "1", "2", "3"],
    ["tcpconnect", "--dns"],
])
def test_bad_options_one_line_error(args):
    p = spawn([BIN, *args])
    rc, out, err = collect(p)
    assert rc == 2, (rc, err)
    assert out == ""
    # bcc's argparse: the usage block, then one "TOOL: error: ..." line
    lines = err.splitlines()
    assert lines[0].startswith(f"usage: {args[0]} [") and len(lines) <= 3, err
    assert all(l.startswith(" ") for l in lines[1:-1]), err
    assert lines[-1].startswith(args[0] + ": error: "), err


@pytest.mark.parametrize("tool", ["tcptracer", "tcpconnect", "tcpaccept", "tcpconnlat", "tcplife", "tcpstates", "tcptop"])
def test_sigterm_leaves_nothing(tool, no_leftovers):
    t = tracer([tool])
    rc, out, err = t.stop(signal.SIGTERM)
    assert rc == 0, err


def test_comm_escaped(no_leftovers):
    """A comm with a control character is printed escaped, never raw."""
    t = tracer(["tcpconnect", "-4"])
    server = spawn([sys.executable, "-c", PEER, "server", "4", "0", 1, 1])
    port = int(wait_line(server, r"^listening ").split()[1])
    code = PEER.replace('b"tk-cli"', 'b"ev\\x01il"')
    client = spawn([sys.executable, "-c", code, "client", "4", port, 1, 1])
    wait_line(client, r"^lport ")
    wait_line(server, r"^done$", timeout=20)
    out = stop_ok(t)
    ours = [l for l in out if l.split()[0] == str(client.pid)]
    assert len(ours) == 1 and "\x01" not in ours[0] and "ev\\x01il" in ours[0], ours


def test_tcpconnect_count(no_leftovers):
    t = tracer(["tcpconnect", "-c", "-6"])
    server = spawn([sys.executable, "-c", PEER, "server", "6", "0", 1, 1])
    port = int(wait_line(server, r"^listening ").split()[1])
    client = spawn([sys.executable, "-c", PEER, "client", "6", port, 1, 1])
    wait_line(server, r"^done$", timeout=20)
    collect(client)
    pid, _, rport = refused_connect("6")
    out = stop_ok(t)
    assert out[:3] == ["Tracing connect ... Hit Ctrl-C to end", "",
                       "LADDR                     RADDR                     RPORT                CONNECTS  "]
    ours = [l for l in out[3:] if l.split()[2] in (str(port), str(rport))]
    assert sorted(ours) == sorted(["%-25s %-25s %-20d %-10d" % ("::1", "::1", p, 1) for p in (port, rport)])


def test_tcpconnlat_min_duration(no_leftovers):
    t = tracer(["tcpconnlat", "10000"])  # only connects slower than 10 s
    c = connect("4")
    out = stop_ok(t)
    assert [l for l in out[1:] if l.split()[0] in (str(c.cpid), str(c.spid))] == []
