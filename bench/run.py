#!/usr/bin/env python3
"""Benchmarks as ratios measured in one run: ours against upstream port4me 0.7.0, and against ourselves.

    make bench        (or: python bench/run.py --upstream-python=.venv-upstream/bin/python)

Each figure is a ratio of two timings taken in this run on this machine, so the machine's
speed cancels out.  Targets come from the issues; the table says which are met.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}


def workload(python: str, scenario: str, budget: float) -> dict:
    output = subprocess.run(
        [python, str(HERE / "workload.py"), scenario, str(budget)],
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    ).stdout
    return json.loads(output)


def wall(command: list[str], runs: int, env: dict | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        # No timeout: with one, CPython polls waitpid with growing sleeps and rounds the timing up.
        subprocess.run(command, env=env or ENV, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def install_wheel(python: str, scratch: Path) -> dict[str, str]:
    """Build our wheel and install it into a new venv: the command as users get it, not editable."""
    subprocess.run(
        [python, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(scratch / "wheel"), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    subprocess.run([python, "-m", "venv", str(scratch / "venv")], check=True, timeout=600)
    target = scratch / "venv/bin"
    wheel = next((scratch / "wheel").glob("*.whl"))
    subprocess.run(
        [str(target / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {"python": str(target / "python"), "port4me": str(target / "port4me")}


def conformance_time(ours: str, args: list[str]) -> float:
    runner = shutil.which("port4me-conformance", path=str(Path(ours).parent))
    start = time.perf_counter()
    subprocess.run([runner, *args, "--quiet"], check=True, stdout=subprocess.DEVNULL, timeout=1800)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream-python", required=True, help="python of the venv with port4me==0.7.0")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of warm calls per scenario")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    ours = sys.executable
    rows = []

    def row(name: str, value: float, target: str | None, met: bool | None, how: str) -> None:
        """One figure; with no target it is information only, neither met nor missed."""
        rows.append({"benchmark": name, "ratio": round(value, 2), "target": target, "met": met, "how": how})
        verdict, goal = ("    ", "no target") if target is None else ("ok  " if met else "MISS", f"target {target}")
        print(f"{verdict} {name}: {value:.2f} ({goal}) - {how}", flush=True)

    for scenario, target in [
        ("include-5000-5100-list-100", 50),
        ("include-string-1024-65535-list-1000", 50),
        ("defaults-list-10000", 1),
    ]:
        mine, theirs = workload(ours, scenario, args.budget), workload(args.upstream_python, scenario, args.budget)
        assert mine["result"] == theirs["result"], (scenario, mine["result"], theirs["result"])
        for phase in ("warm", "cold"):
            speedup = theirs[phase] / mine[phase]
            row(
                f"{scenario} speed-up vs upstream ({phase})",
                speedup,
                f">= {target}",
                speedup >= target,
                f"upstream {theirs[phase] * 1e3:.3f} ms / ours {mine[phase] * 1e3:.3f} ms per call",
            )
    skip0, skip65535 = (
        workload(ours, s, args.budget) for s in ("defaults-list-1-skip-0", "defaults-list-1-skip-65535")
    )
    for phase in ("warm", "cold"):
        cost = skip65535[phase] / skip0[phase]
        row(
            f"skip=65535 / skip=0 cost ({phase})",
            cost,
            "<= 2",
            cost <= 2,
            f"{skip65535[phase] * 1e6:.1f} us / {skip0[phase] * 1e6:.1f} us",
        )

    with tempfile.TemporaryDirectory() as scratch:
        installed = install_wheel(ours, Path(scratch))
        real = {**ENV, "_PORT4ME_CHECK_AVAILABLE_PORTS_": ""}
        bare = wall([installed["python"], "-c", "pass"], 40)
        direct = "import sys; from port4me.cli import main; sys.exit(main())"
        commands = (
            ("port4me command (pip's console script)", [installed["port4me"]]),
            ("python -m port4me", [installed["python"], "-m", "port4me"]),
            ("port4me without a launcher (python -c main())", [installed["python"], "-c", direct]),
        )
        for label, command in commands:
            cli = wall([*command, "--user=alice"], 40, real)
            row(
                f"{label} cold / python -c pass",
                cli / bare,
                "<= 1.5",
                cli / bare <= 1.5,
                f"medians of 40 runs from a wheel install: {cli * 1e3:.1f} ms / {bare * 1e3:.1f} ms (real check)",
            )
    command = shutil.which("port4me", path=str(Path(ours).parent))

    reference = ["--impl=reference=" + command]
    serial = conformance_time(ours, [*reference, "--jobs=1"])
    parallel = conformance_time(ours, [*reference, "--jobs=2"])
    row(
        "conformance suite --jobs=2 / --jobs=1",
        parallel / serial,
        "<= 0.6",
        parallel / serial <= 0.6,
        f"{parallel:.1f} s / {serial:.1f} s, subprocess adapter, full vectors",
    )
    inprocess = conformance_time(ours, ["--impl=reference=inprocess:port4me.cli:main", "--jobs=1"])
    row(
        "in-process adapter speed-up over subprocess (--jobs=1)",
        serial / inprocess,
        ">= 20",
        serial / inprocess >= 20,
        f"{serial:.1f} s / {inprocess:.2f} s (includes loading the vectors)",
    )

    toolkit = json.loads(
        subprocess.run([ours, str(HERE / "toolkit.py")], check=True, capture_output=True, text=True, timeout=900).stdout
    )
    first = toolkit["first_free"]
    row(
        "first free port past 200 held candidates, per candidate / raw bind+listen+close",
        first["ratio"],
        "<= 2.5",
        first["ratio"] <= 2.5,
        f"{first['per_candidate'] * 1e6:.1f} us / {first['raw'] * 1e6:.1f} us",
    )
    who = toolkit["who"]
    row(
        "who holds a port, 2000 sockets open / one psutil.net_connections()",
        who["ratio"],
        "<= 1",
        who["ratio"] <= 1,
        f"{who['ours'] * 1e3:.1f} ms / {who['psutil'] * 1e3:.1f} ms",
    )

    hostile = json.loads(
        subprocess.run([ours, str(HERE / "input.py")], check=True, capture_output=True, text=True, timeout=900).stdout
    )
    for where, figures in hostile["repeated"].items():
        what = f"{where}: {figures['written']} written 16,000 times (128 KiB) / written once, cold command"
        how = f"medians of 25 alternating runs: {figures['repeated'] * 1e3:.1f} ms / {figures['once'] * 1e3:.1f} ms"
        if "interpreter" not in figures:
            row(what, figures["ratio"], "<= 1.2", figures["ratio"] <= 1.2, how)
            continue
        # As an option the 128 KiB arrive in argv, which Python decodes before port4me runs.
        argv = figures["interpreter"]
        ours_only = (figures["repeated"] - argv) / figures["once"]
        row(what, figures["ratio"], None, None, how + ", all of it")
        row(
            f"{what}, less Python's own decoding of a 128 KiB argument",
            ours_only,
            "<= 1.2",
            ours_only <= 1.2,
            f"({figures['repeated'] * 1e3:.1f} - {argv * 1e3:.1f}) ms / {figures['once'] * 1e3:.1f} ms; "
            f"{argv * 1e3:.1f} ms is what python -c pass takes longer with the same argument",
        )
    huge = hostile["huge_range"]
    megabytes = huge["peak_bytes"] / 2**20
    row(
        "port4me(include=range(1, 10**8)) refused: peak traced memory, MB",
        megabytes,
        "<= 50",
        huge["refused"] and megabytes <= 50,
        f"{'refused with UsageError' if huge['refused'] else 'NOT refused'}, peak {huge['peak_bytes']} bytes",
    )

    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    targets = [r for r in rows if r["target"] is not None]
    missed = [r["benchmark"] for r in targets if not r["met"]]
    print(f"{len(targets) - len(missed)} of {len(targets)} targets met" + (f"; missed: {missed}" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
