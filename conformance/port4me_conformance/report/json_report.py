"""The JSON report (spec/report.schema.json, version 2.0): everything a conformance claim names."""

from __future__ import annotations

import json

from .. import INTERPRETING_VERSION, REPORT_VERSION, __version__
from ..results import STATUSES, Result
from . import Run, Session, causes, level_verdicts, write_text


def result_json(r: Result, group: int | None = None) -> dict:
    return {
        "id": r.case.id,
        "variant": r.variant,
        "file": r.case.file,
        "level": r.level,
        "status": r.status,
        "requirements": r.case.requirements,
        "tags": r.case.tags,
        "reason": r.reason,
        "cause": r.cause,
        "expected": r.expected,
        "actual": r.actual,
        "detail": r.detail,
        "reproduce": r.reproduce,
        "setup": r.setup,
        "observed": r.observed,
        "seconds": round(r.seconds, 4),
        "group": group,
    }


def to_json(runs: list[Run], session: Session) -> dict:
    return {
        "report_version": REPORT_VERSION,
        "runner": {"name": "port4me-conformance", "version": __version__, "interpreting": INTERPRETING_VERSION},
        "spec_version": session.vectors.get("spec_version", ""),
        "vectors": {
            **{k: session.vectors.get(k, "") for k in ("vectors_version", "digest", "files")},
            "shipped": session.vectors.get("shipped", False),
        },
        "host": session.host,
        "run": {
            "select": session.select,
            "deselect": session.deselect,
            "level": session.level,
            "excluded": [case.id for case in session.excluded],
            "via": session.via,
            "pass_env": session.pass_env,
            "timeout": session.timeout,
            "allow_timeouts": session.allow_timeouts,
            "jobs": session.jobs,
            "memory": session.memory,
            "interrupted": session.interrupted or None,
            "stopped_early": session.stopped_early or None,
            "smoke": session.smoke,
        },
        "implementations": [
            {
                "name": run.name,
                "command": run.command,
                "version": run.version,
                "known_differences": run.known_differences,
                **({"harness": run.harness} if run.harness else {}),
                "seconds": round(run.seconds, 3),
                "ok": run.ok,
                "counts": {status: run.counts[status] for status in STATUSES},
                "levels": level_verdicts(run, session.excluded),
                "causes": [
                    {"cause": cause, "count": len(group), "results": [r.name for r in group]}
                    for cause, group in causes(run.results)
                ],
                "diagnosis": diagnosis_json(run),
                "results": [result_json(r, _number(run, r)) for r in run.results],
            }
            for run in runs
        ],
    }


def diagnosis_json(run: Run) -> list[dict]:
    return [
        {
            "group": number,
            "stage": group.stage,
            "symptom": group.symptom,
            "requirement": group.requirement,
            "line": group.line,
            "count": len(group.results),
            "scope": group.scope,
            "consistent": group.consistent,
            "results": [r.name for r in group.results],
            "details": [f.detail for f in group.findings],
        }
        for number, group in enumerate(run.diagnosis.groups, 1)
    ]


def _number(run: Run, result: Result) -> int | None:
    group = run.diagnosis.group_of(result)
    return run.diagnosis.groups.index(group) + 1 if group is not None else None


def text(runs: list[Run], session: Session) -> str:
    # ensure_ascii: a report stays plain ASCII JSON whatever the implementation printed.
    return json.dumps(to_json(runs, session), indent=1, ensure_ascii=True) + "\n"


def write(path: str, runs: list[Run], session: Session) -> None:
    write_text(path, text(runs, session))
