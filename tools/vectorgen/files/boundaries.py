"""vectors/boundaries.yaml and spec/boundaries.md: a vector at every boundary of every input domain.

The table (``ROWS``) is derived from the spec: each input domain (a number, a port, a
port list, a range, a token, skip, list, max tries, test, user, tool, UTF-8 input, the
testing switch, the command line, the mode, the candidate set, the generator's state,
the check's addresses) with its boundaries, and with the representation limits an
implementation in C, JavaScript, Java or Go is likely to hit there: 2^16, 2^31, 2^32,
2^53 and 2^64 in a parsed number or the hash, the fixed point of the generator, what
`parseInt`, `Number()`, `strtoul`, Python's `int()` or `isdigit()` accept beyond the
grammar, modified UTF-8 and CESU-8, UTF-16 surrogates. Each row names its vectors;
rows whose boundary only a real check can reach (the check's addresses) cite vectors of
check.yaml. Every expected value comes from ``model``; tests/test_boundaries.py shows
that the table and the vectors cover each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..case import Case, Given, VectorFile, argv, settings
from ..expect import BUSY, FREE, RUNTIME, ports, usage
from ..model import FIREFOX, UNSAFE, lcg_next, lst, model, rng, search, string_hash

FILE = VectorFile(
    "boundaries",
    "Boundaries of every input domain",
    "A vector at each boundary of each input domain of the spec, and at each representation limit an "
    "implementation in C, JavaScript, Java or Go may hit there (spec/boundaries.md is the table).",
)

SWITCH = "_PORT4ME_CHECK_AVAILABLE_PORTS_"
A = "alice"
FIRST = model(A, 12)
DEFAULT_SIZE = 65535 - 1023 - len([p for p in UNSAFE if p >= 1024])  # |C| of the default set: 64 495
assert DEFAULT_SIZE == 64495

# Users with a chosen hash, found once by a meet-in-the-middle search over lower-case
# ASCII (hash(p + q) = hash(p)·31⁴ + hash(q) mod 2³²) and checked here on every build.
HASH_USERS = {
    2**31 - 1: "xfjfxte",  # the largest signed 32-bit value
    2**31: "xfjfxtf",  # one more: negative as a signed 32-bit int (Java, C int, JS `| 0`)
    2**32 - 1: "zsjpxag",  # the largest unsigned 32-bit value; ≡ 0 (mod 65537)
    2**32 - 2: "zsjpxaf",  # ≡ 65536 (mod 65537): the fixed point, from a hash that is -2 as a signed int
    0: "zsjpxah",  # a hash that wraps to exactly 0
}
# Users whose first state or draw is at an edge of the generator (found by a plain search).
DRAW_USERS = {"first-draw-0": "phw", "first-draw-65535": "btwt", "state-65535": "dfal", "fixed-point": "dfam"}

for _value, _user in HASH_USERS.items():
    assert string_hash(_user) == _value, _user
assert lcg_next(string_hash("phw") % 65537) == 0
assert lcg_next(string_hash("btwt") % 65537) == 65535
assert string_hash("dfal") % 65537 == 65535
assert string_hash("dfam") % 65537 == 65536


def busy(text: str) -> dict[str, str]:
    return {SWITCH: "any-except:" + text}


def found(port: int | None) -> dict:
    return RUNTIME if port is None else ports([port])


def hexarg(prefix: str, data: bytes) -> str:
    return (prefix.encode() + data).hex()


@dataclass(frozen=True)
class Row:
    """One boundary: its id, domain, the values at it, what an implementation may get wrong there, its vectors."""

    id: str
    domain: str
    boundary: str
    limit: str
    cases: Sequence[Case] = ()
    elsewhere: Sequence[str] = ()  # vectors of other files that pin this row (the check level)

    def ids(self) -> list[str]:
        return [c.id for c in self.cases] + list(self.elsewhere)


def case(row: str, id_: str, description: str, requirements, expect, given: Given, why: str, **extra) -> Case:
    """A boundary vector; its note says which row it pins and why it exists."""
    return Case(f"bound-{id_}", description, requirements, expect, given, note=f"Boundary {row}: {why}", **extra)


# ---------------------------------------------------------------------------------------------- the hash


def hash_rows() -> Iterator[Row]:
    row = "B-HASH-1"
    yield Row(
        row,
        "hash",
        "hash = 2³¹−1 and 2³¹",
        "a hash kept in a signed 32-bit int (Java `int`, C `int32_t`, JS `| 0`) turns negative at 2³¹, "
        "and `%` of a negative number is negative in C, Java, Go and JS",
        [
            case(
                row,
                f"hash-{name}",
                f"user {user!r} hashes to {value} ({name})",
                ["P4M-HASH-1", "P4M-LCG-1"],
                ports(model(user, 3)),
                settings(user=user, list=3),
                f"hash({user!r}) = {value}; {why}",
            )
            for value, name, why in (
                (2**31 - 1, "2-31-minus-1", "the largest signed 32-bit value, the last one a signed int holds"),
                (2**31, "2-31", "the smallest hash that is negative as a signed 32-bit int"),
            )
            for user in [HASH_USERS[value]]
        ],
    )
    row = "B-HASH-2"
    yield Row(
        row,
        "hash",
        "hash = 2³²−1, 2³²−2 and 0",
        "the top of the unsigned range: 2³²−1 ≡ 0 and 2³²−2 ≡ 65536 (mod 65537), so a wrong modulus or a "
        "signed remainder (−1, −2) lands off the generator's states; a hash that wraps to exactly 0",
        [
            case(
                row,
                f"hash-{name}",
                f"user {user!r} hashes to {value} ({name}), state {value % 65537}",
                ["P4M-HASH-1", "P4M-LCG-1", "P4M-LCG-2"],
                ports(model(user, 3, include=inc)) if inc else ports(model(user, 3)),
                settings(user=user, list=3, **({"include": text} if inc else {})),
                f"hash({user!r}) = {value}; {why}",
                flags=["fixed-point"] if value % 65537 == 65536 else (),
            )
            for value, name, inc, text, why in (
                (2**32 - 1, "2-32-minus-1", None, "", "the largest 32-bit hash, ≡ 0 (mod 65537); −1 as a signed int"),
                (
                    2**32 - 2,
                    "2-32-minus-2-fixed-point",
                    rng(1, 1023),
                    "1-1023",
                    "≡ 65536 (mod 65537), the fixed point, reached from −2 as a signed int; the set holds 74, the "
                    "draw next(65536) must give",
                ),
                (0, "wraps-to-0", None, "", "the hash wraps to exactly 0 after overflowing"),
            )
            for user in [HASH_USERS[value]]
        ],
    )
    row = "B-HASH-3"
    long_user = "u" * 10000
    yield Row(
        row,
        "hash / user",
        "a user of 1, 11 and 10 000 characters",
        "a hash reduced mod 2³² only at the end exceeds 2⁵³ (exact doubles, JS) after 11 characters and 2⁶⁴ "
        "after 13; a fixed-size buffer for the name (C) overflows on a long one",
        [
            case(
                row,
                "user-one-char",
                "a one-character user",
                ["P4M-HASH-1"],
                ports(model("z", 2)),
                settings(user="z", list=2),
                "the shortest user: no multiplication happens",
            ),
            case(
                row,
                "user-11-chars",
                "an 11-character user: 31¹⁰·122 exceeds 2⁵³ before reduction",
                ["P4M-HASH-1"],
                ports(model("zzzzzzzzzzz", 2)),
                settings(user="zzzzzzzzzzz", list=2),
                "a hash kept in a double without reducing each step loses exactness here",
            ),
            case(
                row,
                "user-10000-chars",
                "a user of 10 000 characters",
                ["P4M-HASH-1", "P4M-SEED-2"],
                ports(model(long_user, 2)),
                settings(user=long_user, list=2),
                "no limit on a user's length: a fixed buffer or a recursion over characters fails here",
            ),
        ],
    )


# ------------------------------------------------------------------------------------- UTF-8 and code points

VALID_UTF8 = [
    # (name, bytes, code point): the first and last scalar of each UTF-8 length
    ("u0001", b"\x01", 0x01, "the smallest code point a POSIX argument can hold (NUL ends it)"),
    ("u007f", b"\x7f", 0x7F, "the last one-byte form"),
    ("u0080", b"\xc2\x80", 0x80, "the first two-byte form (a signed `char` is negative from here)"),
    ("u07ff", b"\xdf\xbf", 0x7FF, "the last two-byte form"),
    ("u0800", b"\xe0\xa0\x80", 0x800, "the first three-byte form"),
    ("u10000", b"\xf0\x90\x80\x80", 0x10000, "the first four-byte form: two UTF-16 units in JS and Java"),
]
INVALID_UTF8 = [
    ("overlong-nul", b"\xc0\x80", "Java's modified UTF-8 writes NUL so; RFC 3629 forbids it"),
    ("overlong-2", b"\xc1\xbf", "C1 is never a valid lead byte (overlong U+007F)"),
    ("overlong-3", b"\xe0\x9f\xbf", "overlong U+07FF in three bytes"),
    ("overlong-4", b"\xf0\x8f\xbf\xbf", "overlong U+FFFF in four bytes"),
    ("lead-f5", b"\xf5\x80\x80\x80", "F5 would start a value above U+10FFFF"),
    ("byte-ff", b"\xff", "FF is never UTF-8"),
    ("five-byte", b"\xf8\x88\x80\x80\x80", "the old five-byte form of ISO 10646"),
    ("cesu-pair", b"\xed\xa0\xbd\xed\xb8\x80", "a surrogate pair encoded as two 3-byte forms (CESU-8)"),
    ("truncated-middle", b"\xe2\x82A", "a three-byte form cut short by an ASCII byte in the middle of the value"),
]


def utf8_rows() -> Iterator[Row]:
    row = "B-UTF8-1"
    yield Row(
        row,
        "UTF-8 input",
        "U+0001, U+007F/U+0080, U+07FF/U+0800, U+10000: the first and last scalar of each UTF-8 length",
        "a decoder with an off-by-one at a length boundary; a signed `char` summed as a negative number; "
        "JS and Java strings count U+10000 as two UTF-16 units",
        [
            case(
                row,
                f"utf8-valid-{name}",
                f"user 'a' followed by U+{point:04X}",
                ["P4M-HASH-1", "P4M-HASH-2"],
                ports(model("a" + chr(point), 2)),
                Given(args_hex=[hexarg("--user=a", data), b"--list=2".hex()]),
                why,
            )
            for name, data, point, why in VALID_UTF8
        ],
    )
    row = "B-UTF8-2"
    yield Row(
        row,
        "UTF-8 input",
        "overlong forms, lead bytes C0/C1/F5–FF, five-byte forms, CESU-8 pairs, a sequence cut short mid-value",
        "lenient decoders (modified UTF-8, CESU-8, a decoder that only counts continuation bytes, one that "
        "replaces with U+FFFD) hash something instead of refusing",
        [
            case(
                row,
                f"utf8-invalid-{name}",
                f"user 'a' followed by {data.hex()}: not UTF-8",
                ["P4M-HASH-3"],
                usage("--user"),
                Given(args_hex=[hexarg("--user=a", data), b"--list=1".hex()]),
                why,
                decisions=[2],
            )
            for name, data, why in INVALID_UTF8
        ]
        + [
            case(
                row,
                "utf8-invalid-variable-overlong-nul",
                "PORT4ME_USER holding C0 80: not UTF-8",
                ["P4M-HASH-3"],
                usage("PORT4ME_USER"),
                Given(args=["--list=1"], env_hex={"PORT4ME_USER": "61c080"}),
                "a variable is decoded by the same rule as an argument",
                decisions=[2],
            ),
            case(
                row,
                "utf8-invalid-tool-cesu",
                "--tool holding a CESU-8 surrogate pair: not UTF-8",
                ["P4M-HASH-3"],
                usage("--tool"),
                Given(args=["--user=alice", "--list=1"], args_hex=[hexarg("--tool=r", b"\xed\xa0\xbd\xed\xb8\x80")]),
                "the tool is decoded as the user is",
                decisions=[2],
            ),
        ],
    )
    row = "B-UTF8-3"
    yield Row(
        row,
        "UTF-8 input / port list",
        "a byte that is not UTF-8 in a port list or a number",
        "a parser that reads bytes and stops at the first non-digit, or decodes with replacement, accepts it",
        [
            case(
                row,
                "utf8-invalid-in-exclude",
                "--exclude=30845 followed by byte FF",
                ["P4M-LIST-6"],
                usage("--exclude"),
                Given(args=["--user=alice"], args_hex=[hexarg("--exclude=30845", b"\xff")]),
                "a port list is ASCII; any other byte breaks the grammar",
                decisions=[15],
            ),
            case(
                row,
                "utf8-invalid-in-skip",
                "--skip=1 followed by byte FF",
                ["P4M-ENV-5"],
                usage("--skip"),
                Given(args=["--user=alice", "--list=1"], args_hex=[hexarg("--skip=1", b"\xff")]),
                "a number is ASCII digits; strtoul stops at the byte and may take 1",
                decisions=[26],
            ),
        ],
    )


# ------------------------------------------------------------------------------------------ seed and generator


def seed_rows() -> Iterator[Row]:
    row = "B-SEED-1"
    yield Row(
        row,
        "user / tool / seed",
        "user ',' ; tool ',' ; user '-' and '--'",
        "removing every trailing comma, or the one comma when the seed is only commas; a value that starts "
        "with '-' taken for an option",
        [
            case(
                row,
                "seed-user-comma",
                "user ',' alone: the seed ',,' loses one comma, ','",
                ["P4M-SEED-1"],
                ports(model(",", 2)),
                settings(user=",", list=2),
                "the shortest user that is only a comma",
            ),
            case(
                row,
                "seed-tool-comma",
                "tool ',': the seed 'alice,,' loses one comma",
                ["P4M-SEED-1"],
                ports(model("alice,", 2)),
                settings(user=A, tool=",", list=2),
                "a tool that is only a comma still leaves one",
            ),
            case(
                row,
                "user-dash",
                "--user=- is user '-'",
                ["P4M-SEED-2", "P4M-CLI-1"],
                ports(model("-", 2)),
                argv("--user=-", "--list=2"),
                "the value of an option is everything after '=', even a dash",
            ),
            case(
                row,
                "tool-double-dash-after-end",
                "'-- --' makes '--' the tool",
                ["P4M-CLI-4", "P4M-SEED-2"],
                ports(model("alice,--", 2)),
                argv("--user=alice", "--list=2", "--", "--"),
                "after '--' every argument is positional, '--' too",
            ),
        ],
    )


def lcg_rows() -> Iterator[Row]:
    row = "B-LCG-1"
    fixed = DRAW_USERS["fixed-point"]
    yield Row(
        row,
        "generator state",
        "s₀ = 65536 (the fixed point) with 74 in the set; s₀ = 65535",
        "a wrong next(65536) (the plain formula stays at 65536, an off-by-one gives 75) is otherwise seen "
        "only by a unit entry: the other fixed-point vectors use sets that leave out 74",
        [
            case(
                row,
                "lcg-fixed-point-draws-74",
                f"user {fixed!r} (s₀ = 65536) over ports 1-1023: the first draw, 74, is printed",
                ["P4M-LCG-2"],
                ports(model(fixed, 3, include=rng(1, 1023))),
                settings(user=fixed, include="1-1023", list=3),
                "next(65536) = 74 is visible on the command line only when 74 is a candidate",
                flags=["fixed-point"],
            ),
            case(
                row,
                "lcg-fixed-point-two-draws",
                f"user {fixed!r}, include 74 and 5624 (its first two draws), list 3",
                ["P4M-LCG-2", "P4M-SEQ-6"],
                ports(model(fixed, 3, include={74, 5624})),
                settings(user=fixed, include="74,5624", list=3),
                "a two-port set in the order of the draws after the fixed point",
                flags=["fixed-point"],
            ),
            case(
                row,
                "lcg-state-65535",
                f"user {DRAW_USERS['state-65535']!r}: s₀ = 65535, the largest state a draw can be",
                ["P4M-LCG-1", "P4M-LCG-2"],
                ports(model(DRAW_USERS["state-65535"], 3)),
                settings(user=DRAW_USERS["state-65535"], list=3),
                "75·65535 + 74 is the largest product of a plain step",
            ),
        ],
    )
    row = "B-LCG-2"
    yield Row(
        row,
        "generator draw",
        "a first draw of 0 and of 65535",
        "draw 0 must never be a port (port 0 is dropped from every set); 65535 is a port, and `< 65535` or a "
        "16-bit type that cannot hold 65536 states loses it",
        [
            case(
                row,
                "lcg-first-draw-0",
                f"user {DRAW_USERS['first-draw-0']!r}, whose first draw is 0, over '0-1023'",
                ["P4M-LCG-3", "P4M-LIST-4"],
                ports(model(DRAW_USERS["first-draw-0"], 2, include=rng(1, 1023))),
                settings(user=DRAW_USERS["first-draw-0"], include="0-1023", list=2),
                "the draw 0 is passed over even when the list writes 0",
                decisions=[11],
            ),
            case(
                row,
                "lcg-first-draw-65535",
                f"user {DRAW_USERS['first-draw-65535']!r}, whose first draw is 65535",
                ["P4M-LCG-2", "P4M-SET-1"],
                ports(model(DRAW_USERS["first-draw-65535"], 2)),
                settings(user=DRAW_USERS["first-draw-65535"], list=2),
                "65535 is in the default set",
            ),
        ],
    )


# -------------------------------------------------------------------------------------------------- ports

# (id, text, why): one item that must be a usage error in any list
BAD_PORTS = [
    ("65536", "65536", "one above the largest port: a 16-bit type wraps it to 0"),
    ("66560", "66560", "65536 + 1024: a 16-bit type wraps it to 1024, a valid port"),
    ("2-31", "2147483648", "2³¹: `Integer.parseInt` throws, a signed 32-bit int wraps negative"),
    ("2-32", "4294967296", "2³²: a 32-bit accumulator wraps to 0, which is then silently dropped"),
    ("2-32-plus-30845", "4294998141", "2³² + 30845: a 32-bit accumulator wraps to 30845, alice's first port"),
    ("2-53-plus-1", "9007199254740993", "2⁵³ + 1: a double (JS `Number`) rounds it"),
    ("2-64-plus-30845", "18446744073740582461", "2⁶⁴ + 30845: a 64-bit accumulator wraps to 30845"),
]


def port_rows() -> Iterator[Row]:
    row = "B-PORT-1"
    yield Row(
        row,
        "port",
        "0, 1, 1023, 1024, 65535 in a list",
        "0 must be dropped (not kept, not an error); 1 and 1023 are ports outside the default set; 1024 and "
        "65535 are the ends of the default set",
        [
            case(
                row,
                "port-0-alone-include",
                "--include=0: the empty list, so the default set",
                ["P4M-LIST-4", "P4M-SET-1"],
                ports(model(A, 2)),
                settings(user=A, include="0", list=2),
                "0 alone is how an empty list is written",
                decisions=[11],
            ),
            case(
                row,
                "port-1-include",
                "--include=1: the lowest port, an unsafe one, is excluded: no candidate",
                ["P4M-SET-6", "P4M-UNSAFE-1"],
                usage(),
                settings(user=A, include="1", list=1),
                "port 1 is in both browsers' lists",
                decisions=[17],
            ),
            case(
                row,
                "port-1-prepend",
                "--prepend=1: prepended ports bypass the unsafe set",
                ["P4M-SET-4", "P4M-LIST-2"],
                ports(model(A, 2, prepend=[1])),
                settings(user=A, prepend="1", list=2),
                "the lowest port is a port",
            ),
            case(
                row,
                "port-1023-1024",
                "--include=1023,1024: both ends of the privileged boundary",
                ["P4M-SET-1", "P4M-LIST-2"],
                ports(model(A, 3, include={1023, 1024})),
                settings(user=A, include="1023,1024", list=3),
                "1023 is not in the default set but is a port when included",
            ),
            case(
                row,
                "port-65535-exclude",
                "--exclude=65535 over 65534-65535",
                ["P4M-SET-3", "P4M-LIST-2"],
                ports([65534, 65534]),
                settings(user=A, include="65534-65535", exclude="65535", list=2),
                "the largest port as an exclusion",
            ),
        ],
    )
    row = "B-PORT-2"
    yield Row(
        row,
        "port",
        "65536, 65536+1024, 2³¹, 2³², 2³²+30845, 2⁵³+1, 2⁶⁴+30845 in a list",
        "a parser that wraps (16-, 32- or 64-bit accumulators, `strtoul` without ERANGE), rounds (doubles) "
        "or clamps turns an invalid value into a valid, different port",
        [
            case(
                row,
                f"port-{name}-{where}",
                f"--{where}={text}: above 65535",
                ["P4M-LIST-2"],
                usage(where, text),
                settings(user=A, list=2, **{where: text}),
                why,
                decisions=[12],
            )
            for name, text, why in BAD_PORTS
            for where in (("exclude", "include", "prepend") if name in ("2-32", "2-32-plus-30845") else ("exclude",))
        ],
    )
    row = "B-PORT-3"
    yield Row(
        row,
        "port",
        "leading zeros: 065535, 065536, 30 digits for 30845, 00000",
        "a parser that limits the number of digits, reads a leading 0 as octal, or checks the range on the "
        "text's length instead of its value",
        [
            case(
                row,
                "port-leading-zero-65535",
                "--include=065535 is 65535",
                ["P4M-LIST-2"],
                ports([65535]),
                settings(user=A, include="065535"),
                "a leading zero does not change the value",
                decisions=[14],
            ),
            case(
                row,
                "port-leading-zero-65536",
                "--include=065536 is 65536, above the largest port",
                ["P4M-LIST-2"],
                usage("include", "065536"),
                settings(user=A, include="065536"),
                "six characters, value 65536",
                decisions=[12],
            ),
            case(
                row,
                "port-30-digits",
                "--exclude=000…030845 (30 digits) is 30845",
                ["P4M-LIST-2"],
                ports([FIRST[1]]),
                settings(user=A, exclude="0" * 25 + "30845"),
                "more digits than any machine integer holds, with a small value",
                decisions=[14],
            ),
            case(
                row,
                "port-zeros",
                "--prepend=00000 is port 0, dropped",
                ["P4M-LIST-4"],
                ports(model(A, 2)),
                settings(user=A, prepend="00000", list=2),
                "zero written with several digits is still 0",
                decisions=[11],
            ),
        ],
    )


# ------------------------------------------------------------------------------------------------- ranges


def range_rows() -> Iterator[Row]:
    row = "B-RANGE-1"
    yield Row(
        row,
        "range",
        "0-0, 0-1, 1-0, 5-0, 65535-65535, 65534-65535, 65535-1",
        "0 as an endpoint (clamped to 1 before the descending check, `1-0` passes as port 1); an "
        "inclusive end off by one at 65535",
        [
            case(
                row,
                "range-0-0",
                "--include=0-0: only port 0, dropped: the default set",
                ["P4M-LIST-3", "P4M-LIST-4", "P4M-SET-1"],
                ports(model(A, 2)),
                settings(user=A, include="0-0", list=2),
                "a range of only 0 is an empty list",
                decisions=[11],
            ),
            case(
                row,
                "range-0-1",
                "--prepend=0-1 is port 1",
                ["P4M-LIST-3", "P4M-LIST-4"],
                ports(model(A, 2, prepend=[1])),
                settings(user=A, prepend="0-1", list=2),
                "0 is dropped from the range, 1 stays",
                decisions=[11],
            ),
            case(
                row,
                "range-1-0",
                "--include=1-0 is descending",
                ["P4M-LIST-3"],
                usage("include"),
                settings(user=A, include="1-0"),
                "clamping 0 to 1 before comparing would accept it as port 1",
                decisions=[10],
            ),
            case(
                row,
                "range-5-0",
                "--exclude=5-0 is descending",
                ["P4M-LIST-3"],
                usage("exclude"),
                settings(user=A, exclude="5-0"),
                "an endpoint 0 on the right",
                decisions=[10],
            ),
            case(
                row,
                "range-65535-65535",
                "--include=65535-65535 is port 65535",
                ["P4M-LIST-3"],
                ports([65535, 65535]),
                settings(user=A, include="65535-65535", list=2),
                "a one-port range at the top",
            ),
            case(
                row,
                "range-65534-65535",
                "--include=65534-65535 holds both",
                ["P4M-LIST-3"],
                ports(model(A, 3, include={65534, 65535})),
                settings(user=A, include="65534-65535", list=3),
                "an exclusive end (`range(a, b)`) loses 65535",
            ),
            case(
                row,
                "range-65535-1",
                "--include=65535-1 is descending",
                ["P4M-LIST-3"],
                usage("include"),
                settings(user=A, include="65535-1"),
                "the widest descending range",
                decisions=[10],
            ),
        ],
    )
    row = "B-RANGE-2"
    yield Row(
        row,
        "range",
        "1-65535 and 0-65535 (every port), 65535-65536, 1-4294967297, 4294967297-4294967298",
        "a range over every port in a list (a bitmap one short; a loop `p <= 65535` on a 16-bit counter never "
        "ends); an endpoint that wraps to a small value makes a valid range",
        [
            case(
                row,
                "range-every-port",
                "--include=1-65535 with PORT4ME_EXCLUDE_UNSAFE='': every port is a candidate",
                ["P4M-LIST-3", "P4M-SET-5"],
                ports(model(A, 3, include=rng(1, 65535), exclude=set())),
                settings(user=A, include="1-65535", list=3, env={"PORT4ME_EXCLUDE_UNSAFE": ""}),
                "the largest candidate set, 65 535 ports",
            ),
            case(
                row,
                "range-0-65535",
                "--include=0-65535: the same as 1-65535",
                ["P4M-LIST-3", "P4M-LIST-4"],
                ports(model(A, 3, include=rng(1, 65535))),
                settings(user=A, include="0-65535", list=3),
                "0 dropped from the widest range",
                decisions=[11],
            ),
            case(
                row,
                "range-65535-65536",
                "--include=65535-65536: the end is above 65535",
                ["P4M-LIST-2", "P4M-LIST-3"],
                usage("include"),
                settings(user=A, include="65535-65536"),
                "the smallest range that reaches past the last port",
                decisions=[12],
            ),
            case(
                row,
                "range-end-wraps-to-1",
                "--include=1-4294967297: 2³² + 1 wraps to 1 in 32 bits",
                ["P4M-LIST-2"],
                usage("include"),
                settings(user=A, include="1-4294967297"),
                "a 32-bit accumulator would read the range 1-1",
                decisions=[12],
            ),
            case(
                row,
                "range-both-wrap",
                "--exclude=4294967297-4294967298: both ends wrap to 1-2 in 32 bits",
                ["P4M-LIST-2"],
                usage("exclude"),
                settings(user=A, exclude="4294967297-4294967298"),
                "a wrapped range that looks ascending and small",
                decisions=[12],
            ),
        ],
    )


# ---------------------------------------------------------------------------------------- separators, tokens

# White space that some runtime's "is space" accepts but the grammar does not (P4M-LIST-1).
NOT_SEPARATORS = [
    ("x1c", "\x1c", "Python's str.split() and isspace() take U+001C (file separator) as white space"),
    ("x1f", "\x1f", "Python's str.split() takes U+001F (unit separator) as white space"),
    ("x85", "\x85", "U+0085 (next line): white space to Python and to Java's Character.isWhitespace"),
    ("u2028", "\u2028", "U+2028 (line separator): JS's \\s and Python's str.split() take it"),
    ("ufeff", "\ufeff", "U+FEFF (byte order mark): JS's \\s and String.prototype.trim() take it"),
    ("u3000", "\u3000", "U+3000 (ideographic space): white space to JS, Python and Go's unicode.IsSpace"),
]


def list_rows() -> Iterator[Row]:
    row = "B-LIST-1"
    yield Row(
        row,
        "port list",
        "a list of only separators: ',', ' ', '\\t\\n', ',,,'",
        "a split that yields one empty item and parses it as 0, or as an error",
        [
            case(
                row,
                f"list-only-{name}",
                f"--exclude={text!r}: no items",
                ["P4M-LIST-1"],
                ports(model(A, 2)),
                settings(user=A, exclude=text, list=2),
                "separators alone make the empty list",
            )
            for name, text in (("comma", ","), ("space", " "), ("tab-newline", "\t\n"), ("commas", ",,,"))
        ],
    )
    row = "B-LIST-2"
    yield Row(
        row,
        "port list",
        "white space outside ASCII's six: U+001C, U+001F, U+0085, U+2028, U+FEFF, U+3000",
        "a split on the runtime's idea of white space (Python `str.split()`, JS `\\s`, `trim()`, Go "
        "`strings.Fields`) separates where the grammar does not",
        [
            case(
                row,
                f"list-not-separator-{name}",
                f"{text!r} between two ports is not a separator",
                ["P4M-LIST-1", "P4M-LIST-6"],
                usage("exclude" if name != "x85" else "--exclude"),
                settings(user=A, exclude=f"30845{text}32310")
                if name != "x85"  # YAML folds U+0085 into a space: the value goes as bytes
                else Given(args=["--user=alice"], args_hex=[f"--exclude=30845{text}32310".encode().hex()]),
                why,
                decisions=[13],
            )
            for name, text, why in NOT_SEPARATORS
        ],
    )
    row = "B-TOKEN-1"
    yield Row(
        row,
        "token",
        "tokens without a separator, tokens inside a range, partial and empty braces",
        "a scanner that finds tokens by substring replacement accepts `8080{chrome}` or `{chrome}{firefox}`",
        [
            case(
                row,
                f"token-{name}",
                f"--exclude={text!r} breaks the grammar",
                ["P4M-LIST-5", "P4M-LIST-6"],
                usage("exclude"),
                settings(user=A, exclude=text),
                why,
                decisions=[16],
            )
            for name, text, why in (
                ("adjacent", "{chrome}{firefox}", "two items need a separator between them"),
                ("after-port", "8080{chrome}", "a token glued to a port"),
                ("range-of-tokens", "{chrome}-{firefox}", "a range's ends are ports"),
                ("empty-braces", "{}", "no name"),
                ("unclosed", "{chrome", "no closing brace"),
                ("inner-space", "{ chrome}", "white space inside the braces"),
            )
        ]
        + [
            case(
                row,
                "token-duplicate-and-spaced",
                "' {chrome} , {chrome} ' is the Chrome list",
                ["P4M-LIST-5", "P4M-LIST-1"],
                ports(model(A, 2)),
                settings(user=A, exclude=" {chrome} , {chrome} ", list=2),
                "separators around a token, and a token twice",
            ),
            case(
                row,
                "token-in-site",
                "PORT4ME_PREPEND_SITE={firefox}: tokens work in _SITE lists",
                ["P4M-LIST-5", "P4M-SET-4"],
                ports(model(A, 3, prepend=[1, 7, 9])),
                settings(user=A, list=3, env={"PORT4ME_PREPEND_SITE": "{firefox}"}),
                "every port list takes tokens",
            ),
            case(
                row,
                "token-variable-zero",
                "PORT4ME_EXCLUDE_UNSAFE_CHROME=0 empties {chrome}",
                ["P4M-UNSAFE-1", "P4M-LIST-4"],
                ports(model(A, 3, include=rng(1, 1023), exclude=set(FIREFOX))),
                settings(user=A, include="1-1023", list=3, env={"PORT4ME_EXCLUDE_UNSAFE_CHROME": "0"}),
                "the Chrome-only ports (69, 137, 161, …) become candidates",
            ),
        ],
    )


# ------------------------------------------------------------------------------------------------ numbers

# Written forms that are no `1*DIGIT`, each accepted by some runtime's number parser.
BAD_FORMS = [
    ("minus-zero", "-0", "a sign on zero: strtol and Number() read 0"),
    ("plus", "+2", "a plus sign: strtol, Number(), int() and parseInt accept it"),
    ("exponent", "2e1", "JS Number() reads 20"),
    ("hex", "0x2", "JS Number() and strtol(…, 0) read 2"),
    ("binary", "0b10", "JS Number() reads 2"),
    ("octal-prefix", "0o2", "JS Number() reads 2"),
    ("underscore", "1_0", "Python int() reads 10"),
    ("leading-space", " 2", "strtol, Number() and int() skip leading white space"),
    ("trailing-newline", "2\n", "Number() and int() ignore trailing white space"),
    ("trailing-garbage", "2abc", "parseInt and strtol stop at the first non-digit and read 2"),
    ("decimal-point", "2.0", "Number() and float parsing read 2"),
    ("infinity", "Infinity", "JS Number() reads Infinity, which compares above every bound but may pass"),
    ("fullwidth", "２", "Python int() reads U+FF12 as 2"),
    ("superscript", "²", "Python's str.isdigit() is true for U+00B2, int() refuses it: a check and a parse disagree"),
    ("no-break-space", "2\u00a0", "Number(), int() and trim() take U+00A0 for white space"),
]

# Values out of range, per setting, with the wrap that makes each look valid.
OUT_OF_RANGE = {
    "list": [
        ("2-16-plus-1", "65537", "a 16-bit type reads 1"),
        ("2-31-plus-1", "2147483649", "a signed 32-bit int wraps negative"),
        ("2-32-plus-1", "4294967297", "a 32-bit accumulator reads 1"),
        ("2-53-plus-1", "9007199254740993", "a double rounds it"),
        ("2-64-plus-1", "18446744073709551617", "a 64-bit accumulator reads 1"),
    ],
    "max_tries": [
        ("2-16-plus-1", "65537", "a 16-bit type reads 1"),
        ("2-31-plus-1", "2147483649", "a signed 32-bit int wraps negative"),
        ("2-32-plus-1", "4294967297", "a 32-bit accumulator reads 1"),
        ("2-64-plus-1", "18446744073709551617", "a 64-bit accumulator reads 1"),
    ],
    "test": [
        ("2-16-plus-80", "65616", "a 16-bit type reads 80"),
        ("2-32-plus-80", "4294967376", "a 32-bit accumulator reads 80"),
        ("2-64-plus-80", "18446744073709551696", "a 64-bit accumulator reads 80"),
    ],
}
OPTION = {"list": "list", "max_tries": "max-tries", "test": "test", "skip": "skip"}
REQS = {"list": ["P4M-ENV-5"], "max_tries": ["P4M-ENV-5", "P4M-ENV-7"], "test": ["P4M-ENV-5", "P4M-TEST-2"]}
REQS["skip"] = ["P4M-ENV-5", "P4M-SEQ-3"]


def number_context(name: str) -> dict:
    """The other settings that put each number in a mode that uses it."""
    return {"list": {"user": A}, "max_tries": {"user": A}, "skip": {"user": A, "list": 1}, "test": {}}[name]


def number_rows() -> Iterator[Row]:
    row = "B-NUM-1"
    yield Row(
        row,
        "number (skip, list, max tries, test)",
        "forms outside `1*DIGIT` that a runtime's parser accepts: signs, exponents, prefixes, underscores, "
        "white space, trailing garbage, Infinity, non-ASCII digits",
        "`parseInt`, `Number()`, `strtol`, `int()`, `isdigit()` each accept some; every one is a usage error",
        [
            case(
                row,
                f"number-{OPTION[name]}-{form}",
                f"{OPTION[name]} {text!r} is not 1*DIGIT",
                REQS[name],
                usage(name, None if text != text.strip() or "\u00a0" in text else text),
                settings(**number_context(name), **{name: text}),
                why,
                decisions=[15, 26],
            )
            for name in ("skip", "list", "max_tries", "test")
            for form, text, why in BAD_FORMS
        ],
    )
    row = "B-NUM-2"
    yield Row(
        row,
        "number (list, max tries, test)",
        "2¹⁶+1, 2³¹+1, 2³²+1, 2⁵³+1, 2⁶⁴+1 (test: +80 each)",
        "an accumulator that wraps or a double that rounds makes an out-of-range value a valid one",
        [
            case(
                row,
                f"number-{OPTION[name]}-{form}",
                f"{OPTION[name]}={text} is out of range",
                REQS[name],
                usage(name, text),
                settings(**number_context(name), **{name: text}),
                why,
                decisions=[26],
            )
            for name, rows in OUT_OF_RANGE.items()
            for form, text, why in rows
        ],
    )
    row = "B-NUM-3"
    yield Row(
        row,
        "number (list, max tries, test)",
        "the largest values with leading zeros: list 0065536, max tries 0065535, test 0065535; 30 digits of 1",
        "a check on the number of characters instead of the value, or a digit limit, refuses a valid value",
        [
            case(
                row,
                "number-list-max-leading-zeros",
                "--list=0065536: the largest list, 65536 lines (the default set's period and 1041 ports again)",
                ["P4M-ENV-5", "P4M-SEQ-4", "P4M-SEQ-6"],
                ports(model(A, 65536)),
                settings(user=A, list="0065536"),
                "the largest list, written with more characters than it needs",
            ),
            case(
                row,
                "number-max-tries-max-leading-zeros",
                "--max-tries=0065535 with alice's first two ports busy",
                ["P4M-ENV-5", "P4M-ENV-7"],
                found(search(A, set(FIRST[:2]))),
                settings(user=A, max_tries="0065535", env=busy(f"{FIRST[0]},{FIRST[1]}")),
                "the largest max tries with leading zeros",
                decisions=[40],
            ),
            case(
                row,
                "number-test-max-leading-zeros",
                "--test=0065535 with 65535 busy",
                ["P4M-ENV-5", "P4M-TEST-1"],
                BUSY,
                settings(test="0065535", env=busy("65535")),
                "the largest port to test, with leading zeros",
                decisions=[40],
            ),
            case(
                row,
                "number-list-30-digit-one",
                "--list=000…001 (30 digits) is 1",
                ["P4M-ENV-5"],
                ports(FIRST[:1]),
                settings(user=A, list="0" * 29 + "1"),
                "more digits than any machine integer, value 1",
            ),
            case(
                row,
                "number-max-tries-one-leading-zero",
                "--max-tries=01 with the first port busy: one check, no free port",
                ["P4M-ENV-5", "P4M-ENV-7"],
                RUNTIME,
                settings(user=A, max_tries="01", env=busy(str(FIRST[0]))),
                "a leading zero read as octal is still 1, but a parser that refuses it errs",
                decisions=[22, 40],
            ),
            case(
                row,
                "number-test-80-leading-zeros",
                "--test=0080 with 80 busy",
                ["P4M-ENV-5", "P4M-TEST-1"],
                BUSY,
                settings(test="0080", env=busy("80")),
                "a test port with leading zeros is that port",
                decisions=[14, 40],
            ),
        ],
    )


# --------------------------------------------------------------------------------------------------- skip

BIG_SKIPS = [
    ("2-31", 2**31, "2³¹: a signed 32-bit skip wraps negative"),
    ("2-32", 2**32, "2³²: a 32-bit skip wraps to 0"),
    ("2-53-plus-1", 2**53 + 1, "2⁵³ + 1: a double rounds it to 2⁵³"),
    ("2-64", 2**64, "2⁶⁴: a 64-bit skip wraps to 0"),
    ("2-64-plus-1", 2**64 + 1, "2⁶⁴ + 1: a 64-bit skip wraps to 1"),
]


def skip_rows() -> Iterator[Row]:
    row = "B-SKIP-1"
    yield Row(
        row,
        "skip",
        "|C|−1, |C|, |C|+1, 65535, 65536, 65537 with the default set (|C| = 64 495)",
        "reducing the skip modulo 65536 (the draws' cycle) or 65535 instead of |C|; an off-by-one at the wrap",
        [
            case(
                row,
                f"skip-{name}",
                f"--skip={value} with the default set",
                ["P4M-SEQ-2", "P4M-SEQ-3", "P4M-SEQ-6"],
                ports(model(A, 2, skip=value)),
                settings(user=A, skip=value, list=2),
                why,
            )
            for name, value, why in (
                ("c-minus-1", DEFAULT_SIZE - 1, "the last item of the first period"),
                ("c", DEFAULT_SIZE, "exactly one period: alice's first port again"),
                ("c-plus-1", DEFAULT_SIZE + 1, "one past a period"),
                ("65535", 65535, "the number of ports, not of candidates"),
                ("65536", 65536, "the length of the draws' cycle, not of the candidates'"),
                ("65537", 65537, "the generator's modulus"),
            )
        ],
    )
    row = "B-SKIP-2"
    yield Row(
        row,
        "skip",
        "2³¹, 2³², 2⁵³+1, 2⁶⁴, 2⁶⁴+1, and 0 written with 30 zeros",
        "a skip parsed into a machine integer or a double: P4M-SEQ-3 puts no bound on it",
        [
            case(
                row,
                f"skip-{name}",
                f"--skip={value}",
                ["P4M-SEQ-3"],
                ports(model(A, 2, skip=value)),
                settings(user=A, skip=str(value), list=2),
                why,
                decisions=[23],
            )
            for name, value, why in BIG_SKIPS
        ]
        + [
            case(
                row,
                "skip-zeros",
                "--skip=000…0 (30 zeros) is 0",
                ["P4M-SEQ-3", "P4M-ENV-5"],
                ports(FIRST[:2]),
                settings(user=A, skip="0" * 30, list=2),
                "zero with more digits than a machine integer",
            )
        ],
    )
    row = "B-SKIP-3"
    pre = "1111,2222,3333"
    yield Row(
        row,
        "skip with prepend",
        "skip = |P|−1, |P|, |P|+|C| with three prepended ports; a huge skip past them",
        "reducing the skip modulo |C| before taking the prepended ports away, or modulo |P| + |C|",
        [
            case(
                row,
                f"skip-prepend-{name}",
                f"--prepend={pre} --skip={value}",
                ["P4M-SEQ-2", "P4M-SEQ-3"],
                ports(model(A, 2, prepend=[1111, 2222, 3333], skip=value)),
                settings(user=A, prepend=pre, skip=str(value), list=2),
                why,
            )
            for name, value, why in (
                ("p-minus-1", 2, "the last prepended port"),
                ("p", 3, "the first candidate"),
                ("p-plus-c", 3 + DEFAULT_SIZE, "one period after the prepended ports: the first candidate again"),
                ("2-64-plus-3", 2**64 + 3, "a huge skip, reduced only after the three prepended ports"),
            )
        ],
    )
    row = "B-SKIP-4"
    yield Row(
        row,
        "skip over a small set",
        "|C| = 1 and 3: skip 1, 3, 4, 10²⁰",
        "a period computed from the range's width instead of the set's size (after exclusions)",
        [
            case(
                row,
                f"skip-small-{name}",
                f"include {inc}, exclude {exc}, skip {value}",
                ["P4M-SEQ-3", "P4M-SEQ-6"],
                ports(model(A, 3, include=lst(inc), exclude=lst(exc) if exc else set(UNSAFE), skip=value)),
                settings(user=A, include=inc, skip=str(value), list=3, **({"exclude": exc} if exc else {})),
                why,
            )
            for name, inc, exc, value, why in (
                ("one-port", "5000", "", 1, "a set of one port repeats it"),
                ("three-skip-3", "5000-5002", "", 3, "exactly one period of three"),
                ("three-skip-4", "5000-5002", "", 4, "one past a period of three"),
                ("excluded-period", "5000-5010", "5001-5008", 10**20, "|C| = 3 after exclusions, not 11"),
            )
        ],
    )


# ---------------------------------------------------------------------------------- list, max tries, test


def count_rows() -> Iterator[Row]:
    row = "B-LISTN-1"
    yield Row(
        row,
        "list",
        "list 1, |C|, |C|+1 over a small set",
        "stopping at |C| (a list longer than the set repeats ports), or one item short",
        [
            case(
                row,
                f"list-{name}",
                f"--list={count} over 5000-5002",
                ["P4M-SEQ-4", "P4M-SEQ-6"],
                ports(model(A, count, include=rng(5000, 5002))),
                settings(user=A, include="5000-5002", list=count),
                why,
            )
            for name, count, why in (
                ("one", 1, "the smallest list"),
                ("c", 3, "exactly the set"),
                ("c-plus-1", 4, "one more than the set: the first port again"),
            )
        ],
    )
    row = "B-TRIES-1"
    yield Row(
        row,
        "max tries",
        "max tries = |P|, |P|+1 with every prepended port busy; = |C| and |C|+1 over a small busy set",
        "counting prepended ports, duplicates or skipped items wrongly; stopping after one period",
        [
            case(
                row,
                "tries-prepend-exact",
                "three busy prepended ports and --max-tries=3: no free port",
                ["P4M-SEQ-5", "P4M-ENV-7"],
                found(search(A, {1111, 2222, 3333}, max_tries=3, prepend=[1111, 2222, 3333])),
                settings(user=A, prepend="1111,2222,3333", max_tries=3, env=busy("1111,2222,3333")),
                "every check is spent on the prepended ports",
                decisions=[22, 40],
            ),
            case(
                row,
                "tries-prepend-plus-1",
                "the same with --max-tries=4: the first candidate",
                ["P4M-SEQ-5", "P4M-ENV-7"],
                found(search(A, {1111, 2222, 3333}, max_tries=4, prepend=[1111, 2222, 3333])),
                settings(user=A, prepend="1111,2222,3333", max_tries=4, env=busy("1111,2222,3333")),
                "one check more reaches the candidates",
                decisions=[22, 40],
            ),
            case(
                row,
                "tries-duplicate-prepend",
                "--prepend=1111,1111,2222 with 1111 busy and --max-tries=2: the duplicate is dropped, 2222",
                ["P4M-SEQ-5", "P4M-SET-4"],
                found(search(A, {1111}, max_tries=2, prepend=[1111, 2222])),
                settings(user=A, prepend="1111,1111,2222", max_tries=2, env=busy("1111")),
                "a dropped duplicate is not a check",
                decisions=[20, 40],
            ),
            case(
                row,
                "tries-set-c-plus-1",
                "three-port set, two busy, the free one drawn third: --max-tries=3 finds it",
                ["P4M-SEQ-5", "P4M-SEQ-6"],
                found(search(A, set(model(A, 2, include=rng(5000, 5002))), max_tries=3, include=rng(5000, 5002))),
                settings(
                    user=A,
                    include="5000-5002",
                    max_tries=3,
                    env=busy(",".join(map(str, model(A, 2, include=rng(5000, 5002))))),
                ),
                "exactly |C| checks reach the last port of a period",
                decisions=[40],
            ),
            case(
                row,
                "tries-set-c-minus-1",
                "the same with --max-tries=2: no free port",
                ["P4M-SEQ-5", "P4M-ENV-7"],
                found(search(A, set(model(A, 2, include=rng(5000, 5002))), max_tries=2, include=rng(5000, 5002))),
                settings(
                    user=A,
                    include="5000-5002",
                    max_tries=2,
                    env=busy(",".join(map(str, model(A, 2, include=rng(5000, 5002))))),
                ),
                "one check short of the free port",
                decisions=[22, 40],
            ),
        ],
    )
    row = "B-TEST-1"
    yield Row(
        row,
        "test",
        "test 1 and 65535 busy by the switch; test 80 with a busy list that ends at 80 and one that starts at 81",
        "an exclusive end in the busy list's ranges, or a test port compared as text",
        [
            case(
                row,
                f"test-{name}",
                f"--test={port} with {text!r} busy",
                ["P4M-TEST-1", "P4M-CHECK-5"],
                expect,
                settings(test=str(port), env=busy(text)),
                why,
                decisions=[40],
            )
            for name, port, text, expect, why in (
                ("1-busy", 1, "1", BUSY, "the lowest port"),
                ("65535-busy-range", 65535, "65000-65535", BUSY, "the last port of an inclusive range"),
                ("80-range-end", 80, "70-80", BUSY, "the end of a range is in it"),
                ("80-range-after", 80, "81-90", FREE, "a range that starts just after"),
                ("80-text-prefix", 80, "8080,800", FREE, "ports whose text starts with 80"),
            )
        ],
    )


# ------------------------------------------------------------------------------------- set, switch, argv, modes


def set_rows() -> Iterator[Row]:
    row = "B-SET-1"
    yield Row(
        row,
        "candidate set",
        "|C| = 0 (every port excluded), |C| = 1, the include set only port 0 with a _SITE list",
        "falling back to the default set when C is empty, or when the include list holds only 0 but "
        "PORT4ME_INCLUDE_SITE is not empty",
        [
            case(
                row,
                "set-empty-by-exclude",
                "--include=5000-5002 --exclude=5000-5002: no candidate",
                ["P4M-SET-6"],
                usage(),
                settings(user=A, include="5000-5002", exclude="5000-5002", list=1),
                "the smallest empty set",
                decisions=[17],
            ),
            case(
                row,
                "set-empty-with-prepend",
                "an empty set is an error even with a prepended port",
                ["P4M-SET-6"],
                usage(),
                settings(user=A, prepend="5000", include="5000", exclude="5000", list=1),
                "the prepended port would suffice, but the rule is raised before any draw",
                decisions=[17],
            ),
            case(
                row,
                "set-one-port",
                "|C| = 1: 5001 only, list 3",
                ["P4M-SET-1", "P4M-SEQ-6"],
                ports([5001, 5001, 5001]),
                settings(user=A, include="5000-5002", exclude="5000,5002", list=3),
                "a set of one port",
            ),
            case(
                row,
                "set-include-zero-and-site",
                "--include=0 and PORT4ME_INCLUDE_SITE=5000-5002: the union is 5000-5002",
                ["P4M-SET-2", "P4M-LIST-4"],
                ports(model(A, 3, include=rng(5000, 5002))),
                settings(user=A, include="0", list=3, env={"PORT4ME_INCLUDE_SITE": "5000-5002"}),
                "an empty include list does not make the default set when the _SITE list has ports",
            ),
            case(
                row,
                "set-unsafe-empty",
                "PORT4ME_EXCLUDE_UNSAFE='' with --include=1-10: ports 1, 7 and 9 are candidates",
                ["P4M-SET-5"],
                ports(model(A, 3, include=rng(1, 10), exclude=set())),
                settings(user=A, include="1-10", list=3, env={"PORT4ME_EXCLUDE_UNSAFE": ""}),
                "set but empty is not unset",
                decisions=[18],
            ),
        ],
    )


def switch_rows() -> Iterator[Row]:
    row = "B-SWITCH-1"
    yield Row(
        row,
        "testing switch",
        "any-except: with 65535, 65536, 2³², 0-65535, ',,', and a second colon",
        "the switch's list parsed by a laxer parser than the other lists (wrapping 2³² to 0 makes it `any`)",
        [
            case(
                row,
                "switch-65535",
                "any-except:65535 and --include=65535: no free port",
                ["P4M-CHECK-5", "P4M-SEQ-5"],
                RUNTIME,
                settings(user=A, include="65535", max_tries=3, env=busy("65535")),
                "the largest port in the switch",
                decisions=[40],
            ),
            case(
                row,
                "switch-65536",
                "any-except:65536 is a usage error",
                ["P4M-CHECK-5", "P4M-LIST-2"],
                usage(SWITCH),
                settings(user=A, env=busy("65536")),
                "above the largest port",
                decisions=[40],
            ),
            case(
                row,
                "switch-2-32",
                "any-except:4294967296 is a usage error",
                ["P4M-CHECK-5", "P4M-LIST-2"],
                usage(SWITCH),
                settings(user=A, env=busy("4294967296")),
                "a 32-bit accumulator reads 0, which names no port: the switch would act as `any`",
                decisions=[40],
            ),
            case(
                row,
                "switch-all-busy",
                "any-except:0-65535 with --max-tries=5: no free port",
                ["P4M-CHECK-5", "P4M-SEQ-5"],
                RUNTIME,
                settings(user=A, max_tries=5, env=busy("0-65535")),
                "every port busy, written with the widest range",
                decisions=[40],
            ),
            case(
                row,
                "switch-only-commas",
                "any-except:,, names no port",
                ["P4M-CHECK-5", "P4M-LIST-1"],
                ports(FIRST[:1]),
                settings(user=A, env=busy(",,")),
                "a list of separators only",
                decisions=[40],
            ),
            case(
                row,
                "switch-second-colon",
                "any-except::80 is a usage error",
                ["P4M-CHECK-5"],
                usage(SWITCH),
                settings(user=A, env=busy(":80")),
                "the list starts after the first colon",
                decisions=[40],
            ),
            case(
                row,
                "switch-trailing-newline",
                "'any' followed by a newline is a usage error",
                ["P4M-CHECK-5"],
                usage(SWITCH),
                settings(user=A, env={SWITCH: "any\n"}),
                "a value compared after trimming",
                decisions=[40],
            ),
        ],
    )


def argv_rows() -> Iterator[Row]:
    row = "B-ARGV-1"
    yield Row(
        row,
        "command line",
        "'--user==' (value '='), '--=x', '-user=x', a lone '--'",
        "splitting at the last '=' or at every '=', taking '--=' for a name, stripping any number of dashes",
        [
            case(
                row,
                "argv-value-equals",
                "--user== is user '='",
                ["P4M-CLI-1"],
                ports(model("=", 2)),
                argv("--user==", "--list=2"),
                "the value is everything after the first '=', here one '='",
                decisions=[33],
            ),
            case(
                row,
                "argv-empty-name",
                "--=x is an unknown option",
                ["P4M-CLI-1"],
                usage(None, "--="),
                argv("--user=alice", "--=x"),
                "an option with an empty name",
                decisions=[34],
            ),
            case(
                row,
                "argv-one-dash-name",
                "-user=x is an unknown option",
                ["P4M-CLI-1", "P4M-CLI-10"],
                usage(None, "-user"),
                argv("--user=alice", "-user=x"),
                "a parser that strips any number of leading dashes takes it for --user (one dash is reserved)",
                decisions=[34],
            ),
            case(
                row,
                "argv-lone-double-dash",
                "a lone '--' at the end: no positional, no tool",
                ["P4M-CLI-4"],
                ports(FIRST[:2]),
                argv("--user=alice", "--list=2", "--"),
                "ending the options with nothing after them",
            ),
        ],
    )


def mode_rows() -> Iterator[Row]:
    row = "B-MODE-1"
    yield Row(
        row,
        "mode",
        "test and list both set; test set only by the variable with --list; list set only by the variable",
        "choosing the mode by the last option seen, or by options before variables",
        [
            case(
                row,
                "mode-test-over-list",
                "--list=2 --test=80: test mode",
                ["P4M-ENV-6", "P4M-TEST-3"],
                BUSY,
                argv("--list=2", "--test=80", env=busy("80")),
                "test wins over list whatever their order",
                decisions=[40],
            ),
            case(
                row,
                "mode-test-variable-over-list-option",
                "PORT4ME_TEST=80 with --list=2: test mode",
                ["P4M-ENV-6", "P4M-TEST-1"],
                BUSY,
                argv("--user=alice", "--list=2", env={"PORT4ME_TEST": "80", **busy("80")}),
                "a variable that chooses the mode beats an option of a lesser mode",
                decisions=[28, 40],
            ),
            case(
                row,
                "mode-list-variable-no-check",
                "PORT4ME_LIST=1 with every port busy: list mode checks nothing",
                ["P4M-ENV-6", "P4M-SEQ-4"],
                ports(FIRST[:1]),
                argv("--user=alice", env={"PORT4ME_LIST": "1", **busy("1-65535")}),
                "list mode does not use the switch",
                decisions=[25],
            ),
        ],
    )


def address_rows() -> Iterator[Row]:
    yield Row(
        "B-ADDR-1",
        "check: addresses",
        "listeners on 0.0.0.0, 127.0.0.1, [::] (both IPV6_V6ONLY values) and [::1]",
        "a check that binds only one address (127.0.0.1) or one family misses a listener on the other",
        elsewhere=[
            "check-listen-any4",
            "check-listen-loopback4",
            "check-listen-any6-v6only",
            "check-listen-any6-dualstack",
            "check-listen-loopback6",
        ],
    )
    yield Row(
        "B-ADDR-2",
        "check: ports",
        "the check at port 1 (privileged) and 65535",
        "a probe port of type int16, or a privileged port taken for free",
        elsewhere=["check-test-1-held", "check-test-65535-held", "check-privileged-unprivileged"],
    )


ROWS: list[Row] = [
    *hash_rows(),
    *utf8_rows(),
    *seed_rows(),
    *lcg_rows(),
    *port_rows(),
    *range_rows(),
    *list_rows(),
    *number_rows(),
    *skip_rows(),
    *count_rows(),
    *set_rows(),
    *switch_rows(),
    *argv_rows(),
    *mode_rows(),
    *address_rows(),
]


def cases() -> Iterator[Case]:
    for row in ROWS:
        yield from row.cases


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table() -> str:
    """The text of spec/boundaries.md."""
    lines = [
        "# Boundaries of the input domains (informative)",
        "",
        "Generated by tools/vectorgen (`files/boundaries.py`) with `vectors/boundaries.yaml`; do not edit.",
        "Each row is one boundary of an input domain of `spec/port4me.md`, with the representation",
        "limit an implementation in C, JavaScript, Java or Go may hit there, and the vectors that pin it",
        "(those of `boundaries.yaml`, and for the check's addresses those of `check.yaml`).",
        "`tests/test_boundaries.py` shows that every row has a vector and every vector of",
        "`boundaries.yaml` a row.",
        "",
        "| row | domain | boundary | what an implementation may get wrong | vectors |",
        "|---|---|---|---|---|",
    ]
    for row in ROWS:
        ids = ", ".join(f"`{i}`" for i in row.ids())
        lines.append(f"| {row.id} | {_cell(row.domain)} | {_cell(row.boundary)} | {_cell(row.limit)} | {ids} |")
    return "\n".join(lines) + "\n"
