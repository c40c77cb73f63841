"""The narrow interface between the runner and an implementation: argv and env in, outcome out."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import signal
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Invocation:
    """One call of an implementation: arguments and the complete environment, as bytes."""

    argv: list[bytes]
    env: dict[bytes, bytes]
    unprivileged: bool = False


@dataclass(frozen=True)
class Outcome:
    """What came back: both streams, the exit code (negative: killed by that signal)."""

    stdout: bytes
    stderr: bytes
    exit_code: int | None
    timed_out: bool = False
    seconds: float = 0.0
    failure: str | None = None  # the adapter itself could not run the implementation


class Adapter:
    """Runs one implementation."""

    name: str
    description: str
    can_drop_privileges = False

    def run(self, invocation: Invocation, timeout: float) -> Outcome:  # pragma: no cover - interface
        raise NotImplementedError


class SubprocessAdapter(Adapter):
    """Any implementation with a command line: run in its own process group, killed on timeout."""

    can_drop_privileges = hasattr(os, "getuid") and os.getuid() == 0

    def __init__(self, name: str, command: list[str]):
        self.name = name
        self.command = command
        self.description = " ".join(command)

    def run(self, invocation: Invocation, timeout: float) -> Outcome:
        extra = {}
        if invocation.unprivileged:
            extra = {"user": 65534, "group": 65534, "extra_groups": []}
        start = time.perf_counter()
        try:
            process = subprocess.Popen(
                [os.fsencode(part) for part in self.command] + invocation.argv,
                env=invocation.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                cwd="/",
                **extra,
            )
        except OSError as error:
            return Outcome(b"", b"", None, seconds=0.0, failure=f"cannot start: {error.strerror or error}")
        try:
            stdout, stderr = process.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_group(process)
            stdout, stderr = process.communicate()
            timed_out = True
        return Outcome(stdout, stderr, process.returncode, timed_out, time.perf_counter() - start)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()


class InProcessAdapter(Adapter):
    """A Python implementation's ``main(argv, env, stdout, stderr) -> int``, called directly.

    Much faster than a subprocess; it cannot enforce timeouts or drop privileges.
    The reference is ``inprocess:port4me.cli:main``.
    """

    def __init__(self, name: str, target: str):
        module_name, _, function_name = target.partition(":")
        try:
            self.main = getattr(importlib.import_module(module_name), function_name or "main")
        except (ImportError, AttributeError) as error:
            raise ValueError(f"cannot load {target!r}: {error}") from None
        self.name = name
        self.description = f"in-process {target}"
        self.module = module_name.rpartition(".")[0] or module_name

    def run(self, invocation: Invocation, timeout: float) -> Outcome:
        argv = [os.fsdecode(arg) for arg in invocation.argv]
        env = {os.fsdecode(k): os.fsdecode(v) for k, v in invocation.env.items()}
        stdout, stderr = io.StringIO(), io.StringIO()
        start = time.perf_counter()
        try:
            code = self.main(argv, env, stdout, stderr)
        except BaseException as error:  # noqa: BLE001 - a crash is a result to report, not to propagate
            return Outcome(
                stdout.getvalue().encode(),
                stderr.getvalue().encode(),
                None,
                seconds=time.perf_counter() - start,
                failure=f"raised {type(error).__name__}: {error}",
            )
        return Outcome(
            os.fsencode(stdout.getvalue()), os.fsencode(stderr.getvalue()), code, seconds=time.perf_counter() - start
        )

    def unit(self, function: str, value: object) -> object:
        """Evaluate a unit entry with the implementation's algorithm module (reference only)."""
        algorithm = importlib.import_module(f"{self.module}.algorithm")
        if function == "seed_string":
            return algorithm.seed_string(*value)
        return getattr(algorithm, function)(value)
