"""Unit entries through the in-process adapter: only through functions its caller declares (issue 17 item 9)."""

from __future__ import annotations

from tools.mutation.worker import reference_unit

from port4me_conformance.inprocess import InProcessAdapter
from port4me_conformance.results import FAIL, PASS, UNIT
from port4me_conformance.runner import Options, Runner


def _unit_cases(cases):
    chosen = [case for case in cases if case.unit_only]
    assert chosen, "the vectors have unit-only cases"
    return chosen


def test_without_a_declared_interface_unit_only_cases_are_not_run(cases):
    results = Runner(InProcessAdapter("ref", "port4me.cli:main"), Options(jobs=1)).run(_unit_cases(cases))
    assert {r.status for r in results} == {UNIT}
    assert all(r.reason == "unit values only: not run on a command line" for r in results)


def test_declared_functions_evaluate_every_unit_entry_of_the_vectors(cases):
    """Every function of every entry, initial_state on the seed string included (it once raised TypeError)."""
    adapter = InProcessAdapter("ref", "port4me.cli:main", unit=reference_unit())
    entries = [(c, e) for c in cases for e in c.data.get("unit", [])]
    assert {e["function"] for _, e in entries} == {"string_hash", "initial_state", "lcg_next", "seed_string"}
    for case, entry in entries:
        assert adapter.evaluates_unit(case)
        assert adapter.unit(entry["function"], entry["input"]) == entry["output"], (case.id, entry)
    results = Runner(adapter, Options(jobs=1)).run(_unit_cases(cases))
    assert results and {r.status for r in results} == {PASS}


def test_a_wrong_declared_function_fails_and_an_undeclared_one_is_not_asked(cases):
    unit = {**reference_unit(), "lcg_next": lambda state: (75 * state + 73) % 65537}
    results = Runner(InProcessAdapter("ref", "port4me.cli:main", unit=unit), Options(jobs=1)).run(_unit_cases(cases))
    lcg = [r for r in results if any(e["function"] == "lcg_next" for e in r.case.data["unit"])]
    assert lcg and all(r.status == FAIL and "lcg_next(" in r.reason for r in lcg)
    only_hash = InProcessAdapter("ref", "port4me.cli:main", unit={"string_hash": reference_unit()["string_hash"]})
    for result in Runner(only_hash, Options(jobs=1)).run(_unit_cases(cases)):
        functions = {e["function"] for e in result.case.data["unit"]}
        assert result.status == (PASS if functions == {"string_hash"} else UNIT), result
