#!/usr/bin/env python3
"""How closely the kit's limits hold, as ratios measured in one run (the figures tests do not assert).

    make bench-limits     (or: .venv/bin/python bench/limits.py)

The tests assert what a limit does (the call ends as a timeout, the process is gone, the
output is cut); how long that takes and how much memory it costs is measured here, against a
baseline taken in the same run on the same machine, so that its speed cancels out:

- the runner against a hanging implementation, and one whose child keeps the output open:
  (run time - the same run against a right implementation) / (calls x --timeout), near 1;
- the runner against one that writes without end: its peak memory over its peak against a
  right implementation (the output caps hold it), and the time ratio;
- is_reachable() against a listener whose accept queue is full: the call's time over its timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.fakes import make  # noqa: E402 - the runner's own fake implementations

from port4me.wait import is_reachable  # noqa: E402

SELECT = ["--select=seq-alice", "--select=cli-unknown-option"]  # three calls: both variants of one, one of the other
TIMEOUT = 1.0


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def runner(fake: str, *extra: str) -> tuple[float, float, int]:
    """Wall seconds, peak MB of the runner, and how many calls it made, for one quiet run."""
    with tempfile.TemporaryDirectory(prefix="port4me-bench-") as scratch:
        report = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "port4me_conformance", f"--impl={fake}", *SELECT, "--jobs=1", "--quiet"]
        command += [*extra, f"--json={report}"]
        start = time.perf_counter()
        with open(os.devnull, "wb") as devnull:
            pid = os.posix_spawn(
                command[0], command, dict(os.environ), file_actions=[(os.POSIX_SPAWN_DUP2, devnull.fileno(), 1)]
            )
        peak = 0
        while True:
            peak = max(peak, _peak_kb(pid))
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.005)
        took = time.perf_counter() - start
        calls = len(json.loads(report.read_text())["implementations"][0]["results"])
    return took, peak / 1024, calls


def full_backlog_reachable(runs: int) -> float:
    """Median time of is_reachable(timeout=0.5) against a full accept queue, over the timeout."""
    times = []
    with socket.socket() as full:
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        target = full.getsockname()
        fillers = []
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(target)
            fillers.append(filler)
        time.sleep(0.2)
        for _ in range(runs):
            start = time.perf_counter()
            is_reachable("127.0.0.1", target[1], timeout=0.5)
            times.append(time.perf_counter() - start)
        for filler in fillers:
            filler.close()
    return statistics.median(times) / 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (the median is kept)")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="port4me-bench-fakes-") as folder:
        fakes = {kind: make(Path(folder), kind) for kind in ("right", "hang", "session_leaver", "endless")}
        timed = {
            kind: [runner(fake, f"--timeout={TIMEOUT:g}") for _ in range(args.runs)] for kind, fake in fakes.items()
        }
    base_time = statistics.median(t for t, _, _ in timed["right"])
    base_peak = statistics.median(p for _, p, _ in timed["right"])
    for kind, what in (("hang", "a hanging implementation"), ("session_leaver", "a child holding the output")):
        took = statistics.median(t for t, _, _ in timed[kind])
        calls = timed[kind][0][2]
        rows.append((f"runner, {what}: extra time / (calls x --timeout)", (took - base_time) / (calls * TIMEOUT), 1.5))
    endless_time = statistics.median(t for t, _, _ in timed["endless"])
    endless_peak = statistics.median(p for _, p, _ in timed["endless"])
    rows.append(("runner, output without end: peak memory / against a right one", endless_peak / base_peak, 3.0))
    rows.append(("runner, output without end: time / against a right one", endless_time / base_time, 3.0))
    rows.append(("is_reachable, full accept queue: time / its timeout", full_backlog_reachable(args.runs), 1.5))
    width = max(len(name) for name, _, _ in rows)
    print(f"{'figure':<{width}}  ratio  target")
    for name, ratio, target in rows:
        print(f"{name:<{width}}  {ratio:5.2f}  <= {target:g} {'met' if ratio <= target else 'NOT MET'}")
    print(f"(baseline: the runner against a right implementation, {base_time:.2f} s and {base_peak:.0f} MB, this run)")
    if args.json:
        figures = [{"figure": name, "ratio": round(ratio, 3), "target": target} for name, ratio, target in rows]
        Path(args.json).write_text(json.dumps({"baseline_seconds": base_time, "figures": figures}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
