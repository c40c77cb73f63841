"""Command-line extensions (spec section 10): options beyond v1, each with its own output."""

from __future__ import annotations

from .check import FAMILIES, PROTOCOLS
from .errors import UsageError
from .portset import quote
from .settings import whole_number

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Mapping
    from typing import TextIO

OPTIONS = {
    "--protocol": "protocol",
    "--family": "family",
    "--address": "address",
    "--lease": "lease",
    "--wait-free": "wait_free",
    "--wait-open": "wait_open",
    "--reachable": "reachable",
    "--who": "who",
    "--timeout": "timeout",
    "--interval": "interval",
}
ACTIONS = ("who", "wait_free", "wait_open", "reachable")

HELP = """
Extensions (not part of spec v1; without them the output is exactly v1's):
  --protocol=tcp|udp|both  what --test, the search and --wait-free check (default tcp)
  --family=ipv4|ipv6|both  which families they check (default both)
  --address=ADDR       check one local address instead of the wildcard
  --lease=SECONDS      skip ports leased by other port4me --lease calls, and lease
                       the port found, so that concurrent callers differ
  --wait-free=PORT     wait until PORT is free: exit 0, or 1 after --timeout
  --wait-open=HOST:PORT  wait until HOST:PORT accepts TCP connections
  --reachable=HOST:PORT  exit 0 if HOST:PORT accepts a TCP connection, else 1
  --who=PORT           list the sockets on PORT and their processes (needs psutil);
                       exit 0 if any, 1 if none
  --timeout=SECONDS    for --wait-*, --reachable (default 10, 1 for --reachable)
  --interval=SECONDS   between tries of --wait-* (default 0.1)
"""


def seconds(value: str, option: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not (0 <= number < 86400 * 366):
        raise UsageError(f"invalid {option} value {quote(value)}: expected seconds from 0 to a year")
    return number


def lease_seconds(value: object, source: str) -> float:
    """A lease's length: seconds, more than 0 and less than a year."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(value, bool) or not 0 < seconds < 86400 * 366:
        raise UsageError(f"invalid {source} value {value!r}: expected seconds, more than 0 and less than a year")
    return seconds


def host_port(value: str, option: str) -> tuple[str, int]:
    """HOST:PORT, with an IPv6 address in brackets: [::1]:8080."""
    host, sep, port = value.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host:
        raise UsageError(f"invalid {option} value {quote(value)}: expected HOST:PORT")
    return host, whole_number(port, option, 1, 65535)


def check_options(values: Mapping[str, str]) -> dict[str, str | None]:
    """--protocol, --family and --address, validated, as is_free() keywords."""
    protocol = values.get("protocol") or "tcp"
    family = values.get("family") or "both"
    if protocol not in PROTOCOLS:
        raise UsageError(f"invalid --protocol value {quote(protocol)}: expected tcp, udp or both")
    if family not in FAMILIES:
        raise UsageError(f"invalid --family value {quote(family)}: expected ipv4, ipv6 or both")
    return {"protocol": protocol, "family": family, "address": values.get("address") or None}


def checker(values: Mapping[str, str]) -> Callable[[int], bool] | None:
    """The check the extensions ask for, or None for the spec's own."""
    if not any(values.get(name) for name in ("protocol", "family", "address")):
        return None
    from .check import is_free

    options = check_options(values)
    return lambda port: is_free(port, **options)  # type: ignore[arg-type]


def run_action(values: Mapping[str, str], stdout: TextIO) -> int:
    """--who, --wait-free, --wait-open, --reachable: exit 0 yes, 1 no (or timed out)."""
    timeout_default = "1" if values.get("reachable") else "10"
    timeout = seconds(values.get("timeout") or timeout_default, "--timeout")
    interval = seconds(values.get("interval") or "0.1", "--interval")
    if values.get("who"):
        from .who import who_holds

        holders = who_holds(whole_number(values["who"], "--who", 1, 65535), values.get("protocol") or "both")
        stdout.write("".join(f"{holder}\n" for holder in holders))
        return 0 if holders else 1
    from . import wait

    if values.get("wait_free"):
        port = whole_number(values["wait_free"], "--wait-free", 1, 65535)
        wait.wait_until_free(port, timeout, interval, **check_options(values))  # type: ignore[arg-type]
    elif values.get("wait_open"):
        wait.wait_until_open(*host_port(values["wait_open"], "--wait-open"), timeout, interval)
    else:
        return 0 if wait.is_reachable(*host_port(values["reachable"], "--reachable"), timeout) else 1
    return 0
