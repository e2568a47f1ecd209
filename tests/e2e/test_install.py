"""`make install`: the binary, one symlink per tool, and the man pages (tracekit(8) and one per
tool, written from each tool's options table), into a private DESTDIR.
"""

import re
import shutil
import subprocess

import pytest

from conftest import ROOT, TRACEKIT, require_file

TOOLS = sorted(set(re.findall(r"^  (\w+) ", subprocess.run(
    [str(TRACEKIT), "help"], capture_output=True, text=True).stdout.split("TOOLS", 1)[-1],
    re.M)))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    require_file(TRACEKIT, "run `make` first")
    dest = tmp_path_factory.mktemp("dest")
    r = subprocess.run(["make", "-s", "install", f"DESTDIR={dest}", "PREFIX=/usr"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return dest / "usr"


def render(page):
    """The page as man shows it, with every groff warning on stderr."""
    groff = shutil.which("groff")
    if not groff:
        pytest.fail("groff not found: run `make deps` (Debian package groff-base)")
    r = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-rLL=100n"], input=page.read_bytes(),
                       capture_output=True, timeout=30)
    assert r.returncode == 0 and not r.stderr, r.stderr.decode()
    return re.sub(r".\x08", "", r.stdout.decode())


def test_every_tool_is_installed(installed):
    assert len(TOOLS) >= 20, TOOLS
    for t in TOOLS:
        link = installed / "bin" / t
        assert link.is_symlink() and str(link.readlink()) == "tracekit", t
    r = subprocess.run([str(installed / "bin" / "tcplife"), "-h"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("usage: tcplife ")


@pytest.mark.parametrize("tool", TOOLS)
def test_tool_man_page(installed, tool):
    """NAME, SYNOPSIS as in -h, and every option of -h documented."""
    text = render(installed / "share/man/man8" / f"{tool}.8")
    help_text = subprocess.run([str(TRACEKIT), tool, "-h"], capture_output=True,
                               text=True).stdout
    assert re.search(rf"^NAME\n\s+{tool} - \S", text, re.M), text[:400]
    assert "SYNOPSIS" in text and "OPTIONS" in text, text[:400]
    opts = set(re.findall(r"(?<![\w-])(--?[\w][\w-]*)", help_text.split("\n\n", 1)[0]))
    for opt in opts - {"-h"}:
        assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])",
                         text.split("OPTIONS", 1)[1]), f"{tool}: {opt} not in the man page"


def test_tracekit_man_page(installed):
    text = render(installed / "share/man/man8/tracekit.8")
    assert re.search(r"^NAME\n\s+tracekit - ", text, re.M), text[:300]
    for word in ("-e 'program'", "--unsafe", "funccount", "tcptracer"):
        assert word in text, word
