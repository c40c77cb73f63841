"""A time-bound case has a limit of its own (INTERPRETING 5): a longer --timeout, given for a slow
interpreter, must not turn "the work grows with the value" into a pass."""

from __future__ import annotations

import json

from tests.conftest import BIN, run

# Says its version, then never answers a case.
HANG = """#!/bin/sh
case "$1" in --version) echo "fake-slow 1"; exit 0;; esac
exec sleep 86400
"""


def test_time_bound_cases_have_a_fixed_limit_whatever_the_timeout(tmp_path):
    hang = tmp_path / "slow"
    hang.write_text(HANG, encoding="utf-8")
    hang.chmod(0o755)
    report = tmp_path / "report.json"
    ran = run(
        [
            BIN / "port4me-conformance",
            f"--impl=hang={hang}",
            "--select=skip-5000-digits",
            "--select=skip-10000-digits",
            "--timeout=86400",
            f"--json={report}",
            "--quiet",
        ]
    )
    # Had the call been given --timeout, the hang guard (minutes) would have stopped the run instead.
    assert ran.returncode == 1, ran.stdout + ran.stderr
    results = json.loads(report.read_text())["implementations"][0]["results"]
    assert {r["id"] for r in results} == {"skip-5000-digits", "skip-10000-digits"}
    for result in results:
        assert result["status"] == "fail", result
        assert "within 10 s" in result["reason"] and "time-bound" in result["reason"], result
