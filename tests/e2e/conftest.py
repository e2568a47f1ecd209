"""Shared pytest infrastructure for tracekit's end-to-end tests.

Everything here runs real programs on the real kernel. Use it from a test file with

    from conftest import spawn, wait_line, collect, run_tracer, TRACEKIT, TARGETS

or through the fixtures below.

Constants
    ROOT        the repository root (Path)
    TRACEKIT    ROOT/build/tracekit
    TARGETS     ROOT/tests/targets/bin (rpcserver, rpcclient, gostress, cprog-*, ...)
    BUILD       ROOT/build
    BPFTRACE    path of bpftrace (the reference to compare with), or None

Processes
    spawn(argv, **kw) -> Popen
        Starts argv in its own session (so its process group is its pid) with stdout and
        stderr read by background threads: a process can never block on a full pipe. Every
        spawned process is killed (SIGTERM to its group, then SIGKILL after 3 s) when the
        test that spawned it ends, also when it failed (processes spawned by session- or
        module-scoped fixtures: at the end of the session). Do not read p.stdout/p.stderr
        yourself; use wait_line(), collect(), output().
    wait_line(proc, regex, timeout=10, stream="stdout") -> str
        Waits for the next line (after the last line returned by an earlier wait_line on the
        same stream) matching regex (re.search) and returns it without its newline. Fails
        the test with the process's output if the line does not come in time or the process
        exits first.
    collect(proc, timeout=30) -> (rc, out, err)
        Waits for exit (kills the process group and fails if it does not exit in time) and
        returns the exit code, the stdout lines not yet returned by wait_line and all of
        stderr, as text.
    output(proc, stream="stdout") -> str
        Everything read from that stream so far.
    stop(proc, sig=SIGINT, timeout=10) -> (rc, out, err)
        Sends sig to the process (not its group), then collect()s it with full stdout.
    kill_proc(proc)
        SIGTERM, then SIGKILL, to the process group; for spawn(..., track=False) processes.
    free_port() -> int
        A TCP port on 127.0.0.1 that was free a moment ago.

Tracers
    run_tracer(args, ready_regex=r"Tracing|Attaching|Attached", timeout=10, binary=TRACEKIT, **kw)
        Starts `tracekit ARGS` (argv list; a str is split with shlex), waits for the ready
        line on stdout (or stderr) and returns a Tracer (binary=shutil.which("bpftrace")
        waits for bpftrace's probes-attached notification instead): .proc, .pid, .ready_line,
        .stop(sig=SIGINT, timeout=10) -> (rc, stdout, stderr) with the full stdout,
        .wait(timeout=30) -> (rc, stdout, stderr) for a tracer that ends by itself (-d).
        Fails the test (with the tracer's stderr) if it exits or stays silent instead.

Kernel state
    kernel_state() -> KernelState(links, progs, uprobe_events)
        BPF link ids, BPF program ids (bpftool -j) and the lines of uprobe_events.
    no_leftovers (fixture)
        Snapshots the kernel state before the test; after it, kills the test's processes and
        asserts that no BPF link or program created during the test survives and that
        uprobe_events has no new line. It polls up to 3 s, longer while objects are still
        going away (the kernel frees them a little after their last user exits). Objects
        held open by processes this test did not start (someone else's tracer on a shared
        machine) are not counted; objects held by nobody (pinned, attached to a cgroup) are.
    leftovers(before, settle=3.0) -> [str]
        The same check as a function, against a kernel_state() taken earlier.
    require_tracefs()
        Mounts tracefs on /sys/kernel/tracing if needed; fails clearly if impossible. Only
        for tests that read tracefs themselves: nothing else mounts it for the product.
    fresh_boot(argv) -> argv
        argv wrapped to run in a private mount namespace without tracefs and debugfs, as on
        a freshly booted machine (same pid: signals reach the program).

Targets
    target(name) -> Path
        TARGETS/name, failing the test with "run `make targets`" if it is missing.
    rpc_service (fixture) / start_rpc_service(binary="rpcserver", args=())
        Starts TARGETS/rpcserver on a free port and waits for "listening on". The object
        has .pid, .port, .addr, .bin (Path), .proc and
        .call(n, a=10, b=20, rate=0, conns=False, timeout=60) -> int, which runs rpcclient
        to completion, fails the test unless it printed "calls=n errors=0", and returns n.
        .stop() ends the server with SIGTERM and returns the number of requests it served.

Go version matrix
    GO_VERSIONS     the directories TARGETS/go1.N/ of Go targets built by other toolchains
                    (GO_MATRIX of tests/targets/Makefile, read from there), e.g. ["go1.19",
                    "go1.23", "go1.27"]; TARGETS itself holds the default Go's build
    go_target(version, name) -> Path
        TARGETS/version/name (TARGETS/name for version "" or None), failing like target().
        start_rpc_service(f"{version}/rpcserver-pie") starts such a build.

Time limit
    Every test phase (setup, call, teardown) is limited to 120 s by a SIGALRM guard;
    @pytest.mark.timeout(SECS) changes it for one test. Never assert timings in tests.

Nothing is skipped silently: a missing build artefact, tool or kernel feature fails the test
with a message that says what is missing and how to get it.
"""

import collections
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
TRACEKIT = BUILD / "tracekit"
TARGETS = ROOT / "tests" / "targets" / "bin"
TRACEFS = Path("/sys/kernel/tracing")
BPFTRACE = shutil.which("bpftrace")  # the reference implementation, for comparisons
BPFTRACE_NOTIFY = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

# A shell without job control starts background commands with SIGINT ignored, and an ignored
# signal stays ignored across exec: every tracer we start would then miss its Ctrl-C. Handle
# SIGINT here (as an interactive Python would), so children start with the default action.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

DEFAULT_TIMEOUT = 120  # seconds per test phase, see pytest_runtest_* below
KILL_GRACE = 3.0  # seconds between SIGTERM and SIGKILL at teardown

# ---------------------------------------------------------------------------------------
# Processes


class _Stream:
    """Lines of one pipe, read by a daemon thread so the child never blocks on it."""

    def __init__(self, pipe):
        self.lines = []
        self.eof = False
        self.cursor = 0  # index of the first line wait_line() has not returned yet
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe):
        try:
            for raw in iter(pipe.readline, b""):
                line = raw.decode("utf-8", "backslashreplace")
                with self.cond:
                    self.lines.append(line)
                    self.cond.notify_all()
        finally:
            pipe.close()
            with self.cond:
                self.eof = True
                self.cond.notify_all()

    def text(self, start=0):
        with self.cond:
            return "".join(self.lines[start:])

    def join(self, timeout):
        self.thread.join(timeout)


# Every tracked process, in spawn order. Those from index _test_start on belong to the
# running test (and its function-scoped fixtures); earlier ones to wider-scoped fixtures,
# which live until the session ends.
_spawned = []
_test_start = 0


def spawn(argv, stdin=subprocess.DEVNULL, env=None, cwd=None, track=True, **kw):
    """Start argv in a new session with stdout and stderr read by background threads.

    argv items may be Paths. stdin defaults to /dev/null; pass subprocess.PIPE to write to
    proc.stdin. env entries are added to (not substituted for) os.environ. With
    track=False the process is not killed at the end of the test: the caller must call
    kill_proc() on it (use this for processes that outlive one test).
    """
    argv = [str(a) for a in argv]
    full_env = None
    if env is not None:
        full_env = dict(os.environ)
        full_env.update({k: str(v) for k, v in env.items()})
    try:
        proc = subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            **kw,
        )
    except OSError as e:
        pytest.fail(f"cannot start {argv[0]}: {e}")
    proc.tk_argv = argv
    proc.tk_out = _Stream(proc.stdout)
    proc.tk_err = _Stream(proc.stderr)
    if track:
        _spawned.append(proc)
    return proc


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_proc(proc, grace=KILL_GRACE):
    """SIGTERM the process group, SIGKILL it after grace seconds; reap the process."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    # Children left in the group (a shell's, a tracer's helper) go too.
    _signal_group(proc, signal.SIGKILL)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    for s in (proc.tk_out, proc.tk_err):
        s.join(1.0)


def kill_spawned(since=None):
    """Kill the tracked processes of the current test (all with since=0), newest first:
    tracers go before the targets they trace."""
    since = _test_start if since is None else since
    while len(_spawned) > since:
        kill_proc(_spawned.pop())


def _describe(proc):
    rc = proc.poll()
    state = "running" if rc is None else f"exited with {rc}"
    return (
        f"{shlex.join(proc.tk_argv)} ({state})\n"
        f"--- stdout ---\n{proc.tk_out.text()[-4000:]}"
        f"--- stderr ---\n{proc.tk_err.text()[-4000:]}"
    )


def wait_line(proc, regex, timeout=10, stream="stdout"):
    """Return the next line of proc's stream matching regex (re.search), without '\\n'."""
    s = proc.tk_out if stream == "stdout" else proc.tk_err
    pat = re.compile(regex)
    deadline = time.monotonic() + timeout
    with s.cond:
        while True:
            while s.cursor < len(s.lines):
                line = s.lines[s.cursor]
                s.cursor += 1
                if pat.search(line):
                    return line.rstrip("\n")
            if s.eof:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.cond.wait(min(left, 0.5))
    why = "ended" if s.eof else f"stayed silent for {timeout} s"
    pytest.fail(f"no {stream} line matching {regex!r}: the stream {why}\n{_describe(proc)}")


def output(proc, stream="stdout"):
    """Everything read so far from proc's stdout or stderr."""
    return (proc.tk_out if stream == "stdout" else proc.tk_err).text()


def collect(proc, timeout=30):
    """Wait for proc to exit; return (rc, stdout not yet consumed by wait_line, stderr)."""
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        desc = _describe(proc)
        kill_proc(proc)
        pytest.fail(f"process did not exit within {timeout} s\n{desc}")
    proc.tk_out.join(5)
    proc.tk_err.join(5)
    with proc.tk_out.cond:
        rest = "".join(proc.tk_out.lines[proc.tk_out.cursor :])
        proc.tk_out.cursor = len(proc.tk_out.lines)
    return rc, rest, proc.tk_err.text()


def stop(proc, sig=signal.SIGINT, timeout=10):
    """Send sig to proc itself and wait; return (rc, full stdout, stderr)."""
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
    rc, _, err = collect(proc, timeout)
    return rc, proc.tk_out.text(), err


def free_port():
    """A TCP port on 127.0.0.1 that nobody was listening on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def procs():
    """Processes spawned by this test are killed at its end (list: _spawned[_test_start:]).

    Processes spawned (tracked) by session- or module-scoped fixtures, which are set up
    before this, survive until the end of the session."""
    global _test_start
    _test_start = len(_spawned)
    yield _spawned
    kill_spawned()
    _test_start = 0


# ---------------------------------------------------------------------------------------
# Tracers


def require_file(path, how):
    path = Path(path)
    if not path.exists():
        pytest.fail(f"{path} is missing: {how}")
    return path


class Tracer:
    """A running tracer started by run_tracer()."""

    def __init__(self, proc, ready_line):
        self.proc = proc
        self.pid = proc.pid
        self.ready_line = ready_line

    def stop(self, sig=signal.SIGINT, timeout=10):
        """Send sig (SIGINT: Ctrl-C) and wait; return (rc, full stdout, stderr)."""
        return stop(self.proc, sig, timeout)

    def wait(self, timeout=30):
        """Wait for a tracer that ends by itself (-d, -p exit); (rc, full stdout, stderr)."""
        rc, _, err = collect(self.proc, timeout)
        return rc, self.proc.tk_out.text(), err

    def output(self, stream="stdout"):
        return output(self.proc, stream)


def run_tracer(args, ready_regex=None, timeout=10, binary=None, **kw):
    """Start `tracekit ARGS` and wait until it prints its ready line.

    args is an argv list (or a str split with shlex). The ready line is looked for on stdout
    and on stderr (bpftrace-style tools print "Attaching" to stdout, some print to stderr).
    binary defaults to TRACEKIT; pass e.g. shutil.which("bpftrace") to compare. Extra keyword
    arguments go to spawn() (env=, cwd=, stdin=).

    The default ready_regex is r"Tracing|Attaching|Attached". bpftrace prints "Attaching N probes..."
    *before* it attaches, so for a binary named bpftrace the default is instead the line
    "__BPFTRACE_NOTIFY_PROBES_ATTACHED" it prints on stderr, once attached, when that
    variable is set in its environment (done here).
    """
    if isinstance(args, str):
        args = shlex.split(args)
    binary = binary or TRACEKIT
    if binary == TRACEKIT:
        require_file(TRACEKIT, "run `make` first")
    if Path(binary).name == "bpftrace":
        kw["env"] = {**kw.get("env", {}), BPFTRACE_NOTIFY: "1"}
        ready_regex = ready_regex or BPFTRACE_NOTIFY
    ready_regex = ready_regex or r"Tracing|Attaching|Attached"
    proc = spawn([binary, *args], **kw)
    pat = re.compile(ready_regex)
    deadline = time.monotonic() + timeout
    streams = (proc.tk_out, proc.tk_err)
    while True:
        for s in streams:
            with s.cond:
                while s.cursor < len(s.lines):
                    line = s.lines[s.cursor]
                    s.cursor += 1
                    if pat.search(line):
                        return Tracer(proc, line.rstrip("\n"))
        if proc.poll() is not None and all(s.eof for s in streams):
            pytest.fail(f"tracer exited before its ready line {ready_regex!r}\n{_describe(proc)}")
        if time.monotonic() > deadline:
            desc = _describe(proc)
            kill_proc(proc)
            pytest.fail(f"tracer not ready ({ready_regex!r}) within {timeout} s\n{desc}")
        with proc.tk_out.cond:
            proc.tk_out.cond.wait(0.02)


# ---------------------------------------------------------------------------------------
# Kernel state


def require_tracefs():
    """Make sure tracefs is mounted at /sys/kernel/tracing; fail the test if it cannot be.

    Only for tests that use tracefs themselves. The product mounts it when it needs it (a
    fresh boot has none), so fixtures must not: kernel_state() reads it without mounting."""
    if (TRACEFS / "uprobe_events").exists():
        return TRACEFS
    r = subprocess.run(
        ["mount", "-t", "tracefs", "nodev", str(TRACEFS)], capture_output=True, text=True
    )
    if r.returncode != 0 or not (TRACEFS / "uprobe_events").exists():
        pytest.fail(
            f"tracefs is not mounted on {TRACEFS} and mounting it failed: "
            f"{r.stderr.strip() or 'no uprobe_events'} (need root and CONFIG_UPROBE_EVENTS)"
        )
    return TRACEFS


# A shell prologue that leaves a private mount namespace as a freshly booted machine has it:
# no tracefs, and no debugfs (whose tracing/ directory would mount tracefs on first use).
UNMOUNT_TRACEFS = (
    "for d in /sys/kernel/debug/tracing /sys/kernel/tracing /sys/kernel/debug; do "
    "while mountpoint -q $d; do umount -l $d || exit 97; done; done; "
    "test ! -e /sys/kernel/tracing/events || exit 98; "
)


def fresh_boot(argv):
    """argv run in a private mount namespace where tracefs (and debugfs) are not mounted, as
    on a freshly booted machine; the process keeps its pid (exec), so signals reach it."""
    argv = [str(a) for a in argv]
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            UNMOUNT_TRACEFS + 'exec "$@"', "sh", *argv]


def _uprobe_events():
    """Lines of uprobe_events, read without mounting tracefs where the test runs: if it is
    not mounted here, it is mounted in a private mount namespace just for the read."""
    path = TRACEFS / "uprobe_events"
    if path.exists():
        return path.read_text().splitlines()
    r = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c",
         f"mount -t tracefs nodev {TRACEFS} && cat {path}"],
        capture_output=True, text=True, timeout=30,
    )
    if r.returncode != 0:
        pytest.fail(f"cannot read {path} through a private tracefs mount: {r.stderr.strip()}")
    return r.stdout.splitlines()


KernelState = collections.namedtuple("KernelState", "links progs uprobe_events")


def _bpftool_ids(what):
    exe = shutil.which("bpftool")
    if not exe:
        pytest.fail("bpftool not found: run `make deps` (Debian package bpftool)")
    # bpftool walks the ids, then opens each: one that goes away in between (a tracer still
    # tearing down) fails the whole listing, with the error in its JSON on stdout. Again.
    for _ in range(10):
        r = subprocess.run([exe, "-j", what, "list"], capture_output=True, text=True,
                           timeout=30)
        if r.returncode == 0:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"bpftool {what} list failed: {(r.stderr or r.stdout).strip()}")
    try:
        return {int(o["id"]): o for o in json.loads(r.stdout or "[]")}
    except (ValueError, KeyError, TypeError) as e:
        pytest.fail(f"cannot parse `bpftool -j {what} list`: {e}")


def kernel_state():
    """Snapshot: BPF links and programs (id -> bpftool's JSON) and uprobe_events lines."""
    events = _uprobe_events()
    return KernelState(_bpftool_ids("link"), _bpftool_ids("prog"), frozenset(events))


def _holders():
    """{("prog"|"link", id): {pid, ...}} for every BPF fd open in any process."""
    held = collections.defaultdict(set)
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            fds = list((pid_dir / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
                # anon_inode:bpf-prog, anon_inode:bpf_link (sic), anon_inode:bpf-map
                if not target.startswith(("anon_inode:bpf-prog", "anon_inode:bpf_link")):
                    continue
                info = (pid_dir / "fdinfo" / fd.name).read_text()
            except OSError:
                continue
            for key, kind in (("link_id:", "link"), ("prog_id:", "prog")):
                m = re.search(rf"^{key}\s*(\d+)", info, re.M)
                if m and (kind == "link") == (target == "anon_inode:bpf_link"):
                    held[(kind, int(m.group(1)))].add(int(pid_dir.name))
    return held


def leftovers(before, settle=3.0):
    """What the kernel holds now that `before` did not: a list of readable descriptions.

    Polls up to `settle` seconds for objects to go away (longer, up to 15 s, while their
    number keeps falling). New objects held open only by
    processes other than this pytest process are another user's and are not counted.
    """
    me = os.getpid()
    start = time.monotonic()
    deadline = start + settle
    last = None
    while True:
        now = kernel_state()
        new_links = {i: o for i, o in now.links.items() if i not in before.links}
        new_progs = {i: o for i, o in now.progs.items() if i not in before.progs}
        new_events = sorted(now.uprobe_events - before.uprobe_events)
        left = len(new_links) + len(new_progs) + len(new_events)
        if left == 0:
            break
        # Closing a perf-event uprobe takes ~100 ms here, so a process with many of them
        # is slow to let go: keep waiting while things still go away (at most 15 s).
        t = time.monotonic()
        if last is not None and left < last:
            deadline = max(deadline, min(t + settle, start + 15))
        last = left
        if t > deadline:
            break
        time.sleep(0.1)
    problems = [f"uprobe_events: {e}" for e in new_events]
    if new_links or new_progs:
        held = _holders()
        for kind, objs in (("link", new_links), ("prog", new_progs)):
            for i, o in sorted(objs.items()):
                pids = held.get((kind, i), set())
                if pids and me not in pids:
                    continue  # held open by a process this test did not start
                desc = ", ".join(f"{k}={o[k]}" for k in ("type", "name", "prog_id") if k in o)
                owner = f" held by pid {sorted(pids)}" if pids else " held by no process"
                problems.append(f"BPF {kind} {i} ({desc}){owner}")
    return problems


@pytest.fixture
def no_leftovers(procs):
    """Assert that the test leaves no BPF link/program and no uprobe_events entry behind."""
    before = kernel_state()
    yield before
    kill_spawned()
    problems = leftovers(before)
    assert not problems, "left in the kernel after the test:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------------------
# Test targets


def target(name):
    """Path of a built test target; fails with a hint if it is missing."""
    return require_file(TARGETS / name, "run `make targets` first")


class RpcService:
    """A running rpcserver; see the module docstring."""

    def __init__(self, proc, binary, port):
        self.proc = proc
        self.pid = proc.pid
        self.bin = binary
        self.port = port
        self.addr = f"127.0.0.1:{port}"

    def client_argv(self, n, a=10, b=20, rate=0, conns=False):
        argv = [target("rpcclient"), "-addr", self.addr, "-n", n, "-a", a, "-b", b]
        argv += ["-rate", rate] if rate else []
        argv += ["-conns"] if conns else []
        return argv

    def call(self, n, a=10, b=20, rate=0, conns=False, timeout=60):
        """Run rpcclient to completion (n calls); return n after checking errors=0."""
        client = spawn(self.client_argv(n, a, b, rate, conns))
        rc, out, err = collect(client, timeout)
        m = re.search(r"^calls=(\d+) errors=(\d+)$", out, re.M)
        if rc != 0 or not m or int(m.group(2)) != 0 or int(m.group(1)) != n:
            pytest.fail(f"rpcclient failed (rc={rc}):\n{out}{err[-3000:]}")
        return int(m.group(1))

    def stop(self, timeout=10):
        """SIGTERM the server; return how many requests it answered."""
        rc, out, err = stop(self.proc, signal.SIGTERM, timeout)
        m = re.search(r"^served=(\d+)$", out, re.M)
        if rc != 0 or not m:
            pytest.fail(f"rpcserver did not stop cleanly (rc={rc}):\n{out}{err[-3000:]}")
        return int(m.group(1))


def start_rpc_service(binary="rpcserver", args=(), tries=3):
    """Start TARGETS/binary (an rpcserver build) on a free port; return an RpcService."""
    path = target(binary)
    for _ in range(tries):
        port = free_port()
        proc = spawn([path, "-addr", f"127.0.0.1:{port}", *args])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if re.search(r"^listening on ", output(proc), re.M):
                wait_line(proc, r"^listening on ")
                return RpcService(proc, path, port)
            if proc.poll() is not None:
                break
            time.sleep(0.01)
        if "address already in use" not in output(proc, "stderr"):
            pytest.fail(f"rpcserver did not start\n{_describe(proc)}")
        kill_proc(proc)  # the port was taken between free_port() and bind(): retry
    pytest.fail(f"rpcserver found no free port in {tries} tries")


def _go_matrix():
    """GO_MATRIX of tests/targets/Makefile, the one place the matrix is defined."""
    makefile = ROOT / "tests" / "targets" / "Makefile"
    m = re.search(r"^GO_MATRIX\s*:=(.*)$", makefile.read_text(), re.M)
    return m.group(1).split() if m else []


GO_VERSIONS = _go_matrix()


def go_target(version, name):
    """A Go target built by toolchain `version` of the matrix ("" or None: the default)."""
    return target(f"{version}/{name}" if version else name)


def count_rows(out):
    """{func: count} from funccount's FUNC/COUNT table(s) (the last value of a name wins)."""
    rows = {}
    for line in out.splitlines():
        m = re.match(r"^(\S.*?)\s+(\d+)$", line)
        if m and not line.startswith("FUNC"):
            rows[m.group(1)] = int(m.group(2))
    return rows


def core_relocations(argv, ready_regex, binary=None, env=None):
    """libbpf's CO-RE results for a tool started as argv (with -v): its sorted "patched insn",
    "substituting insn" and "poison" lines, and its stderr."""
    t = run_tracer(argv, ready_regex=ready_regex, binary=binary, env=env or {})
    rc, _, err = t.stop()
    assert rc == 0, err
    lines = sorted(re.sub(r"^.*?prog ", "prog ", l) for l in err.splitlines()
                   if "patched insn" in l or "substituting insn" in l or "poison" in l)
    return lines, err


@pytest.fixture
def rpc_service(procs):
    """A running tests/targets/bin/rpcserver on a free loopback port (killed at the end)."""
    return start_rpc_service()


@pytest.fixture
def tracekit():
    """Path of build/tracekit; fails if it is not built."""
    return require_file(TRACEKIT, "run `make` first")


@pytest.fixture
def targets():
    """Path of tests/targets/bin; fails if the targets are not built."""
    return require_file(TARGETS / "rpcserver", "run `make targets` first").parent


# ---------------------------------------------------------------------------------------
# Time limit: a SIGALRM guard per test phase (Debian has no pytest-timeout by default).


class PhaseTimeout(Exception):
    """Raised in the main thread when a test phase exceeds its time limit."""


def _limit(item):
    m = item.get_closest_marker("timeout")
    return float(m.args[0]) if m and m.args else DEFAULT_TIMEOUT


def _guarded(item, phase):
    limit = _limit(item)

    def on_alarm(signum, frame):
        raise PhaseTimeout(f"{phase} of {item.nodeid} exceeded {limit:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    return old


def _unguard(old):
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    old = _guarded(item, "setup")
    try:
        yield
    finally:
        _unguard(old)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    old = _guarded(item, "call")
    try:
        yield
    finally:
        _unguard(old)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    old = _guarded(item, "teardown")
    try:
        yield
    finally:
        _unguard(old)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"timeout(seconds): time limit per test phase (default {DEFAULT_TIMEOUT} s)"
    )


def pytest_sessionfinish(session, exitstatus):
    kill_spawned(0)  # nothing of ours outlives the run
