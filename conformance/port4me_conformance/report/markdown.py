"""A Markdown compatibility matrix: requirement areas by implementation, then each one's diagnosis."""

from __future__ import annotations

from ..diagnose import results_word
from ..results import PASS, SKIP, UNIT, XFAIL
from . import Run, area_results

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
GROUPS_SHOWN = 10  # a diagnosis longer than this is summarised; the JSON and HTML reports hold every group


def area_of(requirement: str) -> str:
    return AREAS.get(requirement.split("-")[1], requirement.split("-")[1].lower())


def cell(results: list, blocked: int = 0) -> str:
    """Passed out of judged, then known, skipped and blocked (failed in another stage, INTERPRETING 12.3)."""
    ran = [r for r in results if r.status not in (SKIP, UNIT)]
    passed = sum(r.status == PASS for r in ran)
    known = sum(r.status == XFAIL for r in ran)
    skipped = sum(r.status == SKIP for r in results)
    notes = [f"{known} known"] if known else []
    notes += [f"{skipped} skipped"] if skipped else []
    notes += [f"{blocked} blocked"] if blocked else []
    if not ran:
        return ", ".join(notes) or "—"
    return f"{passed}/{len(ran)}" + (f" ({', '.join(notes)})" if notes else "")


def _escape(text: str) -> str:
    """Text that stays on its line and inside its list item: no table pipes, no newlines, no HTML."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def diagnosis(run: Run) -> list[str]:
    """The run's failures by symptom, one list item per group (INTERPRETING 12)."""
    groups = run.diagnosis.groups
    if not groups:
        return []
    lines = [f"**{_escape(run.name)}**: {len(groups)} group{'s' * (len(groups) != 1)} of results that did not pass", ""]
    for group in groups[:GROUPS_SHOWN]:
        lines.append(f"- {results_word(len(group.results))}: {_escape(group.line)}")
    if len(groups) > GROUPS_SHOWN:
        rest = sum(len(g.results) for g in groups[GROUPS_SHOWN:])
        lines.append(f"- and {len(groups) - GROUPS_SHOWN} more groups ({rest} results): see the JSON or HTML report")
    return [*lines, ""]


def markdown(runs: list[Run]) -> str:
    """Rows: requirement areas; columns: implementations; cells: passed / judged, then known, skipped, blocked."""
    lines = ["| area | " + " | ".join(_escape(run.name) for run in runs) + " |", "|---|" + "---|" * len(runs)]
    for prefix, area in AREAS.items():
        cells = []
        for run in runs:
            members = sorted({q for r in run.results for q in r.case.requirements if q.split("-")[1] == prefix})
            cells.append(cell(*area_results(run, members)))
        lines.append(f"| {area} | " + " | ".join(cells) + " |")
    lines.append("| **all cases** | " + " | ".join(f"**{cell(run.results)}**" for run in runs) + " |")
    lines.append("")
    lines.append(
        "Each cell counts passed results out of results judged; skipped results (the host could not run them) and "
        "unit-only cases are not in the count, and the note after it says how many were skipped. A result that "
        "failed in another stage (the diagnosis below says which) is blocked in this area, not judged here. "
        "A case with abstract settings runs twice: as options and as variables. A case pins one or more "
        "requirements, so it counts in each of their areas."
    )
    lines.append("")
    for run in runs:
        lines += diagnosis(run)
    return "\n".join(lines).rstrip("\n") + "\n"
