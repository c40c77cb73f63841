"""Finding a free port without port4me's sequence: the OS's choice, the first, or a random one."""

from __future__ import annotations

import random

from ._errors import NoFreePortError
from ._sockets import NOT_HERE, address_family, bind_targets, socket_module
from ._validate import PROTOCOLS, BadValue, validate_choice, validate_port
from .check import is_free


def os_free_port(protocol: str = "tcp", family: str = "ipv4", address: str | None = None) -> int:
    """A port the operating system hands out as free (bind to port 0), checked as ``is_free`` does.

    The OS answers for one family; the port is re-checked for every protocol and family asked.
    """
    validate_choice(protocol, "protocol", PROTOCOLS)
    bind_targets(family, address)  # the family is known and agrees with the address
    socket = socket_module()
    af = socket.AF_INET6 if (address_family(address) or family) == "ipv6" else socket.AF_INET
    kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
    local = address or ("::" if af == socket.AF_INET6 else "0.0.0.0")
    for _ in range(64):
        sock = socket.socket(af, kind)
        try:
            sock.bind((local, 0))
            port = sock.getsockname()[1]
        except OSError as error:
            if error.errno in NOT_HERE:
                raise BadValue("address", address, "not an address of this machine") from None
            raise
        finally:
            sock.close()
        if is_free(port, protocol, family, address):
            return port
    raise NoFreePortError("the operating system offered no port that stayed free")


def _span(low: int, high: int) -> range:
    validate_port(low, "low")
    if validate_port(high, "high") < low:
        raise BadValue("high", high, f"below low, {low}: the range is reversed")
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
    if rng is not None and not isinstance(rng, random.Random):
        raise BadValue("rng", rng, "expected a random.Random")
    (rng or random.SystemRandom()).shuffle(ports)
    for port in ports:
        if is_free(port, protocol, family, address):
            return port
    raise NoFreePortError(f"no free port in {low}-{high}")
