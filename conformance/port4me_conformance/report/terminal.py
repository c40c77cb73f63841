"""The terminal report: causes first, the results under each with the line that repeats them, then verdicts."""

from __future__ import annotations

from ..results import SKIP, WARN, XFAIL, XPASS
from . import NOT_PASSED, Run, Session, causes, level_verdicts, summary_line

SHOWN_PER_CAUSE = 20  # results listed under one cause without --verbose


def terminal(runs: list[Run], session: Session, verbose: bool = False) -> str:
    out = []
    for run in runs:
        out.append(f"== {run.name}: {run.command}")
        out.append(f"   version: {run.version}")
        if run.harness:
            out.extend(harness_lines(run.harness))
        failing = causes(run.results, tuple(s for s in NOT_PASSED if s != XFAIL))
        if failing:
            total = sum(len(group) for _, group in failing)
            out.append(f"{total} results did not pass, by cause (most first):")
        for cause, group in failing:
            out.append(f"  [{len(group)}] {cause}")
            shown = group if verbose else group[:SHOWN_PER_CAUSE]
            for result in shown:
                out.extend(_result(result, detail=result.status not in (XPASS,)))
            if len(shown) < len(group):
                out.append(
                    f"    … and {len(group) - len(shown)} more under this cause (--verbose, or the JSON or HTML report)"
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


def _result(result, detail: bool) -> list[str]:
    lines = [f"    {result.status.upper()} {result.name} [{result.case.file}]: {result.reason}"]
    if result.setup:
        lines.append(f"      setup: {result.setup}")
    if detail and result.detail and result.status in ("fail", WARN):
        lines.extend("      " + line for line in result.detail.rstrip("\n").splitlines()[:12])
    if result.reproduce:
        lines.append(f"      $ {result.reproduce}")
    return lines
