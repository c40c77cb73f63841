"""One benchmark scenario, timed in this interpreter with whichever ``port4me`` it imports.

Run by bench/run.py in our virtual environment and in upstream's, so both are timed
the same way.  Prints one JSON object: the first call (cold) and the median of warm
calls, in seconds.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

SCENARIOS = {
    "include-5000-5100-list-100": {"user": "alice", "include": "5000-5100", "list": 100},
    "include-string-1024-65535-list-1000": {"user": "alice", "include": "1024-65535", "list": 1000},
    "defaults-list-10000": {"user": "alice", "list": 10000},
    "defaults-list-1-skip-0": {"user": "alice", "list": 1, "skip": 0},
    "defaults-list-1-skip-65535": {"user": "alice", "list": 1, "skip": 65535},
}


def main(name: str, budget: float) -> None:
    start = time.perf_counter()
    from port4me import port4me

    imported = time.perf_counter() - start
    kwargs = SCENARIOS[name]
    start = time.perf_counter()
    first = port4me(**kwargs)
    cold = time.perf_counter() - start
    times = []
    deadline = time.perf_counter() + budget
    while time.perf_counter() < deadline or len(times) < 5:
        start = time.perf_counter()
        again = port4me(**kwargs)
        times.append(time.perf_counter() - start)
        assert again == first
    print(
        json.dumps(
            {
                "cold": cold,
                "warm": statistics.median(times),
                "calls": len(times),
                "import": imported,
                "result": first[:3],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
