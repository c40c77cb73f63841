"""Arguments of the toolkit's functions: ports, lengths of time and choices, checked before any work."""

from __future__ import annotations

from ._errors import UsageError
from ._quote import shown

PROTOCOLS = ("tcp", "udp", "both")
FAMILIES = ("ipv4", "ipv6", "both")
YEAR = 86400 * 366
"""Every length of time the toolkit takes is less than this many seconds."""


class BadValue(UsageError):
    """A bad argument to a toolkit function; ``reason`` says why without repeating the value.

    The command line catches it to name its own option instead of the argument.
    """

    def __init__(self, argument: str, value: object, reason: str) -> None:
        super().__init__(f"invalid argument {argument!r} value {shown(value)}: {reason}")
        self.argument = argument
        self.reason = reason


def validate_port(port: object, argument: str = "port") -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise BadValue(argument, port, "a port must be an integer from 1 to 65535")
    return port


def validate_seconds(value: object, argument: str, positive: bool = False) -> float:
    """A length of time: an int or float (not bool), finite, at least 0 (above 0 if ``positive``), under a year."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not (0 < value < YEAR if positive else 0 <= value < YEAR):  # type: ignore[operator]
        low = "more than 0" if positive else "at least 0"
        raise BadValue(argument, value, f"expected seconds (an int or float), {low} and less than a year")
    return float(value)  # type: ignore[arg-type]


def validate_choice(value: object, argument: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise BadValue(argument, value, f"expected {', '.join(choices[:-1])} or {choices[-1]}")
    return value
