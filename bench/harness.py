#!/usr/bin/env python3
"""A run of the kit through a harness against the same run with one process per call, as ratios
measured in one run (make bench-harness):

- the JavaScript port: `node js/bin/port4me-harness.js` (cli interface) against `node js/bin/port4me.cjs`,
  every case; target at most 1/20. The two runs' verdicts are compared result by result.
- upstream R 0.7.1: its library through harnesses/upstream_r.R against `Rscript -e port4me::port4me`
  per call, on the library-level cases of a fixed selection that R answers in seconds, in two rows:
  the calls where R itself computes little (hash, settings, test: what a call costs is starting R
  or not), target at most 1/10; and the grammar cases, where upstream R's own work on sets of up to
  65,535 ports (80 ms a call on average, over a second for some) is the same in both runs, so no
  harness can take it away: reported, with no target. The harness starts R without its default
  packages (--default-packages=NULL; it loads jsonlite), a shorter start; the first row's cases are
  also run with that start for every call, reported beside it with no target.

Each figure is the time a `port4me-conformance` run spends running its cases (the report's
`seconds`: the vectors' loading, the same for both, left out); the whole run's wall time is
shown beside it. The two runs of a pair go one after the other with the same --jobs, so the
machine's load falls on both alike. Unit-only cases count only through the harness (a
command line cannot evaluate them), so verdicts are compared on the results both ran.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESSES = ROOT / "conformance/port4me_conformance/harnesses"
# Files whose cases upstream R answers within seconds on the command line and in its library.
R_SELECTION = ["--select=hash", "--select=settings", "--select=test"]
R_COMPUTING = ["--select=grammar"]
R_SLOW = ["list-max", "number-list-*", "lcg-period-default", "skip-*"]  # minutes each in R
R_KNOWN = "upstream-r-0.7.1"  # its entries that never end ("does not finish:") are left out too


def conformance(impl: str, extra: list[str], jobs: int) -> tuple[float, dict]:
    """(wall seconds, the JSON report) of one run of the kit."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "port4me_conformance", f"--impl={impl}", *extra]
        command += ["--quiet", f"--jobs={jobs}", f"--json={report}"]
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=False, timeout=7200)
        seconds = time.perf_counter() - start
        return seconds, json.loads(report.read_text())


def run_seconds(report: dict) -> float:
    return report["implementations"][0]["seconds"]


def statuses(report: dict) -> dict[str, str]:
    results = report["implementations"][0]["results"]
    return {f"{r['id']}@{r['variant']}": r["status"] for r in results}


def library_level(cases: list[str]) -> list[str]:
    """--select options for the library-level cases among these selections (INTERPRETING 11.3)."""
    sys.path.insert(0, str(ROOT / "conformance"))
    import yaml

    from port4me_conformance import known
    from port4me_conformance.harness import command_line_only
    from port4me_conformance.vectors import load_all, select

    entries = yaml.safe_load(known.resolve(R_KNOWN).read_text(encoding="utf-8"))["differences"]
    hangs = [e["id"].split("@")[0] for e in entries if e["reason"].startswith("does not finish:")]
    chosen = select(load_all(), [c.removeprefix("--select=") for c in cases], R_SLOW + hangs, None)
    return [f"--select={case.id}" for case in chosen if not case.unit_only and not command_line_only(case)]


def js_pair(args, row) -> bool:
    """The JavaScript port through its harness and as a command; whether the verdicts are equal."""
    js_harness = f"js=harness-cli:{args.node} {ROOT / 'js/bin/port4me-harness.js'}"
    js_command = f"js={args.node} {ROOT / 'js/bin/port4me.cjs'}"
    seconds_harness, harnessed = conformance(js_harness, ["--seed=1"], args.jobs)
    seconds_command, direct = conformance(js_command, [], args.jobs)
    ran = {name: status for name, status in statuses(direct).items() if status != "n/a"}
    same = {name: statuses(harnessed).get(name) for name in ran} == ran
    print(f"JavaScript port: {len(ran)} results; verdicts equal result by result: {same}", flush=True)
    for name, status in sorted(ran.items()):
        if statuses(harnessed).get(name) != status:
            why = next(
                r["reason"] for r in direct["implementations"][0]["results"] if f"{r['id']}@{r['variant']}" == name
            )
            print(f"  {name}: {status} per call ({why[:120]}), {statuses(harnessed).get(name)} through the harness")
    row(
        "JavaScript port, every case: harness run / a process per call",
        run_seconds(harnessed),
        run_seconds(direct),
        1 / 20,
        f"{run_seconds(harnessed):.1f} s / {run_seconds(direct):.1f} s running cases "
        f"(whole runs {seconds_harness:.1f} s / {seconds_command:.1f} s), --jobs={args.jobs}, verdicts equal: {same}",
    )
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--r-library", help="R_LIBS with upstream R (make upstream-r); without it, R is left out")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-js", action="store_true", help="leave the JavaScript pair out")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    rows = []

    def row(name: str, ours: float, theirs: float, target: float | None, how: str) -> None:
        ratio = ours / theirs
        met = target is None or ratio <= target
        wanted = "none" if target is None else f"<= {target:g}"
        rows.append({"benchmark": name, "ratio": round(ratio, 4), "target": wanted, "met": met, "how": how})
        mark = "info" if target is None else "ok  " if met else "MISS"
        print(f"{mark} {name}: {ratio:.3f} (target {wanted}) - {how}", flush=True)

    same = True
    if not args.no_js:
        same = js_pair(args, row)
    if args.r_library:
        env = f"env R_LIBS={args.r_library}"
        r_harness = f"r=harness-library:{env} Rscript --default-packages=NULL {HARNESSES / 'upstream_r.R'}"
        r_command = f"r={env} Rscript -e port4me::port4me --args"
        for files, words, target in ((R_SELECTION, "hash, settings, test", 1 / 10), (R_COMPUTING, "grammar", None)):
            selection = library_level(files)
            seconds_harness, harnessed = conformance(r_harness, [*selection, "--seed=1", "--timeout=120"], args.jobs)
            seconds_command, direct = conformance(r_command, [*selection, "--timeout=120"], args.jobs)
            row(
                f"upstream R 0.7.1, {len(selection)} library-level cases ({words}): harness run / Rscript per call",
                run_seconds(harnessed),
                run_seconds(direct),
                target,
                f"{run_seconds(harnessed):.1f} s / {run_seconds(direct):.1f} s running cases "
                f"(whole runs {seconds_harness:.1f} s / {seconds_command:.1f} s), --jobs={args.jobs}",
            )
            if target is None:
                continue
            # The harness starts R without its default packages; the same start for every call, shown beside it.
            lean = f"r={env} Rscript --default-packages=NULL -e port4me::port4me --args"
            seconds_lean, leaner = conformance(lean, [*selection, "--timeout=120"], args.jobs)
            row(
                f"upstream R 0.7.1, the same {len(selection)} cases: harness run / Rscript --default-packages=NULL "
                "per call",
                run_seconds(harnessed),
                run_seconds(leaner),
                None,
                f"{run_seconds(harnessed):.1f} s / {run_seconds(leaner):.1f} s running cases "
                f"(whole runs {seconds_harness:.1f} s / {seconds_lean:.1f} s), --jobs={args.jobs}",
            )
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows}, indent=1) + "\n", encoding="utf-8")
    return 0 if all(r["met"] for r in rows) and same else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
