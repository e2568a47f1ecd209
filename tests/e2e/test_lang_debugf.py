"""debugf(fmt, ...) (../shared/reference/bpftrace-0.26.md 2.6, 2.10): bpf_trace_printk(),
whose line goes to the kernel's trace buffer (trace_pipe), not to tracekit's output; at most
3 arguments, the helper's conversions only; a compile warning with bpftrace's text. The
other error texts are ours (bpftrace's come from its printf checks)."""

import os
import subprocess
import uuid

import pytest

from conftest import TRACEKIT, require_file

TRACE = "/sys/kernel/tracing/trace"
WARN = ("WARNING: The debugf() builtin is not recommended for production use. For more "
        "information see bpf_trace_printk in bpf-helpers(7).")


def run(prog, compat="0.26"):
    require_file(TRACEKIT, "run `make`")
    return subprocess.run([str(TRACEKIT), "-q", "-e", prog],
                          env={**os.environ, "TRACEKIT_COMPAT": compat}, capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)


def test_debugf_writes_the_trace_buffer(no_leftovers):
    if not os.path.exists(TRACE):
        pytest.skip("tracefs is not mounted")
    mark = "tk" + uuid.uuid4().hex[:10]
    prog = f'begin {{ debugf("{mark} %d %s %lx\\n", 42, "str", 255); exit(); }}'
    r = run(prog)
    assert r.returncode == 0, r.stderr
    # a successful compile's warnings are on stdout (0.26); nothing else is
    assert r.stdout.startswith(f"stdin:1:9-{prog.index('; exit') + 1}: {WARN}\n") and r.stdout.endswith("\n\n\n")
    with open(TRACE) as f:
        lines = [l for l in f if mark in l]
    assert len(lines) == 1 and lines[0].rstrip("\n").endswith(f"bpf_trace_printk: {mark} 42 str ff")


@pytest.mark.parametrize("prog,msg", [
    ('debugf("%d %d %d %d\\n", 1, 2, 3, 4)',
     "debugf() takes at most 3 arguments after the format (4 provided)"),
    ('debugf("%f\\n", 1)',
     "debugf: unsupported format specifier: f (bpf_trace_printk takes %d %i %u %x %p %s)"),
    ('debugf("%d\\n")', "not enough arguments for format string (0 supplied, 1 expected)"),
    ('debugf("x\\n", 1)', "too many arguments for format string (1 supplied, 0 expected)"),
    ('debugf($x)', "debugf() expects a string literal as its first argument"),
])
def test_debugf_errors(prog, msg, no_leftovers):
    r = run("begin { " + prog + "; }")
    assert (r.returncode, r.stdout) == (1, "")
    assert f": ERROR: {msg}\n" in r.stderr, r.stderr
