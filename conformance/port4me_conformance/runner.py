"""Running cases against one implementation and giving each (case, variant) its status (INTERPRETING 2-6)."""

from __future__ import annotations

import os
import random
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from . import holders, process
from .adapters import Adapter, Invocation, Outcome, condition_ids
from .host import Host
from .judge import OPTION_NAMES, describe_expected, fill_ports, judge, non_ascii_seed, visible
from .process import OUTPUT_LIMIT, allocation_refused
from .reproduce import line
from .results import CRASH, FAIL, FAILED, PASS, SKIP, TIMEOUT, TOO_LARGE, UNIT, WARN, XFAIL, XPASS, Mismatch, Result
from .vectors import Case, requirement_levels

BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
CHECK_SWITCH = "_PORT4ME_CHECK_AVAILABLE_PORTS_"
DEFAULT_TIMEOUT = 10.0
# A time-bound case (P4M-SEQ-3, P4M-LIST-2, P4M-CHECK-7) has this limit whatever --timeout says: its requirement
# is about how the work grows, so a longer --timeout for a slow interpreter must not turn a failure into a pass.
TIME_BOUND = 10.0
CONDITIONS = ("unprivileged", "nameless-user", "nobody", "no-ipv6", "emfile", "ipv6-eacces", "ipv6-emfile")


@dataclass
class Options:
    timeout: float = DEFAULT_TIMEOUT
    jobs: int = 1
    via: str = "both"  # how abstract settings are passed: options, env, or both (two variants)
    pass_env: dict[str, str] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # case id (or id@variant) -> reason
    progress: Callable[[Result], None] | None = None  # called after each result, from one thread at a time
    seed: int | None = None  # the order of a long-lived implementation's calls (INTERPRETING 11.5); None: as listed
    stop: threading.Event | None = None  # once set, no further call starts (--max-failures); finished ones are kept


def variants(case: Case, via: str) -> list[str]:
    if not case.has_settings or via == "options":
        return ["options"]
    return ["env"] if via == "env" else ["options", "env"]


def advisory(case: Case, keywords: dict[str, str]) -> bool:
    """Every requirement the case pins is a SHOULD: its failure is a warning (spec section 2)."""
    return all(keywords.get(r, "MUST").startswith("SHOULD") for r in case.requirements)


class Runner:
    """Runs selected cases against one adapter."""

    def __init__(self, adapter: Adapter, options: Options, host: Host | None = None):
        self.adapter = adapter
        self.options = options
        self.host = host or Host()
        self._real_check_lock = threading.Lock()  # check cases hold ports: one at a time
        self._progress_lock = threading.Lock()
        self._keywords = requirement_levels()

    def run(self, cases: list[Case]) -> list[Result]:
        """Every (case, variant) result; once the run is stopping (a signal), only those finished before."""
        if getattr(self.adapter, "long_lived", False):
            return self._run_shuffled(cases)
        work = [(case, variant) for case in cases for variant in variants(case, self.options.via)]
        if self.options.jobs <= 1:
            results = [self._one(case, variant) for case, variant in work]
        else:
            with ThreadPoolExecutor(self.options.jobs) as pool:
                results = list(pool.map(lambda item: self._one(*item), work))
        return [result for result in results if result is not None]

    def _one(self, case: Case, variant: str) -> Result | None:
        if process.stopping() or (self.options.stop is not None and self.options.stop.is_set()):
            return None
        result = self.run_one(case, variant)
        return None if process.stopping() else self._finish(result)

    def _shuffled(self, cases: list[Case]) -> tuple[list[tuple[Case, str]], list[int], set[int]]:
        """A long-lived implementation's work: the (case, variant) pairs, the seed's order of their
        positions, and the positions of the calls that may need a host condition."""
        work = [(case, variant) for case in cases for variant in variants(case, self.options.via)]
        order = list(range(len(work)))
        if self.options.seed is not None:
            random.Random(self.options.seed).shuffle(order)
        # A call that may need a host condition goes to the first worker: one harness process per
        # condition, not one per worker (each start costs as much as hundreds of calls; 11.5).
        pinned = {i for i, (case, _) in enumerate(work) if set(case.needs) & set(CONDITIONS)}
        return work, order, pinned

    def prepare(self, cases: list[Case]) -> None:
        """Let a long-lived implementation start, at once, the processes running these cases will ask for."""
        if not hasattr(self.adapter, "prepare"):
            return
        from .harness import deal

        work, order, pinned = self._shuffled(cases)
        dealt = deal(order, self.options.jobs, pinned.__contains__)
        not_applicable = getattr(self.adapter, "not_applicable", lambda case: "")
        runs = [[order[p] for p in positions if not not_applicable(work[order[p]][0])] for positions in dealt]
        workers = [0] + [k for k, items in enumerate(runs) if k and items]
        conditions = {self._needed(work[i][0])[0] for i in runs[0] if i in pinned}
        self.adapter.prepare(workers, sorted(conditions - {""}))

    def _run_shuffled(self, cases: list[Case]) -> list[Result]:
        """A harness's calls in the seed's order, dealt to its processes; results in the vectors' order."""
        from .harness import run_dealt

        work, order, pinned = self._shuffled(cases)
        self.prepare(cases)  # nothing more when the run already did
        done = run_dealt(order, self.options.jobs, lambda i: self._one(*work[i]), pinned.__contains__)
        by_position = dict(zip(order, done))
        return [by_position[i] for i in range(len(work)) if by_position[i] is not None]

    def version(self) -> str:
        """The implementation's own ``--version`` output (its first line), or why there is none."""
        if hasattr(self.adapter, "version_line"):  # a harness describes itself (INTERPRETING 11.2)
            return self.adapter.version_line
        outcome = self.adapter.run(Invocation([b"--version"], self._base_env()), self.options.timeout)
        if outcome.exit_code == 0 and outcome.stdout.strip():
            return visible(outcome.stdout.strip().split(b"\n", 1)[0], 200)
        return f"(no version: {_short_status(outcome)})"

    def _finish(self, result: Result) -> Result:
        result = self._apply_known(result)
        if self.options.progress:
            with self._progress_lock:
                self.options.progress(result)
        return result

    def _apply_known(self, result: Result) -> Result:
        known = self.options.known
        reason = known.get(f"{result.case.id}@{result.variant}", known.get(result.case.id))
        if reason is None or result.status not in (*FAILED, PASS):
            return result
        if result.status == PASS:
            reason = "listed as a known difference, but it passes: remove it from the file"
            return replace(result, status=XPASS, cause="known differences that now pass", reason=reason)
        return replace(result, observed=f"{result.status}: {result.reason}", status=XFAIL, reason=reason)

    def run_one(self, case: Case, variant: str) -> Result:
        """The case's result; a case with a ``control`` passes only when its control call passes too."""
        result = self._run_case(case, variant)
        control = case.data.get("control")
        if control is None or result.status != PASS:
            return result
        return self._controlled(case, variant, result, control)

    def _controlled(self, case: Case, variant: str, result: Result, control: dict) -> Result:
        """INTERPRETING 4.1: the same call with the input made satisfiable must give the control's outcome,
        so that the expected error is not a refusal of the input (an option or a value it does not accept)."""
        data = {key: value for key, value in case.data.items() if key != "control"}
        data.update(input=control["input"], expect=control["expect"])
        second = self._run_case(Case(case.id, case.file, data), variant)
        if second.status == PASS:
            return result
        what = f"the control call ({second.expected})"
        if second.status in (SKIP, TIMEOUT, UNIT):
            return replace(
                second, case=case, reason=f"the error was as expected, but {what} has no verdict: {second.reason}"
            )
        reason = (
            f"the error was as expected, but {what} did not pass, so the error may refuse the input: {second.reason}"
        )
        return replace(
            second,
            case=case,
            status=WARN if advisory(case, self._keywords) else FAIL,
            reason=reason,
            cause=f"{case.requirements[0]}: an error that refuses the input (the control call fails)",
            expected=f"{result.expected}; control: {second.expected}",
        )

    def _run_case(self, case: Case, variant: str) -> Result:
        not_applicable = getattr(self.adapter, "not_applicable", None)
        reason = not_applicable(case) if not_applicable else ""
        if reason:
            return Result(case, variant, UNIT, reason, cause=f"n/a: {reason.partition(':')[0]}")
        if case.unit_only:
            return self._unit(case, variant)
        condition, skip = self._condition(case)
        if skip:
            return Result(case, variant, SKIP, skip, cause=f"skipped: {skip}")
        if case.real_check:
            with self._real_check_lock:
                return self._run_held(case, variant, condition)
        invocation = self._invocation(case, variant, {}, condition)
        return self._judge(case, variant, invocation, self.adapter.run(invocation, self._limit(case)), {})

    def _limit(self, case: Case) -> float:
        """The call's deadline in seconds: TIME_BOUND for a time-bound case, else --timeout."""
        return TIME_BOUND if case.time_bound else self.options.timeout

    def _unit(self, case: Case, variant: str) -> Result:
        evaluates = getattr(self.adapter, "evaluates_unit", None)
        if not hasattr(self.adapter, "unit") or (evaluates is not None and not evaluates(case)):
            return Result(case, variant, UNIT, "unit values only: not run on a command line")
        for entry in case.data.get("unit", []):
            try:
                actual = self.adapter.unit(entry["function"], entry["input"])
            except Exception as error:  # noqa: BLE001 - a harness that broke the protocol: this result says so
                reason = visible(str(error), 600)
                return Result(case, variant, CRASH, reason, cause="crash: the call could not run")
            if actual != entry["output"]:
                call = f"{entry['function']}({entry['input']!r})"
                return Result(
                    case,
                    variant,
                    FAIL,
                    f"{call} = {actual!r}, expected {entry['output']!r}",
                    cause=f"{case.requirements[0]}: {entry['function']} gives other values",
                    expected=f"{call} = {entry['output']!r}",
                )
        return Result(case, variant, PASS)

    def _condition(self, case: Case) -> tuple[str, str]:
        """(the confinement the call runs under, or ""; why the case is skipped, or "")."""
        condition, skip = self._needed(case)
        if skip or not condition:
            return condition, skip
        reason = self.adapter.cannot_impose(condition)
        return condition, (f"needs {condition}: {reason}" if reason else "")

    def _needed(self, case: Case) -> tuple[str, str]:
        """(the confinement the call needs, or ""; why this host cannot give it, or ""), as far as the
        host tells, before asking the implementation."""
        needs, host = case.needs, self.host
        if "ipv6" in needs and not host.ipv6:
            return "", "needs IPv6, which this host does not have (P4M-CHECK-6)"
        if "linux" in needs and not host.linux:
            return "", "pins Linux socket semantics; this host is not Linux"
        if "root" in needs and not host.is_root:
            return "", "needs root, to bind a privileged port; the runner is not root"
        if "unprivileged" in needs and host.unprivileged_port_start <= 1:
            return "", "every port is unprivileged on this host (ip_unprivileged_port_start)"
        wanted = [need for need in CONDITIONS if need in needs and self._must_impose(need)]
        if len(wanted) > 1:
            return "", f"needs {' and '.join(wanted)} at once, which the runner cannot impose together"
        return (wanted[0], "") if wanted else ("", "")

    def _must_impose(self, need: str) -> bool:
        """False when the host already is what the case needs."""
        if need == "unprivileged":
            return self.host.is_root
        if need == "no-ipv6":
            return self.host.ipv6
        if need == "nameless-user":
            import pwd

            try:
                pwd.getpwuid(os.getuid())
            except KeyError:
                return False
        return True

    def _run_held(self, case: Case, variant: str, condition: str) -> Result:
        ports: dict[str, int] = {}
        fixed = case.data.get("port")
        if fixed is not None and not holders.is_bindable_now(fixed):
            reason = f"port {fixed}, which this case is about, is not free on this host"
            return Result(case, variant, SKIP, reason, cause=f"skipped: {reason}")
        try:
            ports["port"] = fixed or holders.pick_free_port(set())
            ports["port2"] = holders.pick_free_port({ports["port"]})
            start = self.host.unprivileged_port_start
            if self.host.is_root and start > 1:  # root can tell which privileged ports are free
                ports["privileged_port"] = holders.pick_free_port(set(), low=1, high=start - 1)
            else:  # busy for an unprivileged user whether or not anything holds it
                ports["privileged_port"] = max(start - 1, 1)
        except (holders.NoFreePort, OSError) as error:
            reason = f"the runner found no free port to hold: {error}"
            return Result(case, variant, SKIP, reason, cause="skipped: the runner found no free port to hold")
        invocation = self._invocation(case, variant, ports, condition)
        spec = case.data.get("hold", {"kind": "none"})
        after = case.data.get("after")
        try:
            with holders.hold(spec, ports["port"]) as held:
                outcome = self.adapter.run(invocation, self._limit(case))
                connected = after == "untouched" and holders.was_connected(held)
        except OSError as error:
            reason = f"the runner could not hold the port: {error}"
            return Result(case, variant, SKIP, reason, cause="skipped: the runner could not hold the port")
        result = self._judge(case, variant, invocation, outcome, ports)
        setup = "; ".join(filter(None, [f"{{port}} = {ports['port']}, {holders.describe(spec)}", result.setup]))
        result = replace(result, setup=setup)
        if result.status != PASS:
            return result
        if connected:
            mismatch = Mismatch("the implementation connected to the port", "P4M-CHECK-4", "the check connects")
        elif after == "bindable" and not holders.is_bindable_now(ports["port"]):
            mismatch = Mismatch(
                "the port is still held after the implementation exited", "P4M-CHECK-2", "the check keeps a socket"
            )
        else:
            return result
        return self._mismatch(result, case, mismatch, outcome, invocation)

    def _base_env(self) -> dict[bytes, bytes]:
        env = {"PATH": BASE_PATH, "HOME": "/nonexistent", "LANG": "C.UTF-8", **self.options.pass_env}
        return {os.fsencode(k): os.fsencode(v) for k, v in env.items()}

    def _invocation(self, case: Case, variant: str, ports: dict[str, int], condition: str = "") -> Invocation:
        data = case.data["input"]

        argv = [os.fsencode(fill_ports(arg, ports)) for arg in data.get("args", [])]
        argv += [bytes.fromhex(arg) for arg in data.get("args_hex", [])]
        env = self._base_env()
        if case.data.get("check", "any") == "any":
            env[CHECK_SWITCH.encode()] = b"any"
        for name, value in data.get("settings", {}).items():
            if variant == "env":
                env[os.fsencode(f"PORT4ME_{name.upper()}")] = os.fsencode(fill_ports(value, ports))
            else:
                argv.append(os.fsencode(f"{OPTION_NAMES.get(name, '--' + name)}={fill_ports(value, ports)}"))
        for name, value in data.get("env", {}).items():
            env[os.fsencode(name)] = os.fsencode(fill_ports(value, ports))
        for name, value in data.get("env_hex", {}).items():
            env[os.fsencode(name)] = bytes.fromhex(value)
        return Invocation(argv, env, condition)

    def _judge(self, case: Case, variant: str, invocation: Invocation, outcome: Outcome, ports: dict) -> Result:
        result = Result(
            case,
            variant,
            PASS,
            seconds=outcome.seconds,
            expected=describe_expected(case.expect, ports, variant),
            actual=_actual(outcome),
            setup=_confinement(invocation.condition),
            ports=dict(ports) or None,
        )
        limit = f"{self._limit(case):g} s"
        if outcome.failure:
            status, reason, cause = CRASH, visible(outcome.failure, 300), "crash: the call could not run"
        elif outcome.timed_out:
            if case.time_bound:
                bound = _time_requirement(case)
                status, cause = FAIL, f"{bound}: not within the time bound (time-bound)"
                reason = f"did not finish within {limit}: this case is time-bound ({bound})"
            else:
                status, cause = TIMEOUT, f"timeout: still running after {limit}"
                reason = f"did not finish within {limit}; to give it longer, run with --timeout=SECONDS"
        elif outcome.too_large:
            status, cause = TOO_LARGE, "output-too-large: more than 1 MiB on a stream"
            reason = f"wrote more than {OUTPUT_LIMIT} bytes on stdout or stderr; the runner stopped it"
        elif outcome.exit_code is not None and outcome.exit_code < 0:
            name = _signal_name(-outcome.exit_code)
            status, reason, cause = CRASH, f"killed by signal {-outcome.exit_code} ({name})", f"crash: killed by {name}"
        else:
            if outcome.answer is not None:  # a library's answer (INTERPRETING 11.3)
                mismatch = _judge_library(case, outcome, ports)
            else:
                mismatch = judge(
                    case.expect, outcome, ports, variant, tuple(case.requirements), non_ascii_seed(case.data)
                )
            if mismatch is None:
                if outcome.killed:
                    return replace(result, reason="passed, but left processes running, which the runner killed")
                return result
            return _memory_note(self._mismatch(result, case, mismatch, outcome, invocation), outcome)
        if outcome.killed:
            reason += f"; killed {len(outcome.killed)} process(es) it left"
        reproduce = self._reproduce(invocation)
        return _memory_note(replace(result, status=status, reason=reason, cause=cause, reproduce=reproduce), outcome)

    def _mismatch(
        self, result: Result, case: Case, mismatch: Mismatch, outcome: Outcome, invocation: Invocation
    ) -> Result:
        return replace(
            result,
            status=WARN if advisory(case, self._keywords) else FAIL,
            reason=mismatch.reason,
            cause=mismatch.cause,
            detail=mismatch.diff or _streams(outcome),
            reproduce=self._reproduce(invocation),
        )

    def _reproduce(self, invocation: Invocation) -> str:
        if hasattr(self.adapter, "reproduce"):  # a harness: the request, sent to a fresh harness process
            return self.adapter.reproduce(invocation)
        return line(self.adapter.command_line(invocation), invocation.env)


# The requirements a time-bound case is about, in the order a timeout is reported by (spec section 2).
TIME_REQUIREMENTS = ("P4M-SEQ-3", "P4M-LIST-2", "P4M-CHECK-7")


def _time_requirement(case: Case) -> str:
    """The requirement a time-bound case's timeout breaks: the first of its own that is about time, else
    its first (a call that never ends, such as a generator stuck at its fixed point, P4M-LCG-2)."""
    return next((r for r in TIME_REQUIREMENTS if r in case.requirements), case.requirements[0])


def _judge_library(case: Case, outcome: Outcome, ports: dict) -> Mismatch | None:
    from .harness import judge_library

    found = judge_library(case.expect, outcome.answer, ports, tuple(case.requirements))
    if found is None:
        return None
    return Mismatch(*found)


def _memory_note(result: Result, outcome: Outcome) -> Result:
    """A call that did not pass and came near its memory limit, or says an allocation failed under it:
    say so, and make the limit its cause."""
    if result.status == PASS or not outcome.memory_limit:
        return result
    mib = outcome.memory_limit >> 20
    if outcome.memory_reached and outcome.peak_memory > outcome.memory_limit:  # shared mappings are not counted
        seen = f"its peak memory, {outcome.peak_memory >> 20} MiB, went past the limit of {mib} MiB per process"
    elif outcome.memory_reached:
        seen = f"its peak memory, {outcome.peak_memory >> 20} MiB, reached the limit of {mib} MiB"
    elif allocation_refused(outcome.stderr):
        seen = f"it says an allocation failed, under the limit of {mib} MiB per process"
    else:
        return result
    reason = f"{result.reason}; {seen} (to give it more: --memory=MiB)"
    return replace(result, cause=f"memory: reached the limit of {mib} MiB per process", reason=reason)


def _actual(outcome: Outcome) -> dict[str, Any]:
    return {
        "exit_code": outcome.exit_code,
        "stdout": visible(outcome.stdout),
        "stderr": visible(outcome.stderr),
        "killed": [visible(k, 200) for k in outcome.killed],
    }


def _streams(outcome: Outcome) -> str:
    return f"stdout: {visible(outcome.stdout, 400)}\nstderr: {visible(outcome.stderr, 400)}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _short_status(outcome: Outcome) -> str:
    if outcome.failure:
        return visible(outcome.failure, 200)
    if outcome.timed_out:
        return "timed out"
    if outcome.too_large:
        return f"wrote more than {OUTPUT_LIMIT} bytes on a stream"
    return f"exit code {outcome.exit_code}"


def _confinement(condition: str) -> str:
    if not condition:
        return ""
    user = (condition_ids(condition) or (None,))[0]
    return {
        "unprivileged": "run as uid and gid 65534 (unprivileged)",
        "nameless-user": f"run as uid and gid {user}, which no user-database entry names (nameless-user)",
        "nobody": f"run as the account nobody (uid {user})",
        "no-ipv6": "under a seccomp filter: socket() of the IPv6 family fails with EAFNOSUPPORT (no-ipv6)",
        "emfile": "under a seccomp filter: every socket() fails with EMFILE (emfile)",
        "ipv6-eacces": "under a seccomp filter: socket() of the IPv6 family fails with EACCES (ipv6-eacces)",
        "ipv6-emfile": "under a seccomp filter: socket() of the IPv6 family fails with EMFILE (ipv6-emfile)",
    }.get(condition, "")
