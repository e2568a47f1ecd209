"""End-to-end tests of tcpretrans, tcpdrop, tcpcong, tcprtt, tcpsubnet and tcpsynbl on the real
kernel, with real TCP traffic.

Every test creates its own network namespace (tk-test-<random>) with lo up, runs the client
and server inside it (`ip netns exec`), and removes the namespace at teardown, also when the
test failed. Loss is made with an nftables rule inside that namespace that drops every packet
to the server's port for a while (this kernel has no netem). Tracers run outside: the tcp
tracepoints fire in every namespace, so rows are picked by our own ports, addresses, backlog
sizes or the namespace itself (tcpdrop --pid-netns).

TK_TCPB_BIN may name another tracekit binary (e.g. one linked with only these tools while the
main build is broken); the default is build/tracekit.
"""

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TRACEKIT, collect, core_relocations, kill_spawned, kernel_state, leftovers, run_tracer, spawn, wait_line

BIN = Path(os.environ.get("TK_TCPB_BIN", str(TRACEKIT)))

# One TCP connection inside the namespace, driven by commands on stdin:
#   send N SIZE  N writes of SIZE bytes from the client, 50 ms apart (TCP_NODELAY, so each
#                write is its own segment), then "sent"
#   recv         wait until the server has read everything sent so far, then "received N"
#   close        close both ends, then "closed"
FLOW = r"""
import socket, sys, time
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
host, port = sys.argv[2], int(sys.argv[3])
srv = socket.socket(fam)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port))
srv.listen(8)
cli = socket.socket(fam)
cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
cli.connect((host, port))
conn, _ = srv.accept()
print("ready", cli.getsockname()[1], flush=True)
sent = received = 0
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == "send":
        n, size = int(cmd[1]), int(cmd[2])
        for i in range(n):
            cli.sendall(b"x" * size)
            sent += size
            if i + 1 < n:
                time.sleep(0.05)
        print("sent", flush=True)
    elif cmd[0] == "recv":
        while received < sent:
            received += len(conn.recv(65536))
        print("received", received, flush=True)
    elif cmd[0] == "close":
        cli.close()
        conn.close()
        print("closed", flush=True)
"""

# K clients connect to a listener with backlog B that never accepts; "done" when connected.
SYNBL = r"""
import socket, sys, time
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
host, port, backlog, k = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
srv = socket.socket(fam)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port))
srv.listen(backlog)
clients = []
for i in range(k):
    c = socket.socket(fam)
    c.connect((host, port))
    clients.append(c)
print("done", flush=True)
sys.stdin.read()
"""

LOOPBACK = {4: "127.0.0.1", 6: "::1"}

# Names of the BPF programs of these six tools (src/bpf/tcp{retrans,drop,cong,rtt,subnet,synbl}.bpf.c).
OUR_PROGS = {"tcp_retransmit_skb", "tcp_send_loss_probe", "kfree_skb", "tcp_cong_state_set",
             "inet_sock_set_state", "tcp_probe", "sock_send_length"}


def sh(*argv, check=True, input=None):
    r = subprocess.run(argv, capture_output=True, text=True, input=input, timeout=30)
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def _prog_name(prog_id):
    r = subprocess.run(["bpftool", "-j", "prog", "show", "id", str(prog_id)], capture_output=True,
                       text=True, timeout=30)
    return json.loads(r.stdout).get("name") if r.returncode == 0 and r.stdout else None


@pytest.fixture
def no_leftovers(procs):
    """conftest's check, limited to our own programs: on this shared machine other people's
    tools come and go (and some leave links behind) while these tests run."""
    before = kernel_state()
    yield before
    kill_spawned()
    ours = []
    for p in leftovers(before):
        m = re.search(r"prog_id=(\d+)", p) or re.search(r"BPF prog (\d+)", p)
        if p.startswith("uprobe_events") or (m and _prog_name(m.group(1)) in OUR_PROGS):
            ours.append(p)
    assert not ours, "left in the kernel after the test:\n  " + "\n  ".join(ours)


@pytest.fixture
def netns():
    """A fresh network namespace with lo up; deleted at teardown whatever happened."""
    for tool in ("ip", "nft"):
        if not subprocess.run(["which", tool], capture_output=True).returncode == 0:
            pytest.fail(f"{tool} not found: install iproute2 and nftables (scripts/deps.sh)")
    name = f"tk-test-{random.getrandbits(32):08x}"
    sh("ip", "netns", "add", name)
    try:
        sh("ip", "-n", name, "link", "set", "lo", "up")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=30)


def in_ns(ns, code, *args):
    """Run python code inside ns with a stdin pipe; returns the process (pid is python's)."""
    return spawn(["ip", "netns", "exec", ns, sys.executable, "-c", code, *map(str, args)],
                 stdin=subprocess.PIPE)


def tell(proc, line):
    proc.stdin.write((line + "\n").encode())
    proc.stdin.flush()


def drop_port(ns, port):
    """nftables inside ns: drop every TCP packet to port (both IPv4 and IPv6)."""
    rules = (f"table inet tktest {{ chain in {{ type filter hook input priority 0; "
             f"tcp dport {port} drop; }}; }}")
    sh("ip", "netns", "exec", ns, "nft", "-f", "-", input=rules)


def undrop(ns):
    sh("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "tktest")


def port():
    return random.randint(20000, 30000)


def start_flow(ns, fam):
    sport = port()
    flow = in_ns(ns, FLOW, fam, LOOPBACK[fam], sport)
    cport = int(wait_line(flow, r"^ready \d+$").split()[1])
    return flow, sport, cport


def lossy_exchange(ns, flow, sport, retrans_seen):
    """Send 100 bytes while the server's port drops everything; undrop once retrans_seen()
    says the loss was noticed, then wait until the server got the data."""
    drop_port(ns, sport)
    try:
        tell(flow, "send 1 100")
        wait_line(flow, r"^sent$")
        retrans_seen()
    finally:
        undrop(ns)
    tell(flow, "recv")
    wait_line(flow, r"^received 100$", timeout=30)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def drop_reason_code(name):
    """The value of SKB_DROP_REASON_<name> in this kernel's BTF."""
    r = sh("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux")
    m = re.search(rf"'SKB_DROP_REASON_{name}' val=(\d+)", r.stdout)
    assert m, f"SKB_DROP_REASON_{name} not in the kernel's BTF"
    return int(m.group(1))


def hist_rows(text):
    """(low, high, count) of every row of bcc log2 histograms in text."""
    return [tuple(map(int, m)) for m in re.findall(r"^\s*(\d+) -> (\d+)\s*: (\d+)\s*\|", text, re.M)]


# ---------------------------------------------------------------------------------------
# tcpretrans


@pytest.mark.parametrize("fam", [4, 6])
def test_tcpretrans_sees_retransmits_of_our_flow(netns, no_leftovers, fam):
    text = run_tracer(["tcpretrans", f"-{fam}"], binary=BIN, ready_regex=r"^Tracing retransmits")
    js = run_tracer(["tcpretrans", "--json", "-s"], binary=BIN, ready_regex=r"^Tracing")
    count = run_tracer(["tcpretrans", "-c"], binary=BIN, ready_regex=r"^Tracing")
    flow, sport, cport = start_flow(netns, fam)
    wait_line(text.proc, r"^TIME +PID +IP LADDR:LPORT +T> RADDR:RPORT +STATE$")
    addr = re.escape(LOOPBACK[fam])
    row = (rf"^\d\d:\d\d:\d\d \d+ +{fam}  {addr}:{cport} +R> {addr}:{sport} +ESTABLISHED$")

    def two_retransmits():
        wait_line(text.proc, row, timeout=15)
        wait_line(text.proc, row, timeout=15)

    lossy_exchange(netns, flow, sport, two_retransmits)
    tell(flow, "close")
    wait_line(flow, "^closed$")
    rc, out, err = text.stop()
    assert rc == 0, err
    rows = [l for l in out.splitlines() if re.match(row, l)]
    # Only the client's data segment was lost: no row for any other flow of ours.
    assert not [l for l in out.splitlines() if f":{sport}" in l and not re.match(row, l)]
    rc, jout, err = js.stop()
    assert rc == 0, err
    ev = [e for e in json_lines(jout) if e["lport"] == cport and e["rport"] == sport]
    assert len(ev) == len(rows) >= 2
    for e in ev:
        assert (e["ip"], e["laddr"], e["raddr"], e["type"], e["state"]) == (
            fam, LOOPBACK[fam], LOOPBACK[fam], "R", "ESTABLISHED")
        assert isinstance(e["seq"], int)
    # The same segment is sent again each time: one sequence number.
    assert len({e["seq"] for e in ev}) == 1
    rc, cout, err = count.stop()
    assert rc == 0, err
    assert re.search(r"^LADDR:LPORT +RADDR:RPORT +RETRANSMITS$", cout, re.M)
    m = re.search(rf"^\[{addr}\]#{cport} +<-> \[{addr}\]#{sport} +(\d+)$", cout, re.M)
    assert m, cout
    assert int(m.group(1)) == len(rows)


def test_tcpretrans_family_filter_excludes_other_family(netns, no_leftovers):
    t6 = run_tracer(["tcpretrans", "-6", "--json"], binary=BIN, ready_regex=r"^Tracing")
    t4 = run_tracer(["tcpretrans", "-4", "--json"], binary=BIN, ready_regex=r"^Tracing")
    flow, sport, cport = start_flow(netns, 4)
    lossy_exchange(netns, flow, sport,
                   lambda: wait_line(t4.proc, rf'"lport":{cport},', timeout=15))
    rc, out6, _ = t6.stop()
    assert rc == 0
    assert not [e for e in json_lines(out6) if e["lport"] == cport]


def test_tcpretrans_lossprobe_refused_without_kprobes():
    if Path("/sys/bus/event_source/devices/kprobe").exists():
        pytest.fail("this kernel has kprobes: the -l refusal cannot be checked here")
    p = spawn([BIN, "tcpretrans", "-l"])
    rc, out, err = collect(p)
    assert rc == 1 and out == ""
    assert len(err.splitlines()) == 1 and "tracepoint" in err and "kprobe" in err


# ---------------------------------------------------------------------------------------
# tcpdrop


@pytest.mark.parametrize("fam", [4, 6])
def test_tcpdrop_reports_netfilter_drops_with_reason_and_stack(netns, no_leftovers, fam):
    code = drop_reason_code("NETFILTER_DROP")
    sport = port()
    addr = re.escape(LOOPBACK[fam])
    flow = in_ns(netns, FLOW, fam, LOOPBACK[fam], sport)
    cport = int(wait_line(flow, r"^ready \d+$").split()[1])
    # Only drops in our namespace: the flow's python runs in it.
    js = run_tracer(["tcpdrop", "--json", "--pid-netns", flow.pid], binary=BIN,
                    ready_regex=r"^Tracing")
    text = run_tracer(["tcpdrop", f"-{fam}"], binary=BIN,
                      ready_regex=r"^TIME +PID +IP SADDR:SPORT +> DADDR:DPORT +STATE \(FLAGS\) +REASON \(CODE\)$")
    row = (rf"^\d\d:\d\d:\d\d \d+ +{fam}  {addr}:{cport} +> {addr}:{sport} +"
           rf"\S+ \([A-Z|]*ACK[A-Z|]*\) +NETFILTER_DROP \({code}\)$")
    lossy_exchange(netns, flow, sport,
                   lambda: [wait_line(text.proc, row, timeout=15) for _ in range(2)])
    rc, out, err = text.stop()
    assert rc == 0, err
    # Each drop is followed by its kernel stack (tab-indented frames) and a blank line; the
    # stack of a netfilter drop goes through nf_hook_slow.
    blocks = re.findall(rf"({row[1:-1]})\n((?:\t.*\n)+)\n", out, re.M)
    assert len(blocks) >= 2, out
    for _, stack in blocks:
        assert re.search(r"^\tnf_hook_slow\+0x[0-9a-f]+$", stack, re.M), stack
    rc, jout, err = js.stop()
    assert rc == 0, err
    ev = json_lines(jout)
    ours = [e for e in ev if e["reason"] == "NETFILTER_DROP"]
    assert len(ours) >= 2
    for e in ours:
        assert (e["ip"], e["saddr"], e["sport"], e["daddr"], e["dport"], e["reason_code"]) == (
            fam, LOOPBACK[fam], cport, LOOPBACK[fam], sport, code)
        assert "ACK" in e["flags"].split("|")
        assert any(f.startswith("nft_do_chain") for f in e["stack"])
    # --pid-netns: nothing from another namespace (ports are ours, or ours reversed).
    for e in ev:
        assert {e["sport"], e["dport"]} == {cport, sport}, e


def usage_error(tool, err):
    """bcc's argparse shape: the usage block, then one "TOOL: error: ..." line."""
    lines = err.splitlines()
    return (lines[0].startswith(f"usage: {tool} [") and len(lines) <= 3
            and all(l.startswith(" ") for l in lines[1:-1])
            and lines[-1].startswith(f"{tool}: error: "))


def test_tcpdrop_bad_options():
    for args in (["--netns-id", "x"], ["-4", "-6"], ["--pid-netns", "0"], ["-z"]):
        rc, out, err = collect(spawn([BIN, "tcpdrop", *args]))
        assert rc == 2 and out == "" and usage_error("tcpdrop", err), (args, err)
    rc, out, err = collect(spawn([BIN, "tcpdrop", "--pid-netns", str(2**22 + 1)]))
    assert rc == 1 and len(err.splitlines()) == 1 and "--pid-netns" in err


# ---------------------------------------------------------------------------------------
# tcpcong


@pytest.mark.parametrize("fam", [4, 6])
def test_tcpcong_sees_loss_state(netns, no_leftovers, fam):
    sport = port()
    # -R: only sockets whose remote port is the server's, i.e. our client.
    text = run_tracer(["tcpcong", "-R", str(sport)], binary=BIN, ready_regex=r"^Tracing tcp")
    js = run_tracer(["tcpcong", "-j", "-R", str(sport)], binary=BIN, ready_regex=r"^Tracing")
    dist = run_tracer(["tcpcong", "-d", "-j", "-u", "-R", str(sport)], binary=BIN,
                      ready_regex=r"^Tracing")
    retr = run_tracer(["tcpretrans", "--json"], binary=BIN, ready_regex=r"^Tracing")
    flow = in_ns(netns, FLOW, fam, LOOPBACK[fam], sport)
    cport = int(wait_line(flow, r"^ready \d+$").split()[1])
    lossy_exchange(netns, flow, sport,
                   lambda: [wait_line(retr.proc, rf'"lport":{cport},', timeout=15) for _ in range(2)])
    tell(flow, "close")
    wait_line(flow, "^closed$")
    rc, out, err = text.stop()
    assert rc == 0, err
    hdr = r"^LAddrPort +RAddrPort" if fam == 4 else r"^LAddrPort6 +RAddrPort6"
    assert re.search(hdr + r" +Open_ms Dod_ms Rcov_ms Cwr_ms +Los_ms Chgs", out, re.M), out
    addr = re.escape(LOOPBACK[fam])
    rows = re.findall(rf"^{addr}/{cport} +{addr}/{sport} +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) *$",
                      out, re.M)
    assert len(rows) == 1, out
    open_ms, dod, rcov, cwr, los, chgs = map(int, rows[0])
    assert los > 0 and chgs >= 1
    rc, jout, err = js.stop()
    assert rc == 0, err
    flows = [f for o in json_lines(jout) for f in o["flows"]]
    assert len(flows) == 1
    f = flows[0]
    assert (f["ip"], f["LAddrPort"], f["RAddrPort"]) == (
        fam, f"{LOOPBACK[fam]}/{cport}", f"{LOOPBACK[fam]}/{sport}")
    assert f["Los_ms"] > 0 and f["Chgs"] >= 1
    rc, dout, err = dist.stop()
    assert rc == 0, err
    states = {s["state"]: s for o in json_lines(dout) for s in o["states"]}
    assert "loss" in states and sum(b["count"] for b in states["loss"]["buckets"]) >= 1
    retr.stop()


def test_tcpcong_bad_ranges():
    for args in (["-L", "10-x"], ["-R", "70000"], ["0"], ["1", "2", "3"]):
        rc, out, err = collect(spawn([BIN, "tcpcong", *args]))
        assert rc == 2 and out == "" and usage_error("tcpcong", err), (args, err)


# ---------------------------------------------------------------------------------------
# tcprtt


@pytest.mark.parametrize("fam", [4, 6])
def test_tcprtt_counts_segments_received(netns, no_leftovers, fam):
    n = 7
    sport = port()
    # The server's socket receives exactly our n data segments while ESTABLISHED (it sends
    # no data, so the client sends no pure ACKs); tracers stop before the FIN.
    text = run_tracer(["tcprtt", "-p", str(sport), "-e"], binary=BIN, ready_regex=r"^Tracing TCP RTT")
    byl = run_tracer(["tcprtt", "-p", str(sport), "-b", "--json"], binary=BIN, ready_regex=r"^Tracing")
    flow = in_ns(netns, FLOW, fam, LOOPBACK[fam], sport)
    wait_line(flow, r"^ready \d+$")
    tell(flow, f"send {n} 10")
    wait_line(flow, "^sent$", timeout=30)
    tell(flow, "recv")
    wait_line(flow, rf"^received {n * 10}$")
    rc, out, err = text.stop()
    assert rc == 0, err
    assert re.search(r"^All Addresses = \*\*\*\*\*\* \[AVG \d+\]$", out, re.M), out
    assert re.search(r"^ +usecs +: count +distribution$", out, re.M)
    assert sum(c for _, _, c in hist_rows(out)) == n
    rc, jout, err = byl.stop()
    assert rc == 0, err
    (summary,) = json_lines(jout)
    assert summary["unit"] == "usecs"
    (h,) = summary["hists"]
    assert h["laddr"] == LOOPBACK[fam] and h["count"] == n
    assert sum(b["count"] for b in h["buckets"]) == n


def test_tcprtt_address_filters(netns, no_leftovers):
    sport = port()
    match = run_tracer(["tcprtt", "-p", str(sport), "-a", "127.0.0.1", "-A", "127.0.0.1", "--json"],
                       binary=BIN, ready_regex=r"^Tracing")
    other = run_tracer(["tcprtt", "-p", str(sport), "-A", "::1", "--json"], binary=BIN,
                       ready_regex=r"^Tracing")
    flow = in_ns(netns, FLOW, 4, "127.0.0.1", sport)
    wait_line(flow, r"^ready \d+$")
    tell(flow, "send 3 10")
    wait_line(flow, "^sent$")
    tell(flow, "recv")
    wait_line(flow, r"^received 30$")
    rc, out, _ = match.stop()
    assert rc == 0
    assert json_lines(out)[0]["hists"][0]["count"] == 3
    rc, out, _ = other.stop()
    assert rc == 0
    assert json_lines(out)[0]["hists"] == []


def test_tcprtt_bad_options():
    for args in (["-p", "x"], ["-a", "1.2.3"], ["-i", "0"], ["-b", "-B"], ["extra"]):
        rc, out, err = collect(spawn([BIN, "tcprtt", *args]))
        assert rc == 2 and out == "" and usage_error("tcprtt", err), (args, err)


# ---------------------------------------------------------------------------------------
# tcpsubnet


def test_tcpsubnet_byte_totals(netns, no_leftovers):
    v4 = f"10.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(1, 254)}"
    v6 = f"fd00::{random.getrandbits(16):x}:{random.getrandbits(16):x}"
    sh("ip", "-n", netns, "addr", "add", f"{v4}/32", "dev", "lo")
    sh("ip", "-n", netns, "-6", "addr", "add", f"{v6}/128", "dev", "lo", "nodad")
    sizes = {4: 123457, 6: 54321}
    subnets = f"{v4}/32,{v6}/128"
    js = run_tracer(["tcpsubnet", "-J", "-i", "1", subnets], binary=BIN, ready_regex=r"^Tracing")
    text = run_tracer(["tcpsubnet", "-i", "3600", subnets], binary=BIN, ready_regex=r"^Tracing")
    kb = run_tracer(["tcpsubnet", "-f", "K", "-i", "3600", subnets], binary=BIN, ready_regex=r"^Tracing")
    for fam, host in ((4, v4), (6, v6)):
        flow = in_ns(netns, FLOW, fam, host, port())
        wait_line(flow, r"^ready \d+$")
        tell(flow, f"send 1 {sizes[fam]}")
        wait_line(flow, "^sent$")
        tell(flow, "recv")
        wait_line(flow, rf"^received {sizes[fam]}$")
    rc, out, err = text.stop()
    assert rc == 0, err
    assert re.search(r"^\[\d\d/\d\d/\d\d \d\d:\d\d:\d\d\]$", out, re.M)
    assert re.search(rf"^{re.escape(v4)}/32 +{sizes[4]}$", out, re.M), out
    assert re.search(rf"^{re.escape(v6)}/128 +{sizes[6]}$", out, re.M), out
    rc, out, err = kb.stop()
    assert rc == 0, err
    assert re.search(rf"^{re.escape(v4)}/32 +{sizes[4] // 1024}$", out, re.M), out
    rc, jout, err = js.stop()
    assert rc == 0, err
    totals = {}
    for o in json_lines(jout):
        assert set(o) == {"date", "time", "entries"}
        for k, v in o["entries"].items():
            totals[k] = totals.get(k, 0) + v
    assert totals == {f"{v4}/32": sizes[4], f"{v6}/128": sizes[6]}


def test_tcpsubnet_bad_subnet():
    for args in (["10.0.0.0/33"], ["nonsense"], ["-f", "x"], ["-i", "0"]):
        rc, out, err = collect(spawn([BIN, "tcpsubnet", *args]))
        assert rc == 2 and out == "" and usage_error("tcpsubnet", err), (args, err)


# ---------------------------------------------------------------------------------------
# tcpsynbl


@pytest.mark.parametrize("fam", [4, 6])
def test_tcpsynbl_backlog_histogram(netns, no_leftovers, fam):
    other = 6 if fam == 4 else 4
    # Unusual backlog limits identify our listeners among the machine's.
    backlog = {fam: random.randint(100, 400), other: random.randint(401, 700)}
    k = 5
    text = run_tracer(["tcpsynbl"], binary=BIN, ready_regex=r"^Tracing SYN backlog")
    js = run_tracer(["tcpsynbl", f"-{fam}", "--json"], binary=BIN, ready_regex=r"^Tracing")
    for f in (fam, other):
        p = in_ns(netns, SYNBL, f, LOOPBACK[f], port(), backlog[f], k)
        wait_line(p, "^done$")
    rc, out, err = text.stop()
    assert rc == 0, err
    # Queue lengths 0..4 seen as the 5 handshakes complete: rows 0->1: 2, 2->3: 2, 4->7: 1.
    for f in (fam, other):
        m = re.search(rf"^backlog_max = {backlog[f]}\n( +backlog +: count +distribution\n(?:.*->.*\n)+)", out, re.M)
        assert m, out
        assert hist_rows(m.group(1)) == [(0, 1, 2), (2, 3, 2), (4, 7, 1)]
    rc, jout, err = js.stop()
    assert rc == 0, err
    hists = {h["backlog_max"]: h for o in json_lines(jout) for h in o["hists"]}
    assert backlog[other] not in hists  # -4/-6 filters the other family out
    h = hists[backlog[fam]]
    assert h["count"] == k
    assert [(b["low"], b["high"], b["count"]) for b in h["buckets"]] == [(0, 1, 2), (2, 3, 2), (4, 7, 1)]


def test_tcpsynbl_help_says_what_it_measures():
    rc, out, err = collect(spawn([BIN, "tcpsynbl", "--help"]))
    assert rc == 0
    assert "sock:inet_sock_set_state LISTEN -> SYN_RECV" in out and "accept queue" in out


# ---------------------------------------------------------------------------------------
# All six


@pytest.mark.parametrize("tool", [["tcpsubnet", "-i", "1"], ["tcpcong", "1"], ["tcprtt", "-i", "1"],
                                  ["tcpsynbl", "1"], ["tcpretrans"], ["tcpdrop"]])
def test_stops_when_the_reader_goes_away(tool, no_leftovers):
    # `tool | head -1`: once head has its line and exits, the tool must end by itself.
    p = spawn(["sh", "-c", f"exec {BIN} {' '.join(tool)} | head -1"])
    rc, out, err = collect(p, timeout=20)
    assert rc == 0 and len(out.splitlines()) == 1, (rc, out, err)


@pytest.mark.parametrize("tool", ["tcpretrans", "tcpdrop", "tcpcong", "tcprtt", "tcpsubnet", "tcpsynbl"])
def test_minimal_btf_relocates_like_the_full_btf(tool, no_leftovers):
    """The run-time minimal BTF (core/btfmin.c) must give libbpf the same CO-RE results as
    the kernel's full BTF: compare libbpf's "patched insn" lines of both."""
    def relocations(env):
        return core_relocations([tool, "-v"], r"^Tracing|^TIME +PID", BIN, env)

    small, err_small = relocations({})
    full, err_full = relocations({"TRACEKIT_FULL_BTF": "1"})
    assert "no minimal BTF" not in err_small
    # libbpf read the kernel's BTF only when told to skip ours.
    assert "loading kernel BTF" not in err_small and "loading kernel BTF" in err_full
    assert small and small == full
