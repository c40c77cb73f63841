"""Finding a free port without port4me's sequence: the OS's choice, the first, or a random one."""

from __future__ import annotations

import random

from .check import _socket_module, is_free, validate_port
from .errors import NoFreePortError, UsageError


def os_free_port(protocol: str = "tcp", family: str = "ipv4", address: str | None = None) -> int:
    """A port the operating system hands out as free (bind to port 0), checked as ``is_free`` does.

    The OS answers for one family; the port is re-checked for every protocol and family asked.
    """
    socket = _socket_module()
    af = socket.AF_INET6 if family == "ipv6" or (address and ":" in address) else socket.AF_INET
    kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
    local = address or ("::" if af == socket.AF_INET6 else "0.0.0.0")
    for _ in range(64):
        sock = socket.socket(af, kind)
        try:
            sock.bind((local, 0))
            port = sock.getsockname()[1]
        finally:
            sock.close()
        if is_free(port, protocol, family, address):
            return port
    raise NoFreePortError("the operating system offered no port that stayed free")


def _span(low: int, high: int) -> range:
    validate_port(low)
    validate_port(high)
    if low > high:
        raise UsageError(f"range {low}-{high} is reversed")
    return range(low, high + 1)


def first_free(low: int, high: int, protocol: str = "tcp", family: str = "both", address: str | None = None) -> int:
    """The lowest port in [low, high] that is free."""
    for port in _span(low, high):
        if is_free(port, protocol, family, address):
            return port
    raise NoFreePortError(f"no free port in {low}-{high}")


def random_free(
    low: int,
    high: int,
    protocol: str = "tcp",
    family: str = "both",
    address: str | None = None,
    rng: random.Random | None = None,
) -> int:
    """A port drawn at random from [low, high], uniformly among the free ones; each port is tried once."""
    ports = list(_span(low, high))
    (rng or random.SystemRandom()).shuffle(ports)
    for port in ports:
        if is_free(port, protocol, family, address):
            return port
    raise NoFreePortError(f"no free port in {low}-{high}")
