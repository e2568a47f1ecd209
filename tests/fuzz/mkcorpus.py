#!/usr/bin/env python3
"""Regenerate the fuzzers' seed corpora in tests/fuzz/corpus/ (small files, < 1 MB in all).

Needs gcc and objcopy. Seeds: Go prologue byte sequences (insn), minimal pclntabs in the four
layouts and a .go.buildinfo blob (gosym), tiny ELF files with symbols, a .gopclntab and
DWARF, plain and zlib-compressed (elf, dwarf). Run from anywhere: python3 tests/fuzz/mkcorpus.py
"""

import os
import struct
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus"

# main.small from go1.19.8: cmp rsp,[r14+0x10]; jbe; ... 2 RETs; morestack block
GO_SMALL = bytes.fromhex(
    "493b6610763448 83ec10 48896c2408 488d6c2408 4885c0 7f0c 31c0 488b6c2408 4883c410 c3"
    "48ffc8 e8d3ffffff 48ffc0 488b6c2408 4883c410 c3 4889442408 90 e87b9efdff 488b442408 ebb4"
    .replace(" ", ""))
GO_HUGE = bytes.fromhex("4989e44981ec403e00000f82ff0000004d3b66100f86f5000000c3") + b"\xcc" * 0x110
GO_MID = bytes.fromhex("4c8da42468feffff4d3b66100f869a000000c3") + b"\xcc" * 0xa0
WB_R8 = bytes.fromhex("4990e879feffff4990c3")
TLS_G = bytes.fromhex("64488b0c25f8ffffff483b61107620c3") + b"\xcc" * 0x30


def pclntab(version, names=("runtime.text", "main.(*Arith).Mul", "main.main"),
            offs=(0, 0x20, 0x40), end=0x80, text=0x401000):
    """A minimal pclntab: header, funcnametab, functab, one _func per function."""
    magic = {"1.2": 0xfffffffb, "1.16": 0xfffffffa, "1.18": 0xfffffff0, "1.20": 0xfffffff1}[version]
    new = version in ("1.18", "1.20")
    words = {"1.2": 1, "1.16": 7}.get(version, 8)
    fsz = 4 if new else 8
    n = len(names)
    hdr = 8 + 8 * words
    if version == "1.2":
        functab = hdr
        names_at = (functab + (2 * n + 1) * fsz + 4 + 7) & ~7
    else:
        names_at = hdr
    blob = bytearray(4096)
    nameoff, at = [], names_at
    for nm in names:
        nameoff.append(at if version == "1.2" else at - names_at)
        blob[at:at + len(nm) + 1] = nm.encode() + b"\0"
        at += len(nm) + 1
    names_end = at
    if version != "1.2":
        functab = (at + 7) & ~7
    funcs = (max(functab + (2 * n + 1) * fsz, names_end) + 7) & ~7
    base = 0 if version == "1.2" else functab
    for i in range(n + 1):
        entry = (0 if new else text) + (offs[i] if i < n else end)
        slot = functab + i * 2 * fsz
        if i < n:
            f = funcs + i * 48
            if new:
                struct.pack_into("<II", blob, slot, entry, f - base)
                struct.pack_into("<Ii", blob, f, entry, nameoff[i])
            else:
                struct.pack_into("<QQ", blob, slot, entry, f - base)
                struct.pack_into("<Qi", blob, f, entry, nameoff[i])
        else:
            struct.pack_into("<I" if new else "<Q", blob, slot, entry)
    size = funcs + n * 48
    struct.pack_into("<IBBBB", blob, 0, magic, 0, 0, 1, 8)
    if version == "1.2":
        w = [n]
    elif version == "1.16":
        w = [n, 1, names_at, names_end, names_end, names_end, functab]
    else:
        w = [n, 1, text, names_at, names_end, names_end, names_end, functab]
    struct.pack_into("<%dQ" % len(w), blob, 8, *w)
    return bytes(blob[:size])


def buildinfo(version="go1.19.8"):
    b = bytearray(b"\xff Go buildinf:" + bytes([8, 2]) + bytes(16))
    b += bytes([len(version)]) + version.encode() + bytes([0])
    return bytes(b + bytes(-len(b) % 16))


def write(fuzzer, name, data):
    d = OUT / fuzzer
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


C_SRC = r"""
struct args { long a, b; };
__attribute__((noinline)) long mul(struct args x, long *reply) { *reply = x.a * x.b; return 0; }
__attribute__((noinline)) int add(int a, const char *s) { return a + s[0]; }
void _start(void) { long r; struct args a = { 2, 3 }; mul(a, &r); add(1, "x");
  __asm__ volatile("mov $60, %eax; xor %edi, %edi; syscall"); }
"""


def elf_seeds(tmp):
    src = tmp / "t.c"
    src.write_text(C_SRC)
    common = ["gcc", "-Os", "-nostdlib", "-static", "-fno-asynchronous-unwind-tables",
              "-Wl,--build-id=none", str(src)]
    out = {}
    for name, extra in (("plain", []), ("dwarf", ["-g"]), ("dwarfz", ["-g", "-gz"]),
                        ("pie", ["-fPIE", "-static-pie", "-g"])):
        exe = tmp / name
        subprocess.run(common + extra + ["-o", str(exe)], check=True)
        out[name] = exe
    # A "stripped Go" look-alike: no .symtab, a .gopclntab and a .go.buildinfo section.
    (tmp / "pcln").write_bytes(pclntab("1.18"))
    (tmp / "bi").write_bytes(buildinfo())
    gol = tmp / "golike"
    subprocess.run(["objcopy", "--strip-all", "--add-section", f".gopclntab={tmp / 'pcln'}",
                    "--set-section-flags", ".gopclntab=alloc,readonly",
                    "--add-section", f".go.buildinfo={tmp / 'bi'}",
                    str(out["plain"]), str(gol)], check=True)
    out["golike"] = gol
    return {k: v.read_bytes() for k, v in out.items()}


def main():
    write("fuzz_insn", "go_small", b"\x01" + GO_SMALL)
    write("fuzz_insn", "go_huge", b"\x01" + GO_HUGE)
    write("fuzz_insn", "go_mid", b"\x01" + GO_MID)
    write("fuzz_insn", "go_tls_g", b"\x01" + TLS_G)
    write("fuzz_insn", "wb_r8", b"\x00" + WB_R8)
    for v in ("1.2", "1.16", "1.18", "1.20"):
        write("fuzz_gosym", "pclntab_" + v, pclntab(v))
    write("fuzz_gosym", "buildinfo", buildinfo())
    with tempfile.TemporaryDirectory() as t:
        elves = elf_seeds(Path(t))
    for k, v in elves.items():
        write("fuzz_elf", k, v)
        if k != "golike":
            write("fuzz_dwarf", k, v)
    write("fuzz_elf", "truncated_header", elves["plain"][:40])
    write("fuzz_dwarf", "truncated", elves["dwarf"][: len(elves["dwarf"]) // 2])
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"corpus: {total} bytes")


if __name__ == "__main__":
    main()
