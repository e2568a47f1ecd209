"""The scheduler and IRQ tools: runqlat, cpudist, runqlen, runqslower, softirqs, hardirqs.

The test makes its own load: CPU-bound Python children ("tk..." comms, busy for a set time
once told "go"; then blocked on stdin) on this 2-CPU machine, three of them so that one
always waits on a run queue; loopback TCP traffic for net_rx softirqs; direct writes to a
file for the disk's hard IRQs. Checks are on what the test knows: the children's pids and
comms in the per-key histograms, -p filters, cpudist's on-CPU total against the kernel's own
accounting (/proc/PID/stat), the tools' counts against /proc/softirqs and /proc/interrupts,
--json's exact structure, --metrics equal to what was printed.
"""

import json
import math
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import TRACEKIT, collect, run_tracer, spawn, wait_line
from prom import exporter, metrics_addr
from test_metrics_tools import check_body, histogram, samples, scrape

BUSY = r"""
import ctypes, os, sys, time
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)  # PR_SET_NAME
print("ready", flush=True)
sys.stdin.readline()
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    pass
print("done", flush=True)
sys.stdin.readline()
"""

HZ = os.sysconf("SC_CLK_TCK")
ROW = re.compile(r"^ {0,20}(\d+) -> (\d+) +: (\d+) +\|[*+ ]*\|$")
LROW = re.compile(r"^ {8}(\d+) +: (\d+) +\|[*+ ]*\|$")  # bcc's linear histograms
UNIT = re.compile(r"^ +(usecs|msecs|nsecs|runqlen) +: count +distribution$")


def busy(tag, n, secs):
    """n children named tkTAGi, each busy for secs once go() tells it."""
    procs = []
    for i in range(n):
        p = spawn([sys.executable, "-c", BUSY, f"tk{tag}{i}", secs], stdin=subprocess.PIPE)
        wait_line(p, r"^ready$")
        p.comm = f"tk{tag}{i}"
        procs.append(p)
    return procs


def go(procs):
    for p in procs:
        p.stdin.write(b"go\n")
        p.stdin.flush()


def done(procs, timeout=30):
    for p in procs:
        wait_line(p, r"^done$", timeout=timeout)


def run(args, timeout=30):
    """tracekit ARGS to its end (interval and count): its stdout."""
    t = run_tracer(args, ready_regex=r"Tracing|Sampling")
    rc, out, err = t.wait(timeout)
    assert rc == 0, f"rc={rc}\n{out}\n{err}"
    return out


def json_lines(out, n=None):
    objs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert n is None or len(objs) == n, out
    return objs


def check_summary(obj, key=None, comm=False, unit="usecs", linear=False, order=None):
    """A summary's exact structure; its hists. order: the keys' sort key (default: theirs)."""
    assert set(obj) == {"time", "unit", "hists"}, obj
    assert re.fullmatch(r"\d\d:\d\d:\d\d", obj["time"]) and obj["unit"] == unit, obj
    want = {"count", "sum", "buckets"} | ({key} if key else set()) | ({"comm"} if comm else set())
    keys = []
    for h in obj["hists"]:
        assert set(h) == want, h
        if linear:
            vals = [b["value"] for b in h["buckets"]]
            assert all(set(b) == {"value", "count"} for b in h["buckets"]), h
            assert h["sum"] == sum(b["value"] * b["count"] for b in h["buckets"]), h
        else:
            vals = [b["low"] for b in h["buckets"]]
            for b in h["buckets"]:
                assert set(b) == {"low", "high", "count"}, h
                assert b["high"] == (1 if b["low"] == 0 else 2 * b["low"] - 1), h
        assert vals == sorted(set(vals)) and all(b["count"] > 0 for b in h["buckets"]), h
        assert h["count"] == sum(b["count"] for b in h["buckets"]), h
        if key:
            keys.append(h[key])
    assert keys == sorted(keys, key=order), obj  # by key, as bcc prints them
    return obj["hists"]


def sections(text, name):
    """bcc's per-key histograms of one summary: {key text: {low (linear: value): count}}."""
    res, cur = {}, None
    for line in text.splitlines():
        m = re.fullmatch(rf"{name} = (.*)", line)
        if m:
            cur = res.setdefault(m[1], {})
            continue
        m = ROW.match(line)
        if m:
            assert cur is not None, text
            cur[int(m[1])] = int(m[3])
        elif LROW.match(line):
            assert cur is not None, text
            cur[int(LROW.match(line)[1])] = int(LROW.match(line)[2])
        else:
            assert line == "" or UNIT.match(line) or re.fullmatch(r"\d\d:\d\d:\d\d", line), line
    return res


def proc_cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14, 15)


# ---- runqlat ------------------------------------------------------------------------------


def test_runqlat_per_process_json(no_leftovers):
    kids = busy("rq", 3, 4)
    go(kids)
    out = run(["runqlat", "-P", "--json", "1", "2"])
    objs = json_lines(out, 2)  # interval 1, count 2: two summaries, then the end
    seen = {}
    for o in objs:
        for h in check_summary(o, key="pid", comm=True):
            seen.setdefault(h["pid"], []).append(h)
    for k in kids:
        # 3 busy children on 2 CPUs: each waits its turn again and again
        assert k.pid in seen, (k.pid, sorted(seen))
        assert {h["comm"] for h in seen[k.pid]} == {k.comm}
        assert sum(h["count"] for h in seen[k.pid]) >= 10, seen[k.pid]


def test_runqlat_text_per_process(no_leftovers):
    kids = busy("rt", 3, 3)
    go(kids)
    out = run(["runqlat", "-P", "-T", "1", "1"])
    lines = out.split("\n")
    assert lines[0] == "Tracing run queue latency... Hit Ctrl-C to end.", out
    assert lines[1] == "" and re.fullmatch(r"\d\d:\d\d:\d\d", lines[2]), out
    assert lines[3] == "" and re.fullmatch(r"pid = \d+ .*", lines[4]), out
    assert lines[5] == "     usecs               : count     distribution", out
    secs = sections("\n".join(lines[1:]), "pid")
    for k in kids:
        assert sum(secs[f"{k.pid} {k.comm}"].values()) > 0, out
    # by pid, as bcc sorts them
    pids = [int(s.split()[0]) for s in secs]
    assert pids == sorted(pids), out


def test_runqlat_pid_filter_by_thread(no_leftovers):
    kids = busy("rp", 3, 3)
    go(kids)
    out = run(["runqlat", "-p", kids[1].pid, "-L", "--json", "1", "1"])
    hists = check_summary(json_lines(out, 1)[0], key="tid", comm=True)
    # one thread, the main one: the filter keeps no one else's samples
    assert [h["tid"] for h in hists] == [kids[1].pid], hists
    assert hists[0]["comm"] == kids[1].comm and hists[0]["count"] > 0, hists


def test_runqlat_pidns_milliseconds(no_leftovers):
    kids = busy("rn", 3, 3)
    go(kids)
    out = run(["runqlat", "--pidnss", "-m", "1", "1"])
    assert "     msecs               : count     distribution" in out, out
    secs = sections(out.split("\n", 1)[1], "pidns")
    assert str(os.stat("/proc/self/ns/pid").st_ino) in secs, out


def test_runqlat_metrics_equal_printed(no_leftovers):
    kids = busy("rm", 3, 1.5)
    addr = metrics_addr()
    t = exporter(["runqlat", "-P", "--json", "--metrics", addr, "1"], addr,
                 attached=r"Tracing run queue latency", stream="both")
    go(kids)
    done(kids)
    # the children sleep on stdin now: one more whole summary, then nothing changes
    wait_line(t.proc, r"^\{", timeout=5)
    wait_line(t.proc, r"^\{", timeout=5)
    body = scrape(addr)
    check_body(body)
    rc, out, err = t.stop()
    assert rc == 0, err
    name = "tracekit_runqlat_latency_seconds"
    for k in kids:
        printed = [h for o in json_lines(out) for h in check_summary(o, key="pid", comm=True)
                   if h["pid"] == k.pid]
        count, s, bs = histogram(body, name, pid=k.pid)
        assert count == sum(h["count"] for h in printed) > 0, (count, printed)
        assert math.isclose(s, sum(h["sum"] for h in printed) / 1e6, rel_tol=1e-9), s
        # the buckets: cumulative, le = 2^i - 1 microseconds
        per = {}
        for h in printed:
            for b in h["buckets"]:
                per[b["high"]] = per.get(b["high"], 0) + b["count"]
        for le, c in bs:
            want = sum(n for hi, n in per.items() if hi / 1e6 <= le * (1 + 1e-9))
            assert c == want, (le, c, want, per)


@pytest.mark.parametrize("args, name, key", [
    (["softirqs"], "tracekit_softirqs_seconds", "softirq"),
    (["runqlen", "-C"], "tracekit_runqlen_tasks", "cpu"),
    (["cpudist", "-P"], "tracekit_cpudist_oncpu_seconds", "pid"),
])
def test_metrics_between_printed_summaries(no_leftovers, args, name, key):
    """A scrape counts what the summaries printed before it, and no more than what they
    printed up to two intervals later (events never stop here: the totals grow)."""
    kids = busy("mt", 3, 6)
    go(kids)
    addr = metrics_addr()
    t = exporter([*args, "--json", "--metrics", addr, "1"], addr, attached=r"Tracing|Sampling",
                 stream="both")
    wait_line(t.proc, r"^\{", timeout=5)
    body = scrape(addr)
    check_body(body)
    wait_line(t.proc, r"^\{", timeout=5)
    wait_line(t.proc, r"^\{", timeout=5)
    rc, out, err = t.stop()
    assert rc == 0, err
    objs = json_lines(out)
    upto = [{}, {}]  # counts by key: printed before the scrape; up to two summaries after
    for i, o in enumerate(objs[:3]):
        for h in o["hists"]:
            for j, d in enumerate(upto):
                if i < 1 or j == 1:
                    d[str(h[key])] = d.get(str(h[key]), 0) + h["count"]
    got = {ls[key]: v for n, ls, v in samples_of(body, name + "_count")}
    for k in set(upto[0]) | set(got):
        assert upto[0].get(k, 0) <= got.get(k, 0) <= upto[1].get(k, 0), (k, upto, got)
    assert got, body
    if key == "cpu":  # linear buckets: le = the queue length
        les = sorted({float(ls["le"]) for n, ls, v in samples_of(body, name + "_bucket")})
        assert les[:3] == [0.0, 1.0, 2.0] and les[-1] == math.inf, les


def samples_of(body, name):
    return [x for x in samples(body) if x[0] == name]


# ---- cpudist ------------------------------------------------------------------------------


def test_cpudist_oncpu_total_matches_proc_stat(no_leftovers):
    # one measured child among two more busy ones: its time comes in many slices
    kids = busy("cd", 3, 2)
    me = kids[0]
    t = run_tracer(["cpudist", "-p", me.pid, "--json"], ready_regex=r"Tracing on-CPU time")
    before = proc_cpu_ticks(me.pid)
    go(kids)
    done(kids)
    time.sleep(0.2)  # it reaches its read() and leaves the CPU: the last slice ends
    after = proc_cpu_ticks(me.pid)
    rc, out, err = t.stop()
    assert rc == 0, err
    hists = check_summary(json_lines(out, 1)[0])
    assert len(hists) == 1, hists
    traced_us = hists[0]["sum"]
    stat_us = (after - before) * 1e6 / HZ
    # the kernel's utime + stime count in ticks (10 ms): within 3 ticks and 5 %
    assert abs(traced_us - stat_us) <= 3e6 / HZ + 0.05 * stat_us, (traced_us, stat_us)
    assert stat_us > 0.5e6, stat_us  # 2 s busy, sharing 2 CPUs three ways: >= ~1.3 s
    assert hists[0]["count"] >= 10, hists


def test_cpudist_per_process_text(no_leftovers):
    kids = busy("cp", 3, 3)
    go(kids)
    out = run(["cpudist", "-P", "1", "1"])
    assert out.startswith("Tracing on-CPU time... Hit Ctrl-C to end.\n\n"), out
    secs = sections(out.split("\n", 1)[1], "pid")
    for k in kids:
        assert sum(secs[f"{k.pid} {k.comm}"].values()) > 0, out


def test_cpudist_offcpu_of_a_blocked_child(no_leftovers):
    kid = busy("co", 1, 0.1)[0]
    t = run_tracer(["cpudist", "-O", "-L", "-p", kid.pid, "-e"], ready_regex=r"Tracing off-CPU")
    go([kid])
    done([kid])
    time.sleep(0.6)  # blocked on stdin again all this while: one off-CPU time of >= 0.6 s
    go([kid])
    assert collect(kid)[0] == 0
    rc, out, err = t.stop()
    assert rc == 0, err
    secs = sections(out.split("\n", 1)[1].split("\navg = ")[0], "tid")
    rows = secs[f"{kid.pid} {kid.comm}"]
    assert sum(c for low, c in rows.items() if low >= 524288) >= 1, out  # [2^19, 2^20) us
    m = re.search(r"\navg = (\d+) usecs, total: (\d+) usecs, count: (\d+)\n\n$", out)
    assert m and int(m[3]) == sum(rows.values()) and int(m[2]) >= 600000, out


# ---- runqlen ------------------------------------------------------------------------------


def test_runqlen_busy_children(no_leftovers):
    kids = busy("rl", 3, 4)
    go(kids)
    out = run(["runqlen", "--json", "1", "1"])
    hists = check_summary(json_lines(out, 1)[0], unit="runqlen", linear=True)
    assert len(hists) == 1, hists
    # 99 Hz on each of 2 CPUs for 1 s
    assert 150 <= hists[0]["count"] <= 250, hists
    waiting = sum(b["count"] for b in hists[0]["buckets"] if b["value"] >= 1)
    assert waiting >= hists[0]["count"] // 4, hists


def test_runqlen_per_cpu_and_occupancy(no_leftovers):
    kids = busy("ro", 3, 6)
    go(kids)
    hists = check_summary(json_lines(run(["runqlen", "-C", "--json", "1", "1"]), 1)[0],
                          key="cpu", unit="runqlen", linear=True)
    assert [h["cpu"] for h in hists] == list(range(os.cpu_count())), hists
    assert all(70 <= h["count"] <= 125 for h in hists), hists
    out = run(["runqlen", "-C", "-T", "1", "1"])
    assert "     runqlen       : count     distribution\n        0          : " in out, out
    assert sections(out.split("\n", 1)[1], "cpu").keys() == {"0", "1"}, out
    out = run(["runqlen", "-O", "1", "1"])
    m = re.fullmatch(r"Sampling run queue length\.\.\. Hit Ctrl-C to end\.\n\n"
                     r"runqocc: (\d+\.\d\d)%\n", out)
    assert m and float(m[1]) > 20, out
    out = run(["runqlen", "-O", "-C", "1", "1"])
    assert re.search(r"\nrunqocc, CPU 0   +\d+\.\d\d%\nrunqocc, CPU 1   +\d+\.\d\d%\n$", out), out


# ---- runqslower ---------------------------------------------------------------------------


def test_runqslower_rows_for_busy_children(no_leftovers):
    kids = busy("rs", 3, 3)
    t = run_tracer(["runqslower", "-P", "1000"], ready_regex=r"^TIME")
    assert t.output().startswith(
        "Tracing run queue latency higher than 1000 us\n"
        "TIME     COMM             TID           LAT(us) PREV COMM        PREV TID\n"), t.output()
    go(kids)
    done(kids)
    rc, out, err = t.stop()
    assert rc == 0, err
    rows = re.findall(r"^(\d\d:\d\d:\d\d) (.{16}) (\d+) +(\d+) (.{16}) (\d+) *$", out, re.M)
    mine = [r for r in rows if r[1].strip().startswith("tkrs")]
    # a CFS slice is >= 3 ms here: the waiting one of the three waits at least that long
    assert {int(r[2]) for r in mine} == {k.pid for k in kids}, out
    assert all(int(r[3]) >= 1000 for r in rows), out
    names = {int(r[2]): r[1].strip() for r in mine}
    assert names == {k.pid: k.comm for k in kids}, names


def test_runqslower_pid_filter_json(no_leftovers):
    kids = busy("rj", 3, 2)
    t = run_tracer(["runqslower", "-p", kids[2].pid, "--json", "500"], ready_regex=r"Tracing")
    go(kids)
    done(kids)
    rc, out, err = t.stop()
    assert rc == 0, err
    objs = json_lines(out)
    assert objs, (out, err)
    for o in objs:
        assert set(o) == {"time", "comm", "tid", "pid", "lat_us"}, o
        assert (o["tid"], o["pid"], o["comm"]) == (kids[2].pid, kids[2].pid, kids[2].comm), o
        assert o["lat_us"] >= 500, o


# ---- softirqs, hardirqs -------------------------------------------------------------------

TRAFFIC = r"""
import socket, sys, threading, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def echo():
    c, _ = srv.accept()
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
threading.Thread(target=echo, daemon=True).start()
cl = socket.create_connection(srv.getsockname())
print("ready", flush=True)
sys.stdin.readline()
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    cl.sendall(b"x" * 1000)
    cl.recv(65536)
print("done", flush=True)
sys.stdin.readline()
"""


# the kernel's vectors, in their order (by which bcc sorts its histograms)
VECTORS = ["hi", "timer", "net_tx", "net_rx", "block", "irq_poll", "tasklet", "sched", "hrtimer",
           "rcu"]


def softirq_counts(cpu=None):
    """{vector name in lower case: count} of /proc/softirqs, all CPUs or one."""
    res = {}
    for line in open("/proc/softirqs").read().splitlines()[1:]:
        name, *vals = line.split()
        vals = [int(v) for v in vals]
        res[name.rstrip(":").lower()] = vals[cpu] if cpu is not None else sum(vals)
    return res


def irq_counts():
    """{handler name: count} of /proc/interrupts' device interrupts."""
    res = {}
    for line in open("/proc/interrupts").read().splitlines()[1:]:
        f = line.split()
        if f and f[0].rstrip(":").isdigit():
            res[f[-1]] = res.get(f[-1], 0) + sum(int(v) for v in f[1:1 + os.cpu_count()])
    return res


@pytest.mark.parametrize("cpu", [None, 0])
def test_softirqs_counts_against_proc(no_leftovers, cpu):
    p = spawn([sys.executable, "-c", TRAFFIC, "3"], stdin=subprocess.PIPE)
    wait_line(p, r"^ready$")
    before = softirq_counts(cpu)
    args = ["softirqs", "--json", "1", "1"] + (["-c", str(cpu)] if cpu is not None else [])
    t = run_tracer(args, ready_regex=r"Tracing soft irq")
    go([p])
    rc, out, err = t.wait(30)
    assert rc == 0, err
    after = softirq_counts(cpu)
    hists = check_summary(json_lines(out, 1)[0], key="softirq", order=VECTORS.index)
    got = {h["softirq"]: h["count"] for h in hists}
    for name, n in got.items():
        # the tool's window lies inside the test's: never more than the kernel counted
        assert 0 < n <= after[name] - before[name], (name, n, before, after)
    # the timer ticks, and loopback's packets are received in net_rx (on whichever CPU)
    assert "timer" in got and (cpu is not None or "net_rx" in got), got


def test_softirqs_table_and_dist(no_leftovers):
    p = spawn([sys.executable, "-c", TRAFFIC, "4"], stdin=subprocess.PIPE)
    wait_line(p, r"^ready$")
    go([p])
    out = run(["softirqs", "-T", "1", "1"])
    lines = out.split("\n")
    assert lines[:2] == ["Tracing soft irq event time... Hit Ctrl-C to end.", ""], out
    assert re.fullmatch(r"\d\d:\d\d:\d\d", lines[2]) and lines[3] == "SOFTIRQ          TOTAL_usecs"
    rows = [re.fullmatch(r"(\w{1,16}) +(\d+)", l) for l in lines[4:-1]]
    assert all(rows) and rows and lines[-1] == "", out
    totals = [int(r[2]) for r in rows]
    assert totals == sorted(totals), out  # bcc sorts by the total
    assert "net_rx" in [r[1] for r in rows], out
    out = run(["softirqs", "-d", "-N", "1", "1"])
    secs = sections(out.split("\n", 1)[1], "softirq")
    assert "net_rx" in secs and "nsecs" in out, out


def test_hardirqs_counts_against_proc(no_leftovers, tmp_path):
    path = "/var/tmp/tk_hardirqs_%d" % os.getpid()
    before = irq_counts()
    t = run_tracer(["hardirqs", "-C", "--json", "1", "1"], ready_regex=r"Tracing hard irq")
    # direct writes: each one an I/O the disk completes with an interrupt
    subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=4k", "count=200", "oflag=direct"],
                   capture_output=True, check=True)
    rc, out, err = t.wait(30)
    os.unlink(path)
    assert rc == 0, err
    after = irq_counts()
    fired = {n for n in after if after[n] > before.get(n, 0)}
    if not fired:
        pytest.skip("no device interrupt fired on this machine during the test")
    hists = check_summary(json_lines(out, 1)[0], key="hardirq")
    got = {h["hardirq"]: h["count"] for h in hists}
    assert got, f"interrupts fired ({sorted(fired)}) but hardirqs saw none"
    for name, n in got.items():
        assert 0 < n <= after[name] - before.get(name, 0), (name, n)


def test_hardirqs_text(no_leftovers):
    path = "/var/tmp/tk_hardirqt_%d" % os.getpid()
    dd = spawn(["dd", "if=/dev/zero", f"of={path}", "bs=4k", "count=2000", "oflag=direct"])
    try:
        out = run(["hardirqs", "-C", "1", "1"])
        lines = out.split("\n")
        assert lines[:3] == ["Tracing hard irq events... Hit Ctrl-C to end.", "",
                             "HARDIRQ                    TOTAL_count"], out
        assert all(re.fullmatch(r"\S.{0,25} +\d+", l) for l in lines[3:-1]), out
        out = run(["hardirqs", "-d", "1", "1"])
        assert out.startswith("Tracing hard irq event time... Hit Ctrl-C to end.\n"), out
        for name in sections(out.split("\n", 1)[1], "hardirq"):
            assert re.fullmatch(r"'\S+'", name), out  # bcc's repr of the name
    finally:
        collect(dd, 60)
        os.unlink(path)


# ---- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("args, msg", [
    (["runqlat", "-P", "-L"], "argument -L/--tids: not allowed with argument -P/--pids"),
    (["runqlat", "0"], "argument interval: invalid value: '0'"),
    (["runqlat", "1", "2", "3"], "unrecognized arguments: 3"),
    (["cpudist", "-p", "x"], "argument -p/--pid: invalid int value: 'x'"),
    (["runqlen", "-x"], "unrecognized arguments: -x"),
    (["runqslower", "-p", "1", "-t", "2"], "argument -t/--tid: not allowed with argument -p/--pid"),
    (["runqslower", "ten"], "argument min_us: invalid"),
    (["softirqs", "-c", "4096"], "argument -c/--cpu"),
    (["softirqs", "-c", "64"], "argument -c/--cpu: no CPU 64 on this machine"),
    (["hardirqs", "-C", "-d"], "argument -C/--count: not allowed with the time-based options"),
])
def test_bad_input(args, msg):
    r = subprocess.run([TRACEKIT, *args], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and r.stdout == "", r
    errs = [l for l in r.stderr.splitlines() if "error" in l]
    assert len(errs) == 1 and msg in errs[0], r.stderr
    assert errs[0].startswith(f"{args[0]}: error: "), r.stderr
