"""``python -m port4me_conformance``: the same as ``port4me-conformance``."""

from .cli import run

if __name__ == "__main__":
    run()
