"""The conformance runner, tested with fake implementations, bad input and its reports."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from port4me_conformance.cli import main

from .fakes import make

ROOT = Path(__file__).resolve().parent.parent
FEW = ["--select=seq-alice", "--select=set-exclude", "--select=cli-unknown-option", "--select=test-any"]


def conformance(*args: str) -> int:
    return main(list(args))


def report(tmp_path: Path, *args: str) -> tuple[int, dict]:
    path = tmp_path / "report.json"
    code = conformance(*args, f"--json={path}")
    data = json.loads(path.read_text())
    jsonschema.validate(data, json.loads((ROOT / "spec/report.schema.json").read_text()))
    return code, data


def statuses(data: dict, index: int = 0) -> dict[str, tuple[str, str]]:
    return {f"{r['id']}@{r['variant']}": (r["status"], r["reason"]) for r in data["implementations"][index]["results"]}


def test_right_implementation_passes(tmp_path):
    code, data = report(tmp_path, f"--impl={make(tmp_path, 'right')}", *FEW)
    assert code == 0
    assert {s for s, _ in statuses(data).values()} == {"pass"}
    assert len(statuses(data)) == 6  # two cases with abstract settings run as options and as env


def test_caller_environment_does_not_leak(tmp_path, monkeypatch):
    for name, value in {
        "PORT4ME_USER": "bob",
        "PORT4ME_EXCLUDE": "30845",
        "PORT4ME_LIST": "3",
        "PORT4ME_TEST": "1",
        "_PORT4ME_CHECK_AVAILABLE_PORTS_": "bogus",
    }.items():
        monkeypatch.setenv(name, value)
    code, data = report(tmp_path, f"--impl={make(tmp_path, 'reads_env')}", *FEW)
    assert code == 0, statuses(data)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("off_by_one", "stdout differs"),
        ("crash", "killed by signal 11"),
        ("wrong_stream", "stdout differs"),
        ("blank_lines", "stdout differs"),
        ("garbage", "stdout differs"),
    ],
)
def test_wrong_implementations_fail_with_the_reason(tmp_path, kind, reason):
    code, data = report(tmp_path, f"--impl={make(tmp_path, kind)}", "--select=seq-alice")
    assert code == 1
    assert statuses(data)["seq-alice@options"] == ("fail", reason)


def test_wrong_stream_is_caught_for_errors_too(tmp_path):
    code, _ = report(tmp_path, f"--impl={make(tmp_path, 'wrong_stream')}", "--select=cli-unknown-option")
    assert code == 0  # errors go to stderr anyway: this fake is right there
    code, _ = report(tmp_path, f"--impl={make(tmp_path, 'blank_lines')}", "--select=cli-unknown-option")
    assert code == 0


def test_hang_is_killed_with_its_process_group(tmp_path):
    start = time.monotonic()
    code, data = report(tmp_path, f"--impl={make(tmp_path, 'hang')}", "--select=seq-alice", "--timeout=0.5")
    assert code == 1
    assert statuses(data)["seq-alice@options"][0] == "fail"
    assert "timed out" in statuses(data)["seq-alice@options"][1]
    assert time.monotonic() - start < 10


def test_known_differences_expected_and_stale(tmp_path):
    fake = make(tmp_path, "off_by_one")
    known = tmp_path / "known.yaml"
    known.write_text(
        "implementation: fake\ndifferences:\n- {id: seq-alice, reason: off by one}\n"
        "- {id: set-exclude@env, reason: only the env variant is excused}\n"
    )
    code, data = report(
        tmp_path,
        f"--impl={fake}",
        f"--known-differences={known}",
        "--select=seq-alice",
        "--select=cli-unknown-option",
        "--select=set-exclude",
    )
    result = statuses(data)
    assert result["seq-alice@options"] == ("xfail", "off by one")
    assert result["cli-unknown-option@options"][0] == "pass"  # an error case: the fake prints nothing, exits 2
    assert result["set-exclude@env"] == ("xfail", "only the env variant is excused")
    assert result["set-exclude@options"][0] == "fail"  # not listed: it still fails the run
    assert code == 1


def test_a_known_difference_that_passes_fails_the_run(tmp_path):
    known = tmp_path / "known.yaml"
    known.write_text("differences:\n- {id: seq-alice, reason: was wrong once}\n")
    code, data = report(
        tmp_path, f"--impl={make(tmp_path, 'right')}", f"--known-differences={known}", "--select=seq-alice"
    )
    assert code == 1
    assert statuses(data)["seq-alice@options"][0] == "xpass"


def test_several_implementations_in_one_report(tmp_path):
    markdown = tmp_path / "matrix.md"
    junit = tmp_path / "junit.xml"
    code, data = report(
        tmp_path,
        f"--impl=good={make(tmp_path, 'right')}",
        f"--impl=bad={make(tmp_path, 'off_by_one')}",
        "--select=sequence",
        f"--markdown={markdown}",
        f"--junit={junit}",
    )
    assert code == 1
    assert [i["name"] for i in data["implementations"]] == ["good", "bad"]
    assert data["implementations"][0]["ok"] and not data["implementations"][1]["ok"]
    table = markdown.read_text()
    assert "| area | good | bad |" in table and "| sequence | 400/400 | 0/400 |" in table
    suites = ET.parse(junit).getroot()
    assert [s.get("name") for s in suites] == ["good", "bad"]
    assert suites[1].get("failures") == "400"


def test_parallel_and_serial_runs_agree(tmp_path):
    fake = make(tmp_path, "right")
    _, serial = report(tmp_path, f"--impl={fake}", "--select=check", "--select=sets", "--jobs=1")
    _, parallel = report(tmp_path, f"--impl={fake}", "--select=check", "--select=sets", "--jobs=4")
    assert statuses(serial) == statuses(parallel)
    assert all(s in ("pass", "skip") for s, _ in statuses(parallel).values())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--impl=/nonexistent/port4me"], "is not found"),
        (["--impl=port4me", "--jobs=0"], "--jobs=0: expected a positive whole number"),
        (["--impl=port4me", "--jobs=two"], "--jobs=two"),
        (["--impl=port4me", "--timeout=-1"], "--timeout=-1"),
        (["--impl=port4me", "--select=no-such-case"], "matches no case"),
        (["--impl=a=port4me", "--impl=a=port4me"], "same name"),
        (["--impl=inprocess:no.such.module:main"], "cannot load"),
        ([], "give at least one --impl"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, message, tmp_path):
    json_path = tmp_path / "never.json"
    assert (
        conformance(
            *[
                a.replace("port4me", str(ROOT / ".venv/bin/port4me"))
                if a.startswith("--impl=") and "/nonexistent" not in a and "inprocess" not in a
                else a
                for a in args
            ],
            f"--json={json_path}",
        )
        == 2
    )
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not json_path.exists()  # nothing half-written


def test_not_executable_and_bad_known_differences(capsys, tmp_path):
    plain = tmp_path / "plain"
    plain.write_text("not a program")
    assert conformance(f"--impl={plain}") == 2
    assert "is not executable" in capsys.readouterr().err
    known = tmp_path / "known.yaml"
    known.write_text("differences:\n- {id: no-such-case, reason: x}\n")
    assert conformance(f"--impl={make(tmp_path, 'right')}", f"--known-differences={known}") == 2
    assert "no case has the id 'no-such-case'" in capsys.readouterr().err


def test_argparse_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["--jobz=2"])
    assert raised.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_malformed_vectors_directory(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text("spec_version: '1.0'\n")
    assert conformance("--impl=inprocess:port4me.cli:main", f"--vectors={tmp_path}") == 2
    assert "bad.yaml: schema violation" in capsys.readouterr().err


def test_list_cases(capsys):
    assert conformance("--list-cases", "--select=P4M-CHECK-4") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["check-listen-any4", "check-listen-loopback4"]
