"""Where the vectors, schemas and spec live: inside the installed package, or in a checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_root() -> Path:
    """The folder holding vectors/ and spec/ (a wheel ships them under data/)."""
    packaged = _HERE / "data"
    if (packaged / "vectors").is_dir():
        return packaged
    checkout = _HERE.parent.parent
    if (checkout / "vectors").is_dir() and (checkout / "spec").is_dir():
        return checkout
    raise FileNotFoundError("cannot find the vectors: neither in the installed package nor in a checkout")


def vectors_dir() -> Path:
    return data_root() / "vectors"


def spec_dir() -> Path:
    return data_root() / "spec"
