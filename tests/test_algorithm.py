"""The pure algorithm: hash, LCG, cycle positions, and the fast ways to order candidates."""

from __future__ import annotations

from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from port4me._portset import CandidateSet
from port4me.algorithm import (
    MODULUS,
    PERIOD,
    candidate_stream,
    cycle_position,
    draws,
    initial_state,
    lcg_next,
    port_stream,
    seed_string,
    string_hash,
)

states = st.integers(min_value=0, max_value=MODULUS - 1)


def naive_stream(state: int, members: set[int], start: int, count: int) -> list[int]:
    """Walk the LCG plainly: the definition the fast paths must agree with."""
    found = []
    for draw in draws(state):
        if draw in members:
            found.append(draw)
            if len(found) == start + count:
                return found[start:]
    raise AssertionError("unreachable")


def test_unit_values_of_the_vectors(cases):
    functions = {
        "string_hash": string_hash,
        "initial_state": lambda s: initial_state(s, None),
        "lcg_next": lcg_next,
        "seed_string": lambda pair: seed_string(*pair),
    }
    checked = 0
    for case in cases:
        for entry in case.data.get("unit", []):
            assert functions[entry["function"]](entry["input"]) == entry["output"], case.id
            checked += 1
    assert checked >= 30  # the loop really ran over the hash, seed and LCG cases


def test_draws_are_a_permutation_of_every_value_with_period_65536():
    first = list(islice(draws(12345), PERIOD))
    assert sorted(first) == list(range(PERIOD))
    assert list(islice(draws(first[-1]), 5)) == first[:5]


def test_fixed_point_behaves_as_state_zero():
    assert lcg_next(MODULUS - 1) == 74 == lcg_next(0)
    assert list(islice(draws(MODULUS - 1), 10)) == list(islice(draws(0), 10))


def test_cycle_position_is_the_discrete_log_base_75():
    for port in range(PERIOD):
        assert pow(75, cycle_position(port), MODULUS) == port + 1


@given(state=states, port=st.integers(min_value=0, max_value=PERIOD - 1))
def test_cycle_position_orders_draws(state, port):
    first = lcg_next(state)
    offset = (cycle_position(port) - cycle_position(first)) % PERIOD
    assert next(islice(draws(state), offset, None)) == port


@st.composite
def candidate_sets(draw):
    kind = draw(st.sampled_from(["tiny", "small", "large", "nearly-all"]))
    if kind == "tiny":
        ports = draw(st.sets(st.integers(1, 65535), min_size=1, max_size=5))
        return CandidateSet((p, p) for p in ports)
    if kind == "small":
        low = draw(st.integers(1, 60000))
        return CandidateSet([(low, low + draw(st.integers(0, 3000)))])
    holes = draw(st.sets(st.integers(1, 65535), max_size=2000 if kind == "large" else 20))
    base = CandidateSet([(1024, 65535)] if kind == "large" else [(1, 65535)])
    return CandidateSet.build(base.intervals, [(h, h) for h in holes])


@settings(max_examples=60, deadline=None)
@given(state=states, candidates=candidate_sets(), start=st.integers(0, 70000), count=st.integers(1, 40))
def test_every_strategy_gives_the_plain_walk(state, candidates, start, count):
    members = set(candidates.ports())
    wanted = naive_stream(state, members, start % len(members), count)
    got = list(islice(candidate_stream(state, candidates, start, count), count))
    assert got == wanted


@settings(max_examples=30, deadline=None)
@given(state=states, candidates=candidate_sets())
def test_each_candidate_appears_once_per_cycle(state, candidates):
    one_cycle = list(islice(candidate_stream(state, candidates, 0, candidates.size), candidates.size))
    assert sorted(one_cycle) == sorted(candidates.ports())
    again = list(islice(candidate_stream(state, candidates, candidates.size, 3), 3))
    assert again == (one_cycle * 3)[:3]


@settings(max_examples=50, deadline=None)
@given(state=states, excluded=st.sets(st.integers(1024, 65535), max_size=300), count=st.integers(1, 200))
def test_excluded_ports_never_appear(state, excluded, count):
    candidates = CandidateSet.build([(1024, 65535)], [(p, p) for p in excluded])
    assert not excluded & set(islice(candidate_stream(state, candidates, 0, count), count))


def test_skip_counts_prepended_ports_then_wraps_modulo_the_set():
    candidates = CandidateSet([(5000, 5002)])
    state = initial_state("alice", None)
    whole = list(islice(port_stream(state, candidates, [1, 2]), 8))
    assert whole[:2] == [1, 2]
    assert list(islice(port_stream(state, candidates, [1, 2], skip=1), 3)) == whole[1:4]
    huge = 2 + 3 * 10**40 + 1
    assert list(islice(port_stream(state, candidates, [1, 2], skip=huge), 3)) == whole[3:6]


def test_hash_is_32_bit_over_code_points():
    assert string_hash("") == 0
    assert string_hash("alice") == 92903040
    assert string_hash("😀") == 128512  # one code point, not two UTF-16 units
    assert 0 <= string_hash("x" * 1000) < 2**32


@settings(max_examples=40, deadline=None)
@given(state=states, candidates=candidate_sets(), start=st.integers(0, 70000))
def test_walk_order_and_jump_agree(state, candidates, start):
    from port4me.algorithm import _by_order, _jump, _walk

    start %= candidates.size
    first = cycle_position(lcg_next(state))
    expected = list(islice(_walk(state, candidates, start), 12))
    assert list(islice(_by_order(first, candidates, start), 12)) == expected
    assert list(islice(_jump(first, candidates, start), 12)) == expected


def test_repeated_walks_over_one_set_build_its_index_once_worth_it():
    """A skip too small to pay for an index in one call walks; asked again and again, the set gets one."""
    from port4me import algorithm

    members = CandidateSet.build([(1024, 65535)], [(5000, 5999)])
    start = 900  # about 950 draws a call: an index costs far more, once
    expected = naive_stream(30845, set(members.ports()), start, 3)
    algorithm._gaps.pop(members, None)
    algorithm._walked.pop(members, None)
    assert list(islice(candidate_stream(30845, members, start), 3)) == expected
    assert members not in algorithm._gaps  # one call: walked
    for _ in range(20):
        assert list(islice(candidate_stream(30845, members, start), 3)) == expected
    assert members in algorithm._gaps  # the walks added up to the index's cost
