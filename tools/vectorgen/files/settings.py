"""vectors/settings.yaml: settings and their sources."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, Given, VectorFile, argv, settings
from ..expect import USAGE, alice, ports, usage
from ..model import model

FILE = VectorFile(
    "settings",
    "Settings and their sources",
    "User and tool, numbers, empty values, and which source wins (P4M-ENV-*).",
)

# (id suffix, settings, expected outcome, upstream observation, decisions): whole numbers
NUMBERS = [
    ("list-leading-zero", {"list": "010"}, alice(10), "num_list_leading_zero", [14]),
    ("skip-leading-zero", {"skip": "010"}, alice(skip=10), "num_skip_leading_zero", [14]),
    ("skip-08", {"skip": "08"}, alice(skip=8), "num_skip_08", [14]),
    ("list-zero", {"list": "0"}, USAGE, "num_list_zero", [26]),
    ("list-negative", {"list": "-1"}, USAGE, "num_list_negative", [26]),
    ("list-word", {"list": "foo"}, USAGE, "num_list_foo", [26]),
    ("list-above-max", {"list": "65537"}, USAGE, None, [26]),
    ("list-plus", {"list": "+3"}, USAGE, None, [26]),
    ("list-space", {"list": " 3"}, USAGE, None, [26]),
    ("list-trailing-space", {"list": "3 "}, USAGE, None, [26]),
    ("list-decimal-point", {"list": "3.0"}, USAGE, None, [26]),
    ("list-arabic-indic", {"list": "٣"}, USAGE, None, [26]),
    ("list-huge", {"list": "99999999999999999999999"}, USAGE, None, [26]),
    ("skip-negative", {"skip": "-1"}, USAGE, "num_skip_negative", [26]),
    ("skip-word", {"skip": "one"}, USAGE, None, [26]),
    ("skip-fullwidth", {"skip": "１"}, USAGE, None, [26]),
    ("max-tries-zero", {"max_tries": "0"}, USAGE, None, [26]),
    ("max-tries-above-max", {"max_tries": "65536"}, USAGE, None, [26]),
    ("max-tries-word", {"max_tries": "many"}, USAGE, None, [26]),
]


def bad_number(values: dict[str, str], observed: str | None) -> dict:
    """A usage error naming the setting's source and its value (padded values: the source alone)."""
    ((setting, value),) = values.items()
    source = ("--" + setting.replace("_", "-")) if observed else setting  # observed runs used the option
    return usage(source, None if value.strip() != value else value)


def cases() -> Iterator[Case]:
    A = "alice"
    yield Case(
        "user-empty-option-falls-back",
        "--user= is unset: PORT4ME_USER applies",
        ["P4M-ENV-2", "P4M-ENV-3"],
        alice(2),
        observed="seed_cli_empty_user",
        decisions=[5],
    )
    yield Case(
        "user-empty-variable-falls-back",
        "PORT4ME_USER='' is unset: USER applies",
        ["P4M-ENV-2", "P4M-ENV-3"],
        alice(2),
        observed="seed_env_empty_user",
        decisions=[5],
    )
    yield Case(
        "user-empty-variable-with-tool",
        "PORT4ME_USER='' with PORT4ME_TOOL",
        ["P4M-ENV-2", "P4M-ENV-3"],
        ports(model("alice,rstudio", 2)),
        observed="seed_env_empty_user_with_tool",
        decisions=[5],
    )
    yield Case(
        "user-from-user-before-logname",
        "with no --user or PORT4ME_USER, USER comes before LOGNAME",
        ["P4M-ENV-3"],
        alice(2),
        observed="seed_default_user_source",
        decisions=[6],
    )
    yield Case(
        "user-from-logname",
        "LOGNAME when USER is unset",
        ["P4M-ENV-3"],
        alice(2),
        settings(list=2, env={"LOGNAME": "alice", "USERNAME": "bob"}),
    )
    yield Case(
        "user-from-username",
        "USERNAME when USER and LOGNAME are unset",
        ["P4M-ENV-3"],
        alice(2),
        settings(list=2, env={"USERNAME": "alice"}),
    )
    yield Case(
        "user-variable-before-user",
        "PORT4ME_USER comes before USER",
        ["P4M-ENV-3"],
        alice(2),
        argv("--list=2", env={"PORT4ME_USER": "alice", "USER": "bob"}),
    )
    yield Case(
        "user-option-before-variable",
        "--user comes before PORT4ME_USER",
        ["P4M-ENV-1", "P4M-ENV-3"],
        alice(2),
        argv("--user=alice", "--list=2", env={"PORT4ME_USER": "bob"}),
    )
    yield Case(
        "user-empty-user-variable-skipped",
        "an empty USER is skipped",
        ["P4M-ENV-2", "P4M-ENV-3"],
        alice(2),
        settings(list=2, env={"USER": "", "LOGNAME": "alice"}),
    )
    yield Case(
        "tool-empty-option-falls-back",
        "--tool= is unset: PORT4ME_TOOL applies",
        ["P4M-ENV-2", "P4M-ENV-4"],
        ports(model("alice,rstudio", 2)),
        observed="seed_cli_empty_tool",
        decisions=[7],
    )
    yield Case(
        "tool-empty-variable",
        "PORT4ME_TOOL='' means no tool",
        ["P4M-ENV-2", "P4M-ENV-4"],
        alice(2),
        observed="seed_env_empty_tool",
    )
    yield Case(
        "tool-variable",
        "PORT4ME_TOOL names the tool",
        ["P4M-ENV-4"],
        ports(model("alice,rstudio", 1)),
        argv("--user=alice", env={"PORT4ME_TOOL": "rstudio"}),
    )
    yield Case(
        "tool-option-before-variable",
        "--tool comes before PORT4ME_TOOL",
        ["P4M-ENV-4", "P4M-ENV-1"],
        ports(model("alice,rstudio", 1)),
        argv("--user=alice", "--tool=rstudio", env={"PORT4ME_TOOL": "shiny"}),
    )
    yield Case(
        "tool-positional-before-variable",
        "the positional tool comes before PORT4ME_TOOL",
        ["P4M-ENV-4"],
        ports(model("alice,rstudio", 1)),
        argv("--user=alice", "rstudio", env={"PORT4ME_TOOL": "shiny"}),
    )
    yield Case(
        "tool-empty-positional",
        "an empty positional argument means no tool",
        ["P4M-ENV-2", "P4M-ENV-4"],
        alice(),
        argv("--user=alice", ""),
    )
    for suffix, values, outcome, observed, decisions in NUMBERS:
        yield Case(
            f"number-{suffix}",
            f"number {values}",
            ["P4M-ENV-5"],
            bad_number(values, observed) if outcome == USAGE else outcome,
            None if observed else settings(user=A, **values),
            observed=observed,
            decisions=decisions,
        )
    yield Case(
        "number-list-zero-python-optimize",
        "--list=0 is an error whatever the implementation's run-time flags",
        ["P4M-ENV-5"],
        usage("--list", "0"),
        observed="num_list_zero_python_O",
        decisions=[26],
    )
    yield Case(
        "variable-list-empty",
        "PORT4ME_LIST='' is unset",
        ["P4M-ENV-2"],
        alice(),
        observed="env_list_empty",
        decisions=[27],
    )
    yield Case(
        "variable-skip-empty",
        "PORT4ME_SKIP='' is unset",
        ["P4M-ENV-2"],
        alice(),
        observed="env_skip_empty",
        decisions=[27],
    )
    yield Case(
        "variable-skip-word",
        "PORT4ME_SKIP=foo is a usage error",
        ["P4M-ENV-5"],
        usage("PORT4ME_SKIP", "foo"),
        observed="env_skip_foo",
        decisions=[26],
    )
    yield Case(
        "variable-list-zero",
        "PORT4ME_LIST=0 is a usage error",
        ["P4M-ENV-5"],
        usage("PORT4ME_LIST", "0"),
        observed="env_list_zero",
        decisions=[26],
    )
    yield Case(
        "variable-list",
        "PORT4ME_LIST lists ports",
        ["P4M-SEQ-4"],
        alice(3),
        argv("--user=alice", env={"PORT4ME_LIST": "3"}),
    )
    yield Case(
        "variable-list-option-wins",
        "--list replaces PORT4ME_LIST",
        ["P4M-ENV-1"],
        alice(2),
        argv("--user=alice", "--list=2", env={"PORT4ME_LIST": "5"}),
    )
    yield Case(
        "variable-skip",
        "PORT4ME_SKIP skips",
        ["P4M-SEQ-2"],
        alice(skip=2),
        argv("--user=alice", env={"PORT4ME_SKIP": "2"}),
    )
    yield Case(
        "variable-unknown-ignored",
        "unknown PORT4ME_* variables are ignored",
        ["P4M-ENV-6"],
        alice(),
        settings(user=A, env={"PORT4ME_FOO": "bar", "PORT4ME_DEBUG": "true", "PORT4ME_PORT_COMMAND": "ss"}),
    )
    yield Case(
        "variable-unused-not-read",
        "a variable an option replaces is not read, even if malformed",
        ["P4M-ENV-6"],
        alice(),
        argv("--user=alice", "--exclude=0", env={"PORT4ME_EXCLUDE": "not a list"}),
    )
    yield Case(
        "variable-unused-check-switch",
        "list mode never checks ports, so it does not read the testing switch",
        ["P4M-ENV-6", "P4M-SEQ-4"],
        alice(2),
        settings(user=A, list=2, env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "all"}),
    )
    yield Case(
        "variable-bad-check-switch",
        "an unknown value of the testing switch is a usage error",
        ["P4M-CHECK-5"],
        usage("_PORT4ME_CHECK_AVAILABLE_PORTS_", "all"),
        settings(user=A, env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "all"}),
        decisions=[38],
    )

    yield from mode_cases()
    yield from account_cases()


def mode_cases() -> Iterator[Case]:
    """P4M-ENV-6: a setting the mode does not use is neither read nor validated, option or variable."""
    yield Case(
        "mode-list-ignores-max-tries",
        "list mode does not use max tries: a bad value is not validated (--max-tries or PORT4ME_MAX_TRIES)",
        ["P4M-ENV-6", "P4M-ENV-7"],
        alice(1),
        settings(user="alice", list=1, max_tries="abc"),
        decisions=[39],
    )
    yield Case(
        "mode-test-ignores-other-options",
        "test mode uses only test and the switch: bad values of every other option are not validated",
        ["P4M-ENV-6", "P4M-TEST-3"],
        {"test": "free"},
        argv("--test=80", "--user=", "--skip=x", "--list=0", "--max-tries=0", "--include=70000", "--prepend=10-5"),
        decisions=[30, 39],
    )
    yield Case(
        "mode-help-ignores-bad-switch",
        "help mode uses no setting, not even the testing switch",
        ["P4M-ENV-6", "P4M-CLI-7"],
        {"help": True},
        argv("--help", env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "all"}),
    )
    yield Case(
        "mode-version-ignores-bad-variables",
        "version mode uses no setting: malformed variables are not read",
        ["P4M-ENV-6", "P4M-CLI-7"],
        {"version": True},
        argv("--version", env={"PORT4ME_LIST": "0", "PORT4ME_TEST": "x", "PORT4ME_INCLUDE": "70000"}),
    )
    yield Case(
        "mode-help-wins-over-version",
        "with both flags, help mode: the help, not one version line",
        ["P4M-ENV-6", "P4M-CLI-7"],
        {"help": True},
        argv("--version", "--help"),
    )
    yield Case(
        "mode-help-wins-over-version-either-order",
        "--help then --version: help mode still, whatever the order",
        ["P4M-ENV-6", "P4M-CLI-7"],
        {"help": True},
        argv("--help", "--version"),
    )
    yield Case(
        "mode-search-validates-max-tries-variable",
        "search mode uses max tries: a bad PORT4ME_MAX_TRIES is a usage error",
        ["P4M-ENV-6", "P4M-ENV-5"],
        usage("PORT4ME_MAX_TRIES", "abc"),
        argv("--user=alice", env={"PORT4ME_MAX_TRIES": "abc"}),
        decisions=[39],
    )
    yield Case(
        "ext-v1-call-ignores-other-variables",
        "a v1 call with variables no version of v1 defines, as extensions might read: v1's output",
        ["P4M-EXT-1", "P4M-ENV-6"],
        alice(3),
        settings(
            user="alice",
            list=3,
            env={"PORT4ME_LEASE_DIR": "/nonexistent", "PORT4ME_PROTOCOL": "udp", "PORT4ME_TIMEOUT": "x"},
        ),
    )


def account_cases() -> Iterator[Case]:
    """P4M-ENV-3: the account name comes from the user database, for the real user ID, or not at all."""
    yield Case(
        "user-nameless-account-no-fallback",
        "a user ID with no entry in the user database has no account name; LNAME does not stand in",
        ["P4M-ENV-3"],
        usage(),
        argv("--list=1", env={"LNAME": "bob"}),
        needs=["nameless-user"],
        decisions=[41],
    )
    yield Case(
        "user-nameless-account-variable",
        "with no account name, LOGNAME still names the user",
        ["P4M-ENV-3"],
        alice(1),
        argv("--list=1", env={"LOGNAME": "alice", "LNAME": "bob"}),
        needs=["nameless-user"],
        decisions=[41],
    )
    yield Case(
        "user-nameless-account-option",
        "with no account name, --user names the user",
        ["P4M-ENV-3"],
        alice(1),
        settings(user="alice", list=1),
        needs=["nameless-user"],
    )
    yield Case(
        "user-account-name",
        "with no user set anywhere, the account name: the call runs as the account 'nobody'",
        ["P4M-ENV-3"],
        ports(model("nobody", 2)),
        argv("--list=2"),
        needs=["nobody"],
        decisions=[6],
    )
    yield Case(
        "user-account-name-after-variables",
        "USER, LOGNAME and USERNAME come before the account name",
        ["P4M-ENV-3"],
        alice(2),
        argv("--list=2", env={"USERNAME": "alice"}),
        needs=["nobody"],
    )
    yield Case(
        "user-account-name-with-tool",
        "the account name and a tool",
        ["P4M-ENV-3", "P4M-SEED-1"],
        ports(model("nobody,rstudio", 2)),
        argv("--list=2", "rstudio"),
        needs=["nobody"],
    )
    yield Case(
        "number-list-200-digits-shown",
        "a bad value of 200 characters is named in full (only longer ones may be shortened)",
        ["P4M-CLI-11", "P4M-ENV-5"],
        usage("list", "9" * 200),
        settings(user="alice", list="9" * 200),
    )
    yield from first_source_cases()


def first_source_cases() -> Iterator[Case]:
    """P4M-ENV-3 (1.2): the first user source that is set is the user, valid or not; the message names
    that source as a whole name (P4M-CLI-11), not a longer name that contains it."""
    bad = b"al\xffice"
    yield Case(
        "user-invalid-user-before-valid-logname",
        "USER that is not UTF-8 beside a valid LOGNAME: a usage error about USER, no fall-through",
        ["P4M-ENV-3", "P4M-HASH-3"],
        usage("USER", raw=bad),
        Given(args=["--list=1"], env={"LOGNAME": "bob", "USERNAME": "carol"}, env_hex={"USER": bad.hex()}),
    )
    yield Case(
        "user-invalid-logname-before-valid-username",
        "no USER, LOGNAME not UTF-8, USERNAME valid: a usage error about LOGNAME",
        ["P4M-ENV-3", "P4M-HASH-3"],
        usage("LOGNAME", raw=bad),
        Given(args=["--list=1"], env={"USERNAME": "carol"}, env_hex={"LOGNAME": bad.hex()}),
    )
    yield Case(
        "user-invalid-variable-before-valid-user",
        "PORT4ME_USER not UTF-8 beside a valid USER: a usage error about PORT4ME_USER",
        ["P4M-ENV-3", "P4M-HASH-3"],
        usage("PORT4ME_USER", raw=bad),
        Given(args=["--list=1"], env={"USER": "bob"}, env_hex={"PORT4ME_USER": bad.hex()}),
    )
    yield Case(
        "user-valid-user-beside-invalid-logname",
        "a valid USER is the user; LOGNAME, not UTF-8, is never read",
        ["P4M-ENV-3", "P4M-HASH-3"],
        ports(model("bob", 1)),
        Given(args=["--list=1"], env={"USER": "bob"}, env_hex={"LOGNAME": bad.hex()}),
    )
