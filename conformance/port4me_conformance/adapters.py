"""The narrow interface between the runner and an implementation: argv, env and a host condition in; outcome out."""

from __future__ import annotations

import contextlib
import importlib
import io
import marshal
import os
import pkgutil
import selectors
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import confine, process
from .host import UNPRIVILEGED_ID, nameless_id

USER_CONDITIONS = ("unprivileged", "nameless-user")
FILTER_CONDITIONS = confine.CONDITIONS  # no-ipv6, emfile


@dataclass(frozen=True)
class Invocation:
    """One call of an implementation: arguments, the complete environment (bytes), and a host condition."""

    argv: list[bytes]
    env: dict[bytes, bytes]
    condition: str = ""  # "", or a need of INTERPRETING 2.5 the runner imposes: unprivileged, nameless-user, ...

    @property
    def unprivileged(self) -> bool:
        return self.condition == "unprivileged"


@dataclass(frozen=True)
class Outcome:
    """What came back: both streams, the exit code (negative: killed by that signal)."""

    stdout: bytes
    stderr: bytes
    exit_code: int | None
    timed_out: bool = False
    seconds: float = 0.0
    failure: str | None = None  # the adapter could not run the implementation
    too_large: bool = False  # a stream went past the output limit
    killed: tuple[str, ...] = field(default=())  # processes the runner had to kill


def condition_user(condition: str) -> int | None:
    """The user (and group) ID a condition runs the call as, if it is a user condition."""
    if condition == "unprivileged":
        return UNPRIVILEGED_ID
    if condition == "nameless-user":
        return nameless_id()
    return None


class Adapter:
    """Runs one implementation."""

    name: str
    description: str

    def run(self, invocation: Invocation, timeout: float) -> Outcome:  # pragma: no cover - interface
        raise NotImplementedError

    def cannot_impose(self, condition: str) -> str:
        """Why this adapter cannot run a call under ``condition`` here; empty if it can."""
        if condition in USER_CONDITIONS:
            if not (hasattr(os, "geteuid") and os.geteuid() == 0):
                return f"needs root to run the call as another user ({condition}); the runner is not root"
            if condition_user(condition) is None:
                return "no free user ID without a user-database entry was found"
            return ""
        if condition in FILTER_CONDITIONS:
            reason = confine.unavailable()
            return f"cannot apply a seccomp filter: {reason}" if reason else ""
        return f"unknown condition {condition!r}"

    def command_line(self, invocation: Invocation) -> list[bytes]:  # pragma: no cover - interface
        """The words a shell runs to make this call by hand (INTERPRETING section 8)."""
        raise NotImplementedError


class SubprocessAdapter(Adapter):
    """Any implementation with a command line, called in a fresh directory under the limits of INTERPRETING 2.4."""

    def __init__(self, name: str, command: list[str]):
        self.name = name
        self.command = command
        self.description = " ".join(command)
        self._runs_as: dict[int, str] = {}

    @property
    def can_drop_privileges(self) -> bool:  # kept for callers of the 1.x API
        return not self.cannot_impose("unprivileged")

    def argv(self, invocation: Invocation) -> list[bytes]:
        argv = [os.fsencode(part) for part in self.command] + invocation.argv
        if invocation.condition in FILTER_CONDITIONS:
            # -I -S: the wrapper needs only the standard library; nothing from the caller's setup.
            wrapper = [sys.executable, "-I", "-S", confine.__file__, invocation.condition]
            argv = [os.fsencode(part) for part in wrapper] + argv
        return argv

    def command_line(self, invocation: Invocation) -> list[bytes]:
        user = condition_user(invocation.condition)
        prefix = (
            []
            if user is None
            else [b"setpriv", f"--reuid={user}".encode(), f"--regid={user}".encode(), b"--clear-groups"]
        )
        return prefix + self.argv(invocation)

    def run(self, invocation: Invocation, timeout: float) -> Outcome:
        user = condition_user(invocation.condition)
        directory = tempfile.mkdtemp(prefix="port4me-call-")
        try:
            if user is not None:
                os.chown(directory, user, user)
            done = process.call(self.argv(invocation), invocation.env, directory, timeout, user=user)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return Outcome(
            done.stdout,
            done.stderr,
            done.exit_code,
            done.timed_out,
            done.seconds,
            done.failure or None,
            done.too_large,
            tuple(done.killed),
        )

    def cannot_impose(self, condition: str) -> str:
        reason = super().cannot_impose(condition)
        user = condition_user(condition)
        if reason or user is None:
            return reason
        if user not in self._runs_as:
            self._runs_as[user] = self._probe_as(user)
        return self._runs_as[user]

    def _probe_as(self, user: int) -> str:
        """Can the implementation run at all as ``user``?  (A program under /root, mode 700, cannot.)"""
        env = {b"PATH": b"/usr/local/bin:/usr/bin:/bin", b"HOME": b"/nonexistent", b"LANG": b"C.UTF-8"}
        directory = tempfile.mkdtemp(prefix="port4me-probe-")
        try:
            os.chown(directory, user, user)
            done = process.call(self.argv(Invocation([b"--version"], env)), env, directory, 10, user=user)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        if done.exit_code == 0 and done.stdout.strip():
            return ""
        blocked = _unreachable(self.command, user)
        why = (
            done.failure
            or (done.stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit {done.exit_code}"])[0]
        )
        return f"the implementation cannot run as uid {user} here ({why[:200]})" + (f": {blocked}" if blocked else "")


def _unreachable(command: list[str], user: int) -> str:
    """Which folder on the way to the program (or its #! interpreter) another user may not enter."""
    paths = [Path(command[0])]
    with contextlib.suppress(OSError):
        first = Path(command[0]).read_bytes()[:256].split(b"\n")[0]
        if first.startswith(b"#!"):
            paths.append(Path(first[2:].split()[0].decode(errors="replace")))
    paths += [path.resolve() for path in paths]  # a venv's python links to the real one
    for path in paths:
        for folder in reversed(path.parents):
            with contextlib.suppress(OSError):
                info = folder.stat()
                if info.st_uid != user and not info.st_mode & 0o001:
                    return f"{path} lies under {folder}, which uid {user} may not enter (mode {info.st_mode & 0o777:o})"
    return ""


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
    """

    def __init__(self, name: str, target: str):
        module_name, _, function_name = target.partition(":")
        try:
            self.main = getattr(importlib.import_module(module_name), function_name or "main")
        except (ImportError, AttributeError) as error:
            raise ValueError(f"cannot load {target!r}: {error}") from None
        self.name = name
        self.target = target
        self.description = f"in-process {target}"
        self.module = module_name.rpartition(".")[0] or module_name
        self._module_name, self._function = module_name, function_name or "main"
        self._preloaded = False

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
        return [os.fsencode(sys.executable), b"-c", script.encode(), *invocation.argv]

    def _run_forked(self, condition: str, argv: list[str], env: dict[str, str], timeout: float) -> Outcome:
        self._preload()
        user = condition_user(condition)
        start = time.perf_counter()
        read_end, write_end = os.pipe()
        with _fork_lock, warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child only calls main()
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which leaves by os._exit
            os.close(read_end)
            try:
                if user is not None:
                    os.setgroups([])
                    os.setgid(user)
                    os.setuid(user)
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

    def unit(self, function: str, value: object) -> object:
        """Evaluate a unit entry with the implementation's algorithm module (reference only)."""
        algorithm = importlib.import_module(f"{self.module}.algorithm")
        if function == "seed_string":
            return algorithm.seed_string(*value)
        return getattr(algorithm, function)(value)


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
