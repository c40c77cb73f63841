"""Harnesses the kit ships for upstream port4me (INTERPRETING section 11): programs for other interpreters.

Each is run by the interpreter that holds its implementation (a Python with upstream
port4me 0.7.0, Rscript with the R package 0.7.1) and imports nothing from this package.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The file of a shipped harness: ``upstream_python.py``, ``upstream_r.R``."""
    found = HERE / name
    if not found.is_file():
        raise FileNotFoundError(f"no shipped harness {name!r} in {HERE}")
    return found
