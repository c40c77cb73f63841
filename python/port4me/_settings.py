"""Settings (spec section 6): from options and environment variables to one request.

Pure: the environment and the account name are passed in.  Options come as a mapping
from setting name to value; the command line passes strings, the library API may also
pass integers and iterables of ports.
"""

from __future__ import annotations

from ._errors import UsageError
from ._portset import (
    CHROME_2022_10_24,
    DEFAULT_UNSAFE,
    FIREFOX_2022_10_24,
    CandidateSet,
    PortListError,
    ordered_ports,
    parse_port_list,
)
from ._quote import quote, shown
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Mapping

MAX_LIST = 65536
MAX_TRIES = 65535
CHECK_SWITCH = "_PORT4ME_CHECK_AVAILABLE_PORTS_"
FALLBACK_USER_VARIABLES = ("USER", "LOGNAME", "USERNAME")  # after --user and PORT4ME_USER (P4M-ENV-3)
VARIABLES = (
    "PORT4ME_USER",
    "PORT4ME_TOOL",
    "PORT4ME_PREPEND",
    "PORT4ME_PREPEND_SITE",
    "PORT4ME_INCLUDE",
    "PORT4ME_INCLUDE_SITE",
    "PORT4ME_EXCLUDE",
    "PORT4ME_EXCLUDE_SITE",
    "PORT4ME_EXCLUDE_UNSAFE",
    "PORT4ME_EXCLUDE_UNSAFE_CHROME",
    "PORT4ME_EXCLUDE_UNSAFE_FIREFOX",
    "PORT4ME_SKIP",
    "PORT4ME_LIST",
    "PORT4ME_TEST",
    "PORT4ME_MAX_TRIES",
    CHECK_SWITCH,
)
"""Every variable spec v1 defines (section 6.1)."""


class Request:
    """What to do, fully resolved and validated: a test, a list, or a search."""

    __slots__ = ("candidates", "list", "max_tries", "mode", "prepend", "simulated", "skip", "test", "tool", "user")

    def __init__(self, **fields: object) -> None:
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Request({fields})"


def variable_name(setting: str) -> str:
    return "PORT4ME_" + setting.upper()


class _Reader:
    """Reads one setting at a time, naming its source in every error."""

    def __init__(self, options: Mapping[str, object], env: Mapping[str, str], label: Callable[[str], str]):
        self.options = options
        self.env = env
        self.label = label

    def text(self, setting: str) -> tuple[object, str] | None:
        """The option's value if it is set and not empty, else the variable's; with its source."""
        value = self.options.get(setting)
        if value is not None and value != "":
            return value, self.label(setting)
        name = variable_name(setting)
        text = variable(self.env, name)
        if text:
            return text, name
        return None

    def string(self, setting: str) -> str | None:
        found = self.text(setting)
        if found is None:
            return None
        value, source = found
        if not isinstance(value, str):
            raise UsageError(f"invalid {source} value {shown(value)}: expected a string")
        return check_utf8(value, source)

    def count(self, setting: str, low: int, high: int | None, default: int) -> int:
        found = self.text(setting)
        if found is None:
            return default
        value, source = found
        return whole_number(value, source, low, high)

    def port_list(self, value: object, source: str) -> list[tuple[int, int]]:
        if isinstance(value, str):
            return port_list(value, source, self.tokens)
        return ports_from_iterable(value, source)

    def ports(self, setting: str) -> list[tuple[int, int]]:
        """The setting's ports (option replaces variable), then its _SITE variable's."""
        intervals: list[tuple[int, int]] = []
        found = self.text(setting)
        if found is not None:
            intervals += self.port_list(*found)
        site = variable_name(setting) + "_SITE"
        intervals += self.port_list(variable(self.env, site), site)
        return intervals

    def unsafe(self) -> list[tuple[int, int]]:
        name = "PORT4ME_EXCLUDE_UNSAFE"  # set but empty means no unsafe ports (P4M-SET-5)
        return self.port_list(variable(self.env, name, DEFAULT_UNSAFE), name)

    def _browser(self, name: str, pinned: str) -> list[tuple[int, int]]:
        value = variable(self.env, name, pinned)
        try:
            return list(_plain_list(value))
        except PortListError as error:
            raise UsageError(_list_message(value, source=name, error=error)) from None

    @property
    def tokens(self) -> dict[str, Callable[[], list[tuple[int, int]]]]:
        return {
            "{chrome}": lambda: self._browser("PORT4ME_EXCLUDE_UNSAFE_CHROME", CHROME_2022_10_24),
            "{firefox}": lambda: self._browser("PORT4ME_EXCLUDE_UNSAFE_FIREFOX", FIREFOX_2022_10_24),
        }


_PARSED: dict[str, tuple[tuple[int, int], ...]] = {}


def _plain_list(text: str) -> tuple[tuple[int, int], ...]:
    """A token-free port list, parsed once: the browser lists are the same on every call."""
    parsed = _PARSED.get(text)
    if parsed is None:
        if len(_PARSED) > 32:
            _PARSED.clear()
        parsed = _PARSED[text] = tuple(parse_port_list(text, None))
    return parsed


def variable(env: Mapping[str, object], name: str, default: str = "") -> str:
    """The environment variable's value, or ``default`` when it is not set; it must be a string."""
    value = env.get(name, default)
    if not isinstance(value, str):
        raise UsageError(f"invalid {name} value {shown(value)}: expected a string")
    return value


def _list_message(value: str, source: str, error: PortListError) -> str:
    # The error quotes the offending item; quote the whole value only if it says more.
    if error.item == value:
        return f"invalid {source} value: {error}"
    return f"invalid {source} value {quote(value)}: {error}"


def port_list(value: str, source: str, tokens: Mapping[str, Callable[[], list[tuple[int, int]]]] | None):
    """Parse a port list from ``source``, or raise UsageError naming the value and the source."""
    try:
        return parse_port_list(value, tokens)
    except PortListError as error:
        raise UsageError(_list_message(value, source, error)) from None


def check_utf8(value: str, source: str) -> str:
    """Reject strings that carry undecodable bytes (surrogate escapes) or lone surrogates."""
    if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise UsageError(f"invalid {source} value {quote(value)}: not valid UTF-8")
    return value


def whole_number(value: object, source: str, low: int, high: int | None) -> int:
    """Parse ``[0-9]+`` (or take an int) and check that it lies in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise UsageError(f"invalid {source} value {shown(value)}: expected a whole number")
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            raise UsageError(f"invalid {source} value {quote(value)}: expected a whole number{_bounds(low, high)}")
        number = _decimal(value)
    else:
        number = value
    if number < low or (high is not None and number > high):
        text = quote(value) if isinstance(value, str) else _number_text(value)
        raise UsageError(f"invalid {source} value {text}: expected a whole number{_bounds(low, high)}")
    return number


def _number_text(number: int) -> str:
    # str() of an int of thousands of digits raises ValueError (CPython's conversion limit).
    return str(number) if -(10**20) < number < 10**20 else "a number of more than 20 digits"


def _decimal(digits: str) -> int:
    """int(digits) without CPython's limit on the length of decimal strings."""
    digits = digits.lstrip("0") or "0"
    number = 0
    for start in range(0, len(digits), 4000):
        chunk = digits[start : start + 4000]
        number = number * 10 ** len(chunk) + int(chunk)
    return number


def _bounds(low: int, high: int | None) -> str:
    return f" of at least {low}" if high is None else f" from {low} to {high}"


def ports_from_iterable(value: object, source: str) -> list[tuple[int, int]]:
    """Ports given as integers (library API); 0 is dropped as in the grammar.

    A ``range`` is read from its bounds and any other iterable one item at a time, so a
    value that is too large is refused before it is built; bytes are not ports.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise UsageError(f"invalid {source} value: bytes are not a port list; give a string or integers")
    if isinstance(value, range) and value.step == 1:
        if len(value) == 0:
            return []
        _check_port(value[0], source)
        _check_port(value[-1], source)
        low = max(value[0], 1)
        return [(low, value[-1])] if low <= value[-1] else []
    try:
        items = iter(value)  # type: ignore[call-overload]
    except TypeError:
        raise UsageError(f"invalid {source} value {shown(value)}: expected a port list or integers") from None
    intervals = []
    for port in items:
        _check_port(port, source)
        if port:
            intervals.append((port, port))
    return intervals


def _check_port(port: object, source: str) -> None:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError(f"invalid {source} value: {shown(port)} is not a port from 0 to 65535")


def cli_label(setting: str) -> str:
    return "--" + setting.replace("_", "-")


def api_label(setting: str) -> str:
    return f"argument {setting!r}"


def resolve(
    options: Mapping[str, object],
    env: Mapping[str, str],
    account_name: Callable[[], str | None],
    label: Callable[[str], str] = cli_label,
    sequence_only: bool = False,
) -> Request:
    """Resolve options and environment into a Request, or raise UsageError (P4M-SET-*).

    With ``sequence_only`` only the settings that shape the sequence are read.
    """
    read = _Reader(options, env, label)
    test = 0 if sequence_only else read.count("test", 1, 65535, 0)
    if test:  # test mode uses only test and the testing switch (P4M-ENV-6)
        return Request(mode="test", test=test, simulated=simulated_busy_ports(env))
    user = read.string("user") or _default_user(env, account_name)
    tool = read.string("tool")
    prepend = ordered_ports(read.ports("prepend"))
    include = read.ports("include")
    exclude = read.ports("exclude") + read.unsafe()
    candidates = CandidateSet.build(include, exclude)
    if candidates.size == 0:
        raise UsageError("no candidate ports: every included port is also excluded")
    fields = {"user": user, "tool": tool, "prepend": prepend, "candidates": candidates}
    fields["skip"] = read.count("skip", 0, None, 0)
    if sequence_only:
        return Request(mode="sequence", **fields)
    count = read.count("list", 1, MAX_LIST, 0)
    if count:
        return Request(mode="list", list=count, **fields)
    max_tries = read.count("max_tries", 1, MAX_TRIES, MAX_TRIES)
    return Request(mode="search", max_tries=max_tries, simulated=simulated_busy_ports(env), **fields)


def _default_user(env: Mapping[str, str], account_name: Callable[[], str | None]) -> str:
    for name in FALLBACK_USER_VARIABLES:
        value = variable(env, name)
        if value:
            return check_utf8(value, name)
    name = account_name()  # the real user ID's entry only: no LNAME, no number (P4M-ENV-3)
    if not name:
        raise UsageError("cannot tell who the user is: the account has no name; set --user or PORT4ME_USER")
    return check_utf8(name, "the account name")


SWITCH_ANY = "any"
SWITCH_EXCEPT = "any-except:"


def simulated_busy_ports(env: Mapping[str, str]) -> frozenset[int] | None:
    """The ports the testing switch makes busy (P4M-CHECK-5), or None for real checks.

    ``any`` gives the empty set: every port counts as free.
    """
    value = variable(env, CHECK_SWITCH)
    if value == "":
        return None
    if value == SWITCH_ANY:
        return frozenset()
    if value.startswith(SWITCH_EXCEPT):
        intervals = port_list(value[len(SWITCH_EXCEPT) :], CHECK_SWITCH, None)
        return frozenset(port for low, high in intervals for port in range(low, high + 1))
    raise UsageError(f"invalid {CHECK_SWITCH} value {quote(value)}: expected 'any' or 'any-except:' and a port list")
