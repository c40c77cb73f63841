"""The reasons a starting known-differences file gives: what the implementation printed and the
row of the spec's Appendix A (compatibility with upstream) that decides the case.

The rows are read from the shipped spec itself: each row's number, topic and the
requirements its v1 column names, so that a case that cites no decision still finds the
row that covers its requirement.
"""

from __future__ import annotations

import functools
import re

from .judge import visible
from .paths import spec_dir
from .results import Result

_ROW = re.compile(r"^\| (\d+) \| ([^|]+) \|(?:[^|]*\|){3} ([^|]+) \|")
_REQUIREMENT = re.compile(r"\b([A-Z]+-\d+)\b")


@functools.cache
def rows() -> dict[int, tuple[str, tuple[str, ...]]]:
    """Row number -> (topic, the requirement IDs its v1 column names)."""
    text = (spec_dir() / "port4me.md").read_text(encoding="utf-8")
    section = text[text.index("## Appendix A") : text.index("## Appendix B")]
    found = {}
    for line in section.splitlines():
        match = _ROW.match(line)
        if match:
            requirements = tuple(f"P4M-{r}" for r in _REQUIREMENT.findall(match.group(3)))
            found[int(match.group(1))] = (match.group(2).strip(), requirements)
    return found


# What upstream prints when it refuses an input for a reason of its own, and the row that names that reason:
# such a case fails there first, whatever row the case itself is about.
SIGNATURES = (
    (re.compile(r"_PORT4ME_CHECK_AVAILABLE_PORTS_", re.IGNORECASE), 40),
    (re.compile(r"max.tries", re.IGNORECASE), 24),
)


def first_row(result: Result, number: int | None) -> int | None:
    """The row of the reason the implementation gave, when its output shows it refused for another one."""
    actual = result.actual or {}
    text = f"{actual.get('stdout') or ''} {actual.get('stderr') or ''}"
    for pattern, row in SIGNATURES:
        if row != number and pattern.search(text):
            return row
    return None


def row_of(case) -> int | None:
    """The Appendix A row that decides a case: the first it cites, else the first that names its requirements."""
    table = rows()
    for number in case.data.get("decisions") or []:
        if number in table:
            return number
    for requirement in case.requirements:
        for number, (_, requirements) in table.items():
            if requirement in requirements:
                return number
    return None


def printed(result: Result) -> str:
    """What the call printed, in a few words: exit code, stdout and the first line of stderr, or the answer."""
    actual = result.actual or {}
    stdout, stderr = actual.get("stdout") or "", actual.get("stderr") or ""
    if actual.get("exit_code") is None and not stdout and not stderr:
        return "nothing: it was still running at the time limit"
    parts = [f"exit {actual.get('exit_code')}"]
    if stdout:
        parts.append(f"stdout {stdout.strip()[:80]!r}" + (" …" if len(stdout.strip()) > 80 else ""))
    if stderr:
        first = stderr.strip().splitlines()[0] if stderr.strip() else stderr
        parts.append(f"stderr {first[:160]!r}")
    return ", ".join(parts) if actual else visible(result.reason, 200)


def reason(result: Result) -> str:
    """A reason that says what differs, what the implementation printed, and which row decides it."""
    number = row_of(result.case)
    actual = result.actual or {}
    library = actual.get("exit_code") is None and (actual.get("stdout") or "").startswith("{")
    if result.case.time_bound and not actual.get("stdout"):
        observed = (
            "no answer within the time limit of a time-bound case (P4M-SEQ-3, P4M-LIST-2: the work must not grow "
            "with the value, only with its length); it printed nothing"
        )
    else:
        observed = result.reason if library else f"{result.reason}; it printed: {printed(result)}"
    if number is None:
        return f"no Appendix A row covers {', '.join(result.case.requirements)}: {observed}"
    topic = rows()[number][0]
    first = first_row(result, number)
    if first is not None and first in rows():
        observed = f"it fails first at row {first} ({rows()[first][0]}): {observed}"
    return f"Appendix A row {number} ({topic}): {observed}"
