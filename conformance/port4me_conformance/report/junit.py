"""A JUnit XML report: valid XML whatever the implementation printed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..diagnose import results_word
from ..results import CRASH, FAIL, SKIP, TIMEOUT, TOO_LARGE, UNIT, WARN, XFAIL, XPASS
from . import Run

# Characters XML 1.0 cannot hold at all, even escaped: C0 controls but tab, LF and CR; surrogates; FFFE, FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe(text: str) -> str:
    """Text an XML (or HTML) document can hold: anything XML forbids shown as \\xNN or \\uNNNN."""
    return _NOT_XML.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


def junit(runs: list[Run]) -> str:
    suites = ET.Element("testsuites", name="port4me-conformance")
    for run in runs:
        counts = run.counts
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=safe(run.name),
            tests=str(len(run.results)),
            failures=str(counts[FAIL] + counts[XPASS] + counts[TOO_LARGE] + counts[TIMEOUT]),
            errors=str(counts[CRASH]),
            skipped=str(counts[SKIP] + counts[XFAIL] + counts[UNIT]),
            time=f"{run.seconds:.3f}",
        )
        properties = ET.SubElement(suite, "properties")
        if run.harness:  # the self-description, order and restarts (INTERPRETING 11.6)
            from .terminal import harness_lines

            for number, line in enumerate(harness_lines(run.harness)):
                ET.SubElement(properties, "property", name=f"harness.{number}", value=safe(line.strip()))
        diagnosis = run.diagnosis  # one property per symptom group, and each failure names its group
        for number, group in enumerate(diagnosis.groups):
            value = safe(f"{results_word(len(group.results))}: {group.line}")
            ET.SubElement(properties, "property", name=f"diagnosis.{number}", value=value)
        if not len(properties):
            suite.remove(properties)
        for r in run.results:
            case = ET.SubElement(
                suite, "testcase", classname=safe(f"{run.name}.{r.case.file}"), name=r.name, time=f"{r.seconds:.4f}"
            )
            group = diagnosis.group_of(r)
            text = safe(
                "\n".join(
                    filter(
                        None,
                        [group and "diagnosis: " + group.line, r.detail, r.reproduce and "reproduce: " + r.reproduce],
                    )
                )
            )
            if r.status in (FAIL, XPASS, TOO_LARGE, TIMEOUT):
                ET.SubElement(case, "failure", message=safe(r.reason), type=r.status).text = text
            elif r.status == CRASH:
                ET.SubElement(case, "error", message=safe(r.reason), type=r.status).text = text
            elif r.status in (SKIP, XFAIL, UNIT):
                ET.SubElement(case, "skipped", message=safe(f"{r.status}: {r.reason}"))
            elif r.status == WARN:
                ET.SubElement(case, "system-out").text = safe(f"warning (advisory): {r.reason}\n{text}")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
