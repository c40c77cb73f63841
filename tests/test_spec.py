"""The spec's text against its machine-readable list, its key words, and what the vectors may use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from port4me import SPEC_VERSION
from port4me.cli import VALUE_OPTIONS

ROOT = Path(__file__).resolve().parent.parent
SPEC = (ROOT / "spec/port4me.md").read_text(encoding="utf-8")
LISTED = json.loads((ROOT / "spec/requirements.json").read_text(encoding="utf-8"))
HEADING = re.compile(r"^\*\*(P4M-[A-Z0-9]+-[0-9]+) \((MUST NOT|MUST|SHOULD NOT|SHOULD|MAY)\)\.\*\*", re.M)
KEY_WORD = re.compile(
    r"\b(MUST NOT|MUST|REQUIRED|SHALL NOT|SHALL|SHOULD NOT|SHOULD|NOT RECOMMENDED|RECOMMENDED|MAY|OPTIONAL)\b"
)
STRENGTH = {"MUST": 3, "MUST NOT": 3, "REQUIRED": 3, "SHALL": 3, "SHALL NOT": 3, "SHOULD": 2, "SHOULD NOT": 2}
RESERVED = {"--args", "--debug", "--foo", "--bogus"}  # P4M-CLI-10's named reservations


def paragraphs_by_section() -> list[tuple[str, str]]:
    """(section number, paragraph) for the text of sections 1-13, outside code blocks."""
    section, out = "", []
    text = re.sub(r"```.*?```", "", SPEC, flags=re.S)
    for paragraph in text.split("\n\n"):
        heading = re.match(r"#{2,3} (\d+(?:\.\d+)?)\.? ", paragraph.lstrip())
        if paragraph.lstrip().startswith("## Appendix"):
            section = "appendix"
        elif heading:
            section = heading.group(1)
        out.append((section, paragraph))
    return out


def requirement_paragraphs() -> dict[str, tuple[str, str, str]]:
    """ID -> (label, section, text) of every requirement, in the order written."""
    found = {}
    for section, paragraph in paragraphs_by_section():
        match = HEADING.match(paragraph)
        if match:
            assert match.group(1) not in found, f"{match.group(1)} is written twice"
            found[match.group(1)] = (match.group(2), section, paragraph[match.end() :])
    return found


def test_the_list_is_the_text():
    written = requirement_paragraphs()
    listed = LISTED["requirements"]
    assert [r["id"] for r in listed] == list(written)
    for req in listed:
        label, section, _ = written[req["id"]]
        assert (req["keyword"], req["section"]) == (label, section), req["id"]
        assert req["level"] in ("sequence", "check") and req["summary"].strip()
    assert LISTED["spec_version"] == SPEC_VERSION == "1.2"


def test_each_label_is_the_strongest_key_word_of_its_requirement():
    for rid, (label, _, text) in requirement_paragraphs().items():
        used = KEY_WORD.findall(text)
        strongest = max(used, key=lambda word: STRENGTH.get(word, 1), default="MUST")
        assert STRENGTH.get(label, 1) == STRENGTH.get(strongest, 1), (rid, label, used)
        if used and label in ("MUST NOT", "SHOULD NOT"):
            assert label in used, (rid, label, used)


def test_no_key_word_is_used_outside_a_requirement_in_the_normative_sections():
    stray = []
    for section, paragraph in paragraphs_by_section():
        normative = section and section != "appendix" and 3 <= float(section.split(".")[0]) <= 10
        if normative and not HEADING.match(paragraph) and not paragraph.lstrip().startswith("|"):
            stray += [(section, word) for word in KEY_WORD.findall(paragraph)]
    assert not stray, stray


def test_the_spec_says_its_version_and_has_a_change_log():
    assert SPEC.startswith("# port4me specification, version 1.2\n")
    assert "## Appendix C: change log" in SPEC and "### 1.2 (" in SPEC and "### 1.1 (" in SPEC and "### 1.0 (" in SPEC


def test_the_grammar_writes_case_sensitive_tokens_as_rfc_7405_does():
    grammar = re.search(r"```abnf\n(.*?)```", SPEC, re.S).group(1)
    assert 'token     = %s"{chrome}" / %s"{firefox}"' in grammar
    assert not re.search(r'(?<!%s)"\{', grammar)  # an unmarked quoted token would be case-insensitive
    for reference in ("[RFC5234]", "[RFC7405]", "[RFC3629]", "[RFC2119]", "[RFC8174]"):
        assert reference in SPEC


def is_reserved(name: str) -> bool:
    """P4M-CLI-10: names no implementation may take for an extension."""
    v1 = [*VALUE_OPTIONS, "--help", "--version"]
    if name in RESERVED or name.startswith("--no-such-"):
        return True
    if not name.startswith("--"):
        return name not in ("-", "-h")
    return any(name != v and (name.lower() == v.lower() or v.startswith(name)) for v in v1)


@pytest.mark.parametrize(("name", "reserved"), [("--USER", True), ("--li", True), ("-x", True), ("--lease", False)])
def test_reserved_names_are_recognised(name, reserved):
    assert is_reserved(name) is reserved


def test_vectors_test_unknown_options_with_reserved_names_only(cases):
    known = {*VALUE_OPTIONS, "--help", "--version", "-h", "-", "--"}
    unknown_uses = []
    for case in cases:
        for arg in case.data["input"].get("args", []):
            if arg == "--":
                break
            name = arg.partition("=")[0]
            if name.startswith("-") and name not in known:
                unknown_uses.append((case.id, name))
    assert unknown_uses  # the vectors do test unknown options
    assert [use for use in unknown_uses if not is_reserved(use[1])] == []
