"""The committed list of equivalent mutants: survivors no v1 command line can tell apart.

Each entry has a ``reason`` and either ``ids`` (a list of mutant IDs that share the
reason) or a ``scope`` (``MODULE:QUALNAME``: every mutant in that function or class,
nested ones included, for code that no v1 command line reaches or whose effect no v1
output shows).  The list cannot go stale: a listed mutant that is killed, an ID that
names no mutant and a scope that holds none are all errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .mutants import Mutant


class ListError(Exception):
    """The file is malformed."""


@dataclass(frozen=True)
class Entry:
    """One mutant (by ID) or one scope, and why it is equivalent."""

    reason: str
    id: str | None = None
    scope: str | None = None

    @property
    def key(self) -> str:
        return self.id or f"scope {self.scope}"

    def covers(self, mutant: Mutant) -> bool:
        if self.id is not None:
            return mutant.id == self.id
        module, _, qualname = (self.scope or "").partition(":")
        return mutant.module == module and (mutant.scope == qualname or mutant.scope.startswith(qualname + "."))


def load(path: Path) -> list[Entry]:
    """The entries of the file, one per ID or scope, each with its group's reason."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ListError(f"{path}: cannot read: {error}") from None
    if document is None:
        return []
    if not isinstance(document, dict) or not isinstance(document.get("equivalent", []), list):
        raise ListError(f"{path}: expected a mapping with a list 'equivalent'")
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, group in enumerate(document.get("equivalent") or [], 1):
        where = f"{path}: group {number}"
        if not isinstance(group, dict) or set(group) - {"ids", "scope", "reason"}:
            raise ListError(f"{where}: expected the keys ids or scope, and reason")
        if ("ids" in group) == ("scope" in group):
            raise ListError(f"{where}: give exactly one of ids and scope")
        reason = group.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ListError(f"{where}: every group needs its reason")
        if "scope" in group:
            if not isinstance(group["scope"], str) or ":" not in group["scope"]:
                raise ListError(f"{where}: scope must be MODULE:QUALNAME, not {group['scope']!r}")
            found = [Entry(reason.strip(), scope=group["scope"])]
        else:
            ids = group["ids"]
            if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
                raise ListError(f"{where}: ids must be a non-empty list of mutant IDs")
            found = [Entry(reason.strip(), id=i) for i in ids]
        for entry in found:
            if entry.key in seen:
                raise ListError(f"{where}: {entry.key} is listed twice")
            seen.add(entry.key)
        entries += found
    return entries


def covering(entries: list[Entry], mutant: Mutant) -> Entry | None:
    """The entry that declares this mutant equivalent: its own id first, else a scope."""
    for entry in entries:
        if entry.id == mutant.id:
            return entry
    for entry in entries:
        if entry.scope is not None and entry.covers(mutant):
            return entry
    return None


def unknown(entries: list[Entry], mutants: list[Mutant], modules: set[str]) -> list[str]:
    """Problems with entries of the given modules that match no mutant (the code changed)."""
    problems = []
    for entry in entries:
        module = (entry.id or entry.scope or "").partition(":")[0]
        if module not in modules:
            continue
        if not any(entry.covers(m) for m in mutants):
            what = "names no mutant" if entry.id else "holds no mutant"
            problems.append(f"listed as equivalent, but {what} (the code changed: update the list): {entry.key}")
    return problems
