"""Scores per module, the survivors, and what is wrong with the equivalents list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .equivalents import Entry
from .mutants import Mutant, mutated_line

KILLED = ("killed", "timeout", "died")


@dataclass
class Outcome:
    """One mutant's verdict, judged against the equivalents list."""

    mutant: Mutant
    verdict: dict
    entry: Entry | None  # the equivalents-list entry that covers it, if any

    @property
    def status(self) -> str:
        return self.verdict["status"]

    @property
    def killed(self) -> bool:
        return self.status in KILLED

    @property
    def equivalent(self) -> bool:
        return self.status == "survived" and self.entry is not None

    @property
    def survived(self) -> bool:
        """A survivor nobody has explained: it needs a vector, or a place in the list."""
        return self.status == "survived" and self.entry is None


def problems(outcomes: list[Outcome]) -> list[str]:
    """Everything that fails the run, apart from equivalents-list entries that match nothing."""
    found = []
    for o in outcomes:
        if o.killed and o.entry is not None:
            found.append(
                f"listed as equivalent ({o.entry.key}), but killed by {_killer(o)}: remove it from the list"
                f"\n    {o.mutant.id}"
            )
        elif o.status == "error":
            found.append(f"harness error on {o.mutant.id}: {o.verdict.get('reason')}")
    survivors = sum(o.survived for o in outcomes)
    if survivors:
        found.append(f"{survivors} survivor(s) not listed as equivalent (above): each needs a vector, or a reason")
    return found


def _killer(o: Outcome) -> str:
    verdict = o.verdict
    if o.status == "killed":
        return f"{verdict.get('by')} ({verdict.get('level')}: {verdict.get('reason')})"
    return f"{o.status} {verdict.get('reason', '')}".strip()


def score_table(outcomes: list[Outcome], modules: list[str]) -> str:
    rows = [("module", "mutants", "killed", "survived", "equivalent", "score")]
    totals = [0, 0, 0, 0]
    for module in modules:
        mine = [o for o in outcomes if o.mutant.module == module and o.status != "invalid"]
        counts = [
            len(mine),
            sum(o.killed for o in mine),
            sum(o.survived for o in mine),
            sum(o.equivalent for o in mine),
        ]
        totals = [a + b for a, b in zip(totals, counts)]
        rows.append((module, *map(str, counts), _score(counts)))
    rows.append(("all", *map(str, totals), _score(totals)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        for row in rows
    )


def _score(counts: list[int]) -> str:
    """Killed among the mutants that some output can show: equivalents are left out."""
    mutants, killed, _, equivalent = counts
    observable = mutants - equivalent
    return f"{100 * killed / observable:.1f}%" if observable else "-"


def write_text(
    outcomes: list[Outcome], modules: list[str], sources: dict[str, list[str]], issues: list[str], out: TextIO
) -> None:
    out.write(score_table(outcomes, modules) + "\n")
    out.write("(score: killed / (mutants - equivalent); killed includes timeouts and deaths)\n")
    survivors = [o for o in outcomes if o.survived]
    if survivors:
        out.write(f"\nSurvivors not listed as equivalent ({len(survivors)}):\n")
        for o in survivors:
            before, after = mutated_line(sources[o.mutant.module], o.mutant)
            out.write(f"  {o.mutant.id}\n    {o.mutant.location}\n    - {before}\n    + {after}\n")
    notes = _notes(outcomes)
    if notes:
        out.write("\n" + notes)
    invalid = [o for o in outcomes if o.status == "invalid"]
    if invalid:
        out.write(f"\nNot counted: {len(invalid)} mutant(s) that do not compile:\n")
        out.writelines(f"  {o.mutant.id}: {o.verdict.get('reason')}\n" for o in invalid)
    if issues:
        out.write(f"\nFAILED ({len(issues)} problem(s)):\n")
        out.writelines(f"  {issue}\n" for issue in issues)
    else:
        out.write("\nOK: every mutant is killed or listed as equivalent with its reason\n")


def _notes(outcomes: list[Outcome]) -> str:
    """Kills that hang on something weaker than a plain command-line vector."""
    text = ""
    groups = [
        ("check", "killed only by real-check vectors (on loopback sockets, the port held as the case says)"),
        ("unit", "killed only by unit entries (library values: no command-line vector kills them)"),
    ]
    for level, title in groups:
        mine = [o for o in outcomes if o.status == "killed" and o.verdict.get("level") == level]
        if mine:
            text += f"Note: {len(mine)} mutant(s) {title}:\n"
            text += "".join(f"  {o.mutant.id}  [{o.verdict.get('by')}]\n" for o in mine)
    for status, title in (("timeout", "killed at the time limit"), ("died", "died with no verdict")):
        mine = [o for o in outcomes if o.status == status]
        if mine:
            text += f"Note: {len(mine)} mutant(s) {title}:\n"
            text += "".join(f"  {o.mutant.id}  {o.verdict.get('reason', '')}\n" for o in mine)
    return text


def write_json(outcomes: list[Outcome], path: Path, extra: dict) -> None:
    document = {
        **extra,
        "mutants": [
            {
                "id": o.mutant.id,
                "module": o.mutant.module,
                "scope": o.mutant.scope,
                "operator": o.mutant.operator,
                "line": o.mutant.line,
                "status": o.status,
                "equivalent": o.entry.reason if o.entry else None,
                **{k: v for k, v in o.verdict.items() if k != "status"},
            }
            for o in outcomes
        ],
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
