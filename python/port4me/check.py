"""Is a port free (spec section 8): the one place that touches sockets."""

from __future__ import annotations

import errno
import os

_NO_IPV6 = {errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, getattr(errno, "EPROTONOSUPPORT", -1)}


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


def is_port_free(port: int) -> bool:
    """True if a TCP server could listen on ``port`` now (P4M-CHECK-1).

    Binds and listens on 0.0.0.0 with SO_REUSEADDR (not on Windows, where that
    option lets a socket steal a port), then on [::] with IPV6_V6ONLY where the host
    has IPv6.  A port held on any address of either family, or by a socket in a
    state that blocks such a server, is busy; a privileged port the caller may not
    bind is busy too.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be an integer from 1 to 65535, not {port!r}")
    socket = _socket_module()

    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as error:
            if family == socket.AF_INET6 and error.errno in _NO_IPV6:
                continue  # no IPv6 on this host: only the IPv4 check applies
            raise
        try:
            if os.name != "nt":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind((address, port))
                sock.listen(1)
            except OSError as error:
                if family == socket.AF_INET6 and error.errno in _NO_IPV6:
                    continue
                return False
        finally:
            sock.close()
    return True


def any_port_is_free(port: int) -> bool:
    """The testing switch _PORT4ME_CHECK_AVAILABLE_PORTS_=any: every port counts as free."""
    return True
