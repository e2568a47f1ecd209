"""bpftrace 0.26's maps and loops over maps: for ($kv : @m), len(@m), find(), hist(n, k),
aggregates read in expressions, map declarations. Each wrong program gives its exact diagnostic (message, line
and underline) on stderr, nothing on stdout and a non-zero exit; messages of
../shared/reference/bpftrace-0.26.md (1.3, 2.3, 2.5) and of bpftrace 0.26's type checker
("ours" where bpftrace has none). The runtime checks read aggregates that were written on
two CPUs.
"""

import os
import shutil
import subprocess

import pytest

from conftest import TARGETS, TRACEKIT, require_file
from test_lang_errors import at, run

# One error per line: ID | PROGRAM | TOKEN[#N] | MESSAGE, the error underlining the N-th
# (default first) TOKEN of PROGRAM, in the 0.26 dialect.
CASES = [line.split(" | ") for line in r"""
for-scalar | begin { @m = 1; for ($kv : @m) { } } | @m#2 | @m has no explicit keys (scalar map), and cannot be used for iteration
for-hist | begin { @h[1] = hist(5); for ($kv : @h) { } } | @h#2 | Loop expression does not support type: hist_t
for-lhist | begin { @h[1] = lhist(5, 0, 10, 1); for ($kv : @h) { } } | @h#2 | Loop expression does not support type: lhist_t
for-stats | begin { @s[1] = stats(5); for ($kv : @s) { } } | @s#2 | Loop expression does not support type: stats_t
for-undefined | begin { for ($kv : @nope) { } } | @nope | Undefined map: @nope
for-shadows | begin { @m[1] = 1; $kv = 2; for ($kv : @m) { } } | $kv#2 | Loop declaration shadows existing variable: $kv
for-shadows-nested | begin { @m[1] = 1; for ($kv : @m) { for ($kv : @m) { } } } | $kv#2 | Loop declaration shadows existing variable: $kv
for-arg0 | uprobe:CPROG:main { @m[1] = 1; for ($kv : @m) { @x = arg0; } } | arg0 | 'arg0' builtin is not allowed in a for-loop
for-retval | uretprobe:CPROG:main { @m[1] = 1; for ($kv : @m) { @x = retval; } } | retval | 'retval' builtin is not allowed in a for-loop
for-args | tracepoint:syscalls:sys_enter_openat { @m[1] = 1; for ($kv : @m) { @x = args.flags; } } | args | 'args' builtin is not allowed in a for-loop
for-exit | begin { @m[1] = 1; for ($kv : @m) { exit(); } } | exit() | exit() is not allowed inside a loop
for-kv-after | begin { @m[1] = 1; for ($kv : @m) { } print($kv); } | $kv#2 | Undefined or undeclared variable: $kv
for-tuple-index | begin { @m[1] = 1; for ($kv : @m) { print($kv.2); } } | $kv.2 | Invalid tuple index: 2
for-break-after | begin { @m[1] = 1; for ($kv : @m) { break; } break; } | break#2 | 'break' statement is not allowed in a probe
len-scalar | begin { @s = 1; $x = len(@s); } | @s#2 | call to len() expects a map with explicit keys (non-scalar map)
read-hist | begin { @h = hist(1); $x = @h; } | @h#2 | The value of a hist map can not be read in a probe
hist-bits-range | begin { @h = hist(1, 6); } | 6 | hist: bits 6 must be 0..5
hist-bits-var | begin { $k = 1; @h = hist(1, $k); } | $k#2 | hist() bits must be an integer literal
hist-bits-differ | begin { @h = hist(1, 1); @h = hist(2, 2); } | hist(2, 2) | Different bits in a single hist unsupported
hist-3-args | begin { @h = hist(1, 1, 1); } | hist(1, 1, 1) | hist() takes up to 2 arguments (3 provided)
find-2-args | begin { @m[1] = 1; $x = find(@m, 1); } | find(@m, 1) | find() requires 3 arguments (2 provided)
find-not-var | begin { @m[1] = 1; $x = find(@m, 1, 5); } | 5 | find() expects a variable as its third argument
find-scalar | begin { @s = 1; $x = find(@s, 1, $v); } | @s#2 | call to find() expects a map with explicit keys (non-scalar map)
find-not-map | begin { $x = find(1, 1, $v); } | 1 | find() expects a map argument
find-type | begin { @m[1] = "a"; $v = 1; $x = find(@m, 1, $v); } | $v#2 | find() can not store a value of type 'string[2]' in $v ('int64')
decl-percpu-plain | let @m = percpuhash(2); begin { @m[1] = 1; } | @m#2 | Incompatible map types. Type from declaration: percpuhash. Type from value/key type: hash
decl-lru-agg | let @m = lruhash(2); begin { @m[1] = count(); } | @m#2 | Incompatible map types. Type from declaration: lruhash. Type from value/key type: percpuhash
""".strip().splitlines()]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_maps26_error(case, no_leftovers):
    _, prog, token, msg = case
    token, _, n = token.partition("#")
    prog = prog.replace("CPROG", str(TARGETS / "cprog-gcc"))
    r = run(["-e", prog], compat="0.26")
    assert r.returncode != 0, r.stdout
    assert r.stdout == ""
    assert r.stderr == at(prog, token, msg, int(n or 1))


def test_decl_invalid_type(no_leftovers):
    """ref. 2.5: an unknown kind, and the hint (bpftrace's kinds in its table's order)"""
    prog = "let @m = foo(2); begin { @m[1] = 1; }"
    r = run(["-e", prog], compat="0.26")
    assert r.returncode != 0 and r.stdout == ""
    assert r.stderr == at(prog, "let @m = foo(2)", "Invalid bpf map type: foo") + \
        "HINT: Valid map types: percpulruhash, percpuhash, lruhash, hash\n"


def test_decl_unused_warns(no_leftovers):
    """ref. 2.5: a declared map never used warns (on stdout: a successful compile's)"""
    prog = "let @u = hash(2); begin { @m[1] = 1; exit(); }"
    r = run(["-e", prog], compat="0.26")
    assert r.returncode == 0, r.stderr
    warn = at(prog, "let @u = hash(2)", "Unused map: @u").replace("ERROR", "WARNING")
    assert r.stdout.startswith(warn), r.stdout


def test_percpu_sum_two_cpus(tmp_path):
    """count/sum/avg written on CPU 0 and CPU 1 read back as their sum (not one CPU's part),
    also as a for loop's value; len() counts the keys both CPUs made."""
    require_file(TRACEKIT, "run `make`")
    if os.cpu_count() < 2 or not shutil.which("taskset"):
        pytest.skip("needs two CPUs and taskset")
    exe = tmp_path / "tkm26_true"
    shutil.copy("/bin/true", exe)
    prog = ('tracepoint:sched:sched_process_exec /comm == "tkm26_true"/ '
            '{ @c = count(); @s = sum(cpu); @a = avg(cpu * 10); @pc["all"] = count(); '
            'if (@c == 4) { $t = 0; for ($kv : @pc) { $t += $kv.1; } '
            'printf("%d %d %d %d %d\\n", @c, (int64)@s, @a, len(@k), $t); exit(); } '
            '@k[cpu] = 1; }')
    tracer = subprocess.Popen([str(TRACEKIT), "-e", prog], env={**os.environ, "TRACEKIT_COMPAT": "0.26"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = tracer.stderr.readline()
        assert "Attached" in line, line
        for cpu in (0, 1, 0, 1):
            subprocess.run(["taskset", "-c", str(cpu), str(exe)], check=True)
        out, err = tracer.communicate(timeout=20)
    finally:
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()
    assert tracer.returncode == 0, err
    assert out.splitlines()[0] == "4 2 5 2 4"


def test_map_full_warns(no_leftovers):
    """ref. 2.5 and 2.10: an update of a full map (declared with 2 entries, a per-CPU one
    with 1) drops the value with bpftrace's runtime warning, at the map, on stderr"""
    prog = ("let @h = hash(2); let @c = percpuhash(1); "
            "begin { @h[1] = 1; @h[2] = 2; @h[3] = 3; @c[1] = count(); @c[2] = count(); exit(); }")
    r = run(["-e", prog], compat="0.26")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "\n\n@c[1]: 1\n@h[1]: 1\n@h[2]: 2\n"
    msg = ("Map full; can't update element. Try increasing max_map_keys config or manually "
           "setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n"
           "Additional Info - helper: map_update_elem, retcode: -7")
    assert at(prog, "@h[3]", msg).replace("ERROR", "WARNING") in r.stderr
    assert at(prog, "@c[2]", msg).replace("ERROR", "WARNING") in r.stderr


def test_map_full_quiet_with_no_warnings(no_leftovers):
    """--no-warnings silences it"""
    prog = "let @h = hash(1); begin { @h[1] = 1; @h[2] = 2; exit(); }"
    r = run(["--no-warnings", "-e", prog], compat="0.26")
    assert r.returncode == 0, r.stderr
    assert "WARNING" not in r.stderr
