"""core/pprof.c's files read by the real `go tool pprof`.

build/tests/test_pprof (tests/unit/test_pprof.c) writes its sample profile to
$TK_PPROF_OUT: two Go samples (main.mix inlined into main.hotLoop, then main.main,
runtime.main; and main.hotLoop alone), a C sample under a kernel frame with a thread and
a tool's extra column, and a sample whose kernel and user stacks were both missed. The
values are samples/count and cpu/nanoseconds at 99 Hz (10101010 ns a sample). Nothing is
traced here: the tools' own --pprof tests check real profiles. It also writes a big
profile (30,000 distinct stacks of 12 frames) that is made and compressed in pieces on
several threads: pprof must read it as one.
"""

import os
import re
import subprocess

import pytest

from conftest import BUILD, require_file

GO = "/usr/local/go/bin/go"


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    binary = require_file(BUILD / "tests" / "test_pprof", "run `make unit` first")
    require_file(GO, "Go is needed for `go tool pprof`")
    path = tmp_path_factory.mktemp("pprof") / "sample.pb.gz"
    big = path.with_name("big.pb.gz")
    r = subprocess.run(
        [binary],
        env={**os.environ, "TK_PPROF_OUT": str(path), "TK_PPROF_BIG_OUT": str(big)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert path.stat().st_size > 0 and big.stat().st_size > 0
    return path


def pprof(path, *args):
    r = subprocess.run(
        [GO, "tool", "pprof", *args, str(path)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, f"go tool pprof {' '.join(args)}: {r.stderr}"
    return r.stdout


def test_raw(profile):
    """Every field as pprof decodes it: types, period, samples with labels, lines, mappings."""
    out = pprof(profile, "-raw")
    assert "PeriodType: cpu nanoseconds\n" in out
    assert "Period: 10101010\n" in out
    assert "Duration: 5s\n" in out
    assert "samples/count cpu/nanoseconds[dflt]\n" in out
    samples = re.sub(r"[ \t]+", " ", out.split("Samples:\n")[1].split("Locations")[0])
    assert samples.split("\n")[1:] == [
        " 3 30303030: 1 2 3 ",
        " comm:[goprof]",
        " pid:[100]",
        " 1 10101010: 4 2 3 ",
        " comm:[goprof]",
        " pid:[100]",
        " 2 20202020: 5 6 7 ",
        " comm:[cprof] extra:[waker1]",
        " pid:[200] tid:[201]",
        " 1 10101010: 8 9 ",
        " comm:[lost]",
        " pid:[300]",
        "",
    ]
    locations = re.sub(r"[ \t]+", " ", out.split("Locations\n")[1].split("Mappings")[0])
    assert [line.strip() for line in locations.strip().split("\n")] == [
        "1: 0x401010 M=1 main.mix /src/goprof/main.go:12:0 s=0",
        "main.hotLoop /src/goprof/main.go:20:0 s=0",
        "2: 0x402020 M=1 main.main /src/goprof/main.go:31:0 s=0",
        "3: 0x403030 M=1 runtime.main /usr/local/go/src/runtime/proc.go:283:0 s=0",
        "4: 0x401020 M=1 main.hotLoop /src/goprof/main.go:21:0 s=0",
        "5: 0xffffffff81a00010 M=2 asm_sysvec_apic_timer_interrupt :0:0 s=0",
        "6: 0x1110 M=3 hot_loop /src/cprof.c:10:0 s=0",
        "7: 0x1220 M=3 main /src/cprof.c:40:0 s=0",
        "8: 0x0 [Missed Kernel Stack] :0:0 s=0",
        "9: 0x0 [Missed User Stack] :0:0 s=0",
    ]
    mappings = re.sub(r"[ \t]+", " ", out.split("Mappings\n")[1])
    assert mappings.strip().split("\n") == [
        "1: 0x0/0x0/0x0 /usr/bin/goprof [FN][FL][LN][IN]",
        "2: 0x0/0x0/0x0 [kernel.kallsyms] [FN]",
        "3: 0x0/0x0/0x0 /opt/cprof [FN][FL][LN]",
    ]


def top_rows(out):
    """{function: (flat, cum)} of -top's table."""
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) +\S+% +\S+% +(\S+) +\S+%\s+(.*)$", line)
        if m and m.group(1) != "flat":
            rows[m.group(3)] = (m.group(1), m.group(2))
    return rows


def test_top(profile):
    """The default sample type is cpu time; the inlined function has its own row."""
    out = pprof(profile, "-top")
    assert "Type: cpu\n" in out
    assert "Total samples = 70.71ms" in out
    assert top_rows(out) == {
        "main.mix (inline)": ("30.30ms", "30.30ms"),
        "asm_sysvec_apic_timer_interrupt": ("20.20ms", "20.20ms"),
        "[Missed Kernel Stack]": ("10.10ms", "10.10ms"),
        "main.hotLoop": ("10.10ms", "40.40ms"),
        "[Missed User Stack]": ("0", "10.10ms"),
        "hot_loop": ("0", "20.20ms"),
        "main": ("0", "20.20ms"),
        "main.main": ("0", "40.40ms"),
        "runtime.main": ("0", "40.40ms"),
    }
    counts = top_rows(pprof(profile, "-top", "-sample_index=samples"))
    assert counts["main.mix (inline)"] == ("3", "3")
    assert counts["main.hotLoop"] == ("1", "4")


def test_lines(profile):
    """-lines: file:line of each frame, the inlined call's line apart from its caller's."""
    rows = top_rows(pprof(profile, "-top", "-lines"))
    assert rows["main.mix /src/goprof/main.go:12 (inline)"] == ("30.30ms", "30.30ms")
    assert rows["main.hotLoop /src/goprof/main.go:20"] == ("0", "30.30ms")
    assert rows["main.hotLoop /src/goprof/main.go:21"] == ("10.10ms", "10.10ms")
    assert rows["runtime.main /usr/local/go/src/runtime/proc.go:283"] == ("0", "40.40ms")
    assert rows["hot_loop /src/cprof.c:10"] == ("0", "20.20ms")


def test_traces(profile):
    """-traces: labels per sample, the inlined frame above its caller, kernel frame on top."""
    out = pprof(profile, "-traces")
    blocks = [
        "\n".join(re.sub(r"\s+", " ", line).strip() for line in b.strip().split("\n"))
        for b in re.split(r"(?m)^-+\+-+\n", out)[1:]
    ]
    assert blocks[:4] == [
        "comm: goprof\npid: 100\n30.30ms main.mix (inline)\nmain.hotLoop\nmain.main\nruntime.main",
        "comm: goprof\npid: 100\n10.10ms main.hotLoop\nmain.main\nruntime.main",
        "comm: cprof\nextra: waker1\npid: 200\ntid: 201\n"
        "20.20ms asm_sysvec_apic_timer_interrupt\nhot_loop\nmain",
        "comm: lost\npid: 300\n10.10ms [Missed Kernel Stack]\n[Missed User Stack]",
    ]


def test_tags(profile):
    """Labels can select samples: comm and pid, as `-tagfocus` users filter by process."""
    rows = top_rows(pprof(profile, "-top", "-tagfocus=comm=cprof"))
    assert set(rows) == {"asm_sysvec_apic_timer_interrupt", "hot_loop", "main"}
    out = pprof(profile, "-tags")
    assert re.search(r"pid: Total 70.71ms.*\n\s+40.40ms \(57.14%\): 100\n", out)


def test_big(profile):
    """30,000 samples written in pieces on several threads: one profile, every sample in it."""
    big = profile.with_name("big.pb.gz")
    out = pprof(big, "-top", "-sample_index=samples")
    assert "Showing nodes accounting for 30000, 100% of 30000 total" in out
    out = pprof(big, "-top")
    assert "Showing nodes accounting for 303.03s, 100% of 303.03s total" in out
    assert len(re.findall(r"(?m)^ +1 +10101010: ", pprof(big, "-raw"))) == 30000
