"""A naive model of a whole v1 call (arguments and variables in, outcome out), from the spec's text.

It reads the command line (P4M-CLI-1, -3, -4), picks the mode (P4M-ENV-6), reads only the
settings that mode uses (options before variables, empty meaning unset: P4M-ENV-1 to -5),
parses port lists by the grammar of section 5, and walks the generator of ``model``
(its hash and next()) once round its cycle to list the ports. The testing switch stands
in for sockets: a call that would check ports for real is outside the model
(``Unmodelled``). Like ``model`` it imports nothing from port4me, and it is written to be
read beside the spec; tests/test_differential.py checks its streams against ``model``'s. The differential test
(tests/test_differential.py) runs it beside the reference and the JavaScript port.

An outcome is a tuple: ``("ports", [p, ...])``, ``("usage",)``, ``("runtime",)``,
``("free",)``, ``("busy",)``, ``("help",)`` or ``("version",)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice

from .model import CHROME, FIREFOX, lcg_next, rng, string_hash

Outcome = tuple

VALUE_OPTIONS = {
    "--user": "user",
    "--tool": "tool",
    "--prepend": "prepend",
    "--include": "include",
    "--exclude": "exclude",
    "--skip": "skip",
    "--list": "list",
    "--max-tries": "max_tries",
    "--test": "test",
}
VARIABLES = {setting: "PORT4ME_" + setting.upper() for setting in VALUE_OPTIONS.values()}
SWITCH = "_PORT4ME_CHECK_AVAILABLE_PORTS_"
SEPARATORS = re.compile(r"[,\x20\x09\x0a\x0b\x0c\x0d]+")  # the grammar's sep, and nothing else
DIGITS = re.compile(r"[0-9]+\Z")  # 1*DIGIT: ASCII only (re's [0-9] is the literal range)
RANGE = re.compile(r"([0-9]+)-([0-9]+)\Z")
DEFAULT = frozenset(rng(1024, 65535))  # the include set when none is given (P4M-SET-1)


class Usage(Exception):
    """Bad input: exit code 2."""


class Unmodelled(Exception):
    """An input whose outcome depends on more than the spec's text and the testing switch."""


def decode(value: bytes) -> str:
    """A value as Unicode scalar values, or a usage error (P4M-HASH-3: RFC 3629 UTF-8 only)."""
    try:
        return value.decode("utf-8", "strict")  # Python's strict codec refuses overlongs and surrogates
    except UnicodeDecodeError:
        raise Usage("not UTF-8") from None


def port_list(text: str, tokens: Mapping[str, list[int]] | None) -> list[int]:
    """The ports a port list names, in order (P4M-LIST-*); ``tokens`` None: tokens not allowed."""
    out: list[int] = []
    for item in SEPARATORS.split(text):
        if item == "":
            continue
        if tokens is not None and item in ("{chrome}", "{firefox}"):
            out += tokens[item]
            continue
        if DIGITS.match(item):
            low = high = int(item)
        elif match := RANGE.match(item):
            low, high = int(match.group(1)), int(match.group(2))
            if low > high:
                raise Usage("descending range")
        else:
            raise Usage("not a port list item")
        if high > 65535:
            raise Usage("above 65535")
        out += [p for p in range(low, high + 1) if p != 0]
    return out


def number(text: str, low: int, high: int | None) -> int:
    """``1*DIGIT`` in [low, high] (P4M-ENV-5)."""
    if not DIGITS.match(text):
        raise Usage("not a number")
    value = int(text)
    if value < low or (high is not None and value > high):
        raise Usage("out of range")
    return value


def parse_argv(argv: Sequence[bytes]) -> tuple[dict[str, bytes], list[bytes], set[str]]:
    """Options (last wins), positionals and flags; usage error for a bad form (P4M-CLI-1, -4)."""
    options: dict[str, bytes] = {}
    positional: list[bytes] = []
    flags: set[str] = set()
    rest = False
    for arg in argv:
        if rest or arg == b"-" or not arg.startswith(b"-"):
            positional.append(arg)
        elif arg == b"--":
            rest = True
        else:
            name, equals, value = arg.partition(b"=")
            text = name.decode("utf-8", "replace")
            if text in ("--help", "--version"):
                if equals:
                    raise Usage("a flag takes no value")
                flags.add(text)
            elif text in VALUE_OPTIONS and equals:
                options[VALUE_OPTIONS[text]] = value
            else:
                raise Usage("unknown option, or no value")
    if len(positional) > 1 or (positional and "tool" in options):
        raise Usage("two tools")
    return options, positional, flags


def outcome(argv: Sequence[bytes], env: Mapping[str, bytes], account: str | None) -> Outcome:
    """What a v1 implementation does with these arguments and variables (``account``: the account name)."""
    try:
        return _outcome(argv, env, account)
    except Usage:
        return ("usage",)


def _outcome(argv: Sequence[bytes], env: Mapping[str, bytes], account: str | None) -> Outcome:
    options, positional, flags = parse_argv(argv)
    if "--help" in flags:
        return ("help",)
    if "--version" in flags:
        return ("version",)

    def setting(name: str) -> bytes | None:
        """The option, else the variable; an empty value is unset (P4M-ENV-1, -2)."""
        for value in (options.get(name), env.get(VARIABLES[name])):
            if value:
                return value
        return None

    test = setting("test")
    if test is not None:
        port = number(decode(test), 1, 65535)
        busy = switch(env)
        return ("busy",) if port in busy else ("free",)
    user = next((v for v in (setting("user"), env.get("USER"), env.get("LOGNAME"), env.get("USERNAME")) if v), None)
    if user is None:
        if account is None:
            raise Usage("no user")
        user_text = account
    else:
        user_text = decode(user)
    tool_value = options.get("tool") or (positional[0] if positional and positional[0] else None)
    tool_value = tool_value or env.get("PORT4ME_TOOL") or None
    tool = decode(tool_value) if tool_value else ""
    lists = {name: setting(name) for name in ("prepend", "include", "exclude")}
    site = {name: env.get(f"PORT4ME_{name.upper()}_SITE") for name in ("prepend", "include", "exclude")}
    unsafe = env.get("PORT4ME_EXCLUDE_UNSAFE")
    written = [decode(v) for v in [*lists.values(), *site.values()] if v is not None]
    unsafe_text = "{chrome},{firefox}" if unsafe is None else decode(unsafe)
    tokens = token_lists(env, " ".join([*written, unsafe_text]))

    def ports_of(value: bytes | None) -> list[int]:
        return [] if value is None else port_list(decode(value), tokens)

    prepend = list(dict.fromkeys(ports_of(lists["prepend"]) + ports_of(site["prepend"])))
    include = set(ports_of(lists["include"])) | set(ports_of(site["include"]))
    exclude = set(ports_of(lists["exclude"])) | set(ports_of(site["exclude"])) | set(port_list(unsafe_text, tokens))
    candidates = (include or DEFAULT) - exclude
    if not candidates:
        raise Usage("empty candidate set")
    skip_text = setting("skip")
    skip = number(decode(skip_text), 0, None) if skip_text is not None else 0
    seed = seed_string(user_text, tool)
    meaning = {"prepend": prepend, "candidates": candidates, "skip": skip}
    count = setting("list")
    if count is not None:
        return ("ports", first(seed, number(decode(count), 1, 65536), **meaning))
    tries_text = setting("max_tries")
    max_tries = number(decode(tries_text), 1, 65535) if tries_text is not None else 65535
    busy = switch(env)
    port = search(seed, busy, max_tries, **meaning)
    return ("runtime",) if port is None else ("ports", [port])


def cycle() -> list[int]:
    """The generator's 65 536 draws in order, from state 0: every seed's draws are this cycle from some
    point on (P4M-LCG-3: 75 is a primitive root modulo 65537), so it is walked once, not once a call."""
    if not _CYCLE:
        state = 0
        for _ in range(65536):
            state = lcg_next(state)
            _CYCLE.append(state)
        _AT.update((draw, index) for index, draw in enumerate(_CYCLE))
    return _CYCLE


_CYCLE: list[int] = []
_AT: dict[int, int] = {}


def stream(seed: str, prepend: list[int], candidates: set[int], skip: int) -> Iterator[int]:
    """The output stream after ``skip``, without end (P4M-SEQ-1, -2, -6): the prepended ports, then the
    draws in C, from the seed's first draw round the cycle; after one cycle the same period again."""
    front = list(dict.fromkeys(prepend))
    if skip > len(front):
        skip = len(front) + (skip - len(front)) % len(candidates)
    yield from front[skip:]
    skip = max(0, skip - len(front))
    draws = cycle()
    start = _AT[lcg_next(string_hash(seed) % 65537)]
    period = []
    for k in range(65536):
        if (draw := draws[(start + k) % 65536]) in candidates:
            period.append(draw)
            if len(period) > skip:
                yield draw
    while True:
        yield from period
        skip = 0


def first(seed: str, count: int, **meaning) -> list[int]:
    """The first ``count`` items of the output stream after skip."""
    return list(islice(stream(seed, **meaning), count))


def search(seed: str, busy: set[int], max_tries: int, **meaning) -> int | None:
    """The first item after skip that is not busy, within ``max_tries`` checks (P4M-SEQ-5); past one
    period of the stream nothing new comes (P4M-SEQ-6), so at most that many are looked at."""
    whole = len(set(meaning["prepend"])) + len(meaning["candidates"])
    return next((port for port in islice(stream(seed, **meaning), min(max_tries, whole)) if port not in busy), None)


def seed_string(user: str, tool: str) -> str:
    joined = user + "," + tool
    return joined[:-1] if joined.endswith(",") else joined


def token_lists(env: Mapping[str, bytes], written: str) -> dict[str, list[int]]:
    """What each token stands for; a token variable is read only when its token is written (P4M-ENV-6)."""
    out = {}
    for token, default, variable in (
        ("{chrome}", CHROME, "PORT4ME_EXCLUDE_UNSAFE_CHROME"),
        ("{firefox}", FIREFOX, "PORT4ME_EXCLUDE_UNSAFE_FIREFOX"),
    ):
        value = env.get(variable) if token in written else None
        out[token] = list(default) if value is None else port_list(decode(value), None)
    return out


def switch(env: Mapping[str, bytes]) -> set[int]:
    """The ports the testing switch makes busy (P4M-CHECK-5); unset or empty is a real check."""
    value = env.get(SWITCH)
    if not value:
        raise Unmodelled("real checks")
    text = decode(value)
    if text == "any":
        return set()
    if text.startswith("any-except:"):
        return set(port_list(text[len("any-except:") :], None))
    raise Usage("bad switch")
