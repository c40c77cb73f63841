"""vectors/check.yaml: real port checks, with the port held by the runner."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, Control, Hold, Link, RealCheck, VectorFile, argv
from ..expect import BUSY, EACCES, EMFILE, FREE, RUNTIME, ports, runtime

FILE = VectorFile(
    "check",
    "Is a port free",
    "Real port checks (P4M-CHECK-*): the runner holds {port} as the case says, then calls the "
    "implementation. These cases need loopback sockets; some need IPv6 or Linux semantics.",
)

LISTEN_ANY4 = Hold("listen", "0.0.0.0")
BUSY_THEN_FREE = "--prepend={port},{port2}"  # the search meets the held port first, then a free one

# (id suffix, why, hold, expected --test answer, requirements, needs, upstream observation)
HELD = [
    ("not-held", "a port nobody holds is free", Hold("none"), FREE, ["P4M-CHECK-1", "P4M-CHECK-2"], (), None),
    (
        "listen-any4",
        "a listener on 0.0.0.0 makes the port busy",
        LISTEN_ANY4,
        BUSY,
        ["P4M-CHECK-1", "P4M-CHECK-4"],
        (),
        "probe_listen_any4",
    ),
    (
        "listen-loopback4",
        "a listener on 127.0.0.1 makes the port busy",
        Hold("listen", "127.0.0.1"),
        BUSY,
        ["P4M-CHECK-1", "P4M-CHECK-4"],
        (),
        "probe_listen_loopback",
    ),
    (
        "listen-any6-v6only",
        "a listener on [::] with IPV6_V6ONLY makes the port busy",
        Hold("listen", "::", v6only=True),
        BUSY,
        ["P4M-CHECK-1"],
        ["ipv6"],
        "probe_listen_v6only",
    ),
    (
        "listen-any6-dualstack",
        "a dual-stack listener on [::] makes the port busy",
        Hold("listen", "::", v6only=False),
        BUSY,
        ["P4M-CHECK-1"],
        ["ipv6"],
        "probe_listen_dualstack6",
    ),
    (
        "listen-loopback6",
        "a listener on [::1] makes the port busy",
        Hold("listen", "::1"),
        BUSY,
        ["P4M-CHECK-1"],
        ["ipv6"],
        None,
    ),
    (
        "bound-not-listening",
        "a socket bound on 0.0.0.0 without SO_REUSEADDR, not listening: busy",
        Hold("bound", "0.0.0.0", reuseaddr=False),
        BUSY,
        ["P4M-CHECK-1"],
        ["linux"],
        "probe_bound_not_listening",
    ),
    (
        "bound-not-listening-reuseaddr",
        "bound on 0.0.0.0 with SO_REUSEADDR, not listening: a server could still listen there, so free",
        Hold("bound", "0.0.0.0", reuseaddr=True),
        FREE,
        ["P4M-CHECK-1"],
        ["linux"],
        "probe_bound_not_listening_reuseaddr",
    ),
    (
        "time-wait",
        "TIME_WAIT left by a listener without SO_REUSEADDR: busy",
        Hold("time_wait", reuseaddr=False),
        BUSY,
        ["P4M-CHECK-1"],
        ["linux"],
        "probe_time_wait",
    ),
    (
        "time-wait-reuse-listener",
        "TIME_WAIT left by a listener with SO_REUSEADDR: free",
        Hold("time_wait", reuseaddr=True),
        FREE,
        ["P4M-CHECK-1"],
        ["linux"],
        "probe_time_wait_reuse_listener",
    ),
    (
        "udp-only",
        "a UDP socket on the port does not make the TCP port busy",
        Hold("udp", "0.0.0.0"),
        FREE,
        ["P4M-CHECK-1"],
        (),
        None,
    ),
]
AFTER = {"not-held": "bindable", "listen-any4": "untouched", "listen-loopback4": "untouched"}


def cases() -> Iterator[Case]:
    for suffix, why, hold, expect, requirements, needs, observed in HELD:
        yield Case(
            f"check-{suffix}",
            why,
            requirements,
            expect,
            argv("--test={port}"),
            observed=observed,
            decisions=[31],
            real=RealCheck(hold, after=AFTER.get(suffix), needs=needs),
        )
    yield Case(
        "check-switch-any",
        "with _PORT4ME_CHECK_AVAILABLE_PORTS_=any a held port counts as free",
        ["P4M-CHECK-5"],
        FREE,
        argv("--test={port}"),
        real=RealCheck(LISTEN_ANY4, switch="any"),
    )
    yield Case(
        "check-search-skips-busy",
        "the search skips a busy prepended port",
        ["P4M-SEQ-5", "P4M-CHECK-1"],
        ports(["{port2}"]),
        argv("--user=alice", BUSY_THEN_FREE),
        observed=Link(
            "probe_busy_port_in_search",
            outcome=ports([30845]),
            note="upstream was observed with the free port 30845 as port2",
        ),
        real=RealCheck(LISTEN_ANY4),
    )
    yield Case(
        "check-max-tries-exhausted",
        "--max-tries=1 with a busy first port: no free port, exit 1",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        RUNTIME,
        argv("--user=alice", BUSY_THEN_FREE, "--max-tries=1"),
        decisions=[22],
        real=RealCheck(LISTEN_ANY4),
        control=Control(argv("--user=alice", BUSY_THEN_FREE, "--max-tries=2"), ports(["{port2}"])),
    )
    yield Case(
        "check-max-tries-enough",
        "--max-tries=2: the second check finds the free port",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        ports(["{port2}"]),
        argv("--user=alice", BUSY_THEN_FREE, "--max-tries=2"),
        decisions=[22],
        real=RealCheck(LISTEN_ANY4),
    )
    yield Case(
        "check-max-tries-skip-not-counted",
        "skipped ports are not checks: --skip=1 --max-tries=1 checks port2 only",
        ["P4M-SEQ-5", "P4M-ENV-7"],
        ports(["{port2}"]),
        argv("--user=alice", BUSY_THEN_FREE, "--skip=1", "--max-tries=1"),
        decisions=[22],
        real=RealCheck(LISTEN_ANY4),
    )
    yield Case(
        "check-max-tries-variable",
        "PORT4ME_MAX_TRIES=1 limits the checks too",
        ["P4M-ENV-7"],
        RUNTIME,
        argv("--user=alice", BUSY_THEN_FREE, env={"PORT4ME_MAX_TRIES": "1"}),
        decisions=[24],
        real=RealCheck(LISTEN_ANY4),
        control=Control(argv("--user=alice", BUSY_THEN_FREE, env={"PORT4ME_MAX_TRIES": "2"}), ports(["{port2}"])),
    )
    yield Case(
        "check-must-work-ignored",
        "PORT4ME_MUST_WORK is not a v1 setting: still exit 1, never -1 on stdout",
        ["P4M-ENV-6", "P4M-CLI-5"],
        RUNTIME,
        argv("--user=alice", BUSY_THEN_FREE, env={"PORT4ME_MAX_TRIES": "1", "PORT4ME_MUST_WORK": "false"}),
        decisions=[24],
        real=RealCheck(LISTEN_ANY4),
        control=Control(
            argv("--user=alice", BUSY_THEN_FREE, env={"PORT4ME_MAX_TRIES": "2", "PORT4ME_MUST_WORK": "false"}),
            ports(["{port2}"]),
        ),
    )
    yield Case(
        "check-privileged-root",
        "a free privileged port is free for root, who may bind it",
        ["P4M-CHECK-1", "P4M-CHECK-3"],
        FREE,
        argv("--test={privileged_port}"),
        observed="test_80_root_real",
        decisions=[31],
        real=RealCheck(Hold("none"), needs=["root"]),
    )
    yield Case(
        "check-privileged-unprivileged",
        "a privileged port is busy for a user who may not bind it",
        ["P4M-CHECK-3"],
        BUSY,
        argv("--test={privileged_port}"),
        observed="nonroot_test_80",
        real=RealCheck(Hold("none"), needs=["unprivileged"]),
    )

    yield from host_condition_cases()
    yield from highest_port_cases()
    yield from other_address_cases()
    yield from user_condition_cases()


def host_condition_cases() -> Iterator[Case]:
    """P4M-CHECK-6 and P4M-CHECK-7: a host without IPv6, and sockets that cannot be created."""
    yield Case(
        "check-no-ipv6-free",
        "on a host without IPv6 (an IPv6 socket fails with EAFNOSUPPORT) a free port is free: IPv4 decides",
        ["P4M-CHECK-6", "P4M-CHECK-1"],
        FREE,
        argv("--test={port}"),
        decisions=[31],
        real=RealCheck(Hold("none"), needs=["no-ipv6"]),
    )
    yield Case(
        "check-no-ipv6-listen-any4",
        "on a host without IPv6 a listener on 0.0.0.0 still makes the port busy",
        ["P4M-CHECK-6", "P4M-CHECK-1"],
        BUSY,
        argv("--test={port}"),
        decisions=[31],
        real=RealCheck(LISTEN_ANY4, needs=["no-ipv6"]),
    )
    yield Case(
        "check-no-ipv6-search",
        "on a host without IPv6 the search passes a busy port and prints the free one",
        ["P4M-CHECK-6", "P4M-SEQ-5"],
        ports(["{port2}"]),
        argv("--user=alice", BUSY_THEN_FREE),
        real=RealCheck(LISTEN_ANY4, needs=["no-ipv6"]),
    )
    yield Case(
        "check-no-ipv6-ignores-ipv6-listener",
        "when the implementation cannot create IPv6 sockets, only IPv4 is checked: "
        "a listener the runner holds on [::] alone is not seen",
        ["P4M-CHECK-6"],
        FREE,
        argv("--test={port}"),
        real=RealCheck(Hold("listen", "::", v6only=True), needs=["ipv6", "no-ipv6"]),
    )
    yield Case(
        "check-socket-emfile-test",
        "when no socket can be created (EMFILE) --test is a runtime error whose one line names the cause, not 'busy'",
        ["P4M-CHECK-7", "P4M-CLI-6"],
        runtime(EMFILE),
        argv("--test={port}"),
        decisions=[42],
        real=RealCheck(Hold("none"), needs=["emfile"]),
    )
    yield Case(
        "check-socket-emfile-search",
        "when no socket can be created the search stops at once with a runtime error naming the cause: "
        "going on to the next port would end in 'no free port', later",
        ["P4M-CHECK-7", "P4M-CLI-6"],
        runtime(EMFILE),
        argv("--user=alice", "--prepend={port}"),
        decisions=[42],
        flags=["time-bound"],
        real=RealCheck(Hold("none"), needs=["emfile"]),
    )
    for need, cause, why in (
        ("ipv6-eacces", EACCES, "forbidden by policy (EACCES)"),
        ("ipv6-emfile", EMFILE, "refused by a socket limit (EMFILE)"),
    ):
        short = need.partition("-")[2]
        yield Case(
            f"check-socket-{need}-test",
            f"an IPv6 socket {why} while IPv4 works: --test is a runtime error naming the cause, "
            "neither free nor a host without IPv6",
            ["P4M-CHECK-7", "P4M-CHECK-6"],
            runtime(cause),
            argv("--test={port}"),
            decisions=[42],
            real=RealCheck(Hold("none"), needs=[need]),
        )
        yield Case(
            f"check-socket-{need}-search",
            f"an IPv6 socket {why}: the search stops at once with a runtime error ({short}), printing no port",
            ["P4M-CHECK-7"],
            runtime(cause),
            argv("--user=alice", "--prepend={port}"),
            decisions=[42],
            flags=["time-bound"],
            real=RealCheck(Hold("none"), needs=[need]),
        )


def other_address_cases() -> Iterator[Case]:
    """A listener on a local address that is neither a wildcard nor 127.0.0.1 (P4M-CHECK-1 (a)): only a
    check on the wildcard 0.0.0.0 sees it; one on 127.0.0.1 binds beside it."""
    other = Hold("listen", "127.0.0.2")
    yield Case(
        "check-listen-loopback4-other",
        "a listener on 127.0.0.2 (a loopback address, on Linux) makes the port busy",
        ["P4M-CHECK-1"],
        BUSY,
        argv("--test={port}"),
        decisions=[31],
        real=RealCheck(other, needs=["linux"], after="untouched"),
    )
    yield Case(
        "check-search-loopback4-other",
        "the search passes a port held on 127.0.0.2 and prints the next",
        ["P4M-CHECK-1", "P4M-SEQ-5"],
        ports(["{port2}"]),
        argv("--user=alice", BUSY_THEN_FREE),
        real=RealCheck(other, needs=["linux"]),
    )


def user_condition_cases() -> Iterator[Case]:
    """Test mode under a user the user database does not name: test mode uses no user (P4M-ENV-6)."""
    yield Case(
        "check-test-nameless-user",
        "--test under a user ID with no account name checks the port: test mode reads no user",
        ["P4M-TEST-3", "P4M-CHECK-1"],
        FREE,
        argv("--test={port}"),
        real=RealCheck(Hold("none"), needs=["nameless-user"]),
    )
    yield Case(
        "check-test-nameless-user-busy",
        "--test under a user ID with no account name, the port held: busy",
        ["P4M-TEST-3", "P4M-CHECK-1"],
        BUSY,
        argv("--test={port}"),
        real=RealCheck(LISTEN_ANY4, needs=["nameless-user"]),
    )


def highest_port_cases() -> Iterator[Case]:
    """Port 65535 itself, checked for real (the case is skipped where it is not free)."""
    yield Case(
        "check-test-65535",
        "--test=65535 checks the highest port: free when nothing holds it",
        ["P4M-CHECK-1", "P4M-TEST-1"],
        FREE,
        argv("--test={port}"),
        real=RealCheck(Hold("none"), port=65535, after="bindable"),
    )
    yield Case(
        "check-test-65535-held",
        "--test=65535 with a listener on it: busy",
        ["P4M-CHECK-1", "P4M-TEST-1"],
        BUSY,
        argv("--test={port}"),
        real=RealCheck(LISTEN_ANY4, port=65535),
    )
    yield Case(
        "check-include-65535",
        "--include=65535 with real checks: the search checks and prints 65535",
        ["P4M-CHECK-1", "P4M-SEQ-5"],
        ports(["{port}"]),
        argv("--user=alice", "--include={port}"),
        real=RealCheck(Hold("none"), port=65535),
    )

    yield Case(
        "check-search-ipv6-only-listener",
        "the search passes a port held only on [::] (IPV6_V6ONLY) and prints the next",
        ["P4M-CHECK-1", "P4M-SEQ-5"],
        ports(["{port2}"]),
        argv("--user=alice", "--prepend={port}", "--include={port2}"),
        real=RealCheck(Hold("listen", "::", v6only=True), needs=["ipv6"]),
    )
    yield Case(
        "check-test-1-held",
        "--test=1 with a listener on port 1: busy",
        ["P4M-CHECK-1", "P4M-TEST-1"],
        BUSY,
        argv("--test={port}"),
        real=RealCheck(LISTEN_ANY4, needs=["root"], port=1),
    )
