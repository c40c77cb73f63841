"""Reachability and waiting: is host:port accepting connections, wait until free or open.

Every call here is bounded by its timeout, name lookup included. getaddrinfo cannot be
interrupted, so a lookup runs in a daemon thread that the call stops waiting for at
the deadline: neither the call nor the interpreter's exit waits for a slow resolver.
"""

from __future__ import annotations

import socket
import time

from ._typing import TYPE_CHECKING
from ._validate import BadValue, validate_port, validate_seconds
from .check import is_free

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable

_NO_SUCH_NAME = {
    getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY") if hasattr(socket, name)
}  # a name that does not exist; EAI_AGAIN and EAI_FAIL are resolver trouble, which may pass


def check_host(host: object, argument: str = "host") -> str:
    """A host name or address literal that getaddrinfo can be asked about (IDNA-encodable text)."""
    if not isinstance(host, str) or not host:
        raise BadValue(argument, host, "expected a host name or IP address")
    try:
        host.encode("idna")  # what getaddrinfo does first; it fails on surrogates, NUL, empty or long labels
    except UnicodeError:
        raise BadValue(argument, host, "not a valid host name") from None
    if "\0" in host:
        raise BadValue(argument, host, "not a valid host name")
    return host


def _lookup(host: str, port: int, timeout: float) -> list[tuple]:
    """getaddrinfo in a daemon thread; [] if it has not answered within ``timeout`` or cannot now.

    A name that does not exist is bad input (BadValue); a temporary failure is no answer.
    An address literal is parsed at once, with no lookup and no thread.
    """
    import queue
    import threading

    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except OSError:
        pass  # a name: look it up

    answers: queue.SimpleQueue = queue.SimpleQueue()

    def ask() -> None:
        try:
            answers.put(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as error:  # gaierror is an OSError
            answers.put(error)

    threading.Thread(target=ask, name=f"port4me lookup {host}", daemon=True).start()
    try:
        answer = answers.get(timeout=timeout)
    except queue.Empty:
        return []
    if isinstance(answer, socket.gaierror) and answer.errno in _NO_SUCH_NAME:
        raise BadValue("host", host, f"the name does not resolve ({answer.strerror})")
    return [] if isinstance(answer, OSError) else answer


def _connect_any(addresses: list[tuple], deadline: float) -> bool:
    """True if a TCP connection to one of ``addresses`` succeeds before ``deadline``."""
    for family, kind, proto, _, address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        with socket.socket(family, kind, proto) as sock:
            sock.settimeout(remaining)
            try:
                sock.connect(address)
                return True
            except OSError:
                continue
    return False


def is_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    """True if a TCP connection to ``host:port`` succeeds, trying every address the name resolves to.

    ``timeout`` bounds the whole call, name resolution included: the addresses share it.
    A name that does not exist raises UsageError; a resolver too slow to answer is "not reachable".
    """
    check_host(host)
    validate_port(port)
    deadline = time.monotonic() + validate_seconds(timeout, "timeout")
    return _connect_any(_lookup(host, port, timeout), deadline)


def _wait(condition: Callable[[], bool], what: str, timeout: float, interval: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(min(interval, remaining))


def _free_condition(port: int, check: dict[str, str]) -> tuple[Callable[[], bool], str]:
    unknown = set(check) - {"protocol", "family", "address"}
    if unknown:
        name = sorted(unknown)[0]
        raise BadValue(name, check[name], "not a check option: expected protocol, family or address")
    is_free(port, **check)  # validates port, protocol, family and address before any waiting
    return (lambda: is_free(port, **check)), f"port {port} is free"


def _open_condition(host: str, port: int, timeout: float, interval: float) -> tuple[Callable[[], bool], str]:
    """Resolve once, within the wait's own deadline, then try to connect until it succeeds.

    A name that does not exist is reported by the first try, before any waiting.
    """
    check_host(host)
    validate_port(port)
    deadline = time.monotonic() + timeout
    attempt = min(max(interval, 0.05), 1.0)
    addresses: list[tuple] = []

    def condition() -> bool:
        if not addresses:
            addresses.extend(_lookup(host, port, max(deadline - time.monotonic(), 0.0)))
        return bool(addresses) and _connect_any(addresses, min(time.monotonic() + attempt, deadline))

    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # an IPv6 address, as it is written
    return condition, f"{where} accepts connections"


def _times(timeout: object, interval: object) -> tuple[float, float]:
    return validate_seconds(timeout, "timeout"), validate_seconds(interval, "interval")


def wait_until_free(port: int, timeout: float = 10.0, interval: float = 0.1, **check: str) -> None:
    """Return once ``port`` is free (``is_free`` with ``check``), or raise TimeoutError after ``timeout``."""
    timeout, interval = _times(timeout, interval)
    _wait(*_free_condition(port, check), timeout, interval)


def wait_until_open(host: str, port: int, timeout: float = 10.0, interval: float = 0.1) -> None:
    """Return once ``host:port`` accepts TCP connections, or raise TimeoutError after ``timeout``.

    ``timeout`` bounds the whole wait, name resolution included.
    """
    timeout, interval = _times(timeout, interval)
    _wait(*_open_condition(host, port, timeout, interval), timeout, interval)


async def _wait_async(condition: Callable[[], bool], what: str, timeout: float, interval: float) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await loop.run_in_executor(None, condition):
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"timed out after {timeout:g} s waiting until {what}")
        await asyncio.sleep(min(interval, remaining))


async def async_wait_until_free(port: int, timeout: float = 10.0, interval: float = 0.1, **check: str) -> None:
    """The asyncio form of ``wait_until_free``: the checks run in the loop's executor."""
    timeout, interval = _times(timeout, interval)
    await _wait_async(*_free_condition(port, check), timeout, interval)


async def async_wait_until_open(host: str, port: int, timeout: float = 10.0, interval: float = 0.1) -> None:
    """The asyncio form of ``wait_until_open``."""
    timeout, interval = _times(timeout, interval)
    await _wait_async(*_open_condition(host, port, timeout, interval), timeout, interval)
