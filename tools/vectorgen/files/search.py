"""vectors/search.yaml: the search, with ports made busy by the testing switch (no sockets)."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, Control, Given, VectorFile, argv, settings
from ..expect import BUSY, FREE, RUNTIME, ports, usage
from ..model import lst, model, search

FILE = VectorFile(
    "search",
    "Search order and max tries",
    "The search of P4M-SEQ-5 at the sequence level: _PORT4ME_CHECK_AVAILABLE_PORTS_=any-except:PORTS "
    "makes those ports count as busy without any socket (P4M-CHECK-5).",
)

SWITCH = "_PORT4ME_CHECK_AVAILABLE_PORTS_"
A = "alice"
FIRST = model(A, 12)  # alice's first ports, by the model


def busy(ports_: list[int] | set[int] | str) -> dict[str, str]:
    """The switch value that makes these ports busy."""
    text = ports_ if isinstance(ports_, str) else ",".join(str(p) for p in sorted(ports_))
    return {SWITCH: "any-except:" + text}


def found(port: int | None) -> dict:
    """What a search prints: the port, or a runtime error when none of the checked ports was free."""
    return RUNTIME if port is None else ports([port])


def control(given: Given, port: int | None, **changes) -> Control:
    """The same call with the switch or a setting changed so that the search prints ``port``: the case's
    runtime error must not be a refusal of its input, such as --max-tries or the switch (INTERPRETING 4.1).
    ``env`` adds or replaces variables; every other keyword replaces an abstract setting."""
    assert port is not None, "a control call prints a port"
    env = {**given.env, **changes.pop("env", {})}
    return Control(Given(args=given.args, settings={**given.settings, **changes}, env=env), ports([port]))


def cases() -> Iterator[Case]:
    yield from order_cases()
    yield from max_tries_cases()
    yield from small_set_cases()
    yield from switch_cases()


def order_cases() -> Iterator[Case]:
    two = set(FIRST[:2])
    yield Case(
        "search-skips-busy-ports",
        "the search checks alice's ports in order and prints the first that is not busy",
        ["P4M-SEQ-5", "P4M-CHECK-5"],
        found(search(A, two)),
        settings(user=A, env=busy(two)),
        decisions=[40],
    )
    ten = set(FIRST[:10])
    yield Case(
        "search-eleventh-port",
        "ten busy ports: the eleventh of the sequence is printed",
        ["P4M-SEQ-5"],
        found(search(A, ten)),
        settings(user=A, env=busy(ten)),
        decisions=[40],
    )
    yield Case(
        "search-busy-list-of-one-other-port",
        "a busy port that is not in the way changes nothing",
        ["P4M-SEQ-5", "P4M-CHECK-5"],
        found(search(A, {FIRST[1]})),
        settings(user=A, env=busy({FIRST[1]})),
        decisions=[40],
    )
    yield Case(
        "search-after-skip",
        "skip, then search: the skipped ports are not checked, the next busy one is passed over",
        ["P4M-SEQ-2", "P4M-SEQ-5"],
        found(search(A, {FIRST[0], FIRST[3]}, skip=3)),
        settings(user=A, skip=3, env=busy({FIRST[0], FIRST[3]})),
        decisions=[40],
    )
    yield Case(
        "search-prepend-busy",
        "a busy prepended port is passed over for the next prepended one",
        ["P4M-SEQ-5", "P4M-SET-4"],
        found(search(A, {1111}, prepend=[1111, 2222])),
        settings(user=A, prepend="1111,2222", env=busy({1111})),
        decisions=[40],
    )
    yield Case(
        "search-prepend-all-busy",
        "when every prepended port is busy the search goes on into the candidates",
        ["P4M-SEQ-5", "P4M-SEQ-1"],
        found(search(A, {1111, 2222}, prepend=[1111, 2222])),
        settings(user=A, prepend="1111,2222", env=busy({1111, 2222})),
        decisions=[40],
    )
    high = set(range(1024, 65000))
    yield Case(
        "search-long-walk",
        "every port below 65000 is busy: the search walks the sequence to its first port from 65000 on",
        ["P4M-SEQ-5"],
        found(search(A, high)),
        settings(user=A, env=busy("1024-64999")),
        decisions=[40],
    )
    where = next(i for i, p in enumerate(model(A, 2000)) if p >= 65000)
    yield Case(
        "search-long-walk-max-tries-short",
        f"the same walk with one check too few ({where}): no free port",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        found(search(A, high, max_tries=where)),
        short := settings(user=A, max_tries=where, env=busy("1024-64999")),
        decisions=[22, 40],
        control=control(short, search(A, high, max_tries=where + 1), max_tries=where + 1),
    )
    yield Case(
        "search-long-walk-max-tries-exact",
        f"the same walk with exactly enough checks ({where + 1})",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        found(search(A, high, max_tries=where + 1)),
        settings(user=A, max_tries=where + 1, env=busy("1024-64999")),
        decisions=[22, 40],
    )


def max_tries_cases() -> Iterator[Case]:
    two = set(FIRST[:2])
    for tries in (1, 2, 3):
        given = settings(user=A, max_tries=tries, env=busy(two))
        yield Case(
            f"search-max-tries-{tries}",
            f"the first two ports are busy; --max-tries={tries} makes {tries} checks at most",
            ["P4M-SEQ-5", "P4M-ENV-7"],
            found(search(A, two, max_tries=tries)),
            given,
            decisions=[22, 40],
            control=None if tries == 3 else control(given, search(A, two, max_tries=3), max_tries=3),
        )
    yield Case(
        "search-max-tries-one-free",
        "--max-tries=1 and the first port free: it is printed",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        found(search(A, set(), max_tries=1)),
        settings(user=A, max_tries=1, env=busy({FIRST[1]})),
        decisions=[22],
    )
    for tries in (1, 2):
        given = settings(user=A, skip=1, max_tries=tries, env=busy({FIRST[1]}))
        yield Case(
            f"search-skip-not-counted-{tries}",
            f"--skip=1 with the second port busy: --max-tries={tries} counts checks, not skipped ports",
            ["P4M-SEQ-5", "P4M-ENV-7"],
            found(search(A, {FIRST[1]}, max_tries=tries, skip=1)),
            given,
            decisions=[22, 40],
            control=None if tries == 2 else control(given, search(A, {FIRST[1]}, max_tries=2, skip=1), max_tries=2),
        )
    yield Case(
        "search-max-tries-variable",
        "PORT4ME_MAX_TRIES bounds the checks when --max-tries is not given",
        ["P4M-ENV-7"],
        RUNTIME,
        variable := argv("--user=alice", env={**busy(two), "PORT4ME_MAX_TRIES": "2"}),
        decisions=[24, 40],
        control=control(variable, search(A, two, max_tries=3), env={"PORT4ME_MAX_TRIES": "3"}),
    )
    yield Case(
        "search-max-tries-option-wins",
        "--max-tries replaces PORT4ME_MAX_TRIES",
        ["P4M-ENV-7", "P4M-ENV-1"],
        found(search(A, two, max_tries=3)),
        argv("--user=alice", "--max-tries=3", env={**busy(two), "PORT4ME_MAX_TRIES": "2"}),
        decisions=[40],
    )
    yield Case(
        "search-max-tries-largest",
        "--max-tries=65535 is allowed and is the default",
        ["P4M-ENV-5", "P4M-ENV-7"],
        found(search(A, two)),
        settings(user=A, max_tries=65535, env=busy(two)),
        decisions=[40],
    )


def small_set_cases() -> Iterator[Case]:
    pair = lst("5000-5001")
    first, second = model(A, 2, include=pair)
    yield Case(
        "search-repeated-port-checked-again",
        f"{first} is prepended and is also the first candidate: busy, it is checked twice, so two checks find nothing",
        ["P4M-SEQ-5", "P4M-SEQ-1"],
        found(search(A, {first}, max_tries=2, prepend=[first], include=pair)),
        twice := settings(user=A, prepend=str(first), include="5000-5001", max_tries=2, env=busy({first})),
        decisions=[40],
        control=control(twice, search(A, {first}, max_tries=3, prepend=[first], include=pair), max_tries=3),
    )
    yield Case(
        "search-repeated-port-third-check",
        "the same with three checks: the other candidate",
        ["P4M-SEQ-5", "P4M-SEQ-1"],
        found(search(A, {first}, max_tries=3, prepend=[first], include=pair)),
        settings(user=A, prepend=str(first), include="5000-5001", max_tries=3, env=busy({first})),
        decisions=[40],
    )
    assert second != first
    three = lst("5000-5002")
    yield Case(
        "search-small-set-all-busy",
        "every candidate busy: the search cycles the set until max tries, then fails",
        ["P4M-SEQ-5", "P4M-SEQ-6"],
        found(search(A, three, include=three)),
        every := settings(user=A, include="5000-5002", env=busy("5000-5002")),
        decisions=[40],
        control=control(every, search(A, {5000, 5001}, include=three), env=busy("5000-5001")),
    )
    yield Case(
        "search-small-set-last-free",
        "two of three candidates busy: the third",
        ["P4M-SEQ-5"],
        found(search(A, {5000, 5001}, include=three)),
        settings(user=A, include="5000-5002", env=busy("5000-5001")),
        decisions=[40],
    )
    yield Case(
        "search-small-set-wraps-within-max-tries",
        "with a skip of two into a three-port set, the third check wraps round to the first candidate",
        ["P4M-SEQ-5", "P4M-SEQ-6"],
        found(search(A, set(model(A, 3, include=three)[2:3]), max_tries=2, include=three, skip=2)),
        settings(user=A, include="5000-5002", skip=2, max_tries=2, env=busy(set(model(A, 3, include=three)[2:3]))),
        decisions=[40],
    )


def switch_cases() -> Iterator[Case]:
    yield Case(
        "switch-any-except-empty",
        "any-except: with no ports is the same as any",
        ["P4M-CHECK-5"],
        ports(FIRST[:1]),
        settings(user=A, env={SWITCH: "any-except:"}),
        decisions=[40],
    )
    yield Case(
        "switch-any-except-zero",
        "any-except:0 names no port (port 0 is dropped)",
        ["P4M-CHECK-5", "P4M-LIST-4"],
        ports(FIRST[:1]),
        settings(user=A, env={SWITCH: "any-except:0"}),
        decisions=[40],
    )
    yield Case(
        "switch-any-except-separators",
        "the busy ports are a port list: ranges, white space and commas",
        ["P4M-CHECK-5", "P4M-LIST-1"],
        found(search(A, set(FIRST[:3]))),
        settings(user=A, env=busy(f" {FIRST[0]}\t{FIRST[1]}-{FIRST[1]},,{FIRST[2]} ")),
        decisions=[40],
    )
    for suffix, value in (
        ("token", "any-except:{chrome}"),
        ("above-65535", "any-except:70000"),
        ("no-colon", "any-except"),
        ("upper-case", "ANY"),
        ("space", " any"),
        ("reversed", "any-except:10-5"),
    ):
        yield Case(
            f"switch-invalid-{suffix}",
            f"{value!r} is not a value of the testing switch",
            ["P4M-CHECK-5"],
            usage(SWITCH),
            settings(user=A, env={SWITCH: value}),
            decisions=[40],
        )
    yield Case(
        "switch-invalid-not-read-in-list-mode",
        "list mode does not use the testing switch, so a bad value is not read",
        ["P4M-ENV-6"],
        ports(FIRST[:2]),
        settings(user=A, list=2, env={SWITCH: "any-except:{chrome}"}),
        decisions=[40],
    )
    yield Case(
        "switch-test-busy",
        "--test of a port the switch makes busy: busy",
        ["P4M-TEST-1", "P4M-CHECK-5"],
        BUSY,
        argv("--test=30845", env=busy({30845})),
        decisions=[40],
    )
    yield Case(
        "switch-test-other-port-free",
        "--test of another port: free",
        ["P4M-TEST-1", "P4M-CHECK-5"],
        FREE,
        argv("--test=30846", env=busy({30845})),
        decisions=[40],
    )
    yield Case(
        "switch-test-highest-port",
        "--test=65535 with every port busy",
        ["P4M-TEST-1", "P4M-CHECK-5"],
        BUSY,
        argv("--test=65535", env=busy("1-65535")),
        decisions=[40],
    )
    yield Case(
        "switch-test-bad-value",
        "test mode uses the switch: a bad value is a usage error",
        ["P4M-TEST-2", "P4M-CHECK-5"],
        usage(SWITCH, "{firefox}"),
        argv("--test=30845", env={SWITCH: "any-except:{firefox}"}),
        decisions=[40],
    )
