"""Shared fixtures: the vectors, the installed reference command, upstream port4me 0.7.0."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from port4me_conformance.vectors import load_all

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tools"))  # tools/ is no package: lets tests import the vector generator, vectorgen


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
