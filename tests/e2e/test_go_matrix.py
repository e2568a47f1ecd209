"""The Go properties of tracekit on every toolchain of the version matrix (GO_VERSIONS:
tests/targets/bin/go1.N/, see tests/targets/README.md); the default build in bin/ has the
same checks, one by one, in test_functools.py, test_lang_go.py and test_readers.py.

Per version, each test checks one property on that toolchain's binaries:
- runtime.g offsets: the version table (goid, g.stack.hi) equals the binary's DWARF, and the
  probes use it; outside the table (a patched buildinfo version) they use DWARF's;
- stripped binaries (the pclntab, whose textStart Go 1.26 zeroes): `-l` lists the same
  functions as with symbols, and funccount counts exactly, PIE or not;
- entry probes through morestack: funccount counts gostress's grow and big calls exactly;
- RET pairing: funclatency sees every call of gostress mix return (count == calls), and the
  target exits 0;
- goroutine ids: the language's `goid` is the id the Go runtime reports for each goroutine,
  at entry and at the (RET-probe) return;
- arguments by DWARF name (args.args.A) and by ABI position (garg3, garg4, also stripped),
  and at return (*args.reply, retval);
- uretprobe safety: language uretprobes on functions whose stack grows and is copied, the
  target survives and every return is paired;
- Go stacks: funcslower -U shows reflect.Value.call under the slow method, PIE stripped too.

Every number is exact: the workloads make a known number of calls with known arguments.
"""

import re
import shutil
import subprocess

import pytest

from conftest import (count_rows, BPFTRACE_NOTIFY, GO_VERSIONS, TRACEKIT, collect, go_target, run_tracer,
                      spawn, start_rpc_service, wait_line)

pytestmark = pytest.mark.usefixtures("no_leftovers")

SYMDUMP = TRACEKIT.parent / "tests" / "symdump"  # built by `make unit`
VERSIONS = pytest.mark.parametrize("version", GO_VERSIONS)


def test_matrix_is_defined():
    """GO_MATRIX of tests/targets/Makefile is where the parametrization comes from."""
    assert len(GO_VERSIONS) >= 3 and all(re.fullmatch(r"go1\.\d+", v) for v in GO_VERSIONS)


def run_target(argv, timeout=120):
    """Run a target to completion; return its stdout (fails the test on rc != 0)."""
    p = spawn([str(a) for a in argv])
    rc, out, err = collect(p, timeout)
    assert rc == 0, f"{argv} failed rc={rc}\n{out}\n{err}"
    return out


def calls_of(out):
    return int(re.search(r"^calls=(\d+)$", out, re.M).group(1))




def lang(prog, pid=None):
    """tracekit [-p PID] -e prog, once its probes are attached."""
    args = (["-p", pid] if pid else []) + ["-e", prog]
    return run_tracer(args, ready_regex=BPFTRACE_NOTIFY, env={BPFTRACE_NOTIFY: "1"})


def maps(out):
    """{'@name[key]': value} of the maps printed at exit."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(@\S*): (-?\d+)$", out, re.M)}


def symdump_g(binary):
    """symdump -g as {key: value}: version, goid_off(table|dwarf|used), stack_hi_off(...)."""
    r = subprocess.run([str(SYMDUMP), "-g", str(binary)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return dict(line.split(" ", 1) for line in r.stdout.splitlines())


# ---- runtime.g offsets -------------------------------------------------------------------

@pytest.mark.parametrize("version", ["", *GO_VERSIONS], ids=["default", *GO_VERSIONS])
@pytest.mark.parametrize("name", ["rpcserver", "gostress"])
def test_g_offsets_table_agrees_with_dwarf(version, name):
    g = symdump_g(go_target(version, name))
    if version:  # the directory is the toolchain's Go 1.N
        assert re.match(rf"{re.escape(version)}(\.|$|rc|beta)", g["version"]), g
    assert g["goid_off(table)"] == g["goid_off(dwarf)"], g
    assert g["stack_hi_off(table)"] == g["stack_hi_off(dwarf)"] == "0x8", g
    assert g["goid_off(used)"] == g["goid_off(table)"], g
    s = symdump_g(go_target(version, f"{name}-stripped"))
    assert "goid_off(dwarf)" not in s, s
    assert s["version"] == g["version"] and s["goid_off(used)"] == g["goid_off(table)"], s


def with_version(src, dst, new):
    """Copy the Go binary src to dst with its buildinfo version replaced by `new`, a string
    of the same length (the length is a varint before it); returns the old version."""
    data = bytearray(src.read_bytes())
    at = data.index(b"\xff Go buildinf:")
    old = symdump_g(src)["version"].encode()
    assert len(new) == len(old), (old, new)
    i = data.index(old, at, at + 64)
    data[i:i + len(old)] = new.encode()
    dst.write_bytes(bytes(data))
    dst.chmod(0o755)
    return old.decode()


def outside_table_binary(tmp_path, name):
    """A matrix build whose goid is not where the table guesses for an unknown newer Go
    (0xa0: Go 1.23-1.24), relabelled go1.99.x: only its DWARF knows the layout."""
    for v in GO_VERSIONS:
        src = go_target(v, name)
        if symdump_g(src)["goid_off(table)"] == "0xa0":
            dst = tmp_path / name
            old = with_version(src, dst, "go1.99" + symdump_g(src)["version"][6:])
            return dst, old
    pytest.fail(f"no Go of the matrix {GO_VERSIONS} has goid at 0xa0 (Go 1.23-1.24): the "
                "DWARF path cannot be told apart from the table's guess")


def test_g_offsets_outside_the_table_come_from_dwarf(tmp_path):
    binary, old = outside_table_binary(tmp_path, "gostress")
    g = symdump_g(binary)
    assert g["version"].startswith("go1.99.") and g["goid_off(table)"] == "none", g
    assert g["goid_off(dwarf)"] == g["goid_off(used)"] == "0xa0", g
    # and the probes read it there: goroutine ids are the runtime's (see goid_check)
    goid_check(binary)


# ---- stripped binaries: the pclntab ------------------------------------------------------

def listed(binary, glob):
    r = subprocess.run([str(TRACEKIT), "-l", f"uprobe:{binary}:{glob}"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    prefix = f"uprobe:{binary}:"
    assert r.stdout and all(l.startswith(prefix) for l in r.stdout.splitlines()), r.stdout
    return sorted(l[len(prefix):] for l in r.stdout.splitlines())


@VERSIONS
@pytest.mark.parametrize("name", ["rpcserver", "rpcserver-pie", "gostress"])
def test_list_stripped_equals_unstripped(version, name):
    """Go 1.26 writes 0 for the pclntab's textStart: entries are based on .text's address."""
    full = listed(go_target(version, name), "main.*")
    assert "main.main" in full and len(full) >= 3, full
    assert listed(go_target(version, f"{name}-stripped"), "main.*") == full


@VERSIONS
@pytest.mark.parametrize("name", ["rpcserver-stripped", "rpcserver-pie",
                                  "rpcserver-pie-stripped"])
def test_funccount_stripped_and_pie_exact(version, name):
    svc = start_rpc_service(f"{version}/{name}")
    t = run_tracer(["funccount", "-p", svc.pid, f"{svc.bin}:main.*.Mul"])
    svc.call(120)
    svc.call(3, a=-2, b=5)  # the slow path
    rc, out, err = t.stop()
    assert rc == 0, err
    assert count_rows(out) == {"main.(*Arith).Mul": 123}, out


# ---- entry probes and RET pairing --------------------------------------------------------

@VERSIONS
@pytest.mark.parametrize("name", ["gostress", "gostress-stripped"])
def test_funccount_exact_through_morestack(version, name):
    """grow and big enter main.f's prologue twice (morestack): counted once."""
    binary = go_target(version, name)
    t = run_tracer(["funccount", f"{binary}:main.f"])
    calls = calls_of(run_target([binary, "-mode", "big", "-n", 1000, "-g", 8]))
    calls += calls_of(run_target([binary, "-mode", "grow", "-n", 500, "-g", 8]))
    assert calls == 1500
    rc, out, err = t.stop()
    assert rc == 0, err
    assert count_rows(out) == {"main.f": calls}, out


@VERSIONS
@pytest.mark.parametrize("name", ["gostress", "gostress-stripped"])
def test_funclatency_pairs_every_return(version, name):
    """mix: stack growth and copying, morestack, sleeping under GC, migrating goroutines."""
    binary = go_target(version, name)
    t = run_tracer(["funclatency", f"{binary}:main.f"])
    calls = calls_of(run_target([binary, "-mode", "mix", "-n", 1000, "-g", 8]))
    rc, out, err = t.stop()
    assert rc == 0, err
    m = re.search(r"^avg = \d+ \w+, total: \d+ \w+, count: (\d+)$", out, re.M)
    rows = sum(int(x) for x in re.findall(r"^\s*\d+ -> \d+\s+: (\d+)\s+\|", out, re.M))
    assert m and int(m.group(1)) == calls == rows == 1000, out


# ---- the language: goid, arguments, returns ----------------------------------------------

def goid_check(binary):
    """goid at entry and at return of main.f == the runtime's id of each calling goroutine."""
    p = spawn([binary, "-mode", "yield", "-n", 400, "-g", 4, "-goids", "-wait-stdin"],
              stdin=subprocess.PIPE)
    wait_line(p, "^ready$")
    t = lang(f"uprobe:{binary}:main.f {{ @e[goid] = count(); }} "
             f"uretprobe:{binary}:main.f {{ @r[goid] = count(); }}", pid=p.pid)
    p.stdin.write(b"\n")
    p.stdin.close()
    rc, out, err = collect(p, 60)
    assert rc == 0 and "calls=400" in out, out + err
    want = {}
    for gid, n in re.findall(r"^goid=(\d+) calls=(\d+)$", out, re.M):
        want[f"@e[{gid}]"] = want[f"@r[{gid}]"] = int(n)
    assert len(want) == 8, out
    rc, tout, err = t.stop()
    assert rc == 0, err
    assert maps(tout) == want, tout


@VERSIONS
@pytest.mark.parametrize("name", ["gostress", "gostress-stripped"])
def test_goid_is_the_runtimes(version, name):
    goid_check(go_target(version, name))


@VERSIONS
def test_args_by_dwarf_name_and_by_abi_position(version):
    full = start_rpc_service(f"{version}/rpcserver")
    stripped = start_rpc_service(f"{version}/rpcserver-pie-stripped")
    mul = '"main.(*Arith).Mul"'
    prog = (
        f'uprobe:{full.bin}:{mul} {{ printf("name A=%d B=%d abi A=%d B=%d\\n", '
        "args.args.A, args.args.B, garg3, garg4); } "
        f'uretprobe:{full.bin}:{mul} {{ printf("ret reply=%d err=%d\\n", '
        "*(int64*)args.reply, retval); } "
        f'uprobe:{stripped.bin}:{mul} {{ printf("stripped A=%d B=%d\\n", garg3, garg4); }} '
        f'uretprobe:{stripped.bin}:{mul} {{ printf("stripped err=%d\\n", retval); }}'
    )
    t = lang(prog)
    full.call(3, a=7, b=6)
    stripped.call(2, a=11, b=5)
    rc, out, err = t.stop()
    assert rc == 0, err
    lines = [l for l in out.splitlines() if re.match(r"^(name|ret|stripped) ", l)]
    assert sorted(lines) == sorted(
        ["name A=7 B=6 abi A=7 B=6", "ret reply=42 err=0"] * 3
        + ["stripped A=11 B=5", "stripped err=0"] * 2), out


@VERSIONS
def test_uretprobe_safe_through_stack_growth(version, tmp_path):
    """Returns are RET uprobes, never uretprobes: the stack is copied under them, the target
    lives, and every return pairs with its own entry (args at return are that call's)."""
    gs = tmp_path / "gostress"
    shutil.copy2(go_target(version, "gostress"), gs)
    t = lang(
        f"uprobe:{gs}:main.f {{ @entry = count(); }} "
        f"uretprobe:{gs}:main.grow {{ @ret[args.depth == 0] = count(); @d = sum(args.depth); }} "
        f"uretprobe:{gs}:main.f {{ @fret = count(); }}"
    )
    for mode, n in (("grow", 200), ("big", 300), ("spin", 4)):
        argv = [gs, "-mode", mode, "-n", n, "-g", 4, "-depth", 16, "-spin", 5]
        assert calls_of(run_target(argv)) == n
    rc, out, err = t.stop()
    assert rc == 0, err
    # grow(16) is 17 frames: 16 with depth != 0, one with 0; the depths sum to 136 (the key
    # is a bool, printed true/false: bpftrace 0.26)
    assert maps(out) == {"@entry": 504, "@fret": 504, "@ret[false]": 3200, "@ret[true]": 200,
                         "@d": 27200}, out


# ---- Go stacks ---------------------------------------------------------------------------

@VERSIONS
@pytest.mark.parametrize("name", ["rpcserver", "rpcserver-pie-stripped"])
def test_funcslower_go_stacks(version, name):
    svc = start_rpc_service(f"{version}/{name}")
    spec = f"{svc.bin}:main.(*Arith).Mul"
    t = run_tracer(["funcslower", "-U", "-m", 2, "-p", svc.pid, spec])
    wait_line(t.proc, r"^COMM\s+PID\s+LAT\(ms\)\s+RVAL FUNC$")
    svc.call(30)
    svc.call(3, a=-4, b=5)  # 4 ms each
    rc, out, err = t.stop()
    assert rc == 0, err
    rows = [l for l in out.splitlines() if re.match(rf"^{re.escape(name[:14])}\s+\d+ ", l)]
    assert len(rows) == 3, out
    for r in rows:
        f = r.split()
        assert int(f[1]) == svc.pid and float(f[2]) >= 4.0 and f[3] == "0" and f[4] == spec
    # the immediate caller (missed by a frame-pointer walk at a RET), then reflection
    stack = [s.strip() for s in out.split(rows[0])[1].splitlines()[1:5]]
    assert re.fullmatch(r"runtime\.call\d+(\.abi0)?", stack[0]), out
    assert stack[1:4] == ["runtime.reflectcall", "reflect.Value.call", "reflect.Value.Call"], out
