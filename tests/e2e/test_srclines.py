"""Source frames (file:line and inlined calls) of Go binaries built by every toolchain of the
version matrix: goprof, whose main.hotLoop inlines main.mix, is built here by each toolchain
(the matrix in tests/targets/bin/go1.N/ does not hold it), with and without symbols, and
build/tests/test_gosym checks every pc of main.hotLoop in those builds against `go tool
objdump` (TK_GOPROF_BUILDS). The default toolchain's goprof, the matrix's rpcserver builds
against `go tool addr2line`, and the C side (DWARF, against binutils' addr2line) are in the
unit tests themselves (tests/unit/test_gosym.c, test_dwarf.c, test_usym.c)."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, GO_VERSIONS, ROOT

TARGETS_SRC = ROOT / "tests" / "targets"
TEST_GOSYM = BUILD / "tests" / "test_gosym"  # built by `make unit`


def toolchain_go(version):
    """The go command of matrix toolchain `version`, as tests/targets/Makefile fetched it."""
    makefile = (TARGETS_SRC / "Makefile").read_text()
    m = re.search(rf"^GO_TOOLCHAIN_{re.escape(version)}\s*:=\s*(\S+)", makefile, re.M)
    assert m, f"no GO_TOOLCHAIN_{version} in tests/targets/Makefile"
    stamp = BUILD / "go" / f"{m.group(1)}.goroot"
    if not stamp.exists():
        pytest.fail(f"{stamp} is missing: run `make targets` first")
    return Path(stamp.read_text().strip()) / "bin" / "go"


def build_goprof(go, out, stripped):
    env = dict(os.environ, GO111MODULE="off", GOFLAGS="", CGO_ENABLED="0", GOTOOLCHAIN="local")
    cmd = [str(go), "build", "-o", str(out)] + (["-ldflags=-s -w"] if stripped else []) + ["./goprof"]
    r = subprocess.run(cmd, cwd=TARGETS_SRC, env=env, capture_output=True, text=True, timeout=110)
    assert r.returncode == 0, f"{' '.join(cmd)}\n{r.stderr}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("version", GO_VERSIONS)
def test_hotloop_frames(version, tmp_path):
    """Every pc of main.hotLoop: [main.mix main.go:27..29, main.hotLoop main.go:38] where
    objdump says mix's lines, stripped builds too (FUNCDATA found through moduledata)."""
    if not TEST_GOSYM.exists():
        pytest.fail(f"{TEST_GOSYM} is missing: run `make unit` first")
    go = toolchain_go(version)
    plain, stripped = tmp_path / "goprof", tmp_path / "goprof-stripped"
    build_goprof(go, plain, False)
    build_goprof(go, stripped, True)
    env = dict(os.environ, TK_GOPROF_BUILDS=f"{plain}:{plain} {stripped}:{plain}")
    r = subprocess.run([TEST_GOSYM], env=env, capture_output=True, text=True, timeout=200)
    assert r.returncode == 0, f"--- stderr ---\n{r.stderr[-6000:]}--- stdout ---\n{r.stdout[-2000:]}"
