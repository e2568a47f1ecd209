"""biosnoop, biotop, biolatency and bitesize on a block device the test makes.

Each test gets its own file-backed loop device (direct I/O, merging off) and runs a dd on it
that writes N blocks of 4 KiB with O_DIRECT: N requests of 4096 bytes, sectors 0, 8, 16...,
all by dd's pid. The loop device is the test's alone, so every count on it is exact; other
disks (the machine's own I/O) are left out by -d or by the disk's name.
"""
import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from conftest import TRACEKIT, collect, free_port, run_tracer, spawn, wait_line

N = 24  # dd's blocks


@pytest.fixture
def loopdev(tmp_path):
    """The name ("loop3") of a fresh 16 MiB loop device on a file, with direct I/O on and
    request merging off; detached at the end of the test."""
    if not Path("/dev/loop-control").exists():
        pytest.skip("no loop devices here: /dev/loop-control is missing (CONFIG_BLK_DEV_LOOP)")
    img = tmp_path / "disk.img"
    with open(img, "wb") as f:
        f.truncate(16 << 20)
    r = subprocess.run(["losetup", "-f", "--show", "--direct-io=on", str(img)],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        pytest.skip(f"cannot set up a loop device: {r.stderr.strip()}")
    dev = r.stdout.strip()
    name = Path(dev).name
    try:
        # 2: no merging at all, so that each of dd's writes is one request
        Path(f"/sys/block/{name}/queue/nomerges").write_text("2")
        yield name
    finally:
        subprocess.run(["losetup", "-d", dev], capture_output=True, timeout=30)


class Dd:
    """dd on the loop device, started by go(): a shell that waits on stdin, then execs dd,
    so that its pid (dd's) is known before the tracer starts."""

    def __init__(self, disk, n=N):
        cmd = f"read x; exec dd if=/dev/zero of=/dev/{disk} bs=4k count={n} oflag=direct"
        self.p = spawn(["sh", "-c", cmd], stdin=subprocess.PIPE)
        self.pid = self.p.pid

    def run(self):
        self.p.stdin.write(b"go\n")
        self.p.stdin.flush()
        rc, out, err = collect(self.p)
        assert rc == 0 and f"{N}+0 records out" in err, err


def tracer(tool, *args, ready=r"^Tracing|^TIME"):
    if not TRACEKIT.exists():
        pytest.fail(f"{TRACEKIT} is missing: run `make` first")
    return run_tracer([tool, *[str(a) for a in args]], ready_regex=ready)


def traced(disk, tool, *args, ready=r"^Tracing|^TIME"):
    """tool's whole output (stopped with Ctrl-C) around one dd on disk, and dd's pid."""
    dd = Dd(disk)
    t = tracer(tool, *args, ready=ready)
    dd.run()
    rc, out, err = t.stop()
    assert rc == 0, f"{tool} failed (rc={rc}):\n{err}"
    return out, dd.pid


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def metric(body, name, **labels):
    """The value of one series of the exposition text body (None: absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    m = re.search(rf"^{re.escape(name)}{{{re.escape(want)}}} (\S+)$", body, re.M)
    return float(m.group(1)) if m else None


def one_line_error(tool, *args, code):
    r = subprocess.run([str(TRACEKIT), tool, *args], capture_output=True, text=True, timeout=20)
    lines = [l for l in r.stderr.splitlines() if not l.startswith(("usage:", " "))]
    assert r.returncode == code and r.stdout == "" and len(lines) == 1, (r.returncode, r.stderr)
    return lines[0]


# ---------------------------------------------------------------------------------------
# biosnoop

SNOOP_ROW = re.compile(r"^(\d+\.\d{6}) +(.{1,14}?) +(\d+) +(\S+) +([RW]) (\d+) +(\d+) *(.*)$")


def snoop_rows(out, disk):
    rows = [SNOOP_ROW.match(l) for l in out.splitlines()[1:]]
    assert all(rows), out
    return [r for r in rows if r.group(4) == disk]


def test_biosnoop_dd_writes(loopdev, no_leftovers):
    out, pid = traced(loopdev, "biosnoop", "-d", loopdev)
    lines = out.splitlines()
    assert lines[0] == ("TIME(s)     COMM           PID     DISK      T SECTOR     BYTES  "
                        "LAT(ms)"), out
    rows = snoop_rows(out, loopdev)
    assert len(rows) == len(lines) - 1 == N, out  # -d: nothing of other disks
    for i, r in enumerate(rows):
        assert (r.group(2), int(r.group(3)), r.group(5)) == ("dd", pid, "W"), r.group(0)
        assert (int(r.group(6)), int(r.group(7))) == (8 * i, 4096), r.group(0)
        assert float(r.group(8)) >= 0
    times = [float(r.group(1)) for r in rows]
    assert times[0] == 0 and times == sorted(times)


def test_biosnoop_queue_pattern_all_disks(loopdev, no_leftovers):
    out, pid = traced(loopdev, "biosnoop", "-Q", "-P")
    assert out.splitlines()[0].endswith("BYTES  P QUE(ms) LAT(ms)"), out
    rows = snoop_rows(out, loopdev)
    assert len(rows) == N, out
    # -P: the first write of the disk is '?', then each starts where the last ended
    pats = [r.group(8).split() for r in rows]
    assert [p[0] for p in pats] == ["?"] + ["S"] * (N - 1), out
    assert all(len(p) == 3 and float(p[1]) >= 0 and float(p[2]) >= 0 for p in pats), out
    assert {(r.group(2), int(r.group(3))) for r in rows} == {("dd", pid)}


def test_biosnoop_json_and_metrics(loopdev, no_leftovers):
    port = free_port()
    dd = Dd(loopdev)
    t = tracer("biosnoop", "-d", loopdev, "--json", "--metrics", f"127.0.0.1:{port}")
    dd.run()
    # the events reach the output (and the metrics) once read from the ring buffer
    for _ in range(N):
        wait_line(t.proc, r'^\{"timestamp"')
    body = scrape(port)
    rc, out, err = t.stop()
    assert rc == 0, err
    evs = [json.loads(l) for l in out.splitlines()]
    assert len(evs) == N, out
    assert [e["sector"] for e in evs] == [8 * i for i in range(N)]
    assert {(e["comm"], e["pid"], e["disk"], e["type"], e["bytes"]) for e in evs} == {
        ("dd", dd.pid, loopdev, "W", 4096)}
    assert metric(body, "tracekit_biosnoop_ios_total", disk=loopdev, type="W") == N, body
    assert metric(body, "tracekit_biosnoop_bytes_total", disk=loopdev, type="W") == N * 4096
    assert metric(body, "tracekit_biosnoop_latency_seconds_count", disk=loopdev,
                  type="W") == N, body


def test_biosnoop_min_ms_filters_fast_io(loopdev, no_leftovers):
    # a 4 KiB write to a file on a loop device takes far less than a minute
    out, _ = traced(loopdev, "biosnoop", "-d", loopdev, "-m", "60000")
    assert len(out.splitlines()) == 1, out


# ---------------------------------------------------------------------------------------
# biolatency

HIST_ROW = re.compile(r"^ +(\d+) -> (\d+) +: (\d+) +\|")


def sections(out, header):
    """{section value: total count} of bcc's histograms ("disk = loop3") in out."""
    got, cur = {}, None
    for l in out.splitlines():
        m = re.match(rf"^{header} = (.*)$", l)
        if m:
            cur = m.group(1)
            got[cur] = 0
        m = HIST_ROW.match(l)
        if m and cur is not None:
            got[cur] += int(m.group(3))
    return got


def hist_total(out):
    return sum(int(m.group(3)) for m in map(HIST_ROW.match, out.splitlines()) if m)


def test_biolatency_per_disk_counts_dd(loopdev, no_leftovers):
    out, _ = traced(loopdev, "biolatency", "-D")
    assert out.startswith("Tracing block device I/O... Hit Ctrl-C to end.\n"), out
    assert "     usecs               : count     distribution" in out
    assert sections(out, "disk")[loopdev] == N, out


def test_biolatency_disk_filter_queued_ms_extension(loopdev, no_leftovers):
    out, _ = traced(loopdev, "biolatency", "-d", loopdev, "-Q", "-m", "-e")
    assert "     msecs               : count     distribution" in out, out
    assert "disk = " not in out and hist_total(out) == N, out
    m = re.search(r"^avg = (\d+) msecs, total: (\d+) msecs, count: (\d+)$", out, re.M)
    assert m and int(m.group(3)) == N, out


def test_biolatency_flags(loopdev, no_leftovers):
    out, _ = traced(loopdev, "biolatency", "-d", loopdev, "-F")
    got = sections(out, "flags")
    # O_DIRECT writes: "Write" with prefixes such as "Sync-" and "Idle-"
    assert got and sum(got.values()) == N and all(k.endswith("-Write") or k == "Write"
                                                   for k in got), out


def test_biolatency_json_and_metrics(loopdev, no_leftovers):
    port = free_port()
    dd = Dd(loopdev)
    t = tracer("biolatency", "-D", "-j", "--metrics", f"127.0.0.1:{port}")
    dd.run()
    body = scrape(port)
    rc, out, err = t.stop()
    assert rc == 0, err
    assert "Tracing block device I/O" in err  # with JSON the ready line goes to stderr
    (summary,) = [json.loads(l) for l in out.splitlines()]
    (h,) = [h for h in summary["hists"] if h["disk"] == loopdev]
    assert summary["unit"] == "usecs" and h["count"] == N, out
    assert sum(b["count"] for b in h["buckets"]) == N
    assert metric(body, "tracekit_biolatency_latency_seconds_count", disk=loopdev) == N, body


# ---------------------------------------------------------------------------------------
# bitesize


def test_bitesize_dd_4k(loopdev, no_leftovers):
    out, _ = traced(loopdev, "bitesize", "-d", loopdev)
    assert out.startswith("Tracing block I/O... Hit Ctrl-C to end.\n"), out
    assert sections(out, "Process Name") == {"dd": N}, out
    assert re.search(rf"^ +4 -> 7 +: {N} +\|\*{{40}}\|$", out, re.M), out
    assert "     Kbytes              : count     distribution" in out


def test_bitesize_comm_json_metrics(loopdev, no_leftovers):
    port = free_port()
    dd = Dd(loopdev)
    t = tracer("bitesize", "-c", "dd", "-d", loopdev, "--json", "--metrics",
               f"127.0.0.1:{port}")
    dd.run()
    body = scrape(port)
    rc, out, err = t.stop()
    assert rc == 0, err
    (summary,) = [json.loads(l) for l in out.splitlines()]
    (h,) = summary["hists"]
    assert (h["Process Name"], h["count"], h["sum"]) == ("dd", N, 4 * N), out
    assert h["buckets"][-1] == {"low": 4, "high": 7, "count": N}, out
    assert metric(body, "tracekit_bitesize_io_kbytes_count", comm="dd") == N, body
    assert metric(body, "tracekit_bitesize_io_kbytes_sum", comm="dd") == 4 * N, body


def test_bitesize_other_comm_sees_nothing_of_dd(loopdev, no_leftovers):
    out, _ = traced(loopdev, "bitesize", "-d", loopdev, "-c", "nosuchcomm")
    assert "Process Name" not in out, out


# ---------------------------------------------------------------------------------------
# biotop

TOP_HEADER = "PID     COMM             D MAJ MIN DISK       I/O  Kbytes  AVGms"


def test_biotop_lists_dd(loopdev, no_leftovers):
    # one long interval, ended by Ctrl-C: the last table holds the whole run
    dd = Dd(loopdev)
    t = tracer("biotop", "-C", "-r", "1000", "-p", dd.pid, "60")
    assert t.ready_line == "Tracing... Output every 60 secs. Hit Ctrl-C to end"
    dd.run()
    rc, out, err = t.stop()
    assert rc == 0, err
    lines = out.splitlines()
    assert re.match(r"^\d\d:\d\d:\d\d loadavg: \S+ \S+ \S+ \d+/\d+ \d+$", lines[2]), out
    assert lines[4] == TOP_HEADER and lines[-1] == "Detaching...", out
    maj, mn = Path(f"/sys/block/{loopdev}/dev").read_text().split(":")
    # -p: dd's requests alone
    rows = lines[5:-1]
    assert len(rows) == 1, out
    f = rows[0].split()
    assert f[:8] == [str(dd.pid), "dd", "W", maj, mn.strip(), loopdev, str(N), str(N * 4)], out
    assert float(f[8]) >= 0


def test_biotop_json_and_metrics(loopdev, no_leftovers):
    port = free_port()
    dd = Dd(loopdev)
    t = tracer("biotop", "--json", "--metrics", f"127.0.0.1:{port}", "60")
    dd.run()
    body = scrape(port)
    rc, out, err = t.stop()
    assert rc == 0, err
    (table,) = [json.loads(l) for l in out.splitlines()]
    (row,) = [r for r in table["rows"] if r["disk"] == loopdev]
    assert (row["pid"], row["comm"], row["type"], row["io"], row["bytes"], row["kbytes"]) == (
        dd.pid, "dd", "W", N, N * 4096, N * 4), out
    # the scrape took the rows out before the table: both saw all of them
    assert metric(body, "tracekit_biotop_ios_total", comm="dd", disk=loopdev, type="W") == N
    assert metric(body, "tracekit_biotop_bytes_total", comm="dd", disk=loopdev,
                  type="W") == N * 4096, body


# ---------------------------------------------------------------------------------------
# errors


def test_bio_errors():
    assert one_line_error("biosnoop", "-d", "nosuchdisk", code=1).endswith(
        "no such disk 'nosuchdisk'")
    assert one_line_error("biolatency", "-d", "../null", code=1).endswith(
        "no such disk '../null'")
    assert "no such disk" in one_line_error("bitesize", "-d", "null", code=1)  # not a block dev
    assert "-F" in one_line_error("biolatency", "-D", "-F", code=2)
    assert "--comm" in one_line_error("bitesize", "-c", "x" * 16, code=1)
    assert "-r" in one_line_error("biotop", "-r", "0", code=2)
    assert "not supported" in one_line_error("biosnoop", "-c", "/sys/fs/cgroup", code=2)
    assert "count" in one_line_error("biolatency", "1", "0", code=2)
    assert "duration" in one_line_error("biosnoop", "x", code=2)
