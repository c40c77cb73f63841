"""Command-line extensions (spec section 10): options beyond v1, each with its own output.

Every value is validated, and every combination checked, before anything runs: an
extension option that would have no effect in the mode asked for is a usage error
naming both options, never silently ignored.
"""

from __future__ import annotations

from ._errors import Port4meError, UsageError
from ._quote import quote
from ._settings import cli_label, whole_number
from ._sockets import address_family
from ._typing import TYPE_CHECKING
from ._validate import FAMILIES, PROTOCOLS, YEAR, BadValue
from .check import probe

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Mapping

    from ._settings import Request

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
APPLIES = {  # the modifying options each mode takes; any other one given is a usage error
    "who": ("protocol",),
    "wait_free": ("protocol", "family", "address", "timeout", "interval"),
    "wait_open": ("timeout", "interval"),
    "reachable": ("timeout",),
    "test": ("protocol", "family", "address"),
    "search": ("protocol", "family", "address", "lease"),
    "list": (),
}
MODIFIERS = ("protocol", "family", "address", "lease", "timeout", "interval")

HELP = """
Extensions (not part of spec v1; without them the output is exactly v1's):
  --protocol=tcp|udp|both  what --test, the search, --wait-free and --who check
                       (default tcp; both for --who)
  --family=ipv4|ipv6|both  which families --test, the search and --wait-free
                       check (default both)
  --address=ADDR       check one local IP address (127.0.0.1, ::1), not the wildcard
  --lease=SECONDS      skip ports leased by other port4me --lease calls, and lease
                       the port found, so that concurrent callers differ (search only)
  --wait-free=PORT     wait until PORT is free: exit 0, or 1 after --timeout
  --wait-open=HOST:PORT  wait until HOST:PORT accepts TCP connections
  --reachable=HOST:PORT  exit 0 if HOST:PORT accepts a TCP connection, else 1
  --who=PORT           list the sockets on PORT and their processes (reads /proc
                       on Linux, needs psutil elsewhere); exit 0 if any, 1 if none
  --timeout=SECONDS    for --wait-*, --reachable (default 10, 1 for --reachable);
                       the lookup of HOST counts
  --interval=SECONDS   between tries of --wait-* (default 0.1)
SECONDS is written like 5 or 0.5. The four actions (--wait-free, --wait-open,
--reachable, --who) go alone, without v1 options; an option with no effect where
it is given (--timeout without an action, --lease with --list) is an error.
"""


def option(key: str) -> str:
    return "--" + key.replace("_", "-")


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def seconds(value: str, source: str, positive: bool = False) -> float:
    """Seconds on the command line: ASCII ``[0-9]+("."[0-9]+)?``, at least 0 (or above 0), under a year."""
    whole, dot, fraction = value.partition(".")
    number = float(value) if _digits(whole) and (not dot or _digits(fraction)) else -1.0
    if not (0 < number < YEAR if positive else 0 <= number < YEAR):
        low = "more than 0" if positive else "at least 0"
        raise UsageError(f"invalid {source} value {quote(value)}: expected seconds like 5 or 0.5, {low}, under a year")
    return number


def host_port(value: str, source: str) -> tuple[str, int]:
    """HOST:PORT, with an IPv6 address in brackets: [::1]:8080."""
    from .wait import check_host

    host, sep, port = value.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host:
        raise UsageError(f"invalid {source} value {quote(value)}: expected HOST:PORT")
    try:
        check_host(host)
    except BadValue as error:
        raise UsageError(f"invalid {source} value {quote(value)}: {error.reason}") from None
    try:
        return host, whole_number(port, source, 1, 65535)
    except UsageError:  # the v1 grammar; the message quotes the whole value, once
        reason = "expected a port from 1 to 65535 after the colon"
        raise UsageError(f"invalid {source} value {quote(value)}: {reason}") from None


def check_options(values: Mapping[str, str]) -> dict[str, str | None]:
    """--protocol, --family and --address, validated (the address is one of this machine's), as is_free() keywords."""
    protocol = values.get("protocol") or "tcp"
    family = values.get("family") or "both"
    address = values.get("address") or None
    if protocol not in PROTOCOLS:
        raise UsageError(f"invalid --protocol value {quote(protocol)}: expected tcp, udp or both")
    if family not in FAMILIES:
        raise UsageError(f"invalid --family value {quote(family)}: expected ipv4, ipv6 or both")
    try:
        kind = address_family(address)
        if kind and family not in ("both", kind):
            raise UsageError(f"invalid --address value {quote(address)}: an {kind} address, but --family={family}")
        probe(family, address)  # once, first: not for every port of the search
    except BadValue as error:
        text = {"address": address, "family": family}[error.argument]
        raise UsageError(f"invalid {option(error.argument)} value {quote(text)}: {error.reason}") from None
    return {"protocol": protocol, "family": family, "address": address}


def _no_effect(values: Mapping[str, str], mode: str, label: str) -> None:
    for key in MODIFIERS:
        if values.get(key) and key not in APPLIES[mode]:
            raise UsageError(f"{option(key)} has no effect with {label}")


def chosen_action(values: Mapping[str, str], options: Mapping[str, object]) -> str | None:
    """The one action asked for (--who, --wait-free, ...), or None; other combinations are checked here."""
    actions = [key for key in ACTIONS if values.get(key)]
    if len(actions) > 1:
        raise UsageError(f"{option(actions[0])} and {option(actions[1])} cannot be used together")
    if not actions:
        for key in ("timeout", "interval"):
            if values.get(key):
                raise UsageError(f"{option(key)} has no effect without --wait-free, --wait-open or --reachable")
        return None
    action = actions[0]
    if options:  # v1 options shape a search; an action makes none
        name = next(iter(options))
        given = cli_label(name) if name != "tool" else "a tool name (--tool or TOOL)"
        raise UsageError(f"{option(action)} cannot be used with {given}")
    _no_effect(values, action, option(action))
    return action


def search_options(
    values: Mapping[str, str], request: Request, options: Mapping[str, object]
) -> tuple[Callable[[int], bool] | None, float | None]:
    """The check and the lease length for a test or search request; any of them given in list mode is an error."""
    if request.mode != "search":
        given = cli_label(request.mode) if request.mode in options else "PORT4ME_" + request.mode.upper()
        _no_effect(values, request.mode, given)
    lease = seconds(values["lease"], "--lease", positive=True) if values.get("lease") else None
    return checker(values), lease


def checker(values: Mapping[str, str]) -> Callable[[int], bool] | None:
    """The check the extensions ask for, or None for the spec's own."""
    if not any(values.get(name) for name in ("protocol", "family", "address")):
        return None
    from .check import is_free

    options = check_options(values)
    return lambda port: is_free(port, **options)  # type: ignore[arg-type]


def run_action(action: str, values: Mapping[str, str]) -> tuple[int, str]:
    """--who, --wait-free, --wait-open, --reachable: exit 0 yes, 1 no (or timed out), and what to print."""
    text = values[action]
    timeout = seconds(values.get("timeout") or ("1" if action == "reachable" else "10"), "--timeout")
    interval = seconds(values.get("interval") or "0.1", "--interval")
    if action == "who":
        from .who import who_holds

        protocol = values.get("protocol") or "both"
        if protocol not in PROTOCOLS:
            raise UsageError(f"invalid --protocol value {quote(protocol)}: expected tcp, udp or both")
        port = whole_number(text, "--who", 1, 65535)
        holders = who_holds(port, protocol)
        if not holders:
            kinds = "TCP or UDP" if protocol == "both" else protocol.upper()
            raise Port4meError(f"no {kinds} socket is on port {port}")
        return 0, "".join(f"{holder}\n" for holder in holders)
    from . import wait

    if action == "wait_free":
        port = whole_number(text, "--wait-free", 1, 65535)
        wait.wait_until_free(port, timeout, interval, **check_options(values))  # type: ignore[arg-type]
        return 0, ""
    host, port = host_port(text, option(action))
    try:
        if action == "wait_open":
            wait.wait_until_open(host, port, timeout, interval)
            return 0, ""
        return (0 if wait.is_reachable(host, port, timeout) else 1), ""
    except BadValue as error:  # the name does not resolve: say so in the option's words
        raise UsageError(f"invalid {option(action)} value {quote(text)}: {error.reason}") from None
