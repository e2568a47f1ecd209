"""Malformed and invalid trace programs: each gives its exact bpftrace-style diagnostic

    FILE:LINE:COL-END: ERROR: message
    <the source line>
    <~~~ under the offending token>

on stderr, nothing on stdout (no "Attaching" line), a non-zero exit, no hang, and nothing
left in the kernel. Where bpftrace 0.17 has a message for the same mistake, ours has the same
words and columns (checked by hand against the installed bpftrace); where bpftrace has none
or a wrong one (kprobes here, Go names, offsets), ours says what is wrong.
"""

import os
import subprocess

import pytest

from conftest import TARGETS, TRACEKIT, require_file

CPROG = str(TARGETS / "cprog-gcc")
GOSRV = str(TARGETS / "rpcserver")


def run(args, timeout=30, compat="0.17"):
    """tracekit ARGS; the messages here are bpftrace 0.17's, so in its dialect by default."""
    require_file(TRACEKIT, "run `make`")
    return subprocess.run(
        [str(TRACEKIT), *args],
        env={**os.environ, "TRACEKIT_COMPAT": compat},
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def diag(prog, col, end, msg, line=1, file="stdin"):
    """The expected three lines for an error on one line of prog."""
    src = prog.splitlines()[line - 1]
    return f"{file}:{line}:{col}-{end}: ERROR: {msg}\n{src}\n{' ' * (col - 1)}{'~' * (end - col)}\n"


def whole(prog, msg):
    """An error about the first attach point, which spans up to the first blank."""
    ap = prog.split(" ")[0]
    return diag(prog, 1, len(ap) + 1, msg)


# (id, program, expected stderr). Same words as bpftrace 0.17 unless noted.
CASES = [
    ("func-in-BEGIN", 'BEGIN { printf("probe=%s func=%s\\n", probe, func); exit(); }',
     lambda p: diag(p, 45, 49, "The func builtin can not be used with 'BEGIN' probes")),
    ("assign-to-bare-word", "BEGIN { x = 1; }",
     lambda p: diag(p, 11, 12, "syntax error, unexpected =, expecting }")),
    ("assign-to-literal", "BEGIN { 1 = 2; }",
     lambda p: diag(p, 11, 12, "syntax error, unexpected =, expecting }")),
    ("printf-too-few", 'BEGIN { printf("%d\\n"); }',
     lambda p: diag(p, 9, 23, "printf: Not enough arguments for format string (0 supplied, 1 expected)")),
    ("printf-too-many", 'BEGIN { printf("%d %d\\n", 1, 2, 3); }',
     lambda p: diag(p, 9, 35, "printf: Too many arguments for format string (3 supplied, 2 expected)")),
    ("printf-s-of-int", 'BEGIN { printf("%s", 1) }',
     lambda p: diag(p, 9, 24, "printf: %s specifier expects a value of type string (integer supplied)")),
    ("printf-d-of-string", 'BEGIN { printf("%d\\n", comm); }',
     lambda p: diag(p, 9, 29, "printf: %d specifier expects a value of type integer (string supplied)")),
    ("printf-not-literal", "BEGIN { printf(1); }",
     lambda p: diag(p, 9, 18, "printf() expects a string literal (integer provided)")),
    ("undeclared-variable", "BEGIN { $x; }",
     lambda p: diag(p, 9, 11, "Undefined or undeclared variable: $x")),
    ("count-with-argument", "BEGIN { @x = count(1); }",
     lambda p: diag(p, 14, 22, "count() requires no arguments (1 provided)")),
    ("hist-without-argument", "BEGIN { @h = hist(); }",
     lambda p: diag(p, 14, 20, "hist() requires one argument (0 provided)")),
    ("lhist-min-max", "BEGIN { @l = lhist(1, 10, 0, 1); }",
     lambda p: diag(p, 14, 32, "lhist() min must be less than max (provided min 10 and max 0)")),
    ("lhist-step", "BEGIN { @l = lhist(1, 0, 10, 0); }",
     lambda p: diag(p, 14, 32, "lhist() step must be >= 1 (0 provided)")),
    ("lhist-3-args", "BEGIN { @ = lhist(1, 0, 100); }",  # ours: bpftrace crashes differently
     lambda p: diag(p, 13, 29, "lhist() requires 4 arguments (3 provided)")),
    ("unterminated-string", 'BEGIN { "abc }',
     lambda p: diag(p, 9, 15, "unterminated string")),
    ("unterminated-comment", "BEGIN { /* unterminated",
     lambda p: diag(p, 9, 24, "end of file during comment")),
    ("invalid-character", "BEGIN { @x = 1 $ 2; }",  # ours
     lambda p: diag(p, 16, 17, "syntax error, unexpected $")),
    ("map-value-type-mismatch", 'BEGIN { @x = 1; @x = "str"; }',
     lambda p: diag(p, 17, 19, "Type mismatch for @x: trying to assign value of type 'string[4]' when map already contains a value of type 'int64'")),
    ("aggregation-mismatch", "BEGIN { @x = count(); @x = sum(1); }",  # ours
     lambda p: diag(p, 23, 25, "Type mismatch for @x: trying to assign value of type 'sum' when map already contains a value of type 'count'")),
    ("map-key-count-mismatch", "BEGIN { @x[1,2] = 1; @x[1] = 2; }",
     lambda p: diag(p, 22, 27, "Argument mismatch for @x: trying to access with arguments: [int64] when map expects arguments: [int64, int64]")),
    ("variable-type-mismatch", 'BEGIN { $x = 1; $x = "a"; }',
     lambda p: diag(p, 20, 21, "Type mismatch for $x: trying to assign value of type 'string[2]' when variable already contains a value of type 'int64'")),
    ("unknown-function", "BEGIN { foo(); }",
     lambda p: diag(p, 9, 12, "Unknown function: foo")),
    ("unknown-identifier", "BEGIN { @x = bogus; }",
     lambda p: diag(p, 14, 19, "Unknown identifier: 'bogus'")),
    ("aggregation-in-expression", "BEGIN { @x = count(); @y = @x + hist(1); }",
     lambda p: diag(p, 33, 40, "hist() should be directly assigned to a map")),
    ("aggregation-to-variable", "BEGIN { $x = hist(1); }",
     lambda p: diag(p, 14, 21, "hist() should be directly assigned to a map")),
    ("reg-in-BEGIN", 'BEGIN { reg("ax"); }',
     lambda p: diag(p, 9, 18, 'reg can not be used with "BEGIN" probes')),
    ("retval-in-tracepoint", 'tracepoint:sched:sched_switch { printf("%d\\n", retval); }',
     lambda p: diag(p, 48, 54, "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'kfunc' probes (try to use args->ret instead)")),
    ("break-outside-loop", "BEGIN { break; }",
     lambda p: diag(p, 9, 14, "break used outside of a loop")),
    ("unroll-zero", "BEGIN { unroll(0) { } }",
     lambda p: diag(p, 9, 18, "unroll minimum value is 1")),
    ("unsafe-system", 'BEGIN { system("ls"); }',
     lambda p: diag(p, 9, 21, "system() is an unsafe function being used in safe mode")),
    ("exit-with-argument", "BEGIN { exit(1); }",
     lambda p: diag(p, 9, 16, "exit() requires no arguments (1 provided)")),
    ("str-without-argument", "BEGIN { str(); }",
     lambda p: diag(p, 9, 14, "str() requires at least one argument (0 provided)")),
    ("if-without-braces", 'BEGIN { if (1) printf("x"); }',
     lambda p: diag(p, 16, 22, "syntax error, unexpected call, expecting {")),
    ("for-loop-0.17", "BEGIN { for ($i : @x) {} }",
     lambda p: diag(p, 9, 12, "syntax error, unexpected for, expecting }")),
    ("missing-brace", "BEGIN { printf(\"x\") ",  # ours: bpftrace points one column earlier
     lambda p: diag(p, 21, 22, "syntax error, unexpected end of file, expecting }")),
    ("two-BEGIN", "BEGIN { @x = 1 } BEGIN { print(@y); }",
     lambda p: diag(p, 18, 23, "More than one BEGIN probe defined")),
    ("bad-integer", 'BEGIN { printf("%d\\n", 123abc); }',  # ours
     lambda p: diag(p, 24, 30, "invalid integer literal '123abc'")),
    ("integer-overflow", 'BEGIN { printf("%d\\n", 99999999999999999999); }',  # ours
     lambda p: diag(p, 24, 44, "integer literal out of range")),
    ("ternary-types", 'BEGIN { $x = 1 ? 2 : "a"; }',  # ours
     lambda p: diag(p, 14, 25, "Ternary operator must return the same type: have 'int64' and 'string[2]'")),
    ("args-in-BEGIN", "BEGIN { $x = args; }",  # ours
     lambda p: diag(p, 14, 18, "The args builtin can only be used with tracepoint/uprobe probes")),
    ("tracepoint-field", 'tracepoint:syscalls:sys_enter_openat { printf("%s\\n", args->nosuchfield); }',
     lambda p: diag(p, 55, 72, "Struct/union of type 'struct _tracepoint_syscalls_sys_enter_openat' does not contain a field named 'nosuchfield'")),
    ("tracepoint-missing", "tracepoint:nosuchcat:nosuchevent { }",
     lambda p: whole(p, "tracepoint not found: nosuchcat:nosuchevent")),
    ("tracepoint-no-event", "tracepoint:syscalls { }",  # ours
     lambda p: whole(p, "tracepoint probe must have a category and an event name")),
    ("probe-type", "foo:bar { }",  # bpftrace: FATAL without a location
     lambda p: whole(p, "Invalid probe type: foo")),
    ("interval-unit", "interval:xs:1 { }",
     lambda p: whole(p, "xs is not an accepted unit of time")),
    ("interval-zero", "interval:s:0 { }",  # ours
     lambda p: whole(p, "Invalid rate of interval probe")),
    ("software-event", "software:no-such-event:1 { }",  # ours
     lambda p: whole(p, "Invalid software event: no-such-event")),
    ("kprobe-here", "kprobe:do_nanosleep { }",  # bpftrace only warns, then fails to attach
     lambda p: whole(p, "kprobe probes are not available: this kernel has no kprobe support (CONFIG_KPROBE_EVENTS); use a tracepoint or rawtracepoint")),
    ("kretprobe-here", "kretprobe:do_nanosleep { }",
     lambda p: whole(p, "kretprobe probes are not available: this kernel has no kprobe support (CONFIG_KPROBE_EVENTS); use a tracepoint or rawtracepoint")),
    ("hardware-here", "hardware:cpu-cycles:1000000 { }",  # bpftrace fails at attach
     lambda p: whole(p, "hardware probes are not available: this machine has no PMU")),
    ("uprobe-missing-file", "uprobe:/nonexistent/binary:main { }",
     lambda p: whole(p, "uprobe target file '/nonexistent/binary' does not exist or is not executable")),
    ("uprobe-no-function", f"uprobe:{CPROG} {{ }}",  # ours
     lambda p: whole(p, "uprobe probe must have a target and a function")),
    ("uprobe-no-match", f"uprobe:{CPROG}:no_such_function_xyz {{ }}",  # bpftrace: "No probes to attach"
     lambda p: whole(p, f"no function in {CPROG} matches 'no_such_function_xyz'")),
    ("uretprobe-offset", f"uretprobe:{CPROG}:tk_add+4 {{ }}",
     lambda p: whole(p, "Offset not allowed")),
    # Debian's bpftrace cannot check offsets at all; we decode the function.
    ("offset-mid-instruction", f"uprobe:{CPROG}:tk_add+1 {{ }}",
     lambda p: whole(p, f"Could not add uprobe into middle of instruction: {CPROG}:tk_add+1")),
    ("offset-outside", f"uprobe:{CPROG}:tk_add+100 {{ }}",
     lambda p: whole(p, "Offset outside the function bounds ('tk_add' size is 4)")),
    ("offset-wildcard", f"uprobe:{GOSRV}:main.*+4 {{ }}",  # ours
     lambda p: None),
    ("bad-register", f'uprobe:{CPROG}:tk_add {{ printf("%d\\n", reg("xyz")); }}',
     lambda p: diag(p, p.index('"xyz"') + 1, p.index('"xyz"') + 6, "'xyz' is not a valid register")),
    ("goid-not-go", f"uprobe:{CPROG}:tk_add {{ @[goid] = count(); }}",  # ours
     lambda p: diag(p, p.index("goid") + 1, p.index("goid") + 5, f"goid needs a Go program ({CPROG} is not one)")),
    ("garg-range", f'uprobe:{GOSRV}:"main.(*Arith).Mul" {{ @ = garg9; }}',  # ours
     lambda p: diag(p, p.index("garg9") + 1, p.index("garg9") + 6, "garg9: Go passes at most 9 integer arguments in registers (garg0-garg8)")),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_error(case, no_leftovers):
    _, prog, expect = case
    r = run(["-e", prog])
    assert r.returncode != 0, r.stdout
    assert r.stdout == ""
    want = expect(prog)
    if want is None:  # message checked elsewhere; the shape must still hold
        lines = r.stderr.splitlines()
        assert len(lines) == 3 and lines[0].startswith("stdin:1:1-") and " ERROR: " in lines[0]
        assert lines[1] == prog and set(lines[2]) == {"~"}
        return
    assert r.stderr == want


def test_error_in_file_names_file_and_line(tmp_path, no_leftovers):
    f = tmp_path / "bad.bt"
    f.write_text("#!/usr/bin/env tracekit\nBEGIN {\n  @x = 1;\n  @x = \"s\";\n}\n")
    r = run([str(f)])
    assert r.returncode != 0
    assert r.stdout == ""
    assert r.stderr == (
        f"{f}:4:3-5: ERROR: Type mismatch for @x: trying to assign value of type 'string[2]'"
        " when map already contains a value of type 'int64'\n"
        '  @x = "s";\n'
        "  ~~\n"
    )


def test_verifier_rejection_points_at_statement(no_leftovers):
    """A loop the verifier cannot bound: the error names the statement, -v adds the log."""
    prog = "BEGIN { @x[1] = 1; while (@x[1] < 5) { @x[1]++; } }"
    r = run(["-e", prog])
    assert r.returncode != 0
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines[0].startswith(
        "stdin:1:20-25: ERROR: the kernel's verifier rejected this (probe BEGIN): infinite loop detected at insn"
    ), r.stderr
    assert lines[0].endswith("(run with -v for the verifier log)")
    assert lines[1:] == [prog, " " * 19 + "~~~~~"]
    rv = run(["-v", "-e", prog])
    assert rv.returncode != 0
    assert "infinite loop detected" in rv.stderr and "processed" in rv.stderr


def test_missing_file():
    r = run(["/nonexistent/prog.bt"])
    assert r.returncode != 0
    assert r.stderr == "ERROR: failed to open file '/nonexistent/prog.bt': No such file or directory\n"


def test_bad_output_format():
    r = run(["-f", "xml", "-e", "BEGIN { exit(); }"])
    assert r.returncode != 0
    assert r.stderr == "ERROR: Invalid output format \"xml\"\nValid formats: 'text', 'json'\n"


def test_bad_pid():
    r = run(["-p", "notapid", "-e", "BEGIN { exit(); }"])
    assert r.returncode != 0
    assert r.stderr == "ERROR: pid 'notapid' is not a valid process id\n"


# bpftrace 0.26's new syntax (durations, let, block scopes, for, discards, elvis, conditions
# without parentheses), in its dialect. Messages from ../shared/reference/bpftrace-0.26.md
# (2.1, 2.3, 2.10) where it gives one; "ours" where it does not (syntax errors keep tracekit's
# bison-like wording, without 0.26's "syntax: " prefix).
def at(p, token, msg, n=1):
    """The error underlining the n-th occurrence of token in p."""
    i = -1
    for _ in range(n):
        i = p.index(token, i + 1)
    return diag(p, i + 1, i + 1 + len(token), msg)


# One error per line: ID | DIALECT | PROGRAM | TOKEN[#N] | MESSAGE, the error underlining the
# N-th (default first) TOKEN of PROGRAM. In 0.17, the new syntax gets 0.17's parser errors
# where it begins. Messages of the reference (2.1, 2.3, 2.10) except: dur-overflow,
# let-bad-type (ours); the syntax errors keep tracekit's bison-like words, without
# 0.26's "syntax: " prefix.
NEW_SYNTAX = [line.split(" | ") for line in r"""
dur-bad-suffix | 0.26 | begin { @ = 1xyz; } | 1xyz | invalid integer suffix 'xyz'
dur-bad-suffix-word | 0.26 | begin { @ = 5sec; } | 5sec | invalid integer suffix 'sec'
dur-hex-suffix | 0.26 | begin { @ = 0x10s; } | 0x10s | invalid integer suffix 's'
dur-upper-unit | 0.26 | begin { @ = 1S; } | 1S | invalid integer suffix 'S'
dur-overflow | 0.26 | begin { @ = 300000d; } | 300000d | integer literal out of range
let-shadow-outer | 0.26 | begin { $x = 1; if (1) { let $x = 2; } } | let $x = 2 | Variable $x was already declared. Variable shadowing is not allowed.
let-twice | 0.26 | begin { let $x; let $x; } | let $x#2 | Variable $x was already declared. Variable shadowing is not allowed.
let-after-assign | 0.26 | begin { $x = 1; let $x = 2; } | let $x = 2 | Variable $x was already declared. Variable shadowing is not allowed.
let-twice-nested | 0.26 | begin { let $x; if (1) { let $x; } } | let $x#2 | Variable $x was already declared. Variable shadowing is not allowed.
let-shadows-loopvar | 0.26 | begin { for ($i : 0..2) { let $i; } } | let $i | Variable $i was already declared. Variable shadowing is not allowed.
let-bad-type | 0.26 | begin { let $x: foo; } | foo | Unknown type: foo (struct types need BTF, not supported)
let-no-var | 0.26 | begin { let x; } | x | syntax error, unexpected identifier, expecting }
let-missing-type | 0.26 | begin { let $x: = 1; } | = | syntax error, unexpected =, expecting type
scope-if | 0.26 | begin { if (1) { $x = 1; } printf("%d\n", $x); } | $x#2 | Undefined or undeclared variable: $x
scope-else | 0.26 | begin { if (0) { } else { $x = 1; } printf("%d\n", $x); } | $x#2 | Undefined or undeclared variable: $x
scope-both-branches | 0.26 | begin { if (1) { $x = 1; } else { $x = 2; } printf("%d\n", $x); } | $x#3 | Undefined or undeclared variable: $x
scope-let-in-if | 0.26 | begin { if (1) { let $x = 1; } printf("%d\n", $x); } | $x#2 | Undefined or undeclared variable: $x
scope-for-body | 0.26 | begin { for ($i : 0..2) { $y = $i; } printf("%d\n", $y); } | $y#2 | Undefined or undeclared variable: $y
scope-loopvar-after | 0.26 | begin { for ($i : 0..2) { } printf("%d\n", $i); } | $i#2 | Undefined or undeclared variable: $i
scope-unroll | 0.26 | begin { unroll(2) { $u = 1; } printf("%d\n", $u); } | $u#2 | Undefined or undeclared variable: $u
scope-nested-sibling | 0.26 | begin { if (1) { if (1) { $x = 1; } $y = $x; } } | $x#2 | Undefined or undeclared variable: $x
loop-shadows | 0.26 | begin { $i = 1; for ($i : 0..2) { } } | $i#2 | Loop declaration shadows existing variable: $i
loop-shadows-nested | 0.26 | begin { for ($i : 0..2) { for ($i : 0..2) { } } } | $i#2 | Loop declaration shadows existing variable: $i
range-start-string | 0.26 | begin { for ($i : "a"..2) { } } | "a" | Loop range requires an integer for the start value
range-end-string | 0.26 | begin { for ($i : 0.."b") { } } | "b" | Loop range requires an integer for the end value
for-map-scalar | 0.26 | begin { @m = 1; for ($kv : @m) { } } | @m#2 | @m has no explicit keys (scalar map), and cannot be used for iteration
for-no-var | 0.26 | begin { for (i : 0..2) { } } | i#2 | syntax error, unexpected identifier, expecting variable
for-no-colon | 0.26 | begin { for ($i 0..2) { } } | 0 | syntax error, unexpected integer, expecting :
for-no-block | 0.26 | begin { for ($i : 0..2) printf("x"); } | printf | syntax error, unexpected call, expecting {
for-unclosed-paren | 0.26 | begin { for ($i : 0..2 { } } | {#2 | syntax error, unexpected {, expecting )
break-outside | 0.26 | begin { break; } | break | 'break' statement is not allowed in a probe
continue-outside | 0.26 | begin { continue; } | continue | 'continue' statement is not allowed in a probe
break-in-if | 0.26 | begin { if (1) { break; } } | break | 'break' statement is not allowed in a probe
elvis-no-rhs | 0.26 | begin { @ = 1 ?: ; } | ; | syntax error, unexpected ;
if-noparen-binary | 0.26 | begin { $x = 1; if $x == 1 { } } | == | syntax error, unexpected ==, expecting {
unroll-noparen-var | 0.26 | begin { $n = 2; unroll $n { } } | $n#2 | unroll() count must be an integer literal
unroll-noparen-zero | 0.26 | begin { unroll 0 { } } | unroll 0 | unroll minimum value is 1
discard-no-expr | 0.26 | begin { _ = ; } | ; | syntax error, unexpected ;
discard-agg | 0.26 | begin { _ = count(); } | count() | count() should be assigned to a map
dur | 0.17 | BEGIN { @ = 1s; } | 1s | invalid integer literal '1s'
suffix | 0.17 | BEGIN { @ = 10ul; } | 10ul | invalid integer literal '10ul'
let | 0.17 | BEGIN { let $x; } | $x | syntax error, unexpected variable, expecting }
discard | 0.17 | BEGIN { _ = 1; } | = | syntax error, unexpected =, expecting }
for | 0.17 | BEGIN { for ($i : 0..3) { } } | for | syntax error, unexpected for, expecting }
elvis | 0.17 | BEGIN { $x = 1; @ = $x ?: 2; } | : | syntax error, unexpected :
if-noparen | 0.17 | BEGIN { if 1 { } } | 1 | syntax error, unexpected integer, expecting (
break | 0.17 | BEGIN { break; } | break | break used outside of a loop
""".strip().splitlines()]


@pytest.mark.parametrize("case", NEW_SYNTAX, ids=[f"{c[1]}-{c[0]}" for c in NEW_SYNTAX])
def test_new_syntax_error(case, no_leftovers):
    _, compat, prog, token, msg = case
    token, _, n = token.partition("#")
    r = run(["-e", prog], compat=compat)
    assert r.returncode != 0, r.stdout
    assert r.stdout == ""
    assert r.stderr == at(prog, token, msg, int(n or 1))


WHILE_HINT = (
    "HINT: For loops support ranges (e.g. `for ($x : $start..$end) { ... }`), and can be used in"
    " place of while. These are more easily proven to be bounded by the verifier.\n"
)


def test_while_deprecated_026():
    """0.25's warning (ref. 2.3) with bpftrace's hint, on stdout before the program's output
    (0.26 writes a successful compile's warnings there, ref. 0.12); the loop still runs.
    0.17: none."""
    prog = "begin { $i = 2; while ($i) { $i--; } printf(\"%d\\n\", $i); }"
    r = run(["-e", prog], compat="0.26")
    assert r.returncode == 0, r.stderr
    w = at(prog, "while ($i)", "While loops are deprecated and may be removed in the future.")
    assert r.stdout == w.replace(": ERROR: ", ": WARNING: ") + WHILE_HINT + "0\n\n\n"
    assert r.stderr == "Attached 1 probe\n"
    r = run(["-e", prog.replace("begin", "BEGIN").replace("$i); }", "$i); exit(); }")])
    assert r.returncode == 0, r.stderr
    assert "deprecated" not in r.stderr


def test_let_never_assigned_026():
    prog = "begin { let $z; printf(\"ok\\n\"); }"
    r = run(["-e", prog], compat="0.26")
    assert r.returncode == 0, r.stderr
    w = at(prog, "let $z", "Variable $z was never assigned to.")
    assert r.stdout == w.replace(": ERROR: ", ": WARNING: ") + "ok\n\n\n"
    assert r.stderr == "Attached 1 probe\n"


def test_let_used_before_assigned_026():
    """Ref. 2.3: reading a let variable before any assignment (++ reads too) warns and reads 0."""
    prog = 'begin { let $x; printf("%d\\n", $x); $x++; printf("%d\\n", $x); }'
    r = run(["-e", prog], compat="0.26")
    assert r.returncode == 0, r.stderr
    w = "".join(at(prog, "$x", "Variable used before it was assigned: $x", n) for n in (2, 3))
    assert r.stdout == w.replace(": ERROR: ", ": WARNING: ") + "0\n1\n\n\n"
    assert r.stderr == "Attached 1 probe\n"
