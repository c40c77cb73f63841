"""Run a command where name lookups go to a DNS server of our own, on loopback, in a private network.

``isolated(argv)`` (for tests) starts this file as a script under ``unshare --net --mount``:
a new network namespace, whose only interface is its own loopback, so nothing can leave
the machine; and a private mount namespace, where /etc/resolv.conf is bind-mounted to
point at a tiny UDP DNS server this script runs on 127.0.0.1:53. Only that namespace sees
the change. The server answers names whose first label is ``slow`` after ``--delay``
seconds (with 127.0.0.1), which is longer than glibc waits (30 s a try, 5 tries), names
under ``.invalid`` at once with NXDOMAIN, and every other name at once with 127.0.0.1 (A)
or no address (AAAA). A command that waits for a slow lookup therefore runs for minutes
(until glibc gives up), and the hang guard, two minutes, tells it apart from one that ends
at its own timeout of a second or so, however loaded the machine. The lookups are glibc's real
getaddrinfo: nothing is mocked. Needs root and util-linux ``unshare``; without them the
test fails, it does not skip.

Inside, ``{port}`` in the command is replaced by the port of a TCP listener on
127.0.0.1, so a lookup that succeeds leads to a connection that succeeds.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

RESOLV = "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n"  # glibc's most: 30 s a try, 5 tries
GUARD = 120.0  # a hang detector, not a speed limit: a command waiting for the resolver runs 150 s
DELAY = 600.0  # after glibc has given up: a slow name is in effect never answered


def isolated(argv: list[str], delay: float = DELAY, guard: float = GUARD) -> dict:
    """Run ``argv`` in the private network; returns returncode, stdout, stderr, hung, queries."""
    if os.geteuid() != 0:
        pytest.fail("this test needs root, to make a private network and mount namespace (CI runs as root)")
    unshare = shutil.which("unshare")
    if not unshare:
        pytest.fail("this test needs util-linux unshare, to make a private network and mount namespace")
    before = Path("/etc/resolv.conf").read_bytes()
    command = [unshare, "--net", "--mount", "--propagation=private", sys.executable, __file__]
    command += [f"--delay={delay}", f"--guard={guard}", "--", *argv]
    result = subprocess.run(command, capture_output=True, text=True, timeout=guard + 300, check=False)
    assert Path("/etc/resolv.conf").read_bytes() == before, "the host's resolv.conf must never change"
    if result.returncode != 0:
        pytest.fail(f"the isolated network could not be set up: {result.stderr.strip()}")
    return json.loads(result.stdout)


def _question_end(packet: bytes) -> int:
    at = 12
    while packet[at]:
        at += 1 + packet[at]
    return at + 5  # the root label, then QTYPE and QCLASS


def _name(packet: bytes) -> str:
    labels, at = [], 12
    while packet[at]:
        labels.append(packet[at + 1 : at + 1 + packet[at]].decode("ascii", "replace"))
        at += 1 + packet[at]
    return ".".join(labels).lower()


def answer(packet: bytes) -> bytes:
    """The reply to one query: NXDOMAIN under .invalid, else 127.0.0.1 for A and nothing for other types."""
    end = _question_end(packet)
    question = packet[12:end]
    qtype = struct.unpack("!H", packet[end - 4 : end - 2])[0]
    name = _name(packet)
    if name.endswith(".invalid") or name == "invalid":
        return packet[:2] + struct.pack("!HHHHH", 0x8183, 1, 0, 0, 0) + question
    records = b""
    if qtype == 1:
        records = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    return packet[:2] + struct.pack("!HHHHH", 0x8180, 1, 1 if records else 0, 0, 0) + question + records


def serve(sock: socket.socket, delay: float, queries: list[str]) -> None:
    while True:
        packet, peer = sock.recvfrom(4096)
        try:
            name, reply = _name(packet), answer(packet)
        except (IndexError, struct.error):
            continue
        queries.append(name)
        if name.split(".")[0] == "slow":
            later = threading.Timer(delay, sock.sendto, (reply, peer))
            later.daemon = True  # the script's exit must not wait for an answer nobody waits for
            later.start()
        else:
            sock.sendto(reply, peer)


def _text(output: bytes | str | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def _inside(delay: float, guard: float, argv: list[str]) -> int:
    """In the new namespaces: loopback up, our resolv.conf, the DNS server, a listener, the command."""
    interfaces = sorted(name for _, name in socket.if_nameindex())
    if interfaces != ["lo"]:
        sys.exit(f"not a private network namespace: interfaces {interfaces}")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".resolv.conf", delete=False) as conf:
        conf.write(RESOLV)
    subprocess.run(["mount", "--bind", conf.name, "/etc/resolv.conf"], check=True)
    Path(conf.name).unlink()  # the mount keeps the file's contents
    if Path("/etc/resolv.conf").read_text() != RESOLV:
        sys.exit("resolv.conf was not replaced")
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 53))
    queries: list[str] = []
    threading.Thread(target=serve, args=(dns, delay, queries), daemon=True).start()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port = str(listener.getsockname()[1])
        command = [arg.replace("{port}", port) for arg in argv]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=guard, check=False)
            outcome = {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr, "hung": False}
        except subprocess.TimeoutExpired as expired:
            output = {"stdout": _text(expired.stdout), "stderr": _text(expired.stderr)}
            outcome = {"returncode": None, **output, "hung": True}
    outcome.update(queries=list(queries), port=int(port))
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    split = sys.argv.index("--")
    values = dict(arg[2:].split("=", 1) for arg in sys.argv[1:split])
    sys.exit(_inside(float(values["delay"]), float(values["guard"]), sys.argv[split + 1 :]))
