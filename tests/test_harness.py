"""The harness protocol (INTERPRETING section 11): the reference's harness, and the runner against fakes.

Every fake is a real program (tests/harness_fakes.py) that answers right except at one
call, where it hangs, dies, lies, answers twice, writes garbage or floods.  Each run goes
through the installed runner in a child process, bounded by minutes, and its JSON report
is checked against spec/report.schema.json.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from port4me_conformance import harness as protocol

from . import harness_fakes
from .conftest import run

ROOT = Path(__file__).resolve().parent.parent
REPORT_SCHEMA = json.loads((ROOT / "spec/report.schema.json").read_text())
HARNESS_SCHEMA = json.loads((ROOT / "spec/harness.schema.json").read_text())
REFERENCE = f"{sys.executable} -m port4me.harness"
# A few cases of every kind of expectation: ports, errors, test mode, an env variant, a check case.
FEW = [
    "--select=seq-alice*",
    "--select=set-exclude*",
    "--select=cli-unknown-option",
    "--select=test-any*",
    "--select=check-not-held",
    "--select=check-listen-any4",
]


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str
    report: dict

    @property
    def implementation(self) -> dict:
        return self.report["implementations"][0]

    @property
    def results(self) -> list[dict]:
        return self.implementation["results"]

    def statuses(self) -> dict[str, str]:
        return {_name(r): r["status"] for r in self.results}

    def with_status(self, status: str) -> list[dict]:
        return [r for r in self.results if r["status"] == status]


def _name(result: dict) -> str:
    return result["id"] if result["variant"] == "options" else f"{result['id']}@{result['variant']}"


def conformance(tmp_path: Path, *args: str, env: dict | None = None) -> Ran:
    """The installed runner, in a child process bounded by minutes; its JSON report, validated."""
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
    command = [sys.executable, "-m", "port4me_conformance", *args, "--quiet", f"--json={report}"]
    done = run(command, env={**os.environ, **(env or {})}, guard=900)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr[-3000:]
    assert report.exists(), done.stderr[-3000:]
    data = json.loads(report.read_text())
    jsonschema.validate(data, REPORT_SCHEMA)
    return Ran(done.returncode, done.stdout, done.stderr, data)


def fake(tmp_path: Path, kind: str, **how) -> str:
    return f"harness-cli:{harness_fakes.make(tmp_path, kind, **how)}"


# -- the reference's harness


def test_reference_harness_cli_gives_the_command_lines_verdicts_result_by_result(tmp_path, reference_command):
    """The same cases through `port4me` (a process per call) and through the harness: the same statuses.

    The files where the command line itself is judged (exit codes, stderr, bytes that are not
    UTF-8, the environment, real sockets) and a few sequences: the protocol's part, not every vector.
    """
    sample = [f"--select={part}" for part in ("cli", "grammar", "hash", "settings", "test", "check-*", "seq-alice*")]
    command = conformance(tmp_path, f"--impl=ref={reference_command[0]}", *sample, "--jobs=2")
    harnessed = conformance(tmp_path, f"--impl=ref=harness:{REFERENCE}", *sample, "--jobs=2", "--seed=7")
    assert len(command.results) > 250
    assert harnessed.statuses() == command.statuses()
    assert harnessed.code == command.code == 0
    facts = harnessed.implementation["harness"]
    assert facts["interface"] == "cli" and facts["seed"] == 7 and facts["restarts"] == []
    assert facts["processes"] == facts["jobs"] == 2  # one per job, counted after the run closed them
    assert facts["implementation"]["name"] == "port4me"
    assert set(facts["implementation"]["interfaces"]) == {"cli", "library"}
    assert "harness: port4me" in harnessed.stdout and "--seed=7" in harnessed.stdout


def test_reference_library_interface_passes_every_library_level_vector(tmp_path):
    ran = conformance(tmp_path, f"--impl=lib=harness-library:{REFERENCE}", "--jobs=2")
    assert ran.code == 0, ran.stdout[-3000:]
    counts = ran.implementation["counts"]
    assert counts["pass"] > 800 and counts["fail"] == counts["crash"] == counts["timeout"] == 0
    not_applicable = ran.with_status("n/a")
    assert not_applicable, "the library interface takes no help, version or positional-argument case"
    for result in not_applicable:
        assert result["reason"].startswith(("command-line only:", "unit values only")), result
    by_id = {_name(r): r for r in ran.results}
    assert by_id["cli-help"]["status"] == "n/a"
    assert by_id["seq-alice"]["status"] == by_id["seq-alice@env"]["status"] == "pass"
    assert ran.implementation["harness"]["interface"] == "library"


def test_library_level_is_what_section_11_3_says(cases):
    """Section 7-only, help/version, non-option arguments and non-UTF-8 values are command-line only."""
    library = [c for c in cases if not protocol.command_line_only(c)]
    only_cli = [c for c in cases if protocol.command_line_only(c)]
    assert len(library) > 500 and len(only_cli) > 50
    for case in library:
        assert {r.split("-")[1] for r in case.requirements} & protocol.LIBRARY_AREAS or case.unit_only
        assert not {"help", "version"} & set(case.expect)
        assert protocol.library_settings([a.encode() for a in case.data["input"].get("args", [])]) is not None
    reasons = {protocol.command_line_only(c).split(":")[1].split("(")[0].strip() for c in only_cli}
    assert len(reasons) >= 3, reasons


def test_every_request_the_runner_writes_is_valid_and_canonical(tmp_path):
    """A recording harness keeps each request line: each validates against its schema, compact and in order."""
    log = tmp_path / "requests.log"
    script = tmp_path / "recording"
    script.write_text(
        f"#!/bin/sh\ntee -a {log} | {REFERENCE}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    ran = conformance(tmp_path, f"--impl=rec=harness:{script}", *FEW, "--select=hash-invalid-utf8", "--jobs=1")
    assert ran.code == 0, ran.stdout[-2000:]
    lines = log.read_bytes().splitlines()
    assert len(lines) >= len(ran.results)
    for seq, line in enumerate(lines[:-1]):
        message = json.loads(line)
        kind = {"hello": "hello", "stop": "stop", "unit": "unit"}.get(message["op"]) or f"call_{message['interface']}"
        assert protocol.invalid(message, kind) == "", (kind, line)
        assert message["seq"] == seq
        assert line == protocol.request_line(message)[:-1]  # compact, UTF-8 unescaped, in the table's order
    assert json.loads(lines[-1])["op"] == "stop"
    assert any(b'{"hex":' in line for line in lines), "a value that is not UTF-8 travels as hex"


def test_reference_harness_answers_validate(tmp_path):
    requests = [
        {"op": "hello", "seq": 0, "protocol": "1.0"},
        {"op": "call", "seq": 1, "interface": "cli", "argv": ["--user=alice", {"hex": "2d2d746f6f6c3dff"}], "env": {}},
        {"op": "call", "seq": 2, "interface": "library", "settings": {"user": "alice", "list": "2"}, "env": {}},
        {"op": "call", "seq": 3, "interface": "library", "settings": {"user": "alice", "skip": "-1"}, "env": {}},
        {"op": "unit", "seq": 4, "function": "string_hash", "input": "alice"},
        {"op": "stop", "seq": 5},
    ]
    for request in requests[1:4]:
        request["condition"] = ""
    done = subprocess.run(
        [sys.executable, "-m", "port4me.harness"],
        input=b"".join(protocol.request_line(r) for r in requests),
        capture_output=True,
        timeout=120,
        check=True,
    )
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["seq"] for a in answers] == [0, 1, 2, 3, 4]
    for answer, kind in zip(answers, ["self_description", "answer_cli", *["answer_library"] * 2, "answer_unit"]):
        assert protocol.invalid(answer, kind) == "", (kind, answer)
    assert answers[1]["exit_code"] == 2 and "--tool" in answers[1]["stderr"]
    assert answers[2]["ports"] == [30845, 19654]
    assert answers[3]["error"]["kind"] == "usage"
    assert answers[4]["value"] == 92903040


# -- the runner against misbehaving harnesses

BROKEN = {
    # kind: (the status of the call it broke, words its reason holds)
    "crash": ("crash", "killed by SIGSEGV"),
    "exits": ("crash", "exited with status 7"),
    "lie": ("crash", "wrong sequence number"),
    "twice": ("crash", "answered"),  # at once ("answered twice?"), or caught at the next call ("again")
    "garbage": ("crash", "not JSON"),
    "invalid": ("crash", "invalid answer cli"),
    "flood": ("output-too-large", ""),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_harness_that_breaks_the_protocol_is_restarted_and_the_call_reported(tmp_path, kind):
    status, words = BROKEN[kind]
    ran = conformance(tmp_path, f"--impl=bad={fake(tmp_path, kind)}", *FEW, "--jobs=1", "--seed=1")
    assert ran.code == 1
    broken = [r for r in ran.results if r["status"] != "pass"]
    assert len(broken) == 1, [(_name(r), r["status"], r["reason"]) for r in broken]
    assert broken[0]["status"] == status
    assert words in broken[0]["reason"] + " ".join(r["reason"] for r in ran.implementation["harness"]["restarts"])
    assert len(ran.implementation["harness"]["restarts"]) == 1
    assert len(ran.with_status("pass")) == len(ran.results) - 1  # the new process answers the rest


def test_the_reproducing_line_sends_the_one_call_to_a_fresh_harness(tmp_path):
    ran = conformance(tmp_path, f"--impl=bad={fake(tmp_path, 'crash')}", *FEW, "--jobs=1", "--seed=1")
    (broken,) = ran.with_status("crash")
    line = broken["reproduce"]
    assert line.startswith('cd "$(mktemp -d)" && printf') and "fake_harness_crash" in line
    again = subprocess.run(["sh", "-c", line], capture_output=True, timeout=120, check=False)
    answers = [json.loads(answer) for answer in again.stdout.splitlines()]
    assert [answer["seq"] for answer in answers] == [0, 1], again.stderr
    assert again.returncode == 0 and protocol.invalid(answers[1], "answer_cli") == ""


def test_an_answer_that_comes_late_is_caught_at_the_next_call(tmp_path):
    ran = conformance(tmp_path, f"--impl=late={fake(tmp_path, 'late')}", *FEW, "--jobs=1", "--seed=1")
    assert ran.code == 1
    (broken,) = ran.with_status("crash")
    assert "again (or late)" in broken["reason"]
    assert "--user=" in broken["reason"], "names the earlier call"


def test_a_hanging_harness_times_out_the_call_and_is_killed(tmp_path):
    ran = conformance(tmp_path, f"--impl=hang={fake(tmp_path, 'hang')}", *FEW, "--timeout=4", "--jobs=1")
    assert ran.code == 1
    assert len(ran.with_status("timeout")) == 1
    assert "did not answer request" in ran.implementation["harness"]["restarts"][0]["reason"]
    assert len(ran.with_status("pass")) == len(ran.results) - 1
    assert subprocess.run(["pgrep", "-f", "fake_harness_hang"], capture_output=True, check=False).returncode == 1


def test_restarts_are_bounded_and_every_call_after_is_reported(tmp_path):
    ran = conformance(
        tmp_path,
        f"--impl=dies={fake(tmp_path, 'crash', at=1, every=True)}",
        *FEW,
        "--jobs=1",
        "--harness-restarts=2",
    )
    assert ran.code == 1
    crashed = ran.with_status("crash")
    assert len(crashed) == len(ran.results)
    assert len(ran.implementation["harness"]["restarts"]) == 3
    given_up = [r for r in crashed if r["reason"].startswith("not run: the harness was restarted 2 times")]
    assert len(given_up) == len(ran.results) - 3


def test_a_slow_starting_harness_is_given_its_start_time(tmp_path):
    command = f"--impl=slow={fake(tmp_path, 'slow_start')}"
    ran = conformance(tmp_path, command, *FEW, "--timeout=4", "--jobs=1")  # it takes 5 s to say hello
    assert ran.code == 0 and not ran.implementation["harness"]["restarts"]
    refused = conformance(tmp_path, command, *FEW, "--harness-start-timeout=1", "--jobs=1")
    assert refused.code == 1
    assert all(r["status"] == "crash" for r in refused.results)
    assert "did not answer request 0 in time" in refused.implementation["harness"]["failed_start"]


def test_the_processes_of_a_run_start_at_once(tmp_path):
    """Each process of this harness says hello only once all three of --jobs=3 have started: started
    one after another, as their first calls need them, the first would wait until its start timed out."""
    ran = conformance(
        tmp_path, f"--impl=b={fake(tmp_path, 'barrier', at=3)}", *FEW, "--jobs=3", "--harness-start-timeout=60"
    )
    assert ran.code == 0, ran.implementation["harness"]["failed_start"]
    assert ran.implementation["harness"]["processes"] == 3
    assert len((tmp_path / "fake_harness_barrier.done.started").read_text().split()) == 3


@pytest.mark.parametrize("kind", ["mute", "future"])
def test_a_harness_that_never_says_a_usable_hello_fails_every_call_with_why(tmp_path, kind):
    ran = conformance(tmp_path, f"--impl=x={fake(tmp_path, kind)}", *FEW, "--harness-start-timeout=2", "--jobs=1")
    assert ran.code == 1
    assert all(r["status"] == "crash" and "did not start" in r["reason"] for r in ran.results)
    assert ran.implementation["harness"]["implementation"] is None
    assert "did not start" in ran.stdout


def test_the_memory_limit_holds_for_each_answer_of_a_harness(tmp_path):
    """A harness that needs 320 MiB for one answer: past --memory=200 it dies, and the call says why."""
    greedy = fake(tmp_path, "greedy")
    ran = conformance(tmp_path, f"--impl=greedy={greedy}", *FEW, "--memory=200", "--jobs=1", "--seed=1")
    assert ran.code == 1
    (broken,) = [r for r in ran.results if r["status"] != "pass"]
    assert broken["status"] == "crash", broken
    assert broken["cause"] == "memory: reached the limit of 200 MiB per process", broken
    # Its peak is read at the break: at the limit, or past it by what RLIMIT_DATA does not count.
    assert re.search(r"(reached|went past) the limit of 200 MiB.*\(to give it more: --memory=MiB\)", broken["reason"])
    assert "MemoryError" in broken["reason"], "the tail of its stderr shows what failed"
    assert len(ran.implementation["harness"]["restarts"]) == 1
    assert len(ran.with_status("pass")) == len(ran.results) - 1  # the new process has the limit too, and answers
    (tmp_path / "fake_harness_greedy.done").unlink()
    enough = conformance(tmp_path, f"--impl=greedy={greedy}", *FEW, "--memory=1024", "--jobs=1", "--seed=1")
    assert enough.code == 0, enough.stdout[-2000:]


def test_a_harness_flooding_stderr_blocks_nothing(tmp_path):
    ran = conformance(tmp_path, f"--impl=chatty={fake(tmp_path, 'chatty', at=1, every=True)}", *FEW, "--jobs=1")
    assert ran.code == 0, ran.stdout[-2000:]


def test_a_state_leak_in_a_cached_fast_path_is_caught_by_a_shuffled_harness_run(tmp_path):
    """The reference's orderings and jumps cached by the set's size: one process per call never sees it."""
    as_harness = harness_fakes.make_cache_bug(tmp_path, as_harness=True)
    as_command = harness_fakes.make_cache_bug(tmp_path, as_harness=False)
    selection = ["--level=sequence", "--select=sets", "--select=grammar", "--select=sequence", "--select=lcg"]
    first = conformance(tmp_path, f"--impl=leak=harness:{as_harness}", *selection, "--jobs=2", "--seed=3")
    again = conformance(tmp_path, f"--impl=leak=harness:{as_harness}", *selection, "--jobs=2", "--seed=3")
    assert first.code == 1
    failed = {_name(r) for r in first.with_status("fail")}
    assert failed and all("other ports" in r["reason"] for r in first.with_status("fail"))
    assert {_name(r) for r in again.with_status("fail")} == failed, "the same seed repeats the same order"
    assert first.implementation["harness"]["seed"] == 3
    assert "--seed=3" in first.stdout
    # The cases the leak failed, one process per call: the cache never outlives a call, so they pass.
    failed_cases = sorted({name.split("@")[0] for name in failed})
    per_call = conformance(tmp_path, f"--impl=leak={as_command}", *(f"--select={c}" for c in failed_cases), "--jobs=2")
    assert per_call.code == 0, "one process per call: the cache never outlives a call"
    assert {_name(r) for r in per_call.with_status("pass")} >= failed


def test_bad_harness_options_are_usage_errors(capsys):
    """Refused before anything runs: in this process (the runner's main), each with one line on stderr."""
    from port4me_conformance.cli import main

    for args in (["--seed=x"], ["--harness-restarts=-1"], ["--harness-start-timeout=0"]):
        assert main([f"--impl=harness:{REFERENCE}", *args]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("port4me-conformance: ") and err.count("\n") == 1, (args, err)
    assert main(["--impl=harness:/no/such/harness"]) == 2
    assert "is not found" in capsys.readouterr().err
