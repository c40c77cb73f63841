"""vectors/hash.yaml: the string hash and the seed string."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, Given, VectorFile, argv, settings
from ..expect import ports, usage
from ..model import model, seed_of, string_hash

FILE = VectorFile(
    "hash",
    "String hash and seed string",
    "The 32-bit string hash over Unicode code points, and the seed string built from user and tool.",
)

# (id suffix, string, why, upstream observation)
STRINGS = [
    ("ascii-alice", "alice", "a short ASCII name", None),
    ("ascii-one-char", "a", "a single character", None),
    (
        "ascii-long",
        "port4me - get the same, personal, free TCP port over and over",
        "a long string: the hash wraps around 2**32 many times",
        "hash_long_ascii",
    ),
    ("ascii-overflow-boundary", "zzzzzzz", "seven characters: the first string length that overflows 32 bits", None),
    ("ascii-digits", "123", "a numeric user name is a string", "seed_numeric_user"),
    ("ascii-space", "john smith", "spaces are ordinary characters", None),
    (
        "latin1-umlaut",
        "jöhn",
        "U+00F6 hashes as code point 246, not as the UTF-8 bytes C3 B6",
        "hash_nonascii_latin_utf8locale",
    ),
    ("cjk", "名前", "CJK code points above U+3000", "hash_cjk"),
    (
        "emoji-non-bmp",
        "😀",
        "a code point above U+FFFF hashes as one value (128512), not as two UTF-16 surrogates",
        "hash_emoji_nonbmp",
    ),
    (
        "combining-not-normalized",
        "jo\u0308hn",
        "o + U+0308 COMBINING DIAERESIS is not normalized to U+00F6: it hashes differently from 'jöhn'",
        None,
    ),
]
DECIDED = {"latin1-umlaut": [1], "cjk": [1], "emoji-non-bmp": [1], "ascii-digits": [8]}

# (id suffix, user, tool, why, upstream observation, decisions)
SEEDS = [
    ("user-only", "alice", None, "no tool: the seed is the user alone", None, ()),
    ("user-and-tool", "alice", "rstudio", "user, comma, tool", None, ()),
    (
        "user-trailing-comma",
        "alice,",
        None,
        "'alice,' + ',' drops one comma: seed 'alice,'",
        "seed_user_trailing_comma",
        [3],
    ),
    ("user-two-trailing-commas", "alice,,", None, "seed 'alice,,'", "seed_user_two_trailing_commas", [3]),
    (
        "tool-trailing-comma",
        "alice",
        "rstudio,",
        "'alice,rstudio,' drops its one trailing comma",
        "seed_tool_trailing_comma",
        [3],
    ),
    (
        "comma-collision",
        "alice,rstudio",
        None,
        "user 'alice,rstudio' has the same seed as alice + rstudio",
        "seed_comma_collision",
        [4],
    ),
    ("numeric-tool", "alice", "8888", "a numeric tool name is a string", "seed_numeric_tool", [8]),
]


def cases() -> Iterator[Case]:
    for suffix, text, why, observed in STRINGS:
        value = string_hash(text)
        count = 2 if suffix == "ascii-digits" else 3  # as upstream was observed
        yield Case(
            f"hash-{suffix}",
            f"hash of {text!r}: {why}",
            ["P4M-HASH-1", "P4M-HASH-2", "P4M-LCG-1"],
            ports(model(text, count)),
            settings(user=text, list=count),
            observed=observed,
            decisions=DECIDED.get(suffix, ()),
            unit=[
                {"function": "string_hash", "input": text, "output": value},
                {"function": "initial_state", "input": text, "output": value % 65537},
            ],
        )
    yield Case(
        "hash-latin1-c-locale",
        "the hash is over code points whatever the locale: LANG=C changes nothing",
        ["P4M-HASH-2"],
        ports(model("jöhn", 3)),
        argv("--user=jöhn", "--list=3", env={"LANG": "C", "LC_ALL": "C"}),
        observed="hash_nonascii_latin_Clocale",
        decisions=[1],
    )
    yield Case(
        "hash-invalid-utf8",
        "a user name that is not valid UTF-8 (--user=jo + raw byte 0xE9) is a usage error",
        ["P4M-HASH-3"],
        usage("--user", raw=b"jo\xe9"),
        Given(args_hex=[b"--user=jo".hex() + "e9", b"--list=3".hex()]),
        observed="hash_invalid_utf8_byte",
        decisions=[2],
    )
    yield Case(
        "hash-invalid-utf8-env",
        "PORT4ME_USER that is not valid UTF-8 is a usage error",
        ["P4M-HASH-3"],
        usage("PORT4ME_USER", raw=b"jo\xe9"),
        Given(settings={"list": 3}, env_hex={"PORT4ME_USER": b"jo".hex() + "e9"}),
        decisions=[2],
    )
    yield Case(
        "hash-invalid-utf8-tool",
        "a tool name that is not valid UTF-8 is a usage error",
        ["P4M-HASH-3"],
        usage("--tool", raw=b"r\xff"),
        Given(settings={"user": "alice", "list": 1}, args_hex=[b"--tool=r".hex() + "ff"]),
        decisions=[2],
    )
    yield from utf8_edges()
    for suffix, user, tool, why, observed, decisions in SEEDS:
        seed = seed_of(user, tool or "")
        yield Case(
            f"seed-{suffix}",
            f"seed string {seed!r}: {why}",
            ["P4M-SEED-1", "P4M-SEED-2"],
            ports(model(seed, 2)),
            settings(user=user, list=2, **({"tool": tool} if tool else {})),
            observed=observed,
            decisions=decisions,
            unit=[{"function": "seed_string", "input": [user, tool or ""], "output": seed}],
        )
    yield Case(
        "seed-value-with-equals",
        "seed string 'a=b': --user=a=b splits at the first '=': the user is 'a=b'",
        ["P4M-SEED-1", "P4M-SEED-2"],
        ports(model("a=b", 2)),
        argv("--user=a=b", "--list=2"),
        observed="seed_value_with_equals",
        decisions=[33],
        unit=[{"function": "seed_string", "input": ["a=b", ""], "output": "a=b"}],
    )


# (id suffix, bytes of the user name, why): not valid UTF-8 by RFC 3629, so usage errors
INVALID_UTF8 = [
    ("encoded-surrogate", b"a\xed\xa0\x80", "U+D800 encoded as if it were a character (ED A0 80)"),
    ("encoded-low-surrogate", b"a\xed\xbf\xbf", "U+DFFF encoded (ED BF BF), the end of the surrogate range"),
    ("overlong-slash", b"a\xc0\xaf", "'/' in an overlong two-byte form (C0 AF)"),
    ("above-max", b"a\xf4\x90\x80\x80", "a code point above U+10FFFF (F4 90 80 80)"),
    ("lone-continuation", b"a\x80", "a continuation byte with no lead byte"),
    ("truncated", b"a\xe2\x82", "a three-byte sequence cut short"),
]
# (id suffix, code point, why): valid, next to the edges above, so they hash as code points
VALID_EDGES = [
    ("before-surrogates", 0xD7FF, "U+D7FF, the last code point before the surrogate range"),
    ("after-surrogates", 0xE000, "U+E000, the first code point after the surrogate range"),
    ("bmp-end", 0xFFFF, "U+FFFF, the last code point of the BMP"),
    ("unicode-end", 0x10FFFF, "U+10FFFF, the last code point"),
]


def utf8_edges() -> Iterator[Case]:
    """Values at the edges of UTF-8 and of the surrogate range (P4M-HASH-2, P4M-HASH-3)."""
    for suffix, raw, why in INVALID_UTF8:
        yield Case(
            f"hash-invalid-utf8-{suffix}",
            f"a user name with {why} is a usage error",
            ["P4M-HASH-3"],
            usage("--user", raw=raw),
            Given(args_hex=[(b"--user=" + raw).hex(), b"--list=1".hex()]),
            decisions=[2],
        )
    yield Case(
        "hash-invalid-utf8-tool-env",
        "PORT4ME_TOOL with an encoded surrogate is a usage error",
        ["P4M-HASH-3"],
        usage("PORT4ME_TOOL", raw=b"r\xed\xa0\x80"),
        Given(settings={"user": "alice", "list": 1}, env_hex={"PORT4ME_TOOL": b"r\xed\xa0\x80".hex()}),
        decisions=[2],
    )
    for suffix, code, why in VALID_EDGES:
        text = "a" + chr(code)
        yield Case(
            f"hash-edge-{suffix}",
            f"a user name ending in {why} is an ordinary character",
            ["P4M-HASH-1", "P4M-HASH-2", "P4M-HASH-3"],
            ports(model(text, 2)),
            Given(args_hex=[("--user=" + text).encode().hex(), b"--list=2".hex()]),
            unit=[{"function": "string_hash", "input": text, "output": string_hash(text)}],
        )
