"""Is a port free (spec section 8, and its generalisation): the one place that binds sockets."""

from __future__ import annotations

import errno
import os

from .errors import UsageError
from .portset import quote

_NO_IPV6 = {errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, getattr(errno, "EPROTONOSUPPORT", -1)}
_NOT_HERE = {errno.EADDRNOTAVAIL, errno.EINVAL}  # an address this machine does not have (or cannot bind)
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


def shown(value: object) -> str:
    """A bad value as an error message shows it, once: text quoted, numbers and bytes as repr, else the type."""
    if isinstance(value, str):
        return quote(value)
    if value is None or isinstance(value, (bool, int, float, bytes)):
        try:
            text = repr(value)
        except ValueError:  # an int with more digits than Python will print
            text = ""
        if 0 < len(text) <= 60:
            return text
    return f"of type {type(value).__name__}"


def _socket_module():
    """The socket API, imported on first use: list mode and --help never need it.

    The C module ``_socket`` has all this check uses; ``socket`` wraps it and imports
    enum and selectors, which would triple the command's start-up cost over bare Python.
    """
    try:
        import _socket

        return _socket
    except ImportError:  # pragma: no cover - every CPython and PyPy build has _socket
        import socket

        return socket


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


def address_family(address: object, argument: str = "address") -> str | None:
    """'ipv4' or 'ipv6' for an IP address literal (IPv6 may carry a %zone), None for None or "" (the wildcard).

    Only literals: a check asks about one local address, and a host name could stand for
    several addresses, or for none of this machine's, and would need a lookup per check.
    """
    if address is None or address == "":
        return None
    if isinstance(address, str):
        socket = _socket_module()
        literal, percent, zone = address.partition("%")
        for family, af in (("ipv4", socket.AF_INET), ("ipv6", socket.AF_INET6)):
            try:
                socket.inet_pton(af, literal)
            except (OSError, ValueError):  # ValueError: surrogates or NUL in the text
                continue
            if percent and (family == "ipv4" or not _interface_exists(socket, zone)):
                break
            return family
    raise BadValue(argument, address, "expected an IP address of this machine, such as 127.0.0.1 or ::1")


def _interface_exists(socket, zone: str) -> bool:
    try:
        if zone.isascii() and zone.isdigit():
            socket.if_indextoname(int(zone))
        else:
            socket.if_nametoindex(zone)
    except (OSError, ValueError, OverflowError):
        return False
    return True


def _targets(family: str, address: str | None) -> list[tuple[str, str, bool]]:
    """(family, address, required) pairs to bind; IPv6 on the wildcard is skipped without IPv6."""
    validate_choice(family, "family", FAMILIES)
    kind = address_family(address)
    if kind:
        if family not in ("both", kind):
            raise BadValue("address", address, f"an {kind} address, but family {family!r} was asked for")
        return [(kind, address, True)]  # type: ignore[list-item]
    targets = []
    if family in ("ipv4", "both"):
        targets.append(("ipv4", "0.0.0.0", True))
    if family in ("ipv6", "both"):
        targets.append(("ipv6", "::", family == "ipv6"))
    return targets


def is_free(port: int, protocol: str = "tcp", family: str = "both", address: str | None = None) -> bool:
    """True if a server could bind ``port`` now, for the protocol(s) and family(ies) asked.

    TCP: bind and listen with SO_REUSEADDR (not on Windows), as a typical server does,
    so TIME_WAIT left by such a server does not count. UDP: bind without SO_REUSEADDR
    (with it, Linux would let two UDP sockets share the port). IPv6 binds set
    IPV6_V6ONLY, so each family is checked on its own. ``address`` checks one local
    address instead of the wildcard. A port the caller may not bind (a privileged port
    for a user without the privilege) is busy. With ``family="both"`` and no IPv6 on
    the host, only IPv4 is checked; asking for ``ipv6`` explicitly there is an error.
    """
    validate_port(port)
    validate_choice(protocol, "protocol", PROTOCOLS)
    targets = _targets(family, address)
    kinds = ("tcp", "udp") if protocol == "both" else (protocol,)
    socket = _socket_module()
    for kind in kinds:
        for fam, host, required in targets:
            outcome = _try_bind(socket, kind, fam, host, port)
            if outcome is None:
                if required:
                    raise _cannot_bind(fam, host, address)
                continue
            if not outcome:
                return False
    return True


def probe(family: str, address: str | None) -> None:
    """Raise BadValue unless this host can bind what a check of ``family`` and ``address`` binds.

    Binds UDP port 0 (any port): it asks only whether the address or family exists here.
    """
    socket = _socket_module()
    for fam, host, required in _targets(family, address):
        if required and _try_bind(socket, "udp", fam, host, 0) is None:
            raise _cannot_bind(fam, host, address)


def _cannot_bind(family: str, host: str, address: str | None) -> BadValue:
    if address:
        return BadValue("address", address, "not an address of this machine")
    return BadValue("family", family, f"this host cannot bind the {family} wildcard address {host}")


def _try_bind(socket, kind: str, family: str, address: str, port: int) -> bool | None:
    """True if bindable, False if not, None if the host has no such family or address."""
    af = socket.AF_INET6 if family == "ipv6" else socket.AF_INET
    try:
        sock = socket.socket(af, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    except OSError as error:
        if af == socket.AF_INET6 and error.errno in _NO_IPV6:
            return None
        raise
    try:
        if kind == "tcp" and os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if af == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind((address, port))
            if kind == "tcp":
                sock.listen(1)
        except OSError as error:
            if error.errno in _NOT_HERE or (af == socket.AF_INET6 and error.errno in _NO_IPV6):
                return None
            return False
        return True
    finally:
        sock.close()


def is_port_free(port: int) -> bool:
    """The spec's check (P4M-CHECK-1): TCP, on 0.0.0.0 and, where the host has IPv6, on [::]."""
    return is_free(port)
