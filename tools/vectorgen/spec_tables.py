"""The two generated tables of spec/port4me.md: vectors per decision, and the requirement index.

Kept apart from the rest of the generator because the tables are about to move into
a generated file of their own; only the markers tie them to the spec's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

REQUIREMENT = re.compile(r"\*\*(P4M-[A-Z0-9]+-[0-9]+) \((MUST|SHOULD|MAY)\)\.\*\*(.*)")
DECISIONS = range(1, 39)  # the rows of the spec's Appendix A


def _replace_section(text: str, name: str, body: str) -> str:
    begin = f"<!-- BEGIN GENERATED: {name} (tools/make_vectors.py) -->\n"
    end = f"<!-- END GENERATED: {name} -->"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return head + begin + body + end + tail


def decision_table(cases: Sequence[dict]) -> str:
    """Which vectors pin each decision of Appendix A."""
    by_decision: dict[int, list[str]] = {}
    for c in cases:
        for number in c.get("decisions", []):
            by_decision.setdefault(number, []).append(c["id"])
    lines = ["| # | vectors |", "|---|---|"]
    for number in DECISIONS:
        ids = by_decision.get(number, [])
        shown = ", ".join(f"`{i}`" for i in ids) if ids else "— (all upstream agree; pinned by the ordinary vectors)"
        lines.append(f"| {number} | {shown} |")
    return "\n".join(lines) + "\n"


def requirement_index(spec_text: str, cases: Sequence[dict]) -> str:
    """Every requirement of the spec: its level, how many vectors pin it, and its first sentence."""
    lines = ["| requirement | level | vectors | summary |", "|---|---|---|---|"]
    for match in REQUIREMENT.finditer(spec_text):
        rid, level = match.group(1), match.group(2)
        count = sum(rid in c["requirements"] for c in cases)
        paragraph = " ".join(spec_text[match.end(2) + 4 :].split("\n\n", maxsplit=1)[0].split())
        summary = paragraph.split(". ")[0].rstrip(".")
        summary = summary if len(summary) <= 90 else summary[:87] + "..."
        lines.append(f"| {rid} | {level} | {count} | {summary} |")
    return "\n".join(lines) + "\n"


def generated_spec(text: str, cases: Sequence[dict]) -> str:
    """The spec with its two generated sections brought up to date with the cases."""
    text = _replace_section(text, "decision-vectors", decision_table(cases))
    return _replace_section(text, "requirement-index", requirement_index(text, cases))
