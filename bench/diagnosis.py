#!/usr/bin/env python3
"""How fast a wrong implementation hears its first answer, as ratios measured in one run.

    make bench-diagnosis     (or: .venv/bin/python bench/diagnosis.py)

The tests assert what --max-failures and --smoke do (the run stops, the reports say so, the
smoke set is at most 60 results); how long they take is measured here, against the full run
of the same wrong implementation on the same machine in the same run, so that its speed
cancels out. The wrong implementation is tests/diag_fakes/plus_one.py (the reference with 1
added to every port). Targets: --max-failures=1 under a quarter of the full run's time,
--smoke under a tenth.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAKE = ROOT / "tests" / "diag_fakes" / "plus_one.py"


def timed(*extra: str) -> tuple[float, int, int]:
    """Wall seconds, results and terminal lines of one quiet run of the kit against the fake."""
    with tempfile.TemporaryDirectory(prefix="port4me-bench-") as scratch:
        report = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "port4me_conformance", f"--impl=plus_one={sys.executable} {FAKE}"]
        command += [*extra, "--quiet", f"--json={report}"]
        start = time.perf_counter()
        ran = subprocess.run(command, capture_output=True, text=True, check=False, cwd=scratch)
        seconds = time.perf_counter() - start
        results = len(json.loads(report.read_text())["implementations"][0]["results"])
    return seconds, results, len(ran.stdout.splitlines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    jobs = f"--jobs={os.cpu_count() or 1}"
    full = timed(jobs)
    first = timed(jobs, "--max-failures=1")
    smoke = timed(jobs, "--smoke")
    rows = [
        ("--max-failures=1 / full run", first[0] / full[0], 0.25, first),
        ("--smoke / full run", smoke[0] / full[0], 0.10, smoke),
    ]
    print(f"full run: {full[0]:.1f} s, {full[1]} results, {full[2]} terminal lines")
    figures = {"full": {"seconds": full[0], "results": full[1], "lines": full[2]}}
    failed = False
    for name, ratio, target, (seconds, results, lines) in rows:
        met = ratio < target
        failed |= not met
        print(
            f"{name}: {ratio:.3f} (target < {target}; {'met' if met else 'NOT MET'}): "
            f"{seconds:.1f} s, {results} results, {lines} terminal lines"
        )
        figures[name] = {"ratio": ratio, "target": target, "met": met, "seconds": seconds, "results": results}
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
