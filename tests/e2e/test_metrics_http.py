"""The --metrics server is safe to leave running: raw sockets against its limits.

Only `GET /metrics` (and HEAD) is answered; other paths 404, other methods 405, garbage 400,
a request head over 8 KiB 431; an idle or slow client is closed after 5 s (asserted as
"within 10 s"); at most 64 clients at once, more are accepted and closed at once, and none of
it stops the answers to others or the tracing (counts stay exact); only the given address is
bound; OpenMetrics when asked; --metrics-max-series bounds the series; bad --metrics values
fail in one line and leave nothing behind.

The exporter is funccount on a private gostress (exact call counts); --metrics-max-series
is checked with a tool and with a language program.
"""

import re
import select
import socket
import time

import pytest

from conftest import BPFTRACE_NOTIFY, TRACEKIT, collect, count_rows, spawn
from prom import exporter, lang_exporter, metrics_addr, private, run_gostress, scrape, split_addr

pytestmark = pytest.mark.usefixtures("no_leftovers")

PROM_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
               "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


# ---- helpers ------------------------------------------------------------------------------

def counting(tmp_path, n=0, extra=(), addr=None):
    """funccount --metrics on main.f of a private gostress: (tracer, addr, release or None)."""
    gs = private(tmp_path, "gostress")
    release = run_gostress(gs, n, g=4) if n else None
    addr = addr or metrics_addr()
    t = exporter(["funccount", "--metrics", addr, *extra, f"{gs}:main.f"], addr)
    return t, addr, release


CALLS = 'tracekit_funccount_calls_total{func="main.f"}'


def calls_line(n):
    """The sample line of CALLS with value n (regex, text format)."""
    return rf'^tracekit_funccount_calls_total\{{func="main\.f"\}} {n}$'


def stopped_exact(t, n):
    """Stop the tracer: exit 0 and its own table says n calls of main.f."""
    rc, out, err = t.stop()
    assert rc == 0, err
    if n:
        assert count_rows(out).get("main.f") == n, out


def connect(addr, timeout=10):
    host, port = split_addr(addr)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def read_all(s, timeout=10):
    """Everything the server sends until it closes (or timeout: then what came so far, and
    closed=False)."""
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk


def request(addr, raw, timeout=10):
    """Send raw bytes and read one answer (its head, then Content-Length bytes of body, or
    up to the close): (status or None, head, body). The server may close while we send."""
    s = connect(addr)
    data = b""
    try:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered and closed before reading it all (431): read the answer
        deadline = time.monotonic() + timeout
        while True:
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"^content-length:\s*(\d+)", head, re.M | re.I)
                if raw.startswith(b"HEAD") or (m and len(body) >= int(m.group(1))):
                    break
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no complete answer to {raw[:80]!r} within {timeout} s: "
                            f"{data[:300]!r}")
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", head)
    return (int(m.group(1)) if m else None), head.decode("latin-1"), body


def calls_value(addr):
    st, _, body = scrape(addr)
    assert st == 200
    m = re.search(calls_line(r"(\S+)"), body.decode(), re.M)
    return float(m.group(1)) if m else None


def rss_kb(pid):
    m = re.search(r"^VmRSS:\s+(\d+) kB", open(f"/proc/{pid}/status").read(), re.M)
    return int(m.group(1))


def closed_by_peer(s):
    """True if the peer has closed s (EOF or reset ready to read), without blocking."""
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return False
    try:
        return s.recv(1, socket.MSG_PEEK) == b""
    except ConnectionResetError:
        return True


# ---- requests -----------------------------------------------------------------------------

def test_status_codes_and_tracing_goes_on(tmp_path):
    n = 2000
    t, addr, release = counting(tmp_path, n)
    host_hdr = f"Host: {addr}\r\n".encode()
    cases = [
        (b"GET /metrics HTTP/1.1\r\n" + host_hdr + b"\r\n", 200),
        (b"GET /metrics HTTP/1.0\r\n\r\n", 200),
        (b"HEAD /metrics HTTP/1.1\r\n" + host_hdr + b"\r\n", 200),
        (b"GET / HTTP/1.1\r\n" + host_hdr + b"\r\n", 404),
        (b"GET /nope HTTP/1.1\r\n" + host_hdr + b"\r\n", 404),
        (b"GET /metrics/../../etc/passwd HTTP/1.1\r\n" + host_hdr + b"\r\n", 404),
        (b"GET /../metrics HTTP/1.1\r\n" + host_hdr + b"\r\n", 404),
        (b"GET /metricsX HTTP/1.1\r\n" + host_hdr + b"\r\n", 404),
        (b"POST /metrics HTTP/1.1\r\n" + host_hdr + b"Content-Length: 3\r\n\r\nabc", 405),
        (b"PUT /metrics HTTP/1.1\r\n" + host_hdr + b"\r\n", 405),
        (b"DELETE /metrics HTTP/1.1\r\n" + host_hdr + b"\r\n", 405),
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET\r\n\r\n", 400),
        (b"GET /metrics HTTP/1.1 extra\r\n\r\n", 400),
        (b"\x00\x01\x02\xff\r\n\r\n", 400),
        (b"GET /metrics HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET /metrics HTTP/1.1\r\n" + b"X-Pad: a\r\n" * 1000 + b"\r\n", 431),
    ]
    got = []
    for raw, want in cases:
        st, head, body = request(addr, raw)
        got.append((raw[:40], want, st))
        if st == 200 and raw.startswith(b"HEAD"):
            assert body == b"", body[:200]
        if st == 200 and raw.startswith(b"GET"):
            assert re.search(rb"^# TYPE tracekit_funccount_calls_total counter$", body, re.M), body
    assert [(r, w) for r, w, _ in got] == [(r, s) for r, _, s in got], got

    # tracing went on: the calls made now are all counted
    release()
    assert calls_value(addr) == n
    stopped_exact(t, n)


def test_memory_stays_bounded_under_bad_requests(tmp_path):
    t, addr, _ = counting(tmp_path)
    bad = [b"GET /x HTTP/1.1\r\n\r\n", b"POST /metrics HTTP/1.1\r\n\r\n", b"BAD\r\n\r\n",
           b"GET /metrics HTTP/1.1\r\nX: " + b"b" * 9000 + b"\r\n\r\n",
           b"GET /metrics HTTP/1.1\r\n\r\n"]
    for _ in range(20):  # warm up: allocator, buffers
        for raw in bad:
            request(addr, raw)
    before = rss_kb(t.pid)
    for _ in range(200):
        for raw in bad:
            request(addr, raw)
    after = rss_kb(t.pid)
    assert after - before < 1024, f"RSS grew from {before} kB to {after} kB over 1000 requests"
    assert t.proc.poll() is None
    rc, out, err = t.stop()
    assert rc == 0, err


# ---- time-outs and the client limit -------------------------------------------------------

def test_idle_and_slow_clients_are_closed(tmp_path):
    t, addr, _ = counting(tmp_path)
    idle = connect(addr)
    slow = connect(addr)
    slow.sendall(b"GET /metrics HTTP/1.1\r\nX-A: ")
    start = time.monotonic()
    closed_slow = False
    # slowloris: one byte every 0.3 s, never the end of the head
    while time.monotonic() - start < 10:
        try:
            slow.sendall(b"a")
        except (BrokenPipeError, ConnectionResetError):
            closed_slow = True
            break
        if closed_by_peer(slow):
            closed_slow = True
            break
        time.sleep(0.3)
    assert closed_slow, "a slow client (one header byte every 0.3 s) still open after 10 s"
    _, closed_idle = read_all(idle, timeout=max(0.1, 10 - (time.monotonic() - start)))
    assert closed_idle, "an idle client (connected, nothing sent) still open after 10 s"
    idle.close()
    slow.close()
    st, _, _ = scrape(addr)  # and the server still answers
    assert st == 200
    rc, out, err = t.stop()
    assert rc == 0, err


def test_65_clients_first_answered_and_counts_exact(tmp_path):
    """64 clients at once hold the server's slots; the 65th is accepted and closed at once;
    the first is answered and the tracing went on meanwhile."""
    n = 20000
    t, addr, release = counting(tmp_path, n)
    start = time.monotonic()
    first = connect(addr)
    held = []
    for _ in range(63):  # half-open requests: the head never ends
        s = connect(addr)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        held.append(s)
    extra = connect(addr)
    _, closed_extra = read_all(extra, timeout=10)
    # before anyone of the 64 was let go (idle time-out): the 65th was refused for the limit
    assert closed_extra and not any(closed_by_peer(s) for s in held + [first]), \
        "the 65th client was not closed at once while 64 were held"
    release()  # gostress makes its calls while the 64 are held
    first.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    data, _ = read_all(first, timeout=10)
    elapsed = time.monotonic() - start
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"), \
        f"first client not answered ({elapsed:.1f} s after it connected): {data[:300]!r}"
    assert re.search(calls_line(n).encode(), body, re.M), body[:3000]
    for s in held + [first, extra]:
        s.close()
    assert calls_value(addr) == n
    stopped_exact(t, n)


# ---- addresses -----------------------------------------------------------------------------

def test_binds_only_the_given_address(tmp_path):
    addr = metrics_addr("127.0.0.2")
    _, port = split_addr(addr)
    t, _, _ = counting(tmp_path, addr=addr)
    assert scrape(addr)[0] == 200
    for other in ("127.0.0.1", "127.0.0.3"):
        with pytest.raises(ConnectionRefusedError):
            connect(f"{other}:{port}").close()
    with pytest.raises(ConnectionRefusedError):
        connect(f"[::1]:{port}").close()
    rc, out, err = t.stop()
    assert rc == 0, err


def test_ipv6_loopback(tmp_path):
    addr = metrics_addr("::1")
    _, port = split_addr(addr)
    t, _, _ = counting(tmp_path, addr=addr)
    st, hdr, body = scrape(addr)
    assert st == 200 and b"# TYPE tracekit_funccount_calls_total counter" in body, body[:2000]
    with pytest.raises(ConnectionRefusedError):
        connect(f"127.0.0.1:{port}").close()
    rc, out, err = t.stop()
    assert rc == 0, err


# ---- formats -------------------------------------------------------------------------------

def test_openmetrics_negotiation(tmp_path):
    n = 700
    t, addr, release = counting(tmp_path, n)
    release()
    st, hdr, body = scrape(addr)
    assert st == 200
    assert hdr["content-type"] == "text/plain; version=0.0.4; charset=utf-8", hdr
    text = body.decode()
    assert "# EOF" not in text
    assert re.search(calls_line(n), text, re.M), text
    # text 0.0.4 names a counter's family with its _total; OpenMetrics without
    assert "# TYPE tracekit_funccount_calls_total counter\n" in text, text

    for accept in ("application/openmetrics-text; version=1.0.0", PROM_ACCEPT):
        st, hdr, body = scrape(addr, accept=accept)
        assert st == 200
        assert hdr["content-type"] == \
            "application/openmetrics-text; version=1.0.0; charset=utf-8", (accept, hdr)
        text = body.decode()
        assert text.endswith("# EOF\n"), text[-200:]
        assert text.count("# EOF") == 1
        assert "# TYPE tracekit_funccount_calls counter\n" in text, text
        assert re.search(calls_line(rf"{n}(\.0)?"), text, re.M), text
        assert re.search(r'^tracekit_build_info\{version="[^"]+"\} 1(\.0)?$', text, re.M), text

    # a scraper that asks for text only gets text
    st, hdr, _ = scrape(addr, accept="text/plain;version=0.0.4")
    assert hdr["content-type"] == "text/plain; version=0.0.4; charset=utf-8", hdr
    rc, out, err = t.stop()
    assert rc == 0, err


def test_max_series_bounds_a_tool_and_counts_the_dropped(tmp_path):
    """funccount on main.* of gostress -mode mix: 11 functions called, 5 series served."""
    gs = private(tmp_path, "gostress")
    release = run_gostress(gs, 100, g=2, mode="mix")
    addr = metrics_addr()
    t = exporter(["funccount", "--metrics", addr, "--metrics-max-series", "5", f"{gs}:main.*"],
                 addr)
    release()
    st, _, body = scrape(addr)
    text = body.decode()
    series = re.findall(r'^tracekit_funccount_calls_total\{func="[^"]+"\} (\d+)$', text, re.M)
    assert len(series) == 5, text
    m = re.search(r"^tracekit_dropped_series_total (\S+)$", text, re.M)
    assert m and float(m.group(1)) > 0, text
    rc, out, err = t.stop()
    assert rc == 0, err
    # the tool's own table has them all: 12 functions, less main.main, entered before the
    # probes were attached
    assert len(count_rows(out)) == 11 and "main.main" not in count_rows(out), out


def test_max_series_bounds_a_map_and_counts_the_dropped(tmp_path):
    """@k[goid] with 8 goroutines calling f and --metrics-max-series 5: 5 series of
    tracekit_k, the rest counted as dropped."""
    gs = private(tmp_path, "gostress")
    release = run_gostress(gs, 800, g=8)
    addr = metrics_addr()
    t = lang_exporter(f"uprobe:{gs}:main.f {{ @k[goid] = count(); }}", addr,
                      extra=("--metrics-max-series", "5"))
    release()
    st, _, body = scrape(addr)
    text = body.decode()
    series = re.findall(r"^tracekit_k_total\{goid=\"\d+\"\} (\d+)$", text, re.M)
    assert len(series) == 5, text
    m = re.search(r"^tracekit_dropped_series_total (\S+)$", text, re.M)
    assert m and float(m.group(1)) > 0, text
    # the self metrics are not among the 5
    assert re.search(r'^tracekit_build_info\{version="', text, re.M), text
    # the program itself still has all 8 keys
    rc, out, err = t.stop()
    assert rc == 0, err
    keys = re.findall(r"^@k\[\d+\]: (\d+)$", out, re.M)
    assert len(keys) == 8 and sum(map(int, keys)) == 800, out


def test_default_max_series_is_10000(tmp_path):
    """10050 distinct keys (one goroutine: @i counts the calls exactly) and no
    --metrics-max-series: 10000 series served in all, the others counted as dropped."""
    gs = private(tmp_path, "gostress")
    script = tmp_path / "keys.bt"
    script.write_text(f"let @k = percpuhash(20000);\n"
                      f"uprobe:{gs}:main.f {{ @k[@i] = count(); @i++; }}\n")
    release = run_gostress(gs, 10050, g=1)
    addr = metrics_addr()
    t = exporter(["--metrics", addr, script], addr, attached=BPFTRACE_NOTIFY, stream="stderr",
                 env={BPFTRACE_NOTIFY: "1"})
    release()
    seen = []
    for _ in range(2):  # the second scrape: dropped label sets are counted by the first
        st, _, body = scrape(addr)
        text = body.decode()
        k = len(re.findall(r'^tracekit_k_total\{key0="\d+"\} 1$', text, re.M))
        i = len(re.findall(r"^tracekit_i \d+$", text, re.M))
        m = re.search(r"^tracekit_dropped_series_total (\S+)$", text, re.M)
        seen.append((k, i, float(m.group(1)) if m else None))
    assert seen[-1][0] + seen[-1][1] == 10000, seen
    assert seen[-1][2] == 10051 - 10000, seen  # 10050 keys of @k and @i
    rc, out, err = t.stop()
    assert rc == 0, err


def test_several_scrapers_at_once(tmp_path):
    """32 clients send their request at once: every one gets the same, complete answer."""
    n = 3000
    t, addr, release = counting(tmp_path, n)
    release()
    socks = [connect(addr) for _ in range(32)]
    for s in socks:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    bodies = []
    for s in socks:
        data, closed = read_all(s, timeout=10)
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), data[:300]
        bodies.append(body)
    for body in bodies:
        assert re.search(calls_line(n).encode(), body, re.M), body[:3000]
    stopped_exact(t, n)


# ---- bad --metrics values ------------------------------------------------------------------

BAD = ["nohost", "1.2.3.4:99999", "127.0.0.1:0", "127.0.0.1:", ":9435", "[::1]", "[::1:9435",
       "127.0.0.1:-1", "127.0.0.1:65536", "[::1]:0"]


def _run_bad(argv, tool):
    """tracekit ARGV must fail at once, with nothing on stdout and one error line on stderr:
    a tool answers as argparse does (its usage lines, then `TOOL: error: ...`, status 2),
    the language with that one line (non-zero status). Returns the error line."""
    p = spawn([TRACEKIT, *argv])
    rc, out, err = collect(p, 30)
    lines = err.strip().splitlines()
    assert rc != 0, (argv, out, err)
    assert out == "", (argv, out)
    if tool:
        assert rc == 2 and lines and lines[0].startswith(f"usage: {tool} "), (argv, err)
        errors = [l for l in lines if re.match(rf"^{tool}: error: ", l)]
        assert len(errors) == 1 and lines[-1] == errors[0], f"{argv}:\n{err}"
        return lines[-1]
    assert len(lines) == 1, f"{argv}: not one line on stderr:\n{err}"
    return lines[0]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("form", ["tool", "language"])
def test_bad_metrics_value_one_line(value, form, tmp_path):
    gs = private(tmp_path, "gostress")
    argv = (["funccount", "--metrics", value, f"{gs}:main.f"] if form == "tool" else
            ["--metrics", value, "-e", f"uprobe:{gs}:main.f {{ @c = count(); }}"])
    line = _run_bad(argv, "funccount" if form == "tool" else None)
    assert "metrics" in line or value in line, line


@pytest.mark.parametrize("form", ["tool", "language"])
def test_metrics_address_in_use_or_not_local(form, tmp_path):
    """A well-formed address that cannot be bound: one line that names it, non-zero."""
    gs = private(tmp_path, "gostress")
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    busy = f"127.0.0.1:{holder.getsockname()[1]}"
    try:
        for value in (busy, "192.0.2.1:9435"):  # in use; an address of no interface here
            argv = (["funccount", "--metrics", value, f"{gs}:main.f"] if form == "tool" else
                    ["--metrics", value, "-e", f"uprobe:{gs}:main.f {{ @c = count(); }}"])
            line = _run_bad(argv, None)  # not a usage error: one line, from both forms
            assert value in line, line
    finally:
        holder.close()
