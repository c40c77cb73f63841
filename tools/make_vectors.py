#!/usr/bin/env python3
"""Author the test vectors in vectors/ from spec v1, independently of the reference code.

Each case states its inputs and what spec v1 says they mean (a seed string, a
prepend list, include and exclude sets, skip, count); the expected ports are then
computed here by a deliberately naive model of the spec (a plain walk of the LCG
over Python sets).  Nothing here imports the port4me package.

Where a case is linked to an upstream observation (spec/upstream/observed.json),
the tool records which upstream implementations produce the same result, and
refuses to write a vector that contradicts a result all upstream implementations
agree on, unless the case lists the v1 decision that overrides it.

    python3 tools/make_vectors.py          # rewrite vectors/*.yaml
    python3 tools/make_vectors.py --check  # exit 1 if the files would change
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from itertools import islice
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OBSERVED = {c["id"]: c for c in json.loads((ROOT / "spec/upstream/observed.json").read_text())["cases"]}
SPEC_VERSION = "1.0"

# --- the naive model of spec v1 ------------------------------------------------------


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


def model(seed: str, count: int = 1, prepend=(), include=None, exclude=UNSAFE, skip: int = 0) -> list[int]:
    """The first ``count`` ports of the output stream, by walking the LCG."""
    candidates = set(include or rng(1024, 65535)) - set(exclude)
    candidates.discard(0)
    assert candidates, "model: empty candidate set"
    front = list(dict.fromkeys(p for p in prepend if p))

    def stream():
        yield from front
        state = string_hash(seed) % 65537
        while True:
            state = lcg_next(state)
            if state in candidates:
                yield state

    if skip > len(front):  # the candidate stream repeats every len(candidates) items
        skip = len(front) + (skip - len(front)) % len(candidates)
    return list(islice(stream(), skip, skip + count))


# --- case authoring ---------------------------------------------------------------

FILES: dict[str, dict] = {}
CURRENT: list[str] = []


def begin(name: str, title: str, description: str) -> None:
    FILES[name] = {"spec_version": SPEC_VERSION, "file": name, "title": title, "description": description, "cases": []}
    CURRENT[:] = [name]


def ports(*values) -> dict:
    return {"ports": list(values[0]) if len(values) == 1 and isinstance(values[0], list) else list(values)}


USAGE = {"error": "usage"}
RUNTIME = {"error": "runtime"}
FREE = {"test": "free"}
BUSY = {"test": "busy"}


def case(
    case_id: str,
    description: str,
    requirements: list[str],
    expect: dict,
    *,
    settings: dict | None = None,
    args: list | None = None,
    env: dict | None = None,
    tags: list[str] | None = None,
    flags: list[str] | None = None,
    observed: str | None = None,
    decisions: list[int] | None = None,
    needs: list[str] | None = None,
    check: str = "any",
    hold: dict | None = None,
    after: str | None = None,
    unit: list[dict] | None = None,
    note: str | None = None,
    args_hex: list[str] | None = None,
    env_hex: dict | None = None,
) -> None:
    """Add one case to the current file, cross-checked against upstream if linked."""
    file = FILES[CURRENT[0]]
    if "error" in expect and "P4M-CLI-6" not in requirements:
        requirements = [*requirements, "P4M-CLI-6"]
    entry: dict = {"id": case_id, "description": description, "requirements": requirements}
    entry["tags"] = sorted({file["file"], *(tags or [])})
    if flags:
        entry["flags"] = sorted(flags)
    if decisions:
        entry["decisions"] = decisions
    if note:
        entry["note"] = note
    inputs: dict = {}
    if observed and args is None and env is None and settings is None:
        obs = OBSERVED[observed]
        args = list(obs["args"])
        env = {k: v for k, v in obs["env"].items() if v is not None}
        if any(v is None for v in obs["env"].values()):
            check = "real"
    if args:
        inputs["args"] = args
    if settings:
        inputs["settings"] = settings
    if env:
        inputs["env"] = env
    if args_hex:
        inputs["args_hex"] = args_hex
    if env_hex:
        inputs["env_hex"] = env_hex
    entry["input"] = inputs
    if check != "any":
        entry["check"] = check
    if hold:
        entry["hold"] = hold
    if after:
        entry["after"] = after
    if needs:
        entry["needs"] = sorted(needs)
    entry["expect"] = expect
    if unit:
        entry["unit"] = unit
    if observed:
        entry["upstream"] = compare_upstream(case_id, observed, expect, decisions)
    file["cases"].append(entry)


def compare_upstream(case_id: str, observed: str, expect: dict, decisions: list[int] | None) -> dict:
    """Which upstream implementations produced what this vector expects."""
    obs = OBSERVED[observed]
    agree, differ = [], []
    for impl, result in obs["observed"].items():
        (agree if same_outcome(expect, result) else differ).append(impl)
    if differ and obs["agreement"] == "all agree" and not decisions:
        raise SystemExit(f"{case_id}: contradicts {observed}, on which all upstream agree, with no decision cited")
    return {"observed": observed, "agree": agree, "differ": differ}


def same_outcome(expect: dict, result: dict) -> bool:
    if result["timed_out"]:
        return False
    if "ports" in expect:
        wanted = "".join(f"{p}\n" for p in expect["ports"])
        return result["exit"] == 0 and result["stdout"] == wanted
    if "error" in expect:
        code = 2 if expect["error"] == "usage" else 1
        return result["exit"] == code and result["stdout"] == ""
    if "test" in expect:
        return result["exit"] == (0 if expect["test"] == "free" else 1) and result["stdout"] == ""
    return result["exit"] == 0


def alice(count=1, **meaning) -> dict:
    return ports(model("alice", count, **meaning))


def lst(text: str) -> set[int]:
    """A tiny helper for authoring sets: '1-3,7' -> {1,2,3,7} (not the grammar under test)."""
    out: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        out |= rng(int(low), int(high or low))
    return out


# --- the cases --------------------------------------------------------------------


def hash_cases() -> None:
    begin(
        "hash",
        "String hash and seed string",
        "The 32-bit string hash over Unicode code points, and the seed string built from user and tool.",
    )
    strings = [
        ("ascii-alice", "alice", "a short ASCII name", None),
        ("ascii-one-char", "a", "a single character", None),
        (
            "ascii-long",
            "port4me - get the same, personal, free TCP port over and over",
            "a long string: the hash wraps around 2**32 many times",
            "hash_long_ascii",
        ),
        (
            "ascii-overflow-boundary",
            "zzzzzzz",
            "seven characters: the first string length that overflows 32 bits",
            None,
        ),
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
    decided = {"latin1-umlaut": [1], "cjk": [1], "emoji-non-bmp": [1], "ascii-digits": [8]}
    for suffix, text, why, observed in strings:
        value = string_hash(text)
        count = 2 if suffix == "ascii-digits" else 3  # as upstream was observed
        case(
            f"hash-{suffix}",
            f"hash of {text!r}: {why}",
            ["P4M-HASH-1", "P4M-HASH-2", "P4M-LCG-1"],
            ports(model(text, count)),
            settings={"user": text, "list": count},
            observed=observed,
            decisions=decided.get(suffix),
            unit=[
                {"function": "string_hash", "input": text, "output": value},
                {"function": "initial_state", "input": text, "output": value % 65537},
            ],
        )
    case(
        "hash-latin1-c-locale",
        "the hash is over code points whatever the locale: LANG=C changes nothing",
        ["P4M-HASH-2"],
        ports(model("jöhn", 3)),
        args=["--user=jöhn", "--list=3"],
        env={"LANG": "C", "LC_ALL": "C"},
        observed="hash_nonascii_latin_Clocale",
        decisions=[1],
    )
    case(
        "hash-invalid-utf8",
        "a user name that is not valid UTF-8 (--user=jo + raw byte 0xE9) is a usage error",
        ["P4M-HASH-3"],
        USAGE,
        args_hex=[b"--user=jo".hex() + "e9", b"--list=3".hex()],
        decisions=[2],
        observed="hash_invalid_utf8_byte",
        env={},
    )
    case(
        "hash-invalid-utf8-env",
        "PORT4ME_USER that is not valid UTF-8 is a usage error",
        ["P4M-HASH-3"],
        USAGE,
        settings={"list": 3},
        env_hex={"PORT4ME_USER": b"jo".hex() + "e9"},
        decisions=[2],
    )
    case(
        "hash-invalid-utf8-tool",
        "a tool name that is not valid UTF-8 is a usage error",
        ["P4M-HASH-3"],
        USAGE,
        settings={"user": "alice", "list": 1},
        args_hex=[b"--tool=r".hex() + "ff"],
        decisions=[2],
    )

    for suffix, user, tool, why, observed, decisions in [
        ("user-only", "alice", None, "no tool: the seed is the user alone", "base_alice", None),
        ("user-and-tool", "alice", "rstudio", "user, comma, tool", "base_alice_rstudio", None),
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
        (
            "value-with-equals",
            "a=b",
            None,
            "--user=a=b splits at the first '=': the user is 'a=b'",
            "seed_value_with_equals",
            [33],
        ),
    ]:
        seed = seed_of(user, tool or "")
        settings = {"user": user, "list": 2}
        if tool:
            settings["tool"] = tool
        case(
            f"seed-{suffix}",
            f"seed string {seed!r}: {why}",
            ["P4M-SEED-1", "P4M-SEED-2"],
            ports(model(seed, 2)),
            settings=settings if suffix != "value-with-equals" else None,
            args=["--user=a=b", "--list=2"] if suffix == "value-with-equals" else None,
            observed=observed if suffix not in ("user-only", "user-and-tool") else None,
            decisions=decisions,
            unit=[{"function": "seed_string", "input": [user, tool or ""], "output": seed}],
        )


def lcg_cases() -> None:
    begin("lcg", "The generator", "The LCG, its fixed point, and the draws it yields.")
    for state in (0, 1, 74, 30845, 65535, 65536):
        case(
            f"lcg-step-{state}",
            f"one LCG step from state {state}",
            ["P4M-LCG-2"],
            {"unit_only": True},
            unit=[{"function": "lcg_next", "input": state, "output": lcg_next(state)}],
            flags=["fixed-point"] if state == 65536 else None,
        )
    case(
        "lcg-fixed-point-seed",
        "hash('dfam') mod 65537 = 65536, the fixed point, which steps to 74 as 0 does",
        ["P4M-LCG-1", "P4M-LCG-2"],
        ports(model("dfam", 3)),
        settings={"user": "dfam", "list": 3},
        observed="lcg_fixed_point_seed",
        flags=["fixed-point"],
        unit=[{"function": "initial_state", "input": "dfam", "output": 65536}],
    )
    case(
        "lcg-zero-seed",
        "hash('dfan') mod 65537 = 0: the same sequence as the fixed point",
        ["P4M-LCG-1"],
        ports(model("dfan", 3)),
        settings={"user": "dfan", "list": 3},
        observed="lcg_seed_zero",
        unit=[{"function": "initial_state", "input": "dfan", "output": 0}],
    )
    full = model("alice", 64495)
    case(
        "lcg-period-default",
        "the candidate stream repeats after one cycle: skip=64495 (the size of the default set) "
        "gives alice's first ports again",
        ["P4M-LCG-3", "P4M-SEQ-2"],
        ports(full[:3]),
        settings={"user": "alice", "skip": 64495, "list": 3},
    )
    assert len(set(full)) == 64495
    case(
        "lcg-draws-zero",
        "the LCG draws 0 once per cycle; 0 is never a candidate",
        ["P4M-LCG-3", "P4M-LIST-4"],
        ports(model("alice", 4, include=lst("1-3"))),
        settings={"user": "alice", "include": "0-3", "list": 4},
        observed="spec_zero_range_include",
        decisions=[11],
    )


USERS = [
    ("alice", "alice"),
    ("bob", "bob"),
    ("carol", "carol"),
    ("dave", "dave"),
    ("eve", "eve"),
    ("mallory", "mallory"),
    ("trent", "trent"),
    ("peggy", "peggy"),
    ("victor", "victor"),
    ("walter", "walter"),
    ("root", "root"),
    ("nobody", "nobody"),
    ("admin", "admin"),
    ("guest", "guest"),
    ("henrik", "henrik"),
    ("hb", "hb"),
    ("x", "x"),
    ("ab", "ab"),
    ("user1", "user1"),
    ("user2", "user2"),
    ("u1234567", "u1234567"),
    ("first-last", "first.last"),
    ("dash-name", "dash-name"),
    ("under-score", "under_score"),
    ("mixed-case", "MixedCase"),
    ("upper", "ALICE"),
    ("email-like", "alice@example.org"),
    ("domain-user", "CORP\\alice"),
    ("long", "a-very-long-user-name-for-hpc"),
    ("digits", "0007"),
    ("umlaut", "jöhn"),
    ("accent", "josé"),
    ("cjk", "名前"),
    ("cyrillic", "иван"),
    ("greek", "αλέξης"),
    ("arabic", "محمد"),
    ("emoji", "😀"),
    ("dfam", "dfam"),
    ("dfan", "dfan"),
    ("space", "john smith"),
]
TOOLS = [None, "rstudio", "jupyter-notebook", "vscode", "shiny"]


def sequence_cases() -> None:
    begin(
        "sequence",
        "Port sequences",
        "The first ten ports of 200 (user, tool) pairs with the default settings, unchecked (--list=10).",
    )
    documented = {
        ("alice", None): "alice: 30845 19654 32310 63992 15273",
        ("bob", None): "bob: 54242",
        ("alice", "rstudio"): "alice + rstudio: 22486",
        ("alice", "jupyter-notebook"): "alice + jupyter-notebook: 29525",
    }
    for alias, user in USERS:
        for tool in TOOLS:
            seed = seed_of(user, tool or "")
            settings = {"user": user, "list": 10}
            if tool:
                settings["tool"] = tool
            doc = documented.get((user, tool))
            observed = {("alice", None): "base_alice_list10"}.get((user, tool))
            case(
                f"seq-{alias}" + (f"-{tool}" if tool else ""),
                f"first ten ports of seed {seed!r}",
                ["P4M-SEQ-1", "P4M-SEQ-4", "P4M-SET-1"],
                ports(model(seed, 10)),
                settings=settings,
                flags=["documented-example"] if doc else None,
                note=f"documented example ({doc})" if doc else None,
                observed=observed,
            )


def set_cases() -> None:
    begin(
        "sets",
        "Candidate sets, prepend, skip and list",
        "How include, exclude, site, unsafe and prepend settings build the stream, and how skip and list cut it.",
    )
    A = "alice"
    case(
        "set-include-documented",
        "documented example: --include=2000-2123,4321,10000-10999",
        ["P4M-SET-1", "P4M-SET-2"],
        alice(include=lst("2000-2123,4321,10000-10999")),
        observed="base_include_ranges",
        flags=["documented-example"],
    )
    case(
        "set-include-low-ports",
        "documented example: --include=1-1023 gives 470 (unsafe ports still excluded)",
        ["P4M-SET-1", "P4M-SET-3"],
        alice(include=lst("1-1023")),
        settings={"user": A, "include": "1-1023"},
        observed=None,
        flags=["documented-example"],
    )
    case(
        "set-include-list",
        "an include list orders its ports by alice's sequence",
        ["P4M-SET-1"],
        alice(5, include=lst("2000-2123")),
        settings={"user": A, "include": "2000-2123", "list": 5},
    )
    case(
        "set-include-site-union",
        "--include and PORT4ME_INCLUDE_SITE are united",
        ["P4M-SET-2", "P4M-ENV-1"],
        alice(3, include=lst("2000-2123,10000-10999")),
        observed="cli_include_vs_site",
        decisions=[19],
    )
    case(
        "set-include-env-and-site",
        "PORT4ME_INCLUDE and PORT4ME_INCLUDE_SITE are united",
        ["P4M-SET-2"],
        alice(3, include=lst("2000-2123,10000-10999")),
        settings={"user": A, "list": 3},
        env={"PORT4ME_INCLUDE": "2000-2123", "PORT4ME_INCLUDE_SITE": "10000-10999"},
    )
    case(
        "set-include-option-replaces-env",
        "--include replaces PORT4ME_INCLUDE",
        ["P4M-ENV-1", "P4M-SET-2"],
        alice(3, include=lst("2000-2123")),
        args=["--user=alice", "--include=2000-2123", "--list=3"],
        env={"PORT4ME_INCLUDE": "10000-10999"},
    )
    case(
        "set-include-empty-means-default",
        "an include list with no ports (only separators) means the default range",
        ["P4M-SET-1", "P4M-LIST-1"],
        alice(),
        args=["--user=alice", "--include=,"],
        observed="spec_only_comma_include",
    )
    case(
        "set-include-zero-means-default",
        "--include=0 is an empty list (port 0 is dropped), so the default range",
        ["P4M-SET-1", "P4M-LIST-4"],
        alice(),
        settings={"user": A, "include": "0"},
        decisions=[11],
    )
    case(
        "set-include-zero-dropped",
        "port 0 in an include list is dropped",
        ["P4M-LIST-4"],
        alice(4, include=lst("5000-5002")),
        observed="spec_zero_in_include",
        decisions=[11],
    )
    case(
        "set-exclude",
        "--exclude drops ports from the candidates",
        ["P4M-SET-3"],
        alice(exclude=UNSAFE | {30845}),
        settings={"user": A, "exclude": "30845"},
    )
    case(
        "set-exclude-option-replaces-env",
        "--exclude replaces PORT4ME_EXCLUDE",
        ["P4M-ENV-1", "P4M-SET-3"],
        alice(exclude=UNSAFE | {32310}),
        observed="cli_exclude_vs_env_exclude",
    )
    case(
        "set-exclude-option-keeps-site",
        "--exclude replaces PORT4ME_EXCLUDE, but PORT4ME_EXCLUDE_SITE still applies",
        ["P4M-SET-3", "P4M-ENV-1"],
        alice(exclude=UNSAFE | {30845, 32310}),
        observed="cli_exclude_vs_site",
        decisions=[19],
    )
    case(
        "set-exclude-option-keeps-unsafe",
        "--exclude does not drop the unsafe ports",
        ["P4M-SET-3", "P4M-SET-5"],
        alice(3, include=lst("6665-6669,7000"), exclude=UNSAFE | {1}),
        observed="cli_exclude_vs_unsafe",
        decisions=[19],
    )
    case(
        "set-exclude-site-readme-example",
        "the README's site file writes a leading comma: it is harmless",
        ["P4M-SET-3", "P4M-LIST-1"],
        alice(2, exclude=UNSAFE | {3306, 5670, 6379, 8888}),
        observed="readme_site_exclude_example",
    )
    case(
        "set-exclude-range",
        "exclude a range",
        ["P4M-SET-3"],
        alice(3, exclude=UNSAFE | lst("10000-39999")),
        settings={"user": A, "exclude": "10000-39999", "list": 3},
    )
    case(
        "set-unsafe-default",
        "by default {chrome} and {firefox} ports are excluded",
        ["P4M-SET-5", "P4M-UNSAFE-1"],
        alice(3, include=lst("6665-6669,7000")),
        observed="unsafe_default",
    )
    case(
        "set-unsafe-empty",
        "PORT4ME_EXCLUDE_UNSAFE set but empty excludes no unsafe port",
        ["P4M-SET-5", "P4M-ENV-2"],
        alice(3, include=lst("6665-6669,7000"), exclude=set()),
        observed="unsafe_env_empty",
        decisions=[18],
    )
    case(
        "set-unsafe-zero",
        "PORT4ME_EXCLUDE_UNSAFE=0 excludes no unsafe port",
        ["P4M-SET-5", "P4M-LIST-4"],
        alice(3, include=lst("6665-6669,7000"), exclude=set()),
        observed="unsafe_env_zero",
    )
    case(
        "set-unsafe-custom",
        "PORT4ME_EXCLUDE_UNSAFE replaces the default unsafe list",
        ["P4M-SET-5"],
        alice(3, include=lst("6665-6669,7000"), exclude={6668}),
        settings={"user": A, "include": "6665-6669,7000", "list": 3},
        env={"PORT4ME_EXCLUDE_UNSAFE": "6668"},
    )
    case(
        "set-unsafe-chrome-override",
        "PORT4ME_EXCLUDE_UNSAFE_CHROME says what {chrome} stands for",
        ["P4M-UNSAFE-1"],
        alice(3, include=lst("6665-6669,7000"), exclude=set(FIREFOX) | {7000}),
        observed="unsafe_chrome_list_override",
    )
    case(
        "set-unsafe-firefox-override",
        "PORT4ME_EXCLUDE_UNSAFE_FIREFOX says what {firefox} stands for",
        ["P4M-UNSAFE-1"],
        alice(3, include=lst("6000,6665-6669,7000"), exclude=lst("6665-6669")),
        settings={"user": A, "include": "6000,6665-6669,7000", "list": 3},
        env={"PORT4ME_EXCLUDE_UNSAFE_FIREFOX": "6665", "PORT4ME_EXCLUDE_UNSAFE_CHROME": "6666-6669"},
    )
    case(
        "set-unsafe-chrome-empty",
        "PORT4ME_EXCLUDE_UNSAFE_CHROME set but empty: {chrome} stands for no port",
        ["P4M-UNSAFE-1", "P4M-ENV-2"],
        alice(3, include=lst("6665-6669,7000"), exclude=set(FIREFOX)),
        settings={"user": A, "include": "6665-6669,7000", "list": 3},
        env={"PORT4ME_EXCLUDE_UNSAFE_CHROME": ""},
    )
    case(
        "set-unsafe-token-in-token-value",
        "a token inside PORT4ME_EXCLUDE_UNSAFE_CHROME is a usage error",
        ["P4M-UNSAFE-2"],
        USAGE,
        settings={"user": A},
        env={"PORT4ME_EXCLUDE_UNSAFE_CHROME": "{firefox}"},
        decisions=[16],
    )
    case(
        "set-unsafe-bad-chrome-value",
        "a malformed PORT4ME_EXCLUDE_UNSAFE_CHROME is a usage error",
        ["P4M-UNSAFE-2", "P4M-LIST-2"],
        USAGE,
        settings={"user": A},
        env={"PORT4ME_EXCLUDE_UNSAFE_CHROME": "abc"},
        decisions=[15],
    )
    case(
        "set-unsafe-pinned-chrome",
        "the pinned Chrome list: {chrome} in a prepend list, in order",
        ["P4M-UNSAFE-1", "P4M-SET-4"],
        ports(CHROME[:4]),
        observed="spec_chrome_token_prepend",
    )
    case(
        "set-unsafe-pinned-chrome-all",
        "every port of the pinned 2022-10-24 Chrome list, in its order",
        ["P4M-UNSAFE-1"],
        ports(CHROME),
        settings={"user": A, "prepend": "{chrome}", "list": len(CHROME)},
    )
    case(
        "set-unsafe-pinned-firefox-all",
        "every port of the pinned 2022-10-24 Firefox list, in its order",
        ["P4M-UNSAFE-1"],
        ports(FIREFOX),
        settings={"user": A, "prepend": "{firefox}", "list": len(FIREFOX)},
    )
    case(
        "set-unsafe-tokens-in-include",
        "tokens work in an include list too",
        ["P4M-LIST-5", "P4M-SET-5"],
        alice(3, include=set(CHROME), exclude=set()),
        settings={"user": A, "include": "{chrome}", "list": 3},
        env={"PORT4ME_EXCLUDE_UNSAFE": ""},
    )
    case(
        "set-empty-candidates",
        "include minus exclude is empty: a usage error, not a hang or an excluded port",
        ["P4M-SET-6"],
        USAGE,
        observed="empty_candidate_set",
        decisions=[17],
    )
    case(
        "set-empty-candidates-chrome",
        "--include={chrome}: every port is also unsafe, so the set is empty",
        ["P4M-SET-6"],
        USAGE,
        observed="empty_candidate_set_chrome",
        decisions=[17],
    )
    case(
        "set-empty-candidates-with-prepend",
        "an empty candidate set is an error even when prepended ports would do",
        ["P4M-SET-6"],
        USAGE,
        settings={"user": A, "prepend": "4000", "include": "5000", "exclude": "5000", "list": 1},
        decisions=[17],
    )
    case(
        "set-empty-candidates-site",
        "the site exclusion can empty the set too",
        ["P4M-SET-6", "P4M-SET-3"],
        USAGE,
        settings={"user": A, "include": "5000-5001"},
        env={"PORT4ME_EXCLUDE_SITE": "5000-5001"},
        decisions=[17],
    )
    case(
        "set-single-candidate-repeats",
        "a one-port set repeats that port",
        ["P4M-SEQ-6"],
        ports([5000] * 3),
        settings={"user": A, "include": "5000", "list": 3},
    )
    # prepend
    case(
        "prepend-order",
        "prepended ports come first, in the order written",
        ["P4M-SET-4"],
        ports(model(A, 4, prepend=[5000, 4000, 4500])),
        observed="prepend_order_preserved",
    )
    case(
        "prepend-then-site",
        "PORT4ME_PREPEND, then PORT4ME_PREPEND_SITE",
        ["P4M-SET-4"],
        ports(model(A, 3, prepend=[1111, 2222])),
        observed="env_prepend_plus_site",
    )
    case(
        "prepend-option-keeps-site",
        "--prepend replaces PORT4ME_PREPEND, but PORT4ME_PREPEND_SITE still follows",
        ["P4M-SET-4", "P4M-ENV-1"],
        ports(model(A, 3, prepend=[1111, 2222])),
        observed="cli_prepend_vs_site",
        decisions=[19],
    )
    case(
        "prepend-option-replaces-env",
        "--prepend replaces PORT4ME_PREPEND",
        ["P4M-SET-4", "P4M-ENV-1"],
        ports(model(A, 2, prepend=[1111])),
        args=["--user=alice", "--prepend=1111", "--list=2"],
        env={"PORT4ME_PREPEND": "3333"},
    )
    case(
        "prepend-dup-adjacent",
        "duplicate prepended ports: the first is kept",
        ["P4M-SET-4"],
        ports(model(A, 3, prepend=[4321])),
        observed="prepend_dup_adjacent_cli",
        decisions=[20],
    )
    case(
        "prepend-dup-nonadjacent",
        "a later duplicate is dropped",
        ["P4M-SET-4"],
        ports(model(A, 4, prepend=[4321, 11001])),
        observed="prepend_dup_nonadjacent_cli",
        decisions=[20],
    )
    case(
        "prepend-dup-nonadjacent-env",
        "a later duplicate is dropped (from PORT4ME_PREPEND)",
        ["P4M-SET-4"],
        ports(model(A, 4, prepend=[4321, 11001])),
        observed="prepend_dup_nonadjacent_env",
        decisions=[20],
    )
    case(
        "prepend-dup-overlapping-ranges",
        "overlapping ranges: each port once, first place kept",
        ["P4M-SET-4"],
        ports(model(A, 5, prepend=[4000, 4001, 4002])),
        observed="prepend_overlapping_ranges",
        decisions=[20],
    )
    case(
        "prepend-dup-across-site",
        "a site port already prepended is not repeated",
        ["P4M-SET-4"],
        ports(model(A, 3, prepend=[4321])),
        observed="prepend_dup_across_site",
    )
    case(
        "prepend-bypasses-exclude",
        "a prepended port is used even if excluded",
        ["P4M-SET-4"],
        ports([30845]),
        observed="prepend_not_filtered_by_exclude",
    )
    case(
        "prepend-bypasses-include",
        "a prepended port is used even if not included",
        ["P4M-SET-4"],
        ports([2000]),
        observed="prepend_not_filtered_by_include",
    )
    case(
        "prepend-bypasses-unsafe",
        "a prepended port is used even if unsafe",
        ["P4M-SET-4"],
        ports([6000]),
        observed="prepend_unsafe_port",
    )
    case(
        "prepend-not-removed-from-candidates",
        "a prepended port may come again from the candidates",
        ["P4M-SET-4", "P4M-SEQ-1"],
        ports(model(A, 2, prepend=[30845])),
        settings={"user": A, "prepend": "30845", "list": 2},
    )
    case(
        "prepend-zero-dropped",
        "port 0 in a prepended range is dropped",
        ["P4M-LIST-4", "P4M-SET-4"],
        ports(model(A, 4, prepend=[1, 2])),
        observed="spec_zero_range_prepend",
        decisions=[11],
    )
    case(
        "prepend-descending",
        "a reversed range in a prepend list is a usage error",
        ["P4M-LIST-3"],
        USAGE,
        observed="spec_descending_prepend",
        decisions=[10],
    )
    # skip
    case(
        "skip-counts-prepend",
        "skip counts prepended ports",
        ["P4M-SEQ-2"],
        ports(model(A, 2, prepend=[1111, 2222], skip=1)),
        observed="skip_counts_prepend",
    )
    case(
        "skip-past-prepend",
        "skip beyond the prepended ports continues into the candidates",
        ["P4M-SEQ-2"],
        ports(model(A, 2, prepend=[1111, 2222], skip=3)),
        settings={"user": A, "prepend": "1111,2222", "skip": 3, "list": 2},
    )
    case(
        "skip-after-exclude",
        "skip applies after exclusion",
        ["P4M-SEQ-2"],
        alice(exclude=UNSAFE | {19654}, skip=1),
        observed="skip_after_exclude",
    )
    case("skip-zero", "skip=0 is the default", ["P4M-SEQ-2"], alice(2), settings={"user": A, "skip": 0, "list": 2})
    case(
        "skip-65535",
        "skip=65535 answers at once",
        ["P4M-SEQ-2", "P4M-SEQ-3"],
        alice(skip=65535),
        observed="skip_ge_65535",
        decisions=[23],
    )
    case(
        "skip-huge",
        "skip has no upper bound: 10**30",
        ["P4M-SEQ-3"],
        alice(2, skip=10**30),
        settings={"user": A, "skip": str(10**30), "list": 2},
        decisions=[23],
    )
    case(
        "skip-huge-small-set",
        "a huge skip over a three-port set",
        ["P4M-SEQ-3"],
        alice(3, include=lst("5000-5002"), skip=10**20 + 1),
        settings={"user": A, "include": "5000-5002", "skip": str(10**20 + 1), "list": 3},
        decisions=[23],
    )
    case(
        "skip-small-set",
        "skip within a small include set, wrapping around",
        ["P4M-SEQ-2", "P4M-SEQ-6"],
        alice(4, include=lst("5000-5100"), skip=99),
        settings={"user": A, "include": "5000-5100", "skip": 99, "list": 4},
    )
    case(
        "list-small-set-repeats",
        "a list longer than the candidate set repeats it",
        ["P4M-SEQ-6", "P4M-SEQ-4"],
        alice(7, include=lst("5000-5002")),
        settings={"user": A, "include": "5000-5002", "list": 7},
    )
    case(
        "list-max", "--list=65536 is allowed", ["P4M-ENV-5"], {"port_count": 65536}, settings={"user": A, "list": 65536}
    )
    case(
        "list-large-set-order",
        "100 ports of a 101-port set",
        ["P4M-SEQ-4"],
        alice(100, include=lst("5000-5100")),
        settings={"user": A, "include": "5000-5100", "list": 100},
    )


def grammar_cases() -> None:
    begin("grammar", "Port-list grammar", "Valid and invalid port lists (P4M-LIST-*), given as --exclude unless noted.")
    A = "alice"
    both = alice(exclude=UNSAFE | {30845, 32310})
    valid = [
        ("single-space", "30845 32310", "spec_single_space", None),
        ("double-space", "30845  32310", "spec_double_space", [13]),
        ("comma-space", "30845, 32310", "spec_comma_space", [13]),
        ("tab", "30845\t32310", "spec_tab", [13]),
        ("leading-comma", ",30845", "spec_leading_comma", [13]),
        ("trailing-comma", "30845,", "spec_trailing_comma", None),
        ("double-comma", "30845,,32310", "spec_double_comma", [13]),
        ("carriage-return", "30845\r\n32310", None, [13]),
        ("vertical-tab-form-feed", "30845\v\f32310", None, [13]),
        ("surrounding-space", "  30845 ,\t32310  ", None, [13]),
    ]
    for suffix, text, observed, decisions in valid:
        expect = alice(exclude=UNSAFE | {30845}) if text.strip(", ") == "30845" else both
        if observed:
            case(
                f"list-valid-{suffix}",
                f"separators: {text!r}",
                ["P4M-LIST-1"],
                expect,
                observed=observed,
                decisions=decisions,
            )
        else:
            case(
                f"list-valid-{suffix}",
                f"separators: {text!r}",
                ["P4M-LIST-1"],
                expect,
                settings={"user": A, "exclude": text},
                decisions=decisions,
            )
    case(
        "list-valid-newline-env",
        "a newline separates, in a variable",
        ["P4M-LIST-1"],
        both,
        observed="spec_newline_env",
    )
    case(
        "list-valid-leading-zero",
        "leading zeros are decimal, not octal",
        ["P4M-LIST-2"],
        alice(exclude=UNSAFE | {30845}),
        observed="spec_leading_zero_exclude",
        decisions=[14],
    )
    case(
        "list-valid-leading-zero-8",
        "08080 is port 8080",
        ["P4M-LIST-2"],
        ports(model(A, 2, prepend=[8080])),
        observed="spec_leading_zero_prepend",
        decisions=[14],
    )
    case(
        "list-valid-many-zeros",
        "000000000030845 is port 30845",
        ["P4M-LIST-2"],
        alice(exclude=UNSAFE | {30845}),
        settings={"user": A, "exclude": "000000000030845"},
    )
    case(
        "list-valid-range",
        "a range includes both ends",
        ["P4M-LIST-3"],
        alice(3, include=lst("5000-5002")),
        settings={"user": A, "include": "5000-5002", "list": 3},
    )
    case(
        "list-valid-one-port-range",
        "5000-5000 is one port",
        ["P4M-LIST-3"],
        ports([5000]),
        settings={"user": A, "include": "5000-5000"},
    )
    case(
        "list-valid-65535",
        "65535 is the highest port",
        ["P4M-LIST-2"],
        ports([65535]),
        settings={"user": A, "include": "65535"},
    )
    case(
        "list-valid-tokens-mixed",
        "tokens mix with ports and ranges",
        ["P4M-LIST-5"],
        ports(model(A, 3, prepend=[8080, *FIREFOX])),
        settings={"user": A, "prepend": "8080,{firefox}", "list": 3},
    )
    case(
        "list-valid-exclude-above-65535",
        "an exclude value above 65535 is an error, not ignored",
        ["P4M-LIST-2"],
        USAGE,
        observed="spec_exclude_above_65535",
        decisions=[12],
    )
    invalid = [
        ("plus-sign", "+30845", "spec_plus_sign", [15]),
        ("underscore", "30_845", "spec_underscore_digits", [15]),
        ("open-range", "5000-", "spec_open_range", [15]),
        ("negative", "-5", "spec_negative", [15]),
        ("garbage", "foo", "spec_garbage_cli", [26]),
        ("unknown-token", "{safari}", "spec_unknown_token", [16]),
        ("huge-number", "99999999999999999999", "spec_exclude_huge_number", [12]),
        ("above-65535", "65536", None, [12]),
        ("two-dashes", "1-2-3", None, [15]),
        ("descending", "10-5", None, [10]),
        ("spaced-range", "5000 - 5010", None, [15]),
        ("fullwidth-digits", "３０８４５", None, [15]),
        ("arabic-indic-digits", "٣٠٨٤٥", None, [15]),
        ("no-break-space", "30845\u00a032310", None, [13]),
        ("token-uppercase", "{CHROME}", None, [16]),
        ("token-unbraced", "chrome", None, [16]),
        ("semicolon", "30845;32310", None, [13]),
        ("hex", "0x7000", None, [15]),
        ("decimal-point", "3084.5", None, [15]),
    ]
    for suffix, text, observed, decisions in invalid:
        if observed:
            case(
                f"list-invalid-{suffix}",
                f"invalid port list {text!r}",
                ["P4M-LIST-2", "P4M-LIST-6"],
                USAGE,
                observed=observed,
                decisions=decisions,
            )
        else:
            case(
                f"list-invalid-{suffix}",
                f"invalid port list {text!r}",
                ["P4M-LIST-2", "P4M-LIST-6"],
                USAGE,
                settings={"user": A, "exclude": text},
                decisions=decisions,
            )
    case(
        "list-invalid-env",
        "a malformed PORT4ME_EXCLUDE is a usage error",
        ["P4M-LIST-6"],
        USAGE,
        observed="spec_garbage_env",
        decisions=[26],
    )
    case(
        "list-invalid-include-straddles",
        "a range reaching above 65535 is a usage error",
        ["P4M-LIST-2"],
        USAGE,
        observed="spec_include_straddles_65535",
        decisions=[12],
    )
    case(
        "list-invalid-include-above-only",
        "--include=70000 is a usage error, not a hang",
        ["P4M-LIST-2"],
        USAGE,
        observed="spec_include_above_65535_only",
        decisions=[12],
    )
    case(
        "list-invalid-prepend-above",
        "--prepend=70000 is a usage error",
        ["P4M-LIST-2"],
        USAGE,
        observed="spec_prepend_above_65535_list",
        decisions=[12],
    )
    case(
        "list-invalid-descending-include",
        "a reversed include range is a usage error",
        ["P4M-LIST-3"],
        USAGE,
        observed="spec_descending_include",
        decisions=[10],
    )
    case(
        "list-invalid-site",
        "a malformed PORT4ME_INCLUDE_SITE is a usage error",
        ["P4M-LIST-6"],
        USAGE,
        settings={"user": A},
        env={"PORT4ME_INCLUDE_SITE": "1-2-3"},
        decisions=[15],
    )
    case(
        "list-invalid-unsafe",
        "a malformed PORT4ME_EXCLUDE_UNSAFE is a usage error",
        ["P4M-LIST-6"],
        USAGE,
        settings={"user": A},
        env={"PORT4ME_EXCLUDE_UNSAFE": "{chrome},x"},
        decisions=[15],
    )


def settings_cases() -> None:
    begin(
        "settings",
        "Settings and their sources",
        "User and tool, numbers, empty values, and which source wins (P4M-ENV-*).",
    )
    A = "alice"
    case(
        "user-empty-option-falls-back",
        "--user= is unset: PORT4ME_USER applies",
        ["P4M-ENV-2", "P4M-ENV-3"],
        alice(2),
        observed="seed_cli_empty_user",
        decisions=[5],
    )
    case(
        "user-empty-variable-falls-back",
        "PORT4ME_USER='' is unset: USER applies",
        ["P4M-ENV-2", "P4M-ENV-3"],
        alice(2),
        observed="seed_env_empty_user",
        decisions=[5],
    )
    case(
        "user-empty-variable-with-tool",
        "PORT4ME_USER='' with PORT4ME_TOOL",
        ["P4M-ENV-2", "P4M-ENV-3"],
        ports(model("alice,rstudio", 2)),
        observed="seed_env_empty_user_with_tool",
        decisions=[5],
    )
    case(
        "user-from-user-before-logname",
        "with no --user or PORT4ME_USER, USER comes before LOGNAME",
        ["P4M-ENV-3"],
        alice(2),
        observed="seed_default_user_source",
        decisions=[6],
    )
    case(
        "user-from-logname",
        "LOGNAME when USER is unset",
        ["P4M-ENV-3"],
        alice(2),
        settings={"list": 2},
        env={"LOGNAME": "alice", "USERNAME": "bob"},
    )
    case(
        "user-from-username",
        "USERNAME when USER and LOGNAME are unset",
        ["P4M-ENV-3"],
        alice(2),
        settings={"list": 2},
        env={"USERNAME": "alice"},
    )
    case(
        "user-variable-before-user",
        "PORT4ME_USER comes before USER",
        ["P4M-ENV-3"],
        alice(2),
        args=["--list=2"],
        env={"PORT4ME_USER": "alice", "USER": "bob"},
    )
    case(
        "user-option-before-variable",
        "--user comes before PORT4ME_USER",
        ["P4M-ENV-1", "P4M-ENV-3"],
        alice(2),
        args=["--user=alice", "--list=2"],
        env={"PORT4ME_USER": "bob"},
    )
    case(
        "user-empty-user-variable-skipped",
        "an empty USER is skipped",
        ["P4M-ENV-2", "P4M-ENV-3"],
        alice(2),
        settings={"list": 2},
        env={"USER": "", "LOGNAME": "alice"},
    )
    case(
        "tool-empty-option-falls-back",
        "--tool= is unset: PORT4ME_TOOL applies",
        ["P4M-ENV-2", "P4M-ENV-4"],
        ports(model("alice,rstudio", 2)),
        observed="seed_cli_empty_tool",
        decisions=[7],
    )
    case(
        "tool-empty-variable",
        "PORT4ME_TOOL='' means no tool",
        ["P4M-ENV-2", "P4M-ENV-4"],
        alice(2),
        observed="seed_env_empty_tool",
    )
    case(
        "tool-variable",
        "PORT4ME_TOOL names the tool",
        ["P4M-ENV-4"],
        ports(model("alice,rstudio", 1)),
        args=["--user=alice"],
        env={"PORT4ME_TOOL": "rstudio"},
    )
    case(
        "tool-option-before-variable",
        "--tool comes before PORT4ME_TOOL",
        ["P4M-ENV-4", "P4M-ENV-1"],
        ports(model("alice,rstudio", 1)),
        args=["--user=alice", "--tool=rstudio"],
        env={"PORT4ME_TOOL": "shiny"},
    )
    case(
        "tool-positional-before-variable",
        "the positional tool comes before PORT4ME_TOOL",
        ["P4M-ENV-4"],
        ports(model("alice,rstudio", 1)),
        args=["--user=alice", "rstudio"],
        env={"PORT4ME_TOOL": "shiny"},
    )
    case(
        "tool-empty-positional",
        "an empty positional argument means no tool",
        ["P4M-ENV-2", "P4M-ENV-4"],
        alice(),
        args=["--user=alice", ""],
    )
    # numbers
    numbers = [
        ("list-leading-zero", {"list": "010"}, alice(10), "num_list_leading_zero", [14]),
        ("skip-leading-zero", {"skip": "010"}, alice(skip=10), "num_skip_leading_zero", [14]),
        ("skip-08", {"skip": "08"}, alice(skip=8), "num_skip_08", [14]),
        ("list-zero", {"list": "0"}, USAGE, "num_list_zero", [26]),
        ("list-negative", {"list": "-1"}, USAGE, "num_list_negative", [26]),
        ("list-word", {"list": "foo"}, USAGE, "num_list_foo", [26]),
        ("list-above-max", {"list": "65537"}, USAGE, None, None),
        ("list-plus", {"list": "+3"}, USAGE, None, None),
        ("list-space", {"list": " 3"}, USAGE, None, None),
        ("list-trailing-space", {"list": "3 "}, USAGE, None, None),
        ("list-decimal-point", {"list": "3.0"}, USAGE, None, None),
        ("list-arabic-indic", {"list": "٣"}, USAGE, None, None),
        ("list-huge", {"list": "99999999999999999999999"}, USAGE, None, None),
        ("skip-negative", {"skip": "-1"}, USAGE, "num_skip_negative", [26]),
        ("skip-word", {"skip": "one"}, USAGE, None, None),
        ("skip-fullwidth", {"skip": "１"}, USAGE, None, None),
        ("max-tries-zero", {"max_tries": "0"}, USAGE, None, None),
        ("max-tries-above-max", {"max_tries": "65536"}, USAGE, None, None),
        ("max-tries-word", {"max_tries": "many"}, USAGE, None, None),
    ]
    for suffix, values, expect, observed, decisions in numbers:
        if observed:
            case(f"number-{suffix}", f"number {values}", ["P4M-ENV-5"], expect, observed=observed, decisions=decisions)
        else:
            case(
                f"number-{suffix}",
                f"number {values}",
                ["P4M-ENV-5"],
                expect,
                settings={"user": A, **values},
                decisions=[26],
            )
    case(
        "number-list-zero-python-optimize",
        "--list=0 is an error whatever the implementation's run-time flags",
        ["P4M-ENV-5"],
        USAGE,
        observed="num_list_zero_python_O",
        decisions=[26],
    )
    case(
        "variable-list-empty",
        "PORT4ME_LIST='' is unset",
        ["P4M-ENV-2"],
        alice(),
        observed="env_list_empty",
        decisions=[27],
    )
    case(
        "variable-skip-empty",
        "PORT4ME_SKIP='' is unset",
        ["P4M-ENV-2"],
        alice(),
        observed="env_skip_empty",
        decisions=[27],
    )
    case(
        "variable-skip-word",
        "PORT4ME_SKIP=foo is a usage error",
        ["P4M-ENV-5"],
        USAGE,
        observed="env_skip_foo",
        decisions=[26],
    )
    case(
        "variable-list-zero",
        "PORT4ME_LIST=0 is a usage error",
        ["P4M-ENV-5"],
        USAGE,
        observed="env_list_zero",
        decisions=[26],
    )
    case(
        "variable-list",
        "PORT4ME_LIST lists ports",
        ["P4M-SEQ-4"],
        alice(3),
        args=["--user=alice"],
        env={"PORT4ME_LIST": "3"},
    )
    case(
        "variable-list-option-wins",
        "--list replaces PORT4ME_LIST",
        ["P4M-ENV-1"],
        alice(2),
        args=["--user=alice", "--list=2"],
        env={"PORT4ME_LIST": "5"},
    )
    case(
        "variable-skip",
        "PORT4ME_SKIP skips",
        ["P4M-SEQ-2"],
        alice(skip=2),
        args=["--user=alice"],
        env={"PORT4ME_SKIP": "2"},
    )
    case(
        "variable-unknown-ignored",
        "unknown PORT4ME_* variables are ignored",
        ["P4M-ENV-6"],
        alice(),
        settings={"user": A},
        env={"PORT4ME_FOO": "bar", "PORT4ME_DEBUG": "true", "PORT4ME_PORT_COMMAND": "ss"},
    )
    case(
        "variable-unused-not-read",
        "a variable an option replaces is not read, even if malformed",
        ["P4M-ENV-6"],
        alice(),
        args=["--user=alice", "--exclude=0"],
        env={"PORT4ME_EXCLUDE": "not a list"},
    )
    case(
        "variable-unused-check-switch",
        "list mode never checks ports, so it does not read the testing switch",
        ["P4M-ENV-6", "P4M-SEQ-4"],
        alice(2),
        settings={"user": A, "list": 2},
        env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "all"},
    )
    case(
        "variable-bad-check-switch",
        "an unknown value of the testing switch is a usage error",
        ["P4M-CHECK-5"],
        USAGE,
        settings={"user": A},
        env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "all"},
        decisions=[38],
    )


def cli_cases() -> None:
    begin("cli", "The command line", "Option syntax, positional arguments, stdout, exit codes (P4M-CLI-*).")
    case(
        "cli-unknown-option",
        "an unknown --key=value is a usage error",
        ["P4M-CLI-1"],
        USAGE,
        observed="cli_unknown_kv",
        decisions=[34],
    )
    case(
        "cli-unknown-flag",
        "an unknown --flag is a usage error, not a tool name",
        ["P4M-CLI-1"],
        USAGE,
        observed="cli_unknown_flag",
        decisions=[34],
    )
    case(
        "cli-abbreviated-option",
        "--li=3 is not --list=3",
        ["P4M-CLI-1"],
        USAGE,
        observed="cli_abbreviated_option",
        decisions=[35],
    )
    case(
        "cli-debug-not-an-option",
        "--debug is not a v1 option",
        ["P4M-CLI-1", "P4M-CLI-5"],
        USAGE,
        observed="cli_debug_flag",
        decisions=[37],
    )
    case(
        "cli-args-not-an-option",
        "--args is not a v1 option",
        ["P4M-CLI-1"],
        USAGE,
        observed="cli_double_dash_args",
        decisions=[34],
    )
    case(
        "cli-short-option",
        "an unknown short option is a usage error",
        ["P4M-CLI-1"],
        USAGE,
        args=["--user=alice", "-x"],
    )
    case(
        "cli-option-without-value",
        "--list without =VALUE is a usage error",
        ["P4M-CLI-1"],
        USAGE,
        args=["--user=alice", "--list"],
    )
    case("cli-uppercase-option", "option names are case-sensitive", ["P4M-CLI-1"], USAGE, args=["--USER=alice"])
    case(
        "cli-two-positionals",
        "two positional arguments are a usage error",
        ["P4M-CLI-4"],
        USAGE,
        observed="cli_two_positionals",
        decisions=[36],
    )
    case(
        "cli-positional-then-tool",
        "a positional tool and --tool together are a usage error",
        ["P4M-CLI-4"],
        USAGE,
        observed="cli_positional_then_tool",
        decisions=[36],
    )
    case(
        "cli-tool-then-positional",
        "--tool and a positional tool together are a usage error",
        ["P4M-CLI-4"],
        USAGE,
        observed="cli_tool_then_positional",
        decisions=[36],
    )
    case(
        "cli-positional-tool",
        "one positional argument is the tool",
        ["P4M-CLI-4", "P4M-ENV-4"],
        ports(model("alice,jupyter-notebook", 1)),
        observed="base_positional_tool",
        flags=["documented-example"],
    )
    case(
        "cli-double-dash",
        "after --, an argument that starts with '-' is the tool",
        ["P4M-CLI-4"],
        ports(model("alice,-x", 1)),
        args=["--user=alice", "--", "-x"],
    )
    case(
        "cli-double-dash-option-like",
        "after --, '--list=3' is the tool's name, not an option",
        ["P4M-CLI-4"],
        ports(model("alice,--list=3", 1)),
        args=["--user=alice", "--", "--list=3"],
    )
    case(
        "cli-repeated-option",
        "a repeated option: the last one wins",
        ["P4M-CLI-3"],
        alice(),
        observed="cli_repeated_option",
    )
    case(
        "cli-repeated-list",
        "--list=5 --list=2 lists two",
        ["P4M-CLI-3"],
        alice(2),
        args=["--user=alice", "--list=5", "--list=2"],
    )
    case(
        "cli-value-with-equals",
        "the value is everything after the first '='",
        ["P4M-CLI-1", "P4M-SEED-2"],
        ports(model("a=b", 2)),
        observed="seed_value_with_equals",
        decisions=[33],
    )
    case("cli-help", "--help prints help on stdout and exits 0", ["P4M-CLI-7"], {"help": True}, args=["--help"])
    case(
        "cli-help-ignores-values",
        "--help with a bad value elsewhere still prints help",
        ["P4M-CLI-7"],
        {"help": True},
        args=["--help", "--list=0"],
    )
    case("cli-version", "--version prints one line and exits 0", ["P4M-CLI-7"], {"version": True}, args=["--version"])
    case(
        "cli-version-ignores-values",
        "--version ignores the values of other settings",
        ["P4M-CLI-7"],
        {"version": True},
        args=["--list=0", "--version"],
    )
    case(
        "cli-help-takes-no-value", "--help=yes is a usage error", ["P4M-CLI-7", "P4M-CLI-1"], USAGE, args=["--help=yes"]
    )
    case(
        "cli-version-with-unknown-option",
        "--version does not excuse an unknown option",
        ["P4M-CLI-7", "P4M-CLI-1"],
        USAGE,
        args=["--version", "--foo"],
    )
    case(
        "cli-stdout-one-port",
        "stdout holds the port and a newline, nothing else",
        ["P4M-CLI-5"],
        alice(),
        args=["--user=alice"],
    )
    case(
        "cli-no-user",
        "no user anywhere: the account name is used",
        ["P4M-ENV-3"],
        {"port_count": 1},
        args=["--list=1"],
        note="the runner's environment has no USER, LOGNAME, USERNAME or PORT4ME_USER",
    )


def test_cases() -> None:
    begin("test", "--test", "Testing one port (P4M-TEST-*), with the testing switch set to 'any'.")
    case(
        "test-any",
        "--test=80 with every port counted free",
        ["P4M-TEST-1", "P4M-CHECK-5"],
        FREE,
        observed="test_80_any",
    )
    case("test-zero", "--test=0 is a usage error", ["P4M-TEST-2"], USAGE, observed="test_0", decisions=[29])
    case("test-65536", "--test=65536 is a usage error", ["P4M-TEST-2"], USAGE, observed="test_65536", decisions=[29])
    case("test-word", "--test=foo is a usage error", ["P4M-TEST-2"], USAGE, observed="test_foo", decisions=[29])
    case("test-negative", "--test=-1 is a usage error", ["P4M-TEST-2"], USAGE, observed="test_negative", decisions=[29])
    case(
        "test-ignores-list", "--test ignores --list=0", ["P4M-TEST-3"], FREE, observed="test_with_list0", decisions=[30]
    )
    case(
        "test-ignores-bad-lists",
        "--test ignores malformed port lists",
        ["P4M-TEST-3"],
        FREE,
        args=["--test=80", "--exclude=foo"],
        env={"PORT4ME_INCLUDE": "70000"},
        decisions=[30],
    )
    case("test-ignores-empty-user", "--test needs no user", ["P4M-TEST-3"], FREE, observed="test_with_empty_user_env")
    case(
        "test-bad-check-switch",
        "--test with an unknown testing switch value is a usage error",
        ["P4M-CHECK-5", "P4M-TEST-2"],
        USAGE,
        observed="test_bad_hook_value",
        decisions=[29],
    )
    case("test-variable", "PORT4ME_TEST is honoured", ["P4M-TEST-1"], FREE, observed="env_test_80", decisions=[28])
    case(
        "test-variable-empty",
        "PORT4ME_TEST='' is unset",
        ["P4M-TEST-1", "P4M-ENV-2"],
        alice(),
        observed="env_test_empty",
        decisions=[27],
    )
    case(
        "test-variable-word",
        "PORT4ME_TEST=foo is a usage error",
        ["P4M-TEST-2"],
        USAGE,
        settings={"user": "alice"},
        env={"PORT4ME_TEST": "foo"},
        decisions=[28],
    )
    case(
        "test-option-wins",
        "--test replaces PORT4ME_TEST",
        ["P4M-TEST-1", "P4M-ENV-1"],
        USAGE,
        args=["--test=0"],
        env={"PORT4ME_TEST": "80"},
        decisions=[28],
    )
    case(
        "test-empty-option",
        "--test= is unset: PORT4ME_TEST applies",
        ["P4M-TEST-1", "P4M-ENV-2"],
        FREE,
        args=["--test="],
        env={"PORT4ME_TEST": "80"},
        decisions=[27, 28],
    )
    case(
        "test-without-value",
        "--test without a value is a usage error",
        ["P4M-TEST-2", "P4M-CLI-1"],
        USAGE,
        args=["--test"],
    )
    case(
        "test-unknown-option",
        "--test does not excuse an unknown option",
        ["P4M-TEST-3", "P4M-CLI-1"],
        USAGE,
        args=["--test=80", "--foo=1"],
    )


def check_cases() -> None:
    begin(
        "check",
        "Is a port free",
        "Real port checks (P4M-CHECK-*): the runner holds {port} as the case says, then calls the "
        "implementation. These cases need loopback sockets; some need IPv6 or Linux semantics.",
    )

    def held(suffix, why, hold, expect, reqs=("P4M-CHECK-1",), needs=None, observed=None):
        case(
            f"check-{suffix}",
            why,
            list(reqs),
            expect,
            args=["--test={port}"],
            check="real",
            hold=hold,
            needs=needs,
            observed=None,
            tags=["real-check"],
            decisions=[31],
        )
        if observed:
            FILES["check"]["cases"][-1]["upstream"] = compare_upstream(suffix, observed, expect, [31])

    held("not-held", "a port nobody holds is free", {"kind": "none"}, FREE, reqs=("P4M-CHECK-1", "P4M-CHECK-2"))
    FILES["check"]["cases"][-1]["after"] = "bindable"
    held(
        "listen-any4",
        "a listener on 0.0.0.0 makes the port busy",
        {"kind": "listen", "address": "0.0.0.0"},
        BUSY,
        observed="probe_listen_any4",
        reqs=("P4M-CHECK-1", "P4M-CHECK-4"),
    )
    FILES["check"]["cases"][-1]["after"] = "untouched"
    held(
        "listen-loopback4",
        "a listener on 127.0.0.1 makes the port busy",
        {"kind": "listen", "address": "127.0.0.1"},
        BUSY,
        observed="probe_listen_loopback",
        reqs=("P4M-CHECK-1", "P4M-CHECK-4"),
    )
    FILES["check"]["cases"][-1]["after"] = "untouched"
    held(
        "listen-any6-v6only",
        "a listener on [::] with IPV6_V6ONLY makes the port busy",
        {"kind": "listen", "address": "::", "v6only": True},
        BUSY,
        needs=["ipv6"],
        observed="probe_listen_v6only",
    )
    held(
        "listen-any6-dualstack",
        "a dual-stack listener on [::] makes the port busy",
        {"kind": "listen", "address": "::", "v6only": False},
        BUSY,
        needs=["ipv6"],
        observed="probe_listen_dualstack6",
    )
    held(
        "listen-loopback6",
        "a listener on [::1] makes the port busy",
        {"kind": "listen", "address": "::1"},
        BUSY,
        needs=["ipv6"],
    )
    held(
        "bound-not-listening",
        "a socket bound on 0.0.0.0 without SO_REUSEADDR, not listening: busy",
        {"kind": "bound", "address": "0.0.0.0", "reuseaddr": False},
        BUSY,
        needs=["linux"],
        observed="probe_bound_not_listening",
    )
    held(
        "bound-not-listening-reuseaddr",
        "bound on 0.0.0.0 with SO_REUSEADDR, not listening: a server could still listen there, so free",
        {"kind": "bound", "address": "0.0.0.0", "reuseaddr": True},
        FREE,
        needs=["linux"],
        observed="probe_bound_not_listening_reuseaddr",
    )
    held(
        "time-wait",
        "TIME_WAIT left by a listener without SO_REUSEADDR: busy",
        {"kind": "time_wait", "reuseaddr": False},
        BUSY,
        needs=["linux"],
        observed="probe_time_wait",
    )
    held(
        "time-wait-reuse-listener",
        "TIME_WAIT left by a listener with SO_REUSEADDR: free",
        {"kind": "time_wait", "reuseaddr": True},
        FREE,
        needs=["linux"],
        observed="probe_time_wait_reuse_listener",
    )
    held(
        "udp-only",
        "a UDP socket on the port does not make the TCP port busy",
        {"kind": "udp", "address": "0.0.0.0"},
        FREE,
    )
    case(
        "check-switch-any",
        "with _PORT4ME_CHECK_AVAILABLE_PORTS_=any a held port counts as free",
        ["P4M-CHECK-5"],
        FREE,
        args=["--test={port}"],
        hold={"kind": "listen", "address": "0.0.0.0"},
        tags=["real-check"],
    )
    case(
        "check-search-skips-busy",
        "the search skips a busy prepended port",
        ["P4M-SEQ-5", "P4M-CHECK-1"],
        ports(["{port2}"]),
        args=["--user=alice", "--prepend={port},{port2}"],
        check="real",
        hold={"kind": "listen", "address": "0.0.0.0"},
        tags=["real-check"],
    )
    FILES["check"]["cases"][-1]["upstream"] = compare_upstream(
        "search", "probe_busy_port_in_search", ports([30845]), None
    )
    FILES["check"]["cases"][-1]["upstream"]["note"] = "upstream was observed with the free port 30845 as port2"
    case(
        "check-max-tries-exhausted",
        "--max-tries=1 with a busy first port: no free port, exit 1",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        RUNTIME,
        args=["--user=alice", "--prepend={port},{port2}", "--max-tries=1"],
        check="real",
        hold={"kind": "listen", "address": "0.0.0.0"},
        tags=["real-check"],
        decisions=[22],
    )
    case(
        "check-max-tries-enough",
        "--max-tries=2: the second check finds the free port",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        ports(["{port2}"]),
        args=["--user=alice", "--prepend={port},{port2}", "--max-tries=2"],
        check="real",
        hold={"kind": "listen", "address": "0.0.0.0"},
        tags=["real-check"],
        decisions=[22],
    )
    case(
        "check-max-tries-skip-not-counted",
        "skipped ports are not checks: --skip=1 --max-tries=1 checks port2 only",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        ports(["{port2}"]),
        args=["--user=alice", "--prepend={port},{port2}", "--skip=1", "--max-tries=1"],
        check="real",
        hold={"kind": "listen", "address": "0.0.0.0"},
        tags=["real-check"],
        decisions=[22],
    )
    case(
        "check-max-tries-variable",
        "PORT4ME_MAX_TRIES=1 limits the checks too",
        ["P4M-ENV-7"],
        RUNTIME,
        args=["--user=alice", "--prepend={port},{port2}"],
        env={"PORT4ME_MAX_TRIES": "1"},
        check="real",
        hold={"kind": "listen", "address": "0.0.0.0"},
        tags=["real-check"],
        decisions=[24],
    )
    case(
        "check-must-work-ignored",
        "PORT4ME_MUST_WORK is not a v1 setting: still exit 1, never -1 on stdout",
        ["P4M-ENV-6", "P4M-CLI-5"],
        RUNTIME,
        args=["--user=alice", "--prepend={port},{port2}"],
        env={"PORT4ME_MAX_TRIES": "1", "PORT4ME_MUST_WORK": "false"},
        check="real",
        hold={"kind": "listen", "address": "0.0.0.0"},
        tags=["real-check"],
        decisions=[24],
    )
    case(
        "check-privileged-root",
        "a free privileged port is free for root, who may bind it",
        ["P4M-CHECK-1", "P4M-CHECK-3"],
        FREE,
        args=["--test={privileged_port}"],
        check="real",
        hold={"kind": "none"},
        needs=["root"],
        tags=["real-check"],
        decisions=[31],
    )
    FILES["check"]["cases"][-1]["upstream"] = compare_upstream("privileged-root", "test_80_root_real", FREE, None)
    case(
        "check-privileged-unprivileged",
        "a privileged port is busy for a user who may not bind it",
        ["P4M-CHECK-3"],
        BUSY,
        args=["--test={privileged_port}"],
        check="real",
        hold={"kind": "none"},
        needs=["unprivileged"],
        tags=["real-check"],
        observed=None,
    )
    FILES["check"]["cases"][-1]["upstream"] = compare_upstream("privileged", "nonroot_test_80", BUSY, None)


REQUIREMENT = re.compile(r"\*\*(P4M-[A-Z0-9]+-[0-9]+) \((MUST|SHOULD|MAY)\)\.\*\*(.*)")


def _replace_section(text: str, name: str, body: str) -> str:
    begin = f"<!-- BEGIN GENERATED: {name} (tools/make_vectors.py) -->\n"
    end = f"<!-- END GENERATED: {name} -->"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return head + begin + body + end + tail


def generated_spec(text: str) -> str:
    """The spec with its two generated sections brought up to date with the cases."""
    cases = [c for f in FILES.values() for c in f["cases"]]
    by_decision: dict[int, list[str]] = {}
    for c in cases:
        for number in c.get("decisions", []):
            by_decision.setdefault(number, []).append(c["id"])
    lines = ["| # | vectors |", "|---|---|"]
    for number in range(1, 39):
        ids = by_decision.get(number, [])
        shown = ", ".join(f"`{i}`" for i in ids) if ids else "— (all upstream agree; pinned by the ordinary vectors)"
        lines.append(f"| {number} | {shown} |")
    text = _replace_section(text, "decision-vectors", "\n".join(lines) + "\n")
    lines = ["| requirement | level | vectors | summary |", "|---|---|---|---|"]
    for match in REQUIREMENT.finditer(text):
        rid, level = match.group(1), match.group(2)
        count = sum(rid in c["requirements"] for c in cases)
        paragraph = " ".join(text[match.end(2) + 4 :].split("\n\n")[0].split())
        summary = paragraph.split(". ")[0].rstrip(".")
        summary = summary if len(summary) <= 90 else summary[:87] + "..."
        lines.append(f"| {rid} | {level} | {count} | {summary} |")
    return _replace_section(text, "requirement-index", "\n".join(lines) + "\n")


class _PlainDumper(yaml.SafeDumper):
    """No anchors or aliases: every case reads on its own, in any YAML parser."""

    def ignore_aliases(self, data) -> bool:
        return True


def write(check_only: bool) -> int:
    for make in (
        hash_cases,
        lcg_cases,
        sequence_cases,
        set_cases,
        grammar_cases,
        settings_cases,
        cli_cases,
        test_cases,
        check_cases,
    ):
        make()
    ids = [c["id"] for f in FILES.values() for c in f["cases"]]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise SystemExit(f"duplicate ids: {sorted(duplicates)}")
    stale = []
    spec_path = ROOT / "spec/port4me.md"
    spec_text = generated_spec(spec_path.read_text(encoding="utf-8"))
    if spec_path.read_text(encoding="utf-8") != spec_text:
        stale.append(spec_path.name)
        if not check_only:
            spec_path.write_text(spec_text, encoding="utf-8")
    for name, content in FILES.items():
        path = ROOT / "vectors" / f"{name}.yaml"
        header = f"# Generated by tools/make_vectors.py from spec v{SPEC_VERSION}; edit that file, not this one.\n"
        text = header + yaml.dump(
            content, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None
        )
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path.name)
            if not check_only:
                path.write_text(text, encoding="utf-8")
    print(f"{len(ids)} cases in {len(FILES)} files; {'stale' if check_only else 'written'}: {stale or 'none'}")
    return 1 if check_only and stale else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that vectors/ is up to date")
    sys.exit(write(parser.parse_args().check))
