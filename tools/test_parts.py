#!/usr/bin/env python3
"""Run the parts of `make test` side by side, each into a log of its own, one summary line each.

    python tools/test_parts.py [--jobs=N] [--logs=DIR] PART...

Each PART is a make target (test-python, test-mutation, ...), run as `make PART` with its
whole output in DIR/PART.log. As each part ends, one line says how it went: its own
closing line (pytest's "N passed", TAP's "# pass N", the kit's count), its time and the CPU
time of its processes (which a loaded machine does not stretch). A part
that fails has the end of its log shown, and the path of the whole. The run fails if any
part failed; every part is run all the same, so that one failure does not hide another.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

# A closing line worth showing, most telling first: pytest's, the kit's and the mutation
# harness's counts ("812 passed, 3 skipped in 95.2s"), then node's TAP totals.
COUNTS = re.compile(r"\b\d+ (passed|failed)\b|\bmutants? of\b|^OK: ")
TAP = re.compile(r"^# (tests|pass|fail|skipped|todo|cancelled) (\d+)$")
TAIL = 40  # lines of a failed part's log shown


def summary(log: str) -> str:
    """The line that tells most about a part's outcome, from its output."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    tap = dict(m.groups() for m in map(TAP.match, lines) if m)
    if "pass" in tap:
        kinds = ("pass", "fail", "skipped", "todo", "cancelled")
        told = ", ".join(f"{tap[k]} {k}" for k in kinds if tap.get(k, "0") != "0")
        return f"node --test: {tap.get('tests', '?')} tests ({told or 'none'})"
    counted = [line for line in lines if COUNTS.search(line)]
    return (counted or lines or ["(no output)"])[-1].lstrip("= ").rstrip(" =")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)) + 1, help="parts at once")
    parser.add_argument("--logs", type=Path, default=Path("reports/test"), help="folder of the parts' logs")
    parser.add_argument("--make", default=os.environ.get("MAKE", "make"), help="the make to run each part with")
    parser.add_argument("parts", nargs="+")
    args = parser.parse_args(argv)
    args.logs.mkdir(parents=True, exist_ok=True)
    width = max(len(part) for part in args.parts)
    waiting, running, failed, cpu = list(args.parts), {}, [], 0.0
    started = time.monotonic()
    print(f"make test: {len(args.parts)} parts, {args.jobs} at once; logs in {args.logs}/", flush=True)
    while waiting or running:
        while waiting and len(running) < args.jobs:
            part = waiting.pop(0)
            log = (args.logs / f"{part}.log").open("wb")
            command = [args.make, "--no-print-directory", "--silent", part]  # the log: what the part printed
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            running[process.pid] = (part, process, log, time.monotonic())
        pid, status, usage = os.wait4(-1, 0)  # the usage covers every process of the part that was waited for
        if pid not in running:
            continue
        part, process, log, began = running.pop(pid)
        cpu += usage.ru_utime + usage.ru_stime
        process.returncode = os.waitstatus_to_exitcode(status)
        log.close()
        text = (args.logs / f"{part}.log").read_text(errors="replace")
        verdict = "ok" if process.returncode == 0 else f"FAILED (exit {process.returncode})"
        took = time.monotonic() - began
        used = usage.ru_utime + usage.ru_stime
        line = f"  {part:<{width}}  {verdict:<6} {took:5.0f} s ({used:4.0f} s CPU)  {summary(text)}"
        print(line, flush=True)
        if process.returncode != 0:
            failed.append(part)
            shown = text.splitlines()[-TAIL:]
            print("".join(f"    | {line}\n" for line in shown) + f"    (the whole log: {args.logs}/{part}.log)")
    took = time.monotonic() - started
    passed = len(args.parts) - len(failed)
    spent = f"make test: {took:.0f} s, {cpu:.0f} s of CPU time (load average now {os.getloadavg()[0]:.1f})"
    print(f"{spent}; failed: {', '.join(failed)}" if failed else spent)
    print(f"parts: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
