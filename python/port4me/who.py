"""Who holds a port: its sockets, with protocol, address, state and owning process."""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from ._errors import Port4meError
from ._quote import escaped
from ._validate import PROTOCOLS, validate_choice, validate_port


class NeedsPsutil(Port4meError):
    """psutil, an optional dependency, is not installed."""

    exit_code = 1


@dataclass(frozen=True)
class Holder:
    """One socket bound to the port; ``process`` is the owner's name as the system gives it.

    Its text form escapes the name (``_quote.escaped``): any local user can name a
    process, with escape sequences that would clear a terminal or forge a line.
    """

    protocol: str
    address: str
    port: int
    state: str
    pid: int | None
    process: str | None

    def __str__(self) -> str:
        where = f"[{self.address}]:{self.port}" if ":" in self.address else f"{self.address}:{self.port}"
        name = escaped(self.process) if self.process else "?"
        owner = f"pid {self.pid} ({name})" if self.pid else "process unknown (not permitted?)"
        return f"{self.protocol} {where} {self.state} {owner}"


_TCP_STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
}


def who_holds(port: int, protocol: str = "both", backend: str = "auto") -> list[Holder]:
    """Every local socket bound to ``port`` (TCP, UDP or both), sorted; process details where the OS allows.

    A socket shared by several processes (a server and its forked workers) is listed
    once per process. On Linux (``backend="proc"``) it reads /proc directly: the port's
    sockets first, then every process's descriptors, comparing only names, to find all
    their owners. Elsewhere (``backend="psutil"``) it asks psutil, an optional dependency.
    """
    validate_port(port)
    validate_choice(protocol, "protocol", PROTOCOLS)
    validate_choice(backend, "backend", ("auto", "proc", "psutil"))
    if backend == "auto":
        backend = "proc" if Path("/proc/net/tcp").exists() else "psutil"
    protocols = ("tcp", "udp") if protocol == "both" else (protocol,)
    found = _from_proc(port, protocols) if backend == "proc" else _from_psutil(port, protocol)
    return sorted(found, key=lambda h: (h.protocol, h.address, h.state, h.pid or 0))


def _address(text: str) -> str:
    raw = bytes.fromhex(text)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))  # the kernel prints 32-bit words
    return socket.inet_ntop(socket.AF_INET6, words)


def _from_proc(port: int, protocols: tuple[str, ...]) -> list[Holder]:
    wanted = f":{port:04X}"
    sockets: list[tuple[str, str, str, str]] = []  # protocol, address, state, inode
    for proto in protocols:
        for table in (proto, proto + "6"):
            try:
                lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                local = fields[1]
                if not local.endswith(wanted):
                    continue
                state = _TCP_STATES.get(fields[3], fields[3]) if proto == "tcp" else "BOUND"
                sockets.append((proto, _address(local[: -len(wanted)]), state, fields[9]))
    owners = _owners({f"socket:[{inode}]" for *_, inode in sockets if inode != "0"})
    holders = []
    for proto, address, state, inode in sockets:
        for pid, name in owners.get(f"socket:[{inode}]", [(None, None)]):
            holders.append(Holder(proto, address, port, state, pid, name))
    return holders


def _owners(links: set[str]) -> dict[str, list[tuple[int, str | None]]]:
    """Every process holding each of these sockets: a forked worker shares its parent's, so none is skipped."""
    owners: dict[str, list[tuple[int, str | None]]] = {}
    if not links:
        return owners
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            descriptors = os.listdir(f"/proc/{entry.name}/fd")  # noqa: PTH208 - hot loop: no Path objects
        except OSError:
            continue  # gone, or not ours to look at
        for fd in descriptors:
            try:
                link = os.readlink(f"/proc/{entry.name}/fd/{fd}")  # noqa: PTH115 - hot loop, as above
            except OSError:
                continue
            if link in links:
                pid = int(entry.name)
                try:  # the kernel ends the name with a newline; the name itself may hold any byte but NUL
                    name: str | None = os.fsdecode(Path(f"/proc/{pid}/comm").read_bytes().removesuffix(b"\n"))
                except OSError:
                    name = None
                if (pid, name) not in owners.setdefault(link, []):
                    owners[link].append((pid, name))
    return owners


def _from_psutil(port: int, protocol: str) -> list[Holder]:
    try:
        import psutil
    except ImportError:
        raise NeedsPsutil("who holds a port needs psutil here: pip install 'port4me-kit[who]'") from None
    kind = "inet" if protocol == "both" else protocol
    found = [(conn, conn.pid) for conn in psutil.net_connections(kind=kind) if conn.laddr and conn.laddr.port == port]
    if found and sys.platform.startswith("linux"):
        # psutil's Linux net_connections() names one process per socket, the first it finds
        # (psutil/_pslinux.py: inodes[inode][0]); each process's own list names every holder.
        found = _per_process(psutil, kind, port) + [(conn, pid) for conn, pid in found if not pid]
    names: dict[int, str | None] = {}
    holders = []
    for conn, pid in found:
        if pid and pid not in names:
            try:
                names[pid] = psutil.Process(pid).name()
            except (psutil.Error, OSError):
                names[pid] = None
        proto = "tcp" if conn.type == socket.SOCK_STREAM else "udp"
        state = conn.status if proto == "tcp" else "BOUND"
        holders.append(Holder(proto, conn.laddr.ip, port, state, pid, names.get(pid) if pid else None))
    return holders


def _per_process(psutil, kind: str, port: int) -> list[tuple[object, int]]:
    """(connection, pid) for every process that holds a socket on ``port``; one entry per socket and process."""
    seen = set()
    found = []
    for process in psutil.process_iter():
        listing = getattr(process, "net_connections", None) or process.connections  # psutil < 6
        try:
            connections = listing(kind=kind)
        except (psutil.Error, OSError):
            continue  # gone, or not ours to look at
        for conn in connections:
            key = (process.pid, conn.type, conn.laddr, conn.raddr, conn.status)
            if conn.laddr and conn.laddr.port == port and key not in seen:
                seen.add(key)
                found.append((conn, process.pid))
    return found
