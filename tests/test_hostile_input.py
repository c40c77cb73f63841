"""Hostile input to the v1 command and library: huge, repeated, mistyped and misplaced values."""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import port4me
from port4me._portset import ordered_ports
from port4me._quote import QUOTE_LIMIT, quote
from port4me._settings import simulated_busy_ports
from port4me.cli import main

from .conftest import run as run_process

BIN = Path(sys.executable).parent
ANY = {"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}
HUGE_LIST = ",".join(["1-65535"] * 16_000)  # a 128 KiB value that names every port 16,000 times


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_process([str(BIN / "port4me"), *args], env={"PATH": os.environ["PATH"], **ANY, **(env or {})})


@pytest.mark.parametrize("where", ["option", "variable", "site"])
def test_repeated_huge_ranges_are_read_once(where):
    # Before: ranges were expanded before duplicates were dropped, 16,000 x 65535 ports (100 s).
    args, env = ["--user=alice", "--list=3"], {}
    if where == "option":
        args.append(f"--prepend={HUGE_LIST}")
    else:
        env["PORT4ME_PREPEND" if where == "variable" else "PORT4ME_PREPEND_SITE"] = HUGE_LIST
    result = run(*args, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1\n2\n3\n", "")


def naive_ordered(intervals):
    seen: dict[int, None] = {}
    for low, high in intervals:
        seen.update(dict.fromkeys(range(low, high + 1)))
    return list(seen)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 200), st.integers(0, 40)).map(lambda t: (t[0], t[0] + t[1])), max_size=25))
def test_first_occurrences_keep_the_first_of_each_port(intervals):
    assert ordered_ports(intervals) == naive_ordered(intervals)


def test_a_long_bad_value_is_shown_once_and_shortened():
    bad = HUGE_LIST + ",70000"
    out, err = io.StringIO(), io.StringIO()
    assert main(["--user=alice", f"--include={bad}"], ANY, out, err) == 2
    message = err.getvalue()
    assert message.count("\n") == 1 and len(message) < 3 * QUOTE_LIMIT  # was 262 KB: the value twice
    assert "--include" in message and "'70000'" in message and f"({len(bad)} characters)" in message
    assert out.getvalue() == ""


def test_a_short_bad_item_is_not_repeated():
    err = io.StringIO()
    assert main(["--user=alice", "--include=65534-65540"], ANY, io.StringIO(), err) == 2
    assert err.getvalue() == "port4me: invalid --include value: port '65540' in '65534-65540' is above 65535\n"


def test_quote_keeps_both_ends_of_a_long_value():
    shown = quote("a" * 1000 + "\n" + "z" * 10)
    assert shown.startswith("'aaa") and shown.endswith("\\nzzzzzzzzzz' (1011 characters)")
    assert len(shown) < QUOTE_LIMIT + 40
    assert quote("x" * QUOTE_LIMIT) == "'" + "x" * QUOTE_LIMIT + "'"


@pytest.mark.parametrize(
    ("ports", "message"),
    [
        (range(1, 10**12), "999999999999"),  # was MemoryError: the whole range was built first
        (range(0, 70000), "69999"),
        (itertools.count(1), "65536"),  # an endless iterable: refused at its first non-port
        (b"5000", "bytes are not a port list"),  # was read as the ports 53, 48, 48, 48
        (bytearray(b"5000"), "bytes are not a port list"),
        ([5000, "5001"], "'5001' is not a port"),
    ],
)
def test_library_port_arguments_are_checked_without_building_them(ports, message):
    with pytest.raises(port4me.UsageError, match=message):
        port4me.port4me(user="alice", include=ports, list=1, env=ANY)


def test_ranges_are_read_from_their_bounds():
    assert port4me.port4me(user="alice", include=range(0, 5003), list=2, env=ANY) == port4me.port4me(
        user="alice", include="1-5002", list=2, env=ANY
    )
    assert port4me.port4me(user="alice", prepend=range(0), include="5000", list=1, env=ANY) == [5000]
    assert port4me.port4me(user="alice", include=range(5000, 5010, 3), list=4, env=ANY) == port4me.port4me(
        user="alice", include="5000,5003,5006,5009", list=4, env=ANY
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"USER": 5}, "invalid USER value 5: expected a string"),
        ({"PORT4ME_USER": b"alice"}, "invalid PORT4ME_USER value b'alice'"),
        ({"PORT4ME_EXCLUDE_SITE": None, "USER": "alice"}, "invalid PORT4ME_EXCLUDE_SITE value None"),
        ([("USER", "alice")], "argument 'env' must be a mapping"),
        ("USER=alice", "argument 'env' must be a mapping"),
    ],
)
def test_library_environments_are_checked(env, message):
    with pytest.raises(port4me.UsageError, match=message):
        port4me.port4me(list=1, env=env)


def test_unused_variables_of_any_type_are_not_read():
    env = {"PORT4ME_USER": "alice", "PORT4ME_MAX_TRIES": 5, "UNRELATED": object(), **ANY}
    assert port4me.port4me(list=1, env=env) == [30845]


@pytest.mark.parametrize(
    ("value", "busy"),
    [
        ("any", set()),
        ("any-except:", set()),
        ("any-except:0", set()),
        ("any-except:30845 19654,5000-5002", {30845, 19654, 5000, 5001, 5002}),
    ],
)
def test_testing_switch_values(value, busy):
    assert simulated_busy_ports({"_PORT4ME_CHECK_AVAILABLE_PORTS_": value}) == busy
    assert simulated_busy_ports({}) is None and simulated_busy_ports({"_PORT4ME_CHECK_AVAILABLE_PORTS_": ""}) is None


@pytest.mark.parametrize("value", ["all", "ANY", "any-except", "any-except:{chrome}", "any-except:70000", " any"])
def test_testing_switch_rejects_other_values(value):
    with pytest.raises(port4me.UsageError, match="_PORT4ME_CHECK_AVAILABLE_PORTS_"):
        simulated_busy_ports({"_PORT4ME_CHECK_AVAILABLE_PORTS_": value})


def test_testing_switch_makes_listed_ports_busy_for_search_and_test():
    switch = {"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any-except:30845,19654"}
    assert run("--user=alice", env=switch).stdout == "32310\n"
    assert run("--user=alice", "--max-tries=2", env=switch).returncode == 1
    assert run("--user=alice", "--skip=1", "--max-tries=2", env=switch).stdout == "32310\n"
    assert run("--test=30845", env=switch).returncode == 1
    assert run("--test=32310", env=switch).returncode == 0


def _nameless_uid() -> int:
    import pwd

    uid = 54_321
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
        uid += 1


def run_as_nameless_user(env: dict[str, str]) -> tuple[int, str, str]:
    """Call main() in a child switched to a user ID with no entry in the user database (needs root).

    A fork, not a new process: the interpreter under /root cannot be started by another user,
    and for the same reason the child cannot import what the parent has not (getpass is
    loaded here so that an implementation that asks it for the name could).
    """
    import getpass  # noqa: F401
    import json

    import port4me._api  # noqa: F401

    uid = _nameless_uid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.environ.clear()  # as a command would be started: with exactly this environment
            os.environ.update({**ANY, **env})
            out, err = io.StringIO(), io.StringIO()
            code = main(["--list=1"], os.environ, out, err)
            os.write(write_end, json.dumps([code, out.getvalue(), err.getvalue()]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    code, out, err = json.loads(data)
    return code, out, err


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to a user ID with no name needs root (CI runs as root)")
def test_an_account_with_no_name_has_no_user():
    # Before: getpass.getuser() stood in for the account name and read LNAME: bob's port.
    code, out, err = run_as_nameless_user({"LNAME": "bob"})
    assert (code, out) == (2, "") and "cannot tell who the user is" in err
    assert run_as_nameless_user({"LOGNAME": "alice"})[:2] == (0, "30845\n")


@pytest.mark.parametrize("setting", ["list", "skip", "max_tries", "test"])
def test_a_huge_integer_argument_is_a_usage_error(setting):
    # Before: str() of a 5000-digit int raised a plain ValueError while writing the message.
    arguments = {setting: 10**5000}
    if setting == "skip":
        as_text = port4me.port4me(user="alice", list=1, skip="1" + "0" * 5000, env=ANY)
        assert port4me.port4me(user="alice", list=1, env=ANY, **arguments) == as_text  # skip has no bound
        return
    with pytest.raises(port4me.UsageError, match="a number of more than 20 digits"):
        port4me.port4me(user="alice", env=ANY, **arguments)
