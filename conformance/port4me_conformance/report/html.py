"""A single-file HTML report, in the order a person reads it: per implementation the verdict and the
diagnosis (one line per problem), then the compatibility matrix by area and requirement with each
requirement's title and a legend, then every problem opening to its results (expected and actual in
two aligned columns, the difference, the reproducing line), the skipped cases with their reasons, and
the host in words.  No external assets, no script; every text from an implementation is escaped."""

from __future__ import annotations

import html as _html

from .. import INTERPRETING_VERSION, __version__
from ..results import PASS, SKIP, UNIT, XFAIL
from ..vectors import requirements
from . import Run, Session, area_results, causes, level_verdicts, sides, summary_line, vectors_line
from .junit import safe
from .markdown import AREAS

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
td.all{background:#e6f4e6}td.some{background:#fdf3d8}td.none{background:#f9dcdc}td.na{color:#888}
tr.area th{background:#eee}pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;word-break:break-all}
details{margin:.2em 0 .2em 1em}summary{cursor:pointer}.status{font-weight:bold}
td.blocked{background:#e8eef9}table.sides td{font-family:monospace;white-space:pre-wrap;vertical-align:top}
table.sides tr.differs td{background:#f9dcdc}td.title{color:#444;max-width:40em}
.verdict-box{border:2px solid #888;padding:.5em 1em;margin:1em 0}.legend span{padding:.1em .5em;margin-right:.5em}
"""


def esc(text: object) -> str:
    return _html.escape(safe(str(text)), quote=True)


def _cell(results: list, blocked: int = 0, attributed: int = 0) -> str:
    """Passed out of judged; a result blocked by a failure in another stage is not judged here."""
    ran = [r for r in results if r.status not in (SKIP, UNIT)]
    notes_blocked = [f"{blocked} blocked"] * bool(blocked) + [f"{attributed} attributed here"] * bool(attributed)
    if not ran:
        skipped = sum(r.status == SKIP for r in results)
        if blocked and not attributed:
            return f'<td class="blocked">{blocked} blocked</td>'
        return f'<td class="na">{f"{skipped} skipped" if skipped else "—"}</td>'
    passed = sum(r.status == PASS for r in ran)
    known = sum(r.status == XFAIL for r in ran)
    skipped = sum(r.status == SKIP for r in results)
    kind = "all" if passed == len(ran) else "none" if passed == 0 else "some"
    notes = [f"{known} known"] * bool(known) + [f"{skipped} skipped"] * bool(skipped) + notes_blocked
    return f'<td class="{kind}">{passed}/{len(ran)}{" (" + ", ".join(notes) + ")" if notes else ""}</td>'


def _area(run: Run, members: list[str]) -> str:
    """An area's cell, less the results another stage's failure blocks there."""
    return _cell(*area_results(run, members))


def _row(run: Run, requirement: str) -> str:
    """One requirement's cell (INTERPRETING 12.3): its results, less those blocked by another stage's
    failure, plus the failures the diagnosis attributes to it."""
    diagnosis = run.diagnosis
    pinned = [r for r in run.results if requirement in r.case.requirements]
    judged = [r for r in pinned if not diagnosis.blocked(r, requirement)]
    attributed = [
        r
        for group in diagnosis.groups
        if group.requirement == requirement
        for r in group.results
        if requirement not in r.case.requirements
    ]
    return _cell(judged + attributed, len(pinned) - len(judged), len(attributed))


def matrix(runs: list[Run]) -> str:
    summaries = {req["id"]: req["summary"] for req in requirements()}
    ids = sorted({q for run in runs for r in run.results for q in r.case.requirements}, key=_order)
    rows = [
        '<table class="matrix"><tr><th>area / requirement</th><th>what it asks</th>'
        + "".join(f"<th>{esc(run.name)}</th>" for run in runs)
        + "</tr>"
    ]
    for prefix, area in AREAS.items():
        members = [q for q in ids if q.split("-")[1] == prefix]
        if not members:
            continue
        cells = "".join(_area(run, members) for run in runs)
        rows.append(f'<tr class="area"><th>{esc(area)}</th><th></th>{cells}</tr>')
        for q in members:
            cells = "".join(_row(run, q) for run in runs)
            rows.append(f'<tr><td>{esc(q)}</td><td class="title">{esc(summaries.get(q, ""))}</td>{cells}</tr>')
    rows.append("<tr><th>all results</th><th></th>" + "".join(_cell(run.results) for run in runs) + "</tr></table>")
    return "\n".join(rows)


LEGEND = (
    '<p class="legend">Each cell: passed results out of results judged. '
    '<span class="all" style="background:#e6f4e6">all passed</span>'
    '<span style="background:#fdf3d8">some failed</span>'
    '<span style="background:#f9dcdc">none passed</span>'
    '<span style="background:#e8eef9">blocked: failed in another stage (see the diagnosis), not judged here</span>'
    '<span style="color:#888">— not run (skipped or unit only)</span>. '
    "A case pins one or more requirements and counts in each; one with abstract settings runs twice "
    "(as options and as variables); <i>attributed here</i>: failures of other requirements' cases that the "
    "diagnosis puts in this requirement's stage.</p>"
)


def host_words(host: dict) -> str:
    """The host facts as a sentence."""
    parts = [str(host.get("os", "an unknown system"))]
    parts.append("with IPv6" if host.get("ipv6") else "without IPv6 (as P4M-CHECK-6 decides)")
    parts.append("the runner running as root" if host.get("root") else "the runner not running as root")
    if "lowest_unprivileged_port" in host:
        parts.append(f"ports from {host['lowest_unprivileged_port']} up unprivileged")
    parts.append("seccomp filters available" if host.get("seccomp") else "no seccomp filters")
    if host.get("containment"):
        parts.append(f"each call contained by {host['containment']}")
    return ", ".join(parts)


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
    table = sides.rows(r)
    if table:
        first = sides.first_difference(table)
        if first is not None:
            parts.append(
                f'<p class="first">first difference: {esc(first.what)}: expected {esc(repr(first.expected))}, '
                f"actual {esc(repr(first.actual))}</p>"
            )
        lines = [
            f'<tr class="{"differs" if row.differs else "same"}"><th>{esc(row.what)}</th>'
            f'<td class="expected">{esc(row.expected)}</td><td class="actual">{esc(row.actual)}</td></tr>'
            for row in table[:500]
        ]
        more = f"<p>… {len(table) - 500} more rows</p>" if len(table) > 500 else ""
        parts.append(
            '<table class="sides"><tr><th></th><th>expected</th><th>actual</th></tr>'
            + "".join(lines)
            + "</table>"
            + more
        )
    if actual:  # the streams whole, as the implementation wrote them (shown visibly)
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


def summary(run: Run, session: Session) -> list[str]:
    """What a person reads first: the verdict per level and the diagnosis, one line per problem."""
    out = [f'<section class="verdict-box" id="verdict-{esc(run.name)}"><h2>{esc(run.name)}: verdict</h2>']
    out.append(f"<p>{esc(summary_line(run))} in {run.seconds:.1f} s</p><ul>")
    for level, verdict in level_verdicts(run, session.excluded).items():
        why = esc("; ".join(verdict["why"]))
        out.append(f'<li class="verdict">{esc(level)} level: <b>{esc(verdict["verdict"])}</b> ({why})</li>')
    out.append("</ul>")
    if run.stopped_early:
        out.append(f'<p class="stopped"><strong>STOPPED EARLY: {esc(run.stopped_early)}</strong></p>')
    groups = run.diagnosis.groups
    if groups:
        out.append(f'<h3>Diagnosis: {len(groups)} problem(s), by symptom</h3><ol class="diagnosis">')
        out.extend(f"<li>[{len(g.results)}] {esc(g.line)}</li>" for g in groups)
        out.append("</ol>")
    out.append("</section>")
    return out


def html(runs: list[Run], session: Session) -> str:
    vectors = session.vectors
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"/><title>port4me conformance report</title>',
        f"<style>{STYLE}</style></head><body>",
        "<h1>port4me conformance report</h1>",
        *(
            []
            if vectors.get("shipped", True)
            else [f'<p class="warning"><strong>{esc(vectors_line(session))}</strong></p>']
        ),
    ]
    if session.interrupted:
        out.append(f'<p class="stopped"><strong>INTERRUPTED by {esc(session.interrupted)}</strong></p>')
    for run in runs:
        out.extend(summary(run, session))
    out += [
        "<h2>Compatibility matrix</h2>",
        LEGEND,
        matrix(runs),
    ]
    for run in runs:
        out.append(f'<h2 id="{esc(run.name)}">{esc(run.name)}</h2>')
        out.append(f"<p>command: <code>{esc(run.command)}</code>; version: {esc(run.version)}</p>")
        if run.harness:  # the self-description, order and restarts (INTERPRETING 11.6)
            from .terminal import harness_lines

            out.extend(f"<p>{esc(line.strip())}</p>" for line in harness_lines(run.harness))
        for number, group in enumerate(run.diagnosis.groups, 1):
            out.append(f'<details class="cause"><summary>{number}. [{len(group.results)}] {esc(group.line)}</summary>')
            out.extend(_result(r) for r in group.results)
            out.append("</details>")
        known = causes(run.results, (XFAIL,))
        if known:
            out.append("<h3>Known differences</h3>")
            for cause, group in known:
                out.append(f'<details class="cause known"><summary>[{len(group)}] {esc(cause)}</summary>')
                out.extend(_result(r) for r in group)
                out.append("</details>")
        skipped = causes(run.results, (SKIP,))
        if skipped:
            out.append('<h3>Skipped</h3><ul class="skipped">')
            for cause, group in skipped:
                names = ", ".join(r.name for r in group)
                out.append(f"<li>{esc(cause.removeprefix('skipped: '))}: {esc(names)}</li>")
            out.append("</ul>")
    out += [
        "<h2>How this was run</h2>",
        f"<p>port4me-conformance {esc(__version__)}, INTERPRETING.md {esc(INTERPRETING_VERSION)}; spec "
        f"{esc(vectors.get('spec_version'))}, vectors {esc(vectors.get('vectors_version'))} "
        f"({esc(vectors.get('digest'))})</p>",
        f'<p class="host">host: {esc(host_words(session.host))}; time limit {esc(f"{session.timeout:g}")} s per '
        f"call; settings passed as {esc(session.via)}; {len(session.excluded)} cases not selected"
        f"{'; the smoke set' if session.smoke else ''}</p>",
        "</body></html>",
    ]
    return "\n".join(out) + "\n"
