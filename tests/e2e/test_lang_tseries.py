"""bpftrace 0.26's tseries() (../shared/reference/bpftrace-0.26.md 2.5-2.9): what the
conformance cases cannot hold. The unstable-feature warning (once, on stderr) and the config
key that silences it or makes it an error; each wrong call's exact diagnostic; and runs whose
timestamps are real: text rows one interval apart in local time, JSON interval_start in UTC
stepping by exactly the interval, per-CPU values merged (a sum over CPUs equals count()).
"""

import datetime
import json
import os
import re
import time

import pytest

from test_lang_errors import at, run

WARNING = ("WARNING: Script is using an unstable feature: tseries. To prevent this warning you "
           "must explicitly enable it in the config e.g. unstable_tseries=enable\n")
ENABLE = "config = { unstable_tseries = enable } "

# One error per line: ID | PROGRAM | TOKEN | MESSAGE, the error underlining TOKEN. Messages of
# bpftrace 0.26's semantic analyser; "ours": arity, the value's type, the count tracekit keeps.
CASES = [line.split(" | ") for line in r"""
bounds-differ | begin { @t = tseries(1, 1s, 5); @t = tseries(2, 1s, 6); } | tseries(2, 1s, 6) | Different tseries bounds in a single map unsupported
mode-differs | begin { @t = tseries(1, 1s, 5); @t = tseries(2, 1s, 5, "max"); } | tseries(2, 1s, 5, "max") | Different tseries bounds in a single map unsupported
bad-mode | begin { @t = tseries(1, 1s, 5, "stats"); } | tseries(1, 1s, 5, "stats") | tseries() expects one of the following aggregation functions: avg, max, min, sum ("stats" provided)
interval-zero | begin { @t = tseries(1, 0, 5); } | tseries(1, 0, 5) | tseries() interval_ns must be >= 1 (0 provided)
interval-negative | begin { @t = tseries(1, -1, 5); } | -1 | tseries: invalid interval_ns value (must be non-negative literal)
interval-variable | begin { $i = 1; @t = tseries(1, $i, 5); } | $i#2 | tseries: invalid interval_ns value (must be non-negative literal)
count-zero | begin { @t = tseries(1, 1s, 0); } | tseries(1, 1s, 0) | tseries() num_intervals must be >= 1 (0 provided)
count-negative | begin { @t = tseries(1, 1s, -1); } | -1 | tseries: invalid num_intervals value (must be non-negative literal)
count-huge | begin { @t = tseries(1, 1s, 1000001); } | tseries(1, 1s, 1000001) | tseries() num_intervals must be < 1000000 (1000001 provided)
count-ours | begin { @t = tseries(1, 1s, 171); } | tseries(1, 1s, 171) | tseries() num_intervals must be <= 170 (171 provided)
arity | begin { @t = tseries(1, 1s); } | tseries(1, 1s) | tseries() requires 3 or 4 arguments (2 provided)
string-value | begin { @t = tseries("a", 1s, 5); } | "a" | tseries() expects an integer argument
print-key | begin { @t[1] = tseries(1, 1s, 5); print(@t[1]); } | @t[1]#2 | Map type tseries_t cannot print the value of individual keys. You must print the whole map.
""".strip().splitlines()]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_tseries_error(case, no_leftovers):
    _, prog, token, msg = case
    token, _, n = token.partition("#")
    prog = ENABLE + prog
    r = run(["-e", prog], compat="0.26")
    # fails, says nothing on stdout, and underlines the call's culprit
    assert (r.returncode != 0, r.stdout, r.stderr) == (True, "", at(prog, token, msg,
                                                                    int(n or 1)))


def test_unknown_in_017(no_leftovers):
    """0.17 has no tseries(): an unknown function there, as before"""
    prog = "BEGIN { @t = tseries(1, 1000, 5); }"
    r = run(["-e", prog])
    assert r.returncode != 0 and r.stdout == ""
    assert r.stderr == at(prog, "tseries", "Unknown function: tseries")


def test_warns_once(no_leftovers):
    """ref. 2.6: the unstable-feature notice, once per run whatever the call sites, on stderr"""
    r = run(["-q", "-e", "begin { @a = tseries(1, 1s, 2); @b = tseries(2, 1s, 2); exit(); }"],
            compat="0.26")
    assert r.returncode == 0, r.stderr
    assert r.stderr == WARNING
    assert "@a:" in r.stdout and "@b:" in r.stdout


@pytest.mark.parametrize("how", ["config", "env", "true"])
def test_enabled_is_quiet(how, no_leftovers):
    """ref. 2.9: unstable_tseries = enable (or true, or BPFTRACE_UNSTABLE_TSERIES) silences it"""
    prog = "begin { @a = tseries(1, 1s, 2); exit(); }"
    env = dict(os.environ)
    if how == "config":
        prog = ENABLE + prog
    elif how == "true":
        prog = "config = { unstable_tseries = true } " + prog
    else:
        os.environ["BPFTRACE_UNSTABLE_TSERIES"] = "enable"
    try:
        r = run(["-q", "-e", prog], compat="0.26")
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_error_mode(no_leftovers):
    """unstable_tseries = error: each call is an error (bpftrace's words), nothing runs"""
    prog = "config = { unstable_tseries = error } begin { @a = tseries(1, 1s, 2); }"
    r = run(["-e", prog], compat="0.26")
    assert r.returncode != 0 and r.stdout == ""
    assert r.stderr == at(prog, "tseries(1, 1s, 2)",
                          "tseries feature is not enabled by default. To enable this unstable "
                          "feature, set the config flag to enable. unstable_tseries=enable")


# Every ~1 ms on each CPU one event: every 20 ms interval gets some, on several CPUs.
BUSY = ENABLE + """profile:hz:997 { @t = tseries(1, 20ms, 50, "sum"); @c = count(); }
interval:ms:400 { exit(); }"""


def text_rows(out, name):
    """The rows of map name's tseries: (datetime.time text, plot, value text)."""
    block = out.split(name + ":\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert block[1].startswith("hh:mm:ss.ms  |" + "_" * 51 + "|"), block[1]
    rows = []
    for line in block[2:-2]:
        m = re.fullmatch(r"(\d\d:\d\d:\d\d\.\d{3}) ([|*].{51}[|*]) (-?\d+|-)", line)
        assert m, line
        rows.append(m.groups())
    assert block[-2] == " " * 13 + "v" + "_" * 51 + "v"
    assert block[-1] == block[0]
    return rows, block[0]


def ms_of(t):
    h, m, s = t.split(":")
    return (int(h) * 3600 + int(m) * 60) * 1000 + round(float(s) * 1000)


def test_text_rows_one_interval_apart(no_leftovers):
    """ref. 2.7: local HH:MM:SS.mmm rows from the oldest kept interval to the newest, one per
    20 ms; a 53-column plot with `*` at 52*(v-min)/(max-min); per-CPU sums merged"""
    r = run(["-q", "-e", BUSY], compat="0.26")
    assert r.returncode == 0, r.stderr
    rows, bounds = text_rows(r.stdout, "@t")
    assert len(rows) >= 10
    steps = {ms_of(b[0]) - ms_of(a[0]) for a, b in zip(rows, rows[1:])}
    assert steps == {20}, steps
    now = datetime.datetime.now()
    last = datetime.datetime.combine(now.date(), datetime.time.fromisoformat(rows[-1][0]))
    assert abs((now - last).total_seconds()) < 10
    values = [int(v) for _, _, v in rows if v != "-"]
    lo, hi = (int(x) for x in bounds.split())
    assert (lo, hi) == (min(values), max(values)) or lo == hi - 2
    for _, plot, v in rows:
        if v != "-":
            assert plot.index("*") == int(52 * (int(v) - lo) / (hi - lo))
    # every event of the run is in a kept interval: the CPUs' sums add up to count()
    count = int(re.search(r"^@c: (\d+)$", r.stdout, re.M).group(1))
    assert sum(values) == count


def test_json_interval_start_steps(no_leftovers):
    """ref. 2.8: interval_start in UTC, YYYY-MM-DD HH:MM:SS.fffffffff, exactly one interval
    (20 ms) apart, the run's real time"""
    r = run(["-q", "-f", "json", "-e", BUSY], compat="0.26")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    ts = [x for x in recs if x["type"] == "tseries"]
    assert len(ts) == 1 and list(ts[0]["data"]) == ["@t"]
    points = ts[0]["data"]["@t"]
    assert len(points) >= 10
    line = [x for x in r.stdout.splitlines() if '"tseries"' in x][0]
    inside = re.sub(r'"\d{4}-\d\d-\d\d \d', '"', line.split('"@t": ', 1)[1])
    assert " " not in inside, line
    starts = []
    for p in points:
        assert list(p) == ["interval_start", "value"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9}", p["interval_start"])
        day, frac = p["interval_start"].split(".")
        sec = datetime.datetime.strptime(day, "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        starts.append(int(sec) * 10**9 + int(frac))
    assert {b - a for a, b in zip(starts, starts[1:])} == {20 * 10**6}
    assert all(s % (20 * 10**6) == 0 for s in starts)
    assert abs(starts[-1] / 1e9 - time.time()) < 10
    count = [x for x in recs if x["type"] == "map" and "@c" in x["data"]][0]["data"]["@c"]
    assert sum(p["value"] for p in points) == count


def test_keys_by_most_recent_update(no_leftovers):
    """ref. 2.7: entries in the order of their most recent update, the newest last; a key's
    rows run to the map's newest interval, `-` where it has no data"""
    prog = ENABLE + """interval:ms:30 { @n++; if (@n == 2) { @t["old"] = tseries(@n, 10ms, 50); }
    @t["new"] = tseries(@n, 10ms, 50); if (@n == 6) { exit(); } }"""
    r = run(["-q", "-e", prog], compat="0.26")
    assert r.returncode == 0, r.stderr
    assert r.stdout.index('@t[old]:') < r.stdout.index('@t[new]:')
    old, _ = text_rows(r.stdout, "@t[old]")
    new, _ = text_rows(r.stdout, "@t[new]")
    assert old[-1][0] == new[-1][0]
    assert old[0][2] == "2" and old[-1][2] == "-"
