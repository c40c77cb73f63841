"""The library API: upstream 0.7's functions, spec v1 semantics."""

from __future__ import annotations

import socket
from itertools import islice

import pytest

import port4me
from port4me import NoFreePortError, UsageError, is_port_free, port4me_gen

ANY = {"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}


def test_documented_examples():
    assert port4me.port4me(user="alice", list=5, env=ANY) == [30845, 19654, 32310, 63992, 15273]
    assert port4me.port4me(user="bob", env=ANY) == 54242
    assert port4me.port4me("rstudio", user="alice", env=ANY) == 22486
    assert port4me.port4me(user="alice", include="2000-2123,4321,10000-10999", env=ANY) == 10451


def test_ports_may_be_given_as_integers():
    as_text = port4me.port4me(user="alice", include="5000-5010", exclude="5005", list=4, env=ANY)
    as_ints = port4me.port4me(user="alice", include=range(5000, 5011), exclude=[5005], list=4, env=ANY)
    assert as_text == as_ints


def test_environment_is_read_when_arguments_are_none():
    env = {**ANY, "PORT4ME_USER": "alice", "PORT4ME_TOOL": "rstudio"}
    assert port4me.port4me(env=env) == 22486
    assert port4me.port4me(tool="", env=env) == 22486  # empty counts as unset


def test_generator_is_the_unchecked_sequence():
    assert list(islice(port4me_gen(user="alice", prepend=[1111], env={}), 3)) == [1111, 30845, 19654]


def test_generator_ignores_test_and_list_variables():
    env = {"PORT4ME_TEST": "80", "PORT4ME_LIST": "0", "_PORT4ME_CHECK_AVAILABLE_PORTS_": "bogus"}
    assert next(port4me_gen(user="alice", env=env)) == 30845


def test_test_argument_checks_one_port():
    with socket.socket() as held:
        held.bind(("0.0.0.0", 0))
        held.listen(1)
        port = held.getsockname()[1]
        assert port4me.port4me(test=port, env={}) is False
        assert is_port_free(port) is False
    assert port4me.port4me(test=port, env={}) is True


def test_no_free_port_raises_a_timeout_error_or_returns_minus_one():
    with socket.socket() as held:
        held.bind(("0.0.0.0", 0))
        held.listen(1)
        port = held.getsockname()[1]
        with pytest.raises(NoFreePortError) as raised:
            port4me.port4me(user="alice", prepend=[port], max_tries=1, env={})
        assert isinstance(raised.value, TimeoutError)
        assert port4me.port4me(user="alice", prepend=[port], max_tries=1, must_work=False, env={}) == -1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"list": 0}, "argument 'list' value 0"),
        ({"skip": -1}, "argument 'skip'"),
        ({"include": "70000"}, "above 65535"),
        ({"include": [70000]}, "not a port"),
        ({"include": 5}, "expected a port list"),
        ({"list": True}, "expected a whole number"),
        ({"include": "5000", "exclude": "5000"}, "no candidate ports"),
        ({"test": 0}, "argument 'test'"),
    ],
)
def test_bad_arguments_raise_usage_error(kwargs, message):
    with pytest.raises(UsageError, match=message) as raised:
        port4me.port4me(user="alice", env=ANY, **kwargs)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("port", [0, 65536, -1, "80", None, True])
def test_is_port_free_rejects_non_ports(port):
    with pytest.raises(ValueError, match="port must be an integer"):
        is_port_free(port)


def test_public_names():
    assert port4me.uint_hash("alice") == port4me.string_hash("alice") == 92903040
    assert port4me.SPEC_VERSION == "1.2"
