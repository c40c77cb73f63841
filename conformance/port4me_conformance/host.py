"""What this host can do, decided once per run: the facts a report states and the needs it can meet."""

from __future__ import annotations

import errno
import functools
import os
import platform
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import confine

NO_IPV6_CREATE = (errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT)
UNPRIVILEGED_ID = 65534  # nobody / nogroup on most systems (INTERPRETING 2.5)


@functools.cache
def host_has_ipv6() -> bool:
    """P4M-CHECK-6: IPv6 unless creating an IPv6 TCP socket fails with EAFNOSUPPORT or
    EPROTONOSUPPORT, or binding one to [::] fails with EADDRNOTAVAIL."""
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError as error:
        return error.errno not in NO_IPV6_CREATE  # any other failure: the host has IPv6, by the rule
    with sock:
        try:
            sock.bind(("::", 0))
        except OSError as error:
            return error.errno != errno.EADDRNOTAVAIL
    return True


def unprivileged_port_start() -> int:
    """The lowest port an unprivileged user may bind (Linux makes it tunable)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    except (OSError, ValueError):
        return 1024


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@functools.cache
def nameless_id() -> int | None:
    """A user ID that has no entry in the user database and whose number is no group's either."""
    try:
        import grp
        import pwd
    except ImportError:  # pragma: no cover - not POSIX
        return None
    for candidate in range(64999, 60000, -1):
        try:
            pwd.getpwuid(candidate)
            continue
        except KeyError:
            pass
        try:
            grp.getgrgid(candidate)
        except KeyError:
            return candidate
    return None  # pragma: no cover - a host whose every ID is named


def os_name() -> str:
    return f"{platform.system()} {platform.release()}".strip()


@dataclass
class Host:
    """The host facts of a run (INTERPRETING section 9) and the confinements it can apply (2.5)."""

    ipv6: bool = field(default_factory=host_has_ipv6)
    linux: bool = field(default_factory=lambda: sys.platform.startswith("linux"))
    unprivileged_port_start: int = field(default_factory=unprivileged_port_start)
    is_root: bool = field(default_factory=is_root)
    os: str = field(default_factory=os_name)
    seccomp: str = field(default_factory=confine.unavailable)  # "" when seccomp filters can be applied

    def facts(self) -> dict:
        return {
            "os": self.os,
            "ipv6": self.ipv6,
            "root": self.is_root,
            "lowest_unprivileged_port": self.unprivileged_port_start,
            "seccomp": not self.seccomp,
        }
