"""The conformance runner, tested with fake implementations that misbehave, bad input and its reports.

Each run of a misbehaving fake goes through the installed command in a child process, so
that the test can watch the runner's own peak memory where a fake floods it, and checks that
every report it wrote is valid: JSON against spec/report.schema.json, JUnit and HTML as XML.
No test asserts how long a run took: each asserts what happened (the status, the reason, the
processes that are gone). How fast the runner is, is `make bench`'s question.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from port4me_conformance.cli import main, parse_impl

from .conftest import HANG_GUARD, run
from .fakes import make

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "spec/report.schema.json").read_text())
FEW = ["--select=seq-alice", "--select=set-exclude", "--select=cli-unknown-option", "--select=test-any"]
# The runner's own peak memory, whatever an implementation writes: its output caps (1 MiB a
# stream) hold it there; without them a flood grew it to 7 GB. Memory, not time: a loaded
# machine does not change it.
MAX_RSS_MB = 150


@dataclass
class Ran:
    code: int
    rss_mb: float
    stdout: str
    stderr: str
    report: dict

    def status(self, name: str) -> tuple[str, str]:
        (result,) = [r for r in self.report["implementations"][0]["results"] if _name(r) == name]
        return result["status"], result["reason"]

    def result(self, name: str) -> dict:
        return next(r for r in self.report["implementations"][0]["results"] if _name(r) == name)


def _name(r: dict) -> str:
    return r["id"] if r["variant"] == "options" else f"{r['id']}@{r['variant']}"


def checked(tmp_path: Path, *args: str, env: dict | None = None) -> Ran:
    """Run the command with every report; assert it ended by itself, its peak memory bounded, each report valid."""
    files = {kind: tmp_path / f"report.{kind}" for kind in ("json", "junit", "html")}
    command = [sys.executable, "-m", "port4me_conformance", *args, "--quiet"]
    command += [f"--{kind}={path}" for kind, path in files.items()]
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    start = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            command, stdout=stdout, stderr=stderr, env={**os.environ, **(env or {})}, cwd=tmp_path
        )
    # The runner's own peak memory: VmHWM of its address space, read until it exits. (wait4's
    # ru_maxrss would also count the memory of this test process, which a fork and exec carry over.)
    peak_kb, hung = 0, False
    while True:
        peak_kb = max(peak_kb, _high_water_kb(process.pid))
        pid, status = os.waitpid(process.pid, os.WNOHANG)
        if pid:
            break
        if not hung and time.monotonic() - start > HANG_GUARD:  # a hang detector, not a speed limit
            hung = True
            process.kill()
        time.sleep(0.005)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert not hung, f"the runner was still running after {HANG_GUARD:.0f} s: killed as hung"
    rss = peak_kb / 1024
    assert rss < MAX_RSS_MB, f"the runner peaked at {rss:.0f} MB"
    report = json.loads(files["json"].read_text())
    jsonschema.validate(report, SCHEMA)
    ET.parse(files["junit"])  # well-formed XML, whatever the implementation printed
    ET.parse(files["html"])  # the HTML report is well-formed XML too (void elements closed)
    return Ran(process.returncode, rss, out.read_text(errors="replace"), err.read_text(errors="replace"), report)


def _high_water_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_right_implementation_passes(tmp_path):
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'right')}", *FEW)
    assert ran.code == 0, ran.stdout
    assert {r["status"] for r in ran.report["implementations"][0]["results"]} == {"pass"}
    assert len(ran.report["implementations"][0]["results"]) == 6  # two cases run as options and as env


def test_caller_environment_does_not_leak(tmp_path):
    leaked = {"PORT4ME_USER": "bob", "PORT4ME_EXCLUDE": "30845", "PORT4ME_LIST": "3", "PORT4ME_TEST": "1"}
    leaked["_PORT4ME_CHECK_AVAILABLE_PORTS_"] = "bogus"
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'reads_env')}", *FEW, env=leaked)
    assert ran.code == 0, ran.stdout


def test_session_leaving_child_is_bounded_killed_and_reported(tmp_path):
    """Before: 2 cases at --timeout=2 took 40 s, and the child outlived the run.

    The fake's child sleeps ten minutes: had the runner waited for it rather than killed it,
    the run would outlast the hang guard; gone now, and listed as killed, it was killed."""
    pids = tmp_path / "pids"
    ran = checked(
        tmp_path,
        f"--impl={make(tmp_path, 'session_leaver')}",
        "--select=seq-alice",
        "--select=cli-unknown-option",
        "--timeout=2",
        "--jobs=1",
        "--pass-env=FAKE_PIDS",
        env={"FAKE_PIDS": str(pids)},
    )
    assert ran.code == 1
    for name in ("seq-alice", "cli-unknown-option"):
        status, reason = ran.status(name)
        assert status == "timeout" and "--timeout=SECONDS" in reason and "2 s" in reason
        killed = ran.result(name)["actual"]["killed"]
        assert any("had left the call's session" in k for k in killed), killed
    children = [int(p) for p in pids.read_text().split()]
    assert len(children) == 4 and not any(alive(p) for p in children)  # --version, then three calls


def test_child_left_in_the_group_is_killed_after_a_normal_exit(tmp_path):
    pids = tmp_path / "pids"
    ran = checked(
        tmp_path,
        f"--impl={make(tmp_path, 'leaves_child')}",
        "--select=seq-alice",
        "--pass-env=FAKE_PIDS",
        env={"FAKE_PIDS": str(pids)},
    )
    assert ran.code == 0
    assert ran.status("seq-alice") == ("pass", "passed, but left processes running, which the runner killed")
    assert not alive(int(pids.read_text().split()[0]))


@pytest.mark.parametrize("kind", ["endless", "endless_stderr"])
def test_endless_output_is_cut_at_the_limit_and_the_run_goes_on(tmp_path, kind):
    """Before: the runner grew to 7 GB and died of a MemoryError, with no report."""
    ran = checked(tmp_path, f"--impl={make(tmp_path, kind)}", "--select=seq-alice", "--select=set-exclude", "--jobs=2")
    assert ran.code == 1
    statuses = {_name(r): r["status"] for r in ran.report["implementations"][0]["results"]}
    assert set(statuses.values()) == {"output-too-large"}, statuses
    assert len(statuses) == 4  # it went on after the first
    assert ran.rss_mb < MAX_RSS_MB  # checked() asserts it for every run; here it is the point


def test_a_version_that_writes_without_end_says_so(tmp_path):
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'endless')}", "--select=seq-alice")
    assert ran.report["implementations"][0]["version"] == "(no version: wrote more than 1048576 bytes on a stream)"


def test_control_bytes_keep_every_report_valid_and_show_visibly(tmp_path):
    """Before: control bytes in the output made the JUnit report invalid XML."""
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'control_bytes')}", "--select=seq-alice", "--verbose")
    assert ran.code == 1
    result = ran.result("seq-alice")
    assert result["status"] == "fail" and result["cause"] == "P4M-CLI-5: stdout holds more than ports, one per line"
    assert "30845\\r" in result["detail"] and "\\x1b[31m" in result["actual"]["stdout"] and "\\xff" in result["detail"]
    assert "\x1b" not in ran.stdout and "\r" not in ran.stdout  # the terminal shows them, never obeys them
    assert "30845\\r" in ran.stdout


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("crash", "crash", "killed by signal 11 (SIGSEGV)"),
        ("off_by_one", "fail", "stdout differs (other ports)"),
        ("wrong_stream", "fail", "stdout differs (other ports)"),
        ("blank_lines", "fail", "stdout differs (not only ports, one per line)"),
        ("garbage", "fail", "stdout differs (not only ports, one per line)"),
    ],
)
def test_wrong_implementations_fail_with_the_reason(tmp_path, kind, status, reason):
    fake = make(tmp_path, kind)
    ran = checked(tmp_path, f"--impl={fake}", "--select=seq-alice")
    assert ran.code == 1
    assert ran.status("seq-alice") == (status, reason)
    line = ran.result("seq-alice")["reproduce"]
    assert line.startswith('cd "$(mktemp -d)" && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent')
    assert line.endswith(f"{fake} --user=alice --list=10 </dev/null"), line  # the options variant
    assert f"$ {line}" in ran.stdout  # in the terminal output too


def test_a_reproducing_line_reproduces(tmp_path):
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'off_by_one')}", "--select=seq-alice")
    line = ran.result("seq-alice")["reproduce"]
    again = run(["sh", "-c", line])
    assert again.stdout == ran.result("seq-alice")["actual"]["stdout"]


def test_hang_is_killed_with_its_process_group(tmp_path):
    # 5 s, not less: the fake must start Python and fork its grandchild before the deadline (at
    # load 10, 0.5 s was not enough, and there was no grandchild to kill). It sleeps; no CPU is spent.
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'hang')}", "--select=seq-alice", "--timeout=5")
    assert ran.code == 1
    assert ran.status("seq-alice")[0] == "timeout"
    assert "5 s" in ran.status("seq-alice")[1] and "5 s" in ran.stdout
    assert len(ran.result("seq-alice")["actual"]["killed"]) == 1  # the grandchild; the child itself is the call


def test_allow_timeouts_and_time_bound_cases(tmp_path):
    fake = make(tmp_path, "hang")
    ran = checked(tmp_path, f"--impl={fake}", "--select=seq-alice", "--timeout=0.3", "--allow-timeouts")
    assert ran.code == 0 and ran.report["implementations"][0]["levels"]["sequence"]["verdict"] == "incomplete"
    ran = checked(
        tmp_path, f"--impl={fake}", "--select=skip-10000-digits", "--timeout=0.3", "--allow-timeouts", "--via=options"
    )
    assert ran.code == 1 and ran.status("skip-10000-digits")[0] == "fail"  # time-bound: a timeout is a failure


def test_slow_but_correct_passes_with_the_default_timeout(tmp_path):
    fake = make(tmp_path, "slow")
    ran = checked(tmp_path, f"--impl={fake}", "--select=seq-alice", "--timeout=1")
    assert ran.status("seq-alice")[0] == "timeout"
    assert "did not finish within 1 s; to give it longer, run with --timeout=SECONDS" in ran.stdout
    ran = checked(tmp_path, f"--impl={fake}", "--select=seq-alice")
    assert ran.code == 0 and ran.report["run"]["timeout"] == 10


def test_advisory_case_warns_and_the_run_succeeds(tmp_path):
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'chatty')}", "--select=cli-quiet-on-success")
    assert ran.code == 0
    assert ran.status("cli-quiet-on-success") == ("warn", "stderr is not empty on success")
    assert ran.report["implementations"][0]["levels"]["sequence"]["verdict"] == "incomplete"  # not all selected


def test_each_call_gets_a_fresh_empty_directory_removed_afterwards(tmp_path):
    log = tmp_path / "cwd"
    checked(
        tmp_path,
        f"--impl={make(tmp_path, 'cwd')}",
        "--select=seq-alice",
        "--select=set-exclude",
        "--pass-env=FAKE_PIDS",
        env={"FAKE_PIDS": str(log)},
    )
    seen = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert len(seen) == 5  # --version, then four calls
    assert all(listing == "[]" for _, listing in seen)
    folders = [folder for folder, _ in seen]
    assert len(set(folders)) == 5 and folders[0] != "/" and not any(Path(f).exists() for f in folders)


def test_known_differences_expected_and_stale(tmp_path):
    fake = make(tmp_path, "off_by_one")
    known = tmp_path / "known.yaml"
    known.write_text(
        "implementation: fake\ndifferences:\n- {id: seq-alice, reason: off by one}\n"
        "- {id: set-exclude@env, reason: only the env variant is excused}\n"
    )
    ran = checked(
        tmp_path,
        f"--impl={fake}",
        f"--known-differences={known}",
        "--select=seq-alice",
        "--select=cli-unknown-option",
        "--select=set-exclude",
    )
    assert ran.status("seq-alice") == ("xfail", "off by one")
    assert ran.result("seq-alice")["observed"] == "fail: stdout differs (other ports)"
    assert ran.status("cli-unknown-option")[0] == "pass"
    assert ran.status("set-exclude@env") == ("xfail", "only the env variant is excused")
    assert ran.status("set-exclude")[0] == "fail"  # not listed: it still fails the run
    assert ran.code == 1
    assert ran.report["implementations"][0]["levels"]["sequence"]["verdict"] == "not conformant"


def test_a_known_difference_that_passes_fails_the_run(tmp_path):
    known = tmp_path / "known.yaml"
    known.write_text("differences:\n- {id: seq-alice, reason: was wrong once}\n")
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'right')}", f"--known-differences={known}", "--select=seq-alice")
    assert ran.code == 1 and ran.status("seq-alice")[0] == "xpass"


def test_require_conformant_fails_a_run_that_claims_less(tmp_path, capsys):
    """A run can succeed (exit 0) while a level is incomplete or has known differences; the claim cannot."""
    known = tmp_path / "known.yaml"
    known.write_text("differences:\n- {id: seq-alice, reason: off by one}\n")
    excused = [f"--impl={make(tmp_path, 'off_by_one')}", f"--known-differences={known}", "--select=seq-alice"]
    assert main([*excused, "--quiet"]) == 0
    assert main([*excused, "--quiet", "--require-conformant"]) == 1
    err = capsys.readouterr().err
    assert "not conformant at the sequence level: 2 known differences" in err
    assert "incomplete at the check level" in err and "cases not selected" in err
    few = tmp_path / "vectors"
    few.mkdir()
    shutil.copy(ROOT / "vectors/hash.json", few)
    right = [f"--impl={make(tmp_path, 'right')}", f"--vectors={few}", "--quiet", "--require-conformant"]
    assert main([*right, "--level=sequence"]) == 0
    assert main(right) == 1  # the check level ran no case: incomplete
    assert "incomplete at the check level: no case of this level was run" in capsys.readouterr().err


def test_a_starting_known_differences_file_from_any_run(tmp_path):
    fake = make(tmp_path, "off_by_one")
    written = tmp_path / "start.yaml"
    ran = checked(
        tmp_path, f"--impl=fake={fake}", "--select=sequence", "--select=cli", f"--write-known-differences={written}"
    )
    assert ran.code == 1 and str(written) in ran.stdout
    text = written.read_text()
    assert "# P4M-" in text and "Appendix A row " in text and "it printed: exit 0" in text  # grouped by cause
    again = checked(
        tmp_path, f"--impl=fake={fake}", "--select=sequence", "--select=cli", f"--known-differences={written}"
    )
    assert again.code == 0, again.stdout[-3000:]
    counts = again.report["implementations"][0]["counts"]
    assert counts["fail"] == 0 and counts["xfail"] > 400


def test_causes_come_first_with_their_cases(tmp_path):
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'off_by_one')}", "--select=sequence", "--select=cli")
    causes = ran.report["implementations"][0]["causes"]
    assert causes == sorted(causes, key=lambda c: -c["count"])
    assert causes[0]["cause"].startswith("P4M-") and causes[0]["count"] >= 100
    groups = ran.report["implementations"][0]["diagnosis"]  # the terminal shows problems by symptom (issue 15)
    assert groups == sorted(groups, key=lambda g: -g["count"]) and groups[0]["count"] >= 100
    first = ran.stdout.index(f"[{groups[0]['count']}] {groups[0]['line']}")
    assert first < ran.stdout.index(groups[0]["results"][0])


def test_several_implementations_in_one_report(tmp_path):
    markdown = tmp_path / "matrix.md"
    ran = checked(
        tmp_path,
        f"--impl=good={make(tmp_path, 'right')}",
        f"--impl=bad={make(tmp_path, 'off_by_one')}",
        "--select=sequence",
        f"--markdown={markdown}",
    )
    assert ran.code == 1
    implementations = ran.report["implementations"]
    assert [i["name"] for i in implementations] == ["good", "bad"]
    assert implementations[0]["ok"] and not implementations[1]["ok"]
    table = markdown.read_text()
    assert "| area | good | bad |" in table and "| **all cases** | **400/400** | **0/400** |" in table
    assert "skipped results" in table  # says what the denominator leaves out
    suites = ET.parse(tmp_path / "report.junit").getroot()
    assert [s.get("name") for s in suites] == ["good", "bad"] and suites[1].get("failures") == "400"


def test_report_states_what_a_claim_names(tmp_path):
    ran = checked(
        tmp_path,
        f"--impl={make(tmp_path, 'right')}",
        "--select=sequence",
        "--deselect=seq-alice",
        "--via=env",
        "--timeout=7",
    )
    report = ran.report
    assert report["report_version"] == "2.1" and report["spec_version"] == "1.2"
    assert report["vectors"]["vectors_version"] and report["vectors"]["digest"].startswith("sha256:")
    assert report["host"]["root"] == (os.geteuid() == 0) and isinstance(report["host"]["ipv6"], bool)
    assert report["run"]["via"] == "env" and report["run"]["timeout"] == 7 and "seq-alice" in report["run"]["excluded"]
    implementation = report["implementations"][0]
    assert implementation["version"] == "1.2.0"
    sequence = implementation["levels"]["sequence"]
    assert sequence["verdict"] == "incomplete" and sequence["excluded"] > 0
    assert any("not selected" in why for why in sequence["why"])


def test_level_selects_a_level_as_the_spec_defines_it(capsys):
    assert main(["--list-cases", "--level=check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all("\tcheck\t" in line for line in lines)
    assert main(["--list-cases", "--level=sequence", "--deselect=sequence", "--deselect=P4M-CLI-*"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and not any(line.split("\t")[1] == "sequence" or "P4M-CLI-" in line for line in lines)


def test_user_conditions_through_a_subprocess(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("running a call as another user needs root")
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'nameless')}", "--select=user-nameless-*")
    assert ran.code == 0, ran.stdout
    assert {r["status"] for r in ran.report["implementations"][0]["results"]} == {"pass"}
    assert "no user-database entry" in ran.result("user-nameless-account-variable")["setup"]
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'unprivileged')}", "--select=check-privileged-unprivileged")
    assert ran.code == 0, ran.stdout


def test_seccomp_conditions_through_a_subprocess(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("seccomp is Linux only")
    # The reference passes these only under the filters: without them it sees IPv6, or a free port.
    ran = checked(
        tmp_path, f"--impl={make(tmp_path, 'right')}", "--select=check-no-ipv6-*", "--select=check-socket-emfile-*"
    )
    statuses = {_name(r): r["status"] for r in ran.report["implementations"][0]["results"]}
    assert set(statuses.values()) <= {"pass", "skip"} and "pass" in statuses.values(), statuses
    assert statuses["check-socket-emfile-test"] == "pass"


def test_a_condition_that_cannot_be_imposed_is_skipped_with_the_reason(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("as root only: the probe runs the command as another user")
    ran = checked(tmp_path, f"--impl={make(tmp_path, 'right')}", "--select=user-nameless-account-option")
    status, reason = ran.status("user-nameless-account-option")
    assert status == "skip" and "cannot run as uid" in reason  # a Python under /root (mode 700) here


def test_list_cases_into_a_closed_pipe_is_quiet():
    done = run(["sh", "-c", f"{sys.executable} -m port4me_conformance --list-cases | head -1"])
    assert done.stdout.count("\n") == 1 and done.stderr == "", done.stderr


def test_progress_on_a_pipe_is_quiet_but_not_blind(tmp_path):
    done = run([sys.executable, "-m", "port4me_conformance", f"--impl={make(tmp_path, 'right')}", "--select=seq-alice"])
    assert done.stderr.startswith("port4me-conformance: checking fake_right: 2 calls\n")
    assert "\r" not in done.stderr and len(done.stderr.splitlines()) == 2


def test_shipped_known_differences_by_short_name(capsys, tmp_path):
    assert (
        main(
            [
                "--impl=" + make(tmp_path, "right"),
                "--known-differences=upstream-python-0.7.0",
                "--select=seq-alice",
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["--impl=" + make(tmp_path, "right"), "--known-differences=no-such-name", "--quiet"]) == 2
    shipped = capsys.readouterr().err.partition("(shipped: ")[2].rstrip(")\n").split(", ")
    assert {"upstream-python-0.7.0", "upstream-python-0.7.0-library", "upstream-r-0.7.1"} <= set(shipped), shipped


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--impl=/nonexistent/port4me"], "is not found"),
        (["--impl=port4me", "--jobs=0"], "--jobs=0: expected a positive whole number"),
        (["--impl=port4me", "--jobs=two"], "--jobs=two"),
        (["--impl=port4me", "--timeout=-1"], "--timeout=-1"),
        (["--impl=port4me", "--select=no-such-case"], "matches no case"),
        (["--impl=port4me", "--deselect=no-such-case"], "--deselect matches no case"),
        (["--impl=a=port4me", "--impl=a=port4me"], "same name"),
        (["--impl=inprocess:no.such.module:main"], "cannot load"),
        ([], "give at least one --impl"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, message, tmp_path):
    json_path = tmp_path / "never.json"
    fixed = [
        a.replace("port4me", str(ROOT / ".venv/bin/port4me"))
        if a.startswith("--impl=") and "/nonexistent" not in a and "inprocess" not in a
        else a
        for a in args
    ]
    assert main([*fixed, f"--json={json_path}"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not json_path.exists()  # nothing half-written


def test_not_executable_and_bad_known_differences(capsys, tmp_path):
    plain = tmp_path / "plain"
    plain.write_text("not a program")
    assert main([f"--impl={plain}"]) == 2
    assert "is not executable" in capsys.readouterr().err
    known = tmp_path / "known.yaml"
    known.write_text("differences:\n- {id: no-such-case, reason: x}\n")
    assert main([f"--impl={make(tmp_path, 'right')}", f"--known-differences={known}"]) == 2
    assert "no case has the id 'no-such-case'" in capsys.readouterr().err


def test_relative_paths_in_the_command_are_taken_from_the_runners_folder(tmp_path, monkeypatch):
    """Each call runs in a fresh empty folder, so `node js/bin/port4me.cjs` must name the file absolutely."""
    fake = Path(make(tmp_path, "right"))
    (tmp_path / "sub").mkdir()
    fake.rename(tmp_path / "sub" / "fake.py")
    monkeypatch.chdir(tmp_path)
    adapter = parse_impl(f"rel={sys.executable} sub/fake.py -m sub/missing other", 1)
    assert adapter.command[1:] == [str(tmp_path / "sub/fake.py"), "-m", "sub/missing", "other"]
    ran = checked(tmp_path, f"--impl=rel={sys.executable} sub/fake.py", "--select=seq-alice")
    assert ran.code == 0 and ran.status("seq-alice")[0] == "pass"


def test_argparse_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["--jobz=2"])
    assert raised.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_malformed_vectors_directory(capsys, tmp_path):
    (tmp_path / "bad.json").write_text('{"spec_version": "1.0"}\n')
    assert main(["--impl=inprocess:port4me.cli:main", f"--vectors={tmp_path}"]) == 2
    assert "bad.json: schema violation" in capsys.readouterr().err


def test_list_cases(capsys):
    assert main(["--list-cases", "--select=P4M-CHECK-4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["check-listen-any4", "check-listen-loopback4"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("no chromium: `make test` installs Debian's where it can (apt-get install -y chromium)")
    return found


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe (fd 3 in, fd 4 out; NUL-ended JSON messages)."""

    FLAGS = (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--remote-debugging-pipe",
    )

    def __init__(self, profile: Path):
        to_browser, self._in = os.pipe()
        self._out, from_browser = os.pipe()

        def pipes_at_3_and_4():  # what --remote-debugging-pipe reads and writes
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self.process = subprocess.Popen(
            [_chromium(), *self.FLAGS, f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=pipes_at_3_and_4,  # noqa: PLW1509 - a test, one thread starting it
            stdout=subprocess.DEVNULL,
            stderr=(profile.parent / "chromium.log").open("w"),
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._id, self.session = b"", 0, None

    def call(self, method: str, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._in, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + HANG_GUARD  # a hang detector: a loaded machine may answer slowly
        while time.monotonic() < deadline:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._id:
                    assert "error" not in reply, reply
                    return reply["result"]
            chunk = os.read(self._out, 1 << 16)
            assert chunk, "chromium closed the pipe"
            self._buffer += chunk
        raise TimeoutError(method)

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + HANG_GUARD  # a hang detector: a loaded machine may load slowly
        while time.monotonic() < deadline:  # until the report itself, not the blank page before it, has loaded
            if self.js("document.readyState === 'complete' && location.href") == url:
                return
            time.sleep(0.05)
        raise TimeoutError(url)

    def js(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        os.close(self._in)
        os.close(self._out)


def test_html_report_renders_in_a_real_browser(tmp_path):
    """The matrix by area and requirement, and a failure that opens to expected, actual, diff and command."""
    page = tmp_path / "report.html"
    ran = checked(
        tmp_path,
        f"--impl=good={make(tmp_path, 'right')}",
        f"--impl=noisy={make(tmp_path, 'control_bytes')}",
        "--select=seq-alice",
        "--select=set-exclude",
    )
    assert ran.code == 1
    browser = Browser(tmp_path / "profile")
    try:
        browser.open(page.as_uri())
        matrix = "table.matrix"  # the page's other tables hold expected and actual side by side
        headers = browser.js(f"[...document.querySelectorAll('{matrix} tr:first-child th')].map(e => e.innerText)")
        assert headers[2:] == ["good", "noisy"]  # after the requirement and its title
        rows = browser.js(f"[...document.querySelectorAll('{matrix} tr')].map(r => r.innerText.split('\\t')[0].trim())")
        assert "sequence" in rows and "P4M-SEQ-1" in rows and "all results" in rows  # areas and requirements
        cells = browser.js(f"[...document.querySelectorAll('{matrix} tr:last-child td')].map(e => e.innerText)")
        assert cells == ["4/4", "0/4"]
        failures = browser.js("document.querySelectorAll('details.result').length")
        assert failures == 4  # every result of the noisy one, none swallowed by what it printed
        line = "document.querySelector('details.result pre.reproduce')"
        assert browser.js(f"{line}.checkVisibility()") is False  # closed until asked
        browser.js("document.querySelector('details.cause summary').click()")
        browser.js("document.querySelector('details.result summary').click()")
        shown = browser.js("document.querySelector('details.result').innerText")
        for part in ("expected: exit code 0; stdout: 30845", "actual: exit code 0", "stdout: 30845\\r", "reproduce:"):
            assert part in shown, (part, shown)
        assert "\\x1b[31mred" in shown and "--- expected" in shown  # the difference, control bytes shown
        assert browser.js(f"{line}.checkVisibility()") is True
        command = browser.js("document.querySelector('details.result pre.reproduce').innerText")
        assert command.startswith('cd "$(mktemp -d)" && env -i PATH=/usr/local/bin:/usr/bin:/bin')
        assert browser.js("document.querySelectorAll('script, link, img, iframe').length") == 0  # no assets
    finally:
        browser.close()


def test_in_process_conditions_run_in_a_forked_child_that_can_be_killed(tmp_path, monkeypatch):
    """A mutation harness runs the vectors in-process: code under a host condition must run, and a
    mutant that hangs or writes without end there must end as a result, not hang the harness."""
    from port4me_conformance.adapters import Invocation
    from port4me_conformance.host import host_has_ipv6, nameless_id
    from port4me_conformance.inprocess import InProcessAdapter

    (tmp_path / "fake_main.py").write_text(
        "import os, socket, time\n"
        "def main(argv, env, out, err):\n"
        "    if argv == ['hang']:\n"
        "        time.sleep(600)\n"
        "    if argv == ['endless']:\n"
        "        while True:\n"
        "            out.write('30845\\n' * 1000)\n"
        "    try:\n"
        "        socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()\n"
        "        six = 'ipv6'\n"
        "    except OSError as error:\n"
        "        six = error.strerror\n"
        "    out.write(f'{os.getuid()} {os.getgid()} {six}\\n')\n"
        "    return 0\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    adapter = InProcessAdapter("fake", "fake_main:main")

    def call(argv: bytes, condition: str, timeout: float = HANG_GUARD):
        return adapter.run(Invocation([argv], {}, condition), timeout)

    outcome = call(b"x", "")
    assert outcome.exit_code == 0 and outcome.stdout.startswith(f"{os.getuid()} ".encode())
    if sys.platform.startswith("linux") and not adapter.cannot_impose("no-ipv6"):
        outcome = call(b"x", "no-ipv6")
        assert outcome.stdout.decode().endswith("Address family not supported by protocol\n"), outcome
        assert call(b"x", "").stdout.endswith(b" ipv6\n") == host_has_ipv6()  # the filter stayed in the child
    if os.geteuid() == 0:
        outcome = call(b"x", "nameless-user")
        assert outcome.stdout.decode().startswith(f"{nameless_id()} {nameless_id()} "), outcome
        outcome = call(b"x", "unprivileged")
        assert outcome.stdout.decode().startswith("65534 65534 "), outcome
        # The fake sleeps ten minutes, then answers: a result before that is the time limit's doing.
        outcome = call(b"hang", "unprivileged", timeout=1)
        assert outcome.timed_out and not outcome.stdout, outcome
        outcome = call(b"endless", "unprivileged")  # ends at the output cap, long before the hang guard
        assert outcome.too_large and not outcome.timed_out, outcome
