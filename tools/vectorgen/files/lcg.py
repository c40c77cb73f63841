"""vectors/lcg.yaml: the LCG, its fixed point, and the draws it yields."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, VectorFile, settings
from ..expect import UNIT_ONLY, ports
from ..model import lcg_next, lst, model, rng

FILE = VectorFile("lcg", "The generator", "The LCG, its fixed point, and the draws it yields.")


def cases() -> Iterator[Case]:
    for state in (0, 1, 74, 30845, 65535, 65536):
        yield Case(
            f"lcg-step-{state}",
            f"one LCG step from state {state}",
            ["P4M-LCG-2"],
            UNIT_ONLY,
            flags=["fixed-point"] if state == 65536 else (),
            unit=[{"function": "lcg_next", "input": state, "output": lcg_next(state)}],
        )
    yield Case(
        "lcg-fixed-point-seed",
        "hash('dfam') mod 65537 = 65536, the fixed point, which steps to 74 as 0 does",
        ["P4M-LCG-1", "P4M-LCG-2"],
        ports(model("dfam", 3)),
        settings(user="dfam", list=3),
        observed="lcg_fixed_point_seed",
        flags=["fixed-point"],
        unit=[{"function": "initial_state", "input": "dfam", "output": 65536}],
    )
    yield Case(
        "lcg-zero-seed",
        "hash('dfan') mod 65537 = 0: the same sequence as the fixed point",
        ["P4M-LCG-1"],
        ports(model("dfan", 3)),
        settings(user="dfan", list=3),
        observed="lcg_seed_zero",
        unit=[{"function": "initial_state", "input": "dfan", "output": 0}],
    )
    full = model("alice", 64495)
    assert len(set(full)) == 64495  # one whole cycle of the default set, each port once
    yield Case(
        "lcg-period-default",
        "the candidate stream repeats after one cycle: skip=64495 (the size of the default set) "
        "gives alice's first ports again",
        ["P4M-LCG-3", "P4M-SEQ-2"],
        ports(full[:3]),
        settings(user="alice", skip=64495, list=3),
    )
    yield Case(
        "lcg-draws-zero",
        "the LCG draws 0 once per cycle; 0 is never a candidate",
        ["P4M-LCG-3", "P4M-LIST-4"],
        ports(model("alice", 4, include=lst("1-3"))),
        settings(user="alice", include="0-3", list=4),
        observed="spec_zero_range_include",
        decisions=[11],
    )

    yield Case(
        "lcg-fixed-point-small-set",
        "the fixed-point seed (dfam) over a small set: the draws after 65536 are those after 0",
        ["P4M-LCG-2"],
        ports(model("dfam", 3, include=rng(5000, 5100))),
        settings(user="dfam", include="5000-5100", list=3),
        flags=["fixed-point"],
    )
    yield from fixed_point_command_line_cases()


def fixed_point_command_line_cases() -> Iterator[Case]:
    """next(65536) = 74 seen on a command line: the fixed-point seed with 74 among the candidates, so its
    first draw is printed; a next(65536) that stays at 65536 never yields a port (a hang: time-bound)."""
    below = lst("1-1023")
    first = model("dfam", 3, include=below, exclude=set())
    assert first[0] == 74
    yield Case(
        "lcg-fixed-point-draws-74",
        "the fixed-point seed (dfam) over ports 1-1023 with no unsafe ports: its first draw, 74, is printed",
        ["P4M-LCG-2", "P4M-SEQ-1"],
        ports(first),
        settings(user="dfam", include="1-1023", list=3, env={"PORT4ME_EXCLUDE_UNSAFE": "0"}),
        flags=["fixed-point", "time-bound"],
    )
    yield Case(
        "lcg-fixed-point-only-74",
        "the fixed-point seed with 74 the only candidate: 74, then 74 again one cycle later",
        ["P4M-LCG-2", "P4M-SEQ-6"],
        ports([74, 74]),
        settings(user="dfam", include="74", list=2),
        flags=["fixed-point", "time-bound"],
    )
    yield Case(
        "lcg-fixed-point-search",
        "a search from the fixed-point seed with 74 busy finds the next candidate",
        ["P4M-LCG-2", "P4M-SEQ-5"],
        ports(model("dfam", 2, include=below, exclude=set())[1:]),
        settings(
            user="dfam",
            include="1-1023",
            env={"PORT4ME_EXCLUDE_UNSAFE": "0", "_PORT4ME_CHECK_AVAILABLE_PORTS_": "any-except:74"},
        ),
        flags=["fixed-point", "time-bound"],
    )
