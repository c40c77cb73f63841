"""The in-process adapter: a Python implementation's main() called directly, or in a forked child that
applies a host condition first (INTERPRETING 2.5)."""

from __future__ import annotations

import contextlib
import importlib
import io
import marshal
import os
import pkgutil
import selectors
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from . import confine, process
from .adapters import Adapter, Invocation, Outcome, by_hand, condition_ids, confined


class OutputTooLarge(BaseException):
    """Raised inside an in-process call that writes past the output limit (BaseException: main() must not catch it)."""


class _CappedText(io.StringIO):
    def write(self, text: str) -> int:
        if self.tell() + len(text) > process.OUTPUT_LIMIT:
            super().write(text[: max(0, process.OUTPUT_LIMIT - self.tell())])
            raise OutputTooLarge
        return super().write(text)


_fork_lock = threading.Lock()


class InProcessAdapter(Adapter):
    """A Python implementation's ``main(argv, env, stdout, stderr) -> int``, called directly.

    Much faster than a subprocess.  A plain call runs in the runner's own process, with
    no time limit; a call under a host condition runs in a forked child that applies the
    condition (setuid/setgid, or a seccomp filter) before calling ``main`` and is killed
    at the time limit.  The reference is ``inprocess:port4me.cli:main``.

    Unit entries (INTERPRETING section 5) are evaluated only through what the caller
    declares: ``unit`` maps a function of spec section 3 to a callable that takes the
    entry's input as section 5 gives it (``seed_string`` the pair ``[user, tool]``).
    Nothing is guessed from the target's internals; without ``unit``, a unit-only case
    is ``n/a``, as on a command line.
    """

    def __init__(self, name: str, target: str, unit: Mapping[str, Callable[[Any], Any]] | None = None):
        module_name, _, function_name = target.partition(":")
        function_name = function_name or "main"
        try:
            self.main = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError) as error:
            raise ValueError(f"cannot load {target!r}: {error}") from None
        self.name = name
        self.target = target
        self.description = f"in-process {target}"
        self.module = module_name.rpartition(".")[0] or module_name
        self._module_name, self._function = module_name, function_name
        self._preloaded = False
        self.unit_functions = dict(unit or {})

    def run(self, invocation: Invocation, timeout: float) -> Outcome:
        argv = [os.fsdecode(arg) for arg in invocation.argv]
        env = {os.fsdecode(k): os.fsdecode(v) for k, v in invocation.env.items()}
        if invocation.condition:
            return self._run_forked(invocation.condition, argv, env, timeout)
        start = time.perf_counter()
        code, out, err, failure = _call(self.main, argv, env)
        return _outcome(code, out, err, failure, time.perf_counter() - start)

    def command_line(self, invocation: Invocation) -> list[bytes]:
        script = f"import sys; from {self._module_name} import {self._function} as m; sys.exit(m(sys.argv[1:]))"
        argv = [os.fsencode(sys.executable), b"-c", script.encode(), *invocation.argv]
        return by_hand(confined(argv, invocation.condition), invocation.condition)

    def _run_forked(self, condition: str, argv: list[str], env: dict[str, str], timeout: float) -> Outcome:
        self._preload()
        ids = condition_ids(condition)
        start = time.perf_counter()
        read_end, write_end = os.pipe()
        with _fork_lock, warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child only calls main()
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which leaves by os._exit
            os.close(read_end)
            try:
                if ids is not None:
                    os.setgroups([])
                    os.setgid(ids[1])
                    os.setuid(ids[0])
                else:
                    confine.apply(condition)
                payload = marshal.dumps(_call(self.main, argv, env))
            except BaseException as error:  # noqa: BLE001 - reported to the parent, never raised there
                payload = marshal.dumps((None, "", "", f"cannot apply {condition}: {error}"))
            with contextlib.suppress(OSError), os.fdopen(write_end, "wb") as stream:
                stream.write(payload)
            os._exit(0)
        os.close(write_end)
        data, timed_out, too_large = _read_child(read_end, start + timeout)
        if timed_out or too_large:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        seconds = time.perf_counter() - start
        if timed_out or too_large:
            return Outcome(
                b"", b"", None, timed_out, seconds, too_large=too_large, killed=(f"pid {pid} (the forked call)",)
            )
        if os.WIFSIGNALED(status):
            return Outcome(b"", b"", -os.WTERMSIG(status), False, seconds)
        try:
            code, out, err, failure = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return Outcome(b"", b"", None, False, seconds, failure="the forked call died without an answer")
        return _outcome(code, out, err, failure, seconds)

    def _preload(self) -> None:
        """Import what main() may load lazily: a child that switched user cannot read modules under /root."""
        if self._preloaded:
            return
        for name in ("pwd", "grp", "getpass", "_socket", "socket", "errno", "fcntl"):
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        package = importlib.import_module(self.module)
        for info in pkgutil.walk_packages(getattr(package, "__path__", []), f"{self.module}."):
            with contextlib.suppress(Exception):
                importlib.import_module(info.name)
        self._preloaded = True

    def evaluates_unit(self, case) -> bool:
        """Every unit entry of the case names a declared function."""
        return all(entry["function"] in self.unit_functions for entry in case.data.get("unit", []))

    def unit(self, function: str, value: object) -> object:
        """A unit entry's value, from the declared function (evaluates_unit() said it is declared)."""
        return self.unit_functions[function](value)


def _call(main, argv: list[str], env: dict[str, str]) -> tuple[int | None, str, str, str]:
    """(exit code, stdout, stderr, failure) of one in-process call; failure "" when main returned."""
    stdout, stderr = _CappedText(), _CappedText()
    try:
        code = main(argv, env, stdout, stderr)
    except OutputTooLarge:
        return None, stdout.getvalue(), stderr.getvalue(), "output-too-large"
    except BaseException as error:  # noqa: BLE001 - a crash is a result to report, not to propagate
        return None, stdout.getvalue(), stderr.getvalue(), f"raised {type(error).__name__}: {error}"
    return code, stdout.getvalue(), stderr.getvalue(), ""


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")  # undoes how argv bytes were decoded
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")  # a lone surrogate main() made itself


def _outcome(code, out: str, err: str, failure: str, seconds: float) -> Outcome:
    stdout, stderr = _encode(out), _encode(err)
    if failure == "output-too-large":
        return Outcome(stdout, stderr, None, False, seconds, too_large=True)
    return Outcome(stdout, stderr, code, False, seconds, failure=failure or None)


def _read_child(fd: int, deadline: float) -> tuple[bytes, bool, bool]:
    """The child's answer, read until it closes the pipe or the deadline passes."""
    chunks: list[bytes] = []
    size = 0
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        try:
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return b"", True, False
                if not selector.select(remaining):
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return b"".join(chunks), False, False
                chunks.append(chunk)
                size += len(chunk)
                if size > 4 * process.OUTPUT_LIMIT + 4096:  # both streams at the limit, as UTF-8: cannot be
                    return b"", False, True
        finally:
            os.close(fd)
