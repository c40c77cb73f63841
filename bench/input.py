"""Hostile-input benchmarks (issue 11), run in our environment by bench/run.py; prints JSON.

- Repeated huge ranges: the command with a port list that writes 1-65535 sixteen
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


def cold(command: list[str], env: dict[str, str], runs: int = 25) -> float:
    """Median wall time of a whole command, interleaved runs left to the caller."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def repeated_ranges(port4me: str) -> dict:
    """Per port list: the huge repeated form's cost over the same ports written once."""
    base = [port4me, "--user=alice", "--list=1"]
    out = {}
    for where, once in (("prepend", "1-65535"), ("include", "1-65535"), ("exclude", "1-60000")):
        huge = ",".join([once] * REPEATS)
        variants = {
            f"--{where}": ([*base, f"--{where}={once}"], [*base, f"--{where}={huge}"], {}),
            f"PORT4ME_{where.upper()}_SITE": (base, base, {"once": once, "huge": huge}),
        }
        for label, (small, large, site) in variants.items():
            name = f"PORT4ME_{where.upper()}_SITE"
            small_env = {**ENV, name: site["once"]} if site else ENV
            large_env = {**ENV, name: site["huge"]} if site else ENV
            first, second = cold(small, small_env), cold(large, large_env)
            out[label] = {"once": first, "repeated": second, "ratio": second / first}
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
