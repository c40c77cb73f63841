"""Judging one outcome against a case's expectation (INTERPRETING section 4), and showing bytes to people."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .adapters import Outcome
from .results import Mismatch

OPTION_NAMES = {"max_tries": "--max-tries"}
SHOWN = 2000  # characters of a stream shown in a report
# What help mode must describe (P4M-CLI-7): every v1 option and every variable of spec section 6.1.
HELP_NAMES = (
    *("--user", "--tool", "--prepend", "--include", "--exclude", "--skip", "--list", "--max-tries", "--test"),
    *("--help", "--version", "PORT4ME_USER", "PORT4ME_TOOL", "PORT4ME_PREPEND", "PORT4ME_PREPEND_SITE"),
    *("PORT4ME_INCLUDE", "PORT4ME_INCLUDE_SITE", "PORT4ME_EXCLUDE", "PORT4ME_EXCLUDE_SITE", "PORT4ME_EXCLUDE_UNSAFE"),
    *("PORT4ME_EXCLUDE_UNSAFE_CHROME", "PORT4ME_EXCLUDE_UNSAFE_FIREFOX", "PORT4ME_SKIP", "PORT4ME_LIST"),
    *("PORT4ME_TEST", "PORT4ME_MAX_TRIES", "_PORT4ME_CHECK_AVAILABLE_PORTS_"),
)


_SHOWN_AS_IT_IS = re.compile(r"[\n -~]*")


def visible(data: bytes | str, limit: int = SHOWN) -> str:
    """Text a terminal, XML and HTML can show as it is: CR, tabs and every other control or
    unprintable character escaped (\\r, \\t, \\x1b, \\u2028), bytes that are not UTF-8 as \\xNN.

    Only what can be shown is escaped: the work is bounded by ``limit``, not by the length of
    ``data`` (a stream of 1 MiB of NUL bytes costs as little as one of ten bytes).
    """
    if isinstance(data, bytes):
        # Each character shown comes from at least one byte and takes at most four.
        text = data[: 4 * limit + 4].decode("utf-8", "backslashreplace")
        total, unit = len(data), "bytes"
    else:
        text, total, unit = data[: limit + 1], len(data), "characters"
    if _SHOWN_AS_IT_IS.fullmatch(text):  # printable ASCII and LF, the usual output: nothing to escape
        return text if len(text) <= limit else text[:limit] + f"… ({total} {unit} in all)"
    out = []
    size = 0
    for char in text:
        if char == "\n" or (char.isprintable() and char != "\\") or char == " ":
            piece = char
        elif char == "\\":
            piece = "\\"
        elif char in "\r\t":
            piece = "\\r" if char == "\r" else "\\t"
        elif ord(char) < 0x100:
            piece = f"\\x{ord(char):02x}"
        else:
            piece = f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}"
        out.append(piece)
        size += len(piece)
        if size > limit:
            shown = "".join(out)[:limit]
            return shown + f"… ({total} {unit} in all)"
    return "".join(out)


def expected_stdout(expect: dict, ports: dict[str, int]) -> bytes:
    if not ports:  # no placeholder to fill: a list of 65,535 ports is judged in every run of the kit
        return "".join(f"{port}\n" for port in expect["ports"]).encode()
    return "".join(fill_ports(port, ports) + "\n" for port in expect["ports"]).encode()


def fill_ports(value: Any, ports: dict[str, int]) -> str:
    """A vector's value as text, with its placeholders ({port}, {port2}, ...) replaced by the held ports."""
    text = str(value)
    for key, port in ports.items():
        text = text.replace("{" + key + "}", str(port))
    return text


def source_name(source: str | None, variant: str) -> str | None:
    """A diagnostic's source as the user wrote it: a setting becomes its option or its variable (P4M-CLI-11)."""
    if source and not source.startswith("-") and not source.isupper() and not source.startswith("_"):
        return OPTION_NAMES.get(source, "--" + source) if variant == "options" else f"PORT4ME_{source.upper()}"
    return source


OTHER_PORTS = "other ports than expected"


def _describe_ports(expect: dict, ports: dict[str, int], variant: str) -> str:
    return "exit code 0; stdout: " + visible(expected_stdout(expect, ports)).replace("\n", " ").strip()


def _judge_ports(expect: dict, outcome: Outcome, ports: dict[str, int], variant: str, main: str) -> Mismatch | None:
    code = outcome.exit_code
    if code != 0:
        return Mismatch(f"exit code {code}, expected 0", main, f"exit code {code} where ports are expected")
    wanted = expected_stdout(expect, ports)
    if outcome.stdout != wanted:
        if _only_ports(outcome.stdout):
            return Mismatch("stdout differs (other ports)", main, OTHER_PORTS, diff(wanted, outcome.stdout))
        return Mismatch(
            "stdout differs (not only ports, one per line)",
            "P4M-CLI-5",
            "stdout holds more than ports, one per line",
            diff(wanted, outcome.stdout),
        )
    return None


def _describe_port_count(expect: dict, ports: dict[str, int], variant: str) -> str:
    return f"exit code 0; stdout: {expect['port_count']} ports, one per line"


def _judge_port_count(
    expect: dict, outcome: Outcome, ports: dict[str, int], variant: str, main: str
) -> Mismatch | None:
    code = outcome.exit_code
    if code != 0:
        return Mismatch(f"exit code {code}, expected 0", main, f"exit code {code} where ports are expected")
    if not _only_ports(outcome.stdout):
        return Mismatch("stdout is not ports, one per line", "P4M-CLI-5", "stdout holds more than ports, one per line")
    count = outcome.stdout.count(b"\n")
    if count != expect["port_count"]:
        return Mismatch(f"{count} ports, expected {expect['port_count']}", main, "another number of ports")
    return None


def _describe_error(expect: dict, ports: dict[str, int], variant: str) -> str:
    code = 2 if expect["error"] == "usage" else 1
    text = f"exit code {code} ({expect['error']} error); stdout empty; one line on stderr"
    diagnostic = expect.get("diagnostic")
    if diagnostic:
        value = diagnostic.get("value")
        if "value_hex" in diagnostic:
            value = visible(bytes.fromhex(diagnostic["value_hex"]), 80)
        named = [f"'{v}'" for v in (source_name(diagnostic.get("source"), variant), value) if v]
        if diagnostic.get("cause"):
            named.append(" or ".join(f"'{c}'" for c in diagnostic["cause"]))
        text += " naming " + " and ".join(named)
    return text


def _judge_error(expect: dict, outcome: Outcome, ports: dict[str, int], variant: str, main: str) -> Mismatch | None:
    code = outcome.exit_code
    kind = expect["error"]
    wanted = 2 if kind == "usage" else 1
    if code != wanted:
        return Mismatch(
            f"exit code {code}, expected {wanted} ({kind} error)",
            "P4M-CLI-6",
            f"{kind} error: exit code {code}, not {wanted}",
        )
    if outcome.stdout:
        return Mismatch("an error must leave stdout empty", "P4M-CLI-6", "writes to stdout on an error")
    if not outcome.stderr.strip():
        return Mismatch("an error must say why on stderr", "P4M-CLI-6", "says nothing on stderr on an error")
    return _one_line(outcome.stderr) or _diagnostic(expect.get("diagnostic"), outcome, variant)


# What the start of a stack trace looks like in the usual runtimes: Python, Java and Node, Go, Rust, R.
_TRACE = re.compile(
    rb"Traceback \(most recent call last\)|\n\s+at \S|^goroutine \d+ \[|panicked at|stack backtrace:|\nCalls: ",
    re.M,
)


def _one_line(stderr: bytes) -> Mismatch | None:
    """P4M-CLI-6: an error writes one line to stderr (ended by LF or not), never a stack trace."""
    body = stderr[:-1] if stderr.endswith(b"\n") else stderr
    if b"\n" not in body:
        return None
    lines = body.count(b"\n") + 1
    if _TRACE.search(stderr):
        return Mismatch(
            f"a stack trace on stderr ({lines} lines), where the error must be one line",
            "P4M-CLI-6",
            "prints a stack trace on an error",
        )
    return Mismatch(
        f"{lines} lines on stderr, where the error must be one line", "P4M-CLI-6", "more than one line on stderr"
    )


def _describe_test(expect: dict, ports: dict[str, int], variant: str) -> str:
    return f"exit code {0 if expect['test'] == 'free' else 1} (port {expect['test']}); stdout empty"


def _judge_test(expect: dict, outcome: Outcome, ports: dict[str, int], variant: str, main: str) -> Mismatch | None:
    code = outcome.exit_code
    wanted = 0 if expect["test"] == "free" else 1
    if code != wanted:
        return Mismatch(
            f"exit code {code}, expected {wanted} (port {expect['test']})",
            main,
            f"a {expect['test']} port: exit code {code}, not {wanted}",
        )
    if outcome.stdout:
        return Mismatch("--test must leave stdout empty", "P4M-TEST-1", "--test writes to stdout")
    return None


def _judge_mode(mode: str, outcome: Outcome) -> Mismatch | None:
    """What help and version mode share: exit code 0 and something on stdout."""
    code = outcome.exit_code
    if code != 0:
        return Mismatch(f"exit code {code}, expected 0", "P4M-CLI-7", f"{mode}: exit code {code}, not 0")
    return None


def _judge_help(expect: dict, outcome: Outcome, ports: dict[str, int], variant: str, main: str) -> Mismatch | None:
    mismatch = _judge_mode("--help", outcome)
    if mismatch:
        return mismatch
    if not outcome.stdout.strip():
        return Mismatch("--help must print help on stdout", "P4M-CLI-7", "--help prints nothing on stdout")
    missing = [name for name in HELP_NAMES if name.encode() not in outcome.stdout]
    if missing:
        return Mismatch(
            f"the help does not name {', '.join(missing)}",
            "P4M-CLI-7",
            "--help does not describe every option and variable",
        )
    return None


def _judge_version(expect: dict, outcome: Outcome, ports: dict[str, int], variant: str, main: str) -> Mismatch | None:
    mismatch = _judge_mode("--version", outcome)
    if mismatch:
        return mismatch
    if not (outcome.stdout.endswith(b"\n") and outcome.stdout.count(b"\n") == 1 and outcome.stdout.strip()):
        return Mismatch("--version must print exactly one non-empty line", "P4M-CLI-7", "--version is not one line")
    return None


@dataclass(frozen=True)
class Expectation:
    """One kind of ``expect`` (INTERPRETING section 4): how a person reads it, and how an outcome is judged."""

    describe: Callable[[dict, dict[str, int], str], str]
    judge: (
        Callable[[dict, Outcome, dict[str, int], str, str], Mismatch | None] | None
    )  # None: not run on a command line


# In the order a case's expect is looked up: its first key found here is its kind.
EXPECTATIONS: dict[str, Expectation] = {
    "ports": Expectation(_describe_ports, _judge_ports),
    "port_count": Expectation(_describe_port_count, _judge_port_count),
    "error": Expectation(_describe_error, _judge_error),
    "test": Expectation(_describe_test, _judge_test),
    "help": Expectation(lambda expect, ports, variant: "exit code 0; help on stdout", _judge_help),
    "version": Expectation(lambda expect, ports, variant: "exit code 0; one line on stdout", _judge_version),
    "unit_only": Expectation(lambda expect, ports, variant: "nothing to run on a command line", None),
}


def kind(expect: dict) -> str:
    """The expectation's kind: the first key of EXPECTATIONS it has."""
    for name in EXPECTATIONS:
        if name in expect:
            return name
    raise ValueError(f"unknown expectation {expect!r}")


def describe_expected(expect: dict, ports: dict[str, int], variant: str = "options") -> str:
    """What the case expects, for a person."""
    try:
        text = EXPECTATIONS[kind(expect)].describe(expect, ports, variant)
    except ValueError:
        text = "nothing to run on a command line"
    return text + ("; stderr empty" if expect.get("stderr") == "empty" else "")


def judge(
    expect: dict,
    outcome: Outcome,
    ports: dict[str, int],
    variant: str = "options",
    requirements: tuple = (),
    non_ascii: bool = False,
) -> Mismatch | None:
    """None if a finished call meets the expectation, else why not. ``non_ascii``: the case's user or tool
    holds a character outside ASCII, so other ports are put down to the hash (P4M-HASH-1), not to the rule
    the case pins first."""
    check = EXPECTATIONS[kind(expect)].judge
    if check is None:
        raise ValueError(f"unknown expectation {expect!r}")
    found = check(expect, outcome, ports, variant, requirements[0] if requirements else "")
    if found and non_ascii and found.rule == OTHER_PORTS:  # the seed is not ASCII: the hash is the likely cause
        found = Mismatch(found.reason, "P4M-HASH-1", f"{OTHER_PORTS}, for a user or tool outside ASCII", found.diff)
    return found or _quiet(expect, outcome)


_SEED_VARIABLES = ("PORT4ME_USER", "USER", "LOGNAME", "USERNAME", "PORT4ME_TOOL")


def non_ascii_seed(data: dict) -> bool:
    """Whether a case's user or tool, from any source, holds a character outside ASCII."""
    given = data.get("input", {})
    values = [str(given.get("settings", {}).get(name, "")) for name in ("user", "tool")]
    values += [value for name, value in given.get("env", {}).items() if name in _SEED_VARIABLES]
    for arg in given.get("args", []):
        name, has_value, value = arg.partition("=")
        values.append(value if has_value and name in ("--user", "--tool") else "" if arg.startswith("-") else arg)
    return any(not value.isascii() for value in values)


def _quiet(expect: dict, outcome: Outcome) -> Mismatch | None:
    if expect.get("stderr") == "empty" and outcome.stderr:
        return Mismatch("stderr is not empty on success", "P4M-CLI-9", "writes to stderr on success")
    return None


def _diagnostic(diagnostic: dict | None, outcome: Outcome, variant: str) -> Mismatch | None:
    """P4M-CLI-11 and P4M-CHECK-7: stderr names the source (a whole name), shows the value (escaped as the
    spec allows) and names the cause (one of the names given), each when the case gives it."""
    if not diagnostic:
        return None
    stderr = outcome.stderr.decode("utf-8", "replace")
    source = source_name(diagnostic.get("source"), variant)
    if source and not names(stderr, source):
        return _not_named("source", source)
    value = diagnostic.get("value")
    if "value_hex" in diagnostic:
        value = bytes.fromhex(diagnostic["value_hex"]).decode("utf-8", "surrogateescape")
    if value and not shows(stderr, value):
        return _not_named("value", value)
    causes = diagnostic.get("cause")
    if causes and not any(names(stderr, cause, fold=True) for cause in causes):
        return Mismatch(
            f"the error message does not name the cause ({' or '.join(repr(c) for c in causes)})",
            "P4M-CHECK-7",
            "the error message does not name the cause",
        )
    return None


def _not_named(what: str, text: str) -> Mismatch:
    return Mismatch(
        f"the error message does not name the {what} {visible(text, 80)!r}",
        "P4M-CLI-11",
        f"the error message does not name the {what}",
    )


# A name (an option, a variable, an error's name) is a whole word of these characters (spec P4M-CLI-11).
_NAME = "A-Za-z0-9_-"


def names(text: str, name: str, fold: bool = False) -> bool:
    """``name`` occurs in ``text`` as a whole name: `USER` is not in `PORT4ME_USER`, `--include` not in
    `--include-x`; with ``fold``, ASCII letter case is ignored (`Permission denied`)."""
    pattern = rf"(?<![{_NAME}]){re.escape(name)}(?![{_NAME}])"
    return re.search(pattern, text, re.ASCII | re.IGNORECASE if fold else 0) is not None


_NAMED_ESCAPES = {"\t": "t", "\n": "n", "\r": "r", "\0": "0", "\a": "a", "\b": "b", "\f": "f", "\v": "v"}
_NAMED_ESCAPES["\x1b"] = "e"


def _hex(number: int, width: int) -> str:
    """``number`` in hexadecimal with at least ``width`` digits, either letter case, as a pattern."""
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{number:0{width}x}")


def _char_forms(char: str) -> list[str]:
    """The forms P4M-CLI-11 lets a message show one character in, as patterns."""
    code = ord(char)
    # A control character is always escaped (spec 1.2 P4M-CLI-11): its raw form does not show it.
    forms = [
        "" if unicodedata.category(char) == "Cc" else re.escape(char),
        rf"\\u{_hex(code, 4)}" if code < 0x10000 else "",
        rf"\\U{_hex(code, 8)}",
    ]
    forms.append(rf"\\u\{{0*{_hex(code, 1)}\}}")
    if code < 0x80 and not char.isalnum():
        forms.append(rf"\\{re.escape(char)}")  # \" \' \\ \/ \$ ...
    if code < 0x100:
        forms += [rf"\\x{_hex(code, 2)}", rf"\\{code:03o}"]
    if char in _NAMED_ESCAPES:
        forms.append(rf"\\{_NAMED_ESCAPES[char]}")
    if code > 0xFFFF:  # as JSON writes it: a UTF-16 surrogate pair
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append(rf"\\u{_hex(high, 4)}\\u{_hex(low, 4)}")
    return [form for form in forms if form]


def _value_pattern(value: str) -> str:
    """A pattern of every way P4M-CLI-11 lets a message show ``value`` (bytes that are not UTF-8 are
    surrogate escapes: each may be \\xHH or octal, or a run of them U+FFFD, one or more)."""
    parts, index = [], 0
    while index < len(value):
        end = index
        while end < len(value) and 0xDC80 <= ord(value[end]) <= 0xDCFF:
            end += 1
        if end > index:
            raw = [ord(c) - 0xDC00 for c in value[index:end]]
            escaped = "".join(rf"(?:\\x{_hex(b, 2)}|\\{b:03o})" for b in raw)
            parts.append(f"(?:{escaped}|\ufffd{{1,{len(raw)}}})")
            index = end
            continue
        parts.append("(?:" + "|".join(_char_forms(value[index])) + ")")
        index += 1
    return "".join(parts)


def shows(text: str, value: str) -> bool:
    """``value`` occurs in ``text`` as it is or escaped as P4M-CLI-11 allows."""
    if value in text and not any(unicodedata.category(char) == "Cc" for char in value):
        return True
    return re.search(_value_pattern(value), text) is not None


# One port (1 to 65535, no leading zero) per line, each line ended by LF, checked at C speed with
# no state kept: a single pattern repeated once per line, (?:PORT\n)*, is linear too, but Python's
# engine keeps a backtracking mark for every repetition (75 MB and 0.2 s for a MiB of "1\n", 600 MB
# at --jobs=8), and possessive quantifiers need Python 3.11.
_AS_D = bytes.maketrans(b"0123456789", b"d" * 10)
_ABOVE_65535 = re.compile(rb"\n(?:[7-9][0-9]{4}|6[6-9][0-9]{3}|65[6-9][0-9]{2}|655[4-9][0-9]|6553[6-9])\n")


def _only_ports(stdout: bytes) -> bool:
    if not stdout:
        return True  # no line at all
    shape = stdout.translate(_AS_D)  # each digit a d
    lines = b"\n" + stdout  # every line starts after an LF
    if not stdout.endswith(b"\n") or stdout.translate(None, b"0123456789\n") or b"dddddd" in shape:
        return False  # a line not ended, a byte that is no digit, more than five digits
    if b"\n\n" in lines or b"\n0" in lines:
        return False  # an empty line, a leading zero (or port 0)
    return _ABOVE_65535.search(lines) is None


DIFF_LINES = 200  # lines of each side a diff compares, from just before the first that differs


def diff(wanted: bytes, actual: bytes) -> str:
    """A unified diff of two outputs, every control character shown (\\r, \\x1b, …).

    Its cost is bounded by what it shows: the common start is skipped at C speed and at
    most DIFF_LINES lines of each side are compared, whatever the implementation wrote.
    """
    start = _line_start(wanted, _common_prefix(wanted, actual), context=2)
    same = wanted.count(b"\n", 0, start)
    lines = difflib.unified_diff(
        [visible(line, 400) + "\n" for line in _lines(wanted[start:])],
        [visible(line, 400) + "\n" for line in _lines(actual[start:])],
        "expected",
        "actual",
        n=2,
    )
    text = "".join(lines)
    if same:
        text = f"(the first {same} lines are the same)\n" + text
    if not actual.endswith(b"\n") and actual:
        text += "\\ the actual output does not end in a newline\n"
    return text if len(text) < SHOWN else text[:SHOWN] + "…\n"


def _common_prefix(a: bytes, b: bytes) -> int:
    """The length of the common start of two byte strings, compared a block at a time (memcmp)."""
    size = min(len(a), len(b))
    low, step = 0, 1 << 16
    while step:
        while low + step <= size and a[low : low + step] == b[low : low + step]:
            low += step
        step //= 2
    return low


def _line_start(data: bytes, offset: int, context: int) -> int:
    """Where the line holding ``offset`` starts, ``context`` lines earlier."""
    start = data.rfind(b"\n", 0, offset) + 1
    for _ in range(context):
        if start == 0:
            break
        start = data.rfind(b"\n", 0, start - 1) + 1
    return start


def _lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n", DIFF_LINES)
    return lines if len(lines) <= DIFF_LINES else [*lines[:DIFF_LINES], b"\xe2\x80\xa6 (more lines)"]
