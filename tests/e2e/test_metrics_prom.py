"""--metrics read by a real Prometheus: the numbers it stores are the calls that were made.

Debian's Prometheus (tests/e2e/prom.py) scrapes tracekit every second on loopback; the Go
targets make a known number of calls; Prometheus's HTTP API must give back exactly that
number, for the function tools and for a language program, and for each "host" of a fleet
in miniature (three services and three exporters on 127.0.0.2, .3 and .4). promtool accepts
what every tool and the language serve.

The metric names and the rules that make them are in docs/metrics.md.
"""

import math
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

from conftest import (BPFTRACE_NOTIFY, ROOT, TRACEKIT, collect, count_rows, output, spawn, start_rpc_service, target,
                      wait_line)
from prom import (PROMTOOL, exporter, finite, lang_exporter, metrics_addr, private, promtool_check,
                  run_gostress, scrape, start_prometheus)

pytestmark = pytest.mark.usefixtures("no_leftovers")

MUL = "main.(*Arith).Mul"


# ---- helpers ------------------------------------------------------------------------------

def buckets(prom, family, labels=""):
    """[(le, cumulative count)] of a histogram family's _bucket series, by le ascending."""
    sel = f"{family}_bucket{{{labels}}}" if labels else f"{family}_bucket"
    res = [(float(l["le"]), v) for l, v in prom.query(sel)]
    return sorted(res)


def assert_cumulative(bs, total, what):
    assert bs, f"{what}: no _bucket series"
    assert bs[-1][0] == math.inf and bs[-1][1] == total, f"{what}: +Inf bucket != {total}: {bs}"
    counts = [c for _, c in bs]
    assert counts == sorted(counts), f"{what}: buckets not cumulative: {bs}"


def assert_quantiles_true(prom, family, qs=(0.5, 0.9, 0.99)):
    """The quantiles Prometheus computes from rate() (what dashboards use) are those of the
    data: every call of the test was made inside the 1 m window, after the first scrape, so
    rate() must be proportional to the counts and give the quantiles the counts give. A
    bucket series that appears only when its first value comes loses that value in rate()."""
    for q in qs:
        by_rate = prom.value(f"histogram_quantile({q}, sum by (le) "
                             f"(rate({family}_bucket[1m])))")
        by_count = prom.value(f"histogram_quantile({q}, sum by (le) ({family}_bucket))")
        assert finite(by_rate) and finite(by_count) and \
            by_count / 1.5 <= by_rate <= by_count * 1.5, \
            f"p{q * 100:g}: {by_rate} from rate(), {by_count} from the counts"


def le_set(prom, family, labels=""):
    return {l["le"] for l, _ in prom.query(f"{family}_bucket{{{labels}}}")}


def exact(prom, expr, n, timeout=30):
    """expr reaches n, keeps n over two more scrapes, and never went above it."""
    prom.wait_value(expr, n, timeout)
    prom.wait_scrapes(2)
    assert prom.value(expr) == n
    assert prom.value(f"max_over_time(({expr})[5m:1s])") == n


# ---- (a) the function tools --------------------------------------------------------------

def test_function_tools_counts_exact_through_prometheus(tmp_path):
    """funccount, funclatency and funcslower on the article's service, each with -p and
    --metrics, one Prometheus scraping the three: counts equal the calls made."""
    svc = start_rpc_service()
    spec = f"{svc.bin}:main.*.Mul"
    a_cnt, a_lat, a_slow = metrics_addr(), metrics_addr(), metrics_addr()
    cnt = exporter(["funccount", "--metrics", a_cnt, "-p", svc.pid, spec], a_cnt)
    lat = exporter(["funclatency", "--metrics", a_lat, "-p", svc.pid, spec], a_lat)
    slow = exporter(["funcslower", "--metrics", a_slow, "-m", 2, "-p", svc.pid,
                     f"{svc.bin}:{MUL}"], a_slow)
    prom = start_prometheus(tmp_path / "prom", [a_cnt, a_lat, a_slow])

    f = f'func="{MUL}"'
    svc.call(200)
    exact(prom, f"tracekit_funccount_calls_total{{{f}}}", 200)
    exact(prom, f"tracekit_funclatency_seconds_count{{{f}}}", 200)
    # a second batch, with 3 slow (4 ms) calls: the counters go on from where they were
    svc.call(97)
    svc.call(3, a=-4, b=5)
    n = 300
    exact(prom, f"tracekit_funccount_calls_total{{{f}}}", n)
    exact(prom, f"tracekit_funclatency_seconds_count{{{f}}}", n)
    exact(prom, f"tracekit_funcslower_calls_total{{{f}}}", 3)
    exact(prom, f"tracekit_funcslower_latency_seconds_count{{{f}}}", 3)

    # funclatency's histogram: cumulative, +Inf == count, the 3 slow calls above 2 ms
    lb = buckets(prom, "tracekit_funclatency_seconds", f)
    assert_cumulative(lb, n, "funclatency")
    at_2ms = max(c for le, c in lb if le < 0.002)
    assert at_2ms <= n - 3, lb
    s = prom.value(f"tracekit_funclatency_seconds_sum{{{f}}}")
    assert finite(s) and 3 * 0.004 <= s < 60, s
    sb = buckets(prom, "tracekit_funcslower_latency_seconds", f)
    assert_cumulative(sb, 3, "funcslower")
    assert all(c == 0 for le, c in sb if le < 0.002), sb
    s = prom.value(f"tracekit_funcslower_latency_seconds_sum{{{f}}}")
    assert finite(s) and 3 * 0.004 <= s < 60, s

    # self metrics of each exporter, per instance
    for addr in (a_cnt, a_lat, a_slow):
        inst = f'instance="{addr}"'
        assert prom.value(f"tracekit_build_info{{{inst}}}") == 1
        assert prom.value(f"tracekit_probes_attached{{{inst}}}") >= 1
        assert prom.value(f"tracekit_lost_events_total{{{inst}}}") == 0
        assert prom.value(f"tracekit_dropped_series_total{{{inst}}}") == 0
        runs = prom.value(f"sum(tracekit_bpf_prog_runs_total{{{inst}}})")
        assert runs is not None and runs >= 3, f"{addr}: bpf_prog_runs_total {runs}"
        secs = prom.value(f"sum(tracekit_bpf_prog_run_seconds_total{{{inst}}})")
        assert finite(secs) and secs > 0, f"{addr}: bpf_prog_run_seconds_total {secs}"
    assert prom.stop() == 0

    # the normal output goes on as before
    rc, out, err = cnt.stop()
    assert rc == 0 and count_rows(out) == {MUL: n}, out + err
    rc, out, err = lat.stop()
    assert rc == 0 and re.search(rf"^avg = \d+ \w+, total: \d+ \w+, count: {n}$", out, re.M), out
    rc, out, err = slow.stop()
    assert rc == 0, err
    assert len([l for l in out.splitlines() if re.match(r"^rpcserver\s+\d+", l)]) == 3, out


def test_histogram_layout_fixed_and_quantiles_from_rate_true(tmp_path):
    """Fast calls, then a few slow ones: the slow calls must not make new bucket series
    appear (Prometheus's rate() never sees a new series' first value), and the quantiles
    computed from rate(), as dashboards do, must be those of the calls made."""
    svc = start_rpc_service()
    addr = metrics_addr()
    lat = exporter(["funclatency", "--metrics", addr, "-p", svc.pid, f"{svc.bin}:{MUL}"], addr)
    prom = start_prometheus(tmp_path / "prom", [addr])
    f = f'func="{MUL}"'
    svc.call(100)
    exact(prom, f"tracekit_funclatency_seconds_count{{{f}}}", 100)
    layout = le_set(prom, "tracekit_funclatency_seconds", f)
    svc.call(100)
    svc.call(5, a=-3, b=1)  # 3 ms each: 5 of 205 calls, 2.4 %
    exact(prom, f"tracekit_funclatency_seconds_count{{{f}}}", 205)
    grown = le_set(prom, "tracekit_funclatency_seconds", f) - layout
    assert not grown, f"bucket series that appeared with the slow calls: {sorted(grown)}"
    assert_quantiles_true(prom, "tracekit_funclatency_seconds")
    assert prom.stop() == 0
    rc, out, err = lat.stop()
    assert rc == 0, err


def test_funccount_funclatency_gostress_exact(tmp_path):
    """gostress's exact call count, many goroutines: the tools and Prometheus agree."""
    gs = private(tmp_path, "gostress")
    n = 5000
    release = run_gostress(gs, n, g=8)
    a_cnt, a_lat = metrics_addr(), metrics_addr()
    cnt = exporter(["funccount", "--metrics", a_cnt, f"{gs}:main.f"], a_cnt)
    lat = exporter(["funclatency", "--metrics", a_lat, f"{gs}:main.f"], a_lat)
    prom = start_prometheus(tmp_path / "prom", [a_cnt, a_lat])
    release()
    exact(prom, 'tracekit_funccount_calls_total{func="main.f"}', n)
    exact(prom, 'tracekit_funclatency_seconds_count{func="main.f"}', n)
    assert_cumulative(buckets(prom, "tracekit_funclatency_seconds", 'func="main.f"'), n,
                      "funclatency")
    assert prom.stop() == 0
    for t in (cnt, lat):
        rc, out, err = t.stop()
        assert rc == 0, err


# ---- (b) a language program --------------------------------------------------------------

def test_language_maps_exact_through_prometheus(tmp_path):
    """count(), sum() and a Go entry/return hist() in a program, read back from Prometheus:
    label names from the key expressions, _ns maps in seconds."""
    gs = private(tmp_path, "gostress")
    n = 3000
    prog = (
        f"uprobe:{gs}:main.f {{ @calls[func] = count(); @bymode[args.mode] = count(); "
        f"@depth = sum(args.depth); @start[goid] = nsecs; }} "
        f"uretprobe:{gs}:main.f {{ @lat_ns = hist(nsecs - @start[goid]); "
        f"delete(@start[goid]); }}"
    )
    release = run_gostress(gs, n, g=4)
    addr = metrics_addr()
    t = lang_exporter(prog, addr)
    prom = start_prometheus(tmp_path / "prom", [addr])
    release()
    exact(prom, 'tracekit_calls_total{func="main.f"}', n)
    exact(prom, 'tracekit_bymode_total{mode="leaf"}', n)
    exact(prom, "tracekit_depth_total", 16 * n)  # gostress's default -depth 16
    exact(prom, "tracekit_lat_seconds_count", n)
    assert_cumulative(buckets(prom, "tracekit_lat_seconds"), n, "@lat_ns")
    s = prom.value("tracekit_lat_seconds_sum")
    assert finite(s) and 0 < s < 60, f"@lat_ns sum in seconds: {s}"
    # no series of @start is left once every call returned
    assert prom.query("tracekit_start") == []
    assert prom.value("tracekit_dropped_series_total") == 0
    assert prom.stop() == 0
    rc, out, err = t.stop()
    assert rc == 0, err
    assert f'@calls[main.f]: {n}' in out, out


def test_language_gauges_and_summary_through_prometheus(tmp_path):
    """avg/min/max/plain integers -> gauges, stats() -> _sum and _count, positional keys."""
    gs = private(tmp_path, "gostress")
    n = 1000
    prog = (
        f"uprobe:{gs}:main.f {{ @mx = max(args.depth); @mn = min(args.depth); "
        f"@av = avg(args.depth); @st = stats(args.depth); @last = args.depth; "
        f"@pair[args.mode, args.depth] = count(); @pos[args.depth * 2, 1] = count(); "
        f"$m = args.depth; @v[$m] = count(); @p[probe] = count(); @wait_ms = max(7); "
        f"@ = count(); }}"
    )
    release = run_gostress(gs, n, g=2)
    addr = metrics_addr()
    t = lang_exporter(prog, addr, extra=["-q"])
    prom = start_prometheus(tmp_path / "prom", [addr])
    release()
    exact(prom, "tracekit_st_count", n)
    exact(prom, "tracekit_map_total", n)
    exact(prom, 'tracekit_pair_total{mode="leaf",depth="16"}', n)
    exact(prom, 'tracekit_pos_total{key0="32",key1="1"}', n)
    exact(prom, 'tracekit_v_total{m="16"}', n)
    exact(prom, f'tracekit_p_total{{probe="uprobe:{gs}:main.f"}}', n)
    assert prom.value("tracekit_wait_seconds") == 0.007  # @wait_ms: 7 ms
    assert prom.value("tracekit_st_sum") == 16 * n
    for g in ("tracekit_mx", "tracekit_mn", "tracekit_av", "tracekit_last"):
        assert prom.value(g) == 16, g
    st, _, body = scrape(addr)
    text = body.decode()
    for fam, typ in (("tracekit_mx", "gauge"), ("tracekit_av", "gauge"),
                     ("tracekit_last", "gauge"), ("tracekit_st", "summary"),
                     ("tracekit_map_total", "counter"), ("tracekit_pair_total", "counter")):
        assert f"# TYPE {fam} {typ}\n" in text, (fam, text)
        assert re.search(rf"^# HELP {fam} ", text, re.M), (fam, text)
    assert prom.stop() == 0
    rc, out, err = t.stop()
    assert rc == 0 and out == "", (out, err)  # -q with --metrics: nothing on stdout


# ---- (c) promtool accepts every endpoint -------------------------------------------------

def _activity(tmp_path):
    """A little of everything the tcp and snoop tools see: a loopback TCP exchange, an
    exec, opens, stats, an fsync, a kill(0) and a bind."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    c = socket.create_connection(srv.getsockname())
    a, _ = srv.accept()
    c.sendall(b"x" * 10000)
    got = 0
    while got < 10000:
        got += len(a.recv(65536))
    a.sendall(b"y" * 100)
    c.recv(100)
    c.close()
    a.close()
    srv.close()
    subprocess.run(["/bin/true"], check=True)
    p = tmp_path / "activity.txt"
    with open(p, "w") as f:
        f.write("x")
        f.flush()
        os.fsync(f.fileno())
        os.stat(p)
        os.kill(os.getpid(), 0)


TOOLS = ["execsnoop", "exitsnoop", "opensnoop", "killsnoop", "statsnoop", "syncsnoop",
         "bindsnoop", "tcptracer", "tcpconnect", "tcpaccept", "tcpconnlat", "tcplife",
         "tcpstates", "tcptop", "tcpretrans", "tcpdrop", "tcpcong", "tcprtt", "tcpsubnet",
         "tcpsynbl"]


def _check_body(addr, family_prefix, samples=True, timeout=15):
    """Scrape addr (until a sample of family_prefix* is there, with samples); promtool must
    accept the body; returns it as text."""
    deadline = time.monotonic() + timeout
    while True:
        st, hdr, body = scrape(addr)
        assert st == 200, (st, body[:500])
        text = body.decode()
        if not samples or re.search(rf"^{family_prefix}\w*[{{ ]", text, re.M):
            break
        if time.monotonic() > deadline:
            pytest.fail(f"no sample of {family_prefix}* from {addr} within {timeout} s:\n"
                        f"{text[:6000]}")
        time.sleep(0.2)
    assert hdr.get("content-type") == "text/plain; version=0.0.4; charset=utf-8", hdr
    ok, msg = promtool_check(body)
    assert ok, f"promtool check metrics refused {addr}:\n{msg}\n--- body ---\n{body[:6000]!r}"
    assert 'tracekit_build_info{version="' in text, text[:6000]
    return text


# tools that see nothing of _activity() on loopback (retransmits, drops, congestion states)
NO_EVENTS = {"tcpretrans", "tcpdrop", "tcpcong"}


# the options that add or change families
TOOL_VARIANTS = [("tcpretrans", "-c"), ("tcpcong", "-d"), ("tcprtt", "-B"), ("tcprtt", "-b"),
                 ("execsnoop", "-x")]


@pytest.mark.parametrize("tool,opt", [(t, None) for t in TOOLS] + TOOL_VARIANTS)
def test_promtool_accepts_tool_endpoint(tool, opt, tmp_path):
    addr = metrics_addr()
    t = exporter([tool, "--metrics", addr] + ([opt] if opt else []), addr,
                 attached=r"^Tracing|^[A-Z]{3,}", stream="both")
    _activity(tmp_path)
    _check_body(addr, f"tracekit_{tool}_", samples=tool not in NO_EVENTS)
    rc, out, err = t.stop()
    assert rc == 0, err


def test_promtool_accepts_function_tools(tmp_path):
    svc = start_rpc_service()
    spec = f"{svc.bin}:main.*.Mul"
    addrs = {tool: metrics_addr() for tool in ("funccount", "funclatency", "funcslower")}
    ts = [exporter([tool, "--metrics", addrs[tool], "-p", svc.pid]
                   + (["-u", 1] if tool == "funcslower" else []) + [spec], addrs[tool])
          for tool in addrs]
    svc.call(20)
    for tool, addr in addrs.items():
        _check_body(addr, f"tracekit_{tool}_")
    for t in ts:
        rc, out, err = t.stop()
        assert rc == 0, err


def test_promtool_accepts_language(tmp_path):
    svc = start_rpc_service()
    la = metrics_addr()
    prog = (f"uprobe:{svc.bin}:main.*.Mul {{ @calls[func, pid, comm] = count(); "
            f"@argsum = sum(arg0); @st = stats(1); @mx = max(2); @av = avg(3); @plain = 7; "
            f"@pids = hist(pid); @pidl = lhist(pid, 0, 1000000, 100000); @lat_us = hist(1); "
            f'@odd["a\\"b\\\\c\\n"] = count(); }}')
    lt = lang_exporter(prog, la, extra=["-p", svc.pid])
    svc.call(20)
    text = _check_body(la, "tracekit_calls")
    assert re.search(r'^tracekit_calls_total\{func="main\.\(\*Arith\)\.Mul",pid="\d+",'
                     r'comm="rpcserver"\} 20$', text, re.M), text
    assert "# TYPE tracekit_lat_seconds histogram" in text, text
    # a label value with a quote, a backslash and a newline, escaped as the format says
    assert 'tracekit_odd_total{key0="a\\"b\\\\c\\n"} 20' in text, text
    rc, out, err = lt.stop()
    assert rc == 0, err


# ---- (d) the fleet in miniature ----------------------------------------------------------

def _service_on(host):
    """rpcserver listening on host (127.0.0.2 ...), its port chosen by us."""
    binary = target("rpcserver")
    for _ in range(3):
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        p = spawn([binary, "-addr", f"{host}:{port}"])
        try:
            wait_line(p, r"^listening on ", timeout=15)
            return p, f"{host}:{port}"
        except pytest.fail.Exception:
            if "address already in use" not in output(p, "stderr"):
                raise
    pytest.fail(f"no free port on {host}")


def _calls(addr, n, a=10, b=20):
    c = spawn([target("rpcclient"), "-addr", addr, "-n", n, "-a", a, "-b", b])
    rc, out, err = collect(c, 60)
    assert rc == 0 and f"calls={n} errors=0" in out, out + err


@pytest.mark.timeout(240)
def test_fleet_in_miniature(tmp_path):
    """Three hosts (127.0.0.2, .3, .4), each a service and its exporter limited to it with
    -p, the same binary on all three; one Prometheus: per-instance sums are each host's
    calls, and the fleet's p99 is a number."""
    hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    calls = {"127.0.0.2": 120, "127.0.0.3": 240, "127.0.0.4": 360}
    binary = target("rpcserver")
    fleet = []
    for h in hosts:
        svc, svc_addr = _service_on(h)
        with socket.socket() as s:
            s.bind((h, 0))
            maddr = f"{h}:{s.getsockname()[1]}"
        exp = exporter(["funclatency", "--metrics", maddr, "-p", svc.pid,
                        f"{binary}:{MUL}"], maddr)
        fleet.append((h, svc_addr, maddr, exp))
    labels = {m: {"host": h} for h, _, m, _ in fleet}
    prom = start_prometheus(tmp_path / "prom", [m for _, _, m, _ in fleet], labels=labels)

    # two batches, so that rate() over the window sees the counters grow
    for h, svc_addr, _, _ in fleet:
        _calls(svc_addr, calls[h] // 2)
    for h, _, maddr, _ in fleet:
        prom.wait_value(f'sum(tracekit_funclatency_seconds_count{{instance="{maddr}"}})',
                        calls[h] // 2)
    for h, svc_addr, _, _ in fleet:
        _calls(svc_addr, calls[h] // 2)
        _calls(svc_addr, 2, a=-3, b=1)  # 3 ms each: the fleet has a slow tail
    for h, _, maddr, _ in fleet:
        exact(prom, f'sum(tracekit_funclatency_seconds_count{{instance="{maddr}"}})',
              calls[h] + 2)
    per_host = {l["host"]: v for l, v in
                prom.query("sum by (host) (tracekit_funclatency_seconds_count)")}
    assert per_host == {h: float(calls[h] + 2) for h in hosts}
    total = sum(calls.values()) + 6
    assert prom.value("sum(tracekit_funclatency_seconds_count)") == total

    p99 = prom.wait_until(
        "histogram_quantile(0.99, sum by (le) (rate(tracekit_funclatency_seconds_bucket[1m])))",
        finite, what="a finite p99")
    p50 = prom.value(
        "histogram_quantile(0.5, sum by (le) (rate(tracekit_funclatency_seconds_bucket[1m])))")
    assert 0 < p99 < 60 and finite(p50) and p50 <= p99, (p50, p99)
    # one instance's own p99, and the calls rate, per host
    rates = prom.query("sum by (host) (rate(tracekit_funclatency_seconds_count[1m]))")
    assert {l["host"] for l, v in rates if v > 0} == set(hosts), rates
    assert prom.stop() == 0
    for h, _, _, exp in fleet:
        rc, out, err = exp.stop()
        assert rc == 0, err


# ---- contrib/ ----------------------------------------------------------------------------

def test_contrib_configs_are_valid(tmp_path):
    """The scrape config and rules pass promtool; the unit passes systemd-analyze verify
    (ExecStart pointed at a binary that exists here) with no warning."""
    contrib = ROOT / "contrib"
    r = subprocess.run([PROMTOOL, "check", "config", contrib / "prometheus-scrape.yml"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "SUCCESS: 1 rule files found" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([PROMTOOL, "check", "rules", contrib / "tracekit-rules.yml"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze not found (Debian package systemd)"
    unit = tmp_path / "tracekit-metrics@.service"
    text = (contrib / "tracekit-metrics@.service").read_text()
    assert "ExecStart=/usr/local/bin/tracekit $TRACEKIT_ARGS\n" in text
    unit.write_text(text.replace("ExecStart=/usr/local/bin/tracekit", "ExecStart=/bin/true"))
    r = subprocess.run([analyze, "verify", "--man=no", unit], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr
    conf = (contrib / "tracekit-metrics-rpc.conf").read_text()
    args = re.search(r"^TRACEKIT_ARGS=(.*)$", conf, re.M).group(1).split()
    assert args[:3] == ["funclatency", "--metrics", "127.0.0.1:9435"], args


def test_contrib_unit_capabilities_are_enough(tmp_path):
    """The unit's CapabilityBoundingSet and NoNewPrivileges (setpriv, as systemd sets them)
    are enough for a tool and a program to trace and serve: counts exact."""
    text = (ROOT / "contrib" / "tracekit-metrics@.service").read_text()
    caps = re.search(r"^CapabilityBoundingSet=(.*)$", text, re.M).group(1).split()
    assert "NoNewPrivileges=yes" in text
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv not found (Debian package util-linux)"
    bounding = "-all," + ",".join("+" + c.lower().removeprefix("cap_") for c in caps)
    jail = [setpriv, "--bounding-set", bounding, "--no-new-privs", "--"]

    gs = private(tmp_path, "gostress")
    n = 1234
    release = run_gostress(gs, n)
    a_tool, a_lang = metrics_addr(), metrics_addr()
    tool = exporter([*jail, TRACEKIT, "funclatency", "--metrics", a_tool, f"{gs}:main.f"],
                    a_tool, binary_argv=True)
    prog = exporter([*jail, TRACEKIT, "--metrics", a_lang, "-e",
                     f"uprobe:{gs}:main.f {{ @calls = count(); }}"], a_lang,
                    attached=BPFTRACE_NOTIFY, stream="stderr", env={BPFTRACE_NOTIFY: "1"},
                    binary_argv=True)
    # the tracer runs with the unit's set (less what this machine's own bounding set lacks)
    numbers = {"CAP_DAC_READ_SEARCH": 2, "CAP_SYS_PTRACE": 19, "CAP_SYS_ADMIN": 21,
               "CAP_SYS_RESOURCE": 24, "CAP_PERFMON": 38, "CAP_BPF": 39}
    assert set(caps) <= set(numbers), caps

    def bounding_set(pid):
        status = open(f"/proc/{pid}/status").read()
        return int(re.search(r"^CapBnd:\s*(\w+)$", status, re.M).group(1), 16)
    want = sum(1 << numbers[c] for c in caps) & bounding_set("self")
    assert bounding_set(tool.pid) == want and bounding_set(prog.pid) == want
    release()
    st, _, body = scrape(a_tool)
    assert re.search(rf'^tracekit_funclatency_seconds_count{{func="main\.f"}} {n}$',
                     body.decode(), re.M), body.decode()[:4000]
    st, _, body = scrape(a_lang)
    assert re.search(rf"^tracekit_calls_total {n}$", body.decode(), re.M), body.decode()[:4000]
    # bpf_stats could be turned on (CAP_SYS_ADMIN): the run time is there
    assert re.search(r"^tracekit_bpf_prog_runs_total\{prog=\S+\} [1-9]", body.decode(), re.M)
    for t in (tool, prog):
        rc, out, err = t.stop()
        assert rc == 0, err
