"""The boundary table (spec/boundaries.md) and its vectors (vectors/boundaries.yaml) cover each other.

Every row of the table names at least one vector, every vector it names exists, and every
vector of boundaries.yaml is named by a row, whose id its note gives. The table covers each
input domain the spec defines. And the table is the one the generator writes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
