"""Turning declared cases into vector documents, in the files' field order."""

from __future__ import annotations

from collections.abc import Iterable

from .case import Case, Given, VectorFile
from .upstream import AuthoringError, Observations

SPEC_VERSION = "1.2"
VECTORS_VERSION = "1.2.0"  # this set of vectors; raised whenever a case is added or changed


def entry(case: Case, file: str, observations: Observations) -> dict:
    """One case as the vector file writes it."""
    requirements = list(case.requirements)
    if "error" in case.expect and "P4M-CLI-6" not in requirements:
        requirements.append("P4M-CLI-6")  # every error case also pins the exit-code requirement
    named = {"source", "value", "value_hex"} & set(case.expect.get("diagnostic", {}))
    if named and "P4M-CLI-11" not in requirements:
        requirements.append("P4M-CLI-11")  # and one that checks the message, the message rule
    out: dict = {"id": case.id, "description": case.description, "requirements": requirements}
    out["tags"] = sorted({file, *case.tags, *(["real-check"] if case.real else [])})
    if case.flags:
        out["flags"] = sorted(case.flags)
    if case.decisions:
        out["decisions"] = list(case.decisions)
    if case.note:
        out["note"] = case.note
    given, real = case.given, False
    if given is None:
        given, real = observations.given(case.link.observed) if case.link else (Given(), False)
    out["input"] = given.as_dict()
    check = case.real.switch if case.real else "real" if real else "any"
    if check != "any":
        out["check"] = check
    if case.real:
        out["hold"] = case.real.hold.as_dict()
    needs = sorted({*case.needs, *(case.real.needs if case.real else ())})
    if needs:
        out["needs"] = needs
    out["expect"] = dict(case.expect)
    if case.control:
        out["control"] = {"input": case.control.given.as_dict(), "expect": dict(case.control.expect)}
    if case.unit:
        out["unit"] = [dict(u) for u in case.unit]
    if case.link:
        out["upstream"] = observations.compare(case.id, case.link, case.expect, case.decisions)
    if case.real and case.real.after:
        out["after"] = case.real.after  # last, where the files have always had it
    if case.real and case.real.port:
        out["port"] = case.real.port
    return out


def document(header: VectorFile, cases: Iterable[Case], observations: Observations) -> dict:
    """One vector file's content."""
    return {
        "spec_version": SPEC_VERSION,
        "vectors_version": VECTORS_VERSION,
        "file": header.name,
        "title": header.title,
        "description": header.description,
        "cases": [entry(case, header.name, observations) for case in cases],
    }


def unique_ids(documents: Iterable[dict]) -> int:
    """The number of cases; refuses an id used twice."""
    seen: set[str] = set()
    duplicates: set[str] = set()
    for doc in documents:
        for case in doc["cases"]:
            (duplicates if case["id"] in seen else seen).add(case["id"])
    if duplicates:
        raise AuthoringError(f"duplicate ids: {sorted(duplicates)}")
    return len(seen)
