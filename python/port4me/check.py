"""Is a port free (spec section 8, and its generalisation to UDP, one family or one address)."""

from __future__ import annotations

from ._sockets import bind_targets, cannot_bind, socket_module, try_bind
from ._validate import PROTOCOLS, validate_choice, validate_port


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
    targets = bind_targets(family, address)
    kinds = ("tcp", "udp") if protocol == "both" else (protocol,)
    socket = socket_module()
    for kind in kinds:
        for fam, host, required in targets:
            outcome = try_bind(socket, kind, fam, host, port)
            if outcome is None:
                if required:
                    raise cannot_bind(fam, host, address)
                continue
            if not outcome:
                return False
    return True


def probe(family: str, address: str | None) -> None:
    """Raise BadValue unless this host can bind what a check of ``family`` and ``address`` binds.

    Binds UDP port 0 (any port): it asks only whether the address or family exists here.
    """
    socket = socket_module()
    for fam, host, required in bind_targets(family, address):
        if required and try_bind(socket, "udp", fam, host, 0) is None:
            raise cannot_bind(fam, host, address)


def is_port_free(port: int) -> bool:
    """The spec's check (P4M-CHECK-1): TCP, on 0.0.0.0 and, where the host has IPv6, on [::]."""
    return is_free(port)
