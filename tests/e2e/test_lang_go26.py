"""The trace language's bpftrace 0.26 additions on Go (and C) programs, in 0.26's dialect:

- uprobes at a source line, `uprobe:BIN@FILE:LINE[:COL]` (bpftrace-0.26.md §1.4, §2.2): the
  site is the lowest address the DWARF line table flags is_stmt for that line. Lines are
  found in the target's source by their `tk:NAME` comment and addresses in `readelf
  --debug-dump=decodedline`, both at test time; a line whose code starts in a Go stack check
  (the `func` line) is the function's Go-safe entry, where `args` work;
- the errors of the source-line form, one line each.

Every number is exact: tests/targets/gotypes and cprog make a known number of calls.
Private copies of the targets keep other tests' processes out of our probes.
"""

import re
import shutil
import subprocess

import pytest

from conftest import GO_VERSIONS, ROOT, TRACEKIT, collect, go_target, spawn, target

pytestmark = pytest.mark.usefixtures("no_leftovers")

GOTYPES_SRC = ROOT / "tests" / "targets" / "gotypes" / "main.go"
CPROG_SRC = ROOT / "tests" / "targets" / "cprog.c"


def src_line(path, marker):
    """The 1-based number of the line of path that contains marker (exactly one)."""
    hits = [i + 1 for i, l in enumerate(path.read_text().splitlines()) if marker in l]
    assert len(hits) == 1, (marker, hits)
    return hits[0]


def stmt_addr(binary, file, line):
    """The lowest is_stmt address readelf gives for file:line (file as a base name)."""
    out = subprocess.run(["readelf", "--debug-dump=decodedline", str(binary)],
                         capture_output=True, text=True, check=True).stdout
    row = re.compile(r"^(\S+)\s+(\d+)\s+(0x[0-9a-f]+)\s.*\bx\s*$")
    addrs = [int(m.group(3), 16) for m in map(row.match, out.splitlines())
             if m and m.group(1) == file and int(m.group(2)) == line]
    assert addrs, f"readelf has no statement for {file}:{line}"
    return min(addrs)


def private(tmp_path, rel):
    dst = tmp_path / rel.replace("/", "-")
    shutil.copy2(target(rel), dst)
    return dst


def trace_run(prog, cmd, timeout=60):
    """tracekit -e prog -c cmd in the 0.26 dialect, to the end: (rc, stdout, stderr)."""
    return collect(spawn([TRACEKIT, "-e", prog, "-c", cmd]), timeout)


def trace_gotypes(tmp_path, version, probes, n):
    """probes(gt) traced over `gotypes -n n` (a private copy of version's build): the
    output lines but its own, sorted, and the whole output for messages."""
    gt = private(tmp_path, f"{version}/gotypes" if version else "gotypes")
    rc, out, err = trace_run(" ".join(probes(gt)), f"{gt} -n {n}")
    assert rc == 0 and f"calls={n} " in out, out + err
    return gt, sorted(l for l in out.splitlines() if l and not l.startswith("calls=")), out + err


@pytest.mark.parametrize("version", ["", *GO_VERSIONS])
def test_source_line_go(tmp_path, version):
    """A body line fires once per call at readelf's address; the `func` line is the
    function's entry (once per call, `args` readable); a loop body line once per pass."""
    body = src_line(GOTYPES_SRC, "tk:greet-body")
    func = src_line(GOTYPES_SRC, "tk:greet-func")
    loop = src_line(GOTYPES_SRC, "tk:sum-loop")
    gt, lines, out = trace_gotypes(tmp_path, version, lambda gt: [
        f'uprobe:{gt}@main.go:{body} {{ @body[func, probe, reg("ip") == '
        f'{stmt_addr(gt, "main.go", body)}] = count(); }}',
        f"uprobe:{gt}@gotypes/main.go:{func} {{ @entry[func, args.name, args.times] = count(); }}",
        f"uprobe:{gt}@main.go:{loop} {{ @loop = count(); }}",
    ], 3)
    # Sum(xs[:4]) + Sum(xs): 4 + 20 passes per call
    assert lines == [
        f"@body[main.Greet, uprobe:{gt}@main.go:{body}, true]: 3",
        "@entry[main.Greet, ab, 3]: 3",
        "@loop: 72",
    ], out


@pytest.mark.parametrize("binary", ["cprog-gcc", "cprog-clang", "cprog-gcc-pie"])
def test_source_line_c(tmp_path, binary):
    """C: the line's statement address (readelf's), once per call; `func` names the function,
    also with a column; a PIE's site is the same link-time address."""
    cp = private(tmp_path, binary)
    line = src_line(CPROG_SRC, "return a + b;")
    col = CPROG_SRC.read_text().splitlines()[line - 1].index("return") + 1
    want = stmt_addr(cp, "cprog.c", line)
    ip = '(reg("ip") & 0xfff)' if binary.endswith("-pie") else 'reg("ip")'
    want = want & 0xFFF if binary.endswith("-pie") else want
    prog = f"uprobe:{cp}@cprog.c:{line} {{ @[func, {ip} == {want}] = count(); }} "
    # gcc's row for the line starts at `return`; clang's at the `+`
    prog += f"uprobe:{cp}@cprog.c:{line}:{col if 'gcc' in binary else col + 9} {{ @col = count(); }}"
    rc, out, err = trace_run(prog, f"{cp} 7")
    assert rc == 0, err
    assert "calls=7 " in out, out
    body = sorted(l for l in out.splitlines() if l.startswith("@"))
    assert body == ["@[tk_add, true]: 7", "@col: 7"], out + err


def tracekit_error(prog):
    r = subprocess.run([TRACEKIT, "-e", prog], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stdout + r.stderr
    return r.stderr.splitlines()[0]


def test_source_line_errors(tmp_path):
    gt = private(tmp_path, "gotypes")
    stripped = private(tmp_path, "gotypes-stripped")
    blank = next(i + 1 for i, l in enumerate(GOTYPES_SRC.read_text().splitlines())
                 if i > 10 and not l.strip())
    body = src_line(GOTYPES_SRC, "tk:greet-body")
    cases = [
        (f"uprobe:{stripped}@main.go:{body}",
         f"No DWARF debug info found for '{stripped}', cannot attach by source code location."),
        (f"uprobe:{gt}@main.go:{blank}", f"No code at main.go:{blank} in '{gt}'"),
        (f"uprobe:{gt}@nosuch.go:{body}", f"No source file 'nosuch.go' in the debug info of '{gt}'"),
        (f"uprobe:{tmp_path}/gotype?@main.go:{body}", "Cannot use wildcards with source code location"),
        (f"uprobe:{gt}@main.go:{body}:1", f"No code at main.go:{body}:1 in '{gt}'"),
        (f"uprobe:{gt}@main.go:x", "Invalid line number: x"),
        (f"uretprobe:{gt}@main.go:{body}",
         "uretprobes can not be attached to a source code location"),
    ]
    for point, msg in cases:
        line = tracekit_error(point + " { }")
        assert re.fullmatch(r"stdin:1:1-\d+: ERROR: " + re.escape(msg), line), (point, line)


@pytest.mark.parametrize("version", ["", *GO_VERSIONS])
def test_go_results_by_name(tmp_path, version):
    """In a Go uretprobe (RET probes), results are `args.NAME` as DWARF names them (`~rN`
    as `rN`), read from the RET's registers in ABI order, next to the parameters the entry
    saw: strings (two registers), a slice's words as members, an error as text, a bool
    result after a float one (the float takes X0, the bool RAX)."""
    _, lines, out = trace_gotypes(tmp_path, version, lambda gt: [
        f"uretprobe:{gt}:main.Greet {{ @g[args.name, args.r0, args.r1] = count(); }}",
        f"uretprobe:{gt}:main.Sum {{ @s[args.xs.len, args.total] = count(); }}",
        f"uretprobe:{gt}:main.Div {{ @d[args.a, args.b, args.q, args.r, args.err] = count(); }}",
        f"uretprobe:{gt}:main.Scale {{ @f[args.k, args.r1] = count(); }}",
    ], 3)
    assert lines == [
        "@d[1, 0, 0, 0, *errors.errorString: divide by zero]: 3",
        "@d[17, 5, 3, 2, <nil>]: 3",
        "@f[4, 1]: 3",
        "@g[ab, ababab, 6]: 3",
        "@s[20, 210]: 3",
        "@s[4, 10]: 3",
    ], out


def test_go_results_errors(tmp_path):
    """A float result lives in X0, which a uprobe cannot read; results exist only at return."""
    gt = private(tmp_path, "gotypes")
    line = tracekit_error(f"uretprobe:{gt}:main.Scale {{ print(args.r0); }}")
    assert line.endswith("ERROR: parameter 'r0' is not passed in registers"), line
    line = tracekit_error(f"uprobe:{gt}:main.Sum {{ print(args.total); }}")
    assert line.endswith("ERROR: Can't find a parameter named 'total'"), line


@pytest.mark.parametrize("version", ["", *GO_VERSIONS])
def test_go_errors_as_text(tmp_path, version):
    """An `error` (parameter or result) prints its dynamic type, found by the hash its itab
    holds among the binary's types with an Error method (DWARF), and for errors.New's and
    fmt.Errorf's types their message; nil is <nil>."""
    _, lines, out = trace_gotypes(tmp_path, version, lambda gt: [
        f"uprobe:{gt}:main.Wrap {{ @w[args.err] = count(); }}",
        f"uretprobe:{gt}:main.Wrap {{ @wr[args.err, args.r0] = count(); }}",
        f'uretprobe:{gt}:main.Check {{ printf("%d %s\\n", args.n, args.r0); }}',
    ], 2)
    assert lines == sorted([
        "5 <nil>", "-1 *errors.errorString: negative", "250 *main.codeErr",
    ] * 2 + [
        "@w[*errors.errorString: negative]: 2",
        "@wr[*errors.errorString: negative, *fmt.wrapError: wrap: negative]: 2",
    ]), out


@pytest.mark.parametrize("go", [None, *GO_VERSIONS])
def test_gretval_is_the_tuple_of_results(tmp_path, go):
    """gretval: all of a Go function's results at its RET (retval stays RAX)."""
    gt = go_target(go, "gotypes") if go else private(tmp_path, "gotypes")
    prog = (f"uretprobe:{gt}:main.Div {{ print(gretval); print(retval); }} "
            f"uretprobe:{gt}:main.Greet {{ print(gretval); }}")
    rc, out, err = trace_run(prog, f"{gt} -n 1")
    assert rc == 0, err
    # the child's own line comes where its output happens to land
    assert [l for l in out.splitlines() if not l.startswith("calls=")][:5] == [
        "(ababab, 6)", "(3, 2, <nil>)", "3", "(0, 0, *errors.errorString: divide by zero)",
        "0"]


def test_gretval_errors(tmp_path):
    gt = private(tmp_path, "gotypes")
    cprog = private(tmp_path, "cprog-gcc")
    line = tracekit_error(f"uretprobe:{cprog}:tk_add {{ print(gretval); }}")
    assert line.endswith("ERROR: gretval needs a uretprobe on a Go function (use retval elsewhere)"), line
    line = tracekit_error(f"uprobe:{gt}:main.Div {{ print(gretval); }}")
    assert line.endswith("ERROR: The gretval builtin can not be used with 'uprobe' probes"), line
    # a float result is in X0: the tuple cannot hold it
    line = tracekit_error(f"uretprobe:{gt}:main.Scale {{ print(gretval); }}")
    assert line.endswith("ERROR: parameter 'r0' is not passed in registers"), line


@pytest.mark.parametrize("go", [None, *GO_VERSIONS])
def test_go_slices_by_name(tmp_path, go):
    """A slice of integers prints its elements (the first 16, then ",..."), on every Go."""
    gt = go_target(go, "gotypes") if go else private(tmp_path, "gotypes")
    prog = (f"uprobe:{gt}:main.Sum {{ print(args.xs); }} "
            f"uprobe:{gt}:main.Narrow {{ print((args.b, args.r, args.ok)); }}")
    rc, out, err = trace_run(prog, f"{gt} -n 1")
    assert rc == 0, err
    assert [l for l in out.splitlines() if not l.startswith("calls=")][:3] == [
        "[1,2,3,4]", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,...]",
        "([104,105,33], [-70000,1,2], [true,false])"]
