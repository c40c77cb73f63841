"""Is a port free (spec section 8, and its generalisation): the one place that binds sockets."""

from __future__ import annotations

import errno
import os

from .errors import UsageError

_NO_IPV6 = {errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, getattr(errno, "EPROTONOSUPPORT", -1)}
PROTOCOLS = ("tcp", "udp", "both")
FAMILIES = ("ipv4", "ipv6", "both")


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


def validate_port(port: object) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise UsageError(f"port must be an integer from 1 to 65535, not {port!r}")
    return port


def _targets(family: str, address: str | None) -> list[tuple[str, str, bool]]:
    """(family, address, required) pairs to bind; IPv6 on the wildcard is skipped without IPv6."""
    if family not in FAMILIES:
        raise UsageError(f"family must be one of {', '.join(FAMILIES)}, not {family!r}")
    if address:
        kind = "ipv6" if ":" in address else "ipv4"
        if family not in ("both", kind):
            raise UsageError(f"address {address!r} is not an {family} address")
        return [(kind, address, True)]
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
    if protocol not in PROTOCOLS:
        raise UsageError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    targets = _targets(family, address)
    kinds = ("tcp", "udp") if protocol == "both" else (protocol,)
    socket = _socket_module()
    for kind in kinds:
        for fam, host, required in targets:
            outcome = _try_bind(socket, kind, fam, host, port)
            if outcome is None:
                if required:
                    raise UsageError(f"this host cannot bind {fam} address {host!r}")
                continue
            if not outcome:
                return False
    return True


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
            if error.errno == errno.EADDRNOTAVAIL or (af == socket.AF_INET6 and error.errno in _NO_IPV6):
                return None
            return False
        return True
    finally:
        sock.close()


def is_port_free(port: int) -> bool:
    """The spec's check (P4M-CHECK-1): TCP, on 0.0.0.0 and, where the host has IPv6, on [::]."""
    return is_free(port)


def any_port_is_free(port: int) -> bool:
    """The testing switch _PORT4ME_CHECK_AVAILABLE_PORTS_=any: every port counts as free."""
    return True
