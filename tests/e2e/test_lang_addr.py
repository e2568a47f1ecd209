"""Types and addresses known when a program is made (bpftrace 0.26, src/lang/builtins/addr.c).

`offsetof(struct T, a.b)` / `offsetof($expr, a.b)`, `sizeof` and casts of `union X`,
`enum X` and typedef names, integer <-> integer array casts, `pton()`, `cgroupid()`,
`macaddr()`, `uaddr()`. Kernel layouts change with the kernel build, so offsets and sizes of
kernel types are compared with what `bpftool btf dump` says about the running kernel; the
conformance cases (tests/lang/cases/v26_offsetof_*, v26_addr_*) hold the script-type and
value checks. Misuse gives one bpftrace-style error on stderr and exit status 1; the texts
are bpftrace 0.26's (../shared/reference/bpftrace-0.26.md §2.9-2.11, its semantic analyser).
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import TARGETS
from test_lang_errors import run as run_args


def bpftool_raw_dump():
    """The running kernel's BTF as `bpftool btf dump ... format raw` prints it."""
    if not shutil.which("bpftool"):
        pytest.skip("bpftool not installed")
    return subprocess.check_output(
        ["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw"], text=True)


def run(prog, compat="0.26", args=()):
    """tracekit -q ARGS -e PROG: (status, stdout lines without blanks, stderr)."""
    p = run_args(["-q", *args, "-e", prog], compat=compat)
    return p.returncode, [l for l in p.stdout.splitlines() if l], p.stderr


_BTF = {}


def btf_types():
    """The running kernel's structs and unions from its BTF, as bpftool dumps them:
    {id: (kind, name, size, {member: (type id, bit offset)})}, plus {name: id} (first)."""
    if _BTF:
        return _BTF["ids"], _BTF["names"]
    dump = bpftool_raw_dump()
    ids, names, cur = {}, {}, None
    head = re.compile(r"^\[(\d+)\] (STRUCT|UNION|TYPEDEF|\S+) '([^']*)'(?: size=(\d+))?"
                      r"(?: type_id=(\d+))?")
    member = re.compile(r"^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)")
    for line in dump.splitlines():
        m = member.match(line)
        if m and cur is not None:
            cur[3][m.group(1)] = (int(m.group(2)), int(m.group(3)))
            continue
        m = head.match(line)
        cur = None
        if not m:
            continue
        tid, kind, name = int(m.group(1)), m.group(2), m.group(3)
        if kind in ("STRUCT", "UNION"):
            cur = ids[tid] = (kind, name, int(m.group(4)), {})
            names.setdefault(f"{kind.lower()} {name}", tid)
        elif kind == "TYPEDEF":
            ids[tid] = (kind, name, int(m.group(5)), {})
    _BTF.update(ids=ids, names=names)
    return ids, names


def btf_offsetof(struct, path):
    """offsetof(struct STRUCT, PATH) by the kernel's BTF (PATH a.b.c, no typedefs between)."""
    ids, names = btf_types()
    tid, off = names[struct], 0
    for field in path.split("."):
        mtype, bits = ids[tid][3][field]
        off += bits // 8
        tid = mtype
    return off


def btf_sizeof(name):
    ids, names = btf_types()
    return ids[names[name]][2]


def test_offsetof_and_sizeof_of_kernel_types_match_btf():
    rc, lines, err = run(
        'begin { printf("%d %d %d %d %d\\n", offsetof(struct task_struct, pid), '
        "offsetof(struct task_struct, se.vruntime), offsetof(struct mount, mnt), "
        'sizeof(union bpf_attr), sizeof(struct mount)); }')
    assert rc == 0, err
    want = [btf_offsetof("struct task_struct", "pid"),
            btf_offsetof("struct task_struct", "se.vruntime"),
            btf_offsetof("struct mount", "mnt"),
            btf_sizeof("union bpf_attr"), btf_sizeof("struct mount")]
    assert lines == [" ".join(map(str, want))]


def test_offsetof_of_an_expression_and_typedef_names():
    # offsetof($expr, f) takes the type of the struct (or of what a pointer points to);
    # kernel typedefs name types in sizeof and casts
    rc, lines, err = run(
        'begin { printf("%d %d %d %d\\n", offsetof(curtask, pid), offsetof(*curtask, tgid), '
        "sizeof(pid_t), (uint32)(pid_t)(uint64)0x100000007); }")
    assert rc == 0, err
    assert lines == [f"{btf_offsetof('struct task_struct', 'pid')} "
                     f"{btf_offsetof('struct task_struct', 'tgid')} 4 7"]


def diag(prog, col, end, msg):
    """The three lines of an error on one-line PROG."""
    return f"stdin:1:{col}-{end}: ERROR: {msg}\n{prog}\n{' ' * (col - 1)}{'~' * (end - col)}\n"


def span(prog, text):
    """(col, end) of TEXT in PROG, as the diagnostics count them (1-based, end exclusive)."""
    i = prog.index(text)
    return i + 1, i + 1 + len(text)


CPROG = str(TARGETS / "cprog-gcc")

# (id, program, the text the error underlines, message)
ERRORS = [
    ("offsetof-no-field", "struct F { int a; }; begin { print(offsetof(struct F, b)); }",
     "offsetof(struct F, b)", "'struct F' has no field named 'b'"),
    ("offsetof-not-record", "struct F { int a; }; begin { print(offsetof(struct F, a.b)); }",
     "offsetof(struct F, a.b)", "'int' is not a record type."),
    ("offsetof-unknown-struct", "begin { print(offsetof(struct NoSuchT, b)); }",
     "offsetof(struct NoSuchT, b)", 'Cannot resolve unknown type "struct NoSuchT"'),
    ("offsetof-of-integer", "begin { $x = 1; print(offsetof($x, b)); }",
     "offsetof($x, b)", "'int64' is not a record type."),
    ("pton-bad-address", 'begin { print(pton("1.2.3")); }', 'pton("1.2.3")',
     "pton() expects a valid IPv4/IPv6 address, got 1.2.3"),
    ("pton-not-an-address", 'begin { print(pton("xyz")); }', 'pton("xyz")',
     "pton() expects an string argument of an IPv4/IPv6 address, got xyz"),
    ("pton-not-literal", 'begin { $a = "x"; print(pton($a)); }', "pton($a)",
     "pton() expects an string literal at the first argument"),
    ("cast-size-mismatch", "begin { print((uint8[3])(uint32)1); }", "(uint8[3])(uint32)1",
     'Cannot cast from "uint32" to "uint8[3]"'),
    ("cast-array-to-narrower", 'begin { print((uint16)pton("1.2.3.4")); }',
     '(uint16)pton("1.2.3.4")', 'Cannot cast from "uint8[4]" to "uint16"'),
    ("uaddr-tracepoint",
     'tracepoint:syscalls:sys_enter_openat { print(uaddr("x")); }', 'uaddr("x")',
     'uaddr can not be used with "tracepoint" probes'),
    ("uaddr-unknown-symbol", f'uprobe:{CPROG}:tk_add {{ print(uaddr("nosuch")); }}',
     'uaddr("nosuch")', f"Could not resolve symbol: {CPROG}:nosuch"),
    ("cgroupid-missing", 'begin { print(cgroupid("/nonexistent/cg")); }',
     'cgroupid("/nonexistent/cg")',
     "Failed to get cgroup id for path /nonexistent/cg: No such file or directory"),
]


@pytest.mark.parametrize("prog,text,msg", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(prog, text, msg):
    rc, lines, err = run(prog)
    assert rc == 1 and lines == []
    col, end = span(prog, text)
    assert err == diag(prog, col, end, msg)


def test_offsetof_is_unknown_in_0_17():
    prog = "begin { $p = curtask; print(offsetof($p, pid)); }"
    rc, lines, err = run(prog, compat="0.17")
    assert rc == 1
    col = prog.index("offsetof") + 1
    assert err == diag(prog, col, col + len("offsetof"), "Unknown function: offsetof")


def cgroup2_mount():
    with open("/proc/mounts") as f:
        for line in f:
            dev, mnt, fstype = line.split()[:3]
            if fstype == "cgroup2":
                return mnt
    return None


def test_cgroupid_is_the_cgroup_directory_and_matches_cgroup():
    mnt = cgroup2_mount()
    if not mnt:
        pytest.skip("no cgroup2 mount")
    cg = tempfile.mkdtemp(prefix="tk_cgid_", dir=mnt)
    try:
        # the id of a cgroup2 directory is its inode number (kernfs)
        rc, lines, err = run(f'begin {{ print(cgroupid("{cg}")); }}')
        assert rc == 0, err
        assert lines == [str(os.stat(cg).st_ino)]
        # a process moved into it runs with that cgroup id: a shell started there asks
        # for its parent's pid (getppid) when it sets $PPID
        fd, script = tempfile.mkstemp(prefix="tk_cgid_", suffix=".sh")
        with os.fdopen(fd, "w") as f:
            f.write(f"echo $$ > {cg}/cgroup.procs\n/bin/sh -c :\n")
        prog = (f'tracepoint:syscalls:sys_enter_getppid /cgroup == cgroupid("{cg}")/ '
                "{ @n = count(); }")
        rc, lines, err = run(prog, args=("-c", f"/bin/sh {script}"))
        os.unlink(script)
        assert rc == 0, err
        assert lines and re.fullmatch(r"@n: [1-9]\d*", lines[-1]), lines
    finally:
        for _ in range(50):  # the exited shells leave the cgroup a moment later
            try:
                os.rmdir(cg)
                break
            except OSError:
                time.sleep(0.1)
