"""Wrong uses of the builtins and map functions that bpftrace 0.18-0.26 added or changed
(has_key, len, delete(@m, k), print(@m[k]), strlen, strstr, bswap, sargN, the modes of pid, tid
and nsecs): each gives its exact diagnostic in the 0.26 dialect (TRACEKIT_COMPAT unset), in
the shape test_lang_errors.py checks. Texts from ../shared/reference/bpftrace-0.26.md (2.5,
2.6, 2.10) where it has one; "ours" where it has none. The 0.17 dialect does not know the
new names.
"""

import os
import subprocess

import pytest

from conftest import TRACEKIT, require_file
from test_lang_errors import CPROG, diag, run


def run26(args, timeout=30):
    """tracekit ARGS in its default dialect, 0.26's: TRACEKIT_COMPAT unset."""
    require_file(TRACEKIT, "run `make`")
    env = {k: v for k, v in os.environ.items() if k != "TRACEKIT_COMPAT"}
    return subprocess.run([str(TRACEKIT), *args], env=env, capture_output=True, text=True,
                          errors="backslashreplace", timeout=timeout, stdin=subprocess.DEVNULL)


def at(prog, word, msg, nth=0):
    """The error under the nth occurrence of word in prog."""
    col = -1
    for _ in range(nth + 1):
        col = prog.index(word, col + 1)
    return diag(prog, col + 1, col + 1 + len(word), msg)


SARG_HINT = 'HINT: Use *(reg("sp") + <stack_offset>) instead.\n'
NSECS_MODES = "boot, monotonic, tai or sw_tai"
SARG_MSG = "sarg* is deleted. This was deprecated in v0.21 and was last available in v0.24."

# (id, program, expected stderr); ids starting with 0.17- run in that dialect
CASES = [
    # ref. 2.5: has_key and len reject scalar maps
    ("has_key-scalar", "begin { @s = 1; $x = has_key(@s, 1); }",
     lambda p: at(p, "@s", "call to has_key() expects a map with explicit keys (non-scalar map)", 1)),
    ("has_key-scalar-hist", "begin { @h = hist(1); $x = has_key(@h, 1); }",
     lambda p: at(p, "@h", "call to has_key() expects a map with explicit keys (non-scalar map)", 1)),
    ("has_key-one-arg", "begin { @m[1] = 1; $x = has_key(@m); }",  # ours
     lambda p: at(p, "has_key(@m)", "has_key() requires 2 arguments (1 provided)")),
    ("has_key-three-args", "begin { @m[1] = 1; $x = has_key(@m, 1, 2); }",  # ours
     lambda p: at(p, "has_key(@m, 1, 2)", "has_key() requires 2 arguments (3 provided)")),
    # ref. 2.10: "foo() expects a map argument"
    ("has_key-not-map", "begin { $x = has_key(1, 2); }",
     lambda p: at(p, "1", "has_key() expects a map argument")),
    ("has_key-map-element", "begin { @m[1] = 1; $x = has_key(@m[1], 2); }",
     lambda p: at(p, "@m[1]", "has_key() expects a map argument", 1)),
    # ref. 2.5: a map never written
    ("has_key-undefined", "begin { $x = has_key(@nope, 1); }",
     lambda p: at(p, "@nope", "Undefined map: @nope")),
    ("len-scalar", "begin { @s = 1; $x = len(@s); }",
     lambda p: at(p, "@s", "call to len() expects a map with explicit keys (non-scalar map)", 1)),
    ("len-undefined", "begin { $x = len(@nope); }",  # ref. 2.5: a map never written
     lambda p: at(p, "@nope", "Undefined map: @nope")),
    ("len-integer", "begin { $x = len(1); }",  # ours
     lambda p: at(p, "len(1)", "len() expects a map or a stack (ustack, kstack)")),
    # ref. 2.5: delete(@m) on a keyed map is an error; two arguments need a keyed map
    ("delete-keyed-no-key", "begin { @m[1] = 1; delete(@m); }",
     lambda p: at(p, "@m", "call to delete() expects a map without explicit keys (scalar map)", 1)),
    ("delete-scalar-with-key", "begin { @s = 1; delete(@s, 1); }",
     lambda p: at(p, "@s", "call to delete() with two arguments expects a map with explicit keys "
                  "(non-scalar map)", 1)),
    ("delete-not-map", "begin { delete(1); }",  # ours
     lambda p: at(p, "delete(1)", "delete() expects a map element as its only argument")),
    # ref. 2.6: one key of a histogram cannot be printed
    ("print-hist-key", "begin { @h[1] = hist(5); print(@h[1]); }",
     lambda p: at(p, "@h[1]", "Map type hist_t cannot print the value of individual keys. "
                  "You must print the whole map.", 1)),
    ("print-lhist-key", "begin { @l[1] = lhist(1, 0, 10, 1); print(@l[1]); }",
     lambda p: at(p, "@l[1]", "Map type lhist_t cannot print the value of individual keys. "
                  "You must print the whole map.", 1)),
    # ref. 1.5, 2.10: sargN are gone, wherever they are used, with a hint
    ("sarg-begin", "begin { $x = sarg0; }",
     lambda p: at(p, "sarg0", SARG_MSG) + SARG_HINT),
    ("sarg-uprobe", f"uprobe:{CPROG}:main {{ @x = sarg2; }}",
     lambda p: at(p, "sarg2", SARG_MSG) + SARG_HINT),
    # ref. 2.10: "foo() requires one argument (0 provided)", "sum() only supports integer
    # arguments (bool provided)"; bpftrace 0.17's words for strcontains() and bswap()
    ("strlen-no-arg", "begin { $x = strlen(); }",
     lambda p: at(p, "strlen()", "strlen() requires one argument (0 provided)")),
    ("strlen-integer", "begin { $x = strlen(1); }",
     lambda p: at(p, "strlen(1)", "strlen() only supports string arguments (integer provided)")),
    ("strstr-one-arg", 'begin { $x = strstr("a"); }',
     lambda p: at(p, 'strstr("a")', "strstr() requires 2 arguments (1 provided)")),
    ("strstr-integer-haystack", 'begin { $x = strstr(1, "a"); }',
     lambda p: at(p, 'strstr(1, "a")', "strstr() only supports string arguments (integer provided)")),
    ("strstr-integer-needle", 'begin { $x = strstr("a", 1); }',
     lambda p: at(p, 'strstr("a", 1)', "strstr() only supports string arguments (integer provided)")),
    ("bswap-no-arg", "begin { $x = bswap(); }",
     lambda p: at(p, "bswap()", "bswap() requires one argument (0 provided)")),
    ("bswap-two-args", "begin { $x = bswap(1, 2); }",
     lambda p: at(p, "bswap(1, 2)", "bswap() requires one argument (2 provided)")),
    ("bswap-string", 'begin { $x = bswap("x"); }',
     lambda p: at(p, 'bswap("x")', "bswap() only supports integer arguments (string provided)")),
    ("strcontains-one-arg", 'begin { $x = strcontains("a"); }',
     lambda p: at(p, 'strcontains("a")', "strcontains() requires 2 arguments (1 provided)")),
    # ref. 2.11: pid([curr_ns|init]), nsecs([boot|monotonic|tai|sw_tai]); the texts are ours
    ("pid-bad-mode", "begin { $x = pid(foo); }",
     lambda p: at(p, "pid(foo)", "pid() expects curr_ns or init as its only argument")),
    ("tid-two-modes", "begin { $x = tid(init, init); }",
     lambda p: at(p, "tid(init, init)", "tid() expects curr_ns or init as its only argument")),
    ("nsecs-bad-mode", 'begin { $x = nsecs("boot"); }',
     lambda p: at(p, 'nsecs("boot")', f"nsecs() expects {NSECS_MODES} as its only argument")),
    # ref. 1.5: only the argument-less form of the other builtins is a call
    ("cpu-with-argument", "begin { $x = cpu(1); }",
     lambda p: at(p, "cpu", "Unknown function: cpu")),
    # The 0.17 dialect stays what it was: the new names are unknown, sargN still compile.
    ("0.17-ncpus", "BEGIN { $x = ncpus; }",
     lambda p: at(p, "ncpus", "Unknown identifier: 'ncpus'")),
    ("0.17-delete-two-args", "BEGIN { @m[1] = 1; delete(@m, 1); }",
     lambda p: at(p, "delete(@m, 1)", "delete() expects a map element as its only argument")),
    # bpftrace 0.17 checked: the same words as it
    ("0.17-strcontains-integer", 'BEGIN { $x = strcontains(1, "a"); }',
     lambda p: at(p, 'strcontains(1, "a")',
                  "strcontains() only supports string arguments (integer provided)")),
    ("0.17-bswap-string", 'BEGIN { $x = bswap("a"); }',
     lambda p: at(p, 'bswap("a")', "bswap() only supports integer arguments (string provided)")),
    ("0.17-bswap-no-arg", "BEGIN { $x = bswap(); }",
     lambda p: at(p, "bswap()", "bswap() requires one argument (0 provided)")),
    ("0.17-sarg-begin", "BEGIN { $x = sarg0; }",
     lambda p: at(p, "sarg0", "The sarg0 builtin can not be used with 'BEGIN' probes")),
]

# The 0.17 dialect: calls of the new functions, of builtins with () and with modes are unknown.
CASES += [(f"0.17-{call[:call.index('(')]}", f"BEGIN {{ @m[1] = 1; $x = {call}; }}",
           lambda p, f=call[:call.index("(")]: at(p, f, f"Unknown function: {f}"))
          for call in ("has_key(@m, 1)", "comm()", 'strlen("a")', "pid(init)")]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_error(case, no_leftovers):
    """A one-line error with its excerpt on stderr, nothing on stdout, a non-zero exit."""
    name, prog, expect = case
    r = (run if name.startswith("0.17-") else run26)(["-e", prog])
    assert (r.returncode != 0, r.stdout, r.stderr) == (True, "", expect(prog))
