"""Command lines: every tool answers a wrong one the way bcc's argparse does, the language the
way bpftrace does (short), and the help says what is true.

A tool (exit status 2, nothing on stdout, nothing loaded):

    usage: funccount [-h] [-p PID] ... pattern [pattern ...]      <- the usage block of -h
                     [--json] [-v] pattern [pattern ...]
    funccount: error: unrecognized arguments: --bogus              <- exactly one more line

The language (exit status 1, bpftrace's): getopt's line, the synopsis, a pointer to --help.
"""

import os
import re
import subprocess

import pytest

from conftest import ROOT, TRACEKIT, require_file

TOOLS = sorted(m.group(1)
               for f in (ROOT / "src" / "tools").glob("*.c")
               for m in re.finditer(r"^TOOL_REGISTER\((\w+),", f.read_text(), re.M))


def run(*args, timeout=30):
    require_file(TRACEKIT, "run `make`")
    return subprocess.run([str(TRACEKIT), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def usage_block(tool):
    """The tool's usage block: its -h text up to the first blank line."""
    r = run(tool, "-h")
    assert r.returncode == 0 and r.stderr == "", r
    return r.stdout.split("\n\n")[0] + "\n"


def usage_error(tool, *args):
    """Run a wrong command line; check the shape; return the one error line's message."""
    r = run(tool, *args)
    assert r.returncode == 2, (args, r)
    assert r.stdout == "", (args, r.stdout)
    block = usage_block(tool)
    assert r.stderr.startswith(block), (args, r.stderr)
    rest = r.stderr[len(block):]
    assert rest.count("\n") == 1 and rest.endswith("\n"), (args, r.stderr)
    prefix = f"{tool}: error: "
    assert rest.startswith(prefix), (args, r.stderr)
    return rest[len(prefix):-1]


def test_every_tool_is_listed_by_help():
    r = run("help")
    assert r.returncode == 0
    listed = re.findall(r"^  (\w+) ", r.stdout.split("TOOLS")[1], re.M)
    assert sorted(listed) == TOOLS


@pytest.mark.parametrize("tool", TOOLS)
def test_help_on_stdout(tool):
    for flag in ("-h", "--help"):
        r = run(tool, flag)
        assert r.returncode == 0 and r.stderr == "", (flag, r)
        assert r.stdout.startswith(f"usage: {tool} [-h]"), r.stdout
        block = r.stdout.split("\n\n")[0]
        # argparse wraps a long synopsis: bcc's own profile and offcputime take 5 lines
        assert len(block.splitlines()) <= 5 and len(r.stdout) > len(block) + 40


@pytest.mark.parametrize("tool", TOOLS)
def test_unknown_option(tool):
    assert usage_error(tool, "--bogus") == "unrecognized arguments: --bogus"
    # -W: a letter none of bcc's tools takes (-Z is memleak's and trace's)
    assert usage_error(tool, "-W") == "unrecognized arguments: -W"


def valued_option(tool):
    """The first option of the usage block that takes a value ("-p" of "[-p PID]")."""
    m = re.search(r"\[(-\w|--[\w-]+) [A-Z{][^\]]*\]", usage_block(tool))
    return m and m.group(1)


# tools none of whose options takes a value, as in bcc
NO_VALUED_OPTION = ("tcpretrans", "tcpsynbl", "oomkill", "runqlen")


@pytest.mark.parametrize("tool", [t for t in TOOLS if t not in NO_VALUED_OPTION])
def test_missing_value(tool):
    opt = valued_option(tool)
    assert opt, tool
    msg = usage_error(tool, opt)
    assert re.fullmatch(rf"argument {re.escape(opt)}(/--[\w-]+)?: expected one argument", msg), msg


@pytest.mark.parametrize("argv,msg", [
    (["funccount", "-p"], "argument -p: expected one argument"),
    (["funccount", "-p", "x", "c:malloc"], "argument -p: invalid int value: 'x'"),
    (["funccount", "-p", "-T", "c:malloc"], "argument -p: expected one argument"),
    (["tcpconnlat", "--pid", "--json"], "argument -p/--pid: expected one argument"),
    (["funccount", "-d", "0", "c:malloc"],
     "argument -d: invalid value: '0' (expected a number from 1 to 31536000)"),
    (["funccount"], "the following arguments are required: pattern"),
    (["funcslower", "-u", "5"], "the following arguments are required: function"),
    (["funclatency", "c:read", "c:write"],
     "unrecognized arguments: c:write (one pattern only: use a glob or -r for several functions)"),
    (["funccount", "--json=1", "c:malloc"], "argument --json: ignored explicit argument '1'"),
    (["funccount", "-Tz", "c:malloc"], "unrecognized arguments: -z"),
    (["execsnoop", "--uid"], "argument -u/--uid: expected one argument"),
    (["execsnoop", "--max-args"], "argument --max-args: expected one argument"),
    (["execsnoop", "--max-args", "0"],
     "argument --max-args: invalid value: '0' (expected a number from 1 to 60)"),
    (["execsnoop", "--ti"], "ambiguous option: --ti could match --time, --timestamp"),
    (["exitsnoop", "-p", "abc"], "argument -p/--pid: invalid int value: 'abc'"),
    (["killsnoop", "-s", "SIGNOPE"],
     "argument -s/--signal: invalid value: 'SIGNOPE' (not a signal number or name)"),
    (["statsnoop", "extra", "more"], "unrecognized arguments: extra more"),
    (["tcptracer", "-4", "-6"], "argument -6/--ipv6: not allowed with argument -4/--ipv4"),
    (["tcpsynbl", "--ipv6", "-4"], "argument -4/--ipv4: not allowed with argument -6/--ipv6"),
    (["tcprtt", "-b", "-B"], "argument -B/--byraddr: not allowed with argument -b/--byladdr"),
    (["tcpdrop", "--netns-id", "1", "--pid-netns", "1"],
     "argument --pid-netns: not allowed with argument --netns-id"),
    (["tcptracer", "--cgroupmap", "/sys/fs/bpf/x"], "argument --cgroupmap: not supported"),
    (["tcpconnect", "--dns"], "argument -d/--dns: not supported"),
    (["tcpconnect", "-P", "0"],
     "argument -P/--port: invalid value: '0' (expected comma-separated ports 1-65535)"),
    (["tcptop", "0"], "argument interval: invalid value: '0' (expected a number from 1 to 86400)"),
    (["tcptop", "1", "2", "3"], "unrecognized arguments: 3"),
    (["tcpsynbl", "x"], "argument interval: invalid int value: 'x'"),
    (["tcpsubnet", "-f", "x"],
     "argument -f/--format: invalid choice: 'x' (choose from 'b', 'k', 'm', 'B', 'K', 'M')"),
])
def test_error_messages(argv, msg):
    assert usage_error(*argv) == msg


def test_tool_errors_leave_nothing(no_leftovers):
    for tool in TOOLS:
        for args in (["--bogus"], ["-W"], ["-h"]):
            r = run(tool, *args)
            assert r.returncode in (0, 2), (tool, args, r)


def test_symlinked_tool_names_itself(tmp_path):
    link = tmp_path / "tcptracer"
    link.symlink_to(TRACEKIT)
    r = subprocess.run([str(link), "--bogus"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1] == "tcptracer: error: unrecognized arguments: --bogus"


# ---- the language ----------------------------------------------------------------------

SYNOPSIS = "USAGE:\n"


def lang_synopsis():
    r = run("--help")
    return r.stdout.split("\n\n")[0] + "\n"


@pytest.mark.parametrize("args,first", [
    (["--bogus"], "unrecognized option '--bogus'"),
    (["-Z", "-e", "BEGIN { exit(); }"], "invalid option -- 'Z'"),
    (["-e"], "option requires an argument -- 'e'"),
    (["-v"], "ERROR: no program given: -e 'program' or a file"),
])
def test_language_bad_command_line(args, first):
    r = run(*args)
    assert r.returncode == 1 and r.stdout == "", r
    lines = r.stderr.splitlines()
    assert lines[0].endswith(first), r.stderr
    assert "\n".join(lines[1:]) + "\n" == lang_synopsis() + "Run 'tracekit --help' for all options.\n"
    assert "OPTIONS" not in r.stderr


def test_language_help_is_the_whole_help():
    r = run("--help")
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith(SYNOPSIS)
    for flag in ("-h", "help"):
        assert run(flag).stdout == r.stdout
    assert "not supported" not in r.stdout
    assert re.search(r"^    --unsafe +allow unsafe builtins \(system\(\)\)$", r.stdout, re.M)
    assert re.search(r"^  funccount ", r.stdout, re.M)


def test_language_help_options_work(no_leftovers, tmp_path):
    """Every option the help lists does what it says."""
    options = re.findall(r"^    (-\w|--[\w-]+)[ ,]", run("--help").stdout.split("OPTIONS:")[1].split("TOOLS")[0], re.M)
    assert options == ["-e", "-l", "-v", "-p", "-c", "-f", "-o", "-q", "-B", "-k",
                       "--no-warnings", "--probe-filter", "--dry-run", "--compat", "--unsafe",
                       "--metrics", "--metrics-max-series", "-b", "-h", "-V"]
    begin = "BEGIN { printf(\"hi\\n\"); exit(); }"
    r = run("-e", begin)
    assert r.returncode == 0 and "hi" in r.stdout
    r = run("-l", "tracepoint:sched:sched_process_exi*")
    assert r.returncode == 0 and "tracepoint:sched:sched_process_exit" in r.stdout.split()
    r = run("-lv", "tracepoint:sched:sched_process_exit")
    assert r.returncode == 0 and "    pid_t pid" in r.stdout.splitlines()
    r = run("-v", "-e", begin)
    assert r.returncode == 0 and "hi" in r.stdout
    r = run("-p", os.getpid(), "-e", begin)
    assert r.returncode == 0 and "hi" in r.stdout
    r = run("-c", "true", "-e", "BEGIN { printf(\"%d\\n\", cpid > 0); }")
    assert r.returncode == 0 and "1" in r.stdout.split()
    r = run("-f", "json", "-e", begin)
    assert r.returncode == 0 and '{"type": "printf", "data": "hi\\n"}' in r.stdout.splitlines()
    out = tmp_path / "out.txt"
    r = run("-o", out, "-e", begin)
    assert r.returncode == 0 and r.stdout == "" and out.read_text() == "hi\n\n\n"
    r = run("-q", "-e", begin)
    assert r.returncode == 0 and r.stderr == "" and r.stdout == "hi\n\n\n"
    r = run("--dry-run", "-e", begin)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "Attached 1 probe\n"
    r = run("--compat", "0.17", "-e", begin)
    assert r.returncode == 0 and r.stdout == "Attaching 1 probe...\nhi\n\n\n"
    r = run("--compat", "0.18", "-e", begin)
    assert r.returncode == 1 and r.stderr == 'ERROR: Invalid compat version "0.18" (valid: 0.26, 0.17)\n'
    r = run("-o", tmp_path / "no" / "such", "-e", begin)
    assert r.returncode == 1 and r.stderr.startswith("ERROR: Failed to open output file")
    r = run("--unsafe", "-e", "BEGIN { system(\"echo unsafe-ok\"); exit(); }")
    assert r.returncode == 0 and "unsafe-ok" in r.stdout.splitlines()
    r = run("--metrics", "127.0.0.1:1", "--metrics-max-series", "5", "-e", begin)
    assert r.returncode == 0 and "hi" in r.stdout
    assert "Serving metrics on http://127.0.0.1:1/metrics" in r.stderr.splitlines()
    r = run("-b", "-q", "-e", begin)
    assert r.returncode == 0 and r.stdout == "hi\n\n\n"
    r = run("-V")
    assert r.returncode == 0 and r.stdout.startswith("tracekit")
    prog = tmp_path / "p.bt"
    prog.write_text("BEGIN { printf(\"%s %d\\n\", str($1), $#); exit(); }")
    r = run(prog, "arg1")
    assert r.returncode == 0 and "arg1 1" in r.stdout.splitlines()
