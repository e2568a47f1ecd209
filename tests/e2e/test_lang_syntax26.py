"""bpftrace 0.26's program structure (map declarations, config blocks, macros, block and if
expressions, records, C definitions, imports): each malformed program gives its exact
diagnostic (message, line and underline) on stderr, nothing on stdout and a non-zero exit.
Messages of ../shared/reference/bpftrace-0.26.md (2.1, 2.3, 2.9) and of bpftrace 0.26's
parser where they have one ("ours" where they have none; syntax errors keep tracekit's
bison-like words, without 0.26's "syntax: " prefix, as test_lang_errors.py explains). In the
0.17 dialect the new forms get the error 0.17's parser gave where they begin.
"""

import os
import subprocess

import pytest

from conftest import TRACEKIT
from test_lang_errors import diag, run
from test_lang_errors import at as at_token

# One error per line: ID | DIALECT | PROGRAM | TOKEN[#N] | MESSAGE, the error underlining the
# N-th (default first) TOKEN of PROGRAM, or the column after its end for <eof>.
CASES = [line.split(" | ") for line in r"""
decl-root-var | 0.26 | let $x = 1; begin { } | let | root-level let statements need to be map declarations, e.g. let @a = hash(2);
decl-not-int | 0.26 | let @m = hash(x); begin { } | x | expected positive integer for map declaration max entries
decl-negative | 0.26 | let @m = hash(-1); begin { } | - | expected positive integer for map declaration max entries
decl-no-paren | 0.26 | let @m = hash(5 begin { } | begin | syntax error, unexpected identifier, expecting )
decl-no-eq | 0.26 | let @m hash(5); begin { } | hash | syntax error, unexpected call, expecting =
decl-no-type | 0.26 | let @m = (5); begin { } | ( | syntax error, unexpected (, expecting identifier
decl-0.17 | 0.17 | let @m = hash(5); BEGIN { } | @m | syntax error, unexpected map, expecting {
decl-var-0.17 | 0.17 | let $x = 1; BEGIN { } | $x | syntax error, unexpected variable, expecting {
config-unknown | 0.26 | config = { BAD_CONFIG=1 } begin { } | BAD_CONFIG=1 | BAD_CONFIG: not a known configuration option
config-not-number | 0.26 | config = { BPFTRACE_MAX_PROBES = "hello" } begin { } | BPFTRACE_MAX_PROBES = "hello" | BPFTRACE_MAX_PROBES: expecting a number, got hello
config-env-only | 0.26 | config = { kernel_build=1 } begin { } | kernel_build=1 | kernel_build: can only be set as an environment variable
config-missing-probes | 0.26 | config = { missing_probes = maybe } begin { } | missing_probes = maybe | missing_probes: Invalid value for missing_probes: valid values are ignore, warn, and error.
config-missing-probes-int | 0.26 | config = { missing_probes = 1 } begin { } | missing_probes = 1 | missing_probes: Invalid value for missing_probes: valid values are ignore, warn, and error.
config-bool | 0.26 | config = { print_maps_on_exit = maybe } begin { } | print_maps_on_exit = maybe | print_maps_on_exit: Invalid bool value: valid values are true, false, 1 or 0.
config-unstable | 0.26 | config = { unstable_tseries = maybe } begin { } | unstable_tseries = maybe | unstable_tseries: Invalid value for unstable config: valid values are enable, warn, and error.
config-cache | 0.26 | config = { cache_user_symbols = "ALL" } begin { } | cache_user_symbols = "ALL" | cache_user_symbols: Invalid value for cache_user_symbols: valid values are PER_PID, PER_PROGRAM, and NONE.
config-after-probe | 0.26 | begin { } config = { } | config | config must appear before probes and functions
config-after-decl | 0.26 | let @m = hash(2); config = { } begin { } | config | config must appear before probes and functions
config-duplicate | 0.26 | config = { } config = { } begin { } | config#2 | duplicate config block
config-no-semicolon | 0.26 | config = { a = 1 b = 2 } begin { } | b | syntax error, unexpected identifier, expecting ;
config-negative | 0.26 | config = { max_strlen = -1 } begin { } | - | syntax error, unexpected -
config-no-brace | 0.26 | config = max_strlen begin { } | max_strlen | syntax error, unexpected identifier, expecting {
config-unclosed | 0.26 | config = { max_strlen = 5; begin { } | {#2 | syntax error, unexpected {, expecting =
config-0.17 | 0.17 | config = { max_strlen = 5 } BEGIN { } | = | syntax error, unexpected =, expecting {
macro-recursive | 0.26 | macro a1($x) { $x + a3($x) } macro a2($x) { $x + a1($x) } macro a3($x) { $x + a2($x) } begin { $a = 1; print(a3($a)); } | a3($x) | Recursive macro call detected. Call chain: a3 > a2 > a1 > a3
macro-self | 0.26 | macro f(x) { f(x) } begin { @ = f(1); } | f(x)#2 | Recursive macro call detected. Call chain: f > f
macro-unhygienic | 0.26 | macro f() { @x = 1; 1 } begin { @x = 0; f(); } | @x | Unhygienic access to map: @x. Maps must be passed into the macro as arguments.
macro-map-got-var | 0.26 | macro f(@m) { 1 } begin { $a = 1; $b = f($a); } | f($a) | Mismatched arg. f() expects a map for arg @m but got a variable.
macro-var-got-expr | 0.26 | macro f($v) { $v } begin { $b = f(1 + 1); } | f(1 + 1) | Mismatched arg. f() expects a variable for arg $v but got an expression.
macro-var-got-map | 0.26 | macro f($v) { $v } begin { @m = 1; $b = f(@m); } | f(@m) | Mismatched arg. f() expects a variable for arg $v but got a map.
macro-arity | 0.26 | macro f(x) { x } begin { $b = f(1, 2); } | f(1, 2) | Call to f() has arguments that do not match any definition.
macro-bare-needs-args | 0.26 | macro f(x) { x } begin { $b = f; } | f#2 | Call to f() has arguments that do not match any definition.
macro-builtin-param | 0.26 | macro f(pid) { 1 } begin { } | pid | builtin 'pid' can't be used as a macro argument
macro-argn-param | 0.26 | macro f(arg0) { 1 } begin { } | arg0 | builtin 'arg0' can't be used as a macro argument
macro-no-value | 0.26 | macro f($x) { $x += 1; } begin { $a = 1; $z = f($a); } | f($a) | Macro 'f' expanded to a block instead of a block expression. Try removing the semicolon from the end of the last statement in the macro body.
macro-redefined | 0.26 | macro f(x) { 1 } macro f(y) { 2 } begin { } | macro f#2 | Redefinition of macro: f
macro-param-twice | 0.26 | macro f($x, $x) { 1 } begin { } | $x#2 | Variable for macro argument has already been used: $x
macro-let-shadows | 0.26 | macro f($x) { let $x; $x } begin { $y = 1; $z = f($y); } | let $x | Variable declaration shadows macro arg $x
macro-no-paren | 0.26 | macro f { 1 } begin { } | { | syntax error, unexpected {, expecting (
macro-bad-param | 0.26 | macro f(1) { 1 } begin { } | 1 | syntax error, unexpected integer, expecting variable, map or identifier
macro-0.17 | 0.17 | macro f(x) { x } BEGIN { } | f | syntax error, unexpected call, expecting {
macro-bad-0.17 | 0.17 | macro f { 1 } BEGIN { } | f | syntax error, unexpected identifier, expecting {
block-no-value | 0.26 | begin { $a = { 1; }; } | {#2 | this block has no value: its last expression ends with ';'
block-unclosed | 0.26 | begin { $a = { 1 ; } | <eof> | syntax error, unexpected end of file, expecting }
if-expr-no-else | 0.26 | begin { $a = if 1 { 2 }; } | if 1 { 2 } | an if expression needs an else branch
if-expr-no-block | 0.26 | begin { $a = if 1 2; } | 2 | syntax error, unexpected integer, expecting {
block-0.17 | 0.17 | BEGIN { $a = { 1 }; } | {#2 | syntax error, unexpected {
if-expr-0.17 | 0.17 | BEGIN { $a = if (1) { 1 } else { 2 }; } | if | syntax error, unexpected if
record-no-value | 0.26 | begin { @r = (a = , b = 2); } | , | syntax error, unexpected ,
record-mixed | 0.26 | begin { @r = (a = 1, 2); } | 2 | syntax error, unexpected integer, expecting identifier
record-0.17 | 0.17 | BEGIN { @r = (a = 1, b = 2); } | =#2 | syntax error, unexpected =, expecting )
cdef-after-probe | 0.26 | begin { } struct S { int a; }; | struct S { int a; } | C definitions must appear before probes and functions
cdef-unclosed | 0.26 | struct S { int a; begin { } | <eof> | syntax error, unexpected end of file, expecting }
cdef-0.17 | 0.17 | struct S { int a; }; BEGIN { } | S | syntax error, unexpected identifier, expecting {
import-after-probe | 0.26 | begin { } import "x.bt"; | import | root imports must appear before probes and functions
import-no-string | 0.26 | import x; begin { } | x | syntax error, unexpected identifier, expecting string
import-no-semicolon | 0.26 | import "x.bt" begin { } | begin | syntax error, unexpected identifier, expecting ;
import-c | 0.26 | import "x.h"; begin { } | import "x.h" | import "x.h": .h imports are not supported yet
import-0.17 | 0.17 | import "x.bt"; BEGIN { } | "x.bt" | syntax error, unexpected string, expecting {
""".strip().splitlines()]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[1]}-{c[0]}" for c in CASES])
def test_syntax26_error(case, no_leftovers):
    _, compat, prog, where, msg = case
    word, _, nth = where.partition("#")
    if word == "<eof>":
        want = diag(prog, len(prog) + 1, len(prog) + 2, msg)
    else:
        want = at_token(prog, word, msg, int(nth or 1))
    r = run(["-e", prog], compat=compat)
    # failed, quiet on stdout, and exactly the one diagnostic on stderr
    assert (r.returncode != 0, r.stdout, r.stderr) == (True, "", want)


def run_env(prog, **env):
    """tracekit -e PROG in the 0.26 dialect with these environment variables."""
    e = {k: v for k, v in os.environ.items() if k != "TRACEKIT_COMPAT" and not k.startswith("BPFTRACE_")}
    e.update(env)
    return subprocess.run([str(TRACEKIT), "-e", prog], env=e, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)


def test_config_env_bad_value(no_leftovers):
    """ref. 2.9: BPFTRACE_<KEY> is read for every current key; a bad value is an error
    without a location, the key in lower case as bpftrace's lookup writes it."""
    r = run_env("begin { }", BPFTRACE_MAX_MAP_KEYS="abc")
    assert r.returncode != 0
    assert r.stdout == ""
    assert r.stderr == "ERROR: max_map_keys: expecting a number, got abc\n"


def test_config_env_wins(no_leftovers):
    """ref. 2.9: the environment wins over the block; 0.17's names are ignored."""
    prog = "config = { missing_probes = error } tracepoint:sched:tk_nope { } begin { @a = 1; }"
    r = run_env(prog, BPFTRACE_MISSING_PROBES="ignore")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "\n\n@a: 1\n"
    r = run_env("begin { @a = 1; }", BPFTRACE_STRLEN="abc")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "\n\n@a: 1\n"


def test_config_renamed_key(no_leftovers):
    """ref. 2.3: 0.17's key names are accepted with a warning (a successful compile's
    warnings are on stdout in 0.26)."""
    prog = "config = { strlen = 10 } begin { }"
    r = run_env(prog)
    assert r.returncode == 0, r.stderr
    w = at_token(prog, "strlen = 10", "strlen has been renamed, please use max_strlen")
    assert r.stdout == w.replace(": ERROR: ", ": WARNING: ") + "\n\n"


def test_config_missing_probes_warn(no_leftovers):
    """ref. 1.4, 2.9: missing_probes = warn turns the missing probe's error into a warning
    and runs the rest (the message is the one the error would have been)."""
    prog = "config = { missing_probes = warn } tracepoint:sched:tk_nope { } begin { @a = 1; }"
    r = run_env(prog)
    assert r.returncode == 0, r.stderr
    w = at_token(prog, "tracepoint:sched:tk_nope", "tracepoint not found: sched:tk_nope")
    assert r.stdout == w.replace(": ERROR: ", ": WARNING: ") + "\n\n@a: 1\n"
    prog = prog.replace("warn", "error")
    r = run_env(prog)
    assert r.returncode != 0
    assert r.stderr == at_token(prog, "tracepoint:sched:tk_nope", "tracepoint not found: sched:tk_nope")


@pytest.mark.parametrize("prog,line,col,end,msg", [
    # ref. 2.1: preprocessor lines are C definitions: before the probes, after config
    ("begin { }\n#include <linux/types.h>", 2, 1, 25,
     "C definitions must appear before probes and functions"),
    ("#include <linux/types.h>\nconfig = { } begin { }", 2, 1, 7,
     "config must appear before probes and functions"),
], ids=["cpp-after-probe", "config-after-include"])
def test_preprocessor_line_order(prog, line, col, end, msg, no_leftovers):
    r = run(["-e", prog], compat="0.26")
    assert (r.returncode != 0, r.stdout, r.stderr) == (True, "", diag(prog, col, end, msg, line=line))
