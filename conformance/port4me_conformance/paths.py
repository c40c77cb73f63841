"""Where the shipped files live: the vectors, the spec files and the known-differences files.

In a checkout, shipped/vectors and shipped/spec are links to the repository's vectors/ and
spec/; a wheel holds copies of their files, so the runner needs no checkout.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def vectors_dir() -> Path:
    return _HERE / "shipped" / "vectors"


def spec_dir() -> Path:
    return _HERE / "shipped" / "spec"


def known_differences_dir() -> Path:
    return _HERE / "known_differences"


def shipped_known_differences() -> dict[str, Path]:
    """Short name -> file, for ``--known-differences=NAME`` (upstream-python-0.7.0, ...)."""
    return {path.stem: path for path in sorted(known_differences_dir().glob("*.yaml"))}
