"""Hostile-input benchmarks (issue 11), run in our environment by bench/run.py; prints JSON.

- Repeated huge ranges: the command with a port list that writes a range sixteen
  thousand times (128 KiB) against the same ports written once, as cold commands.
- A library call with ``include=range(1, 10**8)``: the peak memory it takes to refuse it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPEATS = 16_000
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}


def cold_pair(first: tuple[list[str], dict], second: tuple[list[str], dict], runs: int = 25) -> tuple[float, float]:
    """Median wall times of two whole commands, run alternately so that drift hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for (command, env), into in zip((first, second), times):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
            into.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def repeated_ranges(port4me: str) -> dict:
    """Per port list: the huge repeated form's cost over the same ports written once.

    An option's value reaches the program through argv, which the interpreter decodes
    before any code of ours runs; so that its share can be told apart, the same 128 KiB
    is also given to a bare ``python -c pass`` as an argument it ignores.
    """
    base = [port4me, "--user=alice", "--list=1"]
    out = {}
    for where, once in (("prepend", "1-65535"), ("include", "1-65535"), ("exclude", "1-60000")):
        huge = ",".join([once] * REPEATS)
        name = f"PORT4ME_{where.upper()}_SITE"
        option = f"--{where}"
        pairs = {
            option: (([*base, f"{option}={once}"], ENV), ([*base, f"{option}={huge}"], ENV)),
            name: ((base, {**ENV, name: once}), (base, {**ENV, name: huge})),
        }
        for label, (small, large) in pairs.items():
            first, second = cold_pair(small, large)
            out[label] = {"once": first, "repeated": second, "ratio": second / first, "written": once}
        bare = [sys.executable, "-c", "pass"]
        without, with_argument = cold_pair((bare, ENV), ([*bare, f"{option}={huge}"], ENV))
        out[option]["interpreter"] = max(with_argument - without, 0.0)
    return out


def refuse_huge_range() -> dict:
    """Peak memory, traced, of port4me(include=range(1, 10**8)) raising UsageError."""
    from port4me import UsageError, port4me

    tracemalloc.start()
    try:
        port4me(user="alice", include=range(1, 10**8), list=1, env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"})
    except UsageError:
        refused = True
    else:  # pragma: no cover - a regression: the bench reports it instead of crashing
        refused = False
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"refused": refused, "peak_bytes": peak}


def main() -> int:
    port4me = str(Path(sys.executable).parent / "port4me")
    print(json.dumps({"repeated": repeated_ranges(port4me), "huge_range": refuse_huge_range()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
