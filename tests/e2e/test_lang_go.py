"""The trace language on Go programs, where it goes beyond bpftrace 0.17:

- a Go uretprobe is a uprobe on every RET, paired with its entry by (goid, g.stack.hi - SP),
  so `args` read at return are the values of *that* call (through stack growth and
  recursion), e.g. `*args.reply` once Mul has filled it in;
- entry probes sit on the prologue's branch to morestack and count only when it is not
  taken, so a call whose stack grows is counted once;
- the seed article's `+OFFSET` one-liner, with the offset found by disassembly (Debian's
  bpftrace cannot probe offsets at all), and its unquoted Go name.

Every number is exact: the workloads make a known number of calls with known arguments.
Private copies of the targets keep other tests' processes out of our probes.
"""

import re
import shutil
import subprocess

from conftest import BPFTRACE_NOTIFY, collect, free_port, run_tracer, spawn, target, wait_line


def tracer(prog):
    """tracekit -e prog, once its probes are attached, in bpftrace 0.17's dialect (the
    expectations here, "Attaching" line included, are the ones bpftrace 0.17 prints)."""
    return run_tracer(["-e", prog], ready_regex=BPFTRACE_NOTIFY,
                      env={BPFTRACE_NOTIFY: "1", "TRACEKIT_COMPAT": "0.17"})


def private(tmp_path, name):
    dst = tmp_path / name
    shutil.copy2(target(name), dst)
    return dst


def rpc_server(binary):
    port = free_port()
    proc = spawn([binary, "-addr", f"127.0.0.1:{port}"])
    wait_line(proc, r"listening on")
    return port


def rpc_calls(port, n, a, b):
    c = spawn([target("rpcclient"), "-addr", f"127.0.0.1:{port}", "-n", n, "-a", a, "-b", b])
    rc, out, err = collect(c, 60)
    assert rc == 0 and f"calls={n} errors=0" in out, out + err


def test_uretprobe_reads_entry_args_and_reply(tmp_path, no_leftovers):
    srv = private(tmp_path, "rpcserver")
    port = rpc_server(srv)
    prog = (
        f'uretprobe:{srv}:"main.(*Arith).Mul" {{ printf("%s A=%d B=%d reply=%d ret=%d\\n", '
        "func, args.args.A, args.args.B, *(int64*)args.reply, retval); }"
    )
    t = tracer(prog)
    rpc_calls(port, 3, 7, 6)
    rpc_calls(port, 2, 11, 5)
    rc, out, err = t.stop()
    assert rc == 0, err
    lines = [l for l in out.splitlines() if l.startswith("main.")]
    assert lines == ["main.(*Arith).Mul A=7 B=6 reply=42 ret=0"] * 3 + [
        "main.(*Arith).Mul A=11 B=5 reply=55 ret=0"
    ] * 2


def test_entry_counted_once_and_returns_paired_through_stack_growth(tmp_path, no_leftovers):
    gs = private(tmp_path, "gostress")
    prog = (
        f"uprobe:{gs}:main.f {{ @entry = count(); }} "
        f"uretprobe:{gs}:main.grow {{ @ret[args.depth == 0] = count(); @d = sum(args.depth); }} "
        f"uretprobe:{gs}:main.f {{ @fret[args.mode] = count(); }}"
    )
    t = tracer(prog)
    for mode, n in (("grow", 200), ("big", 300), ("yield", 100)):
        argv = [gs, "-mode", mode, "-n", n, "-g", 4] + (["-depth", 16] if mode == "grow" else [])
        r = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and f"calls={n}" in r.stdout, r.stdout + r.stderr
    rc, out, err = t.stop()
    assert rc == 0, err
    body = out.split("\n\n\n", 1)[1].splitlines()
    # grow(16) recurses 17 levels: 16 with depth != 0, one with 0; sum of depths 136 per call
    assert sorted(body) == sorted([
        "@d: 27200",
        "@entry: 600",
        "@fret[big]: 300",
        "@fret[grow]: 200",
        "@fret[yield]: 100",
        "@ret[0]: 3200",
        "@ret[1]: 200",
    ])


def test_article_offset_one_liner(tmp_path, no_leftovers):
    srv = private(tmp_path, "rpcserver")
    dis = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", srv], capture_output=True, text=True, check=True
    ).stdout
    body = dis.split("<main.(*Arith).Mul>:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    addrs = [int(l.split(":")[0], 16) for l in body]
    store = next(i for i, l in enumerate(body) if re.search(r"mov\s+%\w+,\(%r8\)", l))
    off = addrs[store + 1] - addrs[0]  # the instruction after the store into *reply
    port = rpc_server(srv)
    prog = (
        f"uprobe:{srv}:main.(*Arith).Mul+{off} "
        '{ printf("%s - %s: reply: %d\\n", comm, func, *(int64*)reg("r8")); }'
    )
    t = tracer(prog)
    rpc_calls(port, 3, 10, 20)
    rc, out, err = t.stop()
    assert rc == 0, err
    assert out.splitlines()[1:4] == [f"{srv.name} - main.(*Arith).Mul: reply: 200"] * 3
