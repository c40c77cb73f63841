"""Bind and hold: close the gap between "this port is free" and "my server has it"."""

from __future__ import annotations

import errno
import os
import socket
from itertools import islice

from ._api import port4me_gen
from ._errors import NoFreePortError
from ._sockets import NOT_HERE, address_family
from ._typing import TYPE_CHECKING
from ._validate import BadValue
from .check import is_free

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")

_IN_USE = {errno.EADDRINUSE, errno.EACCES, getattr(errno, "WSAEADDRINUSE", -1)}


def _whole(value: object, argument: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadValue(argument, value, f"expected a whole number from {low} to {high}")
    return value


def _listening_socket(port: int, address: str, backlog: int) -> socket.socket | None:
    family = socket.AF_INET6 if address_family(address) == "ipv6" else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # [::] also takes IPv4
        sock.bind((address, port))
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        if error.errno in _IN_USE:
            return None
        if error.errno in NOT_HERE:
            raise BadValue("address", address, "not an address of this machine") from None
        raise
    return sock


def bind_port4me(
    tool: str | None = None,
    *,
    address: str = "0.0.0.0",
    backlog: int = 128,
    max_tries: int = 100,
    **settings: object,
) -> socket.socket:
    """A socket already listening on the caller's port4me port: the first of the sequence it can take.

    Each port is taken by binding it, so no other process can slip in between the
    check and the bind. On "0.0.0.0" the IPv6 side must be free too (spec P4M-CHECK-1),
    so that a server on [::] cannot shadow it; "::" binds both families at once.
    ``address`` is an IP address literal of this machine. ``settings`` are
    port4me()'s (user, prepend, include, exclude, skip, env).
    """
    if address_family(address) is None:
        raise BadValue("address", address, "expected an IP address of this machine, such as 0.0.0.0 or ::")
    _whole(backlog, "backlog", 0, 65535)
    _whole(max_tries, "max_tries", 1, 65536)
    for port in islice(port4me_gen(tool, **settings), max_tries):  # type: ignore[arg-type]
        if address == "0.0.0.0" and not is_free(port):  # [::] too, where the host has IPv6
            continue
        sock = _listening_socket(port, address, backlog)
        if sock is not None:
            return sock
    raise NoFreePortError(f"no port of the sequence could be bound after {max_tries} tries")


def with_free_port(use: Callable[[int], T], tool: str | None = None, *, max_tries: int = 10, **settings: object) -> T:
    """Call ``use(port)`` with the caller's port4me ports in turn until it does not fail with "in use".

    For servers that must bind the port themselves: when ``use`` raises OSError with
    EADDRINUSE (someone took the port since it was found free), the next free port of
    the sequence is tried, at most ``max_tries`` times. Other errors propagate at once.
    """
    if not callable(use):
        raise BadValue("use", use, "expected a function that takes a port")
    _whole(max_tries, "max_tries", 1, 65536)
    last: OSError | None = None
    tries = 0
    for port in islice(port4me_gen(tool, **settings), 65536):  # type: ignore[arg-type]
        if not is_free(port):
            continue
        try:
            return use(port)
        except OSError as error:
            if error.errno not in _IN_USE:
                raise
            last = error
        tries += 1
        if tries >= max_tries:
            break
    raise NoFreePortError(f"no port could be used: {tries} were taken first, the rest were busy") from last
