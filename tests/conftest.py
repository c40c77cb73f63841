"""Shared fixtures and helpers: the vectors, the installed reference command, upstream port4me 0.7.0,
one way to run a child process, and the suite's hypothesis settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from port4me_conformance.vectors import load_all

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT4ME = str(BIN / "port4me")
sys.path.insert(0, str(ROOT / "tools"))  # tools/ is no package: lets tests import the vector generator, vectorgen

# A hang detector, never a speed limit: a child that has not ended after this long is stuck.
# Minutes, so that a loaded machine (other jobs, two CPU burners) never trips it; speed and
# memory figures are `make bench`'s, as ratios against a baseline measured in the same run.
HANG_GUARD = 300.0

# No per-example deadline and no "too slow" health check: both measure wall clock, which a
# loaded machine stretches. Each property test still sets its own number of examples.
settings.register_profile("port4me", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("port4me")


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    stdin: str | bytes | None = None,
    text: bool = True,
    guard: float = HANG_GUARD,
) -> subprocess.CompletedProcess:
    """Run ``command`` to its end and capture both streams; ``env`` is the whole environment if given.

    ``guard`` only stops a hang (the test then fails with subprocess.TimeoutExpired); the
    test asserts what the process did, never how long it took.
    """
    return subprocess.run(
        [str(part) for part in command],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=text,
        timeout=guard,
        check=False,
    )


@pytest.fixture(scope="session")
def cases():
    return load_all()


@pytest.fixture(scope="session")
def reference_command() -> list[str]:
    """The installed ``port4me`` console script of this environment."""
    found = shutil.which("port4me", path=str(BIN))
    assert found, f"the port4me command is not installed in {BIN}: pip install -e ."
    return [found]


@pytest.fixture(scope="session")
def upstream_python() -> str:
    """Python of the separate virtual environment holding upstream port4me==0.7.0.

    Set up by `make test` (.venv-upstream); PORT4ME_UPSTREAM_PYTHON overrides. A missing
    upstream fails these tests, unless PORT4ME_SKIP_UPSTREAM=1 says to skip them on purpose.
    """
    python = os.environ.get("PORT4ME_UPSTREAM_PYTHON") or str(ROOT / ".venv-upstream/bin/python")
    if not Path(python).exists():
        if os.environ.get("PORT4ME_SKIP_UPSTREAM") == "1":
            pytest.skip("PORT4ME_SKIP_UPSTREAM=1: upstream port4me 0.7.0 not installed")
        pytest.fail(
            f"upstream port4me 0.7.0 not found at {python}; run `make upstream` (or set PORT4ME_UPSTREAM_PYTHON)"
        )
    return python
