"""vectors/cli.yaml: the command line."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, Given, VectorFile, argv, settings
from ..expect import USAGE, alice, ports, usage
from ..model import model, seed_of

FILE = VectorFile("cli", "The command line", "Option syntax, positional arguments, stdout, exit codes (P4M-CLI-*).")


def cases() -> Iterator[Case]:
    yield Case(
        "cli-unknown-option",
        "an unknown --key=value is a usage error",
        ["P4M-CLI-1"],
        usage(value="--foo"),
        observed="cli_unknown_kv",
        decisions=[34],
    )
    yield Case(
        "cli-unknown-flag",
        "an unknown --flag is a usage error, not a tool name",
        ["P4M-CLI-1"],
        usage(value="--foo"),
        observed="cli_unknown_flag",
        decisions=[34],
    )
    yield Case(
        "cli-abbreviated-option",
        "--li=3 is not --list=3",
        ["P4M-CLI-1"],
        usage(value="--li"),
        observed="cli_abbreviated_option",
        decisions=[35],
    )
    yield Case(
        "cli-debug-not-an-option",
        "--debug is not a v1 option",
        ["P4M-CLI-1", "P4M-CLI-5"],
        usage(value="--debug"),
        observed="cli_debug_flag",
        decisions=[37],
    )
    yield Case(
        "cli-args-not-an-option",
        "--args is not a v1 option",
        ["P4M-CLI-1"],
        usage(value="--args"),
        observed="cli_double_dash_args",
        decisions=[34],
    )
    yield Case(
        "cli-short-option",
        "an unknown short option is a usage error",
        ["P4M-CLI-1"],
        usage(value="-x"),
        argv("--user=alice", "-x"),
    )
    yield Case(
        "cli-option-without-value",
        "--list without =VALUE is a usage error",
        ["P4M-CLI-1"],
        usage(value="--list"),
        argv("--user=alice", "--list"),
    )
    yield Case(
        "cli-uppercase-option",
        "option names are case-sensitive",
        ["P4M-CLI-1"],
        usage(value="--USER"),
        argv("--USER=alice"),
    )
    yield Case(
        "cli-two-positionals",
        "two positional arguments are a usage error",
        ["P4M-CLI-4"],
        USAGE,
        observed="cli_two_positionals",
        decisions=[36],
    )
    yield Case(
        "cli-positional-then-tool",
        "a positional tool and --tool together are a usage error",
        ["P4M-CLI-4"],
        USAGE,
        observed="cli_positional_then_tool",
        decisions=[36],
    )
    yield Case(
        "cli-tool-then-positional",
        "--tool and a positional tool together are a usage error",
        ["P4M-CLI-4"],
        USAGE,
        observed="cli_tool_then_positional",
        decisions=[36],
    )
    yield Case(
        "cli-positional-tool",
        "one positional argument is the tool",
        ["P4M-CLI-4", "P4M-ENV-4"],
        ports(model("alice,jupyter-notebook", 1)),
        observed="base_positional_tool",
        flags=["documented-example"],
    )
    yield Case(
        "cli-double-dash",
        "after --, an argument that starts with '-' is the tool",
        ["P4M-CLI-4"],
        ports(model("alice,-x", 1)),
        argv("--user=alice", "--", "-x"),
    )
    yield Case(
        "cli-double-dash-option-like",
        "after --, '--list=3' is the tool's name, not an option",
        ["P4M-CLI-4"],
        ports(model("alice,--list=3", 1)),
        argv("--user=alice", "--", "--list=3"),
    )
    yield Case(
        "cli-repeated-option",
        "a repeated option: the last one wins",
        ["P4M-CLI-3"],
        alice(),
        observed="cli_repeated_option",
    )
    yield Case(
        "cli-repeated-list",
        "--list=5 --list=2 lists two",
        ["P4M-CLI-3"],
        alice(2),
        argv("--user=alice", "--list=5", "--list=2"),
    )
    yield Case(
        "cli-value-with-equals",
        "the value is everything after the first '='",
        ["P4M-CLI-1", "P4M-SEED-2"],
        ports(model("a=b", 2)),
        observed="seed_value_with_equals",
        decisions=[33],
    )
    yield Case("cli-help", "--help prints help on stdout and exits 0", ["P4M-CLI-7"], {"help": True}, argv("--help"))
    yield Case(
        "cli-help-ignores-values",
        "--help with a bad value elsewhere still prints help",
        ["P4M-CLI-7"],
        {"help": True},
        argv("--help", "--list=0"),
    )
    yield Case(
        "cli-version", "--version prints one line and exits 0", ["P4M-CLI-7"], {"version": True}, argv("--version")
    )
    yield Case(
        "cli-version-ignores-values",
        "--version ignores the values of other settings",
        ["P4M-CLI-7"],
        {"version": True},
        argv("--list=0", "--version"),
    )
    yield Case(
        "cli-help-takes-no-value",
        "--help=yes is a usage error",
        ["P4M-CLI-7", "P4M-CLI-1"],
        usage(value="--help"),
        argv("--help=yes"),
    )
    yield Case(
        "cli-version-with-unknown-option",
        "--version does not excuse an unknown option",
        ["P4M-CLI-7", "P4M-CLI-1"],
        usage(value="--foo"),
        argv("--version", "--foo"),
    )
    yield Case(
        "cli-stdout-one-port",
        "stdout holds the port and a newline, nothing else",
        ["P4M-CLI-5"],
        alice(),
        argv("--user=alice"),
    )
    yield Case(
        "cli-no-user",
        "no user anywhere: the account name is used",
        ["P4M-ENV-3"],
        {"port_count": 1},
        argv("--list=1"),
        note="the runner's environment has no USER, LOGNAME, USERNAME or PORT4ME_USER",
    )

    yield Case(
        "cli-quiet-on-success",
        "nothing on stderr when all goes well (a SHOULD: advisory)",
        ["P4M-CLI-9"],
        {**alice(3), "stderr": "empty"},
        settings(user="alice", list=3),
    )
    yield Case(
        "cli-quiet-on-success-search",
        "nothing on stderr when a search succeeds (a SHOULD: advisory)",
        ["P4M-CLI-9"],
        {**alice(), "stderr": "empty"},
        argv("--user=alice"),
    )
    for name, why in (
        ("--no-such-option=1", "a name under the reserved prefix --no-such-"),
        ("--TEST=80", "a v1 name in another letter case"),
        ("--max=3", "an abbreviation of --max-tries"),
        ("--bogus", "a reserved name"),
        ("-l", "a single-dash option other than -h"),
    ):
        yield Case(
            f"cli-reserved-{name.strip('-').partition('=')[0].lower()}",
            f"{why} is never an option: a usage error",
            ["P4M-CLI-10", "P4M-CLI-1"],
            usage(value=name.partition("=")[0]),
            argv("--user=alice", name),
            decisions=[34, 35],
        )
    yield Case(
        "cli-lone-dash-is-the-tool",
        "an argument that is exactly '-' is positional: the tool named '-'",
        ["P4M-CLI-4", "P4M-SEED-2"],
        ports(model(seed_of("alice", "-"), 2)),
        argv("--user=alice", "--list=2", "-"),
    )
    yield Case(
        "cli-lone-dash-and-tool",
        "'-' is a positional argument, so it cannot stand beside --tool",
        ["P4M-CLI-4"],
        USAGE,
        argv("--user=alice", "--tool=rstudio", "-"),
        decisions=[36],
    )
    yield from form_cases()
    yield from message_cases()


def form_cases() -> Iterator[Case]:
    """P4M-CLI-4 counts the arguments written, not the values set; a flag takes no '=' (P4M-CLI-1)."""
    for suffix, args, why in (
        ("empty-positional-and-positional", ("", "rstudio"), "an empty positional argument beside another"),
        ("empty-tool-and-positional", ("--tool=", "x"), "--tool= (empty) beside a positional argument"),
        ("positional-and-empty-tool", ("x", "--tool="), "a positional argument beside --tool= (empty)"),
        ("two-empty-positionals", ("", ""), "two empty positional arguments"),
    ):
        yield Case(
            f"cli-{suffix}",
            f"{why} is two tools: a usage error, whatever the values",
            ["P4M-CLI-4", "P4M-ENV-2"],
            USAGE,
            argv("--user=alice", "--list=1", *args),
            decisions=[36],
            note="the form of the command line is checked before any value is read (spec 1.2, P4M-CLI-4)",
        )
    yield Case(
        "cli-empty-tool-option-alone",
        "--tool= alone is one --tool with an empty value: no tool",
        ["P4M-CLI-4", "P4M-ENV-2"],
        ports(model("alice", 2)),
        argv("--user=alice", "--list=2", "--tool="),
    )
    for flag in ("--help", "--version"):
        yield Case(
            f"cli-{flag.strip('-')}-empty-value",
            f"{flag}= (an empty value) is a flag with a value: a usage error",
            ["P4M-CLI-1", "P4M-CLI-7"],
            usage(value=flag),
            argv(f"{flag}="),
        )


def message_cases() -> Iterator[Case]:
    """P4M-CLI-11: values shown as they are or escaped as the spec allows; sources as whole names."""
    for suffix, value, why in (
        ("quote-backslash", 'a"b\\c', "a double quote and a backslash"),
        ("tab", "a\tb", "a tab, which the one line must show escaped"),
        ("single-quote", "it's", "a single quote"),
        ("non-ascii", "zwölf", "a character outside ASCII"),
    ):
        yield Case(
            f"cli-message-value-{suffix}",
            f"a bad --skip value with {why}: the message shows the value, as it is or escaped",
            ["P4M-CLI-11", "P4M-ENV-5"],
            usage("skip", value),
            settings(user="alice", skip=value),
        )
    raw = b"1\xff2"
    yield Case(
        "cli-message-value-not-utf8",
        "a bad --skip value that is not UTF-8: the message shows it, its byte as \\xFF (or U+FFFD)",
        ["P4M-CLI-11", "P4M-ENV-5"],
        usage("--skip", raw=raw),
        Given(args=["--user=alice"], args_hex=[(b"--skip=" + raw).hex()]),
    )
