"""The upstream cross-check: which upstream implementations agree with a vector.

spec/upstream/observed.json records what upstream Bash, Python and R did on edge
cases. A case linked to an observation records who agrees; a case that contradicts
what all upstream agree on is refused unless it cites the spec decision behind it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .case import Given, Link


class AuthoringError(Exception):
    """A case cannot be written as declared."""


class Observations:
    """The recorded upstream runs, by id (read once, never changed)."""

    def __init__(self, path: Path) -> None:
        self._cases = {c["id"]: c for c in json.loads(path.read_text(encoding="utf-8"))["cases"]}

    def __getitem__(self, name: str) -> dict:
        try:
            return self._cases[name]
        except KeyError:
            raise AuthoringError(f"no upstream observation {name!r}") from None

    def given(self, name: str) -> tuple[Given, bool]:
        """The observation's arguments and variables, and whether it ran with real checks.

        An observed variable of ``null`` was unset on purpose, which upstream only
        honoured with the testing switch off: such a case checks ports for real.
        """
        observed = self[name]
        env = {k: v for k, v in observed["env"].items() if v is not None}
        return Given(args=list(observed["args"]), env=env), any(v is None for v in observed["env"].values())

    def compare(self, case_id: str, link: Link, expect: Mapping[str, Any], decisions: Sequence[int]) -> dict:
        """The case's ``upstream`` field; refuses an uncited contradiction of an all-agree observation."""
        observed = self[link.observed]
        outcome = link.outcome if link.outcome is not None else expect
        agree, differ = [], []
        for impl, result in observed["observed"].items():
            (agree if same_outcome(outcome, result) else differ).append(impl)
        if differ and observed["agreement"] == "all agree" and not decisions:
            raise AuthoringError(
                f"{case_id}: contradicts {link.observed}, on which all upstream agree, with no decision cited"
            )
        entry: dict = {"observed": link.observed, "agree": agree, "differ": differ}
        if link.note:
            entry["note"] = link.note
        return entry


def same_outcome(expect: Mapping[str, Any], result: Mapping[str, Any]) -> bool:
    """Whether one recorded upstream run produced what the vector expects."""
    if result["timed_out"]:
        return False
    if "ports" in expect:
        wanted = "".join(f"{p}\n" for p in expect["ports"])
        return result["exit"] == 0 and result["stdout"] == wanted
    if "error" in expect:
        code = 2 if expect["error"] == "usage" else 1
        return result["exit"] == code and result["stdout"] == ""
    if "test" in expect:
        return result["exit"] == (0 if expect["test"] == "free" else 1) and result["stdout"] == ""
    return result["exit"] == 0
