"""Sockets for the checks and the toolkit: the socket API, addresses and families, one trial bind.

Shared by ``check`` (is a port free), ``find`` (the operating system's choice) and ``hold``.
"""

from __future__ import annotations

import errno
import os

from ._validate import FAMILIES, BadValue, validate_choice

NO_IPV6 = {errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, getattr(errno, "EPROTONOSUPPORT", -1)}
NOT_HERE = {errno.EADDRNOTAVAIL, errno.EINVAL}  # an address this machine does not have (or cannot bind)
# A bind or listen that fails so means the port is taken or may not be bound: busy (P4M-CHECK-3, P4M-CHECK-7);
# any other failure means the port cannot be checked.
BUSY = {errno.EADDRINUSE, errno.EACCES, errno.EPERM}


def socket_module():
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


def address_family(address: object, argument: str = "address") -> str | None:
    """'ipv4' or 'ipv6' for an IP address literal (IPv6 may carry a %zone), None for None or "" (the wildcard).

    Only literals: a check asks about one local address, and a host name could stand for
    several addresses, or for none of this machine's, and would need a lookup per check.
    """
    if address is None or address == "":
        return None
    if isinstance(address, str):
        socket = socket_module()
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


def bind_targets(family: str, address: str | None) -> list[tuple[str, str, bool]]:
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


def cannot_bind(family: str, host: str, address: str | None) -> BadValue:
    if address:
        return BadValue("address", address, "not an address of this machine")
    return BadValue("family", family, f"this host cannot bind the {family} wildcard address {host}")


def try_bind(socket, kind: str, family: str, address: str, port: int) -> bool | None:
    """True if bindable, False if not, None if the host has no such family or address; raises OSError
    when the port cannot be checked (a socket that cannot be made, a failure that says nothing of the port)."""
    af = socket.AF_INET6 if family == "ipv6" else socket.AF_INET
    try:
        sock = socket.socket(af, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    except OSError as error:
        if af == socket.AF_INET6 and error.errno in NO_IPV6:
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
            if error.errno in NOT_HERE or (af == socket.AF_INET6 and error.errno in NO_IPV6):
                return None
            if error.errno in BUSY:
                return False
            raise  # P4M-CHECK-7: the port cannot be checked, a runtime error
        return True
    finally:
        sock.close()
