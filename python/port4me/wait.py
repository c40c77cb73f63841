"""Reachability and waiting: is host:port accepting connections, wait until free or open."""

from __future__ import annotations

import socket
import time

from .check import is_free, validate_port
from .errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable


def _seconds(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or value == float("inf"):
        raise UsageError(f"{name} must be a finite number of seconds, at least 0, not {value!r}")
    return float(value)


def _addresses(host: str, port: int, timeout: float | None = None) -> list[tuple]:
    """Resolve ``host``; a name that does not resolve is bad input, a resolver too slow is no answer."""
    if not isinstance(host, str) or not host:
        raise UsageError(f"host must be a non-empty string, not {host!r}")
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as Slow

    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM).result(timeout)
    except socket.gaierror as error:
        raise UsageError(f"cannot resolve host {host!r}: {error.strerror}") from None
    except Slow:
        return []
    finally:
        pool.shutdown(wait=False)


def is_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    """True if a TCP connection to ``host:port`` succeeds, trying every address the name resolves to.

    ``timeout`` bounds the whole call, name resolution included: the addresses share it.
    """
    validate_port(port)
    deadline = time.monotonic() + _seconds(timeout, "timeout")
    for family, kind, proto, _, address in _addresses(host, port, timeout):
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


def _wait(condition: Callable[[], bool], what: str, timeout: float, interval: float) -> None:
    deadline = time.monotonic() + _seconds(timeout, "timeout")
    pause = _seconds(interval, "interval")
    while not condition():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(min(pause, remaining))


def _free_condition(port: int, check: dict[str, str]) -> tuple[Callable[[], bool], str]:
    is_free(port, **check)  # validates port, protocol, family and address before any waiting
    return (lambda: is_free(port, **check)), f"port {port} is free"


def _open_condition(host: str, port: int, timeout: float, interval: float) -> tuple[Callable[[], bool], str]:
    validate_port(port)
    _addresses(host, port)  # a host that does not resolve is bad input, reported before any waiting
    _seconds(timeout, "timeout")
    attempt = min(max(interval, 0.05), 1.0)
    return (lambda: is_reachable(host, port, attempt)), f"{host}:{port} accepts connections"


def wait_until_free(port: int, timeout: float = 10.0, interval: float = 0.1, **check: str) -> None:
    """Return once ``port`` is free (``is_free`` with ``check``), or raise TimeoutError after ``timeout``."""
    _wait(*_free_condition(port, check), timeout, interval)


def wait_until_open(host: str, port: int, timeout: float = 10.0, interval: float = 0.1) -> None:
    """Return once ``host:port`` accepts TCP connections, or raise TimeoutError after ``timeout``."""
    _wait(*_open_condition(host, port, timeout, interval), timeout, interval)


async def _wait_async(condition: Callable[[], bool], what: str, timeout: float, interval: float) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + _seconds(timeout, "timeout")
    pause = _seconds(interval, "interval")
    while not await loop.run_in_executor(None, condition):
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"timed out after {timeout:g} s waiting until {what}")
        await asyncio.sleep(min(pause, remaining))


async def async_wait_until_free(port: int, timeout: float = 10.0, interval: float = 0.1, **check: str) -> None:
    """The asyncio form of ``wait_until_free``: the checks run in the loop's executor."""
    await _wait_async(*_free_condition(port, check), timeout, interval)


async def async_wait_until_open(host: str, port: int, timeout: float = 10.0, interval: float = 0.1) -> None:
    """The asyncio form of ``wait_until_open``."""
    await _wait_async(*_open_condition(host, port, timeout, interval), timeout, interval)
