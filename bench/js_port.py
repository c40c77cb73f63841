#!/usr/bin/env python3
"""The JavaScript port's speed as ratios measured in one run: its command against the reference's.

    make bench-js     (or: .venv/bin/python bench/js_port.py --reference=.venv/bin/port4me)

Cold figures are medians of processes started one after another, round-robin over every
command so that the machine's load falls on all of them alike; each run's wall time and CPU
time (user + system, from wait4) are kept. Node's bare start (node -e 0) is far slower than
Python's (python -c pass), so the command's raw time is reported beside the time it takes
beyond its runtime's bare start, and beside warm in-process timings of both implementations.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "js"
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8"}
SWITCH = {"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}
LIST = ["--user=alice", "--include=1024-65535", "--list=1000"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        return probe.getsockname()[1]


def cold(commands: dict[str, tuple[list[str], dict]], runs: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of each command, started `runs` times, round-robin."""
    devnull = os.open(os.devnull, os.O_RDWR)
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    try:
        for _ in range(runs):
            for name, (argv, env) in commands.items():
                start = time.perf_counter()
                pid = os.posix_spawnp(
                    argv[0],
                    argv,
                    env,
                    file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)],
                )
                _, status, usage = os.wait4(pid, 0)
                elapsed = time.perf_counter() - start
                if os.waitstatus_to_exitcode(status) != 0:
                    sys.exit(f"bench: {' '.join(argv)} failed")
                samples[name][0].append(elapsed)
                samples[name][1].append(usage.ru_utime + usage.ru_stime)
    finally:
        os.close(devnull)
    return {name: {"wall": statistics.median(w), "cpu": statistics.median(c)} for name, (w, c) in samples.items()}


def python_warm(budget: float) -> dict[str, dict]:
    """The reference's main() and library in this process, as js/bench/warm.js does for the port."""
    from port4me import port4me
    from port4me.cli import main

    env = {"LANG": "C.UTF-8", **SWITCH}

    def command(args: list[str]) -> str:
        out = io.StringIO()
        if main(args, env, out, io.StringIO()) != 0:
            raise RuntimeError(args)
        return out.getvalue()

    scenarios = {
        "command main(): --user=alice --include=1024-65535 --list=1000": lambda: command(LIST),
        "command main(): --user=alice (search)": lambda: command(["--user=alice"]),
        'library port4me({include: "1024-65535", list: 1000})': lambda: "".join(
            f"{port}\n" for port in port4me(user="alice", include="1024-65535", list=1000, env=env)
        ),
    }
    results = {}
    for name, call in scenarios.items():
        start = time.perf_counter()
        output = call()
        first = time.perf_counter() - start
        times = []
        until = time.perf_counter() + budget
        while time.perf_counter() < until or len(times) < 20:
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        results[name] = {"cold": first, "warm": statistics.median(times), "calls": len(times), "output": output}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=str(Path(sys.executable).parent / "port4me"), help="its command")
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--runs", type=int, default=40, help="processes per command (default 40)")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of warm calls per scenario")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    node, python, js = args.node, sys.executable, str(JS / "bin/port4me.cjs")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    print(f"node {version}, python {sys.version.split()[0]}, {args.runs} runs per command", flush=True)

    port = free_port()
    real = dict(ENV)
    switch = {**ENV, **SWITCH}
    commands = {
        "node -e 0": ([node, "-e", "0"], ENV),
        "python -c pass": ([python, "-c", "pass"], ENV),
    }
    workloads = {
        "list 1000 of 1024-65535": (LIST, switch),
        "search (testing switch)": (["--user=alice"], switch),
        "--test, a real check": ([f"--test={port}"], real),
    }
    for label, (argv, env) in workloads.items():
        commands[f"js: {label}"] = ([js, *argv], env)
        commands[f"reference: {label}"] = ([args.reference, *argv], env)
    commands["js from its ES modules: list 1000 of 1024-65535"] = ([node, str(JS / "bench/esm.js"), *LIST], switch)
    commands["js --version"] = ([js, "--version"], ENV)
    measured = cold(commands, args.runs)
    for name, figures in measured.items():
        print(f"  {name:50} wall {figures['wall'] * 1e3:7.1f} ms   cpu {figures['cpu'] * 1e3:7.1f} ms", flush=True)

    warm_js = json.loads(
        subprocess.run(
            [node, str(JS / "bench/warm.js"), str(args.budget)], capture_output=True, text=True, check=True
        ).stdout
    )
    warm_py = python_warm(args.budget)
    rows = []

    def row(name: str, value: float, target: str | None, how: str) -> None:
        met = None if target is None else value <= float(target.removeprefix("<= "))
        rows.append({"benchmark": name, "ratio": round(value, 2), "target": target, "met": met, "how": how})
        mark = "    " if met is None else ("ok  " if met else "MISS")
        print(f"{mark} {name}: {value:.2f}" + (f" (target {target})" if target else "") + f" - {how}", flush=True)

    bare_node, bare_python = measured["node -e 0"], measured["python -c pass"]
    for label in workloads:
        ours, theirs = measured[f"js: {label}"], measured[f"reference: {label}"]
        for clock in ("wall", "cpu"):
            row(
                f"{label}: js command / reference command, cold ({clock})",
                ours[clock] / theirs[clock],
                "<= 1",
                f"{ours[clock] * 1e3:.1f} ms / {theirs[clock] * 1e3:.1f} ms",
            )
            beyond_js = ours[clock] - bare_node[clock]
            beyond_py = theirs[clock] - bare_python[clock]
            row(
                f"{label}: beyond the bare runtime, js / reference ({clock})",
                max(beyond_js, 0) / beyond_py if beyond_py > 0 else float("inf"),
                "<= 1",
                f"({ours[clock] * 1e3:.1f} - node -e 0 {bare_node[clock] * 1e3:.1f}) ms / "
                f"({theirs[clock] * 1e3:.1f} - python -c pass {bare_python[clock] * 1e3:.1f}) ms",
            )
    for clock in ("wall", "cpu"):
        row(
            f"bare runtimes: node -e 0 / python -c pass ({clock})",
            bare_node[clock] / bare_python[clock],
            None,
            f"{bare_node[clock] * 1e3:.1f} ms / {bare_python[clock] * 1e3:.1f} ms: what no JavaScript code can change",
        )
        esm = measured["js from its ES modules: list 1000 of 1024-65535"]
        bundled = measured["js: list 1000 of 1024-65535"]
        row(
            f"one CommonJS file (bin/port4me.cjs) / the ES modules of lib/, cold ({clock})",
            bundled[clock] / esm[clock],
            "<= 1",
            f"{bundled[clock] * 1e3:.1f} ms / {esm[clock] * 1e3:.1f} ms (node -e 0: {bare_node[clock] * 1e3:.1f} ms)",
        )
    for name, ours in warm_js.items():
        theirs = warm_py[name]
        if ours["output"] != theirs["output"]:
            sys.exit(f"bench: {name}: the port and the reference differ")
        row(
            f"{name}: js / reference, warm in process",
            ours["warm"] / theirs["warm"],
            "<= 1",
            f"medians {ours['warm'] * 1e6:.1f} us / {theirs['warm'] * 1e6:.1f} us "
            f"({ours['calls']} and {theirs['calls']} calls); first call {ours['cold'] * 1e3:.2f} / "
            f"{theirs['cold'] * 1e3:.2f} ms",
        )

    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        report = {"node": version, "python": sys.version.split()[0], "runs": args.runs, "cold": measured, "rows": rows}
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    targets = [r for r in rows if r["met"] is not None]
    missed = [r["benchmark"] for r in targets if not r["met"]]
    print(f"{len(targets) - len(missed)} of {len(targets)} targets met" + (f"; missed: {missed}" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
