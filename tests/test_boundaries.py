"""The boundary table (spec/boundaries.md) and its vectors (vectors/boundaries.yaml) cover each other.

Every row of the table names at least one vector, every vector it names exists, and every
vector of boundaries.yaml is named by a row, whose id its note gives. The table covers each
input domain the spec defines. And the table is the one the generator writes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vectorgen import cli_model

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "spec/boundaries.md"
ROW = re.compile(r"^\| (B-[A-Z0-9]+-[0-9]+) \| (.*) \|$")

# The domains issue 18 asks the table to cover, each as a word its rows' domains must contain.
DOMAINS = (
    "hash",
    "UTF-8",
    "user",
    "tool",
    "seed",
    "generator",
    "port",
    "port list",
    "range",
    "token",
    "number",
    "skip",
    "list",
    "max tries",
    "test",
    "candidate set",
    "testing switch",
    "command line",
    "mode",
    "addresses",
)


def table_rows() -> dict[str, tuple[str, list[str]]]:
    """Row id -> (domain, vector ids), read from the Markdown table."""
    rows: dict[str, tuple[str, list[str]]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            cells = re.split(r"(?<!\\) \| ", match.group(2))
            assert match.group(1) not in rows, f"row {match.group(1)} twice"
            rows[match.group(1)] = (cells[0], re.findall(r"`([a-z0-9-]+)`", cells[-1]))
    return rows


@pytest.fixture(scope="module")
def rows():
    found = table_rows()
    assert len(found) >= 30
    return found


def test_every_row_has_a_vector_and_every_vector_it_names_exists(rows, cases):
    ids = {case.id for case in cases}
    for row, (_, vectors) in rows.items():
        assert vectors, f"{row} names no vector"
        missing = [v for v in vectors if v not in ids]
        assert not missing, f"{row} names vectors that do not exist: {missing}"


def test_every_boundary_vector_is_in_the_table_and_its_note_names_its_row(rows, cases):
    named = {v: row for row, (_, vectors) in rows.items() for v in vectors}
    boundary = [case for case in cases if case.file == "boundaries"]
    assert len(boundary) >= 150
    for case in boundary:
        assert case.id in named, f"{case.id} is in no row of spec/boundaries.md"
        assert case.data["note"].startswith(f"Boundary {named[case.id]}: "), case.id
        assert case.data["description"] and case.requirements


def test_the_table_covers_every_input_domain(rows):
    domains = " / ".join(domain for domain, _ in rows.values())
    assert [d for d in DOMAINS if d not in domains] == []


def test_the_table_is_what_the_generator_writes():
    from vectorgen.files import boundaries

    assert TABLE.read_text(encoding="utf-8") == boundaries.table()
    assert [row.id for row in boundaries.ROWS] == list(table_rows())


def test_the_boundary_users_have_the_hashes_the_table_says(cases):
    # The users the table picks for 2³¹−1, 2³¹, 2³²−1, 2³²−2 and 0, by the spec's own hash (P4M-HASH-1).
    from vectorgen.files import boundaries

    def spec_hash(text: str) -> int:
        value = 0
        for char in text:
            value = (value * 31 + ord(char)) & 0xFFFFFFFF
        return value

    assert {spec_hash(user): user for user in boundaries.HASH_USERS.values()} == boundaries.HASH_USERS
    hash_rows = table_rows()["B-HASH-1"][1] + table_rows()["B-HASH-2"][1]
    users = {case.data["input"].get("settings", {}).get("user") for case in cases if case.id in hash_rows}
    assert set(boundaries.HASH_USERS.values()) <= users  # each is run by a vector of its row


# ------------------------------------------------------------------------- the vectors through the call model

BASE = {"PATH": b"/usr/local/bin:/usr/bin:/bin", "HOME": b"/nonexistent", "LANG": b"C.UTF-8"}
OPTION = {"max_tries": "--max-tries"}


def call_of(case, variant: str) -> tuple[list[bytes], dict[str, bytes]]:
    """The arguments and variables a runner passes for one variant of a sequence case (INTERPRETING 2.1-2.3)."""
    given = case.data["input"]
    env = {**BASE, "_PORT4ME_CHECK_AVAILABLE_PORTS_": b"any"}
    env.update({k: v.encode() for k, v in given.get("env", {}).items()})
    env.update({k: bytes.fromhex(v) for k, v in given.get("env_hex", {}).items()})
    argv = [a.encode() for a in given.get("args", [])] + [bytes.fromhex(a) for a in given.get("args_hex", [])]
    for name, value in given.get("settings", {}).items():
        if variant == "env":
            env["PORT4ME_" + name.upper()] = str(value).encode()
        else:
            argv.append(f"{OPTION.get(name, '--' + name)}={value}".encode())
    return argv, env


def expected(case) -> tuple:
    want = case.expect
    if "ports" in want:
        return ("ports", want["ports"])
    if "error" in want:
        return (want["error"],)
    if "test" in want:
        return (want["test"],)
    return next((key,) for key in ("help", "version") if key in want)


def modelled(cases):
    """The boundary vectors a call model can judge: no account name, a real check or a count only."""
    return [c for c in cases if c.file == "boundaries" and c.level == "sequence" and "port_count" not in c.expect]


def verdicts(cases, account: str | None = "nobody") -> dict[str, tuple]:
    out = {}
    for case in modelled(cases):
        for variant in ("options", "env") if case.has_settings else ("options",):
            out[f"{case.id}@{variant}"] = cli_model.outcome(*call_of(case, variant), account)
    return out


def test_the_call_model_gives_every_boundary_vector_its_expected_outcome(cases):
    # The differential test's third side answers the table's vectors as they say (the model and the
    # vectors come from the spec by two routes: the vectors by hand, the model by reading a whole call).
    by_id = {case.id: case for case in cases}
    wrong = {k: v for k, v in verdicts(cases).items() if v != expected(by_id[k.partition("@")[0]])}
    assert not wrong, sorted(wrong)[:10]


def _signed_hash(text: str) -> int:
    value = 0
    for char in text:
        value = ((value * 31 + ord(char) + 2**31) % 2**32) - 2**31  # a Java int
    return value


def _wrapping_number(text: str, low: int, high: int | None) -> int:
    value = int(text) % 2**32 if cli_model.DIGITS.match(text) else text  # a 32-bit accumulator
    return NUMBER(str(value), low, high)


def _lenient_number(text: str, low: int, high: int | None) -> int:
    try:
        return NUMBER(str(int(text)), low, high)  # Python's int(): signs, spaces, _, non-ASCII digits
    except ValueError:
        raise cli_model.Usage("not a number") from None


NUMBER = cli_model.number  # the model's own, kept for the planted variants that call it
# Bugs an implementer could plant, each as a change to the call model, and the rows that must see it.
PLANTED = {
    "hash in a signed 32-bit int": (("string_hash", _signed_hash),),
    "next(65536) off by one (75)": (("lcg_next", lambda s: 75 if s == 65536 else (75 * s + 74) % 65537),),
    "numbers wrap at 2³²": (("number", _wrapping_number),),
    "numbers by Python's int()": (("number", _lenient_number),),
    "digits by Unicode": (("DIGITS", re.compile(r"\d+\Z")),),
    "separators by str.split()": (("SEPARATORS", re.compile(r"[\s,]+")),),
    "UTF-8 decoded leniently": (("decode", lambda value: value.decode("utf-8", "replace")),),
}


@pytest.fixture(scope="module")
def right(cases):
    return verdicts(cases)


@pytest.mark.parametrize("bug", sorted(PLANTED))
def test_a_planted_bug_fails_a_boundary_vector(monkeypatch, cases, right, bug):
    for name, replacement in PLANTED[bug]:
        monkeypatch.setattr(cli_model, name, replacement)
    cli_model._CYCLE.clear()  # the cycle is walked again with the planted next()
    try:
        wrong = verdicts(cases)
    finally:
        monkeypatch.undo()
        cli_model._CYCLE.clear()
    assert [k for k in right if wrong[k] != right[k]], f"no boundary vector sees: {bug}"
