"""Loading and validating vector files (spec/vectors.schema.json), and selecting cases."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import spec_dir, vectors_dir

LEVELS = ("sequence", "check")


class VectorError(Exception):
    """A vector file is malformed; the message names the file and the case."""


@dataclass(frozen=True)
class Case:
    """One test vector, as read from a file."""

    id: str
    file: str
    data: dict[str, Any] = field(compare=False, repr=False)

    @property
    def requirements(self) -> list[str]:
        return self.data["requirements"]

    @property
    def tags(self) -> list[str]:
        return self.data["tags"]

    @property
    def expect(self) -> dict[str, Any]:
        return self.data["expect"]

    @property
    def needs(self) -> list[str]:
        return self.data.get("needs", [])

    @property
    def has_settings(self) -> bool:
        return bool(self.data["input"].get("settings"))

    @property
    def unit_only(self) -> bool:
        return "unit_only" in self.expect

    @property
    def real_check(self) -> bool:
        return "hold" in self.data

    @property
    def level(self) -> str:
        """The conformance level (INTERPRETING section 7): check for cases tagged real-check."""
        return "check" if "real-check" in self.tags else "sequence"


def requirement_levels() -> dict[str, str]:
    """Requirement ID -> its key word (MUST, MUST NOT, SHOULD, MAY), from spec/requirements.json."""
    return {req["id"]: req["keyword"] for req in requirements()}


def requirements() -> list[dict[str, str]]:
    """Every requirement of the spec: id, keyword, section, level (sequence or check), summary."""
    return json.loads((spec_dir() / "requirements.json").read_text(encoding="utf-8"))["requirements"]


def _yaml():
    try:
        import yaml
    except ImportError as error:  # pragma: no cover - depends on the install
        raise VectorError("PyYAML is not installed: pip install 'port4me-kit[conformance]'") from error
    return yaml


def _validator():
    try:
        import jsonschema
    except ImportError as error:  # pragma: no cover - depends on the install
        raise VectorError("jsonschema is not installed: pip install 'port4me-kit[conformance]'") from error
    schema = json.loads((spec_dir() / "vectors.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _read(path: Path) -> Any:
    if path.suffix == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise VectorError(f"{path.name}: cannot read: {str(error).splitlines()[0]}") from None
    yaml = _yaml()
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise VectorError(f"{path.name}: cannot read: {str(error).splitlines()[0]}") from None


def load_file(path: Path, validator=None, requirements: dict[str, str] | None = None) -> list[Case]:
    """Read, validate and return the cases of one vector file (JSON or YAML)."""
    validator = validator or _validator()
    requirements = requirement_levels() if requirements is None else requirements
    document = _read(path)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = _where(document, list(first.absolute_path))
        raise VectorError(
            f"{path.name}: {where}schema violation at /{'/'.join(map(str, first.absolute_path))}: {first.message}"
        )
    cases = []
    for entry in document["cases"]:
        unknown = [r for r in entry["requirements"] if r not in requirements]
        if unknown:
            raise VectorError(f"{path.name}: case {entry['id']}: unknown requirement ID {', '.join(unknown)}")
        cases.append(Case(entry["id"], document["file"], entry))
    return cases


def _where(document: Any, path: list) -> str:
    if len(path) >= 2 and path[0] == "cases" and isinstance(path[1], int):
        try:
            return f"case {document['cases'][path[1]].get('id', '#' + str(path[1]))}: "
        except (KeyError, IndexError, AttributeError, TypeError):
            return f"case #{path[1]}: "
    return ""


def vector_files(directory: Path | None = None, prefer: tuple[str, str] = (".yaml", ".json")) -> list[Path]:
    """The folder's vector files in the first form it has (INTERPRETING section 1), in byte order of name."""
    directory = directory or vectors_dir()
    for suffix in prefer:
        found = sorted(directory.glob(f"*{suffix}"), key=lambda p: p.name.encode())
        if found:
            return found
    return []


def load_all(directory: Path | None = None) -> list[Case]:
    """Every case of every vector file in the folder, with ids checked for uniqueness."""
    directory = directory or vectors_dir()
    paths = vector_files(directory)
    if not paths:
        raise VectorError(f"{directory}: no vector files (*.json or *.yaml)")
    validator = _validator()
    requirements = requirement_levels()
    seen: dict[str, str] = {}
    cases: list[Case] = []
    for path in paths:
        for case in load_file(path, validator, requirements):
            if case.id in seen:
                raise VectorError(f"{path.name}: case {case.id}: duplicate id (also in {seen[case.id]})")
            seen[case.id] = case.file
            cases.append(case)
    return cases


def digest(directory: Path | None = None) -> dict[str, str]:
    """The vectors' version and digest (INTERPRETING section 1): SHA-256 over each file in the
    byte order of its name: the name in UTF-8, a NUL byte, the file's bytes, a NUL byte."""
    paths = vector_files(directory, prefer=(".json", ".yaml"))
    sha = hashlib.sha256()
    version = spec = ""
    for path in paths:
        data = path.read_bytes()
        sha.update(path.name.encode() + b"\0" + data + b"\0")
        if not version:
            document = _read(path)
            if isinstance(document, dict):
                version, spec = str(document.get("vectors_version", "")), str(document.get("spec_version", ""))
    files = f"*{paths[0].suffix}" if paths else ""
    return {"vectors_version": version, "spec_version": spec, "digest": f"sha256:{sha.hexdigest()}", "files": files}


def _keys(case: Case) -> list[str]:
    return [case.id, case.file, *case.requirements, *case.tags]


def _matches(case: Case, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns for key in _keys(case))


def select(cases: list[Case], patterns: list[str], exclude: list[str] = (), level: str | None = None) -> list[Case]:
    """Cases of the level whose id, file, requirement ID or tag matches a pattern (shell-style
    wildcards; all when none is given) and matches no exclusion pattern."""
    for option, given in (("--select", patterns), ("--deselect", exclude)):
        unmatched = [p for p in given if not any(_matches(c, [p]) for c in cases)]
        if unmatched:
            raise VectorError(f"{option} matches no case, requirement, tag or file: {', '.join(unmatched)}")
    return [
        c
        for c in cases
        if (level is None or c.level == level)
        and (not patterns or _matches(c, patterns))
        and not (exclude and _matches(c, list(exclude)))
    ]
