"""vectors/grammar.yaml: the port-list grammar, valid and invalid."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, VectorFile, settings
from ..expect import alice, ports, usage
from ..model import FIREFOX, UNSAFE, lst, model

FILE = VectorFile(
    "grammar", "Port-list grammar", "Valid and invalid port lists (P4M-LIST-*), given as --exclude unless noted."
)

# (id suffix, --exclude value, upstream observation, decisions): lists that mean 30845 and 32310, or 30845
VALID = [
    ("single-space", "30845 32310", "spec_single_space", ()),
    ("double-space", "30845  32310", "spec_double_space", [13]),
    ("comma-space", "30845, 32310", "spec_comma_space", [13]),
    ("tab", "30845\t32310", "spec_tab", [13]),
    ("leading-comma", ",30845", "spec_leading_comma", [13]),
    ("trailing-comma", "30845,", "spec_trailing_comma", ()),
    ("double-comma", "30845,,32310", "spec_double_comma", [13]),
    ("carriage-return", "30845\r\n32310", None, [13]),
    ("vertical-tab-form-feed", "30845\v\f32310", None, [13]),
    ("surrounding-space", "  30845 ,\t32310  ", None, [13]),
]

# (id suffix, --exclude value, upstream observation, decisions): lists that are usage errors
INVALID = [
    ("plus-sign", "+30845", "spec_plus_sign", [15]),
    ("underscore", "30_845", "spec_underscore_digits", [15]),
    ("open-range", "5000-", "spec_open_range", [15]),
    ("negative", "-5", "spec_negative", [15]),
    ("garbage", "foo", "spec_garbage_cli", [26]),
    ("unknown-token", "{safari}", "spec_unknown_token", [16]),
    ("huge-number", "99999999999999999999", "spec_exclude_huge_number", [12]),
    ("above-65535", "65536", None, [12]),
    ("two-dashes", "1-2-3", None, [15]),
    ("descending", "10-5", None, [10]),
    ("spaced-range", "5000 - 5010", None, [15]),
    ("fullwidth-digits", "３０８４５", None, [15]),
    ("arabic-indic-digits", "٣٠٨٤٥", None, [15]),
    ("no-break-space", "30845\u00a032310", None, [13]),
    ("token-uppercase", "{CHROME}", None, [16]),
    ("token-unbraced", "chrome", None, [16]),
    ("semicolon", "30845;32310", None, [13]),
    ("hex", "0x7000", None, [15]),
    ("decimal-point", "3084.5", None, [15]),
]


# The option the observed command lines used; the others pass the list as the exclude setting.
OBSERVED_OPTION = {"open-range": "--prepend", "negative": "--prepend"}
# Items a message may show escaped (P4M-CLI-11) or that say nothing alone: only the source is checked.
SOURCE_ONLY = {"spaced-range", "no-break-space"}


def invalid_list(suffix: str, text: str) -> dict:
    """A usage error naming where the bad list came from, and the list (here one bad item)."""
    observed = next(row[2] for row in INVALID if row[0] == suffix)
    source = OBSERVED_OPTION.get(suffix, "--exclude") if observed else "exclude"
    return usage(source, None if suffix in SOURCE_ONLY else text)


def cases() -> Iterator[Case]:
    A = "alice"
    both = alice(exclude=UNSAFE | {30845, 32310})
    for suffix, text, observed, decisions in VALID:
        yield Case(
            f"list-valid-{suffix}",
            f"separators: {text!r}",
            ["P4M-LIST-1"],
            alice(exclude=UNSAFE | {30845}) if text.strip(", ") == "30845" else both,
            None if observed else settings(user=A, exclude=text),
            observed=observed,
            decisions=decisions,
        )
    yield Case(
        "list-valid-newline-env",
        "a newline separates, in a variable",
        ["P4M-LIST-1"],
        both,
        observed="spec_newline_env",
    )
    yield Case(
        "list-valid-leading-zero",
        "leading zeros are decimal, not octal",
        ["P4M-LIST-2"],
        alice(exclude=UNSAFE | {30845}),
        observed="spec_leading_zero_exclude",
        decisions=[14],
    )
    yield Case(
        "list-valid-leading-zero-8",
        "08080 is port 8080",
        ["P4M-LIST-2"],
        ports(model(A, 2, prepend=[8080])),
        observed="spec_leading_zero_prepend",
        decisions=[14],
    )
    yield Case(
        "list-valid-many-zeros",
        "000000000030845 is port 30845",
        ["P4M-LIST-2"],
        alice(exclude=UNSAFE | {30845}),
        settings(user=A, exclude="000000000030845"),
    )
    yield Case(
        "list-valid-range",
        "a range includes both ends",
        ["P4M-LIST-3"],
        alice(3, include=lst("5000-5002")),
        settings(user=A, include="5000-5002", list=3),
    )
    yield Case(
        "list-valid-one-port-range",
        "5000-5000 is one port",
        ["P4M-LIST-3"],
        ports([5000]),
        settings(user=A, include="5000-5000"),
    )
    yield Case(
        "list-valid-65535",
        "65535 is the highest port",
        ["P4M-LIST-2"],
        ports([65535]),
        settings(user=A, include="65535"),
    )
    yield Case(
        "list-valid-tokens-mixed",
        "tokens mix with ports and ranges",
        ["P4M-LIST-5"],
        ports(model(A, 3, prepend=[8080, *FIREFOX])),
        settings(user=A, prepend="8080,{firefox}", list=3),
    )
    yield Case(
        "list-valid-exclude-above-65535",
        "an exclude value above 65535 is an error, not ignored",
        ["P4M-LIST-2"],
        usage("--exclude", "70000"),
        observed="spec_exclude_above_65535",
        decisions=[12],
    )
    for suffix, text, observed, decisions in INVALID:
        yield Case(
            f"list-invalid-{suffix}",
            f"invalid port list {text!r}",
            ["P4M-LIST-2", "P4M-LIST-6"],
            invalid_list(suffix, text),
            None if observed else settings(user=A, exclude=text),
            observed=observed,
            decisions=decisions,
        )
    yield Case(
        "list-invalid-env",
        "a malformed PORT4ME_EXCLUDE is a usage error",
        ["P4M-LIST-6"],
        usage("PORT4ME_EXCLUDE", "foo"),
        observed="spec_garbage_env",
        decisions=[26],
    )
    yield Case(
        "list-invalid-include-straddles",
        "a range reaching above 65535 is a usage error",
        ["P4M-LIST-2"],
        usage("--include", "65540"),
        observed="spec_include_straddles_65535",
        decisions=[12],
    )
    yield Case(
        "list-invalid-include-above-only",
        "--include=70000 is a usage error, not a hang",
        ["P4M-LIST-2"],
        usage("--include", "70000"),
        observed="spec_include_above_65535_only",
        decisions=[12],
    )
    yield Case(
        "list-invalid-prepend-above",
        "--prepend=70000 is a usage error",
        ["P4M-LIST-2"],
        usage("--prepend", "70000"),
        observed="spec_prepend_above_65535_list",
        decisions=[12],
    )
    yield Case(
        "list-invalid-descending-include",
        "a reversed include range is a usage error",
        ["P4M-LIST-3"],
        usage("--include", "1030-1024"),
        observed="spec_descending_include",
        decisions=[10],
    )
    yield Case(
        "list-invalid-site",
        "a malformed PORT4ME_INCLUDE_SITE is a usage error",
        ["P4M-LIST-6"],
        usage("PORT4ME_INCLUDE_SITE", "1-2-3"),
        settings(user=A, env={"PORT4ME_INCLUDE_SITE": "1-2-3"}),
        decisions=[15],
    )
    yield Case(
        "list-invalid-unsafe",
        "a malformed PORT4ME_EXCLUDE_UNSAFE is a usage error",
        ["P4M-LIST-6"],
        usage("PORT4ME_EXCLUDE_UNSAFE", "x"),
        settings(user=A, env={"PORT4ME_EXCLUDE_UNSAFE": "{chrome},x"}),
        decisions=[15],
    )
    yield from zero_endpoint_cases()
    yield from message_cases()


def zero_endpoint_cases() -> Iterator[Case]:
    """Port 0 as an endpoint of a range (P4M-LIST-3, P4M-LIST-4): 0 is dropped from the ports a range
    stands for, after the descending check, never clamped to 1 before it."""
    A = "alice"
    none_unsafe = {"PORT4ME_EXCLUDE_UNSAFE": "0"}
    yield Case(
        "list-zero-range-zero-zero-include",
        "--include=0-0,5000: 0-0 stands for no port, so the candidates are 5000 alone (not port 1 too)",
        ["P4M-LIST-4", "P4M-LIST-3"],
        ports([5000, 5000, 5000]),
        settings(user=A, include="0-0,5000", list=3, env=none_unsafe),
    )
    yield Case(
        "list-zero-range-zero-zero-alone",
        "--include=0-0 is an empty include list: the default 1024-65535",
        ["P4M-LIST-4", "P4M-SET-1"],
        alice(2),
        settings(user=A, include="0-0", list=2),
    )
    yield Case(
        "list-zero-range-zero-zero-prepend",
        "--prepend=0-0 prepends nothing",
        ["P4M-LIST-4", "P4M-SET-4"],
        alice(2),
        settings(user=A, prepend="0-0", list=2),
    )
    yield Case(
        "list-zero-range-from-zero",
        "--include=0-2,5000 with no unsafe ports: ports 1, 2 and 5000",
        ["P4M-LIST-4", "P4M-LIST-3"],
        ports(model(A, 6, include={1, 2, 5000}, exclude=set())),
        settings(user=A, include="0-2,5000", list=6, env=none_unsafe),
    )
    for text in ("1-0", "5-0", "65535-0"):
        yield Case(
            f"list-invalid-descending-to-zero-{text.partition('-')[0]}",
            f"{text} is descending: a usage error, even though 0 is dropped (0 is not first made 1)",
            ["P4M-LIST-3", "P4M-LIST-4"],
            usage("include", text),
            settings(user=A, include=text, list=1),
            decisions=[10],
        )


def message_cases() -> Iterator[Case]:
    """P4M-CLI-11 on port lists: a range's endpoint above 65535 may be named alone or with its item; a
    variable's name is a whole name (PORT4ME_INCLUDE is not PORT4ME_INCLUDE_SITE)."""
    A = "alice"
    yield Case(
        "list-invalid-range-end-above-65535",
        "--exclude=65534-65540: the message names 65540 (alone or as 65534-65540)",
        ["P4M-LIST-2", "P4M-CLI-11"],
        usage("exclude", "65540"),
        settings(user=A, exclude="5000,65534-65540"),
        decisions=[12],
    )
    yield Case(
        "list-invalid-include-beside-site",
        "a bad PORT4ME_INCLUDE beside a valid PORT4ME_INCLUDE_SITE: the message names PORT4ME_INCLUDE",
        ["P4M-LIST-6", "P4M-CLI-11"],
        usage("PORT4ME_INCLUDE", "x5000"),
        settings(user=A, env={"PORT4ME_INCLUDE": "x5000", "PORT4ME_INCLUDE_SITE": "6000"}),
        decisions=[15],
    )
    yield Case(
        "list-invalid-site-beside-include",
        "a bad PORT4ME_EXCLUDE_SITE beside a valid PORT4ME_EXCLUDE: the message names PORT4ME_EXCLUDE_SITE",
        ["P4M-LIST-6", "P4M-CLI-11"],
        usage("PORT4ME_EXCLUDE_SITE", "x5000"),
        settings(user=A, env={"PORT4ME_EXCLUDE": "6000", "PORT4ME_EXCLUDE_SITE": "x5000"}),
        decisions=[15],
    )
