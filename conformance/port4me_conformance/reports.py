"""Reports: terminal summary, JSON (spec/report.schema.json), JUnit XML, Markdown matrix."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import INTERPRETING_VERSION, __version__
from .runner import FAIL, PASS, SKIP, UNIT, XFAIL, XPASS, Result

STATUSES = (PASS, FAIL, SKIP, XFAIL, XPASS, UNIT)
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


@dataclass
class Run:
    """All results of one implementation."""

    name: str
    command: str
    results: list[Result]
    seconds: float

    @property
    def counts(self) -> Counter:
        return Counter(result.status for result in self.results)

    @property
    def ok(self) -> bool:
        counts = self.counts
        return counts[FAIL] == 0 and counts[XPASS] == 0


def summary_line(run: Run) -> str:
    counts = run.counts
    parts = [f"{counts[PASS]} passed", f"{counts[FAIL]} failed"]
    for status, word in (
        (XFAIL, "known differences"),
        (XPASS, "known differences that now pass"),
        (SKIP, "skipped"),
        (UNIT, "unit-only"),
    ):
        if counts[status]:
            parts.append(f"{counts[status]} {word}")
    return ", ".join(parts)


def terminal(runs: list[Run], verbose: bool = False) -> str:
    out = []
    for run in runs:
        out.append(f"== {run.name}: {run.command}")
        for result in run.results:
            if result.status in (FAIL, XPASS) or (verbose and result.status in (SKIP, XFAIL)):
                out.append(f"{result.status.upper():5} {result.name} [{result.case.file}]: {result.reason}")
                if result.detail and result.status == FAIL:
                    out.extend("      " + line for line in result.detail.rstrip("\n").splitlines())
        out.append(f"{run.name}: {summary_line(run)} in {run.seconds:.1f}s")
    return "\n".join(out) + "\n"


def to_json(runs: list[Run], spec_version: str) -> dict:
    return {
        "report_version": "1.0",
        "runner": {"name": "port4me-conformance", "version": __version__, "interpreting": INTERPRETING_VERSION},
        "spec_version": spec_version,
        "implementations": [
            {
                "name": run.name,
                "command": run.command,
                "seconds": round(run.seconds, 3),
                "ok": run.ok,
                "counts": {status: run.counts[status] for status in STATUSES},
                "results": [
                    {
                        "id": r.case.id,
                        "variant": r.variant,
                        "file": r.case.file,
                        "status": r.status,
                        "requirements": r.case.requirements,
                        "tags": r.case.tags,
                        "reason": r.reason,
                        "detail": r.detail,
                        "seconds": round(r.seconds, 4),
                    }
                    for r in run.results
                ],
            }
            for run in runs
        ],
    }


def write_json(path: str, runs: list[Run], spec_version: str) -> None:
    write_text(path, json.dumps(to_json(runs, spec_version), indent=1, ensure_ascii=False) + "\n")


def junit(runs: list[Run]) -> str:
    suites = ET.Element("testsuites", name="port4me-conformance")
    for run in runs:
        counts = run.counts
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=run.name,
            tests=str(len(run.results)),
            failures=str(counts[FAIL] + counts[XPASS]),
            skipped=str(counts[SKIP] + counts[XFAIL] + counts[UNIT]),
            time=f"{run.seconds:.3f}",
        )
        for r in run.results:
            case = ET.SubElement(
                suite, "testcase", classname=f"{run.name}.{r.case.file}", name=r.name, time=f"{r.seconds:.4f}"
            )
            if r.status in (FAIL, XPASS):
                ET.SubElement(case, "failure", message=r.reason).text = r.detail
            elif r.status in (SKIP, XFAIL, UNIT):
                ET.SubElement(case, "skipped", message=f"{r.status}: {r.reason}")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def markdown(runs: list[Run]) -> str:
    """Rows: requirement areas; columns: implementations; cells: passed / run (known differences)."""
    header = "| area | " + " | ".join(run.name for run in runs) + " |"
    lines = [header, "|---|" + "---|" * len(runs)]
    for prefix, area in AREAS.items():
        cells = []
        for run in runs:
            relevant = [
                r
                for r in run.results
                if r.status not in (SKIP, UNIT) and any(req.split("-")[1] == prefix for req in r.case.requirements)
            ]
            passed = sum(r.status == PASS for r in relevant)
            known = sum(r.status == XFAIL for r in relevant)
            cells.append(f"{passed}/{len(relevant)}" + (f" ({known} known)" if known else ""))
        lines.append(f"| {area} | " + " | ".join(cells) + " |")
    lines.append(
        "| **all cases** | "
        + " | ".join(f"**{run.counts[PASS]}/{len(run.results) - run.counts[SKIP] - run.counts[UNIT]}**" for run in runs)
        + " |"
    )
    return "\n".join(lines) + "\n"


def write_text(path: str, text: str) -> None:
    """Write whole or not at all: a temporary file renamed into place."""
    import tempfile

    target = Path(path).resolve()
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".port4me-report-")
    temporary = Path(name)
    try:
        with open(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        temporary.replace(target)
    except BaseException:
        temporary.unlink()
        raise
