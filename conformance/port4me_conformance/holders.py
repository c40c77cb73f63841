"""Holding a port the way a check case says, on this machine's own addresses only."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

from .host import host_has_ipv6

__all__ = ["describe", "hold", "is_bindable_now", "pick_free_port", "was_connected"]


def _bindable(port: int) -> bool:
    families = [(socket.AF_INET, "0.0.0.0")] + ([(socket.AF_INET6, "::")] if host_has_ipv6() else [])
    for family, address in families:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind((address, port))
                sock.listen(1)
            except OSError:
                return False
    return True


def pick_free_port(avoid: set[int], low: int | None = None, high: int | None = None) -> int:
    """A port that nothing holds on either family now: as the OS hands them out, or the highest in [low, high]."""
    candidates = (_os_port() for _ in range(200)) if low is None else range(high or low, low - 1, -1)
    for port in candidates:
        if port not in avoid and _bindable(port):
            return port
    raise RuntimeError("cannot find a free port to use in a check case")


def _os_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


@contextlib.contextmanager
def hold(spec: dict, port: int) -> Iterator[list[socket.socket]]:
    """Hold ``port`` as ``spec`` describes for the duration of the block; yields the sockets."""
    kind = spec["kind"]
    held: list[socket.socket] = []
    try:
        if kind == "listen":
            held.append(_socket(spec["address"], port, spec.get("v6only"), reuse=False, listen=True))
        elif kind == "bound":
            held.append(_socket(spec["address"], port, None, reuse=spec.get("reuseaddr", False), listen=False))
        elif kind == "udp":
            sock = socket.socket(_family(spec["address"]), socket.SOCK_DGRAM)
            held.append(sock)
            sock.bind((spec["address"], port))
        elif kind == "time_wait":
            _leave_time_wait(port, spec.get("reuseaddr", False))
        elif kind != "none":
            raise ValueError(f"unknown hold kind {kind!r}")
        yield held
    finally:
        for sock in held:
            sock.close()


def _socket(address: str, port: int, v6only: bool | None, reuse: bool, listen: bool) -> socket.socket:
    sock = socket.socket(_family(address), socket.SOCK_STREAM)
    try:
        if reuse:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if v6only is not None:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
        sock.bind((address, port))
        if listen:
            sock.listen(8)
    except OSError:
        sock.close()
        raise
    return sock


def _leave_time_wait(port: int, reuse: bool) -> None:
    """Make a server-side connection on ``port`` close first, leaving it in TIME_WAIT."""
    server = _socket("127.0.0.1", port, None, reuse=reuse, listen=True)
    with server, socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        accepted, _ = server.accept()
        accepted.close()  # the active close: TIME_WAIT stays on the server's side
        with contextlib.suppress(OSError):
            client.recv(1)


def was_connected(held: list[socket.socket]) -> bool:
    """True if any held listener has a connection waiting: someone connected to it."""
    for sock in held:
        sock.setblocking(False)
        try:
            connection, _ = sock.accept()
        except (BlockingIOError, OSError):
            continue
        connection.close()
        return True
    return False


def is_bindable_now(port: int) -> bool:
    """After the implementation exits: could a server listen on the port? (P4M-CHECK-2)."""
    return _bindable(port)


def describe(spec: dict) -> str:
    """How a case holds {port}, for a person reproducing it."""
    kind, address = spec["kind"], spec.get("address", "")
    reuse = "with" if spec.get("reuseaddr") else "without"
    if kind == "listen":
        v6only = "" if "v6only" not in spec else f" (IPV6_V6ONLY {'on' if spec['v6only'] else 'off'})"
        return f"held by a TCP listener on {address}{v6only}"
    if kind == "bound":
        return f"held by a TCP socket bound on {address}, not listening, {reuse} SO_REUSEADDR"
    if kind == "time_wait":
        return f"left in TIME_WAIT by a listener on 127.0.0.1 {reuse} SO_REUSEADDR"
    if kind == "udp":
        return f"held by a UDP socket bound on {address}"
    return "not held"
