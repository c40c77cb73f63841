"""A single-file HTML report: the compatibility matrix by area and requirement, then every result that
did not pass, opening to expected, actual, the difference and the reproducing line.  No external
assets, no script; every text from an implementation is escaped, so the page stays valid."""

from __future__ import annotations

import html as _html

from .. import INTERPRETING_VERSION, __version__
from ..results import PASS, SKIP, UNIT, XFAIL
from ..vectors import requirements
from . import NOT_PASSED, Run, Session, causes, level_verdicts, summary_line
from .junit import safe
from .markdown import AREAS

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
td.all{background:#e6f4e6}td.some{background:#fdf3d8}td.none{background:#f9dcdc}td.na{color:#888}
tr.area th{background:#eee}pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;word-break:break-all}
details{margin:.2em 0 .2em 1em}summary{cursor:pointer}.status{font-weight:bold}
"""


def esc(text: object) -> str:
    return _html.escape(safe(str(text)), quote=True)


def _cell(results: list) -> str:
    ran = [r for r in results if r.status not in (SKIP, UNIT)]
    if not ran:
        skipped = sum(r.status == SKIP for r in results)
        return f'<td class="na">{f"{skipped} skipped" if skipped else "—"}</td>'
    passed = sum(r.status == PASS for r in ran)
    known = sum(r.status == XFAIL for r in ran)
    skipped = sum(r.status == SKIP for r in results)
    kind = "all" if passed == len(ran) else "none" if passed == 0 else "some"
    notes = [f"{known} known"] * bool(known) + [f"{skipped} skipped"] * bool(skipped)
    return f'<td class="{kind}">{passed}/{len(ran)}{" (" + ", ".join(notes) + ")" if notes else ""}</td>'


def matrix(runs: list[Run]) -> str:
    summaries = {req["id"]: req["summary"] for req in requirements()}
    ids = sorted({q for run in runs for r in run.results for q in r.case.requirements}, key=_order)
    rows = ["<table><tr><th>area / requirement</th>" + "".join(f"<th>{esc(run.name)}</th>" for run in runs) + "</tr>"]
    for prefix, area in AREAS.items():
        members = [q for q in ids if q.split("-")[1] == prefix]
        if not members:
            continue
        cells = "".join(
            _cell([r for r in run.results if any(q in members for q in r.case.requirements)]) for run in runs
        )
        rows.append(f'<tr class="area"><th>{esc(area)}</th>{cells}</tr>')
        for q in members:
            cells = "".join(_cell([r for r in run.results if q in r.case.requirements]) for run in runs)
            rows.append(f'<tr><td title="{esc(summaries.get(q, ""))}">{esc(q)}</td>{cells}</tr>')
    rows.append("<tr><th>all results</th>" + "".join(_cell(run.results) for run in runs) + "</tr></table>")
    return "\n".join(rows)


def _order(requirement: str) -> tuple:
    area, number = requirement.split("-")[1], requirement.split("-")[2]
    keys = list(AREAS)
    return (keys.index(area) if area in keys else len(keys), area, int(number) if number.isdigit() else 0)


def _result(r) -> str:
    actual = r.actual or {}
    parts = [
        f'<summary><span class="status">{esc(r.status)}</span> {esc(r.name)} [{esc(r.case.file)}]: '
        f"{esc(r.reason)}</summary>"
    ]
    parts.append(
        f"<p>{esc(r.case.data.get('description', ''))} (requirements: {esc(', '.join(r.case.requirements))})</p>"
    )
    if r.observed:
        parts.append(f"<p>observed: {esc(r.observed)}</p>")
    if r.setup:
        parts.append(f"<p>setup: {esc(r.setup)}</p>")
    parts.append(f"<p>expected: {esc(r.expected)}</p>")
    if actual:
        parts.append(f"<p>actual: exit code {esc(actual.get('exit_code'))}</p>")
        parts.append(f'<pre class="stdout">stdout: {esc(actual.get("stdout", ""))}</pre>')
        parts.append(f'<pre class="stderr">stderr: {esc(actual.get("stderr", ""))}</pre>')
        for killed in actual.get("killed", []):
            parts.append(f"<p>killed: {esc(killed)}</p>")
    if r.detail:
        parts.append(f'<pre class="diff">{esc(r.detail)}</pre>')
    if r.reproduce:
        parts.append(f'<p>reproduce:</p><pre class="reproduce">{esc(r.reproduce)}</pre>')
    return '<details class="result">' + "\n".join(parts) + "</details>"


def html(runs: list[Run], session: Session) -> str:
    host = ", ".join(f"{k}: {v}" for k, v in session.host.items())
    vectors = session.vectors
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"/><title>port4me conformance report</title>',
        f"<style>{STYLE}</style></head><body>",
        "<h1>port4me conformance report</h1>",
        f"<p>port4me-conformance {esc(__version__)}, INTERPRETING.md {esc(INTERPRETING_VERSION)}; spec "
        f"{esc(vectors.get('spec_version'))}, vectors {esc(vectors.get('vectors_version'))} "
        f"({esc(vectors.get('digest'))})</p>",
        f"<p>host: {esc(host)}; time limit {esc(f'{session.timeout:g}')} s; settings passed as {esc(session.via)}; "
        f"{len(session.excluded)} cases not selected</p>",
        "<h2>Compatibility matrix</h2>",
        "<p>Each cell: passed results out of results run; skipped results are not counted and are noted.</p>",
        matrix(runs),
    ]
    for run in runs:
        out.append(f'<h2 id="{esc(run.name)}">{esc(run.name)}</h2>')
        out.append(f"<p>command: <code>{esc(run.command)}</code>; version: {esc(run.version)}</p>")
        if run.harness:  # the self-description, order and restarts (INTERPRETING 11.6)
            from .terminal import harness_lines

            out.extend(f"<p>{esc(line.strip())}</p>" for line in harness_lines(run.harness))
        out.append(f"<p>{esc(summary_line(run))} in {run.seconds:.1f} s</p><ul>")
        for level, verdict in level_verdicts(run, session.excluded).items():
            why = esc("; ".join(verdict["why"]))
            out.append(f'<li class="verdict">{esc(level)} level: <b>{esc(verdict["verdict"])}</b> ({why})</li>')
        out.append("</ul>")
        for cause, group in causes(run.results, NOT_PASSED):
            out.append(f'<details class="cause"><summary>[{len(group)}] {esc(cause)}</summary>')
            out.extend(_result(r) for r in group)
            out.append("</details>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
