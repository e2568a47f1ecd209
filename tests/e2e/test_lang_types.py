"""C types in the language: kernel structs from the running kernel's BTF (bpftrace 0.26).

`curtask` is a `struct task_struct *`; `.` and `->` follow pointers, read integers, pointers,
bitfields and char arrays (as strings), index arrays; casts, `sizeof`, pointer arithmetic;
`ppid`, `pcomm`, `leader_tid`, `leader_comm`. Kernel struct layouts change with the kernel
build, so nothing here holds an offset or a size: values are compared with what the test
itself knows at run time (the PIDs of the processes it started, their names, their limits)
and sizes with what `bpftool btf dump` says about the running kernel.

Misuse gives one bpftrace-style error (`FILE:L:C-E: ERROR: ...`, the line, a `~~~`
underline) on stderr and exit status 1; the texts are bpftrace 0.26's where it has one
(../shared/reference/bpftrace-0.26.md §2.10).
"""

import os
import re
import resource
import shutil
import subprocess

import pytest

from conftest import TRACEKIT, require_file


def run(prog, compat="0.26", args=(), timeout=30):
    require_file(TRACEKIT, "run `make`")
    return subprocess.Popen(
        [str(TRACEKIT), "-q", *args, "-e", prog],
        env={**os.environ, "TRACEKIT_COMPAT": compat},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="backslashreplace",
    )


def done(proc, timeout=30):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"tracekit hung: {err}")
    return proc.returncode, out, err


def begin(body, compat="0.26"):
    """Run `begin { BODY }` (in tracekit's own process); its pid and (status, lines, err)."""
    p = run("begin { " + body + " }", compat)
    rc, out, err = done(p)
    assert rc == 0, err
    return p.pid, [l for l in out.splitlines() if l]


def btf_struct_size(name):
    """The size of struct NAME in the running kernel, as bpftool reads its BTF."""
    tool = shutil.which("bpftool")
    if not tool:
        pytest.skip("bpftool not installed")
    dump = subprocess.run(
        [tool, "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw"],
        capture_output=True, text=True, check=True).stdout
    m = re.search(r"^\[\d+\] STRUCT '%s' size=(\d+)" % re.escape(name), dump, re.M)
    assert m, name
    return int(m.group(1))


def own_comm():
    with open("/proc/self/comm") as f:
        return f.read().strip()


def test_curtask_fields_are_the_tracer_and_its_parent():
    pid, lines = begin('printf("%d %d %d %s\\n", curtask.pid, curtask->tgid, '
                       'curtask.real_parent.tgid, curtask.comm);')
    assert lines == [f"{pid} {pid} {os.getpid()} tracekit"]


def test_arrow_and_dot_are_the_same_chain():
    pid, lines = begin('printf("%d %d\\n", curtask->real_parent->pid, '
                       '((struct task_struct *)curtask).real_parent.pid);')
    assert lines == [f"{os.getpid()} {os.getpid()}"]


def test_derived_builtins():
    pid, lines = begin('printf("%d/%s/%d/%s/%s\\n", ppid, pcomm, leader_tid, leader_comm, '
                       'curtask.group_leader.comm);')
    assert lines == [f"{os.getpid()}/{own_comm()[:15]}/{pid}/tracekit/tracekit"]


def test_struct_array_with_constant_and_runtime_index():
    # RLIMIT_STACK's soft limit: the tracer inherits the test's and does not change it
    soft = resource.getrlimit(resource.RLIMIT_STACK)[0]
    want = soft if soft != resource.RLIM_INFINITY else 2**64 - 1
    prog = ('begin { $i = 3; printf("%lu %lu %lu\\n", curtask.signal.rlim[3].rlim_cur, '
            'curtask.signal->rlim[$i].rlim_cur, curtask.signal.rlim[$i + 100].rlim_cur); }')
    rc, out, err = done(run(prog))
    # an index past the end at run time reads nothing, 0, and warns (0.24)
    assert rc == 0 and out.splitlines()[0] == f"{want} {want} 0"
    col = prog.index("curtask.signal.rlim[$i + 100]") + 1
    assert (f"stdin:1:{col}-{col + len('curtask.signal.rlim[$i + 100]')}: WARNING: Array access "
            "out of bounds. This can lead to unexpected results.\n") in err


def test_sizeof_and_pointer_arithmetic_follow_the_kernel():
    size = btf_struct_size("task_struct")
    pid, lines = begin('printf("%d %d %d\\n", sizeof(struct task_struct), sizeof(*curtask), '
                       '(uint64)(curtask + 2) - (uint64)curtask);')
    assert lines == [f"{size} {size} {2 * size}"]
    size = btf_struct_size("sock")
    pid, lines = begin('$s = (struct sock *)0; printf("%d %d\\n", sizeof(struct sock), '
                       '(uint64)($s + 1));')
    assert lines == [f"{size} {size}"]


def test_struct_values_print_field_by_field():
    cur, mx = resource.getrlimit(resource.RLIMIT_STACK)
    big = 2**64 - 1
    cur, mx = (big if v == resource.RLIM_INFINITY else v for v in (cur, mx))
    pid, lines = begin("print(curtask.signal.rlim[3]); $r = curtask->signal->rlim[3]; "
                       "@r = $r; print(@r);")
    want = f"{{ .rlim_cur = {cur}, .rlim_max = {mx} }}"
    assert lines == [want, "@r: " + want, "@r: " + want]
    p = run("begin { print(curtask.signal.rlim[3]); }", args=("-f", "json"))
    rc, out, err = done(p)
    js = lambda v: f'"{v}"' if v > 2**53 else str(v)
    assert out.splitlines()[0] == (
        f'{{"type": "value", "data": {{"rlim_cur": {js(cur)}, "rlim_max": {js(mx)}}}}}')


def test_pointer_increment_moves_by_the_pointee():
    size = btf_struct_size("task_struct")
    pid, lines = begin("$q = curtask; $q++; print((uint64)$q - (uint64)curtask); $q--; --$q; "
                       "print((uint64)curtask - (uint64)$q); @m = (struct task_struct *)0; @m++; "
                       "print((uint64)@m); clear(@m);")
    assert lines == [str(size), str(size), str(size)]


def test_pointers_print_in_hex_and_are_conditions():
    pid, lines = begin('print(curtask); if (curtask && curtask.mm) { print(1); } '
                       'if (!curtask.real_parent) { print(2); } $p = curtask.real_parent; '
                       'print($p == curtask.real_parent);')
    assert re.fullmatch(r"0x[0-9a-f]{8,16}", lines[0]), lines
    assert lines[1:] == ["1", "true"]


def test_bitfield_and_nested_anonymous_members():
    # in_execve is a one-bit field; a begin probe runs after the tracer's execve ended.
    # __state and pi_lock.raw_lock.val.counter go through anonymous unions.
    pid, lines = begin('printf("%d %d\\n", curtask.in_execve, '
                       'curtask.pi_lock.raw_lock.val.counter);')
    assert lines == ["0 0"]


def test_curtask_in_a_tracepoint_of_a_child():
    true = shutil.which("true")
    p = run('tracepoint:syscalls:sys_enter_exit_group /pid == cpid/ '
            '{ printf("%d %d %s\\n", curtask.pid, curtask.real_parent.tgid, curtask.comm); }',
            args=("-c", true))
    rc, out, err = done(p)
    assert rc == 0, err
    # the child's pid is only known to the tracer: read it from the line itself
    child, parent, comm = out.split()
    assert int(parent) == p.pid and comm == "true" and int(child) > 0


def test_records_in_json():
    p = run('begin { $r = (name = "x", n = (1, 2)); print($r); @m[1] = $r; }', args=("-f", "json"))
    rc, out, err = done(p)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == '{"type": "value", "data": {"name": "x", "n": [1,2]}}'
    assert '{"type": "map", "data": {"@m": {"1": {"name": "x", "n": [1,2]}}}}' in lines


def test_script_struct_on_a_uprobe_reads_user_memory():
    sleep = shutil.which("sleep")
    p = run('struct ts { long sec; long nsec; }; uprobe:libc:clock_nanosleep /pid == cpid/ '
            '{ $t = (struct ts *)arg2; printf("%d %d %d\\n", $t->sec, $t.nsec, sizeof(*$t)); }',
            args=("-c", f"{sleep} 1.25"))
    rc, out, err = done(p)
    assert rc == 0, err
    assert out.splitlines()[0] == "1 250000000 16"


def diag(prog, col, end, msg):
    return f"stdin:1:{col}-{end}: ERROR: {msg}\n{prog}\n{' ' * (col - 1)}{'~' * (end - col)}\n"


ERRORS = [
    ("unknown-field", "begin { print(curtask.nosuch); }", 15, 29,
     "Struct/union of type 'struct task_struct' does not contain a field named 'nosuch'"),
    ("unknown-field-down-a-chain", "begin { print(curtask.mm.nosuch); }", 15, 32,
     "Struct/union of type 'struct mm_struct' does not contain a field named 'nosuch'"),
    ("unknown-struct-cast", "begin { $x = (struct nosuch *)0; }", 14, 32,
     'Cannot resolve unknown type "struct nosuch *"'),
    ("unknown-struct-sizeof", "begin { print(sizeof(struct nosuch)); }", 15, 21,
     'Cannot resolve unknown type "struct nosuch"'),
    ("cast-to-struct-value", "begin { $x = (struct task_struct)curtask; }", 14, 41,
     'Cannot cast to "struct task_struct"'),
    ("field-of-pointer-to-pointer",
     "begin { $p = (struct task_struct **)curtask; print($p.pid); }", 52, 58,
     "Can not access field 'pid' on expression of type 'struct task_struct **'"),
    ("index-constant-out-of-bounds", "begin { print(curtask.signal.rlim[16]); }", 15, 38,
     "the index 16 is out of bounds for array of size 16"),
    ("index-negative", "begin { print(curtask.signal.rlim[-1]); }", 15, 38,
     "the index -1 is out of bounds for array of size 16"),
    ("index-a-struct", "begin { print(curtask.se[0]); }", 15, 28,
     "The array index operator [] can only be used on arrays, pointers, and tuples, "
     "found struct sched_entity."),
    ("deref-a-struct", "begin { print(*curtask.se); }", 15, 26,
     "Can not dereference type 'struct sched_entity'. It is not a pointer."),
    ("pointer-minus-pointer", "begin { print(curtask - curtask); }", 15, 32,
     "The - operator can not be used on expressions of types struct task_struct *, "
     "struct task_struct *"),
    ("integer-minus-pointer", "begin { print(1 - curtask); }", 15, 26,
     "The - operator can not be used on expressions of types int64, struct task_struct *"),
    ("pointer-plus-string", 'begin { print(curtask + "a"); }', 15, 28,
     "The + operator can not be used on expressions of types struct task_struct *, "
     "string[2]"),
    ("field-of-struct-pointer-in-0.17", "begin { print(curtask.pid); }", 15, 26,
     "Can not access field 'pid' on type 'struct task_struct *'. Try dereferencing it "
     "first, or using '->'"),
    ("ppid-in-0.17", "begin { print(ppid); }", 15, 19, "Unknown identifier: 'ppid'"),
    ("index-needs-an-integer", 'begin { print(curtask.signal.rlim["a"]); }', 35, 38,
     "The array index operator [] needs an integer index"),
    ("record-duplicate-name", "begin { $r = (a = 1, a = 2); }", 22, 23,
     "Named argument list already contains name: a"),
    ("record-unknown-field", "begin { $r = (a = 1, b = 2); print($r.c); }", 36, 40,
     "Record does not contain a field named 'c'"),
    ("script-struct-float-member", "struct a { int x; double d; }; begin { print(sizeof(struct a)); }",
     1, 31, "C definition: floating-point members are not supported"),
    ("script-struct-unknown-type", "struct a { foo_t x; }; begin { print(sizeof(struct a)); }",
     1, 23, "C definition: unknown type name 'foo_t'"),
    # checked even when no probe uses it
    ("script-struct-unused", "struct a { foo_t x; }; begin { print(1); }",
     1, 23, "C definition: unknown type name 'foo_t'"),
]


@pytest.mark.parametrize("name,prog,col,end,msg", ERRORS, ids=[e[0] for e in ERRORS])
def test_misuse_is_one_error(name, prog, col, end, msg):
    p = run(prog, compat="0.17" if name.endswith("0.17") else "0.26")
    rc, out, err = done(p)
    assert rc == 1 and out == ""
    assert err == diag(prog, col, end, msg)
