"""syscount, sigsnoop, mountsnoop, oomkill and drsnoop on real processes the tests start.

Each test causes its own events in a child it controls (a python3 child that waits on stdin
until the tracer is attached) and checks what is exactly knowable: its pid, the number of its
calls, the signal it got, the mount it made, the process the OOM killer took.
"""
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import TRACEKIT, collect, free_port, output, run_tracer, spawn, wait_line

ME = os.getpid()
PY_COMM = Path(sys.executable).name[:15]


def tracer(tool, *args, ready=r"^Tracing|^COMM|^TIME|^PID"):
    if not TRACEKIT.exists():
        pytest.fail(f"{TRACEKIT} is missing: run `make` first")
    return run_tracer([tool, *[str(a) for a in args]], ready_regex=ready)


def child(script, prefix=()):
    """A python3 child (run by prefix, a command that execs it) that prints "ready", then runs
    script once go() is called, then waits for a last line on stdin before it exits (so the
    tracer sees it alive at its end)."""
    code = ("import os, sys\nprint('ready', flush=True)\nsys.stdin.readline()\n" +
            textwrap.dedent(script) + "\nprint('done', flush=True)\nsys.stdin.readline()\n")
    p = spawn([*prefix, sys.executable, "-c", code], stdin=subprocess.PIPE)
    wait_line(p, "^ready")
    return p


def go(p):
    p.stdin.write(b"go\n")
    p.stdin.flush()


def finish(p):
    go(p)
    rc, out, err = collect(p)
    assert rc == 0, err


def stopped(t):
    rc, out, err = t.stop()
    assert rc == 0, f"tracer failed (rc={rc}):\n{err}"
    return out


def bad(tool, *args):
    r = subprocess.run([str(TRACEKIT), tool, *args], capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout, r.stderr


def one_line_error(tool, *args, code=None):
    rc, out, err = bad(tool, *args)
    assert rc != 0 and out == "", (rc, out, err)
    lines = [l for l in err.splitlines() if not l.startswith("usage:") and not l.startswith(" ")]
    assert len(lines) == 1, err
    if code is not None:
        assert rc == code, err
    return lines[0]


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def traced(script, tool, *args, ready=r"^Tracing|^COMM|^TIME|^PID", pid_arg=True, prefix=(),
           tid_arg=False):
    """Run script in a child while tool (with -p CHILD unless not pid_arg; args, then the
    child's pid with tid_arg) traces it: the tracer's ready line, the child's pid and the
    tracer's whole output."""
    p = child(script, prefix)
    t = tracer(tool, *(["-p", p.pid] if pid_arg else []), *args, *([p.pid] if tid_arg else []),
               ready=ready)
    go(p)
    wait_line(p, "^done")
    out = stopped(t)
    finish(p)
    return t.ready_line, p.pid, out


# ---------------------------------------------------------------------------------------
# syscount

N_CALLS = 1234
GETPPID = f"for _ in range({N_CALLS}): os.getppid()"


def count_rows(out):
    """{name: count} of the last summary's rows."""
    blocks = out.split("\n[")
    rows = {}
    for line in blocks[-1].splitlines()[2:]:
        m = re.match(r"^(.{22}) +(\d+)", line)
        if m:
            rows[m.group(1).strip()] = int(m.group(2))
    return rows


def test_syscount_counts_exactly_the_getppid_calls_of_a_pid(no_leftovers):
    ready, _, out = traced(GETPPID, "syscount")
    assert ready == "Tracing syscalls, printing top 10... Ctrl+C to quit."
    lines = out.splitlines()
    assert re.match(r"^\[\d\d:\d\d:\d\d\]$", lines[1])
    assert lines[2] == "SYSCALL                   COUNT"
    assert count_rows(out)["getppid"] == N_CALLS
    assert lines[-1] == "Detaching..."
    # -t: the child's one thread
    _, _, out = traced(GETPPID, "syscount", "-t", pid_arg=False, tid_arg=True)
    assert count_rows(out)["getppid"] == N_CALLS


def test_syscount_latency_process_and_syscall_filter(no_leftovers):
    ready, _, out = traced(GETPPID, "syscount", "-L", "-m", "--syscall", "getppid")
    assert ready == "Tracing syscall 'getppid'... Ctrl+C to quit."
    lines = out.splitlines()
    assert lines[2] == "SYSCALL                   COUNT        TIME (ms)"
    rows = [l for l in lines[3:] if l.strip() and l != "Detaching..."]
    assert len(rows) == 1, out
    m = re.match(r"^getppid +(\d+) +(\d+\.\d{6})$", rows[0])
    assert m and int(m.group(1)) == N_CALLS, out
    assert 0 < float(m.group(2)) < 1000

    _, pid, out = traced(GETPPID, "syscount", "-P", "--syscall", "getppid")
    assert out.splitlines()[2] == "PID    COMM               COUNT"
    assert f"{pid:<6} {PY_COMM:<15} {N_CALLS:8}" in out.splitlines()


def test_syscount_failures_errno_and_json(no_leftovers):
    script = """
        for _ in range(77):
            try:
                os.stat("/nonexistent/tk-syscount")
            except FileNotFoundError:
                pass
        for _ in range(5):
            try:
                os.kill(1 << 22 | 1, 0)
            except ProcessLookupError:
                pass
        os.getppid()
    """
    for args, want in ((["-x"], {"newfstatat": 77, "kill": 5}),
                       (["-e", "ESRCH"], {"kill": 5}),
                       (["-e", "2"], {"newfstatat": 77})):
        _, _, out = traced(script, "syscount", *args, "--json", ready=r"^Tracing")
        s = json.loads(out.strip().splitlines()[-1])
        assert re.match(r"^\d\d:\d\d:\d\d$", s["time"])
        got = {r["syscall"]: (r["count"], r["errors"]) for r in s["syscalls"]}
        assert got == {k: (v, v) for k, v in want.items()}, out


def test_syscount_interval_duration_top_and_metrics(no_leftovers):
    port = free_port()
    p = child(GETPPID)
    t = tracer("syscount", "-p", p.pid, "-i", "1", "-d", "3", "-T", "1", "-L",
               "--metrics", f"127.0.0.1:{port}")
    go(p)
    wait_line(p, "^done")
    time.sleep(0.3)
    body = scrape(port)
    assert f'tracekit_syscount_calls_total{{syscall="getppid"}} {N_CALLS}' in body, body
    assert 'tracekit_syscount_time_seconds_total{syscall="getppid"}' in body
    rc, out, err = t.wait(timeout=15)
    finish(p)
    assert rc == 0, err
    stamps = [l for l in out.splitlines() if re.match(r"^\[\d\d:\d\d:\d\d\]$", l)]
    assert len(stamps) == 3, out  # -d 3 -i 1: three summaries, none after
    # -T 1: at most one row per summary
    for block in out.split("\n[")[1:]:
        rows = [l for l in block.splitlines()[2:] if l.strip() and l != "Detaching..."]
        assert len(rows) <= 1, out
    assert out.splitlines()[-1] == "Detaching..."


def test_syscount_list_and_errors(no_leftovers):
    rc, out, err = bad("syscount", "-l")
    assert rc == 0 and err == ""
    names = out.split()
    assert "getppid" in names and "openat" in names and names == sorted(names)
    assert "syscall 'nope' not found" in one_line_error("syscount", "--syscall", "nope", code=1)
    assert "couldn't map EFOO to an errno" in one_line_error("syscount", "-e", "EFOO", code=2)
    assert "-T" in one_line_error("syscount", "-T", "0", code=2)
    assert "-p" in one_line_error("syscount", "-p", "x", code=2)


# ---------------------------------------------------------------------------------------
# sigsnoop

MY_COMM = Path("/proc/self/comm").read_text().strip()
NO_SUCH_PID = 2**22 + 1  # above PID_MAX_LIMIT: kill() gives ESRCH
SIG_HEADER = "TIME     PID     COMM             SIG          TPID    TCOMM            RESULT"


def sig_rows(out):
    """(pid, comm, sig, tpid, tcomm, result) of every row."""
    rows = []
    for line in out.splitlines()[1:]:
        m = re.match(r"^\d\d:\d\d:\d\d (\d+) +(.{16}) (\S+) +(-?\d+) +(.{16}) (-?\d+) *$", line)
        assert m, line
        rows.append((int(m[1]), m[2].strip(), m[3], int(m[4]), m[5].strip(), int(m[6])))
    return rows


def test_sigsnoop_sees_our_sigusr1_and_an_ignored_signal(no_leftovers):
    a = spawn(["/bin/sleep", "30"])
    b = spawn(["/bin/sleep", "30"])
    t = tracer("sigsnoop", "-p", ME, "-s", "USR1,23")
    os.kill(a.pid, signal.SIGUSR1)
    os.kill(b.pid, signal.SIGURG)  # ignored by default: result 1
    os.kill(b.pid, signal.SIGTERM)  # not in -s
    collect(a)
    collect(b)
    out = stopped(t)
    assert out.splitlines()[0] == SIG_HEADER
    assert sig_rows(out) == [(ME, MY_COMM, "10", a.pid, "sleep", 0),
                             (ME, MY_COMM, "23", b.pid, "sleep", 1)]

    b = spawn(["/bin/sleep", "30"])
    t = tracer("sigsnoop", "-p", ME, "-x", "-n")
    os.kill(b.pid, signal.SIGURG)
    os.kill(b.pid, signal.SIGKILL)
    collect(b)
    assert sig_rows(stopped(t)) == [(ME, MY_COMM, "SIGURG", b.pid, "sleep", 1)]

    b = spawn(["/bin/sleep", "30"])
    t = tracer("sigsnoop", "-p", ME, "-s", "USR1", "--json", ready=r"^Tracing")
    os.kill(b.pid, signal.SIGUSR1)
    collect(b)
    rows = [json.loads(l) for l in stopped(t).splitlines()]
    assert rows[0].pop("time") and rows == [
        {"pid": ME, "tid": ME, "comm": MY_COMM, "sig": 10, "tpid": b.pid, "tcomm": "sleep",
         "result": 0, "call": "generate", "code": 0}]  # code: SI_USER, from kill()


def test_sigsnoop_kill_only_json_and_metrics(no_leftovers):
    port = free_port()
    a = spawn(["/bin/sleep", "30"])
    t = tracer("sigsnoop", "-k", "-p", ME, "--json", "--metrics", f"127.0.0.1:{port}",
               ready=r"^Tracing")
    os.kill(a.pid, signal.SIGUSR2)
    try:
        os.kill(NO_SUCH_PID, signal.SIGUSR1)
    except ProcessLookupError:
        pass
    collect(a)
    body = scrape(port)
    assert 'tracekit_sigsnoop_signals_total{signal="SIGUSR2",result="0"} 1' in body, body
    assert 'tracekit_sigsnoop_signals_total{signal="SIGUSR1",result="-3"} 1' in body, body
    rows = [json.loads(l) for l in stopped(t).splitlines()]
    rows = [r for r in rows if r["tpid"] != t.pid]  # the SIGINT that stops the tracer
    for r in rows:
        assert re.match(r"^\d\d:\d\d:\d\d$", r.pop("time"))
    # the target of the first has exited by the time its row is printed, or not: TCOMM is
    # read from /proc for -k's rows
    assert rows[0].pop("tcomm") in ("sleep", "")
    assert rows == [
        {"pid": ME, "tid": ME, "comm": MY_COMM, "sig": 12, "tpid": a.pid, "result": 0,
         "call": "kill"},
        {"pid": ME, "tid": ME, "comm": MY_COMM, "sig": 10, "tpid": NO_SUCH_PID, "tcomm": "",
         "result": -3, "call": "kill"}]


def test_sigsnoop_errors(no_leftovers):
    assert "-s" in one_line_error("sigsnoop", "-s", "SIGNOPE", code=2)
    assert "-s" in one_line_error("sigsnoop", "-s", "1,,2", code=2)
    assert "-s" in one_line_error("sigsnoop", "-s", "65", code=2)
    assert "-p" in one_line_error("sigsnoop", "-p", "0x", code=2)


# ---------------------------------------------------------------------------------------
# mountsnoop

MOUNT_SCRIPT = """
    import ctypes, sys
    libc = ctypes.CDLL(None, use_errno=True)
    d = DIR.encode()
    assert libc.mount(b"tk-tmpfs", d, b"tmpfs", 2 | 4, b"size=1m") == 0, ctypes.get_errno()
    assert libc.umount2(d, 2) == 0, ctypes.get_errno()
    assert libc.mount(b"tk-none", d, b"tk-nofs", 0, None) == -1
    assert libc.umount2(d, 0) == -1
"""
PRIVATE_NS = ["unshare", "-m", "--propagation", "private"]


def mounts_in_private_ns(script, d):
    """script (DIR: the directory d) in a child in a private mount namespace, traced by
    mountsnoop -p: its last line before "done", the start of its rows, mountsnoop's output."""
    p = child(script.replace("DIR", repr(d)), PRIVATE_NS)
    ns = os.stat(f"/proc/{p.pid}/ns/mnt").st_ino
    assert ns != os.stat("/proc/self/ns/mnt").st_ino
    t = tracer("mountsnoop", "-p", p.pid)
    assert t.ready_line == "COMM             PID     TID     MNT_NS      CALL"
    go(p)
    last = wait_line(p, "^done")
    lines = [l for l in output(p).splitlines() if l not in ("ready", "done")]
    out = stopped(t)
    finish(p)
    return (lines[-1] if lines else last), f"{PY_COMM:<16} {p.pid:<7} {p.pid:<7} {ns:<11} ", out


def test_mountsnoop_sees_a_tmpfs_mounted_in_a_private_namespace(no_leftovers, tmp_path):
    d = str(tmp_path)
    _, pre, out = mounts_in_private_ns(MOUNT_SCRIPT, d)
    assert out.splitlines()[1:] == [
        pre + f'mount("tk-tmpfs", "{d}", "tmpfs", MS_NOSUID|MS_NODEV, "size=1m") = 0',
        pre + f'umount("{d}", MNT_DETACH) = 0',
        pre + f'mount("tk-none", "{d}", "tk-nofs", 0x0, "") = -ENODEV',
        pre + f'umount("{d}", 0x0) = -EINVAL',
    ], out


def test_mountsnoop_parent_timestamp_json_and_errors(no_leftovers, tmp_path):
    d = str(tmp_path)
    script = MOUNT_SCRIPT.replace("DIR", repr(d))
    _, pid, out = traced(script, "mountsnoop", "-P", "-t", prefix=PRIVATE_NS)
    lines = out.splitlines()
    assert lines[0] == ("TIME     COMM             PID     TID     PCOMM            PPID    "
                        "MNT_NS      CALL")
    assert len(lines) == 5
    pcomm = Path(f"/proc/{ME}/comm").read_text().strip()
    assert re.match(rf"^\d\d:\d\d:\d\d {PY_COMM} +{pid} +{pid} +{pcomm} +{ME} +\d+ +mount\(",
                    lines[1]), lines[1]

    _, pid, out = traced(script, "mountsnoop", "--json", prefix=PRIVATE_NS, ready=r"^Tracing")
    rows = [json.loads(l) for l in out.splitlines()]
    assert [(r["call"], r["target"], r["ret"]) for r in rows] == [
        ("mount", d, 0), ("umount", d, 0), ("mount", d, -19), ("umount", d, -22)]
    assert rows[0]["source"] == "tk-tmpfs" and rows[0]["type"] == "tmpfs"
    assert rows[0]["data"] == "size=1m" and rows[0]["flags"] == 6 and rows[0]["pid"] == pid
    assert rows[0]["mnt_ns"] != os.stat("/proc/self/ns/mnt").st_ino

    assert "-p" in one_line_error("mountsnoop", "-p", "-1", code=2)
    assert "unrecognized" in one_line_error("mountsnoop", "extra", code=2)


# ---------------------------------------------------------------------------------------
# memory cgroups for oomkill and drsnoop


@pytest.fixture
def memcg():
    """make(limit_bytes) -> prefix: a memory cgroup nested in this test's own (so the
    limits above it still hold), with that hard limit and no swap, and the command prefix that
    runs a program in it. Removed after the test, once its processes are gone."""
    made = []

    def make(limit):
        own = {l.split(":")[1]: l.split(":")[2] for l in
               Path("/proc/self/cgroup").read_text().splitlines()}
        if Path("/sys/fs/cgroup/memory/memory.limit_in_bytes").exists():  # cgroup v1
            cg = Path("/sys/fs/cgroup/memory" + own["memory"].rstrip("/")) / f"tk-sys-{os.getpid()}-{len(made)}"
            cg.mkdir()
            made.append(cg)
            (cg / "memory.limit_in_bytes").write_text(str(limit))
            (cg / "memory.swappiness").write_text("0")
        else:  # cgroup v2
            parent = Path("/sys/fs/cgroup" + own[""].rstrip("/"))
            if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
                pytest.skip(f"no memory controller for the children of {parent}")
            cg = parent / f"tk-sys-{os.getpid()}-{len(made)}"
            cg.mkdir()
            made.append(cg)
            (cg / "memory.max").write_text(str(limit))
            if (cg / "memory.swap.max").exists():
                (cg / "memory.swap.max").write_text("0")
        return ["sh", "-c", f'echo $$ > {cg}/cgroup.procs && exec "$@"', "sh"]

    yield make
    from conftest import kill_spawned
    kill_spawned()
    for cg in made:
        deadline = time.monotonic() + 10
        while True:
            try:
                cg.rmdir()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


# ---------------------------------------------------------------------------------------
# oomkill

EAT = """
    a = []
    while True:
        a.append(bytearray(1 << 20))
"""


def test_oomkill_reports_the_process_killed_in_its_memory_cgroup(no_leftovers, memcg):
    prefix = memcg(32 << 20)
    port = free_port()
    t = tracer("oomkill", "--metrics", f"127.0.0.1:{port}")
    assert t.ready_line == "Tracing OOM kills... Ctrl-C to end."
    p = child(EAT, prefix)
    go(p)
    rc, _, _ = collect(p)
    assert rc == -signal.SIGKILL
    line = wait_line(t.proc, "OOM kill of PID")
    m = re.match(r'^\d\d:\d\d:\d\d Triggered by PID (\d+) \("(.*)"\), OOM kill of PID (\d+) '
                 r'\("(.*)"\), (\d+) pages, loadavg: \d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$',
                 line)
    assert m, line
    # the process that ran out of memory ran the OOM killer on itself
    assert (int(m[1]), m[2], int(m[3]), m[4]) == (p.pid, PY_COMM, p.pid, PY_COMM)
    # its total_vm: above the 32 MiB it had reached
    assert int(m[5]) * os.sysconf("SC_PAGESIZE") > 32 << 20
    assert f'tracekit_oomkill_kills_total{{comm="{PY_COMM}"}} 1' in scrape(port)
    out = stopped(t)
    assert len([l for l in out.splitlines() if "OOM kill of" in l]) == 1, out


def test_oomkill_json_and_errors(no_leftovers, memcg):
    prefix = memcg(24 << 20)
    t = tracer("oomkill", "--json", ready=r"^Tracing")
    p = child(EAT, prefix)
    go(p)
    collect(p)
    r = json.loads(wait_line(t.proc, "victim_pid"))
    assert (r["pid"], r["victim_pid"], r["victim_comm"]) == (p.pid, p.pid, PY_COMM)
    assert r["anon_rss_kb"] > 16 << 10 and r["victim_uid"] == os.getuid()
    stopped(t)
    assert "unrecognized" in one_line_error("oomkill", "-p", "1", code=2)


# ---------------------------------------------------------------------------------------
# drsnoop: a child reads a file larger than its memory cgroup's limit, through the page cache,
# so that every charge past the limit makes it reclaim its own cache pages first

READ_PAST_LIMIT = """
    fd = os.open(PATH, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # its pages are not cached yet
    while os.read(fd, 1 << 20):
        pass
"""
FILE_MB, LIMIT_MB = 64, 16


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "tk-drsnoop"
    with open(path, "wb") as f:
        for _ in range(FILE_MB):
            f.write(os.urandom(1 << 20))
        os.fsync(f.fileno())  # clean pages, which the child's POSIX_FADV_DONTNEED drops
    return str(path)


def dr_rows(out):
    rows = []
    for line in out.splitlines()[1:]:
        m = re.match(r"^(.{14}) (\d+) +(\d+\.\d\d) +(\d+)$", line)
        assert m, line
        rows.append((m[1].strip(), int(m[2]), float(m[3]), int(m[4])))
    return rows


def test_drsnoop_sees_the_reclaim_of_a_process_at_its_cgroup_limit(no_leftovers, memcg, big_file):
    port = free_port()
    prefix = memcg(LIMIT_MB << 20)
    script = READ_PAST_LIMIT.replace("PATH", repr(big_file))
    p = child(script, prefix)
    t = tracer("drsnoop", "-p", p.pid, "--metrics", f"127.0.0.1:{port}")
    assert t.ready_line == "COMM           PID     LAT(ms) PAGES"
    go(p)
    wait_line(p, "^done")
    body = scrape(port)
    out = stopped(t)
    finish(p)
    rows = dr_rows(out)
    assert rows and {(c, pid) for c, pid, _, _ in rows} == {(PY_COMM, p.pid)}
    # what was read past the limit was reclaimed, by the reader itself
    assert sum(r[3] for r in rows) * os.sysconf("SC_PAGESIZE") >= (FILE_MB - 2 * LIMIT_MB) << 20
    m = re.search(rf'^tracekit_drsnoop_reclaim_seconds_count{{comm="{PY_COMM}"}} (\d+)$', body,
                  re.M)
    assert m and int(m[1]) == len(rows), body


def test_drsnoop_filters_columns_and_json(no_leftovers, memcg, big_file):
    prefix = memcg(LIMIT_MB << 20)
    script = READ_PAST_LIMIT.replace("PATH", repr(big_file))
    # a name that is not the reader's: nothing, while it reclaims
    _, _, out = traced(script, "drsnoop", "-n", "tk-no-such", prefix=prefix)
    assert out.splitlines() == ["COMM           PID     LAT(ms) PAGES"]

    Path(big_file).read_bytes()  # cached again outside the cgroup: the child drops it again
    _, pid, out = traced(script, "drsnoop", "-T", "-U", "-v", prefix=prefix)
    lines = out.splitlines()
    assert lines[0] == "TIME(s)       UID   COMM           PID     LAT(ms) PAGES  FREE(KB)"
    assert len(lines) > 1
    for l in lines[1:]:
        m = re.match(rf"^(\d+\.\d{{9}}) +0 +{PY_COMM} +{pid} +\d+\.\d\d +\d+ +\d+$", l)
        assert m, l
    assert float(lines[1].split()[0]) == 0.0

    _, pid, out = traced(script, "drsnoop", "--json", prefix=prefix, ready=r"^Tracing")
    rows = [json.loads(l) for l in out.splitlines()]
    assert rows and all(r["pid"] == pid and r["memcg"] and r["pages"] >= 0 for r in rows)

    assert "-u" in one_line_error("drsnoop", "-u", "no-such-user-tk", code=2)
    assert "-d" in one_line_error("drsnoop", "-d", "0", code=2)


NEW_API_SCRIPT = """
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    sc = libc.syscall
    d = DIR.encode()
    fd = sc(430, b"tmpfs", 1)  # fsopen(FSOPEN_CLOEXEC)
    assert fd >= 0, ctypes.get_errno()
    assert sc(431, fd, 1, b"size", b"1m", 0) == 0  # fsconfig(FSCONFIG_SET_STRING)
    assert sc(431, fd, 6, None, None, 0) == 0  # fsconfig(FSCONFIG_CMD_CREATE)
    mfd = sc(432, fd, 1, 4 | 1)  # fsmount(FSMOUNT_CLOEXEC, NODEV|RDONLY)
    assert mfd >= 0, ctypes.get_errno()
    assert sc(429, mfd, b"", -100, d, 4) == 0  # move_mount(F_EMPTY_PATH)
    os.close(mfd)  # it holds the mount: umount would be EBUSY
    assert libc.umount2(d, 0) == 0, ctypes.get_errno()
    print(fd, mfd, flush=True)
"""


def test_mountsnoop_new_mount_api(no_leftovers, tmp_path):
    d = str(tmp_path)
    fds, pre, out = mounts_in_private_ns(NEW_API_SCRIPT, d)
    fd, mfd = map(int, fds.split())
    assert out.splitlines()[1:] == [
        pre + f'fsopen("tmpfs", FSOPEN_CLOEXEC) = {fd}',
        pre + f'fsconfig({fd}, FSCONFIG_SET_STRING, "size", "1m", 0) = 0',
        pre + f'fsconfig({fd}, FSCONFIG_CMD_CREATE, "", "", 0) = 0',
        pre + f'fsmount({fd}, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY|MOUNT_ATTR_NODEV) = {mfd}',
        pre + f'move_mount({mfd}, "", AT_FDCWD, "{d}", MOVE_MOUNT_F_EMPTY_PATH) = 0',
        pre + f'umount("{d}", 0x0) = 0',
    ], out
