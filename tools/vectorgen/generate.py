"""Build every vector file (YAML and JSON) and the spec's generated tables, then write them or check them."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from . import build, files
from .files import boundaries
from .spec_tables import index
from .upstream import AuthoringError, Observations
from .writer import sync, to_json, to_yaml

ROOT = Path(__file__).resolve().parents[2]
# The shipped vectors' digest, which the runner verifies before it runs them (INTERPRETING section 1).
DIGEST = ROOT / "conformance/port4me_conformance/shipped/digest.json"


def documents(observations: Observations) -> list[dict]:
    """Every vector file's content, in build order."""
    return [build.document(module.FILE, module.cases(), observations) for module in files.modules()]


def run(check_only: bool, vectors: Path, spec: Path) -> int:
    """Write (or only compare) every file; 1 when checking and something is stale."""
    docs = documents(Observations(ROOT / "spec/upstream/observed.json"))
    count = build.unique_ids(docs)
    if not check_only:
        validate(docs, spec / "vectors.schema.json")  # before anything is written: the runner trusts the digest
    stale = []
    if sync(spec / "index.md", index(spec / "requirements.json", [c for d in docs for c in d["cases"]]), check_only):
        stale.append("index.md")
    if sync(spec / "boundaries.md", boundaries.table(), check_only):
        stale.append("boundaries.md")
    rendered = {}
    for doc in docs:
        for suffix, render in ((".yaml", to_yaml), (".json", to_json)):
            name = doc["file"] + suffix
            rendered[name] = render(doc)
            if sync(vectors / name, rendered[name], check_only):
                stale.append(name)
    if vectors == ROOT / "vectors" and sync(DIGEST, digest_record(rendered, docs), check_only):
        stale.append(DIGEST.name)
    print(f"{count} cases in {len(docs)} files; {'stale' if check_only else 'written'}: {stale or 'none'}")
    return 1 if check_only and stale else 0


def validate(docs: list[dict], schema: Path) -> None:
    """Each document against the vectors' schema. The runner does not validate the shipped vectors again
    when their bytes are the ones whose digest this tool recorded, so it records none it did not check."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(schema.read_text(encoding="utf-8")))
    for doc in docs:
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
        if error is not None:
            where = "/".join(map(str, error.absolute_path))
            raise AuthoringError(f"{doc['file']}: schema violation at /{where}: {error.message}")


def digest_record(rendered: dict[str, str], docs: list[dict]) -> str:
    """The digest of the JSON files (INTERPRETING section 1): for each in the byte order of its
    name, the name in UTF-8, a NUL byte, the file's bytes, a NUL byte."""
    sha = hashlib.sha256()
    for name in sorted((n for n in rendered if n.endswith(".json")), key=str.encode):
        sha.update(name.encode() + b"\0" + rendered[name].encode("utf-8") + b"\0")
    first = docs[0] if docs else {}
    record = {
        "vectors_version": str(first.get("vectors_version", "")),
        "spec_version": str(first.get("spec_version", "")),
        "files": "*.json",
        "digest": f"sha256:{sha.hexdigest()}",
    }
    return json.dumps(record, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make_vectors", description="Author the test vectors in vectors/ from spec v1.2, independently of port4me."
    )
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date (exit 1 if not)")
    parser.add_argument("--vectors", type=Path, default=ROOT / "vectors", help="the vector folder (default: vectors/)")
    parser.add_argument(
        "--spec", type=Path, default=ROOT / "spec", help="the spec folder, for requirements.json and index.md"
    )
    options = parser.parse_args(argv)
    try:
        return run(options.check, options.vectors, options.spec)
    except AuthoringError as error:
        print(f"make_vectors: {error}", file=sys.stderr)
        return 1
