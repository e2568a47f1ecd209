"""Every C unit test binary (tests/unit/test_*.c -> build/tests/test_*) must exit 0."""

import subprocess

import pytest

from conftest import BUILD, ROOT

SOURCES = sorted((ROOT / "tests" / "unit").glob("test_*.c"))


# With no source at all, one failing case (never an empty, silently skipped set).
@pytest.mark.parametrize("name", [s.stem for s in SOURCES] or ["(none)"])
def test_unit(name):
    assert SOURCES, "no tests/unit/test_*.c found"
    binary = BUILD / "tests" / name
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `make unit` first")
    r = subprocess.run([binary], capture_output=True, text=True, errors="replace", timeout=100)
    assert r.returncode == 0, (
        f"{name} exited with {r.returncode}\n--- stderr ---\n{r.stderr[-6000:]}"
        f"--- stdout ---\n{r.stdout[-3000:]}"
    )
