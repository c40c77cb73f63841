"""Hypothesis drives the extension options and the toolkit API with arbitrary values (issue 11).

Whatever comes in: exit 2 with one line on stderr (UsageError in the library), or a
documented result; never a traceback, another exception, or a hang (a 20 s alarm is the
hang detector, not a speed limit). Hosts are only loopback literals, localhost, names
under .invalid, or text that is refused before any lookup (it has an empty label), so
nothing beyond this machine and its resolver is contacted. Waits get short or invalid
timeouts only, so that a valid wait ends quickly.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import io
import math
import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import port4me
from port4me import NoFreePortError, UsageError
from port4me.check import is_free
from port4me.cli import main
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

COMMAND = str(Path(sys.executable).parent / "port4me")
GUARD = int(HANG_GUARD)  # a hang detector: each valid wait is given a short timeout
FUZZ = settings(
    max_examples=150, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
LEASES = tempfile.mkdtemp(prefix="port4me-fuzz-")  # private (0700), as a lease folder must be
atexit.register(shutil.rmtree, LEASES, True)

# Values for the command line.
digits = st.from_regex(r"[0-9٠-٩８+_.e -]{0,7}", fullmatch=True)
surrogates = st.text(st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF), min_size=1, max_size=3)
garbage = st.one_of(st.text(max_size=12), digits, surrogates, st.builds(str.__add__, st.text(max_size=4), surrogates))
port_text = st.one_of(st.sampled_from(["1", "80", "40000", "040000", "65535", "0", "65536"]), garbage)
short_seconds = st.one_of(st.sampled_from(["0", "0.05", "00.1"]), garbage)
safe_hosts = st.sampled_from(["127.0.0.1", "[::1]", "localhost", "0.0.0.0", "nothere.invalid", "x.port4me.invalid"])
refused_hosts = st.builds(lambda a, b: f"{a}..{b}", st.text(max_size=6), st.text(max_size=6))  # an empty label
host_port = st.one_of(
    st.builds(lambda host, port: f"{host}:{port}", st.one_of(safe_hosts, refused_hosts), port_text), garbage
)
VALUES = {
    "--protocol": st.one_of(st.sampled_from(["tcp", "udp", "both"]), garbage),
    "--family": st.one_of(st.sampled_from(["ipv4", "ipv6", "both"]), garbage),
    "--address": st.one_of(st.sampled_from(["127.0.0.1", "::1", "0.0.0.0", "192.0.2.1", "nothere"]), garbage),
    "--lease": st.one_of(st.sampled_from(["60", "0.5", "0"]), garbage),
    "--wait-free": port_text,
    "--wait-open": host_port,
    "--reachable": host_port,
    "--who": port_text,
    "--timeout": short_seconds,
    "--interval": short_seconds,
    "--user": st.just("alice"),
    "--list": st.sampled_from(["3", "x"]),
    "--test": port_text,
}
WAITS = ("--wait-free=", "--wait-open=")


@st.composite
def command_lines(draw) -> list[str]:
    names = draw(st.lists(st.sampled_from(sorted(VALUES)), min_size=1, max_size=4))
    argv = [f"{name}={draw(VALUES[name])}" for name in names]
    if any(arg.startswith(WAITS) for arg in argv) and not any(arg.startswith("--timeout=") for arg in argv):
        argv.append(f"--timeout={draw(short_seconds)}")  # a valid wait's default would be 10 s
    return [*argv, *draw(st.lists(st.sampled_from(["jupyter", "--lease=", "--timeout="]), max_size=1))]


def env() -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "PORT4ME_USER": "alice", "PORT4ME_LEASE_DIR": LEASES}


class Hang(Exception):
    pass


@contextlib.contextmanager
def hang_guard():
    def alarm(signum, frame):
        raise Hang(f"still running after {GUARD} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(GUARD)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_outcome(argv: list[str], code: int, stdout: str, stderr: str) -> None:
    assert "Traceback" not in stderr, (argv, stderr)
    assert stderr.count("\n") <= 1 and (stderr == "" or stderr.startswith("port4me: ")), (argv, stderr)
    if code == 2:
        assert stdout == "" and stderr.endswith("\n"), (argv, stdout, stderr)
        named = [arg.partition("=")[0] for arg in argv if arg.startswith("--")]
        assert any(name in stderr for name in named) or "tool name" in stderr, (argv, stderr)
    else:
        assert code in (0, 1), (argv, code, stderr)


@FUZZ
@given(command_lines())
def test_extension_options_through_main(argv):
    out, err = io.StringIO(), io.StringIO()
    with hang_guard():
        code = main(argv, env(), out, err)
    assert_outcome(argv, code, out.getvalue(), err.getvalue())


@settings(FUZZ, max_examples=25)
@given(command_lines().filter(lambda argv: not any("\0" in arg for arg in argv)))
def test_extension_options_through_the_installed_command(argv):
    done = run([COMMAND, *argv], env=env())
    assert_outcome(argv, done.returncode, done.stdout, done.stderr)


# Values for the library: anything, with the valid ones mixed in.
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=12),
    surrogates,
    st.binary(max_size=8),
    st.lists(st.integers(0, 70000), max_size=3),
)
ports = st.one_of(st.integers(1, 65535), anything)
addresses = st.one_of(st.sampled_from(["127.0.0.1", "::1", "0.0.0.0", "::", "192.0.2.1", "localhost"]), anything)
protocols = st.one_of(st.sampled_from(["tcp", "udp", "both"]), anything)
families = st.one_of(st.sampled_from(["ipv4", "ipv6", "both"]), anything)
hosts = st.one_of(
    safe_hosts.map(lambda h: h.strip("[]")), refused_hosts, anything.filter(lambda v: not isinstance(v, str))
)
valid_seconds = st.floats(0, 3600) | st.integers(0, 3600)
short = st.one_of(
    st.sampled_from([0, 0.05, 0.1]), anything.filter(lambda v: not (isinstance(v, (int, float)) and v > 0.2))
)


def _is_port(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


CALLS = {
    "is_free": (lambda a: is_free(a[0], a[1], a[2], a[3]), st.tuples(ports, protocols, families, addresses)),
    "first_free": (lambda a: first_free(a[0], a[1], address=a[2]), st.tuples(ports, ports, addresses)),
    "random_free": (lambda a: random_free(a[0], a[1], a[2], a[3]), st.tuples(ports, ports, protocols, families)),
    "os_free_port": (lambda a: os_free_port(a[0], a[1], a[2]), st.tuples(protocols, families, addresses)),
    "is_reachable": (lambda a: is_reachable(a[0], a[1], a[2]), st.tuples(hosts, ports, valid_seconds | anything)),
    "wait_until_free": (
        lambda a: wait_until_free(a[0], a[1], a[2], family=a[3]),
        st.tuples(ports, short, short, families),
    ),
    "wait_until_open": (lambda a: wait_until_open(a[0], a[1], a[2], a[3]), st.tuples(hosts, ports, short, short)),
    "async_wait_until_free": (
        lambda a: asyncio.run(async_wait_until_free(a[0], a[1], a[2], protocol=a[3])),
        st.tuples(ports, short, short, protocols),
    ),
    "async_wait_until_open": (
        lambda a: asyncio.run(async_wait_until_open(a[0], a[1], a[2], a[3])),
        st.tuples(hosts, ports, short, short),
    ),
    "bind_port4me": (
        lambda a: bind_port4me(a[0], address=a[1], backlog=a[2], max_tries=a[3], user="alice", env={}),
        st.tuples(st.one_of(st.just("fuzz"), anything), addresses, st.one_of(st.just(8), anything), ports),
    ),
    "with_free_port": (
        lambda a: with_free_port(a[0], a[1], max_tries=a[2], user="alice", env={}),
        st.tuples(st.one_of(st.just(lambda port: port), anything), st.one_of(st.just("fuzz"), anything), ports),
    ),
    "who_holds": (lambda a: who_holds(a[0], a[1], a[2]), st.tuples(ports, protocols, st.sampled_from(["proc", 0]))),
    "port4me(lease)": (
        lambda a: port4me.port4me(
            "fuzz", user="alice", lease=a[0], env={**env(), "_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}
        ),
        st.tuples(st.one_of(valid_seconds, anything)),
    ),
    "release": (lambda a: release(a[0], env()), st.tuples(ports)),
}
RESULTS = {  # what each call may legitimately return, or raise, for valid input
    "is_free": bool,
    "first_free": int,
    "random_free": int,
    "os_free_port": int,
    "is_reachable": bool,
    "wait_until_free": type(None),
    "wait_until_open": type(None),
    "async_wait_until_free": type(None),
    "async_wait_until_open": type(None),
    "bind_port4me": socket.socket,
    "with_free_port": int,
    "who_holds": list,
    "port4me(lease)": int,
    "release": bool,
}


@FUZZ
@given(st.sampled_from(sorted(CALLS)).flatmap(lambda name: st.tuples(st.just(name), CALLS[name][1])))
def test_toolkit_api(case):
    name, args = case
    call = CALLS[name][0]
    try:
        with hang_guard():
            result = call(args)
    except UsageError as error:
        assert str(error).count("\n") == 0 and str(error)
        return
    except (TimeoutError, NoFreePortError):  # a wait that timed out; no free port among those asked for
        assert name.startswith(("wait", "async", "first", "random", "bind", "with")), (name, args)
        return
    assert isinstance(result, RESULTS[name]), (name, args, result)
    if isinstance(result, socket.socket):
        result.close()
    if name in ("first_free", "random_free", "os_free_port", "with_free_port", "port4me(lease)"):
        assert _is_port(result)
    if name == "is_reachable":
        assert not (isinstance(args[2], float) and math.isnan(args[2]))  # NaN is no timeout
