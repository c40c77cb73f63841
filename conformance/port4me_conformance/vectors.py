"""Loading and validating vector files (spec/vectors.schema.json), and selecting cases."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import itertools
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
    def time_bound(self) -> bool:
        """Its requirement is about how the work grows: a fixed time limit, and a timeout is a failure."""
        return "time-bound" in (self.data.get("flags") or [])

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


MAX_FILE_BYTES = 4 << 20  # one vector file; the largest shipped one is 230 KB
MAX_TOTAL_BYTES = 16 << 20  # a whole folder
MAX_TOTAL_VALUES = 1_000_000  # in all files (bounded.MAX_VALUES in each); the shipped ones have 96,959
MAX_FILES = 1000
RECORDED = "digest.json"  # beside shipped/vectors: the shipped vectors' digest, written when they are made
# The value types of each unit function's input and output (INTERPRETING section 5).
UNIT_TYPES = {
    "string_hash": ("a string", "an integer"),
    "initial_state": ("a string", "an integer"),
    "lcg_next": ("an integer", "an integer"),
    "seed_string": ("a list of two strings (the tool may be null)", "a string"),
}


@dataclass(frozen=True)
class VectorSet:
    """The cases of one folder and the digest of exactly the bytes they were read from."""

    cases: list[Case]
    vectors_version: str
    spec_version: str
    digest: str
    files: str  # the form that was run: "*.json"
    folder: str
    shipped: bool  # the digest is that of the vectors this runner shipped with
    recorded: str = ""  # that digest, as recorded when the vectors were made

    def describe(self) -> dict[str, Any]:
        return {
            "vectors_version": self.vectors_version,
            "spec_version": self.spec_version,
            "digest": self.digest,
            "files": self.files,
            "folder": self.folder,
            "shipped": self.shipped,
            "recorded": self.recorded,
        }


def _validator():
    try:
        import jsonschema
    except ImportError as error:  # pragma: no cover - depends on the install
        raise VectorError("jsonschema is not installed: pip install port4me-conformance (it depends on it)") from error
    schema = json.loads((spec_dir() / "vectors.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _read(path: Path, data: bytes | None = None) -> Any:
    from . import bounded

    try:
        data = bounded.read(path, MAX_FILE_BYTES) if data is None else data
        return bounded.load_json(data, path.name)
    except bounded.InputError as error:
        raise VectorError(str(error)) from None


def load_file(
    path: Path, validator=None, requirements: dict[str, str] | None = None, data: bytes | None = None, schema=True
):
    """Read, validate and return the cases of one JSON vector file (``data``: its bytes, already read).

    ``schema=False`` leaves out the schema validation (for bytes known to have passed it) and keeps
    the checks of requirement IDs and unit entries, which cost little."""
    validator = (validator or _validator()) if schema else None
    requirements = requirement_levels() if requirements is None else requirements
    document = _read(path, data)
    # The first errors found, the earliest of them shown: a file of a million wrong values has a million.
    found = validator.iter_errors(document) if validator else ()
    errors = sorted(itertools.islice(found, 100), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = _where(document, list(first.absolute_path))
        message = " ".join(first.message.split())
        message = message if len(message) <= 300 else message[:300] + "…"
        raise VectorError(
            f"{path.name}: {where}schema violation at /{'/'.join(map(str, first.absolute_path))}: {message}"
        )
    cases = []
    for entry in document["cases"]:
        unknown = [r for r in entry["requirements"] if r not in requirements]
        if unknown:
            raise VectorError(f"{path.name}: case {entry['id']}: unknown requirement ID {', '.join(unknown)}")
        for number, unit in enumerate(entry.get("unit", []), 1):
            problem = _unit_problem(unit)
            if problem:
                raise VectorError(
                    f"{path.name}: case {entry['id']}: unit entry {number} ({unit['function']}): {problem}"
                )
        cases.append(Case(entry["id"], document["file"], entry))
    return cases


def _unit_problem(unit: dict) -> str:
    """Why a unit entry's input or output has the wrong type for its function; empty if none."""
    value, output = unit["input"], unit["output"]
    function = unit["function"]
    text = lambda v: isinstance(v, str)  # noqa: E731
    whole = lambda v: isinstance(v, int) and not isinstance(v, bool)  # noqa: E731
    if function == "seed_string":
        good_in = (
            isinstance(value, list) and len(value) == 2 and text(value[0]) and (value[1] is None or text(value[1]))
        )
        good_out = text(output)
    elif function == "lcg_next":
        good_in, good_out = whole(value), whole(output)
    else:
        good_in, good_out = text(value), whole(output)
    wanted_in, wanted_out = UNIT_TYPES[function]
    if not good_in:
        return f"the input must be {wanted_in}"
    return "" if good_out else f"the output must be {wanted_out}"


def _where(document: Any, path: list) -> str:
    if len(path) >= 2 and path[0] == "cases" and isinstance(path[1], int):
        try:
            return f"case {document['cases'][path[1]].get('id', '#' + str(path[1]))}: "
        except (KeyError, IndexError, AttributeError, TypeError):
            return f"case #{path[1]}: "
    return ""


def vector_files(directory: Path | None = None) -> list[Path]:
    """The folder's JSON vector files (the form the runner runs, INTERPRETING section 1), in byte order of name."""
    directory = directory or vectors_dir()
    return sorted(directory.glob("*.json"), key=lambda p: p.name.encode())


def load(directory: Path | None = None) -> VectorSet:
    """Every case of every JSON vector file in the folder, and the digest of exactly the bytes read.

    Each file is read once: the cases that run are parsed from the bytes the digest covers,
    so a file changed during the run changes neither.  Ids are checked for uniqueness.
    """
    from . import bounded

    shipped_folder = directory is None
    directory = directory or vectors_dir()
    if not directory.is_dir():
        raise VectorError(f"{directory}: {'not a folder' if directory.exists() else 'no such folder'}")
    paths = vector_files(directory)
    if not paths:
        yaml_only = " (the runner runs the JSON form; it has only YAML files)" if any(directory.glob("*.yaml")) else ""
        raise VectorError(f"{directory}: no JSON vector files (*.json){yaml_only}")
    if len(paths) > MAX_FILES:
        raise VectorError(f"{directory}: {len(paths)} vector files, more than the limit of {MAX_FILES}")
    seen: dict[str, str] = {}
    cases: list[Case] = []
    files: list[tuple[str, bytes]] = []
    keys: list[tuple[str, bytes]] = []  # (name, SHA-256 of the bytes): the caches' keys
    values = 0
    # Every file is read and counted before any is validated: the schema validation costs seconds
    # a file, so a folder past the limits is refused for the price of parsing it.
    for path in paths:
        try:
            data = bounded.read(path, MAX_FILE_BYTES)
        except bounded.InputError as error:
            raise VectorError(str(error)) from None
        files.append((path.name, data))
        if sum(len(d) for _, d in files) > MAX_TOTAL_BYTES:
            raise VectorError(f"{directory}: more than the limit of {MAX_TOTAL_BYTES} bytes of vector files")
        keys.append((path.name, hashlib.sha256(data).digest()))
        values += _case_values(path, data, keys[-1])
        if values > MAX_TOTAL_VALUES:
            raise VectorError(f"{directory}: more than the limit of {MAX_TOTAL_VALUES} values in its cases")
    found_digest = _digest(files)
    recorded = recorded_digest()
    matches = bool(recorded) and recorded.get("digest") == found_digest
    # The shipped vectors, byte for byte the ones recorded when they were made (make vectors validates
    # them against the schema before it records their digest), are not validated again: that costs a
    # second or more of every start of the runner. Any other bytes are, whatever folder they are in.
    trusted = shipped_folder and matches
    for path, (_, data), key in zip(paths, files, keys):
        found = _validated(path, data, key, schema=not trusted)
        for case in found:
            if case.id in seen:
                raise VectorError(f"{path.name}: case {case.id}: duplicate id (also in {seen[case.id]})")
            seen[case.id] = case.file
            cases.append(case)
    version, spec = _versions(files[0][1])
    if shipped_folder and not matches:
        why = f"recorded {recorded.get('digest')}" if recorded else f"no {RECORDED} was shipped beside them"
        raise VectorError(
            f"the shipped vectors are not the ones this runner was built with (found {found_digest}, {why}): "
            "they were changed after installation; reinstall port4me-conformance (in a source checkout, "
            "make vectors records their digest), or run other vectors on purpose with --vectors=DIR"
        )
    return VectorSet(cases, version, spec, found_digest, "*.json", str(directory), matches, recorded.get("digest", ""))


_cache: dict[tuple[str, bytes], list[Case]] = {}  # (name, SHA-256 of the bytes) -> the validated cases
_counted: dict[tuple[str, bytes], int] = {}  # (name, SHA-256 of the bytes) -> the values in its cases


def _case_values(path: Path, data: bytes, key: tuple[str, bytes]) -> int:
    """How many values and keys the file's cases hold (the whole document's, if it has no list of cases)."""
    from . import bounded

    if key not in _counted:
        document = _read(path, data)
        cases = document.get("cases") if isinstance(document, dict) else None
        parts = cases if isinstance(cases, list) else [document]
        _counted[key] = sum(bounded.shape(part)[1] for part in parts)
    return _counted[key]


def _validated(path: Path, data: bytes, key: tuple[str, bytes], schema: bool = True) -> list[Case]:
    """The cases of one file's bytes (``key``: its name and SHA-256), validated once per process: a second
    run of the same bytes (the test suite, a fuzz run, the mutation harness) skips the schema validation,
    which costs seconds. ``schema=False``: bytes that passed it before (see :func:`load`)."""
    if key not in _cache:
        validator = _shared_validator() if schema else None
        _cache[key] = load_file(path, validator, requirement_levels(), data, schema=schema)
    return list(_cache[key])


@functools.cache
def _shared_validator():
    return _validator()


def load_all(directory: Path | None = None) -> list[Case]:
    """Every case of every vector file in the folder (see :func:`load`)."""
    return load(directory).cases


def recorded_digest() -> dict[str, str]:
    """The shipped vectors' digest, as recorded when they were made ({} if the file is missing or unreadable)."""
    try:
        document = json.loads((vectors_dir().parent / RECORDED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) and isinstance(document.get("digest"), str) else {}


def digest_document(directory: Path) -> str:
    """The text of the recorded-digest file for the vectors in ``directory`` (written by make vectors)."""
    files = [(path.name, path.read_bytes()) for path in vector_files(directory)]
    version, spec = _versions(files[0][1]) if files else ("", "")
    record = {"vectors_version": version, "spec_version": spec, "files": "*.json", "digest": _digest(files)}
    return json.dumps(record, indent=1) + "\n"


def _digest(files: list[tuple[str, bytes]]) -> str:
    """INTERPRETING section 1: SHA-256 over each file in the byte order of its name: the name
    in UTF-8, a NUL byte, the file's bytes, a NUL byte."""
    sha = hashlib.sha256()
    for name, data in files:
        sha.update(name.encode() + b"\0" + data + b"\0")
    return f"sha256:{sha.hexdigest()}"


def _versions(data: bytes) -> tuple[str, str]:
    document = json.loads(data)
    return str(document.get("vectors_version", "")), str(document.get("spec_version", ""))


def digest(directory: Path | None = None) -> dict[str, Any]:
    """The vectors' version and digest (INTERPRETING section 1), as a report states them."""
    return load(directory).describe()


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
