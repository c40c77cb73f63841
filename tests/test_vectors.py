"""The vectors themselves: valid, unique, tied to the spec, and derived by the authoring tool."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from port4me_conformance.vectors import VectorError, load_all, requirements

ROOT = Path(__file__).resolve().parent.parent


def test_every_must_and_should_has_a_vector_at_its_level(cases):
    at_level = {
        (req, "check" if "real-check" in case.tags else "sequence") for case in cases for req in case.requirements
    }
    missing = [
        (req["id"], req["level"])
        for req in requirements()
        if req["keyword"] in ("MUST", "MUST NOT", "SHOULD") and (req["id"], req["level"]) not in at_level
    ]
    assert not missing, f"requirements with no vector at their own level: {missing}"
    assert len(requirements()) >= 57


def test_vectors_cite_only_requirements_of_the_spec(cases):
    known = {req["id"] for req in requirements()}
    assert {req for case in cases for req in case.requirements} <= known


def test_vectors_cover_what_the_issue_asks(cases):
    by_file: dict[str, int] = {}
    for case in cases:
        by_file[case.file] = by_file.get(case.file, 0) + 1
    assert by_file["sequence"] >= 200
    for case in cases:
        if case.file == "sequence":
            assert len(case.expect["ports"]) == 10
    documented = {c.id for c in cases if "documented-example" in c.data.get("flags", [])}
    assert {"seq-alice", "seq-bob", "seq-alice-rstudio", "seq-alice-jupyter-notebook"} <= documented
    expected = {
        "seq-alice": [30845, 19654, 32310, 63992, 15273],
        "seq-bob": [54242],
        "seq-alice-rstudio": [22486],
        "seq-alice-jupyter-notebook": [29525],
    }
    ports = {c.id: c.expect["ports"] for c in cases if c.id in expected}
    for case_id, start in expected.items():
        assert ports[case_id][: len(start)] == start
    holds = {
        c.data["hold"]["kind"] + str(c.data["hold"].get("address", "")) + str(c.data["hold"].get("v6only", ""))
        for c in cases
        if "hold" in c.data
    }
    assert {"listen0.0.0.0", "listen127.0.0.1", "listen::True", "listen::False", "time_wait", "bound0.0.0.0"} <= holds
    assert any("unprivileged" in c.needs for c in cases) and any("ipv6" in c.needs for c in cases)
    assert sum(c.expect.get("error") == "usage" for c in cases if c.file == "cli") >= 10


def test_every_decision_is_pinned_or_agreed(cases):
    cited = {n for case in cases for n in case.data.get("decisions", [])}
    agreed = {4, 9, 16, 21, 25, 32}  # all upstream agree (or a MAY): ordinary vectors pin them
    assert set(range(1, 43)) - cited <= agreed, sorted(set(range(1, 43)) - cited - agreed)


@pytest.mark.parametrize("command", [["tools/make_vectors.py"], ["-m", "vectorgen"]], ids=["script", "module"])
def test_vectors_and_spec_are_up_to_date_with_the_authoring_tool(command):
    result = subprocess.run(
        [sys.executable, *command, "--check"],
        cwd=ROOT / "tools" if "-m" in command else ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stale: none" in result.stdout


def test_the_authoring_tool_runs_nothing_from_the_reference():
    script = (
        "import sys; sys.path.insert(0, 'tools')\n"
        "from vectorgen import generate, upstream\n"
        "generate.documents(upstream.Observations(generate.ROOT / 'spec/upstream/observed.json'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'port4me', 'port4me_conformance'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, check=False, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_the_authoring_tool_refuses_to_contradict_all_upstream_without_a_decision():
    from vectorgen.build import entry
    from vectorgen.case import Case, argv
    from vectorgen.upstream import AuthoringError, Observations

    observations = Observations(ROOT / "spec/upstream/observed.json")
    agreed = Case("x", "alice's port", ["P4M-SEQ-1"], {"ports": [30845]}, observed="base_alice")
    assert entry(agreed, "sets", observations)["upstream"] == {
        "observed": "base_alice",
        "agree": ["bash", "python", "r"],
        "differ": [],
    }
    assert entry(agreed, "sets", observations)["input"] == {"args": ["--user=alice"]}  # taken from the observation
    contradiction = replace(agreed, expect={"ports": [30846]})
    with pytest.raises(AuthoringError, match="contradicts base_alice, on which all upstream agree"):
        entry(contradiction, "sets", observations)
    decided = entry(replace(contradiction, decisions=[1], given=argv("--user=alice")), "sets", observations)
    assert decided["upstream"]["differ"] == ["bash", "python", "r"]


def test_upstream_links_name_real_observations(cases):
    observed = {c["id"] for c in json.loads((ROOT / "spec/upstream/observed.json").read_text())["cases"]}
    linked = [case.data["upstream"]["observed"] for case in cases if "upstream" in case.data]
    assert len(linked) >= 100
    assert set(linked) <= observed


def _copy_vectors(tmp_path: Path) -> Path:
    target = tmp_path / "vectors"
    shutil.copytree(ROOT / "vectors", target)
    return target


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["cases"][1].update(id=d["cases"][0]["id"]), r"lcg\.json: case lcg-step-0: duplicate id"),
        (
            lambda d: d["cases"][2].update(requirements=["P4M-NOPE-1"]),
            r"lcg\.json: case lcg-step-74: unknown requirement",
        ),
        (lambda d: d["cases"][3].pop("expect"), r"lcg\.json: case lcg-step-30845: schema violation"),
        (lambda d: d["cases"][0]["expect"].update(ports=["x"]), r"lcg\.json: case lcg-step-0: schema violation"),
        (lambda d: d.update(spec_version="2.0"), r"lcg\.json: schema violation at /spec_version"),
    ],
)
def test_bad_vector_files_are_named(tmp_path, change, message):
    directory = _copy_vectors(tmp_path)
    _edit(directory / "lcg.json", change)  # the runner runs the JSON form
    with pytest.raises(VectorError, match=message):
        load_all(directory)


def test_unreadable_json_is_named(tmp_path):
    directory = _copy_vectors(tmp_path)
    (directory / "broken.json").write_text('{"cases": [unclosed\n', encoding="utf-8")
    with pytest.raises(VectorError, match=r"broken\.json: cannot read"):
        load_all(directory)


def test_every_shipped_vector_file_passes_the_schema():
    """The runner does not validate the shipped vectors again when their digest is the recorded one:
    here each file is, whole, against spec/vectors.schema.json."""
    from port4me_conformance.vectors import _validator, load_file, vector_files

    validator = _validator()
    files = vector_files(ROOT / "vectors")
    assert len(files) >= 11
    for path in files:
        assert load_file(path, validator)  # raises VectorError, naming the case, on a schema violation


def test_the_authoring_tool_records_no_digest_of_a_document_the_schema_refuses():
    from vectorgen.generate import validate
    from vectorgen.upstream import AuthoringError

    document = json.loads((ROOT / "vectors/lcg.json").read_text(encoding="utf-8"))
    validate([document], ROOT / "spec/vectors.schema.json")
    document["cases"][3].pop("expect")
    with pytest.raises(AuthoringError, match=r"lcg: schema violation at /cases/3"):
        validate([document], ROOT / "spec/vectors.schema.json")
