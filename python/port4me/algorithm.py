"""The port4me algorithm (spec sections 3 and 4): string hash, LCG and port streams.

Pure functions only: no environment, no sockets, no clock.

The LCG ``s -> (75 s + 74) mod 65537`` becomes ``y -> 75 y`` after the change of
variable ``y = s + 1``.  Since 75 is a primitive root modulo the prime 65537, the
draws are ``y_n = 75**n * y_1 (mod 65537)``: a cycle through every value 0..65535
exactly once per 65536 draws.  A port's place in that cycle is a discrete
logarithm, which lets us order any candidate set, or jump over any number of
draws, without walking the cycle.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import islice

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Iterator, Sequence

    from ._portset import CandidateSet

MODULUS = 65537
MULTIPLIER = 75
INCREMENT = 74
PERIOD = 65536
FIXED_POINT = MODULUS - 1
"""The LCG state that maps to itself; spec P4M-LCG-2 maps it to INCREMENT instead."""


def string_hash(text: str) -> int:
    """Return the 32-bit unsigned hash ``h = (31 h + c) mod 2**32`` over code points."""
    h = 0
    for char in text:
        h = (31 * h + ord(char)) & 0xFFFFFFFF
    return h


def seed_string(user: str, tool: str | None) -> str:
    """Join user and tool with a comma, then drop one trailing comma (P4M-SEED-1)."""
    joined = f"{user},{tool or ''}"
    return joined[:-1] if joined.endswith(",") else joined


def initial_state(user: str, tool: str | None) -> int:
    """The LCG state before the first draw: the seed string's hash modulo 65537."""
    return string_hash(seed_string(user, tool)) % MODULUS


def lcg_next(state: int) -> int:
    """One LCG step; the fixed point 65536 steps to 74, as 0 does."""
    if state == FIXED_POINT:
        return INCREMENT
    return (MULTIPLIER * state + INCREMENT) % MODULUS


def draws(state: int) -> Iterator[int]:
    """Yield the raw LCG outputs after ``state``, forever (values 0..65535)."""
    if state == FIXED_POINT:
        state = 0
    while True:
        state = (MULTIPLIER * state + INCREMENT) % MODULUS
        yield state


# Discrete logarithm base 75 in the group of order 2**16, in two base-256 digits; the
# tables are built on first use, so that importing the module stays cheap.
_DIGIT_OF: dict[int, int] = {}
_INVERSE_POWERS: list[int] = []


def cycle_position(port: int) -> int:
    """Return n in 0..65535 such that 75**n == port + 1 (mod 65537)."""
    if not _DIGIT_OF:
        g256 = pow(MULTIPLIER, 256, MODULUS)
        _INVERSE_POWERS[:] = [pow(MULTIPLIER, PERIOD - j, MODULUS) for j in range(256)]
        _DIGIT_OF.update({pow(g256, j, MODULUS): j for j in range(256)})
    y = port + 1
    low = _DIGIT_OF[pow(y, 256, MODULUS)]
    high = _DIGIT_OF[y * _INVERSE_POWERS[low] % MODULUS]
    return low + 256 * high


def draw_at(first_position: int, offset: int) -> int:
    """The port drawn ``offset`` draws after the draw at cycle position ``first_position``."""
    return pow(MULTIPLIER, (first_position + offset) % PERIOD, MODULUS) - 1


_CACHE_LIMIT = 64
_by_position: dict[CandidateSet, tuple[list[int], list[int]]] = {}
_gaps: dict[CandidateSet, list[int]] = {}


def _remember(cache: dict, key: CandidateSet, make):
    value = cache.get(key)
    if value is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.pop(next(iter(cache)))
        value = cache[key] = make()
    return value


def _members_by_position(candidates: CandidateSet) -> tuple[list[int], list[int]]:
    """Cycle positions of the members, sorted, and the members in that order (cached)."""

    def make() -> tuple[list[int], list[int]]:
        pairs = sorted((cycle_position(port), port) for port in candidates.ports())
        return [pos for pos, _ in pairs], [port for _, port in pairs]

    return _remember(_by_position, candidates, make)


def _gap_positions(candidates: CandidateSet) -> list[int]:
    """Sorted cycle positions of the values 0..65535 that are not candidates (cached)."""
    return _remember(_gaps, candidates, lambda: sorted(cycle_position(p) for p in candidates.complement_ports()))


def _walk(state: int, candidates: CandidateSet, start: int) -> Iterator[int]:
    member = candidates.mask
    found = 0
    for port in draws(state):
        if member[port]:
            if found >= start:
                yield port
            found += 1


def _by_order(first: int, candidates: CandidateSet, start: int) -> Iterator[int]:
    positions, members = _members_by_position(candidates)
    size = len(members)
    index = bisect_left(positions, first) + start
    while True:
        yield members[index % size]
        index += 1


def _jump(first: int, candidates: CandidateSet, start: int) -> Iterator[int]:
    """Find the draw of the ``start``-th candidate by counting gaps, then walk from it."""
    gaps = _gap_positions(candidates)
    before_first = bisect_left(gaps, first)

    def gaps_up_to(offset: int) -> int:
        end = first + offset
        if end < PERIOD:
            return bisect_right(gaps, end) - before_first
        return len(gaps) - before_first + bisect_right(gaps, end - PERIOD)

    low, high = start, start + len(gaps)
    while low < high:  # smallest offset whose draws up to it hold start+1 candidates
        mid = (low + high) // 2
        if mid + 1 - gaps_up_to(mid) >= start + 1:
            high = mid
        else:
            low = mid + 1
    port = draw_at(first, low)
    yield port
    yield from _walk(port, candidates, 0)


def candidate_stream(state: int, candidates: CandidateSet, start: int = 0, wanted: int = 1) -> Iterator[int]:
    """Yield the candidates in draw order after ``state``, from the ``start``-th on, forever.

    ``wanted`` is how many the caller expects to take; it only picks the cheapest
    way to produce the same stream.
    """
    size = candidates.size
    if size == 0:
        raise ValueError("the candidate set is empty")
    start %= size
    gaps = PERIOD - size
    # A draw costs about a fifth of a cycle position; an ordering, once built, is cached.
    if size <= gaps:  # ordering the members saves every draw, those before start and those wanted
        if _pays_off(_by_position, candidates, (start + wanted) * PERIOD // size, 256 + 5 * size):
            return _by_order(cycle_position(lcg_next(state)), candidates, start)
    elif _pays_off(_gaps, candidates, start * PERIOD // size, 256 + 5 * gaps):
        # jumping saves only the draws before start; the wanted ones are walked anyway
        return _jump(cycle_position(lcg_next(state)), candidates, start)
    return _walk(state, candidates, start)


_walked: dict[CandidateSet, int] = {}


def _pays_off(cache: dict, candidates: CandidateSet, draws_saved: int, cost: int) -> bool:
    """Whether to use the cached index of ``candidates``, building it if need be.

    An index is built once the draws it would have saved, in this call and in earlier
    walks over the same set, reach what building it costs: a process that asks again
    and again (a library caller) stops walking, a single call never pays for an index.
    """
    if candidates in cache:
        return draws_saved > 64
    if draws_saved <= 64:
        return False
    spent = _walked.pop(candidates, 0) + draws_saved
    if spent > cost:
        return True
    _remember(_walked, candidates, lambda: spent)
    return False


def port_stream(
    state: int, candidates: CandidateSet, prepend: Sequence[int] = (), skip: int = 0, wanted: int = 1
) -> Iterator[int]:
    """The output stream (P4M-SEQ-1): prepended ports, then candidates, minus ``skip`` items."""
    if skip < len(prepend):
        yield from islice(prepend, skip, None)
        skip = 0
    else:
        skip -= len(prepend)
    yield from candidate_stream(state, candidates, skip, wanted)
