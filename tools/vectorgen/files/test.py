"""vectors/test.yaml: --test, with the testing switch set to 'any'."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, VectorFile, argv, settings
from ..expect import BUSY, FREE, alice, usage

FILE = VectorFile("test", "--test", "Testing one port (P4M-TEST-*), with the testing switch set to 'any'.")


def cases() -> Iterator[Case]:
    yield Case(
        "test-any",
        "--test=80 with every port counted free",
        ["P4M-TEST-1", "P4M-CHECK-5"],
        FREE,
        observed="test_80_any",
    )
    yield Case(
        "test-zero",
        "--test=0 is a usage error",
        ["P4M-TEST-2"],
        usage("--test", "0"),
        observed="test_0",
        decisions=[29],
    )
    yield Case(
        "test-65536",
        "--test=65536 is a usage error",
        ["P4M-TEST-2"],
        usage("--test", "65536"),
        observed="test_65536",
        decisions=[29],
    )
    yield Case(
        "test-word",
        "--test=foo is a usage error",
        ["P4M-TEST-2"],
        usage("--test", "foo"),
        observed="test_foo",
        decisions=[29],
    )
    yield Case(
        "test-negative",
        "--test=-1 is a usage error",
        ["P4M-TEST-2"],
        usage("--test", "-1"),
        observed="test_negative",
        decisions=[29],
    )
    yield Case(
        "test-ignores-list", "--test ignores --list=0", ["P4M-TEST-3"], FREE, observed="test_with_list0", decisions=[30]
    )
    yield Case(
        "test-ignores-bad-lists",
        "--test ignores malformed port lists",
        ["P4M-TEST-3"],
        FREE,
        argv("--test=80", "--exclude=foo", env={"PORT4ME_INCLUDE": "70000"}),
        decisions=[30],
    )
    yield Case(
        "test-ignores-empty-user", "--test needs no user", ["P4M-TEST-3"], FREE, observed="test_with_empty_user_env"
    )
    yield Case(
        "test-bad-check-switch",
        "--test with an unknown testing switch value is a usage error",
        ["P4M-CHECK-5", "P4M-TEST-2"],
        usage("_PORT4ME_CHECK_AVAILABLE_PORTS_", "all"),
        observed="test_bad_hook_value",
        decisions=[29],
    )
    yield Case(
        "test-variable", "PORT4ME_TEST is honoured", ["P4M-TEST-1"], FREE, observed="env_test_80", decisions=[28]
    )
    yield Case(
        "test-variable-empty",
        "PORT4ME_TEST='' is unset",
        ["P4M-TEST-1", "P4M-ENV-2"],
        alice(),
        observed="env_test_empty",
        decisions=[27],
    )
    yield Case(
        "test-variable-word",
        "PORT4ME_TEST=foo is a usage error",
        ["P4M-TEST-2"],
        usage("PORT4ME_TEST", "foo"),
        settings(user="alice", env={"PORT4ME_TEST": "foo"}),
        decisions=[28],
    )
    yield Case(
        "test-option-wins",
        "--test replaces PORT4ME_TEST",
        ["P4M-TEST-1", "P4M-ENV-1"],
        usage("--test", "0"),
        argv("--test=0", env={"PORT4ME_TEST": "80"}),
        decisions=[28],
    )
    yield Case(
        "test-empty-option",
        "--test= is unset: PORT4ME_TEST applies",
        ["P4M-TEST-1", "P4M-ENV-2"],
        FREE,
        argv("--test=", env={"PORT4ME_TEST": "80"}),
        decisions=[27, 28],
    )
    yield Case(
        "test-without-value",
        "--test without a value is a usage error",
        ["P4M-TEST-2", "P4M-CLI-1"],
        usage(value="--test"),
        argv("--test"),
    )
    yield Case(
        "test-unknown-option",
        "--test does not excuse an unknown option",
        ["P4M-TEST-3", "P4M-CLI-1"],
        usage(value="--foo"),
        argv("--test=80", "--foo=1"),
    )

    for port in (1, 65535):
        yield Case(
            f"test-bound-{port}",
            f"--test={port}, the {'lowest' if port == 1 else 'highest'} port, is a port",
            ["P4M-TEST-1", "P4M-ENV-5"],
            FREE,
            argv(f"--test={port}"),
        )
    yield from quiet_and_nameless_cases()


SWITCH = "_PORT4ME_CHECK_AVAILABLE_PORTS_"


def quiet_and_nameless_cases() -> Iterator[Case]:
    """Test mode's exit code 1 (busy) says nothing on stderr (P4M-CLI-9, P4M-TEST-1, 1.2); test mode reads
    no user, so a user ID without an account name changes nothing (P4M-TEST-3)."""
    yield Case(
        "test-busy-quiet",
        "--test of a busy port writes nothing to stderr, which is how a script tells busy from a runtime error "
        "(a SHOULD: advisory)",
        ["P4M-CLI-9"],
        {**BUSY, "stderr": "empty"},
        argv("--test=30845", env={SWITCH: "any-except:30845"}),
        decisions=[40],
    )
    yield Case(
        "test-free-quiet",
        "--test of a free port writes nothing to stderr (a SHOULD: advisory)",
        ["P4M-CLI-9"],
        {**FREE, "stderr": "empty"},
        argv("--test=30845"),
    )
    yield Case(
        "test-nameless-user-free",
        "--test under a user ID with no account name: test mode uses no user, so the port is checked",
        ["P4M-TEST-3", "P4M-ENV-6"],
        FREE,
        argv("--test=30845"),
        needs=["nameless-user"],
    )
    yield Case(
        "test-nameless-user-busy",
        "--test of a port the switch makes busy, under a user ID with no account name: busy",
        ["P4M-TEST-3", "P4M-ENV-6"],
        BUSY,
        argv("--test=30845", env={SWITCH: "any-except:30845"}),
        needs=["nameless-user"],
        decisions=[40],
    )
