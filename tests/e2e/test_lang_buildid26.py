"""ustack(build_id) (bpftrace 0.25; ../shared/reference/bpftrace-0.26.md 2.6 "Stacks", 2.9
stack_mode): the kernel's struct bpf_stack_build_id frames (BPF_F_USER_BUILD_ID), printed
as bpftrace's format_build_id_stack() does: a newline, then per frame the 20-byte build id
in hex, a blank and the file offset as 0x%02x (a frame without a build id: its bare hex
address). kstack(build_id) falls back to raw with bpftrace's warning. The build id comes from
`readelf -n`, the offset from the symbol and the program headers, at test time.
"""

import os
import re
import shutil
import subprocess

import pytest

from conftest import TRACEKIT, require_file, target


def run(args, compat="0.26"):
    require_file(TRACEKIT, "run `make`")
    env = {**os.environ, "TRACEKIT_COMPAT": compat}
    return subprocess.run([str(TRACEKIT), *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)


def build_id_and_offset(binary, sym):
    notes = subprocess.run(["readelf", "-n", binary], capture_output=True, text=True,
                           check=True).stdout
    bid = re.search(r"Build ID: ([0-9a-f]+)", notes).group(1)
    syms = subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout
    addr = next(int(l.split()[0], 16) for l in syms.splitlines() if l.endswith(" " + sym))
    phdrs = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True,
                           check=True).stdout
    for l in phdrs.splitlines():
        f = l.split()
        if f[:1] == ["LOAD"]:
            off, vaddr, filesz = int(f[1], 16), int(f[2], 16), int(f[4], 16)
            if vaddr <= addr < vaddr + filesz:
                return bid, addr - vaddr + off
    raise AssertionError(f"{sym} is in no LOAD segment of {binary}")


@pytest.mark.parametrize("name", ["cprog-gcc", "cprog-gcc-pie"])
def test_ustack_build_id(tmp_path, name, no_leftovers):
    prog_bin = tmp_path / "cprog"
    shutil.copy2(target(name), prog_bin)
    bid, off = build_id_and_offset(prog_bin, "tk_add")
    want = f"\n{bid} 0x{off:02x}\n"
    for prog in (f"uprobe:{prog_bin}:tk_add {{ print(ustack(build_id, 1)); exit(); }}",
                 f"config = {{ stack_mode = build_id }} uprobe:{prog_bin}:tk_add "
                 f"{{ print(ustack(1)); exit(); }}"):
        r = run(["-q", "-c", f"{prog_bin} 1", "-e", prog])
        assert (r.returncode, r.stderr) == (0, ""), r.stderr
        # the child's "calls=" line lands where it lands
        out = r.stdout.replace("calls=1 slow=0\n", "")
        assert out.startswith(want) and out.count(bid) == 1, r.stdout
    # all frames: the first is the probed function, each line one of the two forms
    r = run(["-q", "-c", f"{prog_bin} 1", "-e",
             f"uprobe:{prog_bin}:tk_add {{ printf(\"%s\", ustack(build_id)); exit(); }}"])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.replace("calls=1 slow=0\n", "").split("\n")
    assert lines[0] == "" and lines[1] == f"{bid} 0x{off:02x}"
    assert all(re.fullmatch(r"[0-9a-f]{40} 0x[0-9a-f]{2,}|[0-9a-f]+|", l) for l in lines), lines


def test_kstack_build_id_is_raw(no_leftovers):
    prog = "begin { print(kstack(build_id)); exit(); }"
    r = run(["-q", "-e", prog])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(
        "stdin:1:15-31: WARNING: 'build_id' stack mode can only be used for ustack. Falling "
        "back to 'raw' mode.\n" + prog + "\n" + " " * 14 + "~" * 16 + "\n\n")
    frames = r.stdout.split("~\n\n", 1)[1].strip("\n").split("\n")
    assert frames and all(re.fullmatch(r"ffffffff[0-9a-f]{8}", f) for f in frames), frames


def test_build_id_017_refused(no_leftovers):
    r = run(["-e", "BEGIN { print(ustack(build_id)); }"], compat="0.17")
    assert r.returncode == 1
    assert "ustack: invalid argument" in r.stderr
