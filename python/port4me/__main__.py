"""``python -m port4me``: the same command as ``port4me``."""

from .cli import run

if __name__ == "__main__":
    run()
