"""The port toolkit (issue 5 extensions), on real sockets of this machine only."""

from __future__ import annotations

import asyncio
import errno
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import port4me
from port4me import NoFreePortError, UsageError
from port4me.check import is_free
from port4me.find import first_free, os_free_port, random_free
from port4me.hold import bind_port4me, with_free_port
from port4me.lease import release
from port4me.wait import (
    async_wait_until_free,
    async_wait_until_open,
    is_reachable,
    wait_until_free,
    wait_until_open,
)
from port4me.who import who_holds

from .conftest import HANG_GUARD, run

BIN = Path(sys.executable).parent


def listener(address="0.0.0.0", port=0, v6only=None, kind=socket.SOCK_STREAM, reuse=False):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, kind)
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
    sock.bind((address, port))
    if kind == socket.SOCK_STREAM:
        sock.listen(8)
    return sock


def fresh_port() -> int:
    """A port free on both families now. Another process could take it before the test binds it,
    but the suite runs in a network namespace of its own where it can (conftest.py), so none can."""
    return os_free_port(family="both")


@pytest.mark.parametrize(
    ("hold", "expected"),
    [
        # (how the port is held) -> is_free for family=ipv4, ipv6, both; and the spec's check
        ({"address": "0.0.0.0"}, (False, True, False)),
        ({"address": "127.0.0.1"}, (False, True, False)),
        ({"address": "::", "v6only": True}, (True, False, False)),
        ({"address": "::", "v6only": False}, (False, False, False)),
        ({"address": "::1"}, (True, False, False)),
    ],
)
def test_families(hold, expected):
    port = fresh_port()
    with listener(port=port, **hold):
        got = tuple(is_free(port, family=family) for family in ("ipv4", "ipv6", "both"))
        assert got == expected
        assert port4me.is_port_free(port) is expected[2]
    assert is_free(port, family="both")


def test_one_local_address():
    port = fresh_port()
    with listener("127.0.0.1", port):
        assert not is_free(port, address="127.0.0.1")
        assert is_free(port, address="127.0.0.2")  # another loopback address is not held
        assert not is_free(port)
    with pytest.raises(UsageError, match="an ipv4 address, but family 'ipv6'"):
        is_free(port, family="ipv6", address="127.0.0.1")
    with pytest.raises(UsageError, match="not an address of this machine"):
        is_free(port, address="192.0.2.1")  # TEST-NET-1: not an address of this machine; nothing is sent


def test_udp_and_tcp_are_separate():
    port = fresh_port()
    with listener("0.0.0.0", port, kind=socket.SOCK_DGRAM):
        assert is_free(port, protocol="tcp")
        assert not is_free(port, protocol="udp")
        assert not is_free(port, protocol="both")


def _time_wait(port: int, reuse: bool) -> None:
    server = listener("127.0.0.1", port, reuse=reuse)
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()
    client.recv(1)
    client.close()
    server.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pins Linux TIME_WAIT semantics")
def test_time_wait_and_bound_not_listening():
    port = fresh_port()
    _time_wait(port, reuse=False)
    assert not is_free(port, family="ipv4")  # the server that left it did not set SO_REUSEADDR
    assert is_free(port, family="ipv6") and not is_free(port)
    port = fresh_port()
    _time_wait(port, reuse=True)
    assert is_free(port, family="ipv4") and is_free(port)
    port = fresh_port()
    with socket.socket() as bound:
        bound.bind(("0.0.0.0", port))
        assert not is_free(port, family="ipv4")
        assert is_free(port, family="ipv6") and not is_free(port)
    with socket.socket() as bound:
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        bound.bind(("0.0.0.0", port))
        assert is_free(port)  # a server setting SO_REUSEADDR could still listen here


def test_held_by_another_process():
    port = fresh_port()
    code = (
        f"import socket, time; s = socket.socket(); s.bind(('0.0.0.0', {port})); s.listen(); "
        "print('ok', flush=True); time.sleep(600)"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == "ok\n"
            assert not is_free(port)
            holders = who_holds(port)
            assert [(h.protocol, h.state, h.pid) for h in holders] == [("tcp", "LISTEN", child.pid)]
            assert holders[0].process and holders[0].process.startswith("python")
        finally:
            child.kill()


@pytest.mark.skipif(not hasattr(os, "fork") or os.getuid() != 0, reason="needs root to drop to an unprivileged user")
def test_privileged_port_is_busy_for_an_unprivileged_user():
    start = int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    if start <= 1:
        pytest.skip("every port is unprivileged on this host")
    port = start - 1
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, then check with the modules already loaded
        try:
            os.setgid(65534)
            os.setuid(65534)
            busy = [not is_free(port, family=f) for f in ("ipv4", "ipv6", "both")] + [not port4me.is_port_free(port)]
            os._exit(0 if all(busy) else 1)
        except BaseException:  # noqa: BLE001 - a forked child must never return into pytest
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_os_first_and_random_free_ports():
    port = os_free_port()
    assert is_free(port, family="ipv4")
    assert is_free(os_free_port(protocol="udp"), protocol="udp", family="ipv4")
    base = fresh_port()
    base = base if base < 65530 else 20000
    held = [listener("0.0.0.0", p) for p in (base, base + 1) if is_free(p)]
    try:
        found = first_free(base, base + 5)
        assert found >= base + len(held) and is_free(found)
        import random

        picks = {random_free(base, base + 5, rng=random.Random(seed)) for seed in range(30)}
        assert picks and not picks & {s.getsockname()[1] for s in held}
        for sock in held:
            with pytest.raises(NoFreePortError):
                first_free(sock.getsockname()[1], sock.getsockname()[1])
    finally:
        for sock in held:
            sock.close()
    with pytest.raises(UsageError, match="reversed"):
        first_free(10, 5)


def _not_listening() -> socket.socket:
    """A TCP socket bound to a loopback port but not listening: connections to it are refused,
    and no other process can start listening there while it is held."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def _syn_give_up_seconds() -> float:
    """How long Linux keeps resending an unanswered SYN: 1 + 2 + 4 + ... s, tcp_syn_retries times."""
    retries = int(Path("/proc/sys/net/ipv4/tcp_syn_retries").read_text())
    return float(2 ** (retries + 1) - 1)


def test_reachability_and_a_timeout_that_applies():
    with listener("127.0.0.1") as sock:
        port = sock.getsockname()[1]
        assert is_reachable("127.0.0.1", port)
        assert is_reachable("localhost", port)
    with _not_listening() as refusing:
        assert not is_reachable("127.0.0.1", refusing.getsockname()[1], timeout=0.5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's SYN retry setting")
def test_a_connect_that_gets_no_answer_ends_at_the_timeout():
    """A listener whose accept queue is full drops new SYNs: without the timeout, connect waits until
    the kernel gives up (about two minutes by default). The call must end well before that; the bound
    is a hang detector, half the kernel's own give-up time, never a speed limit."""
    give_up = _syn_give_up_seconds()
    if give_up < 60:
        pytest.skip(f"this kernel gives up on a SYN after {give_up:.0f} s: too soon to tell its end from the timeout's")
    with listener("127.0.0.1") as full:
        full.listen(0)
        target = full.getsockname()
        fillers = []
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(target)
            fillers.append(filler)
        time.sleep(0.2)
        answers: list[bool] = []
        call = threading.Thread(target=lambda: answers.append(is_reachable("127.0.0.1", target[1], timeout=0.5)))
        call.start()
        call.join(give_up / 2)
        ended = not call.is_alive()
        for filler in fillers:
            filler.close()
        call.join()
    assert ended, "is_reachable waited for the kernel to give up, not for its timeout"
    assert answers == [False]


def test_wait_until_free_and_open():
    # The waits' own timeouts are hang guards here (minutes): each returns when its condition holds.
    sock = listener("0.0.0.0")
    port = sock.getsockname()[1]
    closed = threading.Event()

    def close():
        sock.close()
        closed.set()

    threading.Timer(0.3, close).start()
    wait_until_free(port, timeout=HANG_GUARD, interval=0.05)
    assert closed.is_set()  # it waited for the holder to go
    with pytest.raises(TimeoutError, match=r"timed out after 0\.2 s"), listener("0.0.0.0", port):
        wait_until_free(port, timeout=0.2, interval=0.05)
    later: list[socket.socket] = []
    threading.Timer(0.3, lambda: later.append(listener("127.0.0.1", port))).start()
    wait_until_open("127.0.0.1", port, timeout=HANG_GUARD, interval=0.05)
    assert later  # it waited for the listener to come
    later[0].close()
    with pytest.raises(TimeoutError):
        wait_until_open("127.0.0.1", port, timeout=0.2, interval=0.05)


def test_async_forms():
    async def scenario(port):
        holder = listener("0.0.0.0", port)
        asyncio.get_running_loop().call_later(0.2, holder.close)
        await async_wait_until_free(port, timeout=HANG_GUARD, interval=0.05)  # the timeout: a hang guard
        assert holder.fileno() == -1  # it waited for the holder to close
        opened = listener("127.0.0.1", port)
        try:
            await async_wait_until_open("127.0.0.1", port, timeout=HANG_GUARD, interval=0.05)
        finally:
            opened.close()
        with pytest.raises(TimeoutError):
            await async_wait_until_open("127.0.0.1", port, timeout=0.2, interval=0.05)

    asyncio.run(scenario(fresh_port()))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: is_free(0), "from 1 to 65535"),
        (lambda: is_free(70000), "from 1 to 65535"),
        (lambda: is_free(80, protocol="sctp"), "argument 'protocol' value 'sctp'"),
        (lambda: is_free(80, family="ipx"), "argument 'family' value 'ipx'"),
        (lambda: wait_until_free(80, timeout=-1), "argument 'timeout' value -1"),
        (lambda: wait_until_open("127.0.0.1", 80, interval=float("nan")), "argument 'interval' value nan"),
        (lambda: who_holds(0), "from 1 to 65535"),
        (lambda: bind_port4me(max_tries=0), "max_tries"),
        (lambda: port4me.port4me(lease=-5, env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}), "lease"),
    ],
)
def test_bad_input_raises_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bind_port4me_holds_the_first_port_it_can_take():
    busy = listener("0.0.0.0")
    spare = fresh_port()
    try:
        env = {"PORT4ME_USER": "alice"}
        sock = bind_port4me(prepend=[busy.getsockname()[1], spare], env=env)
        with sock:
            assert sock.getsockname()[1] == spare
            assert not is_free(spare)  # held: nobody can take it between finding and using
    finally:
        busy.close()


def test_with_free_port_retries_only_when_the_port_was_taken():
    first, second = fresh_port(), fresh_port()
    while second == first:
        second = fresh_port()
    calls = []

    def serve(port):
        calls.append(port)
        if len(calls) == 1:
            raise OSError(errno.EADDRINUSE, "taken meanwhile")
        return port

    assert with_free_port(serve, prepend=[first, second], env={"PORT4ME_USER": "alice"}) == second
    assert calls == [first, second]

    def broken(port):
        raise OSError(errno.EPERM, "not this")

    with pytest.raises(PermissionError):
        with_free_port(broken, prepend=[first], env={"PORT4ME_USER": "alice"})

    def always_taken(port):
        raise OSError(errno.EADDRINUSE, "taken")

    with pytest.raises(NoFreePortError):
        with_free_port(always_taken, max_tries=3, env={"PORT4ME_USER": "alice"})


def _race_command(tmp_path: Path, extra: list[str]) -> tuple[list[str], dict[str, str]]:
    env = {"PATH": os.environ["PATH"], "PORT4ME_LEASE_DIR": str(tmp_path / "leases")}
    return [str(BIN / "port4me"), "--user=alice", "--tool=race", *extra], env


def _twenty_at_once(tmp_path: Path, extra: list[str]) -> list[int]:
    command, env = _race_command(tmp_path, extra)
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(20)]
    return [int(p.communicate(timeout=HANG_GUARD)[0]) for p in processes]


def test_leases_give_concurrent_processes_different_ports(tmp_path):
    # Without leases every caller is told the same port: nothing records what was handed out.
    # (Run one after another: run at once, a caller may see the port busy only because another
    # caller's own check holds it for an instant, so the outcome would depend on timing.)
    command, env = _race_command(tmp_path, [])
    without = [int(run(command, env=env).stdout) for _ in range(20)]
    assert len(set(without)) == 1
    leased = _twenty_at_once(tmp_path, ["--lease=60"])
    assert len(set(leased)) == 20
    first = leased[0]
    assert release(first, {"PORT4ME_LEASE_DIR": str(tmp_path / "leases")})
    again = port4me.port4me("race", user="alice", lease=60, env={"PORT4ME_LEASE_DIR": str(tmp_path / "leases")})
    assert again == first  # the other 19 are still leased; the released one is the earliest free again
    plain = port4me.port4me("race", user="alice", env={"PORT4ME_LEASE_DIR": str(tmp_path / "leases")})
    assert plain == without[0]  # calls without a lease do not read leases: v1 answers stay the same


def test_who_holds_lists_protocol_address_state_and_process():
    tcp = listener("127.0.0.1")
    port = tcp.getsockname()[1]
    udp = listener("0.0.0.0", port, kind=socket.SOCK_DGRAM)
    try:
        holders = who_holds(port)
        assert [(h.protocol, h.address, h.state, h.pid) for h in holders] == [
            ("tcp", "127.0.0.1", "LISTEN", os.getpid()),
            ("udp", "0.0.0.0", "BOUND", os.getpid()),
        ]
        assert who_holds(port, protocol="udp")[0].protocol == "udp"
        result = run([str(BIN / "port4me"), f"--who={port}"])
        assert result.returncode == 0
        assert result.stdout.splitlines()[0].startswith(f"tcp 127.0.0.1:{port} LISTEN pid {os.getpid()}")
    finally:
        tcp.close()
        udp.close()
    assert who_holds(port) == []


def test_who_holds_backends_agree():
    pytest.importorskip("psutil", reason="the psutil back end needs psutil: pip install 'port4me-kit[who]'")
    tcp = listener("127.0.0.1")
    port = tcp.getsockname()[1]
    udp = listener("::", port, v6only=True, kind=socket.SOCK_DGRAM)
    try:
        from_proc = who_holds(port, backend="proc")
        assert {(h.protocol, h.address) for h in from_proc} == {("tcp", "127.0.0.1"), ("udp", "::")}
        assert who_holds(port, backend="psutil") == from_proc
    finally:
        tcp.close()
        udp.close()


def test_psutil_is_optional(monkeypatch):
    with listener("127.0.0.1") as tcp:
        port = tcp.getsockname()[1]
        monkeypatch.setitem(sys.modules, "psutil", None)  # as if psutil were not installed
        with pytest.raises(port4me.Port4meError, match=r"needs psutil here: pip install 'port4me-kit\[who\]'"):
            who_holds(port, backend="psutil")
        holders = who_holds(port, backend="proc")  # the /proc reader needs no psutil
        assert [(h.protocol, h.address, h.pid) for h in holders] == [("tcp", "127.0.0.1", os.getpid())]


FORKING_SERVER = """
import os, socket, sys, time
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(8)
worker = os.fork()
if worker == 0:
    time.sleep(600)
    os._exit(0)
print(server.getsockname()[1], os.getpid(), worker, flush=True)
time.sleep(600)
"""


def test_who_holds_lists_every_process_sharing_a_socket():
    """A server that forks workers shares its listening socket with them: ss -tlp shows them all, so must we."""
    with subprocess.Popen([sys.executable, "-c", FORKING_SERVER], stdout=subprocess.PIPE, text=True) as parent:
        assert parent.stdout is not None
        port, parent_pid, worker_pid = map(int, parent.stdout.readline().split())
        try:
            expected = sorted([("tcp", "127.0.0.1", "LISTEN", parent_pid), ("tcp", "127.0.0.1", "LISTEN", worker_pid)])
            backends = ["proc"] + (["psutil"] if importlib.util.find_spec("psutil") else [])  # psutil: optional
            for backend in backends:
                holders = who_holds(port, backend=backend)
                assert [(h.protocol, h.address, h.state, h.pid) for h in holders] == expected, backend
            listed = run([str(BIN / "port4me"), f"--who={port}"])
            assert listed.returncode == 0, listed.stderr
            assert sorted(int(line.split()[4]) for line in listed.stdout.splitlines()) == sorted(
                [parent_pid, worker_pid]
            )
        finally:
            os.kill(worker_pid, 9)
            parent.kill()
