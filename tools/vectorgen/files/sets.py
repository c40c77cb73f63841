"""vectors/sets.yaml: candidate sets, prepend, skip and list."""

from __future__ import annotations

import random
from collections.abc import Iterator

from ..case import Case, VectorFile, argv, settings
from ..expect import USAGE, alice, ports, usage
from ..model import CHROME, FIREFOX, UNSAFE, decimal_mod, lst, model

FILE = VectorFile(
    "sets",
    "Candidate sets, prepend, skip and list",
    "How include, exclude, site, unsafe and prepend settings build the stream, and how skip and list cut it.",
)


def cases() -> Iterator[Case]:
    A = "alice"
    yield Case(
        "set-include-documented",
        "documented example: --include=2000-2123,4321,10000-10999",
        ["P4M-SET-1", "P4M-SET-2"],
        alice(include=lst("2000-2123,4321,10000-10999")),
        observed="base_include_ranges",
        flags=["documented-example"],
    )
    yield Case(
        "set-include-low-ports",
        "documented example: --include=1-1023 gives 470 (unsafe ports still excluded)",
        ["P4M-SET-1", "P4M-SET-3"],
        alice(include=lst("1-1023")),
        settings(user=A, include="1-1023"),
        flags=["documented-example"],
    )
    yield Case(
        "set-include-list",
        "an include list orders its ports by alice's sequence",
        ["P4M-SET-1"],
        alice(5, include=lst("2000-2123")),
        settings(user=A, include="2000-2123", list=5),
    )
    yield Case(
        "set-include-site-union",
        "--include and PORT4ME_INCLUDE_SITE are united",
        ["P4M-SET-2", "P4M-ENV-1"],
        alice(3, include=lst("2000-2123,10000-10999")),
        observed="cli_include_vs_site",
        decisions=[19],
    )
    yield Case(
        "set-include-env-and-site",
        "PORT4ME_INCLUDE and PORT4ME_INCLUDE_SITE are united",
        ["P4M-SET-2"],
        alice(3, include=lst("2000-2123,10000-10999")),
        settings(user=A, list=3, env={"PORT4ME_INCLUDE": "2000-2123", "PORT4ME_INCLUDE_SITE": "10000-10999"}),
    )
    yield Case(
        "set-include-option-replaces-env",
        "--include replaces PORT4ME_INCLUDE",
        ["P4M-ENV-1", "P4M-SET-2"],
        alice(3, include=lst("2000-2123")),
        argv("--user=alice", "--include=2000-2123", "--list=3", env={"PORT4ME_INCLUDE": "10000-10999"}),
    )
    yield Case(
        "set-include-empty-means-default",
        "an include list with no ports (only separators) means the default range",
        ["P4M-SET-1", "P4M-LIST-1"],
        alice(),
        argv("--user=alice", "--include=,"),
        observed="spec_only_comma_include",
    )
    yield Case(
        "set-include-zero-means-default",
        "--include=0 is an empty list (port 0 is dropped), so the default range",
        ["P4M-SET-1", "P4M-LIST-4"],
        alice(),
        settings(user=A, include="0"),
        decisions=[11],
    )
    yield Case(
        "set-include-zero-dropped",
        "port 0 in an include list is dropped",
        ["P4M-LIST-4"],
        alice(4, include=lst("5000-5002")),
        observed="spec_zero_in_include",
        decisions=[11],
    )
    yield Case(
        "set-exclude",
        "--exclude drops ports from the candidates",
        ["P4M-SET-3"],
        alice(exclude=UNSAFE | {30845}),
        settings(user=A, exclude="30845"),
    )
    yield Case(
        "set-exclude-option-replaces-env",
        "--exclude replaces PORT4ME_EXCLUDE",
        ["P4M-ENV-1", "P4M-SET-3"],
        alice(exclude=UNSAFE | {32310}),
        observed="cli_exclude_vs_env_exclude",
    )
    yield Case(
        "set-exclude-option-keeps-site",
        "--exclude replaces PORT4ME_EXCLUDE, but PORT4ME_EXCLUDE_SITE still applies",
        ["P4M-SET-3", "P4M-ENV-1"],
        alice(exclude=UNSAFE | {30845, 32310}),
        observed="cli_exclude_vs_site",
        decisions=[19],
    )
    yield Case(
        "set-exclude-option-keeps-unsafe",
        "--exclude does not drop the unsafe ports",
        ["P4M-SET-3", "P4M-SET-5"],
        alice(3, include=lst("6665-6669,7000"), exclude=UNSAFE | {1}),
        observed="cli_exclude_vs_unsafe",
        decisions=[19],
    )
    yield Case(
        "set-exclude-site-readme-example",
        "the README's site file writes a leading comma: it is harmless",
        ["P4M-SET-3", "P4M-LIST-1"],
        alice(2, exclude=UNSAFE | {3306, 5670, 6379, 8888}),
        observed="readme_site_exclude_example",
    )
    yield Case(
        "set-exclude-range",
        "exclude a range",
        ["P4M-SET-3"],
        alice(3, exclude=UNSAFE | lst("10000-39999")),
        settings(user=A, exclude="10000-39999", list=3),
    )
    yield Case(
        "set-unsafe-default",
        "by default {chrome} and {firefox} ports are excluded",
        ["P4M-SET-5", "P4M-UNSAFE-1"],
        alice(3, include=lst("6665-6669,7000")),
        observed="unsafe_default",
    )
    yield Case(
        "set-unsafe-empty",
        "PORT4ME_EXCLUDE_UNSAFE set but empty excludes no unsafe port",
        ["P4M-SET-5", "P4M-ENV-2"],
        alice(3, include=lst("6665-6669,7000"), exclude=set()),
        observed="unsafe_env_empty",
        decisions=[18],
    )
    yield Case(
        "set-unsafe-zero",
        "PORT4ME_EXCLUDE_UNSAFE=0 excludes no unsafe port",
        ["P4M-SET-5", "P4M-LIST-4"],
        alice(3, include=lst("6665-6669,7000"), exclude=set()),
        observed="unsafe_env_zero",
    )
    yield Case(
        "set-unsafe-custom",
        "PORT4ME_EXCLUDE_UNSAFE replaces the default unsafe list",
        ["P4M-SET-5"],
        alice(3, include=lst("6665-6669,7000"), exclude={6668}),
        settings(user=A, include="6665-6669,7000", list=3, env={"PORT4ME_EXCLUDE_UNSAFE": "6668"}),
    )
    yield Case(
        "set-unsafe-chrome-override",
        "PORT4ME_EXCLUDE_UNSAFE_CHROME says what {chrome} stands for",
        ["P4M-UNSAFE-1"],
        alice(3, include=lst("6665-6669,7000"), exclude=set(FIREFOX) | {7000}),
        observed="unsafe_chrome_list_override",
    )
    yield Case(
        "set-unsafe-firefox-override",
        "PORT4ME_EXCLUDE_UNSAFE_FIREFOX says what {firefox} stands for",
        ["P4M-UNSAFE-1"],
        alice(3, include=lst("6000,6665-6669,7000"), exclude=lst("6665-6669")),
        settings(
            user=A,
            include="6000,6665-6669,7000",
            list=3,
            env={"PORT4ME_EXCLUDE_UNSAFE_FIREFOX": "6665", "PORT4ME_EXCLUDE_UNSAFE_CHROME": "6666-6669"},
        ),
    )
    yield Case(
        "set-unsafe-chrome-empty",
        "PORT4ME_EXCLUDE_UNSAFE_CHROME set but empty: {chrome} stands for no port",
        ["P4M-UNSAFE-1", "P4M-ENV-2"],
        alice(3, include=lst("6665-6669,7000"), exclude=set(FIREFOX)),
        settings(user=A, include="6665-6669,7000", list=3, env={"PORT4ME_EXCLUDE_UNSAFE_CHROME": ""}),
    )
    yield Case(
        "set-unsafe-token-in-token-value",
        "a token inside PORT4ME_EXCLUDE_UNSAFE_CHROME is a usage error",
        ["P4M-UNSAFE-2"],
        usage("PORT4ME_EXCLUDE_UNSAFE_CHROME", "{firefox}"),
        settings(user=A, env={"PORT4ME_EXCLUDE_UNSAFE_CHROME": "{firefox}"}),
        decisions=[16],
    )
    yield Case(
        "set-unsafe-bad-chrome-value",
        "a malformed PORT4ME_EXCLUDE_UNSAFE_CHROME is a usage error",
        ["P4M-UNSAFE-2", "P4M-LIST-2"],
        usage("PORT4ME_EXCLUDE_UNSAFE_CHROME", "abc"),
        settings(user=A, env={"PORT4ME_EXCLUDE_UNSAFE_CHROME": "abc"}),
        decisions=[15],
    )
    yield Case(
        "set-unsafe-pinned-chrome",
        "the pinned Chrome list: {chrome} in a prepend list, in order",
        ["P4M-UNSAFE-1", "P4M-SET-4"],
        ports(CHROME[:4]),
        observed="spec_chrome_token_prepend",
    )
    yield Case(
        "set-unsafe-pinned-chrome-all",
        "every port of the pinned 2022-10-24 Chrome list, in its order",
        ["P4M-UNSAFE-1"],
        ports(CHROME),
        settings(user=A, prepend="{chrome}", list=len(CHROME)),
    )
    yield Case(
        "set-unsafe-pinned-firefox-all",
        "every port of the pinned 2022-10-24 Firefox list, in its order",
        ["P4M-UNSAFE-1"],
        ports(FIREFOX),
        settings(user=A, prepend="{firefox}", list=len(FIREFOX)),
    )
    yield Case(
        "set-unsafe-tokens-in-include",
        "tokens work in an include list too",
        ["P4M-LIST-5", "P4M-SET-5"],
        alice(3, include=set(CHROME), exclude=set()),
        settings(user=A, include="{chrome}", list=3, env={"PORT4ME_EXCLUDE_UNSAFE": ""}),
    )
    yield Case(
        "set-empty-candidates",
        "include minus exclude is empty: a usage error, not a hang or an excluded port",
        ["P4M-SET-6"],
        USAGE,
        observed="empty_candidate_set",
        decisions=[17],
    )
    yield Case(
        "set-empty-candidates-chrome",
        "--include={chrome}: every port is also unsafe, so the set is empty",
        ["P4M-SET-6"],
        USAGE,
        observed="empty_candidate_set_chrome",
        decisions=[17],
    )
    yield Case(
        "set-empty-candidates-with-prepend",
        "an empty candidate set is an error even when prepended ports would do",
        ["P4M-SET-6"],
        USAGE,
        settings(user=A, prepend="4000", include="5000", exclude="5000", list=1),
        decisions=[17],
    )
    yield Case(
        "set-empty-candidates-site",
        "the site exclusion can empty the set too",
        ["P4M-SET-6", "P4M-SET-3"],
        USAGE,
        settings(user=A, include="5000-5001", env={"PORT4ME_EXCLUDE_SITE": "5000-5001"}),
        decisions=[17],
    )
    yield Case(
        "set-single-candidate-repeats",
        "a one-port set repeats that port",
        ["P4M-SEQ-6"],
        ports([5000] * 3),
        settings(user=A, include="5000", list=3),
    )
    # prepend
    yield Case(
        "prepend-order",
        "prepended ports come first, in the order written",
        ["P4M-SET-4"],
        ports(model(A, 4, prepend=[5000, 4000, 4500])),
        observed="prepend_order_preserved",
    )
    yield Case(
        "prepend-then-site",
        "PORT4ME_PREPEND, then PORT4ME_PREPEND_SITE",
        ["P4M-SET-4"],
        ports(model(A, 3, prepend=[1111, 2222])),
        observed="env_prepend_plus_site",
    )
    yield Case(
        "prepend-option-keeps-site",
        "--prepend replaces PORT4ME_PREPEND, but PORT4ME_PREPEND_SITE still follows",
        ["P4M-SET-4", "P4M-ENV-1"],
        ports(model(A, 3, prepend=[1111, 2222])),
        observed="cli_prepend_vs_site",
        decisions=[19],
    )
    yield Case(
        "prepend-option-replaces-env",
        "--prepend replaces PORT4ME_PREPEND",
        ["P4M-SET-4", "P4M-ENV-1"],
        ports(model(A, 2, prepend=[1111])),
        argv("--user=alice", "--prepend=1111", "--list=2", env={"PORT4ME_PREPEND": "3333"}),
    )
    yield Case(
        "prepend-dup-adjacent",
        "duplicate prepended ports: the first is kept",
        ["P4M-SET-4"],
        ports(model(A, 3, prepend=[4321])),
        observed="prepend_dup_adjacent_cli",
        decisions=[20],
    )
    yield Case(
        "prepend-dup-nonadjacent",
        "a later duplicate is dropped",
        ["P4M-SET-4"],
        ports(model(A, 4, prepend=[4321, 11001])),
        observed="prepend_dup_nonadjacent_cli",
        decisions=[20],
    )
    yield Case(
        "prepend-dup-nonadjacent-env",
        "a later duplicate is dropped (from PORT4ME_PREPEND)",
        ["P4M-SET-4"],
        ports(model(A, 4, prepend=[4321, 11001])),
        observed="prepend_dup_nonadjacent_env",
        decisions=[20],
    )
    yield Case(
        "prepend-dup-overlapping-ranges",
        "overlapping ranges: each port once, first place kept",
        ["P4M-SET-4"],
        ports(model(A, 5, prepend=[4000, 4001, 4002])),
        observed="prepend_overlapping_ranges",
        decisions=[20],
    )
    yield Case(
        "prepend-dup-across-site",
        "a site port already prepended is not repeated",
        ["P4M-SET-4"],
        ports(model(A, 3, prepend=[4321])),
        observed="prepend_dup_across_site",
    )
    yield Case(
        "prepend-bypasses-exclude",
        "a prepended port is used even if excluded",
        ["P4M-SET-4"],
        ports([30845]),
        observed="prepend_not_filtered_by_exclude",
    )
    yield Case(
        "prepend-bypasses-include",
        "a prepended port is used even if not included",
        ["P4M-SET-4"],
        ports([2000]),
        observed="prepend_not_filtered_by_include",
    )
    yield Case(
        "prepend-bypasses-unsafe",
        "a prepended port is used even if unsafe",
        ["P4M-SET-4"],
        ports([6000]),
        observed="prepend_unsafe_port",
    )
    yield Case(
        "prepend-not-removed-from-candidates",
        "a prepended port may come again from the candidates",
        ["P4M-SET-4", "P4M-SEQ-1"],
        ports(model(A, 2, prepend=[30845])),
        settings(user=A, prepend="30845", list=2),
    )
    yield Case(
        "prepend-zero-dropped",
        "port 0 in a prepended range is dropped",
        ["P4M-LIST-4", "P4M-SET-4"],
        ports(model(A, 4, prepend=[1, 2])),
        observed="spec_zero_range_prepend",
        decisions=[11],
    )
    yield Case(
        "prepend-descending",
        "a reversed range in a prepend list is a usage error",
        ["P4M-LIST-3"],
        usage("--prepend", "10-5"),
        observed="spec_descending_prepend",
        decisions=[10],
    )
    # skip
    yield Case(
        "skip-counts-prepend",
        "skip counts prepended ports",
        ["P4M-SEQ-2"],
        ports(model(A, 2, prepend=[1111, 2222], skip=1)),
        observed="skip_counts_prepend",
    )
    yield Case(
        "skip-past-prepend",
        "skip beyond the prepended ports continues into the candidates",
        ["P4M-SEQ-2"],
        ports(model(A, 2, prepend=[1111, 2222], skip=3)),
        settings(user=A, prepend="1111,2222", skip=3, list=2),
    )
    yield Case(
        "skip-after-exclude",
        "skip applies after exclusion",
        ["P4M-SEQ-2"],
        alice(exclude=UNSAFE | {19654}, skip=1),
        observed="skip_after_exclude",
    )
    yield Case("skip-zero", "skip=0 is the default", ["P4M-SEQ-2"], alice(2), settings(user=A, skip=0, list=2))
    yield Case(
        "skip-65535",
        "skip=65535 answers at once",
        ["P4M-SEQ-2", "P4M-SEQ-3"],
        alice(skip=65535),
        observed="skip_ge_65535",
        decisions=[23],
    )
    yield Case(
        "skip-huge",
        "skip has no upper bound: 10**30",
        ["P4M-SEQ-3"],
        alice(2, skip=10**30),
        settings(user=A, skip=str(10**30), list=2),
        decisions=[23],
    )
    yield Case(
        "skip-huge-small-set",
        "a huge skip over a three-port set",
        ["P4M-SEQ-3"],
        alice(3, include=lst("5000-5002"), skip=10**20 + 1),
        settings(user=A, include="5000-5002", skip=str(10**20 + 1), list=3),
        decisions=[23],
    )
    yield Case(
        "skip-small-set",
        "skip within a small include set, wrapping around",
        ["P4M-SEQ-2", "P4M-SEQ-6"],
        alice(4, include=lst("5000-5100"), skip=99),
        settings(user=A, include="5000-5100", skip=99, list=4),
    )
    yield Case(
        "list-small-set-repeats",
        "a list longer than the candidate set repeats it",
        ["P4M-SEQ-6", "P4M-SEQ-4"],
        alice(7, include=lst("5000-5002")),
        settings(user=A, include="5000-5002", list=7),
    )
    yield Case(
        "list-max", "--list=65536 is allowed", ["P4M-ENV-5"], {"port_count": 65536}, settings(user=A, list=65536)
    )
    yield Case(
        "list-large-set-order",
        "100 ports of a 101-port set",
        ["P4M-SEQ-4"],
        alice(100, include=lst("5000-5100")),
        settings(user=A, include="5000-5100", list=100),
    )

    yield from skip_cases()
    yield from overlap_cases()
    yield from default_unsafe_cases()
    yield from distinct_range_cases()


def digits(count: int, tail: str) -> str:
    """A decimal number of ``count`` digits: 1, zeros, then ``tail``."""
    return "1" + "0" * (count - 1 - len(tail)) + tail


def skip_cases() -> Iterator[Case]:
    """Skips that take the implementation's fast paths: big skips over big sets (P4M-SEQ-2, P4M-SEQ-3)."""
    default = 64495  # the size of the default candidate set
    for user in ("alice", "bob"):
        for skip in (1000, 40000, default - 1, default, default + 1, 100000, 10**6 + 7):
            yield Case(
                f"skip-{user}-{skip}",
                f"{user}'s stream from item {skip} on (the default set; a skip this big may jump)",
                ["P4M-SEQ-2", "P4M-SEQ-6"],
                ports(model(user, 3, skip=skip)),
                settings(user=user, skip=skip, list=3),
            )
    holes = lst("10000-20000")
    for skip in (30000, 54000, 10**9 + 9):
        yield Case(
            f"skip-large-set-with-hole-{skip}",
            f"skip {skip} over the default set minus 10000-20000",
            ["P4M-SEQ-2", "P4M-SEQ-6", "P4M-SET-3"],
            ports(model("alice", 4, skip=skip, exclude=UNSAFE | holes)),
            settings(user="alice", exclude="10000-20000", skip=skip, list=4),
            decisions=[19] + ([23] if skip > 65535 else []),  # --exclude keeps the unsafe ports; a huge skip
        )
    for count, tail in ((5000, "12345"), (10000, "987654321")):
        text = digits(count, tail)
        yield Case(
            f"skip-{count}-digits",
            f"a skip written with {count} digits answers within the time limit",
            ["P4M-SEQ-3"],
            ports(model("alice", 3, skip=decimal_mod(text, default))),
            settings(user="alice", skip=text, list=3),
            flags=["time-bound"],
            decisions=[23],
        )
    text = digits(5000, "7")
    yield Case(
        "skip-5000-digits-prepend-small-set",
        "a 5000-digit skip past two prepended ports into a three-port set",
        ["P4M-SEQ-2", "P4M-SEQ-3"],
        ports(
            model("alice", 4, prepend=[1111, 2222], include=lst("5000-5002"), skip=2 + (decimal_mod(text, 3) - 2) % 3)
        ),
        settings(user="alice", prepend="1111,2222", include="5000-5002", skip=text, list=4),
        flags=["time-bound"],
        decisions=[23],
    )
    repeated = ",".join(["1-65535"] * 8000)
    yield Case(
        "prepend-repeated-huge-ranges",
        "1-65535 written 8000 times (64 KB) costs what its 65535 distinct ports cost",
        ["P4M-LIST-2", "P4M-SET-4"],
        ports([1, 2, 3]),
        argv("--user=alice", "--list=3", f"--prepend={repeated}"),
        flags=["time-bound"],
    )
    yield Case(
        "include-repeated-ranges",
        "an include range written 8000 times is the range once",
        ["P4M-LIST-2", "P4M-SET-2"],
        alice(3, include=lst("5000-5100")),
        argv("--user=alice", "--list=3", env={"PORT4ME_INCLUDE_SITE": ",".join(["5000-5100"] * 8000)}),
        flags=["time-bound"],
    )


def overlap_cases() -> Iterator[Case]:
    """Exclude ranges that cut include ranges at every kind of edge (P4M-SET-1, P4M-SET-3)."""
    include = "5000-5100"
    for exclude in ("5050-6000", "4000-5049", "5000-5000", "5100-5100", "5010-5020,5030-5040", "4999-5101"):
        excluded = lst(exclude)
        if not lst(include) - excluded:
            continue
        yield Case(
            f"set-exclude-cuts-{exclude.replace(',', '-and-')}",
            f"--include={include} --exclude={exclude}",
            ["P4M-SET-1", "P4M-SET-3"],
            alice(10, include=lst(include), exclude=UNSAFE | excluded),
            settings(user="alice", include=include, exclude=exclude, list=10),
        )
    yield Case(
        "set-exclude-cuts-everything",
        "--include=5000-5100 --exclude=4999-5101: nothing is left",
        ["P4M-SET-6"],
        USAGE,
        settings(user="alice", include=include, exclude="4999-5101", list=1),
        decisions=[17],
    )
    yield Case(
        "set-include-two-ranges-exclude-between",
        "two include ranges and an exclude range that spans the gap between them",
        ["P4M-SET-1", "P4M-SET-3"],
        alice(8, include=lst("5000-5010,5020-5030"), exclude=UNSAFE | lst("5005-5025")),
        settings(user="alice", include="5000-5010,5020-5030", exclude="5005-5025", list=8),
    )
    yield Case(
        "set-long-list-below-65535",
        "a list longer than a set that stops below 65535: every port of 60000-60099, then round again",
        ["P4M-SEQ-4", "P4M-SEQ-6"],
        alice(250, include=lst("60000-60099")),
        settings(user="alice", include="60000-60099", list=250),
    )

    yield from mutation_cases()


def mutation_cases() -> Iterator[Case]:
    """Inputs that single-point mutants of the reference got wrong while every other vector passed."""
    for user, skip, count in (("alice", 5400, 3), ("alice", 10000, 3), ("u4", 28979, 1), ("bob", 7777, 2)):
        yield Case(
            f"skip-jump-{user}-{skip}",
            f"{user}'s stream from item {skip}: far enough to jump, not so far that the jump wraps the cycle",
            ["P4M-SEQ-2", "P4M-LCG-3"],
            ports(model(user, count, skip=skip)),
            settings(user=user, skip=skip, list=count),
        )
    yield Case(
        "skip-jump-set-below-65535",
        "a jump over a set that stops at 60000: 167954 is twice its 58977 ports and 50000 more",
        ["P4M-SEQ-2", "P4M-SET-1", "P4M-SEQ-3"],
        alice(1, include=lst("1024-60000"), skip=167954),
        settings(user="alice", include="1024-60000", skip=167954, list=1),
        decisions=[23],
    )
    for exclude in ("5005-5020", "4990-5002"):
        yield Case(
            f"set-exclude-edge-{exclude}-skip",
            f"--exclude={exclude} cuts an edge of --include=5000-5010; a skip of 2 reads past the cut",
            ["P4M-SET-1", "P4M-SET-3", "P4M-SEQ-2"],
            alice(3, include=lst("5000-5010"), exclude=UNSAFE | lst(exclude), skip=2),
            settings(user="alice", include="5000-5010", exclude=exclude, skip=2, list=3),
        )
    for include, count in (
        ("5000-5005,5002-5003", 7),
        ("5000-5001,5010-5020,5015-5016", 14),
        ("5000-5005,5005-5010", 11),
    ):
        yield Case(
            f"set-include-overlap-{include.replace(',', '-and-')}",
            f"overlapping include ranges {include} name each port once",
            ["P4M-SET-1", "P4M-SET-2", "P4M-SEQ-6"],
            alice(count, include=lst(include)),
            settings(user="alice", include=include, list=count),
        )
    yield Case(
        "set-walk-draws-65535-above-set",
        "a set that stops at 65000, walked past a draw of 65535",
        ["P4M-SEQ-1", "P4M-SEQ-4"],
        ports(model("u46367", 3, include=lst("1024-65000"))),
        settings(user="u46367", include="1024-65000", list=3),
    )
    ones = "1" * 5000
    yield Case(
        "skip-5000-ones",
        "a skip of 5000 ones: every digit counts",
        ["P4M-SEQ-3", "P4M-ENV-5"],
        alice(2, skip=decimal_mod(ones, 64495)),
        settings(user="alice", skip=ones, list=2),
        flags=["time-bound"],
        decisions=[23],
    )

    yield from prepend_overlap_cases()


def written(text: str) -> list[int]:
    """The ports of a simple list of ports and ranges, in the order written, repeats kept."""
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


PREPEND_OVERLAPS = [
    ("fills-gap", "10-12,20-22,11-21", "a range that fills the gap between two earlier ranges"),
    ("joins-right", "20-22,18-19", "a range just before an earlier one"),
    ("joins-left", "20-22,23-25", "a range just after an earlier one"),
    ("between", "20-22,30-31,25", "a port between two earlier ranges, touching neither"),
    ("contained-then-containing", "5-30,10-12,1-40", "a range inside an earlier one, then one around everything"),
    ("overlaps-both-ends", "100-200,150-160,50-120,180-250", "ranges that overlap an earlier range's start and end"),
    ("mixed", "10-12,20-22,11-21,5-30,1-3,4,31-33,2-40", "every kind at once"),
]


def scattered_ranges(seed: int, count: int, span: int) -> str:
    """A fixed, irregular list of ``count`` ports and ranges in 1..span (seeded: the same every run)."""
    draw = random.Random(seed)
    items = []
    for _ in range(count):
        low = draw.randint(1, span)
        high = min(span, low + draw.choice([0, 0, 1, 2, 5, 13, 40]))
        items.append(f"{low}-{high}" if high > low else str(low))
    return ",".join(items)


def prepend_overlap_cases() -> Iterator[Case]:
    """P4M-SET-4: each prepended port once, at its first place, however ranges overlap."""
    scattered = [(f"scattered-{seed}", scattered_ranges(seed, 60, 300), "60 irregular items") for seed in (1, 2, 3)]
    for suffix, text, why in PREPEND_OVERLAPS + scattered:
        distinct = len(set(written(text)))
        yield Case(
            f"prepend-overlap-{suffix}",
            f"--prepend={text}: {why}; each port once, where it first appears",
            ["P4M-SET-4"],
            ports(model("alice", distinct + 2, prepend=written(text))),
            settings(user="alice", prepend=text, list=distinct + 2),
            decisions=[20],
        )


def default_unsafe_cases() -> Iterator[Case]:
    """P4M-ENV-6 (1.2): the default unsafe set {chrome},{firefox} uses both tokens, so both token
    variables are read when PORT4ME_EXCLUDE_UNSAFE is not set, and neither when it holds no token."""
    yield Case(
        "set-unsafe-default-reads-firefox-variable",
        "no PORT4ME_EXCLUDE_UNSAFE: the default uses {firefox}, so a bad PORT4ME_EXCLUDE_UNSAFE_FIREFOX is read",
        ["P4M-ENV-6", "P4M-SET-5", "P4M-UNSAFE-2"],
        usage("PORT4ME_EXCLUDE_UNSAFE_FIREFOX", "abc"),
        settings(user="alice", list=1, env={"PORT4ME_EXCLUDE_UNSAFE_FIREFOX": "abc"}),
    )
    yield Case(
        "set-unsafe-without-tokens-reads-no-token-variable",
        "PORT4ME_EXCLUDE_UNSAFE=0 writes no token: bad token variables are not read",
        ["P4M-ENV-6", "P4M-SET-5"],
        alice(2, exclude=set()),
        settings(
            user="alice",
            list=2,
            env={
                "PORT4ME_EXCLUDE_UNSAFE": "0",
                "PORT4ME_EXCLUDE_UNSAFE_CHROME": "abc",
                "PORT4ME_EXCLUDE_UNSAFE_FIREFOX": "{chrome}",
            },
        ),
    )
    yield Case(
        "set-unsafe-chrome-only-reads-chrome",
        "PORT4ME_EXCLUDE_UNSAFE={chrome}: only the chrome variable is read, a bad firefox one is not",
        ["P4M-ENV-6", "P4M-SET-5"],
        alice(2, exclude=set(CHROME)),
        settings(
            user="alice", list=2, env={"PORT4ME_EXCLUDE_UNSAFE": "{chrome}", "PORT4ME_EXCLUDE_UNSAFE_FIREFOX": "x"}
        ),
    )


def distinct_ranges(first: int, count: int, width: int = 2, gap: int = 1) -> tuple[str, set[int]]:
    """``count`` distinct ranges of ``width`` ports from ``first``, ``gap`` ports apart: the text and its ports."""
    texts, named = [], set()
    for index in range(count):
        low = first + index * (width + gap)
        texts.append(f"{low}-{low + width - 1}")
        named |= set(range(low, low + width))
    assert max(named) <= 65535
    return ",".join(texts), named


def distinct_range_cases() -> Iterator[Case]:
    """P4M-LIST-2 (1.2): thousands of distinct ranges cost about what as many ports in one range cost;
    the values stay under Linux's 128 KiB limit on one argument or variable."""
    excluded, out = distinct_ranges(10000, 9000)
    yield Case(
        "list-distinct-ranges-exclude-site",
        "PORT4ME_EXCLUDE_SITE with 9000 distinct ranges is read within the time bound",
        ["P4M-LIST-2", "P4M-SET-3"],
        alice(3, exclude=UNSAFE | out),
        argv("--user=alice", "--list=3", env={"PORT4ME_EXCLUDE_SITE": excluded}),
        flags=["time-bound"],
    )
    included, inside = distinct_ranges(20000, 9000, width=3, gap=2)
    yield Case(
        "list-distinct-ranges-include-site",
        "PORT4ME_INCLUDE_SITE with 9000 distinct ranges is read within the time bound",
        ["P4M-LIST-2", "P4M-SET-2"],
        alice(3, include=inside),
        argv("--user=alice", "--list=3", env={"PORT4ME_INCLUDE_SITE": included}),
        flags=["time-bound"],
    )
    yield Case(
        "list-distinct-ranges-everywhere",
        "9000 distinct ranges in each of --exclude, PORT4ME_EXCLUDE_SITE and --prepend, in one search",
        ["P4M-LIST-2", "P4M-SET-3", "P4M-SET-4"],
        ports(model("alice", 1, prepend=sorted(out), exclude=UNSAFE | out | inside)),
        argv(
            "--user=alice",
            f"--exclude={included}",
            f"--prepend={excluded}",
            env={"PORT4ME_EXCLUDE_SITE": excluded, "_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"},
        ),
        flags=["time-bound"],
    )
