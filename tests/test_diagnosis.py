"""The runner's diagnosis (issue 15): one bug, one short answer that says where.

Each fake in tests/diag_fakes/ is a real program, the reference with one mistake; the kit runs it
as it would run anyone's command, and these tests read what it says: how many groups, which stage
each names, how long the terminal answer is, and whether expected and actual stand side by side.
Counts of groups, lines and results are behaviour; no test asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from port4me_conformance import diagnose
from port4me_conformance.report.markdown import AREAS
from port4me_conformance.smoke import SMOKE
from port4me_conformance.vectors import load

from .conftest import run

ROOT = Path(__file__).resolve().parent.parent
FAKES = ROOT / "tests" / "diag_fakes"
SCHEMA = json.loads((ROOT / "spec/report.schema.json").read_text())
# What each fake breaks: the stage its largest group must name, and a word its line must hold.
EXPECTED = {
    "plus_one": ("output", "every port is 1 more than expected"),
    "java_hash": ("hash", "signed 32-bit"),
    "generator_mod": ("generator", "not draws of next(s)"),
    "no_unsafe": ("candidates", "must exclude"),
    "skip_after_prepend": ("skip", "skip"),
    "message_no_source": ("message", "do not name the source"),
}


def kit(tmp_path: Path, *args: str) -> tuple[int, str, dict]:
    """Run the installed runner; its exit code, its terminal output and its JSON report (schema-checked)."""
    report = tmp_path / "report.json"
    # A loaded machine must not turn a slow call into a timeout group: these tests count groups, not time.
    # (A time-bound case keeps its fixed 10 s, INTERPRETING 2.)
    args = (*args, "--timeout=120")
    ran = run([sys.executable, "-m", "port4me_conformance", *args, "--quiet", f"--json={report}"], cwd=tmp_path)
    assert "Traceback" not in ran.stderr, ran.stderr
    data = json.loads(report.read_text())
    jsonschema.validate(data, SCHEMA)
    return ran.returncode, ran.stdout, data


def fake(name: str) -> str:
    return f"--impl={name}={sys.executable} {FAKES / name}.py"


# ---------------------------------------------------------------- the spec's algorithm, as the diagnosis has it


def test_the_diagnosis_computes_the_spec_worked_example():
    """Spec section 3.1: alice hashes to 92903040, state 37111, draws 30845 19654 32310 63992 15273."""
    assert diagnose.string_hash("alice") == 92903040
    state = diagnose.string_hash(diagnose.seed_string("alice", None)) % diagnose.MODULUS
    assert state == 37111
    draws = []
    for _ in range(5):
        state = diagnose.next_state(state)
        draws.append(state)
    assert draws == [30845, 19654, 32310, 63992, 15273]
    assert diagnose.string_hash("alice,rstudio") == 3688618396
    assert diagnose.next_state(diagnose.MODULUS - 1) == 74  # the fixed point steps as 0 does


def test_positions_invert_the_generator():
    for state in (0, 1, 74, 30845, 65535):
        assert diagnose.state_before(diagnose.next_state(state)) == state
        assert diagnose.draws_between(state, diagnose.next_state(state)) == 1
        after = diagnose.next_state(diagnose.next_state(diagnose.next_state(state)))
        assert diagnose.draws_between(state, after) == 3


def test_every_requirement_area_has_a_stage_or_says_it_spans_several():
    known = {stage for stage in diagnose.STAGES}
    for requirement in ("P4M-HASH-1", "P4M-SEED-1", "P4M-LCG-1", "P4M-LCG-2", "P4M-SET-4", "P4M-SEQ-2", "P4M-CLI-11"):
        assert diagnose.requirement_stage(requirement) in known


# ---------------------------------------------------------------- the smoke set


def test_smoke_set_exists_is_small_and_touches_every_area_and_stage():
    cases = {case.id: case for case in load(None).cases}
    missing = [case_id for case_id in SMOKE if case_id not in cases]
    assert not missing
    assert len(set(SMOKE)) == len(SMOKE)
    chosen = [cases[case_id] for case_id in SMOKE]
    results = sum(2 if case.has_settings else 1 for case in chosen)
    assert results <= 60
    areas = {q.split("-")[1] for case in chosen for q in case.requirements}
    assert set(AREAS) <= areas, set(AREAS) - areas
    stages = {diagnose.requirement_stage(q) for case in chosen for q in case.requirements}
    for stage in (*diagnose.PIPELINE, "exit code", "stdout", "message", "stderr", "test", "check", "search", "modes"):
        if stage in ("state", "output"):  # no requirement of their own beyond LCG-1 and SEQ-4, both below
            continue
        assert stage in stages, stage
    assert {"P4M-LCG-1", "P4M-SEQ-4"} <= {q for case in chosen for q in case.requirements}


@pytest.mark.slow
def test_smoke_passes_the_reference_and_fails_each_fake(tmp_path):
    code, out, report = kit(tmp_path, f"--impl=reference={sys.executable} -m port4me", "--smoke")
    results = report["implementations"][0]["results"]
    assert code == 0, out
    assert 0 < len(results) <= 60 and report["run"]["smoke"] is True
    for name, (stage, _) in EXPECTED.items():
        code, out, report = kit(tmp_path, fake(name), "--smoke")
        assert code == 1, (name, out)
        groups = report["implementations"][0]["diagnosis"]
        assert groups and groups[0]["stage"] == stage, (name, [g["line"] for g in groups])


# ---------------------------------------------------------------- one bug, one group, the right stage


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fake_gets_few_groups_naming_its_stage(tmp_path, name):
    """Every case, as options (both variants would double the time and not the evidence)."""
    stage, words = EXPECTED[name]
    code, out, report = kit(tmp_path, fake(name), "--via=options")
    assert code == 1
    groups = report["implementations"][0]["diagnosis"]
    assert 1 <= len(groups) <= 3, [g["line"] for g in groups]
    assert groups[0]["stage"] == stage and words in groups[0]["line"], groups[0]["line"]
    counted = sum(g["count"] for g in groups)
    failed = [r for r in report["implementations"][0]["results"] if r["status"] not in ("pass", "skip", "n/a")]
    assert counted == len(failed)  # every result that did not pass is in exactly one group
    assert all(r["group"] for r in failed)
    lines = out.splitlines()
    assert len(lines) <= 200, len(lines)
    assert not [line for line in lines if not line.strip()]  # no stray blank line
    # Expected and actual side by side, the first difference named with both.
    assert re.search(r"first difference: .*: expected (['\"]).*\1, actual (['\"]).*\2", out), out[:3000]
    assert re.search(r"^ +[! ] \S.* \| ", out, re.MULTILINE)


@pytest.mark.slow
def test_a_hash_diagnosis_says_which_state_the_seed_gives_and_which_the_output_implies(tmp_path):
    _code, _out, report = kit(tmp_path, fake("java_hash"), "--select=seq-alice-rstudio", "--via=options")
    (group,) = report["implementations"][0]["diagnosis"]
    assert group["stage"] == "hash"
    # alice,rstudio hashes to 3688618396, which as a signed int is 1 less modulo 65537: 64962 then 64961.
    assert "gives state 64962" in group["line"] and "implies state 64961" in group["line"]


@pytest.mark.slow
def test_usage_error_exit_codes_are_one_group_with_their_scope(tmp_path):
    script = tmp_path / "exit0.py"
    script.write_text(
        "import io, os, sys\nfrom port4me.cli import main\nerr = io.StringIO()\n"
        "code = main(sys.argv[1:], os.environ, sys.stdout, err)\nsys.stderr.write(err.getvalue())\n"
        "sys.exit(0 if code == 2 else code)\n"
    )
    _code, _out, report = kit(tmp_path, f"--impl=exit0={sys.executable} {script}", "--select=list-invalid-*")
    groups = report["implementations"][0]["diagnosis"]
    assert len(groups) == 1 and groups[0]["stage"] == "exit code"
    total = groups[0]["count"]
    assert f"usage errors exit 0 instead of 2 in all {total} usage-error results" in groups[0]["line"]


# ---------------------------------------------------------------- attribution


@pytest.mark.slow
def test_attribution_blocks_requirements_of_stages_shown_right(tmp_path):
    """+1 on every port: the hash is right, so P4M-HASH-1 shows its results as blocked, not failing."""
    page = tmp_path / "report.html"
    _code, _out, report = kit(tmp_path, fake("plus_one"), "--select=hash-ascii-*", "--via=options", f"--html={page}")
    text = page.read_text()
    row = re.search(r"<td>P4M-HASH-1</td><td class=\"title\">[^<]*</td>(<td[^>]*>[^<]*</td>)", text).group(1)
    assert "blocked" in row and "0/" not in row, row
    status = {r["status"] for r in report["implementations"][0]["results"]}
    assert status == {"fail"}  # statuses are not changed by attribution


@pytest.mark.slow
def test_markdown_and_junit_report_by_symptom_too(tmp_path):
    """The Markdown matrix blocks the hash area and lists the one group; each JUnit failure names its group."""
    table, xml = tmp_path / "matrix.md", tmp_path / "report.xml"
    code, _out, report = kit(
        tmp_path, fake("plus_one"), "--select=hash-ascii-*", "--via=options", f"--markdown={table}", f"--junit={xml}"
    )
    (group,) = report["implementations"][0]["diagnosis"]
    assert code == 1 and "every port is 1 more than expected" in group["line"]
    text = table.read_text()
    hash_row = next(line for line in text.splitlines() if line.startswith("| hash |"))
    assert "blocked" in hash_row and "0/" not in hash_row, hash_row
    all_row = next(line for line in text.splitlines() if line.startswith("| **all cases** |"))
    assert f"**0/{group['count']}**" in all_row  # the total still counts every failure
    items = [line for line in text.splitlines() if line.startswith("- ")]
    assert items == [f"- {group['count']} results: {group['line']}"]  # more than one result here
    suite = ET.parse(xml).getroot()[0]
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties == {"diagnosis.0": f"{group['count']} results: {group['line']}"}
    failures = list(suite.iter("failure"))
    assert len(failures) == group["count"] and all(f.text.startswith("diagnosis: " + group["line"]) for f in failures)


# ---------------------------------------------------------------- answering fast


@pytest.mark.slow
def test_max_failures_stops_early_and_says_so(tmp_path):
    code, out, report = kit(tmp_path, fake("plus_one"), "--max-failures=1", "--jobs=1")
    results = report["implementations"][0]["results"]
    total = sum(2 if c.has_settings else 1 for c in load(None).cases)
    assert code == 1
    assert len(results) < total // 4  # a quarter of the full run's results, counted, not timed
    assert sum(r["status"] == "fail" for r in results) == 1
    assert report["run"]["stopped_early"] and "max-failures=1" in report["run"]["stopped_early"]
    assert "STOPPED EARLY" in out
    levels = report["implementations"][0]["levels"]
    assert any("not run: the run stopped early" in why for level in levels.values() for why in level["why"])


def test_max_failures_must_be_a_positive_number(tmp_path):
    ran = run([sys.executable, "-m", "port4me_conformance", "--impl=x=true", "--max-failures=0"], cwd=tmp_path)
    assert ran.returncode == 2 and ran.stderr.count("\n") == 1 and "--max-failures=0" in ran.stderr


# ---------------------------------------------------------------- the HTML page


@pytest.mark.slow
def test_html_puts_verdict_and_diagnosis_first_and_reads_well_in_a_browser(tmp_path):
    from .test_runner import Browser

    page = tmp_path / "report.html"
    old = os.umask(0o022)
    try:
        code, _, _ = kit(tmp_path, fake("plus_one"), "--smoke", f"--html={page}")
    finally:
        os.umask(old)
    assert code == 1
    assert stat.S_IMODE(page.stat().st_mode) == 0o644  # the user's umask, not 0600
    browser = Browser(tmp_path / "profile")
    try:
        browser.open(page.as_uri())
        top = "(e) => e.getBoundingClientRect().top + window.scrollY"
        verdict = browser.js(f"({top})(document.querySelector('.verdict-box'))")
        matrix = browser.js(f"({top})(document.querySelector('table.matrix'))")
        assert verdict < matrix
        box = browser.js("document.querySelector('.verdict-box').innerText")
        assert "not conformant" in box and "every port is 1 more than expected" in box
        assert browser.js("document.querySelector('.legend').checkVisibility()") is True
        titles = browser.js("[...document.querySelectorAll('td.title')].map(e => e.innerText)")
        assert any(t.startswith("The hash is h = (31h + c) mod 2^32") for t in titles)
        assert browser.js("document.querySelector('td.title').checkVisibility()") is True
        assert "blocked" in browser.js("document.querySelector('table.matrix').innerText")
        host = browser.js("document.querySelector('p.host').innerText")
        assert "IPv6" in host and "True" not in host and "False" not in host
        browser.js("document.querySelector('details.cause summary').click()")
        browser.js("document.querySelector('details.result summary').click()")
        # Expected and actual in two aligned columns: each row's cells start at the same x.
        lefts = browser.js(
            "[...document.querySelector('details.result table.sides').querySelectorAll('tr')].slice(1).map(r => "
            "[...r.querySelectorAll('td')].map(c => Math.round(c.getBoundingClientRect().left)))"
        )
        assert len(lefts) >= 3 and all(len(row) == 2 for row in lefts)
        assert len({row[0] for row in lefts}) == 1 and len({row[1] for row in lefts}) == 1
        differs = browser.js(
            "document.querySelector('details.result table.sides').querySelectorAll('tr.differs').length"
        )
        assert differs >= 1
        assert "first difference" in browser.js("document.querySelector('details.result').innerText")
        assert browser.js("document.querySelectorAll('script, link, img, iframe').length") == 0
    finally:
        browser.close()


def test_html_lists_skipped_cases_with_their_reasons(tmp_path):
    """A case about a fixed port is skipped when that port is not free here: the page names it and why."""
    page = tmp_path / "report.html"
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("0.0.0.0", 65535))
        holder.listen()
        code, _, report = kit(
            tmp_path, f"--impl=reference={sys.executable} -m port4me", "--select=check-test-65535", f"--html={page}"
        )
    (result,) = report["implementations"][0]["results"]
    assert result["status"] == "skip" and code == 0
    listed = page.read_text().split('<ul class="skipped">', 1)[1].split("</ul>", 1)[0]
    assert "check-test-65535" in listed and "is not free on this host" in listed
