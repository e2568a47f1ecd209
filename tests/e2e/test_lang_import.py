"""Root imports, `import "file.bt";` (bpftrace 0.24, stable in 0.26; ../shared/reference/
bpftrace-0.26.md 1.1 "Root imports" and 2.1 "Imports"): the file's probes, macros, map
declarations and C definitions are merged into the program, imported probes first (begin
order); a name is relative to the importing file's directory, then to the script's (the
current directory for -e); a directory imports its .bt files in name order; each file is
imported once. Errors in an imported file carry its name and lines. The error texts are
bpftrace 0.26's (src/ast/passes/resolve_imports.cpp) except the refusal of .h/.bpf.c
imports (ours: they need clang). Each test writes its files under pytest's tmp_path (0700).
"""

import os
import subprocess

import pytest

from conftest import TRACEKIT, require_file


def run(args, cwd=None, compat="0.26"):
    require_file(TRACEKIT, "run `make`")
    env = {k: v for k, v in os.environ.items() if k != "TRACEKIT_COMPAT"}
    env["TRACEKIT_COMPAT"] = compat
    return subprocess.run([str(TRACEKIT), "-q", *map(str, args)], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def err(file, line, col, end, msg, src):
    return f"{file}:{line}:{col}-{end}: ERROR: {msg}\n{src}\n{' ' * (col - 1)}{'~' * (end - col)}\n"


LIB = """struct point { int x; int y; };
let @hits = hash(4);
macro twice(x) { x * 2 }
begin { printf("lib begin\\n"); @hits[1] = 1; }
"""


# A program's output ends with two blank lines (the maps' printing at exit, ref. 2.7).


def test_import_merges_everything(tmp_path, no_leftovers):
    """Macros, map declarations, C definitions and probes of the imported file; its begin
    probe runs before the importer's."""
    write(tmp_path / "lib.bt", LIB)
    main = write(tmp_path / "main.bt", 'import "lib.bt";\n'
                 'begin { printf("main %d %d\\n", twice(21), sizeof(struct point)); '
                 'print(@hits); clear(@hits); exit(); }\n')
    r = run([main])
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    assert r.stdout == "lib begin\nmain 42 8\n@hits[1]: 1\n\n\n"


def test_import_relative_to_script_dir(tmp_path, no_leftovers):
    """The script's directory, not the current one; -e: the current directory."""
    write(tmp_path / "d" / "lib.bt", LIB)
    main = write(tmp_path / "d" / "main.bt",
                 'import "lib.bt";\nbegin { printf("%d\\n", twice(2)); clear(@hits); exit(); }\n')
    r = run([main], cwd="/")
    assert (r.returncode, r.stdout, r.stderr) == (0, "lib begin\n4\n\n\n", "")
    r = run(["-e", 'import "lib.bt"; begin { printf("%d\\n", twice(3)); clear(@hits); exit(); }'],
            cwd=tmp_path / "d")
    assert (r.returncode, r.stdout, r.stderr) == (0, "lib begin\n6\n\n\n", "")


def test_import_directory_in_name_order(tmp_path, no_leftovers):
    """All .bt files of the directory, in name order; other files and subdirectories are
    skipped."""
    d = tmp_path / "inc"
    write(d / "b.bt", 'begin { printf("b\\n"); }\n')
    write(d / "a.bt", 'begin { printf("a\\n"); }\n')
    write(d / "notes.txt", "not a program\n")
    write(d / "sub" / "c.bt", 'begin { printf("c\\n"); }\n')
    main = write(tmp_path / "main.bt", 'import "inc";\nbegin { printf("main\\n"); exit(); }\n')
    r = run([main])
    assert (r.returncode, r.stdout, r.stderr) == (0, "a\nb\nmain\n\n\n", "")


def test_import_once_cycles_and_nested(tmp_path, no_leftovers):
    """A cycle, a repeated name and the script importing itself are harmless; a nested
    import is relative to its own file's directory; an imported file's imports come
    before it."""
    write(tmp_path / "lib" / "a.bt", 'import "b.bt";\nbegin { printf("a\\n"); }\n')
    write(tmp_path / "lib" / "b.bt", 'import "a.bt";\nimport "../main.bt";\n'
          'begin { printf("b\\n"); }\n')
    main = write(tmp_path / "main.bt", 'import "lib/a.bt";\nimport "lib/a.bt";\n'
                 'import "lib/b.bt";\nbegin { printf("main\\n"); exit(); }\n')
    r = run([main])
    assert (r.returncode, r.stdout, r.stderr) == (0, "b\na\nmain\n\n\n", "")


def test_import_only_probes_elsewhere(tmp_path, no_leftovers):
    """A script may leave all its probes to what it imports."""
    write(tmp_path / "p.bt", 'begin { printf("p\\n"); exit(); }\n')
    main = write(tmp_path / "main.bt", 'import "p.bt";\n')
    r = run([main])
    assert (r.returncode, r.stdout, r.stderr) == (0, "p\n\n\n", "")
    write(tmp_path / "m.bt", "macro one() { 1 }\n")
    main = write(tmp_path / "main2.bt", 'import "m.bt";\n')
    r = run([main])
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == err(main, 1, 1, 2, "no probes in program", 'import "m.bt";')


def test_import_error_locations(tmp_path, no_leftovers):
    """An error in an imported file names that file (as the import wrote it) and its line,
    with its source line: from analysis and from the parser."""
    write(tmp_path / "lib.bt", '// helpers\nmacro f(x) { x + $nope }\n')
    main = write(tmp_path / "main.bt", 'import "lib.bt";\nbegin { print(f(1)); }\n')
    r = run([main])
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith(err("lib.bt", 2, 18, 23, "Undefined or undeclared variable: $nope",
                                   "macro f(x) { x + $nope }")), r.stderr
    write(tmp_path / "bad.bt", "\n\nbegin { @x = ; }\n")
    main = write(tmp_path / "main2.bt", 'import "bad.bt";\nbegin { }\n')
    r = run([main])
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == err("bad.bt", 3, 14, 15, "syntax error, unexpected ;", "begin { @x = ; }")


def test_import_errors(tmp_path, no_leftovers):
    """Missing, config inside, unknown kind, C imports (not supported yet), a directory
    others may write: one error each at the import, a non-zero exit."""
    cases = [
        ('import "nope.bt";', None, "Unable to find suitable path for import",
         f"HINT: checked: {tmp_path}/nope.bt\n"),
        ('import "cfg.bt";', ("cfg.bt", "config = { max_strlen = 8 }\nbegin { }\n"), None, None),
        ('import "x.txt";', ("x.txt", "\n"), 'unknown import type: "x.txt"', ""),
        ('import "t.h";', ("t.h", "struct t { int a; };\n"),
         'import "t.h": .h imports are not supported yet', ""),
        ('import "c.bpf.c";', None, 'import "c.bpf.c": .bpf.c imports are not supported yet', ""),
    ]
    for imp, extra, msg, tail in cases:
        if extra:
            write(tmp_path / extra[0], extra[1])
        main = write(tmp_path / "main.bt", imp + "\nbegin { }\n")
        r = run([main])
        assert (r.returncode, r.stdout) == (1, ""), imp
        if msg is None:
            want = err("cfg.bt", 1, 1, 7, "invalid `config` within import",
                       "config = { max_strlen = 8 }")
            assert r.stderr == want
        else:
            assert r.stderr == err(main, 1, 1, len(imp), msg, imp) + tail, imp
    d = tmp_path / "open"
    write(d / "w.bt", "begin { }\n")
    os.chmod(d, 0o777)
    main = write(tmp_path / "main.bt", 'import "open/w.bt";\nbegin { }\n')
    r = run([main])
    msg = f'cowardly refusing to import from a directory with global write permissions: "{d}/w.bt"'
    assert (r.returncode, r.stdout, r.stderr) == (1, "", err(main, 1, 1, 19, msg,
                                                              'import "open/w.bt";'))


def test_import_017_unchanged(tmp_path, no_leftovers):
    """0.17 has no imports: its parser's error, the file is not read."""
    r = run(["-e", 'import "x.bt"; BEGIN { }'], compat="0.17", cwd=tmp_path)
    assert r.returncode == 1
    assert "syntax error, unexpected string, expecting {" in r.stderr
