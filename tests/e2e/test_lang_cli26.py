"""bpftrace 0.26's command line and probes in tracekit's language (the default dialect):
-k / --warnings / --no-warnings, -B, --probe-filter, the single-part interval/profile form,
self:signal:SIGUSR1 and SIGUSR1 without it, positional parameters in attach points.

Expected texts are bpftrace 0.26's (../shared/reference/bpftrace-0.26.md 1.4, 1.6, 2.2, 2.9,
2.10, and bpftrace's src/main.cpp for the option errors); exit codes as in 2.9 "Exit status".
The output of running programs is checked by the conformance cases tests/lang/cases/v26_cli_*.
"""

import os
import signal
import time

from conftest import (
    TRACEKIT,
    collect,
    kill_proc,
    require_file,
    run_tracer,
    spawn,
    stop,
    wait_line,
)

ENV_017 = {"TRACEKIT_COMPAT": "0.17"}


def run(args, env=None, timeout=30):
    """tracekit ARGS to its end: (rc, stdout, stderr)."""
    require_file(TRACEKIT, "run `make` first")
    return collect(spawn([TRACEKIT, *args], env=env), timeout)


def test_kk_rejected(no_leftovers):
    rc, out, err = run(["-k", "-k", "-e", "begin { }"])
    assert (rc, out) == (1, "")
    assert err == (
        "ERROR: USAGE: -kk has been deprecated. Use a single -k for runtime warnings for "
        "errors in map lookups and probe reads.\n"
    )
    rc, _, err2 = run(["-kk", "-e", "begin { }"])
    assert (rc, err2) == (1, err)


def test_k_conflicts_with_no_warnings(no_leftovers):
    msg = "ERROR: USAGE: -k, --warnings conflicts with --no-warnings\n"
    for args in (["-k", "--no-warnings"], ["--no-warnings", "-k"], ["--warnings", "--no-warnings"]):
        rc, out, err = run([*args, "-e", "begin { }"])
        assert (rc, out, err) == (1, "", msg), args


def test_k_and_no_warnings_alone_run(no_leftovers):
    for flag in ("-k", "--warnings", "--no-warnings"):
        rc, out, err = run([flag, "-q", "-e", 'begin { printf("ok\\n"); }'])
        assert (rc, out, err) == (0, "ok\n\n\n", ""), flag


def test_bad_buffer_mode(no_leftovers):
    rc, out, err = run(["-B", "block", "-e", "begin { }"])
    assert (rc, out) == (1, "")
    assert err == "ERROR: USAGE: -B must be either 'line', 'full', or 'none'.\n"


def test_buffer_full_to_file(no_leftovers, tmp_path):
    path = tmp_path / "out.txt"
    rc, out, err = run(["-B", "full", "-o", path, "-e", 'begin { printf("a\\n"); printf("b\\n"); }'])
    assert (rc, out) == (0, "")
    assert path.read_text() == "a\nb\n\n\n"


def test_probe_filter_bad_regex(no_leftovers):
    rc, out, err = run(["--probe-filter", "(", "-e", "begin { }"])
    assert (rc, out) == (1, "")
    # the reason after the colon is the C library's (regerror), not std::regex's
    assert err.startswith("ERROR: Invalid --probe-filter regex '(': ") and err.count("\n") == 1


def test_probe_filter_leaves_nothing(no_leftovers):
    prog = 'interval:s:1 { exit(); } tracepoint:sched:sched_process_exit { exit(); }'
    rc, out, err = run(["--probe-filter", "^uprobe:", "-e", prog])
    assert (rc, out, err) == (1, "No probes to attach\n", "")
    # -q hides it (2.9: "no attach notice (and no `No probes to attach`)")
    rc, out, err = run(["-q", "--probe-filter", "^uprobe:", "-e", prog])
    assert (rc, out, err) == (1, "", "")


def test_probe_filter_keeps_begin(no_leftovers):
    prog = 'begin { printf("b\\n"); } interval:s:1 { printf("x\\n"); }'
    rc, out, err = run(["--probe-filter", "zzz", "-e", prog])
    assert (rc, out, err) == (0, "b\n\n\n", "Attached 1 probe\n")


def test_interval_single_part_minimum(no_leftovers):
    rc, out, err = run(["-e", "interval:999 { exit(); }"])
    assert (rc, out) == (1, "")
    assert err.splitlines()[0] == (
        "stdin:1:1-13: ERROR: Invalid rate of interval probe. Minimum is 1000 or 1us. "
        "Found: 999 nanoseconds"
    )
    rc, _, err = run(["-e", "profile:0us { exit(); }"])
    assert rc == 1 and "Invalid rate of profile probe. Minimum is 1000 or 1us. Found: 0 " in err


def test_interval_single_part_bad_suffix(no_leftovers):
    rc, _, err = run(["-e", "interval:5x { exit(); }"])
    assert rc == 1
    assert err.splitlines()[0] == "stdin:1:1-12: ERROR: Invalid rate of interval probe"


def test_interval_single_part_not_in_017(no_leftovers):
    rc, _, err = run(["-e", "interval:100ms { exit(); }"], env=ENV_017)
    assert rc == 1
    assert "ERROR: interval probe must have a unit and a rate" in err.splitlines()[0]


def test_self_probe_errors(no_leftovers):
    for text, msg in (
        ("self:signal:SIGUSR2", "SIGUSR2 is not a supported signal"),
        ("self:sig:SIGUSR1", "sig is not a supported trigger"),
    ):
        rc, out, err = run(["-e", text + " { }"])
        assert (rc, out) == (1, "")
        assert err.splitlines()[0] == f"stdin:1:1-{len(text) + 1}: ERROR: {msg}"


def test_positional_param_bad_name(no_leftovers):
    rc, _, err = run(["-e", "interval:$x { exit(); }"])
    assert rc == 1
    assert err.splitlines()[0] == (
        'stdin:1:1-12: ERROR: invalid trailing character for positional param: x. Try '
        'quoting this entire part if this is intentional e.g. "$x".'
    )


def test_self_signal_runs_on_sigusr1(no_leftovers):
    t = run_tracer(["-e", 'self:signal:SIGUSR1 { @n = count(); printf("usr1\\n"); }'],
                   ready_regex="^Attached 1 probe$")
    for _ in range(2):
        os.kill(t.pid, signal.SIGUSR1)
        assert wait_line(t.proc, "usr1") == "usr1"
    rc, out, err = t.stop()
    assert rc == 0
    assert out == "usr1\nusr1\n\n\n@n: 2\n"


def test_self_signal_exit(no_leftovers):
    t = run_tracer(["-e", "self:signal:SIGUSR1 { exit(); } end { printf(\"end\\n\"); }"],
                   ready_regex="^Attached 2 probes$")
    os.kill(t.pid, signal.SIGUSR1)
    rc, out, err = t.wait(timeout=10)
    assert (rc, out) == (0, "end\n\n\n")


def test_sigusr1_without_probe_is_consumed(no_leftovers):
    t = run_tracer(["-e", 'begin { @a = 1; } interval:ms:50 { printf("tick\\n"); }'],
                   ready_regex="^Attached")
    wait_line(t.proc, "^tick$")
    os.kill(t.pid, signal.SIGUSR1)
    os.kill(t.pid, signal.SIGUSR1)
    # ticks after the signals: it neither ended tracekit nor printed anything else
    for _ in range(3):
        wait_line(t.proc, "^tick$")
    assert t.proc.poll() is None
    rc, out, err = t.stop()
    assert rc == 0
    assert out.endswith("tick\n\n\n@a: 1\n") and set(out.split("\n\n\n")[0].split("\n")) == {"tick"}


def test_sigusr1_prints_maps_in_017(no_leftovers):
    t = run_tracer(["-e", "BEGIN { @b = 2; @a = 1; } interval:s:100 { }"], env=ENV_017,
                   ready_regex="^Attaching 2 probes")
    os.kill(t.pid, signal.SIGUSR1)
    assert wait_line(t.proc, "^@a: ") == "@a: 1"
    assert wait_line(t.proc, "^@b: ") == "@b: 2"
    rc, out, err = stop(t.proc)
    assert rc == 0
    assert out == "Attaching 2 probes...\n@a: 1\n@b: 2\n\n\n@a: 1\n@b: 2\n"


def test_pid_exit_ends_the_run(no_leftovers):
    """2.2 "Run order": the death of the -p process ends the run (end runs, maps print)."""
    target = spawn(["sleep", "100"])
    t = run_tracer(["-p", target.pid, "-e", 'interval:s:100 { } end { printf("end\\n"); }'],
                   ready_regex="^Attached")
    kill_proc(target)
    rc, out, err = t.wait(timeout=10)
    assert (rc, out) == (0, "end\n\n\n")


def test_no_warnings_silences_compile_warnings_and_hints(no_leftovers):
    """--no-warnings: no WARNING and no HINT line (here: 0.26's while deprecation)."""
    prog = "begin { $i = 0; while ($i < 1) { $i++; } }"
    rc, out, err = run(["-e", prog])
    assert rc == 0
    assert "WARNING: While loops are deprecated" in out and "HINT: For loops" in out
    rc, out, err = run(["--no-warnings", "-e", prog])
    assert (rc, out, err) == (0, "\n\n", "Attached 1 probe\n")


def test_usdt_arg_beyond_the_note(no_leftovers):
    """argN past what the site's note describes: one error line, the excerpt, exit 1."""
    from conftest import TARGETS
    probe = f"usdt:{TARGETS}/usdtprog:tkusdt:args"
    prog = probe + ' { printf("%d\\n", arg3); }'
    rc, out, err = run(["-e", prog])
    col = prog.index("arg3") + 1
    assert (rc, out) == (1, "")
    assert err.splitlines()[0] == (
        f"stdin:1:{col}-{col + 4}: ERROR: arg3: {probe} has 3 arguments")


def test_usdt_star_needs_a_pid(no_leftovers):
    """usdt:*:... searches the files of the -p process: without -p, one error line."""
    prog = "usdt:*:tkusdt:args { @ = count(); }"
    rc, out, err = run(["-e", prog])
    assert (rc, out) == (1, "")
    assert err == (
        "stdin:1:1-19: ERROR: usdt:* needs -p PID: the files of which process?\n"
        f"{prog}\n" + "~" * 18 + "\n"
    )


def test_begin_runs_after_the_attach_notice(no_leftovers):
    """0.26 attaches every probe, says so, then runs begin: on one stream the notice comes
    first (0.17 ran begin before attaching the rest)."""
    import subprocess
    prog = 'begin { printf("hi\\n"); exit(); } tracepoint:sched:sched_switch { @ = count(); }'
    r = subprocess.run([TRACEKIT, "-e", prog], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    assert r.returncode == 0
    assert r.stdout.startswith("Attached 2 probes\nhi\n")


def test_program_printing_from_its_own_writes_stops_on_sigint(no_leftovers):
    """uprobe:c:write fires on tracekit's own writes too: each printf feeds the probe again.
    The run must still reach its event loop and stop at SIGINT, not spin in the ring buffer."""
    t = run_tracer(["-e", 'uprobe:c:write { printf("%d\\n", arg2); }'], ready_regex=r"^Attached")
    time.sleep(1.0)
    rc, out, err = t.stop()
    assert rc == 0, err
    assert out.count("\n") > 1  # it did feed itself
