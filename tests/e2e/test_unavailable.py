"""bcc's tools that tracekit lacks: `tracekit help` lists each with why, probed on this
kernel (kprobes: /sys/bus/event_source/devices/kprobe, the kprobe PMU), and `tracekit NAME`
says that one line and fails. No tracing: nothing to leave behind."""
import os
import re
import subprocess

import pytest

from conftest import TRACEKIT

KPROBES = os.path.exists("/sys/bus/event_source/devices/kprobe")
WHY = ": not built yet in tracekit" if KPROBES else ", not available on this kernel"


def run(*args):
    if not TRACEKIT.exists():
        pytest.fail(f"{TRACEKIT} is missing: run `make` first")
    return subprocess.run([str(TRACEKIT), *args], capture_output=True, text=True, timeout=20)


def sections():
    out = run("help").stdout
    tools_part = out.split("\nTOOLS ")[1].split("\nbcc's TOOLS NOT IN tracekit")[0]
    missing = out.split("\nbcc's TOOLS NOT IN tracekit")[1]
    tools = re.findall(r"^  (\w+) ", tools_part, re.M)
    lines = dict(re.findall(r"^  (\w+): +(.*)$", missing, re.M))
    # tool_list()'s "  name " lines are tools: these must never look like them
    assert not re.search(r"^  \w+ ", missing, re.M), missing
    return tools, lines, missing


def test_help_lists_missing_tools_with_reason():
    tools, lines, missing = sections()
    head = missing.splitlines()[0]
    assert head == " (this kernel has %skprobes):" % ("" if KPROBES else "no "), head
    for name in ("capable", "cachestat", "ext4slower", "xfsslower", "filelife", "vfsstat",
                 "klockstat"):
        assert name in lines, missing
        assert re.match(r"^needs kprobes \([\w*, .]+\)" + re.escape(WHY) + "$", lines[name])
    assert lines["capable"] == "needs kprobes (cap_capable)" + WHY
    # a tool tracekit has (a kprobe-free substitute) is never listed as missing
    assert tools and not set(tools) & set(lines), set(tools) & set(lines)


def test_running_a_missing_tool_says_why():
    r = run("capable")
    assert r.returncode == 1 and r.stdout == "", r
    assert r.stderr == "capable: needs kprobes (cap_capable)" + WHY + "\n"
    r = run("vfsstat", "-h")
    assert r.returncode == 1 and r.stderr.startswith("vfsstat: needs kprobes ("), r
