"""The runner under attack (issue 16): each test performs an attack for real and checks it is refused or contained.

Real files (device nodes, FIFOs, a symbolic link of another user in a sticky folder),
real processes that flood, fork, hand off descriptors and allocate, real signals.
Every run of the runner is a child under limits of the test's own: an address-space
limit (setrlimit in the child), a generous timeout that only stops a hang, and, where
the host allows it, a cgroup of the test's own that is killed at the end, so that an
attack that got through cannot outlive the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from .attack_fakes import make_attack
from .conftest import HANG_GUARD
from .fakes import make
from .test_runner import SCHEMA, alive, checked

pytestmark = pytest.mark.slow  # every test runs the runner as a process, most of them twice
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "conformance/port4me_conformance"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (device nodes, chown, cgroups, namespaces)")
ADDRESS_SPACE = 3 << 30  # the runner and what it starts, whatever an attack does


class Outer:
    """A cgroup of the test's own (cgroup v2, root), so that nothing a run started survives the test."""

    def __init__(self, tmp_path: Path):
        self.path: Path | None = None
        mount = _cgroup2_mount()
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        own = next((line[3:] for line in lines if line.startswith("0::")), None)
        if os.geteuid() == 0 and mount and own is not None:
            path = mount / own.lstrip("/") / f"port4me-test-{os.getpid()}-{tmp_path.name}"
            with contextlib.suppress(OSError):
                path.mkdir()
                self.path = path

    def enter(self) -> None:  # in the child, before exec
        if self.path is not None:
            (self.path / "cgroup.procs").write_text("0\n")

    def close(self) -> None:
        if self.path is None:
            return
        for _ in range(200):
            with contextlib.suppress(OSError):
                (self.path / "cgroup.kill").write_text("1\n")
            for child in sorted(self.path.glob("**/"), key=lambda p: -len(p.parts)):
                if child != self.path:
                    with contextlib.suppress(OSError):
                        child.rmdir()
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.05)


def _cgroup2_mount() -> Path | None:
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        if right.split(" ", 1)[0] == "cgroup2":
            return Path(left.split()[4])
    return None


@pytest.fixture
def outer(tmp_path):
    cgroup = Outer(tmp_path)
    yield cgroup
    cgroup.close()


def runner(
    args: list[str],
    cwd: Path,
    env: dict | None = None,
    outer: Outer | None = None,
    umask: int | None = None,
    stdout=subprocess.PIPE,
    pythonpath: Path | None = None,
    pass_fds=(),
) -> subprocess.CompletedProcess:
    """``python -m port4me_conformance ARGS`` in a child with an address-space limit (and the outer cgroup)."""

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        if umask is not None:
            os.umask(umask)
        if outer is not None:
            outer.enter()

    environment = {**os.environ, "FAKE_CALLED": str(cwd / "called.txt"), **(env or {})}
    if pythonpath is not None:
        environment["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "port4me_conformance", *args],
        cwd=cwd,
        env=environment,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=HANG_GUARD,
        preexec_fn=limits,
        pass_fds=pass_fds,
        check=False,
    )


def one_line_error(done: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 2, one line on stderr naming ``words``, no traceback."""
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


def called_fake(tmp_path: Path) -> tuple[list[str], Path]:
    """A right fake that records each call: the arguments that run it on one case, and its record."""
    record = tmp_path / "called.txt"  # runner() names it in FAKE_CALLED
    return [
        f"--impl={make_attack(tmp_path, 'called')}",
        "--select=seq-alice",
        "--via=options",
        "--pass-env=FAKE_CALLED",
    ], record


# 1. Reports replace only regular files --------------------------------------------------------


def _special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"special-{kind}"
    if kind == "char-device":
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    return path


@pytest.mark.parametrize("kind", ["char-device", "fifo", "folder", "socket"])
@pytest.mark.parametrize("option", ["--html", "--json", "--write-known-differences"])
def test_a_report_path_that_is_no_regular_file_is_refused_before_any_case(tmp_path, kind, option):
    """Before: run as root, --html=/dev/null turned the device into a regular file of mode 0600."""
    if kind == "char-device" and os.geteuid() != 0:
        pytest.skip("mknod needs root")
    target = _special(tmp_path, kind)
    before = target.lstat()
    args, record = called_fake(tmp_path)
    done = runner([*args, f"{option}={target}"], tmp_path, env={"FAKE_CALLED": str(record)})
    one_line_error(done, "not a regular file", option)
    after = target.lstat()
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) and after.st_ino == before.st_ino
    assert not record.exists()  # refused before the first case


def test_dev_stdout_into_a_pipe_is_refused_and_dash_writes_stdout(tmp_path):
    """Before: --json=/dev/stdout into a pipe was a traceback."""
    args, _ = called_fake(tmp_path)
    one_line_error(runner([*args, "--json=/dev/stdout"], tmp_path), "is a FIFO", "stdout with -")
    done = runner([*args, "--json=-", "--quiet"], tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # stdout holds the report only: the summary went to stderr
    jsonschema.validate(report, SCHEMA)
    assert "attack_called: 1 passed" in done.stderr and "wrote json report: stdout" in done.stderr
    one_line_error(runner([*args, "--json=-", "--html=-"], tmp_path), "only one report can go to stdout")


@ROOT_ONLY
def test_a_link_planted_by_another_user_in_a_sticky_folder_is_not_followed(tmp_path):
    """Before: the writer resolved links, so another user's link in /tmp turned the report onto our file."""
    victim = tmp_path / "precious.txt"
    victim.write_text("mine\n")
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    planted = sticky / "report.html"
    planted.symlink_to(victim)
    os.lchown(planted, 65534, 65534)  # another user's link
    args, _ = called_fake(tmp_path)
    one_line_error(runner([*args, f"--html={planted}"], tmp_path), "symbolic link of another user", "uid 65534")
    assert victim.read_text() == "mine\n"
    os.lchown(planted, 0, 0)  # the runner's own user's link is followed
    done = runner([*args, f"--html={planted}", "--quiet"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert victim.read_text().startswith("<!DOCTYPE html>") and planted.is_symlink()


def test_a_new_report_gets_the_users_umask_and_a_replaced_one_keeps_its_mode(tmp_path):
    """Before: every report was created with mode 0600 (mkstemp's), whatever the umask."""
    args, _ = called_fake(tmp_path)
    kept = tmp_path / "kept.json"
    kept.write_text("{}")
    kept.chmod(0o604)
    done = runner([*args, "--quiet", f"--html={tmp_path / 'new.html'}", f"--json={kept}"], tmp_path, umask=0o027)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "new.html").stat().st_mode) == 0o640
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and json.loads(kept.read_text())["implementations"]
    assert not list(tmp_path.glob(".port4me-report-*"))


def test_a_report_in_a_missing_folder_costs_nothing(tmp_path):
    """Before: the whole run ran, then the write at the end was a traceback and the run was lost."""
    args, record = called_fake(tmp_path)
    done = runner([*args, f"--junit={tmp_path / 'no/such/folder/r.xml'}"], tmp_path, env={"FAKE_CALLED": str(record)})
    one_line_error(done, "--junit=", "no such folder")
    assert not record.exists()


def test_stdout_on_a_full_disk_loses_no_report(tmp_path):
    """Before: the summary's write to a full disk was a traceback and no report was written."""
    args, _ = called_fake(tmp_path)
    report = tmp_path / "r.json"
    with open("/dev/full", "w") as full:
        done = runner([*args, f"--json={report}", "--quiet"], tmp_path, stdout=full)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "cannot write to stdout: No space left on device" in done.stderr
    assert json.loads(report.read_text())["implementations"][0]["ok"] is True


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("option", ["--list-cases", "--help", "--version"])
@pytest.mark.parametrize("stderr_full", [False, True])
def test_what_the_runner_prints_without_a_run_on_a_full_disk_is_one_line_and_exit_3(tmp_path, option, stderr_full):
    """Before: --list-cases, --help and --version into /dev/full were OSError tracebacks (exit 1)."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "port4me_conformance",
                option,
                *(["--select=seq-alice"] if option == "--list-cases" else []),
            ],
            cwd=tmp_path,
            stdout=full,
            stderr=full if stderr_full else subprocess.PIPE,
            text=True,
            timeout=HANG_GUARD,
            check=False,
        )
    assert done.returncode == 3
    if not stderr_full:
        assert done.stderr == "port4me-conformance: cannot write its output: No space left on device\n"


# 2. The digest covers exactly what runs -------------------------------------------------------


def test_the_recorded_digest_of_the_shipped_vectors_is_current():
    from port4me_conformance.vectors import digest_document, load

    recorded = (PACKAGE / "shipped/digest.json").read_text(encoding="utf-8")
    assert recorded == digest_document(ROOT / "vectors"), "stale: run make vectors (it records the digest)"
    shipped = load()
    assert shipped.shipped and shipped.digest == json.loads(recorded)["digest"] and shipped.files == "*.json"


def _installed_copy(tmp_path: Path) -> Path:
    """The runner as a wheel installs it: shipped/ holds real files, not links to the checkout."""
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "port4me_conformance", symlinks=False, ignore=shutil.ignore_patterns("__pycache__"))
    return site


def test_vectors_an_implementation_rewrote_after_installation_are_refused(tmp_path):
    """Before: a fake rewrote the installed vectors during its call, failed once, then passed with the same digest."""
    site = _installed_copy(tmp_path)
    shipped = site / "port4me_conformance/shipped/vectors"
    rewritten = os.pathsep.join(str(shipped / f"sequence.{suffix}") for suffix in ("json", "yaml"))
    fake = make_attack(tmp_path, "rewrites_vectors")
    args = [f"--impl={fake}", "--select=seq-alice", "--via=options", "--pass-env=FAKE_REWRITE", "--quiet"]
    first = runner([*args, f"--json={tmp_path / 'first.json'}"], tmp_path, {"FAKE_REWRITE": rewritten}, pythonpath=site)
    assert first.returncode == 1, first.stdout + first.stderr  # judged against the vectors as they were
    recorded = json.loads((PACKAGE / "shipped/digest.json").read_text())["digest"]
    assert json.loads((tmp_path / "first.json").read_text())["vectors"] == {
        "vectors_version": "1.2.0",
        "digest": recorded,
        "files": "*.json",
        "shipped": True,
    }
    assert "30846" in (shipped / "sequence.json").read_text()  # the attack happened
    env = {"FAKE_REWRITE": rewritten}
    second = runner([*args, f"--json={tmp_path / 'second.json'}"], tmp_path, env, pythonpath=site)
    one_line_error(second, "the shipped vectors are not the ones this runner was built with", recorded)
    assert not (tmp_path / "second.json").exists()


def test_other_vectors_run_and_are_marked_loudly(tmp_path):
    copy = tmp_path / "vectors"
    copy.mkdir()
    for path in (ROOT / "vectors").glob("*.json"):
        shutil.copy(path, copy)
    args, _ = called_fake(tmp_path)
    same = runner([*args, f"--vectors={copy}", f"--json={tmp_path / 'same.json'}", "--quiet"], tmp_path)
    assert same.returncode == 0 and json.loads((tmp_path / "same.json").read_text())["vectors"]["shipped"] is True
    document = json.loads((copy / "lcg.json").read_text())
    document["cases"][0]["description"] += " (changed)"
    (copy / "lcg.json").write_text(json.dumps(document))
    other = runner([*args, f"--vectors={copy}", f"--json={tmp_path / 'other.json'}", "--quiet"], tmp_path)
    assert other.returncode == 0, other.stderr
    assert other.stdout.startswith("NOT THE SHIPPED VECTORS: vectors 1.2.0")
    report = json.loads((tmp_path / "other.json").read_text())
    from port4me_conformance.vectors import load

    assert report["vectors"]["shipped"] is False and report["vectors"]["digest"] == load(copy).digest


def test_a_vector_file_rewritten_during_the_run_changes_neither_the_cases_nor_the_digest(tmp_path):
    from port4me_conformance.vectors import load

    copy = tmp_path / "vectors"
    copy.mkdir()
    for path in (ROOT / "vectors").glob("*.json"):
        shutil.copy(path, copy)
    before = load(copy).digest
    fake = make_attack(tmp_path, "rewrites_vectors")
    env = {"FAKE_REWRITE": str(copy / "sequence.json")}
    args = [f"--impl={fake}", f"--vectors={copy}", "--select=seq-alice", "--via=options", "--pass-env=FAKE_REWRITE"]
    done = runner([*args, "--quiet", f"--json={tmp_path / 'r.json'}"], tmp_path, env)
    assert done.returncode == 1  # judged by what was read before the first case
    assert json.loads((tmp_path / "r.json").read_text())["vectors"]["digest"] == before != load(copy).digest


# 3. Known-differences files and vector folders, bounded ---------------------------------------


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\ndifferences: [{id: seq-alice, reason: *i}]\n"


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("alias-bomb", ["anchors and aliases are not allowed"]),
        ("zero-device", ["is a character device, not a regular file"]),
        ("fifo", ["is a FIFO, not a regular file"]),
        ("eleven-megabytes", ["more than the limit of 1048576 bytes"]),
        ("nested-brackets", ["nest"]),
        ("folder", ["is a folder"]),
        ("reason-not-text", ["needs an 'id' and a 'reason', both text"]),
        ("a-million-values", ["more than the limit of 300000 values"]),  # 1 MiB of "0,": 6 s and 217 MB before
    ],
)
def test_a_known_differences_file_that_would_cost_without_end_is_refused(tmp_path, kind, words):
    """Before: the bomb ran past 90 s at 645 MB; /dev/zero was a MemoryError; a FIFO hung; 11 MB took minutes."""
    path = tmp_path / f"known-{kind}.yaml"
    if kind == "alias-bomb":
        path.write_text(_alias_bomb())
        assert path.stat().st_size < 400
    elif kind == "zero-device":
        if os.geteuid() != 0:
            pytest.skip("mknod needs root")
        os.mknod(path, 0o444 | stat.S_IFCHR, os.makedev(1, 5))  # what /dev/zero is
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "eleven-megabytes":
        entry = "- id: seq-alice\n  reason: " + "x" * 80 + "\n"
        path.write_text("differences:\n" + entry * (11_000_000 // len(entry)))
    elif kind == "nested-brackets":
        path.write_text("[" * 50_000)
    elif kind == "folder":
        path.mkdir()
    elif kind == "reason-not-text":
        path.write_text("differences:\n- {id: seq-alice, reason: [1, 2]}\n")
    elif kind == "a-million-values":
        path.write_text("[" + "0," * 520_000 + "0]\n")
        assert path.stat().st_size < 1 << 20
    args, record = called_fake(tmp_path)
    done = runner([*args, f"--known-differences={path}"], tmp_path, env={"FAKE_CALLED": str(record)})
    one_line_error(done, "--known-differences", *words)
    assert not record.exists()


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("nested-50000", ["deep.json: nested more than 64 deep"]),
        ("nested-100", ["deep.json: nested more than 64 deep"]),
        ("fifo", ["deep.json is a FIFO, not a regular file"]),
        ("unit-input", ["unit entry 1 (string_hash): the input must be a string"]),
        ("unit-output", ["unit entry 1 (lcg_next): the output must be an integer"]),
        ("seed-input", ["unit entry 1 (seed_string): the input must be a list of two strings"]),
        ("yaml-only", ["no JSON vector files", "it has only YAML files"]),
        # 16 MiB of "0,": the schema validation ran past 300 s at 1.6 GB before (every error collected and sorted).
        ("sixteen-megabytes", ["more than the limit of 4194304 bytes"]),
        ("two-million-values", ["v.json: more than the limit of 300000 values"]),
        ("many-files-of-values", ["more than the limit of 1000000 values in its cases"]),
    ],
)
def test_a_vector_folder_that_would_crash_or_hang_is_refused(tmp_path, kind, words):
    """Before: deep nesting under --vectors was a RecursionError; a malformed unit entry a TypeError."""
    folder = tmp_path / "vectors"
    folder.mkdir()
    lcg = json.loads((ROOT / "vectors/lcg.json").read_text())
    if kind == "nested-50000":
        (folder / "deep.json").write_text("[" * 50_000 + "]" * 50_000)
    elif kind == "nested-100":
        (folder / "deep.json").write_text("[" * 100 + "]" * 100)
    elif kind == "fifo":
        os.mkfifo(folder / "deep.json")
    elif kind == "yaml-only":
        shutil.copy(ROOT / "vectors/lcg.yaml", folder)
    elif kind in ("sixteen-megabytes", "two-million-values"):
        count = (16 << 20) // 2 if kind == "sixteen-megabytes" else (4 << 20) // 2 - 100
        (folder / "v.json").write_text('{"cases": [' + ",".join(["0"] * count) + "]}")
    elif kind == "many-files-of-values":  # valid files, each under the limit per file
        sequence = json.loads((ROOT / "vectors/sequence.json").read_text())
        case = sequence["cases"][0]
        filler = {**case, "expect": {"ports": [1] * 290_000}}
        for index in range(4):
            document = {**sequence, "file": f"f{index}", "cases": [{**filler, "id": f"filler-{index}"}]}
            (folder / f"f{index}.json").write_text(json.dumps(document))
    else:
        function, value, output = {
            "unit-input": ("string_hash", 5, 0),
            "unit-output": ("lcg_next", 1, "x"),
            "seed-input": ("seed_string", "alice", "alice"),
        }[kind]
        lcg["cases"][0]["unit"] = [{"function": function, "input": value, "output": output}]
        (folder / "lcg.json").write_text(json.dumps(lcg))
    done = runner(["--impl=inprocess:port4me.cli:main", f"--vectors={folder}"], tmp_path)
    one_line_error(done, *words)


# 4. The runner's own work per call ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["nul_flood", "newline_flood", "port_flood"])
def test_a_stream_at_the_output_limit_costs_the_runner_little_memory_at_eight_jobs(tmp_path, kind):
    """Before: 1 MiB of NUL on each stream cost 66 MB per stream; --jobs=8 reached 600 MB and did not finish in 400 s.
    Then 1 MiB of valid port lines ("1\\n") cost 75 MB per call in the judge's regular expression.

    checked() asserts the runner's own peak memory (VmHWM) under 150 MB and every report valid.
    """
    fake = make_attack(tmp_path, kind)
    args = [f"--impl={fake}", "--select=seq-a*", "--select=seq-b*", "--via=options", "--jobs=8"]
    ran = checked(tmp_path, *args)
    results = ran.report["implementations"][0]["results"]
    assert len(results) >= 20 and {r["status"] for r in results} == {"fail"}
    for result in results:
        for stream in ("stdout", "stderr"):
            shown = result["actual"][stream]
            assert len(shown) < 2100, len(shown)  # what a report keeps is bounded by what it shows
        assert len(result["detail"]) < 2100
    if kind == "nul_flood":
        assert results[0]["actual"]["stdout"].endswith("… (1048576 bytes in all)")


STREAMS = {
    "nul": b"\0" * (1 << 20),
    "newlines": b"\n" * (1 << 20),
    "ones": b"1\n" * (1 << 19),  # 524,288 valid port lines
    "same port": b"30845\n" * ((1 << 20) // 6),
    "ports then junk": b"30845\n" * ((1 << 20) // 6 - 1) + b"x\n",
    "digits": b"7" * (1 << 20),
}


@pytest.mark.parametrize("name", STREAMS)
def test_judging_a_stream_at_the_output_limit_keeps_little_memory(name):
    """The judge's work on a stream of 1 MiB keeps at most a few copies of it, whatever it holds
    (before: 94 MB of backtracking state for "1\\n" repeated, in a regular expression of one repetition per line).
    tracemalloc counts the regular expression engine's own allocations."""
    import tracemalloc

    from port4me_conformance.adapters import Outcome
    from port4me_conformance.judge import judge

    data = STREAMS[name]
    expect = {"ports": [30845, 19654]}
    tracemalloc.start()
    try:
        for stdout in (data, b"30845\n" + data):
            tracemalloc.reset_peak()
            mismatch = judge(expect, Outcome(exit_code=0, stdout=stdout, stderr=data), {}, "options", ("P4M-SEQ-1",))
            assert mismatch is not None
            assert tracemalloc.get_traced_memory()[1] < 4 * len(data) + (1 << 20), name
            count = judge({"port_count": 3}, Outcome(exit_code=0, stdout=stdout, stderr=b""), {}, "options", ())
            assert count is not None and tracemalloc.get_traced_memory()[1] < 4 * len(data) + (1 << 20), name
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("stdout", "ports"),
    [
        (b"", True),
        (b"1\n65535\n", True),
        (b"30845\n" * 1000, True),
        (b"0\n", False),
        (b"01\n", False),
        (b"65536\n", False),
        (b"99999\n", False),
        (b"100000\n", False),
        (b"1\n\n2\n", False),
        (b"\n", False),
        (b"1", False),
        (b"1\r\n", False),
        (b" 1\n", False),
        (b"1\n" * (1 << 19) + b"65536\n", False),
    ],
)
def test_only_ports_one_per_line_is_still_exactly_that(stdout, ports):
    from port4me_conformance.judge import _only_ports

    assert _only_ports(stdout) is ports


# 5. A memory limit per call -------------------------------------------------------------------


def test_a_call_that_allocates_without_end_hits_the_memory_limit_and_says_so(tmp_path):
    """Before: a fake allocated and touched 4 GiB unnoticed (here 1 GiB, under the test's own limit)."""
    fake = make_attack(tmp_path, "allocates")
    args = [f"--impl={fake}", "--select=seq-alice", "--via=options", "--pass-env=FAKE_MB", "--memory=200"]
    done = runner([*args, f"--json={tmp_path / 'r.json'}", "--quiet"], tmp_path, {"FAKE_MB": "1024"})
    assert done.returncode == 1, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["run"]["memory"] == 200 << 20
    (result,) = report["implementations"][0]["results"]
    assert result["cause"] == "memory: reached the limit of 200 MiB per process"
    assert "reached the limit of 200 MiB (to give it more: --memory=MiB)" in result["reason"]
    enough = runner([*args[:-1], "--memory=2048", "--quiet"], tmp_path, {"FAKE_MB": "64"})
    assert enough.returncode == 0, enough.stdout


def test_one_request_the_memory_limit_refuses_is_reported_too(tmp_path):
    """A call that asks for 2 GiB at once fails at once, with no peak to see: its stderr says why.
    (Before: 'exit code 1 where ports are expected', nothing about the limit.) 2 GiB is under
    the test's own address-space limit (3 GiB), so it is the runner's --memory that refuses it."""
    fake = make_attack(tmp_path, "maps")
    args = [f"--impl={fake}", "--select=seq-alice", "--via=options"]
    done = runner([*args, "--memory=512", f"--json={tmp_path / 'r.json'}", "--quiet"], tmp_path)
    assert done.returncode == 1, done.stderr
    (result,) = json.loads((tmp_path / "r.json").read_text())["implementations"][0]["results"]
    assert "Cannot allocate memory" in result["actual"]["stderr"]
    assert result["cause"] == "memory: reached the limit of 512 MiB per process"
    assert "it says an allocation failed, under the limit of 512 MiB per process" in result["reason"]
    enough = runner([*args, "--memory=2560", "--quiet"], tmp_path)  # mapped, never touched
    assert enough.returncode == 0, enough.stdout


_LIMITS = "import resource; print(*(resource.getrlimit(k)[0] for k in (resource.RLIMIT_DATA, resource.RLIMIT_CORE)))"


def _born_with(memory: int) -> list[int]:
    """The soft RLIMIT_DATA and RLIMIT_CORE a process started under born_under(memory) has at its start."""
    from port4me_conformance.process import born_under

    before = [resource.getrlimit(kind) for kind in (resource.RLIMIT_DATA, resource.RLIMIT_CORE)]
    with born_under(memory):
        child = subprocess.Popen([sys.executable, "-c", _LIMITS], stdout=subprocess.PIPE, text=True)
    out, _ = child.communicate(timeout=HANG_GUARD)
    assert [resource.getrlimit(kind) for kind in (resource.RLIMIT_DATA, resource.RLIMIT_CORE)] == before
    return [int(word) for word in out.split()]


def test_a_call_is_born_under_its_memory_limit():
    """Before: the limit was imposed with prlimit after the call's exec, and on a loaded host a call that
    mapped 2 GiB at once got it (the test above failed 1 run in 4 at load 9). Now the process inherits the
    limit at its fork; the runner's own limits are as they were once it has started."""
    assert _born_with(1 << 30) == [1 << 30, 0]


def test_a_limit_below_what_the_runner_uses_does_not_starve_the_runner():
    """Under --memory=1 the runner's own threads would fail to allocate while a call starts: the limit a call
    inherits stops above what the runner uses, and prlimit tightens it just after (see the attack above)."""
    data, core = _born_with(1 << 20)
    status = Path("/proc/self/status").read_text()
    used = int(next(line for line in status.splitlines() if line.startswith("VmData:")).split()[1]) * 1024
    assert data > used and core == 0


def test_the_default_memory_limit_is_reported(tmp_path):
    args, _ = called_fake(tmp_path)
    done = runner([*args, "--json=-", "--quiet"], tmp_path)
    assert json.loads(done.stdout)["run"]["memory"] == 1 << 30


# 6. Processes that escape ---------------------------------------------------------------------


def _left_alive(pids_file: Path) -> list[int]:
    pids = [int(line) for line in pids_file.read_text().split()] if pids_file.exists() else []
    return [pid for pid in pids if alive(pid)]


@pytest.mark.parametrize("containment", ["auto", "process-group"])
@pytest.mark.parametrize("kind", ["hands_off", "fork_chain", "hands_off_and_stays"])
def test_a_process_that_escapes_the_call_is_killed_at_the_deadline(tmp_path, outer, kind, containment):
    """Before: a process handed the output over SCM_RIGHTS survived with killed: [];
    a chain that forks a new generation every 5 ms survived 3,169 generations."""
    cgroups = containment == "auto" and outer.path is not None  # the runner can make cgroups where the test can
    if kind == "hands_off" and not cgroups:
        pytest.skip("the fallback cannot see descriptors in flight once every parent has exited (README: Threat model)")
    pids = tmp_path / "pids"
    fake = make_attack(tmp_path, kind.replace("_and_stays", ""))
    env = {"FAKE_PIDS": str(pids), **({"FAKE_STAY": "1"} if kind.endswith("stays") else {})}
    args = [f"--impl={fake}", "--select=seq-alice", "--via=options", "--timeout=3", f"--containment={containment}"]
    args += ["--pass-env=FAKE_PIDS", "--pass-env=FAKE_STAY"] if "FAKE_STAY" in env else ["--pass-env=FAKE_PIDS"]
    done = runner([*args, "--json=-", "--quiet"], tmp_path, env, outer=outer)
    report = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    (result,) = report["implementations"][0]["results"]
    assert result["status"] == "timeout", result
    assert result["actual"]["killed"], result  # it says what it killed
    assert not _left_alive(pids), f"still alive after the run: {_left_alive(pids)}"
    assert report["host"]["containment"] == ("cgroup v2" if cgroups else "process group and /proc")


# 7. The runner's own options: one line and exit 2 ---------------------------------------------


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("--timeout=2147484", ["at most 86400"]),
        ("--timeout=1e10", ["expected a positive number"]),
        ("--timeout=1e300", ["expected a positive number"]),
        ("--timeout=inf", ["expected a positive number"]),
        ("--timeout=nan", ["expected a positive number"]),
        ("--timeout=1_0", ["expected a positive number"]),
        ("--timeout= 5 ", ["expected a positive number"]),
        ("--jobs=100000", ["at most 256"]),
        ("--jobs=\uff12", ["expected a positive whole number"]),
        ("--jobs=\u0662", ["expected a positive whole number"]),
        ("--jobs=1_0", ["expected a positive whole number"]),
        ("--jobs= 5 ", ["expected a positive whole number"]),
        ("--memory=0", ["expected a positive whole number"]),
        ("--memory=99999999999", ["at most 1048576"]),
        # Python's int() refuses more than 4,300 digits (ValueError), leading zeros too.
        ("--jobs=" + "9" * 5000, ["at most 256", "(5000 characters)"]),
        ("--memory=" + "9" * 5000, ["at most 1048576", "(5000 characters)"]),
        ("--timeout=" + "9" * 5000, ["at most 86400", "(5000 characters)"]),
        ("--seed=" + "9" * 5000, ["at most 30 digits", "(5000 characters)"]),
        ("--harness-restarts=" + "9" * 5000, ["at most 30 digits"]),
    ],
)
def test_numbers_out_of_bounds_or_not_plain_ascii_are_one_line(tmp_path, option, words):
    """Before: --timeout=2147484 was an OverflowError, --jobs=100000 'can't start new thread', --jobs=２ accepted,
    --jobs and --memory of 5,000 digits a ValueError traceback."""
    args, record = called_fake(tmp_path)
    done = runner([*args, option], tmp_path, env={"FAKE_CALLED": str(record)})
    one_line_error(done, option.split("=")[0], *words)
    assert not record.exists()


@pytest.mark.parametrize("option", ["--bogus=\n", "--bogus=a\rb\x1b[2J", "--\u2028"])
def test_an_unknown_option_with_control_characters_is_one_line(tmp_path, option):
    """Before: argparse's message quoted '--bogus=<newline>' as it was: two lines (test_runner_fuzz found it on
    Python 3.9 in a fresh clone's CI run)."""
    args, record = called_fake(tmp_path)
    done = runner([*args, option], tmp_path, env={"FAKE_CALLED": str(record)})
    one_line_error(done, "unrecognized arguments", repr(option.split("=")[-1])[1:-1])
    assert not record.exists()


@ROOT_ONLY
def test_no_free_port_for_the_check_cases_skips_them_with_the_reason(tmp_path):
    """Before: a RuntimeError aborted the run. In a network namespace of its own whose every ephemeral port is held."""
    holder = (
        "import socket, subprocess, sys\n"
        "held = []\n"
        "for family, address in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):\n"
        "    for port in (40000, 40001):\n"
        "        s = socket.socket(family)\n"
        "        if family == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)\n"
        "        s.bind((address, port)); s.listen(); held.append(s)\n"
        "sys.exit(subprocess.call(sys.argv[1:]))\n"
    )
    script = tmp_path / "hold.py"
    script.write_text(holder)
    inner = (
        "ip link set lo up && sysctl -q -w net.ipv4.ip_local_port_range='40000 40001' && "
        f'exec {sys.executable} {script} {sys.executable} -m port4me_conformance "$@"'
    )
    command = ["unshare", "--net", "sh", "-c", inner, "sh", f"--impl={make(tmp_path, 'right')}"]
    command += ["--select=check-listen-any4", "--select=seq-alice", "--via=options", "--json=-", "--quiet"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=HANG_GUARD, check=False)
    if done.returncode != 0 and "unshare" in done.stderr:
        pytest.skip(f"no network namespace here: {done.stderr.strip()}")
    assert "Traceback" not in done.stderr, done.stderr
    results = {r["id"]: r for r in json.loads(done.stdout)["implementations"][0]["results"]}
    assert results["seq-alice"]["status"] == "pass"
    assert results["check-listen-any4"]["status"] == "skip"
    assert "the runner found no free port to hold" in results["check-listen-any4"]["reason"]


# 8. SIGTERM and SIGINT ------------------------------------------------------------------------


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_kills_every_call_removes_the_folders_and_reports_what_finished(tmp_path, outer, signum, code):
    """Before: the calls' children and temporary folders were left behind and no report was written."""
    pids, temporary = tmp_path / "pids", tmp_path / "tmp"
    temporary.mkdir()
    report = tmp_path / "r.json"
    fake = make_attack(tmp_path, "hangs")
    args = [f"--impl={fake}", "--select=seq-a*", "--via=options", "--jobs=2", "--pass-env=FAKE_PIDS"]
    args += [f"--json={report}", "--quiet", "--timeout=300"]
    environment = {**os.environ, "FAKE_PIDS": str(pids), "TMPDIR": str(temporary)}
    process = subprocess.Popen(
        [sys.executable, "-m", "port4me_conformance", *args],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=outer.enter,  # noqa: PLW1509 - the child only writes its pid to a cgroup file
    )
    try:
        deadline = time.monotonic() + HANG_GUARD
        while len(pids.read_text().split() if pids.exists() else []) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)  # --version ran and two calls, each with its child, are running
        assert list(temporary.glob("port4me-call-*"))
        process.send_signal(signum)
        out, err = process.communicate(timeout=HANG_GUARD)
    finally:
        process.kill()
    assert process.returncode == code, err
    assert "Traceback" not in err
    assert not _left_alive(pids)
    assert not list(temporary.glob("port4me-call-*"))
    written = json.loads(report.read_text())
    jsonschema.validate(written, SCHEMA)
    assert written["run"]["interrupted"] == signal.Signals(signum).name
    assert f"INTERRUPTED by {signal.Signals(signum).name}" in out


# 13. What an implementation can do to the runner ----------------------------------------------


def test_a_call_inherits_no_descriptor_but_its_three_streams(tmp_path):
    fds = tmp_path / "fds"
    leaked = os.open(tmp_path / "leak", os.O_CREAT | os.O_WRONLY)
    os.set_inheritable(leaked, True)
    try:
        fake = make_attack(tmp_path, "lists_fds")
        args = [f"--impl={fake}", "--select=seq-alice", "--via=options", "--pass-env=FAKE_FDS", "--quiet"]
        done = runner(args, tmp_path, {"FAKE_FDS": str(fds)}, pass_fds=(leaked,))
    finally:
        os.close(leaked)
    assert done.returncode == 0, done.stdout
    for line in fds.read_text().splitlines():  # --version and the call; the listing's own descriptor is the 4th
        assert line.split()[:3] == ["0", "1", "2"] and len(line.split()) == 4, line


def test_the_terminal_mode_is_restored_after_an_implementation_changed_it(tmp_path):
    """Before: an implementation could turn off echo on the runner's terminal through /proc/$PPID/fd/2, for good."""
    import pty
    import termios

    record = tmp_path / "called"
    fake = make_attack(tmp_path, "stty")
    main_fd, terminal_fd = pty.openpty()
    try:
        before = termios.tcgetattr(terminal_fd)
        assert before[3] & termios.ECHO
        args = [f"--impl={fake}", "--select=seq-alice", "--via=options", "--pass-env=FAKE_CALLED", "--quiet"]
        done = subprocess.run(
            [sys.executable, "-m", "port4me_conformance", *args],
            cwd=tmp_path,
            env={**os.environ, "FAKE_CALLED": str(record)},
            stdin=terminal_fd,
            stdout=subprocess.DEVNULL,
            stderr=terminal_fd,
            timeout=HANG_GUARD,
            check=False,
        )
        assert done.returncode == 0
        assert "echo off" in record.read_text()  # the attack worked while the runner ran
        assert termios.tcgetattr(terminal_fd)[3] & termios.ECHO  # and was undone when it ended
    finally:
        os.close(main_fd)
        os.close(terminal_fd)


def test_both_readmes_state_the_limits_the_runner_applies_and_the_threat_model():
    """The reliability sections list the limits (time, output, memory, known-differences size) as the code has them."""
    from port4me_conformance import bounded, known, process, runner, vectors

    assert (process.OUTPUT_LIMIT, process.MEMORY_LIMIT, runner.DEFAULT_TIMEOUT) == (1 << 20, 1 << 30, 10)
    assert (known.MAX_BYTES, bounded.MAX_DEPTH, vectors.MAX_FILE_BYTES) == (1 << 20, 64, 4 << 20)
    assert (bounded.MAX_VALUES, vectors.MAX_TOTAL_BYTES, vectors.MAX_TOTAL_VALUES) == (300_000, 16 << 20, 1_000_000)
    root = (ROOT / "README.md").read_text(encoding="utf-8")
    section = root[root.index("**Reliability: the limits.**") : root.index("**Threat model.**") + 600]
    for words in (
        "10 s",
        "1 MiB of each stream",
        "1 GiB per process",
        "at most 1 MiB",
        "nested at most 64",
        "4 MiB and 300,000 values",
    ):
        assert words in section, words
    assert "malicious" in section and "container" in section
    kit = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    reliability = kit[kit.index("## Reliability") : kit.index("## Threat model")]
    for words in (
        "10 by default",
        "1 MiB (1 048 576 bytes)",
        "1024 by default",
        "of at most 1 MiB",
        "nested at most 64",
    ):
        assert words in reliability, words
    threat = kit[kit.index("## Threat model") :]
    for words in ("**buggy**", "**malicious**", "kill -9 $PPID", "/proc/$PPID/fd/2", "container", "SIGKILL"):
        assert words in threat, words


def test_a_process_named_with_bytes_that_are_not_utf8_is_read_not_a_crash(tmp_path):
    """Before: any process on the host whose name was not UTF-8 (here a sleep run through a link
    named b"\\xffsleep") made the runner's scan of /proc raise UnicodeDecodeError, ending the run
    with a traceback and no report (two runner tests failed so beside the rest of the suite); and the
    search for a call's orphans took it for one."""
    from port4me_conformance import contain, process

    link = os.fsencode(tmp_path) + b"/\xffsleep"
    os.symlink(shutil.which("sleep"), link)  # noqa: PTH211 - a bytes name, which Path cannot hold
    child = subprocess.Popen([link, "600"], start_new_session=True)
    try:
        name, parent, group, _ = process._stat(child.pid)
        assert name == "\ufffdsleep" and parent == os.getpid() and group == child.pid
        assert process._group_members(os.getpgid(0)) is not None  # the scan passes over it
        assert contain._descends(child.pid, os.getpid())  # not taken for a call's orphan (contain.py)
    finally:
        child.kill()
        child.wait()
