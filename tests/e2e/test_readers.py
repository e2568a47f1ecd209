"""The readers of core/ against independent tools, on the real test targets.

`tracekit symdump` prints what core/ makes of a binary (the same target resolution the probes
use); here it is compared with `go tool nm`, `nm`, `readelf`, `objdump` and the running
process's /proc/PID/maps:

- every text function of a Go binary, unstripped (.symtab) and stripped (.gopclntab), PIE and
  not, with address, size and file offset (offsets recomputed here from the program headers);
- C binaries and a shared library (gcc/clang, PIE/non-PIE) against nm;
- RET offsets of every main.* function against objdump, and the Go entry probe site against
  DWARF's prologue_end;
- DWARF parameters of main.(*Arith).Mul, goid/stack.hi offsets, the Go version;
- addresses in running processes (Go PIE stripped, Go non-PIE, libc) and kernel addresses;
- raw pclntabs (Go 1.15 from Go's own testdata, and the stripped targets of the default Go
  and of every Go of the version matrix, GO_VERSIONS) against Go's debug/gosym;

The Go checks that depend on the toolchain (symbols, the pclntab, RETs, the entry site, the
runtime.g offsets) run on the default build and on each Go of the matrix (ids name it).
- bad input: a one-line error and a non-zero exit, never a crash.
"""

import gzip
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from conftest import GO_VERSIONS, TARGETS, TRACEKIT, spawn, wait_line

GO_BINS = ["rpcserver", "rpcserver-pie", "gostress"]
# The default Go's build and each Go of the matrix: (directory under TARGETS, test id).
GO_BUILDS = [pytest.param("", id="default")] + [pytest.param(v, id=v) for v in GO_VERSIONS]
C_BINS = ["cprog-gcc", "cprog-gcc-pie", "cprog-clang", "cprog-clang-pie", "libtkdemo.so"]
PT_LOAD = 1


def need(path):
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make targets` (and `make` for tracekit)")
    return path


SYMDUMP = TRACEKIT.parent / "tests" / "symdump"  # a debugging aid built by `make unit`


def run(args, check=True):
    """run(["symdump", ARGS...]): build/tests/symdump ARGS."""
    assert args[0] == "symdump", args
    r = subprocess.run(
        [str(need(SYMDUMP))] + [str(a) for a in args[1:]],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=60,
    )
    if check:
        assert r.returncode == 0, f"symdump {args} failed ({r.returncode}): {r.stderr}"
    return r


def symdump(binary, glob="*"):
    """{addr: (size, fileoff, name)} from `symdump BIN GLOB`."""
    out = {}
    for line in run(["symdump", binary, glob]).stdout.splitlines():
        addr, size, off, name = line.split(" ", 3)
        out[int(addr, 16)] = (int(size), int(off, 16), name)
    return out


def load_segments(path):
    """PT_LOAD (vaddr, offset, filesz) of an ELF64 file, parsed here from the raw header."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        p_type, _flags, off, vaddr, _paddr, filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize
        )
        if p_type == PT_LOAD:
            segs.append((vaddr, off, filesz))
    return segs, data


def file_offset(segs, vaddr):
    for v, off, filesz in segs:
        if v <= vaddr < v + filesz:
            return vaddr - v + off
    return None


# First opcodes the kernel refuses to probe (arch/x86/kernel/uprobes.c good_insns_64): int3,
# int N, into, iret, int1, hlt, cli, sti, in/out/ins/outs, VEX; plus invalid-in-64-bit ones.
KERNEL_REFUSED = {0xCC, 0xCD, 0xCE, 0xCF, 0xF1, 0xF4, 0xFA, 0xFB, 0xC4, 0xC5} | set(
    range(0x6C, 0x70)) | set(range(0xE4, 0xE8)) | set(range(0xEC, 0xF0)) | {
    0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x62,
    0x82, 0x9A, 0xD4, 0xD5, 0xD6, 0xEA}


def unprobeable(data, off):
    """The instruction at off must not get a uprobe: REX.B + 0x90 (the kernel emulates it
    as a NOP, but it is xchg rAX, r8), an opcode the kernel refuses, or a prefix it refuses
    (is_prefix_bad: LOCK, ES/CS/SS/DS; Go's `lock and` in runtime/internal/atomic)."""
    i = off
    while data[i] in (0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65):
        if data[i] in (0xF0, 0x26, 0x2E, 0x36, 0x3E):
            return True
        i += 1
    rex_b = False
    while 0x40 <= data[i] <= 0x4F:
        rex_b |= bool(data[i] & 1)
        i += 1
    if data[i] == 0x0F:
        return data[i + 1] == 0x0B  # ud2
    return (rex_b and data[i] == 0x90) or data[i] in KERNEL_REFUSED


def go_minor(binary):
    """Minor version of the Go that built binary (19 for go1.19.8), from its buildinfo."""
    m = re.match(r"version go1\.(\d+)", run(["symdump", "-g", binary]).stdout)
    assert m, f"{binary}: no Go version"
    return int(m.group(1))


def go_nm(binary):
    """{addr: {name: size}} of the text symbols `go tool nm` lists."""
    go = shutil.which("go")
    assert go, "the go tool is needed (golang-go)"
    out = subprocess.run(
        [go, "tool", "nm", "-size", "-sort", "address", str(binary)],
        capture_output=True, text=True, check=True,
    ).stdout
    syms = {}
    for line in out.splitlines():
        m = re.match(r"\s*([0-9a-f]+)\s+(\d+)\s+([Tt])\s+(.*)$", line)
        if m:
            syms.setdefault(int(m.group(1), 16), {})[m.group(4)] = int(m.group(2))
    return syms


def go_name_matches(pcln_name, nm_names):
    """pclntab names lack the .abi0 suffix, elide array lengths as [...] and keep the
    middle dot (type..eq.T·1) that .symtab spells as '.'."""
    pcln_name = pcln_name.replace("\u00b7", ".")
    for n in nm_names:
        if n == pcln_name or n == pcln_name + ".abi0":
            return True
        pat = re.escape(pcln_name).replace(re.escape("[...]"), r"\[\d+\]")
        if re.fullmatch(pat + r"(\.abi0)?", n):
            return True
    return False


def expected_go_funcs(binary):
    """Text functions of go tool nm that symdump must list: sized, and safe to probe."""
    segs, data = load_segments(binary)
    want, refused, markers = {}, set(), set()
    for addr, names in go_nm(binary).items():
        if not any(names.values()):
            markers.add(addr)  # runtime.etext: may be listed (size 0) or not
            continue
        if unprobeable(data, file_offset(segs, addr)):
            refused.add(addr)
            continue
        want[addr] = names
    return want, refused, markers, segs


@pytest.mark.parametrize("name", ["rpcserver", "rpcserver-pie", "gostress"]
                         + [f"{v}/rpcserver-pie" for v in GO_VERSIONS])
def test_go_symtab_matches_go_tool_nm(name):
    binary = need(TARGETS / name)
    want, refused, markers, segs = expected_go_funcs(binary)
    got = symdump(binary)
    for addr in markers & set(got):
        assert got[addr][0] == 0
        del got[addr]
    assert set(got) == set(want), (
        f"missing {sorted(hex(a) for a in set(want) - set(got))[:10]} "
        f"extra {sorted(hex(a) for a in set(got) - set(want))[:10]}"
    )
    for addr, (size, off, fname) in got.items():
        # Aliases (runtime.text and internal/cpu.Initialize): one of them, with its own size.
        assert fname in want[addr], (hex(addr), fname, want[addr])
        assert size == want[addr][fname], (fname, size, want[addr])
        assert off == file_offset(segs, addr), (fname, hex(off))
    # Go <= 1.20 has runtime.gcWriteBarrierR8 = 49 90 (xchg r8, rax): refused, not listed.
    _segs, data = load_segments(binary)
    if go_minor(binary) <= 20:
        assert any(data[file_offset(segs, a)] == 0x49 for a in refused), "no REX.B 0x90 seen"
    assert not refused & set(got)


@pytest.mark.parametrize("version", GO_BUILDS)
@pytest.mark.parametrize("name", ["rpcserver", "rpcserver-pie", "gostress"])
def test_go_stripped_pclntab_matches_unstripped(name, version):
    """Every function at its address: also from Go 1.26 on, whose pclntab header has 0 for
    textStart (the base is then .text's address)."""
    stripped = need(TARGETS / version / f"{name}-stripped")
    want, _refused, _markers, segs = expected_go_funcs(need(TARGETS / version / name))
    assert "no symbols" in subprocess.run(
        ["go", "tool", "nm", str(stripped)], capture_output=True, text=True
    ).stderr, f"{stripped} is not stripped"
    got = symdump(stripped)
    assert set(got) == set(want), (
        f"missing {sorted(hex(a) for a in set(want) - set(got))[:10]} "
        f"extra {sorted(hex(a) for a in set(got) - set(want))[:10]}"
    )
    ssegs, _ = load_segments(stripped)
    for addr, (size, off, fname) in got.items():
        assert go_name_matches(fname, want[addr]), (hex(addr), fname, want[addr])
        # pclntab sizes run to the next function: the symbol size plus int3 padding
        # (functions are 32-byte aligned on amd64).
        nm_size = max(want[addr].values())
        assert nm_size <= size < nm_size + 32, (fname, size, nm_size)
        assert off == file_offset(ssegs, addr), (fname, hex(off))


def test_go_pie_offsets_differ_from_addresses():
    """Go PIE is linked at 0x400000: vaddr != file offset, and we must not assume equality."""
    got = symdump(need(TARGETS / "rpcserver-pie-stripped"), "main.(*Arith).Mul")
    ((addr, (_size, off, fname)),) = got.items()
    segs, _ = load_segments(TARGETS / "rpcserver-pie-stripped")
    assert fname == "main.(*Arith).Mul"
    assert off == file_offset(segs, addr) and off != addr


def nm_funcs(binary):
    """{addr: (size, {names})} of defined function symbols, from .symtab and .dynsym."""
    syms = {}
    for extra in ([], ["-D"]):
        out = subprocess.run(
            ["nm", "-S", "--defined-only"] + extra + [str(binary)],
            capture_output=True, text=True,
        ).stdout
        for line in out.splitlines():
            m = re.match(r"([0-9a-f]+) ([0-9a-f]+ )?([TtWi]) (\S+)$", line)
            if not m or int(m.group(1), 16) == 0:
                continue
            addr = int(m.group(1), 16)
            size = int(m.group(2), 16) if m.group(2) else 0
            old, names = syms.get(addr, (0, set()))
            names.add(m.group(4).split("@")[0])
            syms[addr] = (max(old, size), names)
    return syms


@pytest.mark.parametrize("name", C_BINS)
def test_c_binaries_match_nm(name):
    binary = need(TARGETS / name)
    want = nm_funcs(binary)
    got = symdump(binary if "/" in str(binary) else f"./{binary}")
    segs, _ = load_segments(binary)
    # nm's T/t/W/i also holds non-STT_FUNC code labels (_start in asm, _init); every
    # function symdump lists must be there with the same name, size and offset.
    assert got, f"no functions in {name}"
    for addr, (size, off, fname) in got.items():
        assert addr in want, (hex(addr), fname)
        assert fname in want[addr][1], (fname, want[addr][1])
        assert size == want[addr][0], (fname, size)
        assert off == file_offset(segs, addr), (fname, hex(off))
    assert {"tk_add", "tk_slow"} <= {f[2] for f in got.values()} or name == "libtkdemo.so"


def objdump_rets(binary, syms):
    """{function start: [RET offsets]} for the functions at the given addresses."""
    out = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(binary)],
        capture_output=True, text=True, check=True,
    ).stdout
    rets, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <.*>:$", line)
        if m:
            cur = int(m.group(1), 16)
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s+(\S+)", line)
        if cur in syms and m and m.group(2).startswith("ret"):
            rets.setdefault(cur, []).append(int(m.group(1), 16) - cur)
    return rets


def layout(binary, glob):
    """{name: {entry, cond, body, rets, go_prologue}} from `symdump -l`."""
    out = {}
    for line in run(["symdump", "-l", binary, glob]).stdout.splitlines():
        m = re.match(
            r"(.*) entry=\+0x([0-9a-f]+) cond=(\S+) body=\+0x([0-9a-f]+) go_prologue=(\d)"
            r" rets=(\S*) tail_jmps=(\d+)( truncated)?$",
            line,
        )
        assert m, line
        rets = [int(r[3:], 16) for r in m.group(6).split(",") if r]
        out[m.group(1)] = dict(entry=int(m.group(2), 16), cond=m.group(3),
                               body=int(m.group(4), 16), go=m.group(5) == "1", rets=rets,
                               truncated=bool(m.group(8)))
    return out


@pytest.mark.parametrize("name", ["rpcserver", "rpcserver-stripped", "gostress", "cprog-gcc"]
                         + [f"{v}/rpcserver-stripped" for v in GO_VERSIONS])
def test_rets_match_objdump(name):
    binary = need(TARGETS / name)
    glob = "tk_*" if name.startswith("cprog") else "main.*"
    funcs = symdump(binary, glob)
    lay = layout(binary, glob)
    ref = objdump_rets(TARGETS / name.replace("-stripped", ""), funcs)
    assert len(lay) == len(funcs) > 2
    for addr, (_size, _off, fname) in funcs.items():
        assert not lay[fname]["truncated"], fname
        assert sorted(lay[fname]["rets"]) == sorted(ref.get(addr, [])), fname


def dwarf_funcs(binary, glob, by_addr=False):
    """{name (or low_pc): {pe: prologue_end or None, params: [(kind, name, type, size, loc,
    members)]}}. DWARF names asm functions without .abi0, so names can repeat: use by_addr."""
    out, cur = {}, None
    for line in run(["symdump", "-d", binary, glob]).stdout.splitlines():
        if line.endswith(" no-dwarf"):
            continue  # a marker such as runtime.etext (listed by Go >= 1.26's .symtab)
        if not line.startswith(" "):
            name, rest = line.split(" low=", 1)
            m = re.search(r"prologue_end=\+0x([0-9a-f]+)", line)
            key = int(rest.split()[0], 16) if by_addr else name
            cur = out[key] = dict(pe=int(m.group(1), 16) if m else None, params=[])
        elif line.startswith("    ."):
            m = re.match(r'\s+\.(\S+) "(.*)" off=(\d+) size=(\d+)$', line)
            cur["params"][-1][5].append((m.group(1), m.group(2), int(m.group(3)),
                                         int(m.group(4))))
        else:
            m = re.match(r'\s+(param|result) (\S+) "(.*)" size=(\d+) loc=(\S+)$', line)
            assert m, line
            cur["params"].append((m.group(1), m.group(2), m.group(3), int(m.group(4)),
                                  m.group(5), []))
    return out


@pytest.mark.parametrize("name,glob", [("gostress", "main.*"), ("rpcserver", "*")]
                         + [(f"{v}/gostress", "main.*") for v in GO_VERSIONS])
def test_go_entry_site_is_dwarf_prologue_end(name, glob):
    """The probe goes on the JBE of the stack check; the body starts at DWARF's prologue_end
    (the compiler's own mark), for every function where DWARF has one past +0. Newer Go may
    put the mark after the frame pointer's `push rbp` or `push rbp; mov rbp, rsp`, which we
    count as body (the JBE is passed by then)."""
    binary = need(TARGETS / name)
    segs, data = load_segments(binary)
    lay = layout(binary, glob)
    dw = dwarf_funcs(binary, glob, by_addr=True)
    addr_of = {f[2]: a for a, f in symdump(binary, glob).items()}
    checked = 0
    for fname, lo in lay.items():
        if lo["go"]:
            assert lo["cond"] == "jbe-not-taken", fname
            assert lo["entry"] < lo["body"], fname
            # asm and a few runtime functions have no mark, or one at +0
            pe = dw.get(addr_of[fname], {}).get("pe")
            if pe:
                at, ok = file_offset(segs, addr_of[fname]) + lo["body"], {lo["body"]}
                if data[at] == 0x55:  # push rbp
                    ok.add(lo["body"] + 1)
                    if data[at + 1:at + 4] == b"\x48\x89\xe5":  # mov rbp, rsp
                        ok.add(lo["body"] + 4)
                assert pe in ok, (fname, pe, lo["body"])
                checked += 1
        else:
            assert lo["entry"] == 0 and lo["cond"] == "always", fname
    assert checked >= (3 if glob != "*" else 1000)


@pytest.mark.parametrize("version", GO_BUILDS)
def test_dwarf_params_of_mul(version):
    """Reference §5.3: t RAX; ctx RBX+RCX; args RDI+RSI with members A@0 B@8; reply R8."""
    dw = dwarf_funcs(need(TARGETS / version / "rpcserver"), "main.(*Arith).Mul")
    params = dw["main.(*Arith).Mul"]["params"]
    assert [(p[0], p[1], p[2], p[3], p[4]) for p in params] == [
        ("param", "t", "*main.Arith", 8, "ax"),
        ("param", "ctx", "context.Context", 16, "bx:8,cx:8"),
        ("param", "args", "main.Args", 16, "di:8,si:8"),
        ("param", "reply", "*main.Reply", 8, "r8"),
        ("result", "~r0", "error", 16, "-"),
    ]
    assert params[2][5] == [("A", "int", 0, 8), ("B", "int", 8, 8)]


@pytest.mark.parametrize("version", GO_BUILDS)
def test_dwarf_stack_param(version):
    """A struct too big for registers is on the stack at the CFA (Go writes that location as
    a DW_FORM_block1 that libdw refuses in DWARF 4: we decode it ourselves)."""
    dw = dwarf_funcs(need(TARGETS / version / "rpcserver"), "reflect.Method.IsExported")
    (kind, name, typ, size, loc, members), result = dw["reflect.Method.IsExported"]["params"]
    assert (kind, name, typ, size, loc) == ("param", "m", "reflect.Method", 80, "cfa+0")
    assert [m[0] for m in members] == ["Name", "PkgPath", "Type", "Func", "Index"]
    assert members[-1] == ("Index", "int", 72, 8)
    assert result[:5] == ("result", "~r0", "bool", 1, "-")


@pytest.mark.parametrize("version", GO_BUILDS)
def test_go_version_and_g_offsets(version):
    """The version from buildinfo is Go's own; the table's runtime.g offsets are DWARF's and
    the ones the probes use (test_go_matrix.py checks the same on gostress, and the DWARF
    path for a version outside the table)."""
    binary = need(TARGETS / version / "rpcserver")
    go_ver = subprocess.run(["go", "version", str(binary)], capture_output=True, text=True,
                            check=True).stdout.split()[-1]
    out = run(["symdump", "-g", binary]).stdout.splitlines()
    goid = out[3].split()[-1] if len(out) > 3 else "?"
    assert goid in ("0x98", "0xa0"), out
    assert out == [
        f"version {go_ver}",
        f"goid_off(table) {goid}",
        "stack_hi_off(table) 0x8",
        f"goid_off(dwarf) {goid}",
        "stack_hi_off(dwarf) 0x8",
        f"goid_off(used) {goid}",
    ]
    out = run(["symdump", "-g", TARGETS / version / "rpcserver-stripped"]).stdout.splitlines()
    assert out == [f"version {go_ver}", f"goid_off(table) {goid}", "stack_hi_off(table) 0x8",
                   f"goid_off(used) {goid}"]


def exec_map(pid, path_part):
    for line in open(f"/proc/{pid}/maps"):
        f = line.split()
        if len(f) >= 6 and "x" in f[1] and path_part in f[5]:
            start = int(f[0].split("-")[0], 16)
            return start, int(f[2], 16), f[5]
    pytest.fail(f"no executable mapping of {path_part} in /proc/{pid}/maps")


def runtime_ip(pid, binary_path, map_part, vaddr):
    """The address vaddr of the file has in the process: start - offset + (vaddr - delta)."""
    start, moff, _ = exec_map(pid, map_part)
    segs, _ = load_segments(binary_path)
    v, off, _ = next(s for s in segs if s[0] <= vaddr < s[0] + s[2])
    return start - moff + off + (vaddr - v)


@pytest.mark.parametrize("name", ["rpcserver-pie-stripped", "rpcserver"])
def test_usym_go_process(name):
    binary = need(TARGETS / name)
    funcs = symdump(binary, "main.(*Arith).Mul")
    ((addr, _),) = funcs.items()
    p = spawn([str(binary), "-addr", "127.0.0.1:0"])
    wait_line(p, r"listening on")
    ip = runtime_ip(p.pid, binary, name, addr) + 5
    out = run(["symdump", "-p", p.pid, f"{ip:x}", "1"]).stdout.splitlines()
    assert out == [
        f"{ip:x} main.(*Arith).Mul+0x5 {binary.resolve()}",
        "1 [unknown]+0x0 -",
    ]


def test_usym_deleted_binary(tmp_path):
    """A binary replaced or deleted while it runs (a rebuild) is read through map_files."""
    binary = tmp_path / "srv"
    shutil.copy(need(TARGETS / "rpcserver-stripped"), binary)
    ((addr, _),) = symdump(binary, "main.(*Arith).Mul").items()
    p = spawn([str(binary), "-addr", "127.0.0.1:0"])
    wait_line(p, r"listening on")
    ip = runtime_ip(p.pid, binary, "srv", addr)
    binary.unlink()
    out = run(["symdump", "-p", p.pid, f"{ip:x}"]).stdout.splitlines()
    assert out == [f"{ip:x} main.(*Arith).Mul+0x0 {binary} (deleted)"]


def test_usym_libc_in_c_process():
    binary = need(TARGETS / "cprog-gcc-pie")
    p = spawn([str(binary), "-wait-stdin", "1"], stdin=subprocess.PIPE)
    wait_line(p, r"ready")
    _start, _off, libc = exec_map(p.pid, "libc")
    libc = Path(libc)
    want = nm_funcs(libc)
    getpid = [a for a, (_s, names) in want.items() if "getpid" in names]
    assert getpid, "getpid not found in libc's dynamic symbols"
    ip = runtime_ip(p.pid, libc, "libc", getpid[0]) + 2
    main_ip = runtime_ip(
        p.pid, binary, "cprog-gcc-pie",
        next(a for a, (_s, n) in nm_funcs(binary).items() if "tk_add" in n),
    )
    out = run(["symdump", "-p", p.pid, f"{ip:x}", f"{main_ip:x}"]).stdout.splitlines()
    m = re.match(rf"{ip:x} (\S+)\+0x2 {re.escape(str(libc))}$", out[0])
    assert m and m.group(1) in want[getpid[0]][1], out[0]
    assert out[1] == f"{main_ip:x} tk_add+0x0 {binary.resolve()}"
    p.stdin.write(b"\n")
    p.stdin.flush()


def test_ksym_matches_kallsyms():
    syms = {}
    for line in open("/proc/kallsyms"):
        a, t, n = line.split()[:3]
        if n in ("vfs_read", "do_sys_openat2") and t in "Tt":
            syms[n] = int(a, 16)
    assert len(syms) == 2 and all(syms.values()), "kallsyms hides addresses (need root)"
    aliases = {n: {l.split()[2] for l in open("/proc/kallsyms")
                   if int(l.split()[0], 16) == a} for n, a in syms.items()}
    out = run(["symdump", "-k"] + [f"{a + 0x10:x}" for a in syms.values()]).stdout.splitlines()
    for line, (n, a) in zip(out, syms.items()):
        addr, sym = line.split()
        name, off = sym.rsplit("+", 1)
        assert int(addr, 16) == a + 0x10 and off == "0x10" and name in aliases[n], line


def test_bad_input(tmp_path):
    notelf = tmp_path / "notelf"
    notelf.write_text("hello\n")
    r = run(["symdump", notelf], check=False)
    assert r.returncode != 0 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and "not an x86-64 ELF" in r.stderr, r.stderr

    r = run(["symdump", tmp_path / "missing"], check=False)
    assert r.returncode != 0 and len(r.stderr.splitlines()) == 1, r.stderr

    # A Go binary cut in half: an error or fewer functions, never a crash.
    data = need(TARGETS / "rpcserver-stripped").read_bytes()
    for frac in (2, 3, 10):
        cut = tmp_path / f"cut{frac}"
        cut.write_bytes(data[: len(data) // frac])
        for mode in ([], ["-l"], ["-d"], ["-g"]):
            r = run(["symdump"] + mode + [cut], check=False)
            assert r.returncode in (0, 1), (mode, frac, r.returncode, r.stderr[-2000:])
            assert len(r.stderr.splitlines()) <= 1, r.stderr

    r = run(["symdump", "-p", "999999999", "1000"], check=False)
    assert r.returncode == 1 and "not found" in r.stderr


GOSYM_REF = r"""
package main

import (
	"bufio"
	"debug/gosym"
	"fmt"
	"os"
	"strconv"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	text, _ := strconv.ParseUint(os.Args[2], 16, 64)
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text))
	if err != nil {
		panic(err)
	}
	for _, f := range tab.Funcs {
		fmt.Printf("%x %x %s\n", f.Entry, f.End, f.Name)
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		pc, _ := strconv.ParseUint(sc.Text(), 16, 64)
		if f := tab.PCToFunc(pc); f != nil {
			fmt.Printf("lookup %x %s\n", pc, f.Name)
		} else {
			fmt.Printf("lookup %x -\n", pc)
		}
	}
}
"""


def section_addr(binary, name):
    out = subprocess.run(["readelf", "-SW", str(binary)], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(rf"\]\s+{re.escape(name)}\s+\S+\s+([0-9a-f]+) ", out)
    assert m, f"{binary}: no {name} section"
    return int(m.group(1), 16)


def pclntab_sample(name, tmp_path):
    """(raw pclntab path, text start) for a Go 1.15 table (Go's own test data) or the
    .gopclntab of the stripped rpcserver of the default Go or of a Go of the matrix, with
    .text's address as the base, as Go's own tools take it."""
    if name == "go1.15":
        goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True,
                                check=True).stdout.strip()
        gz = Path(goroot) / "src/debug/gosym/testdata/pcln115.gz"
        if not gz.exists():
            pytest.fail(f"{gz} is missing (Debian package golang-1.19-src)")
        raw = tmp_path / "pcln115"
        raw.write_bytes(gzip.decompress(gz.read_bytes()))
        return raw, 0x1001000
    raw = tmp_path / "pcln"
    binary = need(TARGETS / ("" if name == "default" else name) / "rpcserver-stripped")
    subprocess.run(["objcopy", "-O", "binary", "--only-section=.gopclntab", str(binary),
                    str(raw)], check=True)
    return raw, section_addr(binary, ".text")


@pytest.fixture(scope="module")
def gosym_ref(tmp_path_factory):
    """GOSYM_REF built once (a private build cache compiles the standard library: ~10 s)."""
    d = tmp_path_factory.mktemp("gosymref")
    src = d / "ref.go"
    src.write_text(GOSYM_REF)
    env = dict(os.environ, GO111MODULE="off", GOFLAGS="", GOCACHE=str(d / "gocache"),
               GOPATH=str(d / "gopath"))
    r = subprocess.run(["go", "build", "-o", str(d / "ref"), str(src)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return d / "ref"


@pytest.mark.parametrize("version", ["go1.15", "default", *GO_VERSIONS])
def test_pclntab_matches_go_debug_gosym(version, tmp_path, gosym_ref):
    raw, text = pclntab_sample(version, tmp_path)
    funcs = run(["symdump", "-P", raw, f"{text:x}"]).stdout.splitlines()
    assert len(funcs) > 1000
    # Lookups: each function's first and last byte, and addresses outside the table.
    pcs = [f"{text - 1:x}"]
    for line in funcs[::7]:
        entry, end, _ = line.split(" ", 2)
        pcs += [entry, f"{int(end, 16) - 1:x}"]
    pcs.append(funcs[-1].split()[1])
    stdin = "\n".join(pcs) + "\n"
    ours = subprocess.run([str(need(SYMDUMP)), "-P", str(raw), f"{text:x}"], input=stdin,
                          capture_output=True, text=True, check=True).stdout
    ref = subprocess.run([str(gosym_ref), str(raw), f"{text:x}"], input=stdin,
                         capture_output=True, text=True, timeout=120)
    assert ref.returncode == 0, ref.stderr
    assert ours == ref.stdout
    lookups = ours.splitlines()[len(funcs):]
    assert len(lookups) == len(pcs) and lookups[0] == f"lookup {pcs[0]} -"
    assert lookups[-1] == f"lookup {pcs[-1]} -"
