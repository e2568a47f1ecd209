"""bpftrace 0.26's standard library in tracekit's language, where the exit status or stderr
is what is checked: exit(code), errorf/warnf/assert, getopt() and the named options after
`--`. Texts are bpftrace 0.26's (../shared/reference/bpftrace-0.26.md 2.6 and 2.9); the
stdout of running programs is checked by the conformance cases tests/lang/cases/v26_std_*.
"""

import os

import pytest

from conftest import TRACEKIT, collect, require_file, spawn

ENV_017 = {"TRACEKIT_COMPAT": "0.17"}


def run(args, env=None, timeout=30):
    """tracekit ARGS to its end: (rc, stdout, stderr)."""
    require_file(TRACEKIT, "run `make` first")
    return collect(spawn([TRACEKIT, *args], env=env), timeout)


def test_exit_code_is_the_status(no_leftovers):
    prog = 'begin { @n = 1; exit(3); printf("not reached\\n"); } end { printf("end\\n"); }'
    rc, out, err = run(["-e", prog])
    assert rc == 3
    assert out == "end\n\n\n@n: 1\n"
    assert err == "Attached 2 probes\n"


def test_exit_code_from_an_expression(no_leftovers):
    rc, out, _ = run(["-q", "-e", "begin { $x = 20; exit($x + 2); }"])
    assert (rc, out) == (22, "\n\n")


def test_exit_without_code_is_zero(no_leftovers):
    rc, _, _ = run(["-q", "-e", "begin { exit(); }"])
    assert rc == 0


def test_exit_code_errors(no_leftovers):
    rc, out, err = run(["-e", "begin { exit(1, 2); }"])
    assert (rc, out) == (1, "")
    assert err == (
        "stdin:1:9-19: ERROR: exit() takes up to one argument (2 provided)\n"
        "begin { exit(1, 2); }\n"
        "        ~~~~~~~~~~\n"
    )
    rc, _, err = run(["-e", 'begin { exit("x"); }'])
    assert rc == 1
    assert err.startswith("stdin:1:14-17: ERROR: exit() expects an integer exit code\n")
    # 0.17 had no exit code
    rc, _, err = run(["-e", "BEGIN { exit(1); }"], env=ENV_017)
    assert rc == 1
    assert err.startswith("stdin:1:9-16: ERROR: exit() requires no arguments (1 provided)\n")


def test_errorf_and_warnf_go_to_stderr(no_leftovers):
    prog = 'begin { errorf("bad %d", 3); warnf("w %s", "x"); printf("after\\n"); exit(); }'
    rc, out, err = run(["-q", "-e", prog])
    assert rc == 0  # neither stops the program
    assert out == "after\n\n\n"
    assert err == "stdin:1:9-28: ERROR: bad 3\nstdin:1:30-48: WARNING: w x\n"


def test_no_warnings_silences_warnf_only(no_leftovers):
    prog = 'begin { errorf("bad %d", 3); warnf("w %s", "x"); exit(); }'
    rc, _, err = run(["-q", "--no-warnings", "-e", prog])
    assert rc == 0
    assert err == "stdin:1:9-28: ERROR: bad 3\n"


def test_errorf_from_a_file_names_it(tmp_path, no_leftovers):
    f = tmp_path / "e.bt"
    f.write_text('begin {\n  errorf("n=%d", 7);\n  exit();\n}\n')
    rc, _, err = run(["-q", str(f)])
    assert rc == 0
    assert err == f"{f}:2:3-20: ERROR: n=7\n"


def test_assert(no_leftovers):
    prog = 'begin { assert(1 > 2, "x positive"); printf("not reached\\n"); } end { printf("end\\n"); }'
    rc, out, err = run(["-q", "-e", prog])
    assert rc == 1
    assert out == "end\n\n\n"
    assert err == "stdin:1:9-36: ERROR: assert failed: x positive\n"
    rc, out, err = run(["-q", "-e", 'begin { assert(2 > 1, "fine"); printf("ok\\n"); }'])
    assert (rc, out, err) == (0, "ok\n\n\n", "")


def test_assert_and_errorf_need_their_arguments(no_leftovers):
    rc, _, err = run(["-e", "begin { assert(1); }"])
    assert rc == 1
    assert err.startswith("stdin:1:9-18: ERROR: assert() requires 2 arguments (1 provided)\n")
    rc, _, err = run(["-e", 'begin { errorf("%d"); }'])
    assert rc == 1
    assert err.startswith(
        "stdin:1:9-21: ERROR: errorf: Not enough arguments for format string "
        "(0 supplied, 1 expected)\n"
    )
    rc, _, err = run(["-e", 'BEGIN { errorf("x"); }'], env=ENV_017)
    assert rc == 1
    assert err.startswith("stdin:1:9-15: ERROR: Unknown function: errorf\n")


GETOPT = 'begin { printf("%d %s\\n", getopt("depth", 35, "how deep"), getopt("v")); }'


def test_getopt_unknown_option(no_leftovers):
    rc, out, err = run(["-e", GETOPT, "--", "--depht=3", "--x"])
    assert (rc, out) == (1, "")
    assert err == (
        "ERROR: unexpected program command line options: --depht=3, --x\n"
        "HINT: expected program options: --depth, --v\n"
    )


def test_getopt_bad_values(no_leftovers):
    rc, out, err = run(["-e", GETOPT, "--", "--depth=abc"])
    assert (rc, out) == (1, "")
    assert err == "ERROR: program command line option --depth expects an integer (value: abc)\n"
    rc, _, err = run(["-e", GETOPT, "--", "--v=maybe"])
    assert rc == 1
    assert err == "ERROR: program command line option --v expects a boolean (value: maybe)\n"
    rc, _, err = run(["-e", 'begin { print(getopt("n", 5)); }', "--", "--n=-1"])
    assert rc == 1
    assert err == "ERROR: program command line option --n expects an integer (value: -1)\n"


def test_getopt_help_lists_the_options(no_leftovers):
    rc, out, err = run(["-e", GETOPT, "--", "--help"])
    assert (rc, err) == (1, "")
    assert out == (
        "PROGRAM OPTIONS:\n"
        "  --depth=uint64 (default: 35)  how deep\n"
        "  --v (default: false)\n"
    )


def test_getopt_same_default_everywhere(no_leftovers):
    rc, _, err = run(["-e", 'begin { print(getopt("v")); print(getopt("v", true)); }'])
    assert rc == 1
    assert err.startswith(
        "stdin:1:35-52: ERROR: getopt(): every use of --v must give the same default and "
        "description\n"
    )


def test_getopt_literals_only(no_leftovers):
    rc, _, err = run(["-e", "begin { print(getopt(comm)); }"])
    assert rc == 1
    assert err.startswith(
        "stdin:1:22-26: ERROR: getopt() expects a string literal as the option name\n"
    )
    rc, _, err = run(["-e", 'begin { print(getopt("x", pid)); }'])
    assert rc == 1
    assert err.startswith(
        "stdin:1:27-30: ERROR: getopt() expects a literal default value "
        "(bool, integer or string)\n"
    )


def test_positional_and_named_together(tmp_path, no_leftovers):
    f = tmp_path / "p.bt"
    f.write_text('begin { printf("%d %d\\n", $1, getopt("x", 1)); exit(); }\n')
    rc, out, _ = run(["-q", str(f), "5", "--", "--x=3"])
    assert (rc, out) == (0, "5 3\n\n\n")


def test_str_length_warning(no_leftovers):
    # a compile warning of a successful 0.26 compile is on stdout (ref. 2.7 Streams)
    rc, out, _ = run(["-e", "begin { print(str(0, 5000)); exit(); }"])
    assert rc == 0
    assert out.startswith(
        "stdin:1:22-26: WARNING: length param (5000) is too long and will be shortened to "
        "1024 bytes (see BPFTRACE_MAX_STRLEN)\n"
    )


def test_strstr_needle_bound(no_leftovers):
    rc, _, err = run(["-e", "begin { print(strstr(comm, str(0))); }"])
    assert rc == 1
    assert err.startswith(
        "stdin:1:28-34: ERROR: strstr(): the needle can be at most 64 bytes long "
        "(string[1024] given): use a literal or str(ptr, 64)\n"
    )


def test_cpid_without_child_warns_at_run_time(no_leftovers):
    rc, out, err = run(["-q", "-e", "begin { print(cpid); exit(); }"])
    assert (rc, out) == (0, "0\n\n\n")
    assert err == "WARNING: No child command (`-c`); cpid is zero\n"
    rc, _, err = run(["-q", "--no-warnings", "-e", "begin { print(cpid); exit(); }"])
    assert (rc, err) == (0, "")
    # 0.17: a compile error
    rc, _, err = run(["-e", "BEGIN { print(cpid); }"], env=ENV_017)
    assert rc == 1
    assert err.startswith("stdin:1:15-19: ERROR: cpid cannot be used without child command\n")


def test_usermode_needs_registers(no_leftovers):
    rc, _, err = run(["-e", "tracepoint:sched:sched_switch { print(usermode); }"])
    assert rc == 1
    assert err.startswith(
        "stdin:1:39-47: ERROR: The usermode builtin can not be used with 'tracepoint' probes\n"
    )


def test_divide_by_zero_gives_one_and_warns(no_leftovers):
    prog = "begin { $a = (uint64)0; print(5 / $a); print(7 % $a); print(9 / ($a + 3)); }"
    rc, out, err = run(["-q", "-e", prog])
    assert (rc, out) == (0, "1\n1\n3\n\n\n")
    msg = (
        "WARNING: Divide or modulo by 0 detected. This can lead to unexpected results. "
        "1 is being used as the result.\n"
    )
    assert err == (
        f"stdin:1:31-37: {msg}{prog}\n" + " " * 30 + "~~~~~~\n"
        f"stdin:1:46-52: {msg}{prog}\n" + " " * 45 + "~~~~~~\n"
    )
    rc, out, err = run(["-q", "--no-warnings", "-e", prog])
    assert (rc, out, err) == (0, "1\n1\n3\n\n\n", "")
    # 0.17 left it to BPF: x / 0 is 0, x % 0 is x
    rc, out, _ = run(["-e", "BEGIN { $a = (uint64)0; print(5 / $a); print(7 % $a); exit(); }"],
                     env=ENV_017)
    assert (rc, out) == (0, "Attaching 1 probe...\n0\n7\n\n\n")


def cgroup2_mount():
    """Where cgroup2 is mounted here (/sys/fs/cgroup, or .../unified on a hybrid layout)."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.split()[0] == "cgroup2":
                return left.split()[4]
    return None


def test_cgroup_path_of_a_cgroup_the_test_makes(no_leftovers):
    mnt = cgroup2_mount()
    if not mnt:
        pytest.skip("no cgroup2 mounted")
    cg = os.path.join(mnt, f"tk-test-{os.getpid()}")
    os.mkdir(cg)
    try:
        prog = 'begin { print(cgroup_path(cgroup)); printf("%s\\n", cgroup_path(cgroup)); }'
        # the tracer itself joins the cgroup: begin runs in its context
        script = f'echo $$ > {cg}/cgroup.procs && exec "$0" "$@"'
        rc, out, err = collect(spawn(["/bin/sh", "-c", script, TRACEKIT, "-q", "-e", prog]), 30)
        want = f"unified:/tk-test-{os.getpid()}"
        assert (rc, out, err) == (0, f"{want}\n{want}\n\n\n", "")
    finally:
        os.rmdir(cg)


def test_buf_length_cap(no_leftovers):
    # 0.22 lifted 0.17's 256-byte cap to the string capacity
    rc, _, err = run(["-e", "begin { print(buf(0, 2000)); }"])
    assert rc == 1
    assert err.startswith("stdin:1:15-27: ERROR: buf() length must be between 1 and 1024\n")
    rc, _, err = run(["-e", "BEGIN { print(buf(0, 300)); }"], env=ENV_017)
    assert rc == 1
    assert err.startswith("stdin:1:15-26: ERROR: buf() length must be between 1 and 256\n")
    rc, out, _ = run(["-q", "-e", 'begin { $s = "abc"; printf("%rh|%rx|%r\\n", buf($s, 3), buf($s, 2), buf($s, 3)); }'])
    assert (rc, out) == (0, "61 62 63|\\x61\\x62|abc\n\n\n")


def test_index_errors(no_leftovers):
    rc, _, err = run(["-e", "begin { $t = (1, 2); print($t[5]); }"])
    assert rc == 1
    assert err.startswith(
        "stdin:1:28-33: ERROR: Invalid tuple index: 5. Found 2 elements in tuple.\n"
    )
    rc, _, err = run(["-e", "begin { $t = (1, 2); $i = 0; print($t[$i]); }"])
    assert rc == 1
    assert err.startswith(
        "stdin:1:39-41: ERROR: The index of a tuple must be a constant integer\n"
    )
    rc, _, err = run(["-e", 'begin { $s = "ab"; print($s[5]); }'])
    assert rc == 1
    assert err.startswith(
        "stdin:1:26-31: ERROR: the index 5 is out of bounds for array of size 3\n"
    )


def test_k_reports_failed_lookups_and_reads(no_leftovers):
    prog = 'begin { $x = @a[2]; printf("%s|\\n", str(8)); @a[1] = 1; exit(); }'
    rc, out, err = run(["-q", "-k", "-e", prog])
    assert (rc, out) == (0, "|\n\n\n@a[1]: 1\n")
    assert err == (
        "stdin:1:14-19: WARNING: Can't lookup map element because it does not exist.\n"
        "Additional Info - helper: map_lookup_elem, retcode: 0\n"
        f"{prog}\n" + " " * 13 + "~" * 5 + "\n"
        "stdin:1:37-43: WARNING: Bad address\n"
        "Additional Info - helper: probe_read_str, retcode: -14\n"
        f"{prog}\n" + " " * 36 + "~" * 6 + "\n"
    )
    # without -k these are silent
    rc, out, err = run(["-q", "-e", prog])
    assert (rc, out, err) == (0, "|\n\n\n@a[1]: 1\n", "")


def test_helper_error_json_record(no_leftovers):
    prog = "begin { $x = @a[2]; @a[1] = 1; exit(); }"
    rc, out, err = run(["-q", "-k", "-f", "json", "-e", prog])
    assert (rc, err) == (0, "")
    assert out.splitlines()[0] == (
        '{"type": "helper_error", "msg": "Can\'t lookup map element because it does not '
        'exist.", "helper": "map_lookup_elem", "retcode": 0, "filename": "stdin", '
        '"line": 1, "col": 14}'
    )


def test_bool_cast_and_btf_flag(no_leftovers):
    prog = "begin { print(((bool)1, (bool)0, (bool)256, (bool)-5)); }"
    rc, out, err = run(["-q", "--btf", "-b", "-e", prog])
    assert (rc, out, err) == (0, "(true, false, true, true)\n\n\n", "")


def test_huge_exponent_in_an_attach_point(no_leftovers):
    """A fuzz finding: 1e<huge> in an attach point looped 10^N times; now one error."""
    prog = "profile:hz:5e105555555555555 { @ = count(); }"
    rc, out, err = run(["-e", prog], timeout=10)
    assert (rc, out) == (1, "")
    assert err.startswith("stdin:1:1-29: ERROR: Invalid rate of profile probe\n")


def test_kaddr_is_the_kallsyms_address(no_leftovers):
    want = next(int(l.split()[0], 16) for l in open("/proc/kallsyms")
                if l.split()[2:3] == ["vfs_read"])
    rc, out, _ = run(["-q", "-e", 'begin { printf("%lx\\n", kaddr("vfs_read")); }'])
    assert (rc, out) == (0, f"{want:x}\n\n\n")
    rc, _, err = run(["-e", 'begin { print(kaddr("no_such_symbol_here")); }'])
    assert rc == 1
    assert err.startswith("stdin:1:15-43: ERROR: Could not resolve symbol: no_such_symbol_here\n")


def test_raw_stacks(tmp_path, no_leftovers):
    """ustack(raw) and config stack_mode = raw (0.18): bare hex addresses, no indent; the
    address of tk_add is looked up with nm at test time."""
    import shutil
    import subprocess

    from conftest import target
    prog_bin = tmp_path / "cprog"
    shutil.copy2(target("cprog-gcc"), prog_bin)
    nm = subprocess.run(["nm", str(prog_bin)], capture_output=True, text=True, check=True)
    addr = next(l.split()[0] for l in nm.stdout.splitlines() if l.endswith(" tk_add"))
    want = f"\n{int(addr, 16):x}\n"
    for prog in (f"uprobe:{prog_bin}:tk_add {{ print(ustack(raw, 1)); exit(); }}",
                 f"config = {{ stack_mode = raw }} uprobe:{prog_bin}:tk_add "
                 f"{{ print(ustack(1)); exit(); }}"):
        rc, out, err = run(["-q", "-c", f"{prog_bin} 1", "-e", prog])
        assert rc == 0, err
        # the child's "calls=" line lands where it lands
        assert want in out.replace("calls=1 slow=0\n", ""), out


def test_comm_of_a_pid(no_leftovers):
    """comm(pid) (0.25): the command of another process, read when printed."""
    import subprocess
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        prog = "begin { print(comm($1)); @[comm($1)] = count(); }"
        rc, out, err = run(["-q", "-e", prog, str(sleeper.pid)])
        assert (rc, out, err) == (0, "sleep\n\n\n@[sleep]: 1\n", "")
    finally:
        sleeper.kill()
        sleeper.wait()


def test_stack_limit_up_to_1024(no_leftovers):
    """0.26 takes a frame limit up to 1024 (the kernel walks at most 127 here)."""
    rc, out, _ = run(["-q", "-e", "profile:hz:99 { @[kstack(500)] = count(); exit(); }"])
    assert rc == 0 and out.startswith("\n\n@[")
    rc, _, err = run(["-e", "profile:hz:99 { @[kstack(2000)] = count(); }"])
    assert rc == 1
    assert err.startswith(
        "stdin:1:26-30: ERROR: kstack: invalid argument (expected perf, bpftrace, raw or a "
        "frame count 1-1024)\n")


def test_sigterm_stops_a_flood_of_system_commands(no_leftovers):
    """system() on a busy probe queues commands faster than they run: SIGTERM still ends the
    run promptly (queued commands are not started once the probes are gone) and END runs."""
    import signal
    import time

    prog = ('tracepoint:sched:sched_switch { system("true"); } '
            'end { printf("end\\n"); }')
    p = spawn([TRACEKIT, "--unsafe", "-q", "-e", prog])
    time.sleep(2)
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    rc, out, _ = collect(p, 30)
    assert time.monotonic() - t0 < 10
    assert rc == 0 and out.endswith("end\n\n\n")
