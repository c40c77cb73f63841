"""Hostile input to the toolkit (issue 11): one clear error and exit 2 (UsageError in the library).

Each case runs through the installed command as a process and, where there is one,
through the library. Bad values are quoted once, as ``portset.quote`` shows them.
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import port4me
from port4me import UsageError
from port4me._extensions import HELP
from port4me._quote import quote
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

from .conftest import run

COMMAND = str(Path(sys.executable).parent / "port4me")
BAD = "\udcff"  # the byte 0xff on the command line, as Python decodes argv (surrogateescape)


def free_port() -> int:
    return os_free_port(family="both")


def command(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed command as a process; str arguments with surrogates are passed as raw bytes."""
    base = {"PATH": os.environ["PATH"], "PORT4ME_USER": "alice"}
    return run([COMMAND, *args], env={**base, **(env or {})})


def in_process(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, {"PATH": os.environ["PATH"], "PORT4ME_USER": "alice", **(env or {})}, out, err)
    return code, out.getvalue(), err.getvalue()


def assert_usage_error(code: int, stdout: str, stderr: str, *names: str) -> None:
    assert (code, stdout) == (2, ""), (code, stdout, stderr)
    assert stderr.startswith("port4me: ") and stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    for name in names:
        assert name in stderr, (name, stderr)


def both_ways(args: list[str], *names: str, env: dict[str, str] | None = None) -> str:
    """The same one-line usage error from the installed command and from main(); returns it."""
    result = command(args, env)
    assert_usage_error(result.returncode, result.stdout, result.stderr, *names)
    assert_usage_error(*in_process(args, env), *names)
    return result.stderr


# Point 3: bad hosts and addresses in extension options.
@pytest.mark.parametrize(
    ("args", "option", "value"),
    [
        ([f"--reachable={BAD}:80"], "--reachable", f"{BAD}:80"),
        ([f"--wait-open={BAD}:80", "--timeout=0"], "--wait-open", f"{BAD}:80"),
        (["--reachable=a..b:80"], "--reachable", "a..b:80"),  # an empty label: not a host name
        ([f"--reachable={'a' * 64}.invalid:80"], "--reachable", f"{'a' * 64}.invalid:80"),  # a label too long
        ([f"--address={BAD}", "--test=40000"], "--address", BAD),
        (["--address=not-an-address", "--test=40000"], "--address", "not-an-address"),
        (["--address=999.1.1.1", "--test=40000"], "--address", "999.1.1.1"),
        (["--address=127.1", "--test=40000"], "--address", "127.1"),  # inet_aton would take it; bind too
        (["--address=localhost", "--test=40000"], "--address", "localhost"),  # a name, not an address
        (["--address=192.0.2.1", "--test=40000"], "--address", "192.0.2.1"),  # not an address of this machine
        (["--address=[::1]", "--test=40000"], "--address", "[::1]"),
        (["--address=fe80::1%no-such-interface", "--test=40000"], "--address", "fe80::1%no-such-interface"),
        (["--address=::1", "--family=ipv4", "--test=40000"], "--address", "::1"),
    ],
)
def test_bad_hosts_and_addresses_are_usage_errors(args, option, value):
    stderr = both_ways(args, option)
    assert stderr.count(quote(value)) == 1, stderr  # the value, quoted once


def test_an_address_that_does_not_match_the_family_names_both_options():
    stderr = both_ways(["--address=::1", "--family=ipv4", "--test=40000"], "--address", "--family")
    assert "ipv4" in stderr


@pytest.mark.parametrize(
    "call",
    [
        lambda: is_free(40000, address=5),
        lambda: is_free(40000, address=b"127.0.0.1"),
        lambda: is_free(40000, address=BAD),
        lambda: is_free(40000, address="not-an-address"),
        lambda: is_free(40000, address="999.1.1.1"),
        lambda: is_free(40000, address="localhost"),
        lambda: is_free(40000, address="::1", family="ipv4"),
        lambda: is_free(40000, protocol=b"tcp"),
        lambda: is_free(40000, family=None),
        lambda: os_free_port(address="not-an-address"),
        lambda: os_free_port(address=5),
        lambda: os_free_port(protocol="sctp"),
        lambda: os_free_port(family="ipx"),
        lambda: first_free(40000, 40001, address="not-an-address"),
        lambda: random_free(40000, 40001, address=b"::1"),
        lambda: bind_port4me(address="not-an-address", user="alice"),
        lambda: bind_port4me(address=5, user="alice"),
        lambda: bind_port4me(address=BAD, user="alice"),
        lambda: bind_port4me(address="192.0.2.1", user="alice"),  # not an address of this machine
        lambda: bind_port4me(backlog="x", user="alice"),
        lambda: bind_port4me(backlog=True, user="alice"),
        lambda: bind_port4me(backlog=2**40, user="alice"),
        lambda: bind_port4me(max_tries="3", user="alice"),
        lambda: bind_port4me(user=b"alice"),
        lambda: with_free_port(print, max_tries="x", user="alice"),
        lambda: with_free_port("not callable", user="alice"),
        lambda: is_reachable(b"127.0.0.1", 80),
        lambda: is_reachable(5, 80),
        lambda: is_reachable(BAD, 80),
        lambda: is_reachable("a..b", 80),
        lambda: is_reachable("", 80),
        lambda: is_reachable("127.0.0.1", "80"),
        lambda: wait_until_open(BAD, 80, timeout=0),
        lambda: wait_until_open("127.0.0.1", 80, timeout=None),
        lambda: wait_until_free(40000, timeout=0, address="nothere"),
        lambda: wait_until_free(40000, timeout=0, backlog=5),  # not a check option
        lambda: asyncio.run(async_wait_until_open("a..b", 80, timeout=0)),
        lambda: asyncio.run(async_wait_until_free(40000, timeout=0, family="ipx")),
        lambda: who_holds(80, protocol=None),
        lambda: who_holds(80, backend=b"proc"),
        lambda: who_holds("80"),
    ],
)
def test_the_library_raises_usage_errors_for_bad_values(call):
    with pytest.raises(UsageError):
        call()


def test_bind_port4me_on_an_address_of_this_machine_still_works():
    with bind_port4me(address="127.0.0.1", prepend=[free_port()], user="alice") as sock:
        assert sock.getsockname()[0] == "127.0.0.1"
        assert not is_free(sock.getsockname()[1], address="127.0.0.1")


# Point 5: options that have no effect in the mode asked for.
@pytest.mark.parametrize(
    ("args", "env", "names"),
    [
        (["--test=40000", "--who=40000"], {}, ("--test", "--who")),
        (["--who=40000", "--wait-free=40000"], {}, ("--who", "--wait-free")),
        (["--reachable=127.0.0.1:1", "--wait-open=127.0.0.1:1"], {}, ("--wait-open", "--reachable")),
        (["--timeout=5"], {}, ("--timeout", "--wait-free")),
        (["--interval=1"], {}, ("--interval", "--wait-free")),
        (["--timeout=5", "--list=3"], {}, ("--timeout",)),
        (["--interval=0.5", "--reachable=127.0.0.1:1"], {}, ("--interval", "--reachable")),
        (["--timeout=1", "--who=40000"], {}, ("--timeout", "--who")),
        (["--lease=60", "--list=3"], {}, ("--lease", "--list")),
        (["--lease=60", "--test=40000"], {}, ("--lease", "--test")),
        (["--lease=60"], {"PORT4ME_LIST": "3"}, ("--lease", "PORT4ME_LIST")),
        (["--lease=60"], {"PORT4ME_TEST": "40000"}, ("--lease", "PORT4ME_TEST")),
        (["--lease=60", "--who=40000"], {}, ("--lease", "--who")),
        (["--protocol=udp", "--list=3"], {}, ("--protocol", "--list")),
        (["--family=ipv4", "--list=3"], {}, ("--family", "--list")),
        (["--address=127.0.0.1", "--list=3"], {}, ("--address", "--list")),
        (["--family=ipv4", "--who=40000"], {}, ("--family", "--who")),
        (["--address=127.0.0.1", "--who=40000"], {}, ("--address", "--who")),
        (["--protocol=udp", "--wait-open=127.0.0.1:1"], {}, ("--protocol", "--wait-open")),
        (["--family=ipv6", "--reachable=127.0.0.1:1"], {}, ("--family", "--reachable")),
        (["--address=127.0.0.1", "--reachable=127.0.0.1:1"], {}, ("--address", "--reachable")),
        (["--who=40000", "--user=alice"], {}, ("--who", "--user")),
        (["--who=40000", "jupyter"], {}, ("--who", "--tool")),
        (["--wait-free=40000", "--include=5000-6000", "--timeout=0"], {}, ("--wait-free", "--include")),
    ],
)
def test_options_without_effect_are_usage_errors(args, env, names):
    both_ways(args, *names, env=env)


def test_options_that_apply_together_still_work():
    port = free_port()
    assert in_process([f"--who={port}", "--protocol=udp"])[0] == 1  # nobody holds it
    checks = ["--protocol=both", "--family=ipv4", "--address=127.0.0.1"]
    assert in_process([f"--wait-free={port}", *checks, "--timeout=0", "--interval=0"])[0] == 0
    assert in_process([f"--test={port}", *checks])[0] == 0
    assert in_process([f"--reachable=127.0.0.1:{port}", "--timeout=1"])[0] == 1
    assert in_process([f"--wait-open=127.0.0.1:{port}", "--timeout=0", "--interval=0"])[0] == 1
    assert in_process(["--list=2", "--timeout=", "--lease="]) == (0, "30845\n19654\n", "")  # empty is unset


def test_help_says_who_needs_psutil_only_where_there_is_no_proc():
    who = [line for line in HELP.splitlines() if "--who" in line or "psutil" in line]
    assert "/proc" in " ".join(who)
    assert "(needs psutil)" not in HELP


# Point 9: one grammar for numbers.
@pytest.mark.parametrize(
    ("args", "option", "value"),
    [
        (["--lease=٥"], "--lease", "٥"),
        (["--lease=5e1"], "--lease", "5e1"),
        (["--lease=+5"], "--lease", "+5"),
        (["--lease=5."], "--lease", "5."),
        (["--lease=.5"], "--lease", ".5"),
        (["--lease= 5"], "--lease", " 5"),
        (["--lease=5_0"], "--lease", "5_0"),
        (["--lease=inf"], "--lease", "inf"),
        (["--lease=nan"], "--lease", "nan"),
        (["--lease=0"], "--lease", "0"),
        (["--lease=0.0"], "--lease", "0.0"),
        (["--lease=31622400"], "--lease", "31622400"),  # a year of 366 days
        (["--lease=" + "9" * 5000], "--lease", "9" * 5000),
        (["--timeout=١", "--reachable=127.0.0.1:1"], "--timeout", "١"),
        (["--timeout=0_1", "--reachable=127.0.0.1:1"], "--timeout", "0_1"),
        (["--timeout=1e-3", "--reachable=127.0.0.1:1"], "--timeout", "1e-3"),
        (["--timeout=-1", "--reachable=127.0.0.1:1"], "--timeout", "-1"),
        (["--interval=٠.1", "--wait-free=40000"], "--interval", "٠.1"),
        (["--interval=Infinity", "--wait-free=40000"], "--interval", "Infinity"),
        (["--who=٥"], "--who", "٥"),
        (["--who=+80"], "--who", "+80"),
        (["--wait-free=８０", "--timeout=0"], "--wait-free", "８０"),
        (["--reachable=127.0.0.1:٥"], "--reachable", "127.0.0.1:٥"),
        (["--reachable=127.0.0.1:8_0"], "--reachable", "127.0.0.1:8_0"),
    ],
)
def test_numbers_follow_one_grammar(args, option, value):
    stderr = both_ways(args, option)
    assert stderr.count(quote(value)) == 1, stderr


def test_valid_numbers_are_taken(tmp_path):
    env = {"PORT4ME_LEASE_DIR": str(tmp_path / "leases"), "_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}
    assert in_process(["--lease=0.5"], env)[0] == 0
    assert in_process(["--lease=007"], env)[0] == 0  # leading zeros, as in v1 numbers
    port = free_port()
    assert in_process([f"--reachable=127.0.0.1:{port}", "--timeout=0.25"])[0] == 1
    assert in_process([f"--wait-free=0{port}", "--timeout=00.5"])[0] == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda env: port4me.port4me(lease=b"5", env=env),
        lambda env: port4me.port4me(lease="5", env=env),
        lambda env: port4me.port4me(lease=True, env=env),
        lambda env: port4me.port4me(lease=float("nan"), env=env),
        lambda env: port4me.port4me(lease=float("inf"), env=env),
        lambda env: port4me.port4me(lease=10**400, env=env),
        lambda env: port4me.port4me(lease=0, env=env),
        lambda env: port4me.port4me(lease=[5], env=env),
        lambda env: is_reachable("127.0.0.1", 1, timeout="1"),
        lambda env: is_reachable("127.0.0.1", 1, timeout=b"1"),
        lambda env: is_reachable("127.0.0.1", 1, timeout=True),
        lambda env: is_reachable("127.0.0.1", 1, timeout=10**400),
        lambda env: is_reachable("127.0.0.1", 1, timeout=86400 * 367),
        lambda env: wait_until_free(40000, timeout=10**400),
        lambda env: wait_until_free(40000, timeout=0, interval=10**400),
        lambda env: wait_until_open("127.0.0.1", 1, timeout=0, interval="0.1"),
        lambda env: release("5000", env),
        lambda env: release(b"5000", env),
        lambda env: release(0, env),
        lambda env: release(True, env),
    ],
)
def test_library_numbers_are_int_or_float_finite_in_range(call, tmp_path):
    env = {"PORT4ME_LEASE_DIR": str(tmp_path / "leases"), "_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}
    with pytest.raises(UsageError):
        call(env)


def test_a_runtime_failure_to_make_a_socket_is_exit_1_not_busy():
    """EMFILE (too many open files) is not "busy" and not bad input: exit 1, one line, stdout empty."""
    code = (
        "import resource, sys, _socket, port4me._api, port4me.check, port4me._extensions; "
        "from port4me.cli import main; "
        "resource.setrlimit(resource.RLIMIT_NOFILE, (3, 3)); "
        "sys.exit(main(['--test=40000', '--protocol=udp', '--address=127.0.0.1']))"
    )
    result = run([sys.executable, "-c", code])
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("port4me: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_reachable_takes_address_literals_and_names():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        assert in_process([f"--reachable=127.0.0.1:{port}"])[0] == 0
        assert in_process([f"--reachable=localhost:{port}"])[0] == 0
