"""Tracing a process in a container, from the host, by its host PID.

The tests build their own containers: a folder holding the program (static Go service, or a
C program with its own copies of libc, ld.so and libtkdemo.so), entered in a new PID and mount
namespace (`unshare --pid --mount --fork`) in one of two ways:

- `chroot`: `chroot DIR PROG`. The folder is reachable from the host's root, so the host reads
  host paths in /proc/PID/maps (`/tmp/.../root-chroot/server`);
- `pivot_root`: a bind mount of DIR made the root with pivot_root(2) and the old root
  detached, as container runtimes do. The host then reads the container's paths in
  /proc/PID/maps (`/server`), which on the host name other files or none.

The network namespace is shared, so a host-side rpcclient reaches the service on 127.0.0.1.
With `-p PID`, a path names the file as that process sees it (`/server`, through
/proc/PID/root); `/proc/PID/root/...` paths work with and without `-p`; library names resolve
through the process's maps and root (its libc is a copy: probing the host's would count 0);
output shows host PIDs. Every count is exact.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import (count_rows, BPFTRACE_NOTIFY, TRACEKIT, collect, free_port, run_tracer, spawn,
                      target, wait_line)

MODES = ["chroot", "pivot_root"]

# Container init for pivot_root mode (runs as PID 1 of the new namespaces, then execs PROG).
PIVOT_INIT = r"""
import ctypes, os, sys
root, argv = sys.argv[1], sys.argv[2:]
libc = ctypes.CDLL(None, use_errno=True)
def check(ret, what):
    if ret != 0:
        sys.exit(f"container init: {what}: {os.strerror(ctypes.get_errno())}")
MS_BIND, MS_REC, MNT_DETACH, SYS_pivot_root = 0x1000, 0x4000, 2, 155
check(libc.mount(root.encode(), root.encode(), None, MS_BIND | MS_REC, None), "bind mount")
os.chdir(root)
check(libc.syscall(SYS_pivot_root, b".", b".oldroot"), "pivot_root")
os.chdir("/")
check(libc.umount2(b"/.oldroot", MNT_DETACH), "umount the old root")
os.execv(argv[0], argv)
"""


class Container:
    """A program running as PID 1 of its own PID and mount namespaces."""

    def __init__(self, root, proc, pid):
        self.root = root  # the folder on the host
        self.proc = proc  # the unshare process (its group holds the container)
        self.pid = pid  # host PID of the program inside


def host_pid_of_child(unshare_pid, comm, timeout=10):
    """Host PID of unshare's child once it runs comm: by PID, never by name search."""
    children = Path(f"/proc/{unshare_pid}/task/{unshare_pid}/children")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for c in children.read_text().split():
                if Path(f"/proc/{c}/comm").read_text().strip() == comm:
                    return int(c)
        except OSError:
            pass
        time.sleep(0.02)
    pytest.fail(f"no child of unshare ({unshare_pid}) runs {comm}")


def start_container(tmp_path, mode, files, argv, ready, stdin=subprocess.DEVNULL, links=None):
    """Copy files ({path inside: host source}) into a new root, add symlinks ({path inside:
    target}), run argv in it as `mode`."""
    root = tmp_path / f"root-{mode}"
    for inside, src in files.items():
        dst = root / inside.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)  # a copy: its own inode, not the host's file
    for inside, dest in (links or {}).items():
        link = root / inside.lstrip("/")
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(dest)
    if shutil.which("unshare") is None:
        pytest.fail("unshare not found (Debian package util-linux)")
    ns = ["unshare", "--pid", "--mount", "--fork"]
    if mode == "chroot":
        cmd = ns + ["chroot", root, *argv]
    else:
        (root / ".oldroot").mkdir()
        cmd = ns + [sys.executable, "-c", PIVOT_INIT, root, *argv]
    proc = spawn(cmd, stdin=stdin)  # its own process group: killed at the end of the test
    wait_line(proc, ready, timeout=15)
    pid = host_pid_of_child(proc.pid, Path(str(argv[0])).name[:15])
    # really contained: PID 1 of its namespace, another mount namespace than ours
    nspid = re.search(r"^NSpid:\s+(.*)$", Path(f"/proc/{pid}/status").read_text(), re.M)
    assert nspid and nspid.group(1).split() == [str(pid), "1"], nspid
    assert os.readlink(f"/proc/{pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt")
    return Container(root, proc, pid)


def rpc_container(tmp_path, mode, links=None):
    """The Go RPC service as /server in a container; .port is its port on 127.0.0.1."""
    port = free_port()
    c = start_container(tmp_path, mode, {"/server": target("rpcserver")},
                        ["/server", "-addr", f"127.0.0.1:{port}"], r"^listening on ",
                        links=links)
    c.port = port
    return c


def calls(c, n, a=10, b=20):
    """n calls from the host to the service in container c."""
    p = spawn([target("rpcclient"), "-addr", f"127.0.0.1:{c.port}", "-n", n, "-a", a, "-b", b])
    rc, out, err = collect(p, 60)
    assert rc == 0 and f"calls={n} errors=0" in out, out + err


def lib_container(tmp_path, mode, count):
    """cprog-lib as /cprog-lib with its own libtkdemo.so, libc and ld.so (copies), waiting
    for a line on stdin before it makes `count` calls of tk_lib_call and one printf."""
    ldd = subprocess.run(["ldd", str(target("cprog-lib"))], capture_output=True, text=True,
                         check=True).stdout
    files = {"/cprog-lib": target("cprog-lib")}
    for m in re.finditer(r"^\s*(\S+) => (/\S+) \(", ldd, re.M):
        # glibc finds $ORIGIN through /proc, which the container lacks: a system directory
        files[f"/lib/x86_64-linux-gnu/{m.group(1)}"] = m.group(2)
    interp = re.search(r"^\s*(/\S*ld-linux\S*) \(", ldd, re.M)
    assert interp and len(files) == 3, ldd  # the program, libtkdemo.so, libc.so.6
    files[interp.group(1)] = os.path.realpath(interp.group(1))
    return start_container(tmp_path, mode, files, ["/cprog-lib", "-wait-stdin", count],
                           r"^ready$", stdin=subprocess.PIPE)


def go(c):
    """Let a -wait-stdin program in container c start its calls."""
    c.proc.stdin.write(b"\n")
    c.proc.stdin.flush()




def lang(args):
    """tracekit ARGS (the language), once its probes are attached."""
    return run_tracer(args, ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"})


def tk(*args):
    return subprocess.run([str(TRACEKIT), *map(str, args)],
                          capture_output=True, text=True, timeout=60)


MUL = "main.(*Arith).Mul"


# ---- tools -------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_funccount_container_path_exact(tmp_path, mode, no_leftovers):
    """The user's report: `funccount -p PID '/server:...'` said `/server: no such file`."""
    c = rpc_container(tmp_path, mode)
    t = run_tracer(["funccount", "-p", c.pid, f"/server:{MUL}"])
    assert t.ready_line == f'Tracing 1 functions for "/server:{MUL}"... Hit Ctrl-C to end.'
    calls(c, 37)
    calls(c, 3, a=-2, b=5)  # slow path
    rc, out, err = t.stop()
    assert rc == 0, err
    assert count_rows(out) == {MUL: 40}, out


@pytest.mark.parametrize("with_pid", [True, False], ids=["with-p", "without-p"])
def test_funccount_proc_root_path(tmp_path, with_pid, no_leftovers):
    """/proc/PID/root/server names the container's file with -p (not re-rooted) and without."""
    c = rpc_container(tmp_path, "pivot_root")
    spec = f"/proc/{c.pid}/root/server:{MUL}"
    t = run_tracer(["funccount", *(["-p", c.pid] if with_pid else []), spec])
    calls(c, 25)
    rc, out, err = t.stop()
    assert rc == 0, err
    assert count_rows(out) == {MUL: 25}, out


def test_absolute_symlink_resolves_inside_the_container(tmp_path, no_leftovers):
    """/usr/local/bin/server -> /server inside: the link's target is the container's /server
    (the kernel alone would follow it from the host's root, where /server does not exist)."""
    c = rpc_container(tmp_path, "pivot_root", links={"/usr/local/bin/server": "/server",
                                                     "/bin": "usr/local/bin"})
    for spec in (f"/usr/local/bin/server:{MUL}", f"/bin/../bin/server:{MUL}"):
        t = run_tracer(["funccount", "-p", c.pid, spec])
        calls(c, 11)
        rc, out, err = t.stop()
        assert rc == 0, err
        assert count_rows(out) == {MUL: 11}, out


def test_funclatency_container_path(tmp_path, no_leftovers):
    c = rpc_container(tmp_path, "chroot")
    t = run_tracer(["funclatency", "-u", "-p", c.pid, f"/server:{MUL}"])
    calls(c, 30)
    calls(c, 2, a=-3, b=1)  # 3 ms each
    rc, out, err = t.stop()
    assert rc == 0, err
    m = re.search(r"^avg = \d+ usecs, total: \d+ usecs, count: (\d+)$", out, re.M)
    rows = re.findall(r"^\s*(\d+) -> \d+\s+: (\d+)\s+\|", out, re.M)
    assert m and int(m.group(1)) == 32 and sum(int(n) for _, n in rows) == 32, out
    assert sum(int(n) for lo, n in rows if int(lo) >= 2048) == 2, out


@pytest.mark.parametrize("mode", MODES)
def test_funcslower_host_pid_and_symbolized_stack(tmp_path, mode, no_leftovers):
    """Stacks of a contained process resolve: its /proc/PID/maps shows container paths
    (pivot_root) or host paths (chroot); the binary is opened through its root or mapping."""
    c = rpc_container(tmp_path, mode)
    spec = f"/server:{MUL}"
    t = run_tracer(["funcslower", "-U", "-m", 2, "-p", c.pid, spec])
    wait_line(t.proc, r"^COMM\s+PID\s+LAT\(ms\)\s+RVAL FUNC$")
    calls(c, 20)
    calls(c, 2, a=-4, b=5)  # 4 ms each: the only slow ones
    rc, out, err = t.stop()
    assert rc == 0, err
    rows = [l for l in out.splitlines() if re.match(r"^server\s+\d+", l)]
    assert len(rows) == 2, out
    for r in rows:
        f = r.split()
        assert int(f[1]) == c.pid and float(f[2]) >= 4.0 and f[3] == "0" and f[4] == spec, out
    stack = [s.strip() for s in out.split(rows[0] + "\n")[1].split("\n")]
    stack = stack[: stack.index("")] if "" in stack else stack
    assert stack[:4] == ["runtime.call64.abi0", "runtime.reflectcall", "reflect.Value.call",
                         "reflect.Value.Call"], out
    assert "main.(*Server).serveConn" in stack, out
    assert not [s for s in stack if "[unknown]" in s or re.match(r"^(0x)?[0-9a-f]+$", s)], out


# ---- the language ------------------------------------------------------------------------

def test_lang_container_path_exact_and_ustack(tmp_path, no_leftovers):
    """`-p PID 'uprobe:/server:...'` counts exactly; ustack resolves the contained binary
    (its /proc/PID/maps says /server, a path the host does not have)."""
    c = rpc_container(tmp_path, "pivot_root")
    t = lang(["-p", c.pid, "-e",
              f'uprobe:/server:"{MUL}" {{ @ = count(); @s[ustack(3)] = count(); }}'])
    calls(c, 17)
    rc, out, err = t.stop()
    assert rc == 0, err
    body = maps_at_exit(out)
    assert re.search(r"^@: 17$", body, re.M), out
    stack = re.search(r"^@s\[\n(.*?)\n\]: (\d+)$", body, re.M | re.S)
    assert stack and stack.group(2) == "17", out
    frames = [re.sub(r"\+\d+$", "", f.strip()) for f in stack.group(1).splitlines()]
    assert frames == [MUL, "runtime.call64.abi0", "runtime.reflectcall"], out


def test_lang_uretprobe_args_at_return_host_pid(tmp_path, no_leftovers):
    """A Go uretprobe (a uprobe on each RET) in the container reads the entry's args and the
    reply; `pid` is the host PID (the process is PID 1 inside)."""
    c = rpc_container(tmp_path, "chroot")
    prog = (f'uretprobe:/server:"{MUL}" {{ printf("%d %s A=%d B=%d reply=%d ret=%d\\n", pid, '
            "func, args.args.A, args.args.B, *(int64*)args.reply, retval); }")
    t = lang(["-p", c.pid, "-e", prog])
    calls(c, 3, a=7, b=6)
    calls(c, 2, a=11, b=5)
    rc, out, err = t.stop()
    assert rc == 0, err
    lines = [l for l in out.splitlines() if re.match(r"^\d+ main\.", l)]
    assert lines == [f"{c.pid} {MUL} A=7 B=6 reply=42 ret=0"] * 3 + [
        f"{c.pid} {MUL} A=11 B=5 reply=55 ret=0"] * 2, out


def maps_at_exit(out):
    """What tracekit prints at exit after its two newlines (the maps), whichever dialect put
    an attach line before them."""
    return out.split("\n\n", 1)[1]


def test_lang_proc_root_path_without_p(tmp_path, no_leftovers):
    c = rpc_container(tmp_path, "pivot_root")
    t = lang(["-e", f'uprobe:/proc/{c.pid}/root/server:"{MUL}" {{ @[pid] = count(); }}'])
    calls(c, 9)
    rc, out, err = t.stop()
    assert rc == 0, err
    assert maps_at_exit(out).strip() == f"@[{c.pid}]: 9", out


def test_list_with_pid(tmp_path, no_leftovers):
    c = rpc_container(tmp_path, "pivot_root")
    r = tk("-l", "-p", c.pid, "uprobe:/server:main.*")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert f"uprobe:/server:{MUL}" in lines and "uprobe:/server:main.main" in lines, r.stdout
    assert all(l.startswith("uprobe:/server:main.") for l in lines), r.stdout
    r = tk("-l", "-p", c.pid, "uretprobe:/server:main.*.Mul")
    assert r.returncode == 0 and r.stdout.splitlines() == [f"uretprobe:/server:{MUL}"], r


# ---- libraries ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_library_names_through_the_container(tmp_path, mode, no_leftovers):
    """`tkdemo:tk_*` and `c:printf` with -p are the container's libtkdemo.so and libc (copies:
    the host's libc would count 0), for a tool and the language at once."""
    n = 321
    c = lib_container(tmp_path, mode, n)
    fc = run_tracer(["funccount", "-p", c.pid, "tkdemo:tk_*", "c:printf"])
    lt = lang(["-p", c.pid, "-e",
               "uprobe:tkdemo:tk_lib_call { @calls[pid] = count(); } "
               "uprobe:libc:printf { @printf[pid, comm] = count(); }"])
    go(c)
    wait_line(c.proc, rf"^calls={n}$")
    rc, out, err = fc.wait(30)  # ends when the -p process exits
    assert rc == 0, err
    assert count_rows(out) == {"tk_lib_call": n, "printf": 1}, out
    rc, out, err = lt.stop()
    assert rc == 0, err
    assert sorted(maps_at_exit(out).strip().splitlines()) == [
        f"@calls[{c.pid}]: {n}", f"@printf[{c.pid}, cprog-lib]: 1"], out


# ---- errors ------------------------------------------------------------------------------

def test_paths_not_in_the_container_fail_in_one_line(tmp_path, no_leftovers):
    c = rpc_container(tmp_path, "pivot_root")
    host_bin = target("rpcserver")  # exists on the host, not in the container
    for args, want in [
        (["funccount", "-p", c.pid, "/nope:main.x"],
         f"funccount: /nope: no such file in the root of PID {c.pid} (/proc/{c.pid}/root/nope)"),
        (["funclatency", "-p", c.pid, f"{host_bin}:{MUL}"],
         f"funclatency: {host_bin}: no such file in the root of PID {c.pid} "
         f"(/proc/{c.pid}/root{host_bin})"),
        (["funcslower", "-p", c.pid, "libnope:foo"],
         f"funcslower: libnope: no such library or program (not mapped by PID {c.pid}, "
         "nor in its root's ld.so.cache or $PATH)"),
        # a static Go service maps no libc, and its root has none
        (["funccount", "-p", c.pid, "c:malloc"],
         f"funccount: c: no such library or program (not mapped by PID {c.pid}, "
         "nor in its root's ld.so.cache or $PATH)"),
        (["-l", "-p", c.pid, "uprobe:/nope:*"],
         f"ERROR: /nope: no such file in the root of PID {c.pid} (/proc/{c.pid}/root/nope)"),
    ]:
        r = tk(*args)
        assert r.returncode != 0 and r.stdout == "" and r.stderr.splitlines() == [want], (args, r)
    # the language: its error line, then the source line and a marker, as bpftrace
    r = tk("-p", c.pid, "-e", "uprobe:/nope:main.x { exit(); }")
    assert r.returncode != 0, r
    assert r.stderr.splitlines()[0] == (
        f"stdin:1:1-20: ERROR: uprobe target file '/nope' does not exist or is not executable "
        f"in the root of PID {c.pid} (/proc/{c.pid}/root/nope)"), r.stderr
    # the process still serves, untouched
    calls(c, 1)


# ---- the stack tools ---------------------------------------------------------------------


def goprof_container(tmp_path, mode, *args):
    """goprof (static Go) as /goprof in a container, running `goprof ARGS`."""
    return start_container(tmp_path, mode, {"/goprof": target("goprof")},
                           ["/goprof", *map(str, args)], r"^ready \d+")


def folded(out):
    return [(line.rsplit(" ", 1)[0].split(";"), int(line.rsplit(" ", 1)[1]))
            for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("mode", MODES)
def test_profile_contained_go_with_inlined_frames(tmp_path, mode, no_leftovers):
    """profile -p HOSTPID: the contained binary is read through the process (its root or
    its mapping), with Go's inlined main.mix above main.hotLoop, as on the host."""
    c = goprof_container(tmp_path, mode, "cpu")
    r = tk("profile", "-F", 99, "-p", c.pid, "-f", 2)
    assert r.returncode == 0, r.stderr
    lines = folded(r.stdout)
    total = sum(n for _, n in lines)
    assert total > 0, r.stdout
    hot = sum(n for frames, n in lines if "main.hotLoop" in frames)
    inlined = sum(n for frames, n in lines
                  if "main.hotLoop" in frames
                  and frames[frames.index("main.hotLoop") + 1:][:1] == ["main.mix"])
    assert hot > 0.9 * total and inlined > 0.5 * total, r.stdout


@pytest.mark.parametrize("mode", MODES)
def test_stackcount_contained_exact(tmp_path, mode, no_leftovers):
    c = rpc_container(tmp_path, mode)
    t = run_tracer(["stackcount", "-p", c.pid, f"/server:{MUL}"], ready_regex=r"^Tracing 1 ")
    calls(c, 20)
    rc, out, err = t.stop()
    assert rc == 0, err
    blocks = [b.strip("\n").split("\n") for b in out.split("\n\n")[1:] if b.strip()
              and not b.strip().startswith("Detaching")]
    assert sum(int(b[-1]) for b in blocks) == 20, out
    for b in blocks:
        frames = [f.strip() for f in b[:-1]]
        assert frames[0] == MUL and "runtime.reflectcall" in frames, out
        assert not [f for f in frames if "[unknown]" in f], out


def test_offcputime_go_contained(tmp_path, no_leftovers):
    """--go finds runtime.gopark and runtime.execute in the contained binary (pivot_root:
    its path exists only inside) and charges main.sleeper's parks to it."""
    c = goprof_container(tmp_path, "pivot_root", "sleep", 50)
    r = tk("offcputime", "--go", "-p", c.pid, "-f", 2)
    assert r.returncode == 0, r.stderr
    us = sum(n for frames, n in folded(r.stdout) if "main.sleeper" in frames)
    assert 0.85 * 2e6 <= us <= 1.02 * 2e6, r.stdout
