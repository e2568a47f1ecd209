"""A real Prometheus (Debian's binary) for the tests of `--metrics`, and promtool.

    from prom import start_prometheus, promtool_check, scrape

    prom = start_prometheus(tmp_path, ["127.0.0.1:9435"])     # waits until every target is up
    prom.wait_value('sum(tracekit_funccount_calls_total)', 300)  # polls until equal, or fails
    prom.value('tracekit_probes_attached')                     # one float (None: no result)
    prom.query('sum by (instance) (x)')                        # [(labels dict, float), ...]
    prom.stop()                                                # SIGTERM to its PID, waits

start_prometheus(dir, targets, labels=None, interval="1s", timeout=30) -> Prometheus
    Starts /usr/bin/prometheus on 127.0.0.1 and a free port, with its storage in dir/tsdb and
    a generated dir/prometheus.yml: one job "tracekit" scraping every target ("HOST:PORT",
    IPv6 as "[::1]:PORT") every `interval`; labels maps a target to extra labels for it.
    The process is spawn()ed (conftest): it is killed at the end of the test if the test does
    not stop() it; either way by its PID, never by name. Fails the test if Prometheus does not
    get ready, or if a target is not `up` within timeout.
Prometheus
    .url, .port, .proc, .pid
    .query(expr) -> [(labels, float)]   instant query at "now" (a scalar: [({}, v)])
    .value(expr) -> float | None        the single result's value (fails on more than one)
    .wait_value(expr, expected, timeout=30) -> float
        polls .value() until it equals expected; fails with the last value seen
    .wait_until(expr, pred, timeout=30, what="") -> float
        polls .value() until pred(value) holds (value may be None); fails likewise
    .wait_scrapes(n=2, timeout=30)
        returns once every target has been scraped n more times (Prometheus's own
        prometheus_target_... counters): "the next scrape has seen it"
    .targets() -> [dict]                /api/v1/targets' active targets
    .stop() -> rc                       SIGTERM to the PID, SIGKILL after 10 s
promtool_check(body) -> (ok, output)
    `promtool check metrics` fed body (bytes or str) on stdin; ok is its exit status 0.
scrape(addr, path="/metrics", accept=None, method="GET", timeout=10) -> (status, headers, body)
    One HTTP request to "HOST:PORT" (IPv6 "[::1]:PORT"); headers lower-cased; body bytes.
split_addr(addr) -> (host, port)

tracekit as an exporter
    metrics_addr(host="127.0.0.1") -> "HOST:PORT" (a free port of host; IPv6 "[::1]:PORT")
    exporter(argv, addr, attached=r"^Tracing", stream="stdout", env=None, binary_argv=False)
        `tracekit ARGV` (argv holds --metrics addr) once stderr said exactly
        "Serving metrics on http://ADDR/metrics" and `attached` appeared on stream
        ("stdout", "stderr" or "both")
    lang_exporter(prog, addr, extra=()) -> Tracer   tracekit --metrics addr -e prog, attached
    private(tmp_path, name) -> Path     a private copy of a target (nobody else's calls)
    run_gostress(binary, n, g=4, mode="leaf") -> release()

No fixed sleep is an assertion here: every wait polls a condition up to a deadline.
"""

import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import (BPFTRACE_NOTIFY, collect, free_port, kill_proc, output, run_tracer, spawn,
                      target, wait_line)

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
POLL = 0.2  # seconds between two polls of a condition


def _require(path):
    if not Path(path).exists():
        pytest.fail(f"{path} is missing: run `make deps` (Debian package prometheus)")
    return path


def split_addr(addr):
    """("127.0.0.1", 9435) from "127.0.0.1:9435", ("::1", 9435) from "[::1]:9435"."""
    m = re.fullmatch(r"\[([^\]]+)\]:(\d+)|([^:\[\]]+):(\d+)", addr)
    if not m:
        raise ValueError(f"not HOST:PORT: {addr!r}")
    host = m.group(1) or m.group(3)
    return host, int(m.group(2) or m.group(4))


def scrape(addr, path="/metrics", accept=None, method="GET", timeout=10):
    """One HTTP request; (status, {lower-cased header: value}, body bytes)."""
    host, port = split_addr(addr)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Accept": accept} if accept else {}
        conn.request(method, path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


def promtool_check(body):
    """`promtool check metrics` on body: (ok, its output)."""
    _require(PROMTOOL)
    if isinstance(body, str):
        body = body.encode()
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                       timeout=60)
    text = (r.stdout + r.stderr).decode("utf-8", "backslashreplace")
    return r.returncode == 0, text


def _config(targets, labels, interval):
    """prometheus.yml: one static_config per target, so each may carry its own labels."""
    lines = [
        "global:",
        f"  scrape_interval: {interval}",
        f"  scrape_timeout: {interval}",
        f"  evaluation_interval: {interval}",
        "scrape_configs:",
        "  - job_name: tracekit",
        "    static_configs:",
    ]
    for t in targets:
        lines.append(f"      - targets: [{json.dumps(t)}]")
        extra = (labels or {}).get(t)
        if extra:
            lines.append("        labels:")
            lines += [f"          {k}: {json.dumps(str(v))}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def _addr_of(target):
    """"HOST:PORT" a Prometheus target scrapes (its scrapeUrl's; labels may rename it)."""
    return urllib.parse.urlsplit(target["scrapeUrl"]).netloc


class Prometheus:
    def __init__(self, proc, port, targets):
        self.proc = proc
        self.pid = proc.pid
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.target_addrs = list(targets)

    # -- HTTP API ---------------------------------------------------------------------
    def _get(self, path, params=None):
        q = ("?" + urllib.parse.urlencode(params)) if params else ""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path + q)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def _api(self, path, params=None):
        status, body = self._get(path, params)
        try:
            doc = json.loads(body)
        except ValueError:
            pytest.fail(f"Prometheus {path} {params}: HTTP {status}, not JSON: {body[:500]!r}")
        if status != 200 or doc.get("status") != "success":
            pytest.fail(f"Prometheus {path} {params}: HTTP {status}: {body[:1000]!r}")
        return doc["data"]

    def query(self, expr):
        """Instant query: [(labels, value)], values as floats (NaN and +Inf included)."""
        data = self._api("/api/v1/query", {"query": expr})
        if data["resultType"] == "scalar":
            return [({}, float(data["result"][1]))]
        if data["resultType"] != "vector":
            pytest.fail(f"query {expr!r}: a {data['resultType']}, not a vector")
        return [(r["metric"], float(r["value"][1])) for r in data["result"]]

    def value(self, expr):
        res = self.query(expr)
        if len(res) > 1:
            pytest.fail(f"query {expr!r}: {len(res)} results, one expected: {res}")
        return res[0][1] if res else None

    def wait_until(self, expr, pred, timeout=30, what=""):
        deadline = time.monotonic() + timeout
        while True:
            v = self.value(expr)
            if pred(v):
                return v
            if time.monotonic() > deadline:
                pytest.fail(f"{expr!r}: {what or 'condition'} not reached within {timeout} s;"
                            f" last value {v}\n{self.describe()}")
            time.sleep(POLL)

    def wait_value(self, expr, expected, timeout=30):
        return self.wait_until(expr, lambda v: v == expected, timeout, f"value {expected}")

    def targets(self):
        return self._api("/api/v1/targets")["activeTargets"]

    def wait_scrapes(self, n=2, timeout=30):
        """Return once every target has been scraped (successfully) n more times."""
        deadline = time.monotonic() + timeout
        seen = {t: set() for t in self.target_addrs}
        while True:
            for t in self.targets():
                inst = _addr_of(t)
                if inst in seen and t["health"] == "up":
                    seen[inst].add(t["lastScrape"])
            # the first lastScrape seen may be from before the call: n + 1 distinct ones
            if all(len(s) > n for s in seen.values()):
                return
            if time.monotonic() > deadline:
                pytest.fail(f"targets not scraped {n} more times within {timeout} s:"
                            f" {seen}\n{self.describe()}")
            time.sleep(POLL)

    def wait_up(self, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            ts = self.targets()
            up = {_addr_of(t) for t in ts if t["health"] == "up"}
            if set(self.target_addrs) <= up:
                return ts
            if time.monotonic() > deadline:
                state = [(_addr_of(t), t["health"], t.get("lastError"))
                         for t in ts]
                pytest.fail(f"Prometheus targets not all up within {timeout} s: {state}\n"
                            f"{self.describe()}")
            time.sleep(POLL)

    def describe(self):
        return f"--- prometheus stderr (last 3000) ---\n{output(self.proc, 'stderr')[-3000:]}"

    # -- process ----------------------------------------------------------------------
    def stop(self):
        """SIGTERM to our Prometheus's PID; SIGKILL after 10 s. Returns its exit status."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(10)
        return self.proc.returncode


def start_prometheus(directory, targets, labels=None, interval="1s", timeout=30, tries=3):
    """A Prometheus on 127.0.0.1:<free port> scraping targets; see the module docstring."""
    _require(PROMETHEUS)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cfg = directory / "prometheus.yml"
    cfg.write_text(_config(targets, labels, interval))
    for _ in range(tries):
        port = free_port()
        tsdb = directory / f"tsdb-{port}"
        proc = spawn([PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={tsdb}",
                      f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                      "--storage.tsdb.retention.time=1h"])
        prom = Prometheus(proc, port, targets)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _ = prom._get("/-/ready")
                if status == 200:
                    prom.wait_up(max(1.0, deadline - time.monotonic()))
                    return prom
            except OSError:
                pass
            time.sleep(POLL)
        err = output(proc, "stderr")
        if proc.poll() is not None and "address already in use" in err:
            kill_proc(proc)  # the port was taken between free_port() and bind(): retry
            continue
        desc = prom.describe()
        prom.stop()
        pytest.fail(f"Prometheus did not get ready within {timeout} s\n{desc}")
    pytest.fail(f"Prometheus found no free port in {tries} tries")


def finite(v):
    return v is not None and math.isfinite(v)


# ---------------------------------------------------------------------------------------
# tracekit as an exporter

def metrics_addr(host="127.0.0.1"):
    """"HOST:PORT" with a port of host that was free a moment ago (IPv6: "[::1]:PORT")."""
    if host == "127.0.0.1":
        return f"{host}:{free_port()}"
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port = s.getsockname()[1]
    return f"[{host}]:{port}" if fam == socket.AF_INET6 else f"{host}:{port}"


def wait_text(proc, regex, stream="stdout", timeout=15):
    """Wait until regex is found anywhere in what proc wrote so far on stream ("both":
    either)."""
    streams = ("stdout", "stderr") if stream == "both" else (stream,)
    deadline = time.monotonic() + timeout
    while not any(re.search(regex, output(proc, s), re.M) for s in streams):
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"no {regex!r} on {stream} of {proc.tk_argv}\n--- stdout ---\n"
                        f"{output(proc)[-3000:]}--- stderr ---\n{output(proc, 'stderr')[-3000:]}")
        time.sleep(0.05)


def exporter(args, addr, attached=r"^Tracing", stream="stdout", env=None, binary_argv=False):
    """`tracekit ... --metrics addr ...` once it serves and its probes are attached: the
    Serving line on stderr is exactly the spec's, then the tool's own ready line. With
    binary_argv, args is the whole argv (tracekit run through a wrapper such as setpriv)."""
    if binary_argv:
        t = run_tracer([str(a) for a in args[1:]], ready_regex=r"Serving metrics on ",
                       env=env or {}, binary=str(args[0]))
    else:
        t = run_tracer(args, ready_regex=r"Serving metrics on ", env=env or {})
    assert t.ready_line == f"Serving metrics on http://{addr}/metrics", output(t.proc, "stderr")
    wait_text(t.proc, attached, stream)
    # on stderr, and nothing of it on stdout
    assert t.ready_line + "\n" in output(t.proc, "stderr"), output(t.proc, "stderr")
    assert "Serving metrics" not in output(t.proc), output(t.proc)
    return t


def lang_exporter(prog, addr, extra=()):
    """tracekit --metrics addr -e prog, once attached (bpftrace's notification)."""
    return exporter(["--metrics", addr, *extra, "-e", prog], addr, attached=BPFTRACE_NOTIFY,
                    stream="stderr", env={BPFTRACE_NOTIFY: "1"})


def private(tmp_path, name):
    """A private copy of a target: other tests' processes stay out of our probes."""
    dst = tmp_path / name
    shutil.copy2(target(name), dst)
    return dst


def run_gostress(binary, n, g=4, mode="leaf"):
    """gostress -mode MODE -n N -g G -wait-stdin, started and ready: returns release(), which
    lets it make its calls and waits for it to end with exactly "calls=N"."""
    p = spawn([binary, "-mode", mode, "-n", n, "-g", g, "-wait-stdin"], stdin=subprocess.PIPE)
    wait_line(p, "^ready$")

    def release():
        p.stdin.write(b"\n")
        p.stdin.flush()
        rc, out, err = collect(p, 60)
        assert rc == 0 and f"calls={n}" in out, out + err
    return release
