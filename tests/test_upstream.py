"""Upstream port4me 0.7.0 (PyPI), in its own virtual environment, against the vectors.

It must fail exactly the cases its known-differences file lists: none more (a new
failure means a vector contradicts upstream without a decision), none fewer (a listed
difference that passes fails the run). In particular it must pass every sequence vector.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from port4me_conformance.adapters import SubprocessAdapter
from port4me_conformance.runner import FAIL, PASS, SKIP, XFAIL, XPASS, Options, Runner

KNOWN = (
    Path(__file__).resolve().parent.parent
    / "conformance/port4me_conformance/known_differences/upstream-python-0.7.0.yaml"
)


def test_upstream_fails_exactly_its_known_differences(cases, upstream_python):
    entries = yaml.safe_load(KNOWN.read_text())["differences"]
    known = {entry["id"]: entry["reason"] for entry in entries}
    assert all(reason.startswith("decision ") for reason in known.values())
    adapter = SubprocessAdapter("upstream", [upstream_python, "-m", "port4me"])
    results = Runner(adapter, Options(jobs=2, timeout=5, known=known)).run(cases)  # upstream hangs on some
    unexpected = [(r.name, r.reason) for r in results if r.status in (FAIL, XPASS)]
    assert not unexpected, unexpected
    failed_as_listed = {r.case.id for r in results if r.status == XFAIL}
    assert failed_as_listed == {key.partition("@")[0] for key in known}
    sequence = [r for r in results if r.case.file == "sequence"]
    assert len(sequence) == 400 and all(r.status == PASS for r in sequence)
    assert all(r.case.id in {"check-privileged-unprivileged"} for r in results if r.status == SKIP)
