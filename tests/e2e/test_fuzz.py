"""Every libFuzzer target (tests/fuzz/fuzz_*.c -> build/fuzz/fuzz_*) runs 8 s under ASan
and UBSan without finding anything.

Each run starts from tests/fuzz/corpus/NAME (if present), copied to a temporary directory so
new corpus entries never land in the repository. A crash leaves its input in that directory,
named in the failure message.
"""

import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT

SOURCES = sorted((ROOT / "tests" / "fuzz").glob("fuzz_*.c"))
FUZZ_SECONDS = 8


# With no source at all, one failing case (never an empty, silently skipped set).
@pytest.mark.parametrize("name", [s.stem for s in SOURCES] or ["(none)"])
def test_fuzz(name, tmp_path):
    assert SOURCES, "no tests/fuzz/fuzz_*.c found"
    binary = BUILD / "fuzz" / name
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `make fuzz` first")
    corpus = tmp_path / "corpus"
    seed = ROOT / "tests" / "fuzz" / "corpus" / name
    if seed.is_dir():
        shutil.copytree(seed, corpus)
    else:
        corpus.mkdir()
    argv = [
        binary,
        # A fixed seed and run count make CI replay the same inputs every time (a time cut
        # on a slow machine only shortens that sequence); longer hunts: run the binary.
        "-seed=1",
        "-runs=200000",
        f"-max_total_time={FUZZ_SECONDS}",
        "-rss_limit_mb=2048",
        "-timeout=20",  # one input taking longer is a hang: report it
        f"-artifact_prefix={tmp_path}/",
        corpus,
    ]
    r = subprocess.run(
        argv, capture_output=True, text=True, errors="replace", timeout=FUZZ_SECONDS + 60
    )
    artifacts = sorted(p.name for p in tmp_path.iterdir() if p.name != "corpus")
    assert r.returncode == 0, (
        f"{name} exited with {r.returncode}; inputs kept in {tmp_path}: {artifacts}\n"
        f"{r.stderr[-8000:]}"
    )
