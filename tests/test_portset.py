"""The port-list grammar and candidate sets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from port4me._portset import CandidateSet, PortListError, normalize, ordered_ports, parse_port_list, subtract
from port4me._quote import quote

TOKENS = {"{chrome}": lambda: [(1, 1), (7, 7)], "{firefox}": lambda: [(9, 9)]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (" ,\t\n\r\v\f, ", []),
        ("8080", [(8080, 8080)]),
        ("1-3,7", [(1, 3), (7, 7)]),
        ("0", []),
        ("0-3", [(1, 3)]),
        ("08080", [(8080, 8080)]),
        ("65535", [(65535, 65535)]),
        ("{chrome} 5", [(1, 1), (7, 7), (5, 5)]),
    ],
)
def test_valid_lists(text, expected):
    assert parse_port_list(text, TOKENS) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("65536", "above 65535"),
        ("1-70000", "'70000' in '1-70000' is above 65535"),
        ("9" * 40, "above 65535"),
        ("10-5", "reversed"),
        ("+1", "is not a port"),
        ("5000-", "is not a port"),
        ("1-2-3", "is not a port"),
        ("３", "is not a port"),
        ("{safari}", "unknown token"),
        ("{CHROME}", "unknown token"),
        ("1\u00a02", "is not a port"),
    ],
)
def test_invalid_lists_name_the_value(text, message):
    with pytest.raises(PortListError, match=message.replace("(", r"\(")):
        parse_port_list(text, TOKENS)


def test_tokens_are_refused_where_none_are_allowed():
    with pytest.raises(PortListError, match="unknown token"):
        parse_port_list("{chrome}", None)


intervals = st.lists(
    st.tuples(st.integers(1, 65535), st.integers(0, 300)).map(lambda t: (t[0], min(65535, t[0] + t[1])))
)


@given(intervals, st.sampled_from([",", " ", "\t", ", ", "\n"]))
def test_written_lists_parse_back(parts, separator):
    text = separator.join(f"{a}-{b}" if a != b else str(a) for a, b in parts)
    assert parse_port_list(text) == list(dict.fromkeys(parts))  # an item written again adds nothing


@given(intervals, intervals)
def test_subtract_is_set_difference(keep, drop):
    expected = {p for a, b in keep for p in range(a, b + 1)} - {p for a, b in drop for p in range(a, b + 1)}
    result = subtract(normalize(keep), normalize(drop))
    assert {p for a, b in result for p in range(a, b + 1)} == expected
    assert result == normalize(result)


def test_candidate_set_default_and_membership():
    candidates = CandidateSet.build([], [(6000, 6000)])
    assert candidates.size == 64512 - 1
    assert 6000 not in candidates and 1024 in candidates and 1023 not in candidates and 0 not in candidates
    assert len(list(candidates.complement_ports())) == 65536 - candidates.size


def test_ordered_ports_keeps_first_of_duplicates():
    assert ordered_ports([(4000, 4002), (4001, 4001), (3, 3), (4000, 4000)]) == [4000, 4001, 4002, 3]


def test_quote_keeps_errors_on_one_line():
    assert quote("a\nb") == "'a\\nb'"
    assert quote("jo\udce9") == "'jo\\xe9'"
    assert quote("jöhn") == "'jöhn'"
