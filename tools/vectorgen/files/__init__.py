"""One module per vector file, in the order they are built.

Each module declares ``FILE`` (the file's name, title and description) and
``cases()``, which yields its cases in order. A new file is a new module named here.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

NAMES = ("hash", "lcg", "sequence", "sets", "grammar", "settings", "cli", "test", "search", "check", "boundaries")


def modules() -> list[ModuleType]:
    return [import_module(f"{__name__}.{name}") for name in NAMES]
