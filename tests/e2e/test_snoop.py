"""End-to-end tests of the snoop tools: execsnoop, exitsnoop, opensnoop, killsnoop, statsnoop,
syncsnoop and bindsnoop, on the real kernel.

Every test performs the traced actions itself, from processes it started (so it knows their
PIDs), and looks for the exact rows those actions must produce, in bcc's column formats.
Rows of other processes on the machine are ignored by filtering on our PIDs.

TK_SNOOP_BIN may name another tracekit binary (e.g. one linked with only the snoop tools
while the main build is broken); the default is build/tracekit.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import (TRACEKIT, core_relocations, collect, free_port, kernel_state, kill_spawned, require_tracefs,
                      run_tracer, spawn)

BIN = Path(os.environ.get("TK_SNOOP_BIN", str(TRACEKIT)))
ME = os.getpid()
MY_COMM = Path("/proc/self/comm").read_text().strip()
PY_COMM = Path(sys.executable).name[:15]  # comm of the python children
NO_SUCH_PID = 2**22 + 1  # above PID_MAX_LIMIT: kill() gives ESRCH
STAT_SYSCALLS = ["stat", "statx", "statfs", "newstat", "newlstat", "fstatat64", "newfstatat"]

# The first line each tool prints once attached (text mode); --json prints "Tracing" on stderr.
READY = {
    "execsnoop": r"COMM +PID +PPID +RET ARGS",
    "exitsnoop": r"PCOMM +PID +PPID +TID +AGE\(s\) +EXIT_CODE",
    "opensnoop": r"COMM +FD ERR",
    "killsnoop": r"^TIME +PID +COMM +SIG +TPID +RESULT",
    "statsnoop": r"COMM +FD ERR",
    "syncsnoop": r"^TIME\(s\) +COMM +CALL",
    "bindsnoop": r"^Tracing binds",
}


# Names of every BPF program of the snoop tools, full (bpftool reads them from BTF) and as
# the kernel keeps them (15 characters).
OUR_PROGS = {
    m
    for n in (
        "execve_enter execve_exit execveat_enter execveat_exit process_exit open_entry "
        "openat_entry openat2_entry open_exit openat_exit openat2_exit kill_entry "
        "kill_return tkill_entry tkill_return tgkill_entry tgkill_return bind_entry "
        "bind_return sync_entry fsync_entry fdatasync_entry msync_entry "
        "sync_file_range_entry sync_file_range2_entry syncfs_entry"
    ).split()
    + [f"{s}_{w}" for s in STAT_SYSCALLS for w in ("entry", "return")]
    for m in (n, n[:15])
}


@pytest.fixture
def no_leftovers(procs):
    """Like conftest's no_leftovers, but blind to other engineers' tracers on a shared machine:
    after the test no BPF program of a snoop tool that the test loaded may remain (a link
    holds its program, so no program also means no link)."""
    before = set(kernel_state().progs)
    yield
    kill_spawned()
    deadline = time.monotonic() + 3
    while True:
        left = {i: p["name"] for i, p in kernel_state().progs.items()
                if i not in before and p.get("name") in OUR_PROGS}
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not left, f"BPF programs left in the kernel after the test: {left}"


def tracer(tool, *args):
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: run `make` first")
    args = [str(a) for a in args]
    ready = r"^Tracing" if "--json" in args else READY[tool]
    return run_tracer([tool, *args], ready_regex=ready, binary=BIN)


def child(script):
    """A python3 child that runs script once the test calls go(child)."""
    code = "import os, sys\nsys.stdin.readline()\n" + textwrap.dedent(script)
    return spawn([sys.executable, "-c", code], stdin=subprocess.PIPE)


def go(proc):
    proc.stdin.write(b"go\n")
    proc.stdin.flush()


def run_child(script, timeout=30):
    """Start a child, let it run script, wait for it; return (proc, stdout)."""
    p = child(script)
    go(p)
    rc, out, err = collect(p, timeout)
    assert rc == 0, f"child failed (rc={rc}):\n{out}{err}"
    return p, out


def stop(t):
    rc, out, err = t.stop()
    assert rc == 0, f"tracer failed (rc={rc}):\n{err}"
    return out


def json_rows(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def bad_input(tool, *args):
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: run `make` first")
    r = subprocess.run([str(BIN), tool, *args], capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout, r.stderr


# ---------------------------------------------------------------------------------------
# execsnoop


def exec_row(comm, pid, ppid, ret, args):
    return "%-16s %-7d %-7s %3d %s" % (comm, pid, ppid, ret, args)


def test_execsnoop_args_ret_and_failed_exec(no_leftovers):
    t = tracer("execsnoop", "-x")
    echo = spawn(["/bin/echo", "tk-hello", "two words"])
    sh = spawn(["/bin/sh", "-c", "exec /nonexistent/tk-prog one two", "tk-sh"])
    collect(echo)
    collect(sh)
    lines = stop(t).splitlines()
    assert lines[0] == "%-16s %-7s %-7s %3s %s" % ("COMM", "PID", "PPID", "RET", "ARGS")
    assert exec_row("echo", echo.pid, ME, 0, "/bin/echo tk-hello two words") in lines
    assert exec_row("sh", sh.pid, ME, 0, "/bin/sh -c exec /nonexistent/tk-prog one two tk-sh") in lines
    # The failed exec keeps the old comm and reports -ENOENT.
    assert exec_row("sh", sh.pid, ME, -2, "/nonexistent/tk-prog one two") in lines


def test_execsnoop_without_x_hides_failures(no_leftovers):
    t = tracer("execsnoop")
    sh = spawn(["/bin/sh", "-c", "exec /nonexistent/tk-prog2", "tk-sh"])
    collect(sh)
    out = stop(t)
    assert exec_row("sh", sh.pid, ME, 0, "/bin/sh -c exec /nonexistent/tk-prog2 tk-sh") in out.splitlines()
    assert "/nonexistent/tk-prog2\n" not in out.replace(" tk-sh\n", "")


def test_execsnoop_time_columns_uid_quote_maxargs(no_leftovers):
    t = tracer("execsnoop", "-T", "-t", "-U", "-q", "--max-args", "3")
    echo = spawn(["/bin/echo", "a", 'say "hi"', "c", "d"])
    collect(echo)
    lines = stop(t).splitlines()
    assert re.match(r"^TIME +TIME\(s\) UID +COMM +PID +PPID +RET ARGS$", lines[0])
    want = exec_row("echo", echo.pid, ME, 0, r'"/bin/echo" "a" "say \"hi\"" "..."')
    rows = [l for l in lines if l.endswith(want)]
    assert len(rows) == 1, lines
    prefix = rows[0][: -len(want)]
    assert re.match(r"^\d\d:\d\d:\d\d +\d+\.\d{3} *%-6d$" % os.getuid(), prefix), rows[0]


def test_execsnoop_long_args_are_cut_like_bcc(no_leftovers):
    # bcc reads at most 128 bytes per argument (127 characters and the NUL).
    t = tracer("execsnoop", "--max-args", "60")
    args = ["x%d" % i for i in range(1, 60)] + ["L" * 200]
    p = spawn(["/bin/echo", *args])
    collect(p)
    out = stop(t)
    want = exec_row("echo", p.pid, ME, 0, " ".join(["/bin/echo"] + args[:59]) + " ...")
    assert want in out.splitlines()
    t = tracer("execsnoop")
    p = spawn(["/bin/echo", "L" * 200])
    collect(p)
    assert exec_row("echo", p.pid, ME, 0, "/bin/echo " + "L" * 127) in stop(t).splitlines()


def test_execsnoop_name_and_line_filters(no_leftovers):
    t = tracer("execsnoop", "-n", "^echo$", "-l", "tk-keep")
    keep = spawn(["/bin/echo", "tk-keep"])
    drop_line = spawn(["/bin/echo", "tk-drop"])
    drop_name = spawn(["/bin/sh", "-c", "true", "tk-keep"])
    for p in (keep, drop_line, drop_name):
        collect(p)
    out = stop(t)
    assert exec_row("echo", keep.pid, ME, 0, "/bin/echo tk-keep") in out.splitlines()
    assert f" {drop_line.pid} " not in out
    assert f" {drop_name.pid} " not in out


def test_execsnoop_json(no_leftovers):
    t = tracer("execsnoop", "--json")
    echo = spawn(["/bin/echo", "tk-json", "x y"])
    collect(echo)
    rows = [r for r in json_rows(stop(t)) if r["pid"] == echo.pid]
    assert rows == [
        {
            "uid": os.getuid(),
            "comm": "echo",
            "pid": echo.pid,
            "ppid": ME,
            "ret": 0,
            "args": ["/bin/echo", "tk-json", "x y"],
            "truncated": False,
        }
    ]


def test_execsnoop_escapes_control_chars(no_leftovers, tmp_path):
    link = tmp_path / "tk\x01ctl"
    link.symlink_to("/bin/true")
    t = tracer("execsnoop")
    p = spawn([link, "a\x1bb\tc", "new\nline"])
    collect(p)
    out = stop(t)
    want = exec_row("tk\\x01ctl", p.pid, ME, 0, f"{tmp_path}/tk\\x01ctl a\\eb\\tc new\\nline")
    assert want in out.splitlines()
    assert "\x1b" not in out and "\x01" not in out

    t = tracer("execsnoop", "--json")
    p = spawn([link, "a\x1bb"])
    collect(p)
    out = stop(t)
    assert "\x1b" not in out and "\x01" not in out
    rows = [r for r in json_rows(out) if r["pid"] == p.pid]
    assert [(r["comm"], r["args"]) for r in rows] == [("tk\x01ctl", [str(link), "a\x1bb"])]


# ---------------------------------------------------------------------------------------
# exitsnoop


def exit_rows(out, pid):
    """Rows of pid: (comm, pid, ppid, tid, age, rest)."""
    rows = []
    for line in out.splitlines():
        m = re.match(r"^(.{16}) (\d+) +(\d+) +(\d+) +(\d+\.\d\d) +(.*)$", line)
        if m and int(m.group(2)) == pid:
            rows.append((m.group(1).rstrip(), pid, int(m.group(3)), int(m.group(4)),
                         float(m.group(5)), m.group(6)))
            assert line == "%-16s %-7d %-7d %-7d %-7.2f %s" % rows[-1]
    return rows


def test_exitsnoop_codes_and_signals(no_leftovers):
    t = tracer("exitsnoop")
    ok = spawn(["/bin/sh", "-c", "exit 0"])
    code = spawn(["/bin/sh", "-c", "exit 7"])
    killed = spawn(["/bin/sleep", "30"])
    collect(ok)
    collect(code)
    os.kill(killed.pid, signal.SIGKILL)
    collect(killed)
    out = stop(t)
    assert out.splitlines()[0] == "%-16s %-7s %-7s %-7s %-7s %-10s" % (
        "PCOMM", "PID", "PPID", "TID", "AGE(s)", "EXIT_CODE")
    assert [(r[0], r[2], r[3], r[5]) for r in exit_rows(out, ok.pid)] == [("sh", ME, ok.pid, "0")]
    assert [(r[0], r[5]) for r in exit_rows(out, code.pid)] == [("sh", "code 7")]
    assert [(r[0], r[5]) for r in exit_rows(out, killed.pid)] == [("sleep", "signal 9 (KILL)")]


def test_exitsnoop_failed_only_pid_filter_label_time(no_leftovers):
    ok = child("sys.exit(0)")
    bad = child("sys.exit(3)")
    t = tracer("exitsnoop", "-x", "--utc", "--label", "tk")
    go(ok)
    go(bad)
    collect(ok)
    collect(bad)
    out = stop(t)
    lines = out.splitlines()
    assert re.match(r"^TIME-UTC +LABEL PCOMM ", lines[0])
    assert f" {ok.pid} " not in out
    rows = [l for l in lines if re.search(rf"^\S+ +tk +{PY_COMM} +{bad.pid} ", l)]
    assert len(rows) == 1 and rows[0].endswith(" code 3"), lines
    assert re.match(r"^\d\d:\d\d:\d\d\.\d{3} tk    ", rows[0])

    other = child("sys.exit(5)")
    mine = child("sys.exit(6)")
    t = tracer("exitsnoop", "-p", mine.pid)
    go(other)
    go(mine)
    collect(other)
    collect(mine)
    out = stop(t)
    assert [r[5] for r in exit_rows(out, mine.pid)] == ["code 6"]
    assert f" {other.pid} " not in out


def test_exitsnoop_per_thread_and_json(no_leftovers):
    p = child("""
        import threading
        tids = []
        th = threading.Thread(target=lambda: tids.append(threading.get_native_id()))
        th.start(); th.join()
        print(tids[0], flush=True)
        sys.exit(4)
    """)
    t = tracer("exitsnoop", "--per-thread", "--json", "-p", p.pid)
    go(p)
    rc, out, _ = collect(p)
    tid = int(out.split()[0])
    rows = json_rows(stop(t))
    for r in rows:
        assert r["age"] >= 0
        del r["age"]
    base = {"pcomm": PY_COMM, "pid": p.pid, "ppid": ME, "signal": 0, "signal_name": "",
            "core_dumped": False}
    assert {"tid": tid, "exit_code": 0, **base} in rows
    assert rows[-1] == {"tid": p.pid, "exit_code": 4, **base}
    assert len(rows) == 2

    t = tracer("exitsnoop", "--json")
    k = spawn(["/bin/sleep", "30"])
    os.kill(k.pid, signal.SIGTERM)
    collect(k)
    rows = [r for r in json_rows(stop(t)) if r["pid"] == k.pid]
    assert [(r["pcomm"], r["exit_code"], r["signal"], r["signal_name"]) for r in rows] == [
        ("sleep", 0, 15, "TERM")]


# ---------------------------------------------------------------------------------------
# opensnoop


def open_row(pid, comm, fd, err, path):
    return "%-6d %-16s %4d %3d %s" % (pid, comm, fd, err, path)


OPEN_SCRIPT = """
    fd = os.open({path!r}, os.O_RDONLY)
    print(fd, flush=True)
    try:
        os.open("/nonexistent/tk-dir/file", os.O_RDONLY)
    except FileNotFoundError:
        pass
    wfd = os.open({wpath!r}, os.O_WRONLY | os.O_CREAT, 0o600)
    print(wfd, flush=True)
"""


def test_opensnoop_fd_and_errors(no_leftovers, tmp_path):
    path, wpath = tmp_path / "tk-open", tmp_path / "tk-write"
    path.write_text("x")
    p = child(OPEN_SCRIPT.format(path=str(path), wpath=str(wpath)))
    t = tracer("opensnoop")
    go(p)
    rc, out, _ = collect(p)
    fd, wfd = map(int, out.split())
    lines = stop(t).splitlines()
    assert lines[0] == "PID    COMM               FD ERR PATH"
    assert open_row(p.pid, PY_COMM, fd, 0, path) in lines
    assert open_row(p.pid, PY_COMM, -1, 2, "/nonexistent/tk-dir/file") in lines
    assert open_row(p.pid, PY_COMM, wfd, 0, wpath) in lines


def test_opensnoop_filters_and_extended(no_leftovers, tmp_path):
    path, wpath = tmp_path / "tk-open", tmp_path / "tk-write"
    path.write_text("x")
    script = OPEN_SCRIPT.format(path=str(path), wpath=str(wpath))

    # -x -p: only the failure, only from our child.
    p = child(script)
    t = tracer("opensnoop", "-x", "-p", p.pid)
    go(p)
    collect(p)
    rows = stop(t).splitlines()[1:]
    assert open_row(p.pid, PY_COMM, -1, 2, "/nonexistent/tk-dir/file") in rows
    assert all(re.match(rf"^{p.pid} +{PY_COMM} +-1 +\d+ ", r) for r in rows), rows

    # -f O_CREAT shows FLAGS and only the creating open; -t TID names the TID column.
    p = child(script)
    t = tracer("opensnoop", "-f", "O_CREAT", "-t", p.pid, "-T", "-U")
    go(p)
    _, out, _ = collect(p)
    wfd = int(out.split()[1])
    lines = stop(t).splitlines()
    assert re.match(r"^TIME\(s\) +UID +TID +COMM +FD ERR FLAGS +PATH$", lines[0]), lines[0]
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC  # Python's os.open adds O_CLOEXEC
    want = "%-6d %-16s %4d %3d %08o %s" % (p.pid, PY_COMM, wfd, 0, flags, wpath)
    assert len(lines) == 2 and lines[1].endswith(want), lines
    assert re.match(r"^\d+\.\d{9} +%d +$" % os.getuid(), lines[1][: -len(want)]), lines[1]

    # -n keeps only comms containing the name.
    p = child(script)
    t = tracer("opensnoop", "-n", "tk-no-such-comm")
    go(p)
    collect(p)
    assert stop(t).splitlines()[1:] == []


def test_opensnoop_full_path(no_leftovers, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "tk-rel").write_text("x")
    # The directories are walked in the kernel at the open: the child may be gone when the
    # line is printed. /proc is a mount of its own: the walk crosses mount points.
    p = child(f"""
        os.chdir({str(tmp_path)!r})
        fd = os.open("sub/tk-rel", os.O_RDONLY)
        d = os.open("sub", os.O_RDONLY | os.O_DIRECTORY)
        fd2 = os.open("tk-rel", os.O_RDONLY, dir_fd=d)
        os.chdir("/proc/self")
        fd3 = os.open("./status", os.O_RDONLY)
        print(fd, fd2, fd3, flush=True)
    """)
    t = tracer("opensnoop", "-F", "-p", p.pid)
    go(p)
    _, out, _ = collect(p)
    fd, fd2, fd3 = map(int, out.split())
    lines = stop(t).splitlines()
    assert open_row(p.pid, PY_COMM, fd, 0, tmp_path / "sub" / "tk-rel") in lines
    assert open_row(p.pid, PY_COMM, fd2, 0, tmp_path / "sub" / "tk-rel") in lines
    assert open_row(p.pid, PY_COMM, fd3, 0, f"/proc/{p.pid}/./status") in lines


def test_opensnoop_json_and_duration(no_leftovers, tmp_path):
    path = tmp_path / "tk-open"
    path.write_text("x")
    p = child(f"fd = os.open({str(path)!r}, os.O_RDONLY); print(fd, flush=True)")
    t = tracer("opensnoop", "--json", "-p", p.pid, "-d", "3")
    go(p)
    _, out, _ = collect(p)
    rc, out2, err = t.wait(timeout=20)  # -d ends the tool by itself
    assert rc == 0, err
    rows = [r for r in json_rows(out2) if r["path"] == str(path)]
    assert rows == [{"uid": os.getuid(), "pid": p.pid, "tid": p.pid, "comm": PY_COMM,
                     "fd": int(out), "err": 0, "flags": os.O_CLOEXEC, "mode": 0,
                     "path": str(path)}]


def test_opensnoop_reports_lost_events(no_leftovers, tmp_path):
    # With the tracer stopped, 3000 opens overflow its 256 KiB ring buffer: every open is
    # either printed or counted in the "lost" note, none silently dropped.
    path = tmp_path / "tk-flood"
    path.write_text("x")
    n = 3000
    p = child(f"""
        for _ in range({n}):
            os.close(os.open({str(path)!r}, os.O_RDONLY))
    """)
    t = tracer("opensnoop", "-p", p.pid)
    os.kill(t.pid, signal.SIGSTOP)
    try:
        go(p)
        collect(p)
    finally:
        os.kill(t.pid, signal.SIGCONT)
    rc, out, err = t.stop()
    assert rc == 0, err
    rows = [l for l in out.splitlines() if l.endswith(f" {path}")]
    m = re.search(r"^opensnoop: note: lost (\d+) events \(ring buffer full\)$", err, re.M)
    assert m, err
    assert int(m.group(1)) > 0 and len(rows) + int(m.group(1)) == n


def test_opensnoop_escapes_control_chars(no_leftovers, tmp_path):
    name = tmp_path / "tk\x1b[31mred"
    p = child(f"""
        try:
            os.open({str(name)!r}, os.O_RDONLY)
        except FileNotFoundError:
            pass
    """)
    t = tracer("opensnoop", "-p", p.pid)
    go(p)
    collect(p)
    out = stop(t)
    assert "\x1b" not in out
    assert open_row(p.pid, PY_COMM, -1, 2, f"{tmp_path}/tk\\e[31mred") in out.splitlines()


# ---------------------------------------------------------------------------------------
# killsnoop


def kill_rows(out, pid):
    rows = []
    for line in out.splitlines():
        m = re.match(r"^(\d\d:\d\d:\d\d)  (\d+) +(.{16}) (-?\d+) +(-?\d+) +(-?\d+)$", line)
        if m and int(m.group(2)) == pid:
            row = (m.group(1), pid, m.group(3).rstrip(), int(m.group(4)), int(m.group(5)),
                   int(m.group(6)))
            assert line == "%-9s %-7d %-16s %-4d %-7d %d" % row
            rows.append(row[2:])
    return rows


def test_killsnoop_signals_and_results(no_leftovers):
    target = spawn(["/bin/sleep", "30"])
    t = tracer("killsnoop")
    os.kill(target.pid, 0)
    os.kill(target.pid, signal.SIGTERM)
    try:
        os.kill(NO_SUCH_PID, signal.SIGKILL)
    except ProcessLookupError:
        pass
    collect(target)
    out = stop(t)
    assert out.splitlines()[0] == "TIME      PID     COMM             SIG  TPID    RESULT"
    # Our rows, without the SIGINT that stops the tracer.
    assert [r for r in kill_rows(out, ME) if r[2] != t.pid] == [
        (MY_COMM, 0, target.pid, 0),
        (MY_COMM, 15, target.pid, 0),
        (MY_COMM, 9, NO_SUCH_PID, -3),
    ]


def test_killsnoop_filters(no_leftovers):
    a = spawn(["/bin/sleep", "30"])
    b = spawn(["/bin/sleep", "30"])
    t = tracer("killsnoop", "-T", a.pid, "-s", "SIGUSR2,0", "-p", ME)
    os.kill(a.pid, 0)
    os.kill(b.pid, 0)
    os.kill(a.pid, signal.SIGCONT)
    os.kill(a.pid, signal.SIGUSR2)
    collect(a)
    out = stop(t)
    assert kill_rows(out, ME) == [(MY_COMM, 0, a.pid, 0), (MY_COMM, 12, a.pid, 0)]

    t = tracer("killsnoop", "-x", "--json", "-p", ME)
    os.kill(b.pid, 0)
    try:
        os.kill(NO_SUCH_PID, 0)
    except ProcessLookupError:
        pass
    rows = json_rows(stop(t))
    for r in rows:
        assert re.match(r"^\d\d:\d\d:\d\d$", r.pop("time"))
    assert rows == [{"pid": ME, "tid": ME, "comm": MY_COMM, "sig": 0, "tpid": NO_SUCH_PID,
                     "result": -3, "call": "kill"}]


# ---------------------------------------------------------------------------------------
# statsnoop

STAT_CALLS = set(STAT_SYSCALLS)


def test_statsnoop_paths_and_errors(no_leftovers, tmp_path):
    path = tmp_path / "tk-stat"
    path.write_text("x")
    p = child(f"""
        os.stat({str(path)!r})
        try:
            os.stat("/nonexistent/tk-stat")
        except FileNotFoundError:
            pass
        os.statvfs({str(tmp_path)!r})
    """)
    t = tracer("statsnoop")
    go(p)
    collect(p)
    lines = stop(t).splitlines()
    assert lines[0] == "PID     COMM               FD ERR PATH"
    assert "%-7d %-16s %4d %3d %s" % (p.pid, PY_COMM, 0, 0, path) in lines
    assert "%-7d %-16s %4d %3d %s" % (p.pid, PY_COMM, -1, 2, "/nonexistent/tk-stat") in lines
    assert "%-7d %-16s %4d %3d %s" % (p.pid, PY_COMM, 0, 0, tmp_path) in lines


def test_statsnoop_sysname_failed_pid_json(no_leftovers, tmp_path):
    path = tmp_path / "tk-stat"
    path.write_text("x")
    script = f"""
        os.stat({str(path)!r})
        os.statvfs({str(path)!r})
        try:
            os.stat("/nonexistent/tk-stat")
        except FileNotFoundError:
            pass
    """
    p = child(script)
    t = tracer("statsnoop", "-s", "-x", "-t", "-p", p.pid)
    go(p)
    collect(p)
    lines = stop(t).splitlines()
    assert re.match(r"^TIME\(s\) +PID +COMM +FD ERR SYSCALL +PATH$", lines[0])
    rows = [l for l in lines[1:] if l.endswith(" /nonexistent/tk-stat")]
    assert len(rows) == 1
    m = re.match(r"^\d+\.\d{9} *(\d+) +(\S+) +-1 +2 (\S+) +/nonexistent/tk-stat$", rows[0])
    assert m and int(m.group(1)) == p.pid and m.group(3) in STAT_CALLS, rows[0]
    assert all(" -1 " in l for l in lines[1:]), lines  # -x: failures only

    p = child(script)
    t = tracer("statsnoop", "--json", "-p", p.pid)
    go(p)
    collect(p)
    rows = [r for r in json_rows(stop(t)) if r["path"] == str(path)]
    assert [(r["pid"], r["comm"], r["fd"], r["err"]) for r in rows] == [(p.pid, PY_COMM, 0, 0)] * 2
    assert rows[1]["syscall"] == "statfs" and rows[0]["syscall"] in STAT_CALLS


# ---------------------------------------------------------------------------------------
# syncsnoop


def test_syncsnoop_calls(no_leftovers, tmp_path):
    path = tmp_path / "tk-sync"
    p = child(f"""
        os.sync()
        fd = os.open({str(path)!r}, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"x")
        os.fsync(fd)
        os.fdatasync(fd)
    """)
    t = tracer("syncsnoop", "-p", p.pid)
    go(p)
    collect(p)
    lines = stop(t).splitlines()
    assert lines[0] == "TIME(s)            COMM             CALL"
    calls = []
    for line in lines[1:]:
        m = re.match(r"^(\d+\.\d{9}) +(.{16}) (\S+)$", line)
        assert m, line
        assert line == "%-18s %-16s %s" % m.groups()
        assert m.group(2).rstrip() == PY_COMM
        calls.append(m.group(3))
    assert calls == ["sync", "fsync", "fdatasync"]

    p = child("os.sync()")
    t = tracer("syncsnoop", "--json")
    go(p)
    collect(p)
    rows = [r for r in json_rows(stop(t)) if r["pid"] == p.pid]
    assert [(r["comm"], r["call"], r["fd"]) for r in rows] == [(PY_COMM, "sync", -1)]


# ---------------------------------------------------------------------------------------
# bindsnoop

BIND_SCRIPT = """
    import socket
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", {port}))
    tcp.listen()
    udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    udp.bind(("::1", 0))
    print(udp.getsockname()[1], flush=True)
    dup = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        dup.bind(("127.0.0.1", {port}))
    except OSError:
        pass
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    unix.bind("\\0tk-bindsnoop-{port}")
"""


def bind_row(pid, comm, prot, addr, port, opts, dev=0):
    return "%8d %-12.12s %-4.4s %-15.15s %5d %-5s %2d" % (pid, comm, prot, addr, port, opts, dev)


def test_bindsnoop_ipv4_ipv6_options(no_leftovers):
    port = free_port()
    p = child(BIND_SCRIPT.format(port=port))
    t = tracer("bindsnoop", "-p", p.pid)
    go(p)
    _, out, _ = collect(p)
    uport = int(out)
    lines = stop(t).splitlines()
    assert lines[1] == "%8s %-12.12s %-4s %-15s %-5s %5s %2s" % (
        "PID", "COMM", "PROT", "ADDR", "PORT", "OPTS", "IF")
    # The failed bind (EADDRINUSE) and the AF_UNIX bind are not shown.
    assert lines[2:] == [
        bind_row(p.pid, PY_COMM, "TCP", "127.0.0.1", port, "...R."),
        bind_row(p.pid, PY_COMM, "UDP", "::1", uport, "....r"),
    ]


def test_bindsnoop_ip_options(no_leftovers):
    p = child("""
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_IP, 15, 1)  # IP_FREEBIND
        s.setsockopt(socket.SOL_IP, 24, 1)  # IP_BIND_ADDRESS_NO_PORT
        s.bind(("127.0.0.1", 0))  # no port allocated yet: PORT 0
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"lo")
        u.bind(("127.0.0.1", 0))
        print(u.getsockname()[1], socket.if_nametoindex("lo"), flush=True)
    """)
    t = tracer("bindsnoop", "-p", p.pid)
    go(p)
    _, out, _ = collect(p)
    uport, lo = map(int, out.split())
    assert stop(t).splitlines()[2:] == [
        bind_row(p.pid, PY_COMM, "TCP", "127.0.0.1", 0, "F.N.."),
        bind_row(p.pid, PY_COMM, "UDP", "127.0.0.1", uport, ".....", lo),
    ]


def test_bindsnoop_errors_wide_port_filter(no_leftovers):
    port = free_port()
    p = child(BIND_SCRIPT.format(port=port))
    t = tracer("bindsnoop", "-E", "-P", port, "-U", "-t")
    go(p)
    collect(p)
    lines = stop(t).splitlines()
    assert re.match(r"^TIME\(s\) +UID +RC +PID COMM +PROT ADDR +PORT +OPTS IF$", lines[1])
    rows = [l for l in lines[2:] if f" {p.pid} " in l]
    assert len(rows) == 2, lines
    uid = "%6d " % os.getuid()
    assert re.match(r"^\d+\.\d{6} ", rows[0]) and re.match(r"^\d+\.\d{6} ", rows[1])
    assert rows[0][10:] == uid + "  0 " + bind_row(p.pid, PY_COMM, "TCP", "127.0.0.1", port, "...R.")
    assert rows[1][10:] == uid + "-98 " + bind_row(p.pid, PY_COMM, "TCP", "127.0.0.1", port, ".....")

    p = child(BIND_SCRIPT.format(port=free_port()))
    t = tracer("bindsnoop", "-w", "-p", p.pid)
    go(p)
    _, out, _ = collect(p)
    lines = stop(t).splitlines()
    assert "%10d %-12.12s %-4s %-39s %5d %-5s %2d" % (
        p.pid, PY_COMM, "UDP", "::1", int(out), "....r", 0) in lines


def test_bindsnoop_json_and_count(no_leftovers):
    port = free_port()
    p = child(BIND_SCRIPT.format(port=port))
    t = tracer("bindsnoop", "--json", "-E", "-p", p.pid)
    go(p)
    _, out, _ = collect(p)
    rows = json_rows(stop(t))
    base = {"uid": os.getuid(), "pid": p.pid, "tid": p.pid, "comm": PY_COMM, "if": 0}
    assert rows == [
        {**base, "ret": 0, "prot": "TCP", "ipver": 4, "addr": "127.0.0.1", "port": port,
         "opts": "...R."},
        {**base, "ret": 0, "prot": "UDP", "ipver": 6, "addr": "::1", "port": int(out),
         "opts": "....r"},
        {**base, "ret": -98, "prot": "TCP", "ipver": 4, "addr": "127.0.0.1", "port": port,
         "opts": "....."},
    ]

    port = free_port()
    p = child(BIND_SCRIPT.format(port=port))
    t = tracer("bindsnoop", "--count", "-p", p.pid)
    go(p)
    _, out, _ = collect(p)
    lines = stop(t).splitlines()
    i = lines.index("%-32s %20s     %-10s" % ("LADDR", "LPORT", "BINDS"))
    assert lines[i + 1:] == [
        "%-32s %20s     %-10d" % ("127.0.0.1", port, 1),
        "%-32s %20s     %-10d" % ("::1", int(out), 1),
    ]


# ---------------------------------------------------------------------------------------
# Syscalls this kernel lacks are dropped at run time, not fatal.


def test_missing_tracepoints_are_dropped(no_leftovers):
    events = require_tracefs() / "events" / "syscalls"  # this test reads tracefs itself
    missing = [c for c in ("sync_file_range2", "fstatat64", "stat")
               if not (events / f"sys_enter_{c}").exists()]
    if not missing:
        pytest.skip("every optional syscall tracepoint exists on this kernel: nothing to drop")
    for tool, calls in (("syncsnoop", ["sync_file_range2"]), ("statsnoop", ["fstatat64", "stat"])):
        gone = [c for c in calls if c in missing]
        if not gone:
            continue
        t = tracer(tool, "-v")
        rc, out, err = t.stop()
        assert rc == 0, err
        for c in gone:
            assert f"{tool}: note: no tracepoint syscalls:sys_enter_{c} here, not traced" in err


# ---------------------------------------------------------------------------------------
# Bad input: bcc's usage block and one clear error line on stderr, exit status 2, nothing
# loaded.


@pytest.mark.parametrize(
    "argv",
    [
        ["execsnoop", "--max-args", "0"],
        ["execsnoop", "-n", "("],
        ["execsnoop", "-u", "no-such-user-tk"],
        ["exitsnoop", "-p", "abc"],
        ["opensnoop", "-f", "O_BOGUS"],
        ["opensnoop", "-d", "-1"],
        ["killsnoop", "-s", "SIGNOPE"],
        ["statsnoop", "extra"],
        ["syncsnoop", "--bogus"],
        ["bindsnoop", "-P", "70000"],
    ],
)
def test_bad_input(argv):
    rc, out, err = bad_input(*argv)
    assert rc == 2, (rc, out, err)
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"usage: {argv[0]} ["), err
    assert all(l.startswith(" ") for l in lines[1:-1]), err
    assert lines[-1].startswith(f"{argv[0]}: error: "), err


# ---------------------------------------------------------------------------------------
# CO-RE: a few KB of kernel BTF (core/btfmin.c) must relocate exactly as the whole of it.


@pytest.mark.parametrize("tool,args", [("execsnoop", []), ("exitsnoop", []), ("opensnoop", ["-F"]),
                                       ("bindsnoop", [])])
def test_minimal_btf_relocates_like_the_full_btf(tool, args, no_leftovers):
    """libbpf's result for every CO-RE relocation (patched, or substituted where a field is
    missing, as inet_sock's pre-6.6 bitfields are) is the same with the minimal BTF as with
    the kernel's full BTF, which libbpf reads only when TRACEKIT_FULL_BTF is set."""
    def relocations(env):
        return core_relocations([tool, *args, "-v"], READY[tool], BIN, env)

    small, err_small = relocations({})
    full, err_full = relocations({"TRACEKIT_FULL_BTF": "1"})
    assert "no minimal BTF" not in err_small
    assert "loading kernel BTF" not in err_small and "loading kernel BTF" in err_full
    assert small and small == full


@pytest.mark.parametrize("tool", ["killsnoop", "statsnoop", "syncsnoop"])
def test_no_kernel_btf_without_relocations(tool, no_leftovers):
    # Syscall arguments only: no CO-RE relocation, so no kernel BTF is read at all.
    t = tracer(tool, "-v")
    rc, _, err = t.stop()
    assert rc == 0, err
    assert "loading kernel BTF" not in err and "no minimal BTF" not in err
