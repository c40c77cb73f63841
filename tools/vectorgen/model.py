"""A deliberately naive model of spec v1: the expected ports of every vector come from here.

It is written for obviousness, not speed (the output stream is a plain walk of the
LCG over Python sets), and it imports nothing from the port4me package: no vector may
come from running the reference and trusting it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice


def _numbers(text: str) -> list[int]:
    return [int(word) for word in text.split()]


# Copied by hand from the browsers' lists of 2022-10-24 (spec section 9), not from the package.
CHROME = _numbers("""
    1 7 9 11 13 15 17 19 20 21 22 23 25 37 42 43 53 69 77 79 87 95 101 102 103 104 109 110 111 113 115 117
    119 123 135 137 139 143 161 179 389 427 465 512 513 514 515 526 530 531 532 540 548 554 556 563 587 601
    636 989 990 993 995 1719 1720 1723 2049 3659 4045 5060 5061 6000 6566 6665 6666 6667 6668 6669 6697 10080
""")
FIREFOX = _numbers("""
    1 7 9 11 13 15 17 19 20 21 22 23 25 37 42 43 53 77 79 87 95 101 102 103 104 109 110 111 113 115 117 119
    123 135 139 143 179 389 465 512 513 514 515 526 530 531 532 540 556 563 587 601 636 993 995 2049 4045 6000
""")
UNSAFE = frozenset(CHROME) | frozenset(FIREFOX)


def string_hash(text: str) -> int:
    h = 0
    for char in text:
        h = (31 * h + ord(char)) % 2**32
    return h


def lcg_next(state: int) -> int:
    return 74 if state == 65536 else (75 * state + 74) % 65537


def seed_of(user: str, tool: str = "") -> str:
    joined = user + "," + tool
    return joined[:-1] if joined.endswith(",") else joined


def rng(low: int, high: int) -> set[int]:
    return set(range(low, high + 1))


def lst(text: str) -> set[int]:
    """A tiny helper for authoring sets: '1-3,7' -> {1,2,3,7} (not the grammar under test)."""
    out: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        out |= rng(int(low), int(high or low))
    return out


def stream(seed: str, prepend=(), include=None, exclude=UNSAFE, skip: int = 0) -> Iterator[int]:
    """The output stream after ``skip``, without end: prepended ports, then the draws in C."""
    candidates = set(include or rng(1024, 65535)) - set(exclude)
    candidates.discard(0)
    assert candidates, "model: empty candidate set"
    front = list(dict.fromkeys(p for p in prepend if p))

    def walk() -> Iterator[int]:
        yield from front
        state = string_hash(seed) % 65537
        while True:
            state = lcg_next(state)
            if state in candidates:
                yield state

    if skip > len(front):  # the candidate stream repeats every len(candidates) items
        skip = len(front) + (skip - len(front)) % len(candidates)
    return islice(walk(), skip, None)


def model(seed: str, count: int = 1, prepend=(), include=None, exclude=UNSAFE, skip: int = 0) -> list[int]:
    """The first ``count`` ports of the output stream, by walking the LCG."""
    return list(islice(stream(seed, prepend, include, exclude, skip), count))


def search(seed: str, busy=frozenset(), max_tries: int = 65535, **meaning) -> int | None:
    """The port a search prints when the ports in ``busy`` are busy, or None (no free port).

    The stream after the prepended ports repeats every |C| items (P4M-SEQ-6), so when a
    whole period holds no free port, no later item will: the walk stops there.
    """
    candidates = set(meaning.get("include") or rng(1024, 65535)) - set(meaning.get("exclude", UNSAFE)) - {0}
    period = len(set(meaning.get("prepend", ())) - {0}) + len(candidates)
    for port in islice(stream(seed, **meaning), min(max_tries, period)):
        if port not in busy:
            return port
    return None


def decimal_mod(digits: str, modulus: int) -> int:
    """A decimal string of any length modulo ``modulus``, digit by digit (no big-int parsing limits)."""
    rest = 0
    for digit in digits:
        rest = (rest * 10 + int(digit)) % modulus
    return rest
