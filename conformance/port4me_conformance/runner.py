"""Running cases against an implementation and judging each outcome (INTERPRETING.md)."""

from __future__ import annotations

import difflib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from . import holders
from .adapters import Adapter, InProcessAdapter, Invocation, Outcome
from .vectors import Case

PASS, FAIL, SKIP, XFAIL, XPASS, UNIT = "pass", "fail", "skip", "xfail", "xpass", "n/a"
OPTION_NAMES = {"max_tries": "--max-tries"}
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
CHECK_SWITCH = "_PORT4ME_CHECK_AVAILABLE_PORTS_"


@dataclass
class Result:
    """The verdict on one case in one variant."""

    case: Case
    variant: str
    status: str
    reason: str = ""
    detail: str = ""
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.case.id if self.variant == "options" else f"{self.case.id}@{self.variant}"


@dataclass
class Host:
    """What this host can do, found once per run."""

    ipv6: bool = field(default_factory=holders.host_has_ipv6)
    linux: bool = field(default_factory=holders.is_linux)
    unprivileged_port_start: int = field(default_factory=holders.unprivileged_port_start)
    is_root: bool = field(default_factory=lambda: hasattr(os, "getuid") and os.getuid() == 0)


@dataclass
class Options:
    timeout: float = 5.0
    jobs: int = 1
    via: str = "both"  # how abstract settings are passed: options, env, or both (two variants)
    pass_env: dict[str, str] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # case id (or id@variant) -> reason


def variants(case: Case, via: str) -> list[str]:
    if not case.has_settings or via == "options":
        return ["options"]
    return ["env"] if via == "env" else ["options", "env"]


class Runner:
    """Runs selected cases against one adapter."""

    def __init__(self, adapter: Adapter, options: Options, host: Host | None = None):
        self.adapter = adapter
        self.options = options
        self.host = host or Host()
        self._real_check_lock = threading.Lock()  # check cases hold ports: one at a time
        self._unprivileged_ok: bool | None = None

    def run(self, cases: list[Case]) -> list[Result]:
        work = [(case, variant) for case in cases for variant in variants(case, self.options.via)]
        if self.options.jobs <= 1:
            results = [self.run_one(case, variant) for case, variant in work]
        else:
            with ThreadPoolExecutor(self.options.jobs) as pool:
                results = list(pool.map(lambda item: self.run_one(*item), work))
        return [self._apply_known(result) for result in results]

    def _apply_known(self, result: Result) -> Result:
        known = self.options.known
        reason = known.get(f"{result.case.id}@{result.variant}", known.get(result.case.id))
        if reason is None or result.status in (SKIP, UNIT):
            return result
        if result.status == FAIL:
            return Result(result.case, result.variant, XFAIL, reason, result.detail, result.seconds)
        return Result(
            result.case,
            result.variant,
            XPASS,
            "listed as a known difference, but it passes: remove it from the file",
            "",
            result.seconds,
        )

    def run_one(self, case: Case, variant: str) -> Result:
        if case.unit_only:
            return self._unit(case, variant)
        skip = self._skip_reason(case)
        if skip:
            return Result(case, variant, SKIP, skip)
        if case.real_check:
            with self._real_check_lock:
                return self._run_held(case, variant)
        return self._judge(
            case, variant, self.adapter.run(self._invocation(case, variant, {}), self.options.timeout), {}
        )

    def _unit(self, case: Case, variant: str) -> Result:
        if not isinstance(self.adapter, InProcessAdapter):
            return Result(case, variant, UNIT, "unit values only: not run on a command line")
        for entry in case.data.get("unit", []):
            actual = self.adapter.unit(entry["function"], entry["input"])
            if actual != entry["output"]:
                return Result(
                    case,
                    variant,
                    FAIL,
                    f"{entry['function']}({entry['input']!r}) = {actual!r}, expected {entry['output']!r}",
                )
        return Result(case, variant, PASS)

    def _skip_reason(self, case: Case) -> str:
        needs = case.needs
        unsupported = sorted(set(needs) & {"nameless-user", "nobody", "no-ipv6", "emfile"})
        if unsupported:
            return f"needs {', '.join(unsupported)}, which this runner cannot provide yet"
        if "ipv6" in needs and not self.host.ipv6:
            return "needs IPv6, which this host does not have"
        if "linux" in needs and not self.host.linux:
            return "pins Linux socket semantics; this host is not Linux"
        if "root" in needs and not self.host.is_root:
            return "needs root, to bind a privileged port; the runner is not root"
        if "unprivileged" in needs:
            if self.host.unprivileged_port_start <= 1:
                return "every port is unprivileged on this host (ip_unprivileged_port_start)"
            if self.host.is_root:
                if not self.adapter.can_drop_privileges:
                    return "needs an unprivileged user; the runner is root and this adapter cannot drop privileges"
                if not self._runs_unprivileged():
                    return "needs an unprivileged user; the implementation cannot run as uid 65534 here"
        return ""

    def _runs_unprivileged(self) -> bool:
        if self._unprivileged_ok is None:
            probe = Invocation([b"--version"], self._base_env(), unprivileged=True)
            outcome = self.adapter.run(probe, self.options.timeout)
            self._unprivileged_ok = outcome.exit_code == 0 and bool(outcome.stdout.strip())
        return self._unprivileged_ok

    def _run_held(self, case: Case, variant: str) -> Result:
        ports: dict[str, int] = {}
        fixed = case.data.get("port")
        if fixed is not None and not holders.is_bindable_now(fixed):
            return Result(case, variant, SKIP, f"port {fixed}, which this case is about, is not free on this host")
        ports["port"] = fixed or holders.pick_free_port(set())
        ports["port2"] = holders.pick_free_port({ports["port"]})
        start = self.host.unprivileged_port_start
        if self.host.is_root and start > 1:  # root can tell which privileged ports are free
            ports["privileged_port"] = holders.pick_free_port(set(), low=1, high=start - 1)
        else:  # busy for an unprivileged user whether or not anything holds it
            ports["privileged_port"] = max(start - 1, 1)
        unprivileged = "unprivileged" in case.needs and self.host.is_root
        invocation = self._invocation(case, variant, ports, unprivileged)
        after = case.data.get("after")
        try:
            with holders.hold(case.data.get("hold", {"kind": "none"}), ports["port"]) as held:
                outcome = self.adapter.run(invocation, self.options.timeout)
                connected = after == "untouched" and holders.was_connected(held)
        except OSError as error:
            return Result(case, variant, SKIP, f"the runner could not hold the port: {error}")
        result = self._judge(case, variant, outcome, ports)
        if result.status != PASS:
            return result
        if connected:
            return Result(case, variant, FAIL, "the implementation connected to the port (P4M-CHECK-4)")
        if after == "bindable" and not holders.is_bindable_now(ports["port"]):
            return Result(case, variant, FAIL, "the port is still held after the implementation exited")
        return result

    def _base_env(self) -> dict[bytes, bytes]:
        env = {"PATH": BASE_PATH, "HOME": "/nonexistent", "LANG": "C.UTF-8", **self.options.pass_env}
        return {os.fsencode(k): os.fsencode(v) for k, v in env.items()}

    def _invocation(self, case: Case, variant: str, ports: dict[str, int], unprivileged: bool = False) -> Invocation:
        data = case.data["input"]

        def fill(text: Any) -> str:
            text = str(text)
            for key, value in ports.items():
                text = text.replace("{" + key + "}", str(value))
            return text

        argv = [os.fsencode(fill(arg)) for arg in data.get("args", [])]
        argv += [bytes.fromhex(arg) for arg in data.get("args_hex", [])]
        env = self._base_env()
        if case.data.get("check", "any") == "any":
            env[CHECK_SWITCH.encode()] = b"any"
        for name, value in data.get("settings", {}).items():
            if variant == "env":
                env[os.fsencode(f"PORT4ME_{name.upper()}")] = os.fsencode(fill(value))
            else:
                argv.append(os.fsencode(f"{OPTION_NAMES.get(name, '--' + name)}={fill(value)}"))
        for name, value in data.get("env", {}).items():
            env[os.fsencode(name)] = os.fsencode(fill(value))
        for name, value in data.get("env_hex", {}).items():
            env[os.fsencode(name)] = bytes.fromhex(value)
        return Invocation(argv, env, unprivileged)

    def _judge(self, case: Case, variant: str, outcome: Outcome, ports: dict[str, int]) -> Result:
        verdict = judge(case.expect, outcome, ports, variant)
        status = PASS if verdict is None else FAIL
        reason, detail = verdict or ("", "")
        return Result(case, variant, status, reason, detail, outcome.seconds)


def expected_stdout(expect: dict, ports: dict[str, int]) -> bytes:
    lines = []
    for port in expect["ports"]:
        text = str(port)
        for key, value in ports.items():
            text = text.replace("{" + key + "}", str(value))
        lines.append(text + "\n")
    return "".join(lines).encode()


def _diagnostic(diagnostic: dict | None, outcome: Outcome, variant: str) -> tuple[str, str] | None:
    """P4M-CLI-11: stderr names the source and contains the offending value."""
    if not diagnostic:
        return None
    stderr = outcome.stderr.decode("utf-8", "replace")
    source = diagnostic.get("source")
    if source and not source.startswith("-") and not source.isupper() and not source.startswith("_"):
        source = OPTION_NAMES.get(source, "--" + source) if variant == "options" else f"PORT4ME_{source.upper()}"
    for what, text in (("source", source), ("value", diagnostic.get("value"))):
        if text and text not in stderr:
            return f"the error message does not name the {what} {text!r} (P4M-CLI-11)", _streams(outcome)
    return None


def judge(expect: dict, outcome: Outcome, ports: dict[str, int], variant: str = "options") -> tuple[str, str] | None:
    """None if the outcome meets the expectation, else (reason, detail)."""
    if outcome.failure:
        return outcome.failure, ""
    if outcome.timed_out:
        return "timed out; its process group was killed", _streams(outcome)
    code = outcome.exit_code
    if code is not None and code < 0:
        return f"killed by signal {-code}", _streams(outcome)
    if expect.get("stderr") == "empty" and outcome.stderr:
        return "stderr is not empty on success (P4M-CLI-9)", _streams(outcome)
    if "ports" in expect:
        wanted = expected_stdout(expect, ports)
        if code != 0:
            return f"exit code {code}, expected 0", _streams(outcome)
        if outcome.stdout != wanted:
            return "stdout differs", _diff(wanted, outcome.stdout)
        return None
    if "port_count" in expect:
        if code != 0:
            return f"exit code {code}, expected 0", _streams(outcome)
        lines = outcome.stdout.split(b"\n")
        if lines[-1] != b"" or not all(_is_port(line) for line in lines[:-1]):
            return "stdout is not ports, one per line", _streams(outcome)
        if len(lines) - 1 != expect["port_count"]:
            return f"{len(lines) - 1} ports, expected {expect['port_count']}", ""
        return None
    if "error" in expect:
        wanted_code = 2 if expect["error"] == "usage" else 1
        if code != wanted_code:
            return f"exit code {code}, expected {wanted_code} ({expect['error']} error)", _streams(outcome)
        if outcome.stdout:
            return "an error must leave stdout empty", _streams(outcome)
        if not outcome.stderr.strip():
            return "an error must say why on stderr", ""
        return _diagnostic(expect.get("diagnostic"), outcome, variant)
    if "test" in expect:
        wanted_code = 0 if expect["test"] == "free" else 1
        if code != wanted_code:
            return f"exit code {code}, expected {wanted_code} (port {expect['test']})", _streams(outcome)
        if outcome.stdout:
            return "--test must leave stdout empty", _streams(outcome)
        return None
    if "help" in expect or "version" in expect:
        if code != 0:
            return f"exit code {code}, expected 0", _streams(outcome)
        if "version" in expect and not (
            outcome.stdout.endswith(b"\n") and outcome.stdout.count(b"\n") == 1 and outcome.stdout.strip()
        ):
            return "--version must print exactly one non-empty line", _streams(outcome)
        if not outcome.stdout.strip():
            return "--help must print help on stdout", _streams(outcome)
        return None
    raise ValueError(f"unknown expectation {expect!r}")


def _is_port(line: bytes) -> bool:
    return line.isdigit() and not line.startswith(b"0") and int(line) <= 65535


def _show(data: bytes, limit: int = 400) -> str:
    text = data.decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _streams(outcome: Outcome) -> str:
    return f"stdout: {_show(outcome.stdout)!r}\nstderr: {_show(outcome.stderr)!r}"


def _diff(wanted: bytes, actual: bytes) -> str:
    lines = difflib.unified_diff(
        wanted.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        actual.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        "expected",
        "actual",
        n=2,
    )
    text = "".join(line if line.endswith("\n") else line + "\\ no newline at end\n" for line in lines)
    return text if len(text) < 2000 else text[:2000] + "...\n"
