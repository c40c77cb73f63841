"""The vector files mean the same in every language: YAML 1.1 and 1.2 readers agree, and JSON equals YAML."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
YAML_FILES = sorted((ROOT / "vectors").glob("*.yaml"))
JSON_FILES = sorted((ROOT / "vectors").glob("*.json"))

# The YAML 1.2 core schema's tag resolution (YAML 1.2.2, section 10.3.2), written out
# here independently of the writer's quoting, so that the two cannot share a mistake.
CORE_12 = [
    ("null", re.compile(r"null|Null|NULL|~|"), lambda s: None),
    ("bool", re.compile(r"true|True|TRUE|false|False|FALSE"), lambda s: s.lower() == "true"),
    ("int", re.compile(r"[-+]?[0-9]+"), int),
    ("int", re.compile(r"0o[0-7]+"), lambda s: int(s[2:], 8)),
    ("int", re.compile(r"0x[0-9a-fA-F]+"), lambda s: int(s[2:], 16)),
    ("float", re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"), float),
    ("float", re.compile(r"[-+]?\.(inf|Inf|INF)"), lambda s: float(s.replace(".", ""))),
    ("float", re.compile(r"\.nan|\.NaN|\.NAN"), lambda s: math.nan),
]
# YAML 1.1's booleans include y/Y/n/N, which PyYAML's resolver leaves out (other 1.1 readers do not).
YAML_11_ONLY_BOOLS = {"y": True, "Y": True, "n": False, "N": False}


def core_12(text: str) -> tuple[str, object]:
    """(type, value) of a plain scalar for a YAML 1.2 core-schema reader."""
    for kind, pattern, value in CORE_12:
        if pattern.fullmatch(text):
            return kind, value(text)
    return "str", text


def yaml_11(node: yaml.ScalarNode) -> tuple[str, object]:
    """(type, value) of a plain scalar for a YAML 1.1 reader: PyYAML's resolver, plus the 1.1 y/n booleans."""
    if node.value in YAML_11_ONLY_BOOLS:
        return "bool", YAML_11_ONLY_BOOLS[node.value]
    kind = node.tag.rsplit(":", 1)[-1]
    if kind not in {"null", "bool", "int", "float", "str"}:
        return kind, None  # a timestamp, merge key or '=' value: no core-schema reader sees those
    return kind, yaml.SafeLoader("").construct_object(node)


def _same(a: tuple[str, object], b: tuple[str, object]) -> bool:
    if a[0] == b[0] == "float" and math.isnan(a[1]) and math.isnan(b[1]):
        return True
    return a[0] == b[0] and a[1] == b[1]


def ambiguous_plain_scalars(text: str) -> list[str]:
    """Every plain scalar (a key or a value) that YAML 1.1 and YAML 1.2 core readers resolve differently."""
    found = []
    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node is not None and node.style is None:
            old, new = yaml_11(node), core_12(node.value)
            if not _same(old, new):
                found.append(f"line {node.start_mark.line + 1}: {node.value!r} is {old} in YAML 1.1, {new} in 1.2")
    return found


AMBIGUOUS = ["000000000030845", "010", "08", "0o17", "1e3", "1.5e3", "1_000", "1:20", "yes", "No", "on", "OFF"]
AMBIGUOUS += ["y", "n", "=", "0b11", "2022-10-24", "<<"]
ALIKE = ["30845", "-1", "+3", "0", "3.0", ".5", "0x1f", "~", "null", "true", ".inf", ".nan"]


@pytest.mark.parametrize("scalar", AMBIGUOUS)
def test_the_check_finds_a_plain_scalar_that_means_two_things(scalar):
    assert ambiguous_plain_scalars(f"a: {scalar}\n"), scalar
    assert ambiguous_plain_scalars(f"- [{scalar}]\n"), scalar
    assert not ambiguous_plain_scalars(f"a: '{scalar}'\n")


@pytest.mark.parametrize("scalar", ALIKE)
def test_the_check_accepts_a_plain_scalar_both_read_alike(scalar):
    assert not ambiguous_plain_scalars(f"a: {scalar}\nb: [x, {scalar}]\n")


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.name)
def test_no_plain_scalar_means_two_things(path):
    assert ambiguous_plain_scalars(path.read_text(encoding="utf-8")) == []


# Strings a careless writer would leave plain although some reader takes them for something else.
TRICKY = ["000000000030845", "010", "08", "0007", "yes", "no", "on", "off", "y", "n", "Y", "N", "~", "null", "Null"]
TRICKY += ["0o17", "0x1f", "1_000", "1:20", ".5", "1e3", "1.5e3", ".inf", "-.inf", ".nan", "=", "true", "False"]
TRICKY += ["+1", "-0", "3.0", "30845", "2022-10-24", "<<", "0b11", ""]


def test_the_writer_quotes_every_string_that_readers_would_read_differently():
    from vectorgen.writer import to_yaml

    text = to_yaml({"values": TRICKY, "keys": {s: 1 for s in TRICKY if s}, "one": {"exclude": "000000000030845"}})
    assert ambiguous_plain_scalars(text) == []
    document = yaml.safe_load(text)
    assert document["values"] == TRICKY and list(document["keys"]) == [s for s in TRICKY if s]
    assert "{exclude: '000000000030845'}" in text  # quoted, and still in flow style


def test_every_vector_file_comes_as_yaml_and_as_json():
    assert len(YAML_FILES) >= 9
    assert [p.stem for p in JSON_FILES] == [p.stem for p in YAML_FILES]


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.name)
def test_json_form_holds_exactly_the_yaml_cases(path):
    from_yaml = yaml.safe_load(path.read_text(encoding="utf-8"))
    from_json = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert from_json == from_yaml
    # == takes True for 1 and 1.0 for 1; the JSON text of both also pins types and order
    assert json.dumps(from_json, ensure_ascii=False) == json.dumps(from_yaml, ensure_ascii=False)


def _schema_errors(document) -> list[str]:
    schema = json.loads((ROOT / "spec/vectors.schema.json").read_text(encoding="utf-8"))
    return [error.message for error in jsonschema.Draft202012Validator(schema).iter_errors(document)]


@pytest.mark.parametrize("path", JSON_FILES, ids=lambda p: p.name)
def test_json_form_validates_against_the_schema(path):
    assert _schema_errors(json.loads(path.read_text(encoding="utf-8"))) == []


def test_the_schema_check_rejects_a_broken_json_file():
    document = json.loads((ROOT / "vectors/lcg.json").read_text(encoding="utf-8"))
    document["cases"][0]["expect"] = {"ports": ["30845"]}
    assert _schema_errors(document)


@pytest.mark.parametrize(("change", "stale"), [(None, "none"), ("edit", "['lcg.json']"), ("remove", "['lcg.json']")])
def test_check_covers_the_json_files(tmp_path, change, stale):
    vectors = tmp_path / "vectors"
    shutil.copytree(ROOT / "vectors", vectors)
    target = vectors / "lcg.json"
    if change == "edit":
        target.write_text(target.read_text(encoding="utf-8").replace('"output": 74', '"output": 75'), encoding="utf-8")
    elif change == "remove":
        target.unlink()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/make_vectors.py"), "--check", f"--vectors={vectors}"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == (0 if change is None else 1), result.stdout + result.stderr
    assert f"stale: {stale}" in result.stdout


def _numbers(value) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [n for item in value for n in _numbers(item)] if isinstance(value, list) else []


@pytest.mark.parametrize("path", JSON_FILES, ids=lambda p: p.name)
def test_every_number_fits_32_bits_unsigned(path):
    # INTERPRETING.md promises it, so that a reader in any language can use plain integers.
    numbers = _numbers(json.loads(path.read_text(encoding="utf-8")))
    assert numbers and all(0 <= n < 2**32 for n in numbers)


def test_every_file_has_the_same_versions():
    versions = {
        (d["spec_version"], d["vectors_version"])
        for d in (json.loads(p.read_text(encoding="utf-8")) for p in JSON_FILES)
    }
    assert versions == {("1.2", "1.2.0")}
