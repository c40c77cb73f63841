"""Port lists (spec section 5): the grammar, the pinned unsafe sets, candidate sets.

Pure: the values of ``{chrome}`` and ``{firefox}`` are passed in by the caller.
"""

from __future__ import annotations

from bisect import bisect_right

from ._quote import quote
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Iterable, Iterator, Mapping

MAX_PORT = 65535
DEFAULT_INCLUDE = ((1024, MAX_PORT),)

# Pinned browser lists, dated 2022-10-24, as upstream port4me 0.7 ships them (P4M-UNSAFE-1).
CHROME_2022_10_24 = (
    "1,7,9,11,13,15,17,19,20,21,22,23,25,37,42,43,53,69,77,79,87,95,101,102,103,104,109,110,111,"
    "113,115,117,119,123,135,137,139,143,161,179,389,427,465,512,513,514,515,526,530,531,532,540,"
    "548,554,556,563,587,601,636,989,990,993,995,1719,1720,1723,2049,3659,4045,5060,5061,6000,"
    "6566,6665,6666,6667,6668,6669,6697,10080"
)
FIREFOX_2022_10_24 = (
    "1,7,9,11,13,15,17,19,20,21,22,23,25,37,42,43,53,77,79,87,95,101,102,103,104,109,110,111,113,"
    "115,117,119,123,135,139,143,179,389,465,512,513,514,515,526,530,531,532,540,556,563,587,601,"
    "636,993,995,2049,4045,6000"
)
TOKENS = ("{chrome}", "{firefox}")
DEFAULT_UNSAFE = "{chrome},{firefox}"

_SEPARATORS = str.maketrans({c: "," for c in " \t\n\r\v\f"})


class PortListError(ValueError):
    """A port list does not follow the grammar.

    ``str(error)`` says what is wrong with the offending item, quoting it; ``item`` is
    that item, so that a caller quoting the whole value can tell whether it would
    repeat it.
    """

    def __init__(self, message: str, item: str) -> None:
        super().__init__(message)
        self.item = item


def _number(text: str, item: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise PortListError(f"{quote(item)} is not a port, a range or a known token", item)
    digits = text.lstrip("0")
    if len(digits) > len(str(MAX_PORT)) or (digits and int(digits) > MAX_PORT):
        where = "" if text == item else f" in {quote(item)}"
        raise PortListError(f"port {quote(text)}{where} is above {MAX_PORT}", item)
    return int(digits or "0")


def _item(item: str) -> tuple[int, int] | None:
    """One port or range of a list as an interval, or None when it names only port 0."""
    low_text, dash, high_text = item.partition("-")
    low = _number(low_text, item)
    high = _number(high_text, item) if dash else low
    if high < low:
        raise PortListError(f"range {quote(item)} is reversed; write {high}-{low}", item)
    low = max(low, 1)  # port 0 is dropped everywhere (P4M-LIST-4)
    return (low, high) if low <= high else None


def parse_port_list(
    text: str, expand: Mapping[str, Callable[[], list[tuple[int, int]]]] | None = None
) -> list[tuple[int, int]]:
    """Parse a port list into intervals, in the order written, with port 0 dropped.

    ``expand`` maps each allowed token to a function returning its intervals;
    ``None`` allows no tokens (as in the values that tokens stand for). An item
    written again adds no port that its first writing did not, so only the first
    writing of each is read (P4M-LIST-2: repeats cost next to nothing).
    """
    intervals: list[tuple[int, int]] = []
    for item in dict.fromkeys(text.translate(_SEPARATORS).split(",")):
        if not item:
            continue
        if item.startswith("{"):
            if expand is None or item not in expand:
                raise PortListError(f"unknown token {quote(item)} (known: {{chrome}}, {{firefox}})", item)
            intervals.extend(expand[item]())
            continue
        interval = _item(item)
        if interval is not None:
            intervals.append(interval)
    return intervals


def first_occurrences(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of the intervals that no earlier interval covers, in order.

    Work grows with the number of intervals and of distinct ports, not with how
    often a range repeats ports already seen (P4M-LIST-2).
    """
    starts: list[int] = []  # covered ports so far, as sorted disjoint intervals
    ends: list[int] = []
    fresh: list[tuple[int, int]] = []
    for low, high in intervals:
        index = bisect_right(ends, low - 1)  # the first covered interval that ends at or after low
        cursor, gaps = low, []
        while cursor <= high and index < len(starts) and starts[index] <= high:
            if starts[index] > cursor:
                gaps.append((cursor, starts[index] - 1))
            cursor = max(cursor, ends[index] + 1)
            index += 1
        if cursor <= high:
            gaps.append((cursor, high))
        fresh.extend(gaps)
        for gap in gaps:
            _cover(starts, ends, *gap)
    return fresh


def _cover(starts: list[int], ends: list[int], low: int, high: int) -> None:
    """Add [low, high], which lies in a hole of the covered intervals, merging neighbours."""
    index = bisect_right(starts, low)
    joins_left = index > 0 and ends[index - 1] == low - 1
    joins_right = index < len(starts) and starts[index] == high + 1
    if joins_left and joins_right:
        ends[index - 1] = ends[index]
        del starts[index], ends[index]
    elif joins_left:
        ends[index - 1] = high
    elif joins_right:
        starts[index] = low
    else:
        starts.insert(index, low)
        ends.insert(index, high)


def ordered_ports(intervals: Iterable[tuple[int, int]]) -> list[int]:
    """Expand intervals to ports in order, keeping the first of any duplicates."""
    return [port for low, high in first_occurrences(intervals) for port in range(low, high + 1)]


def normalize(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sort and merge intervals into disjoint, non-adjacent ones."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return tuple(merged)


def subtract(keep: tuple[tuple[int, int], ...], drop: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Set difference of two normalized interval tuples."""
    result: list[tuple[int, int]] = []
    j = 0
    for low, high in keep:
        while j < len(drop) and drop[j][1] < low:
            j += 1
        start, k = low, j
        while start <= high and k < len(drop) and drop[k][0] <= high:
            if drop[k][0] > start:
                result.append((start, drop[k][0] - 1))
            start = max(start, drop[k][1] + 1)
            k += 1
        if start <= high:
            result.append((start, high))
    return tuple(result)


class CandidateSet:
    """An immutable set of ports in 1..65535, held as disjoint intervals."""

    __slots__ = ("_hash", "_mask", "intervals", "size")

    def __init__(self, intervals: Iterable[tuple[int, int]]) -> None:
        self.intervals = normalize(intervals)
        self.size = sum(high - low + 1 for low, high in self.intervals)
        self._hash = hash(self.intervals)
        self._mask: bytearray | None = None

    @classmethod
    def build(cls, include: Iterable[tuple[int, int]], exclude: Iterable[tuple[int, int]]) -> CandidateSet:
        """``include`` (or 1024-65535 when it is empty) minus ``exclude`` (P4M-SET-1)."""
        kept = normalize(include) or DEFAULT_INCLUDE
        return cls(subtract(kept, normalize(exclude)))

    @property
    def mask(self) -> bytearray:
        """A 65536-byte membership table, built on first use."""
        if self._mask is None:
            mask = bytearray(MAX_PORT + 1)
            for low, high in self.intervals:
                mask[low : high + 1] = b"\x01" * (high - low + 1)
            self._mask = mask
        return self._mask

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and 0 <= port <= MAX_PORT and bool(self.mask[port])

    def __len__(self) -> int:
        return self.size

    def ports(self) -> Iterator[int]:
        for low, high in self.intervals:
            yield from range(low, high + 1)

    def complement_ports(self) -> Iterator[int]:
        """Values 0..65535 (0 included: the LCG draws it) that are not members."""
        start = 0
        for low, high in self.intervals:
            yield from range(start, low)
            start = high + 1
        yield from range(start, MAX_PORT + 1)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CandidateSet) and self.intervals == other.intervals

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return (
            f"CandidateSet(size={self.size}, intervals={self.intervals[:4]}{'...' if len(self.intervals) > 4 else ''})"
        )
