"""-l for the probe types whose probes are fixed lists or the kernel's BTF, as bpftrace 0.26
lists them (../shared/reference/bpftrace-0.26.md 2.9 -l; bpftrace's ProbeMatcher): interval
and profile give their units (TIME_UNITS s, ms, us, hz), software its events and their
aliases (SW_PROBE_LIST), each as "TYPE:NAME:" and sorted as strings; rawtracepoint gives
the kernel BTF's btf_trace_EVENT typedefs as "rawtracepoint:vmlinux:EVENT" in name order.
The pattern's first part is a glob; nothing matching lists nothing and exits 0.
"""

import subprocess
import time

from conftest import TRACEKIT, require_file


def listing(pattern):
    require_file(TRACEKIT, "run `make`")
    r = subprocess.run([str(TRACEKIT), "-l", pattern], capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    return r.stdout.splitlines()


def test_list_timer_units(no_leftovers):
    units = ["hz", "ms", "s", "us"]
    assert listing("interval:*") == [f"interval:{u}:" for u in units]
    assert listing("profile:") == [f"profile:{u}:" for u in units]
    assert listing("i:?s") == ["interval:ms:", "interval:us:"]
    assert listing("interval:s:*") == ["interval:s:"]
    assert listing("interval:ns") == []


def test_list_software_names_and_aliases(no_leftovers):
    names = ["alignment-faults", "bpf-output", "context-switches", "cpu-clock",
             "cpu-migrations", "cpu", "cs", "dummy", "emulation-faults", "faults",
             "major-faults", "minor-faults", "page-faults", "task-clock"]
    assert listing("software:*") == [f"software:{n}:" for n in names]
    assert listing("s:*:*") == [f"software:{n}:" for n in names]
    assert listing("software:*faults") == ["software:alignment-faults:",
                                           "software:emulation-faults:", "software:faults:",
                                           "software:major-faults:", "software:minor-faults:",
                                           "software:page-faults:"]
    assert listing("software:nope") == []


def test_list_rawtracepoints(no_leftovers):
    t0 = time.monotonic()
    every = listing("rawtracepoint:*")
    took = time.monotonic() - t0
    names = [line.removeprefix("rawtracepoint:vmlinux:") for line in every]
    assert all(line.startswith("rawtracepoint:vmlinux:") for line in every)
    assert names == sorted(set(names))
    # raw tracepoints, not tracefs events: the syscall events have no btf_trace_ typedef
    assert "sched_switch" in names and "sys_enter" in names
    assert "sys_enter_openat" not in names
    assert listing("rt:sched_switch") == ["rawtracepoint:vmlinux:sched_switch"]
    assert listing("rawtracepoint:vmlinux:sched_switch") == ["rawtracepoint:vmlinux:sched_switch"]
    assert listing("rawtracepoint:*:sched_switch") == ["rawtracepoint:vmlinux:sched_switch"]
    assert listing("rawtracepoint:nf_tables:sched_switch") == []
    assert took < 5, f"-l 'rawtracepoint:*' took {took:.2f}s"
