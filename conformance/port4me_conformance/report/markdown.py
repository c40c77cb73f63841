"""A Markdown compatibility matrix: requirement areas by implementation."""

from __future__ import annotations

from ..results import PASS, SKIP, UNIT, XFAIL
from . import Run

AREAS = {
    "HASH": "hash",
    "SEED": "seed",
    "LCG": "generator",
    "SEQ": "sequence",
    "SET": "sets",
    "UNSAFE": "unsafe ports",
    "LIST": "port lists",
    "ENV": "settings",
    "CLI": "command line",
    "TEST": "--test",
    "CHECK": "port check",
}


def area_of(requirement: str) -> str:
    return AREAS.get(requirement.split("-")[1], requirement.split("-")[1].lower())


def cell(results: list) -> str:
    ran = [r for r in results if r.status not in (SKIP, UNIT)]
    passed = sum(r.status == PASS for r in ran)
    known = sum(r.status == XFAIL for r in ran)
    skipped = sum(r.status == SKIP for r in results)
    notes = [f"{known} known"] if known else []
    notes += [f"{skipped} skipped"] if skipped else []
    return f"{passed}/{len(ran)}" + (f" ({', '.join(notes)})" if notes else "")


def markdown(runs: list[Run]) -> str:
    """Rows: requirement areas; columns: implementations; cells: passed / run, then known and skipped."""
    lines = ["| area | " + " | ".join(run.name for run in runs) + " |", "|---|" + "---|" * len(runs)]
    for prefix, area in AREAS.items():
        cells = [
            cell([r for r in run.results if any(q.split("-")[1] == prefix for q in r.case.requirements)])
            for run in runs
        ]
        lines.append(f"| {area} | " + " | ".join(cells) + " |")
    lines.append("| **all cases** | " + " | ".join(f"**{cell(run.results)}**" for run in runs) + " |")
    lines.append("")
    lines.append(
        "Each cell counts passed results out of results run; skipped results (the host could not run them) and "
        "unit-only cases are not in the count, and the note after it says how many were skipped. A case with "
        "abstract settings runs twice: as options and as variables. A case pins one or more requirements, so it "
        "counts in each of their areas."
    )
    return "\n".join(lines) + "\n"
