"""The terminal report: the problems first, by symptom with their diagnosis, a few results under each with
expected and actual side by side and the line that repeats them; then known differences, skips and verdicts."""

from __future__ import annotations

from ..results import SKIP, WARN, XFAIL, XPASS
from . import Run, Session, causes, level_verdicts, sides, summary_line, vectors_line

SHOWN_PER_GROUP = 3  # results listed under one symptom without --verbose
ROWS = 6  # rows of expected and actual shown after the exit code, from just before the first difference
WIDTH = 60  # characters of a cell
LABEL = 9  # "exit code", "stdout 12", "stderr"


def terminal(runs: list[Run], session: Session, verbose: bool = False) -> str:
    out = [vectors_line(session)]
    for run in runs:
        out.append(f"== {run.name}: {run.command}")
        out.append(f"   version: {run.version}")
        if run.harness:
            out.extend(harness_lines(run.harness))
        groups = [g for g in run.diagnosis.groups if any(r.status != XFAIL for r in g.results)]
        if groups:
            total = sum(len(g.results) for g in groups)
            out.append(f"{total} results did not pass: {len(groups)} problem(s), by symptom (most first):")
        for number, group in enumerate(groups, 1):
            out.append(f"  {number}. [{len(group.results)}] {group.line}")
            shown = group.results if verbose else examples(group.results)
            for result in shown:
                out.extend(_result(result, detail=result.status not in (XPASS,), verbose=verbose))
            if len(shown) < len(group.results):
                listed = {id(r) for r in shown}
                rest = [r.name for r in group.results if id(r) not in listed]
                names = ", ".join(rest[:4]) + (", …" if len(rest) > 4 else "")
                out.append(
                    f"     … and {len(rest)} more with this symptom ({names}): --verbose, or the JSON or HTML report"
                )
        known = causes(run.results, (XFAIL,))
        if known:
            out.append(f"{sum(len(g) for _, g in known)} known differences (xfail), by cause:")
            for cause, group in known:
                out.append(f"  [{len(group)}] {cause}")
                if verbose:
                    for result in group:
                        out.extend(_result(result, detail=False))
        skipped = causes(run.results, (SKIP,))
        if skipped:
            out.append(f"{sum(len(g) for _, g in skipped)} skipped, by reason:")
            for cause, group in skipped:
                names = ", ".join(r.name for r in group[:6]) + (", …" if len(group) > 6 else "")
                out.append(f"  [{len(group)}] {cause.removeprefix('skipped: ')} ({names})")
        out.append(f"{run.name}: {summary_line(run)} in {run.seconds:.1f}s")
        for level, verdict in level_verdicts(run, session.excluded).items():
            out.append(f"  {level} level: {verdict['verdict']} ({'; '.join(verdict['why'])})")
    return "\n".join(out) + "\n"


def harness_lines(facts: dict) -> list[str]:
    """A harness run's self-description, order and restarts (INTERPRETING 11.6)."""
    described = facts.get("implementation") or {}
    lines = []
    if described:
        language = " ".join(filter(None, [described.get("language"), described.get("language_version")]))
        where = ", ".join(
            filter(None, [described.get("homepage"), described.get("issues") and f"bugs: {described['issues']}"])
        )
        offered = "+".join(described.get("interfaces") or [])
        lines.append(
            f"   harness: {described.get('name')} {described.get('version')} ({language}), "
            f"protocol {facts['protocol']}, interface {facts['interface']} of {offered}"
            + (f"; {where}" if where else "")
        )
    else:
        lines.append(f"   harness: did not start: {facts.get('failed_start')}")
    restarts = facts.get("restarts") or []
    lines.append(
        f"   order: shuffled with --seed={facts.get('seed')} over {facts.get('jobs')} harness process(es); "
        f"{len(restarts)} restart(s)"
    )
    lines.extend(
        f"     restart after request {r['seq']}{' (' + r['condition'] + ')' if r['condition'] else ''}: {r['reason']}"
        for r in restarts[:10]
    )
    return lines


def examples(results: list) -> list:
    """The results shown under a symptom: the first ones, lists of several ports before single ports."""
    seen: set[str] = set()
    distinct = []  # one variant of a case is enough
    for i, result in enumerate(results):
        if result.case.id not in seen:
            seen.add(result.case.id)
            distinct.append(i)
    order = sorted(distinct, key=lambda i: (-min(len(results[i].case.expect.get("ports", ())), 3), i))
    return [results[i] for i in sorted(order[:SHOWN_PER_GROUP])]


def _result(result, detail: bool, verbose: bool = False) -> list[str]:
    lines = [f"     {result.status.upper()} {result.name} [{result.case.file}]: {result.reason}"]
    if result.setup:
        lines.append(f"       setup: {result.setup}")
    if detail and result.status in ("fail", WARN):
        lines.extend(side_by_side(result, verbose))
    if result.reproduce:
        lines.append(f"       $ {result.reproduce}")
    return lines


def side_by_side(result, verbose: bool = False) -> list[str]:
    """Expected and actual in two columns, the first difference marked and the rest summarised."""
    table = sides.rows(result)
    if not table:
        return [f"       expected: {result.expected}"] if result.expected else []
    first = sides.first_difference(table)
    lines = []
    if first is not None:
        lines.append(f"       first difference: {first.what}: expected {first.expected!r}, actual {first.actual!r}")
    start = table.index(first) if first is not None else 0
    shown = table if verbose else _around(table, start)
    width = max(min(max(len(row.expected) for row in shown), WIDTH), len("expected"))
    lines.append(f"         {'':<{LABEL}} {'expected'.ljust(width)} | actual")
    for row in shown:
        mark = "!" if row.differs else " "
        expected = sides.clip(row.expected, width).ljust(width)
        lines.append(f"       {mark} {row.what:<{LABEL}} {expected} | {sides.clip(row.actual, WIDTH)}")
    rest = [row for row in table if row not in shown]
    if rest:
        differ = sum(row.differs for row in rest)
        lines.append(f"         … {len(rest)} more rows, {differ} of them differ (--verbose shows them)")
    return lines


def _around(table: list, start: int) -> list:
    """The exit code row, then ROWS rows from the one before the first difference."""
    head = [table[0]]
    begin = max(1, start - 1)
    return head + table[begin : begin + ROWS]
