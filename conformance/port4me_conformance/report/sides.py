"""Expected and actual side by side, row by row, for the terminal and HTML reports: the exit code,
each line of stdout, stderr; the first row that differs is the first difference."""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnose import expected_ports
from ..judge import source_name
from ..results import Result


@dataclass(frozen=True)
class Row:
    what: str  # "exit code", "stdout line 3", "stderr"
    expected: str
    actual: str
    differs: bool


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def rows(result: Result) -> list[Row]:
    """The rows of one result that ran on a command line ([] for one without an actual outcome)."""
    actual = result.actual
    if not actual:
        return []
    expect = result.case.expect
    code = actual.get("exit_code")
    stdout, stderr = actual.get("stdout", ""), actual.get("stderr", "")
    out: list[Row] = []
    if "ports" in expect or "port_count" in expect:
        wanted_code = 0
    elif "error" in expect:
        wanted_code = 2 if expect["error"] == "usage" else 1
    elif "test" in expect:
        wanted_code = 0 if expect["test"] == "free" else 1
    else:
        wanted_code = 0
    out.append(Row("exit code", str(wanted_code), str(code), code != wanted_code))
    ports = expected_ports(result) if "ports" in expect else None
    got = _lines(stdout)
    if ports is not None:
        wanted = [str(p) for p in ports]
        for number in range(max(len(wanted), len(got))):
            left = wanted[number] if number < len(wanted) else ""
            right = got[number] if number < len(got) else ""
            out.append(Row(f"stdout {number + 1}", left, right, left != right))
        if stdout and not stdout.endswith("\n") and got:
            out.append(Row("stdout end", "LF", "no LF after the last line", True))
    else:
        if "port_count" in expect:
            left = f"{expect['port_count']} ports, one per line"
        elif "help" in expect:
            left = "help naming every option and variable"
        elif "version" in expect:
            left = "one non-empty line"
        else:
            left = "(empty)"
        right = " ⏎ ".join(got) if got else "(empty)"
        differs = left == "(empty)" and right != "(empty)"
        out.append(Row("stdout", left, right, differs))
    left = "(empty)" if expect.get("stderr") == "empty" else "(anything)"
    if "error" in expect:
        diagnostic = expect.get("diagnostic") or {}
        names = [v for v in (source_name(diagnostic.get("source"), result.variant), diagnostic.get("value")) if v]
        left = "a message" + (" naming " + " and ".join(f"'{v}'" for v in names) if names else "")
    right = " ⏎ ".join(_lines(stderr)) if stderr else "(empty)"
    differs = (left == "(empty)" and right != "(empty)") or ("error" in expect and right == "(empty)")
    if "error" in expect and any(name not in stderr for name in names):
        differs = True
    out.append(Row("stderr", left, right, differs))
    return out


def first_difference(table: list[Row]) -> Row | None:
    return next((row for row in table if row.differs), None)


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
