"""--compare: one command line, run on the reference and on a mutant, outcomes side by side.

This is how a survivor is shown to need a vector: a v1 command line on which the two
differ.  It runs in the same isolation and through the same entry as the harness, in
the runner's clean environment (with the testing switch, unless --real-check).
"""

from __future__ import annotations

import os
from pathlib import Path

from port4me_conformance import holders
from port4me_conformance.adapters import Invocation
from port4me_conformance.judge import fill_ports
from port4me_conformance.runner import BASE_PATH, CHECK_SWITCH

from .isolate import Limits, run_isolated
from .mutants import Mutant, short
from .worker import MutantAdapter, install


def environment(pairs: list[str], real_check: bool) -> dict[bytes, bytes]:
    env = {"PATH": BASE_PATH, "HOME": "/nonexistent", "LANG": "C.UTF-8"}
    if not real_check:
        env[CHECK_SWITCH] = "any"
    for pair in pairs:
        name, _, value = pair.partition("=")
        env[name] = value
    return {os.fsencode(k): os.fsencode(v) for k, v in env.items()}


def _call(mutant: Mutant | None, directory: Path, invocation: Invocation, case_timeout: float):
    def task() -> dict:
        install(mutant, directory)
        outcome = MutantAdapter(case_timeout).run(invocation, case_timeout)
        return {
            "status": "done",
            "exit": outcome.exit_code,
            "stdout": os.fsdecode(outcome.stdout),
            "stderr": os.fsdecode(outcome.stderr),
            "failure": outcome.failure,
        }

    return task


def hold_spec(text: str) -> dict:
    """KIND[,ADDRESS[,v6only|dualstack|reuseaddr]] as a vector's ``hold`` (INTERPRETING.md section 3)."""
    kind, *rest = text.split(",")
    spec: dict = {"kind": kind}
    if rest:
        spec["address"] = rest[0]
    for flag in rest[1:]:
        if flag in ("v6only", "dualstack"):
            spec["v6only"] = flag == "v6only"
        elif flag == "reuseaddr":
            spec["reuseaddr"] = True
        else:
            raise ValueError(f"unknown hold flag {flag!r}")
    return spec


def run(
    mutant: Mutant,
    directory: Path,
    args: list[str],
    env: list[str],
    real_check: bool,
    case_timeout: float,
    hold: str | None = None,
) -> int:
    """Print both outcomes; exit 0 if they differ (the command line tells the mutant apart), 1 if not.

    ``{port}`` and ``{port2}`` in the arguments are free ports picked as the runner picks
    them; with ``hold``, ``{port}`` is held as a vector's ``hold`` says, during both runs.
    """
    ports = {"port": holders.pick_free_port(set())}
    ports["port2"] = holders.pick_free_port({ports["port"]})
    filled = [fill_ports(a, ports) for a in args]
    invocation = Invocation([os.fsencode(a) for a in filled], environment(env, real_check))
    tasks = [
        (name, _call(target, directory, invocation, case_timeout))
        for name, target in (("reference", None), ("mutant", mutant))
    ]
    # One hold for both runs, one after the other (a TIME_WAIT cannot be made twice on a port in a row).
    with holders.hold(hold_spec(hold) if hold else {"kind": "none"}, ports["port"]):
        seen = dict(run_isolated(tasks, 1, Limits(seconds=case_timeout + 10)))
    print(f"port4me {' '.join(filled)}" + "".join(f"\n  with {pair}" for pair in env))
    if hold:
        print(f"  while holding {ports['port']} as {hold_spec(hold)}")
    for name in ("reference", "mutant"):
        verdict = seen[name]
        print(f"{name}: " + _describe(verdict))
    keys = ("status", "exit", "stdout", "failure")  # stderr wording is the implementation's own
    differ = any(seen["reference"].get(k) != seen["mutant"].get(k) for k in keys)
    differ = differ or bool(seen["reference"].get("stderr")) != bool(seen["mutant"].get("stderr"))
    print("DIFFER" if differ else "SAME (as far as the vectors can see: exit code, stdout, stderr empty or not)")
    return 0 if differ else 1


def _describe(verdict: dict) -> str:
    if verdict["status"] != "done":
        return f"{verdict['status']} {verdict.get('reason', '')}".strip()
    last = (verdict["stderr"].strip().splitlines() or [""])[-1]  # a traceback's last line says enough
    text = f"exit {verdict['exit']}, stdout {verdict['stdout']!r}, stderr {short(last)!r}"
    return text + (f", failure {verdict['failure']}" if verdict.get("failure") else "")
