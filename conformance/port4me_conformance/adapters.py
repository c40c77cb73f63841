"""The narrow interface between the runner and an implementation: argv, env and a host condition in; outcome out."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import confine, process
from .host import UNPRIVILEGED_ID, nameless_id

__all__ = ["Adapter", "Invocation", "Outcome", "SubprocessAdapter", "condition_ids"]

USER_CONDITIONS = ("unprivileged", "nameless-user", "nobody")
FILTER_CONDITIONS = confine.CONDITIONS  # no-ipv6, emfile


def confined(argv: list[bytes], condition: str) -> list[bytes]:
    """The words that run ``argv`` under a seccomp condition's filter (the wrapper confine.py); else ``argv``."""
    if condition not in FILTER_CONDITIONS:
        return argv
    # -I -S: the wrapper needs only the standard library; nothing from the caller's setup.
    wrapper = [sys.executable, "-I", "-S", confine.__file__, condition]
    return [os.fsencode(part) for part in wrapper] + argv


def by_hand(argv: list[bytes], condition: str) -> list[bytes]:
    """The words a shell runs to make a call by hand (INTERPRETING 8): as the condition's user, if it has one."""
    ids = condition_ids(condition)
    if ids is None:
        return argv
    user, group = ids
    return [b"setpriv", f"--reuid={user}".encode(), f"--regid={group}".encode(), b"--clear-groups", *argv]


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
    answer: dict | None = None  # a library interface's answer (INTERPRETING 11.3), judged instead of the streams
    peak_memory: int = 0  # bytes; 0: not measured
    memory_limit: int = 0  # bytes, as imposed on each process of the call; 0: none
    interrupted: bool = False  # the runner was stopping: this is no result

    @property
    def memory_reached(self) -> bool:
        """The call's peak resident memory came near the limit: it may have failed for want of memory."""
        return bool(self.memory_limit) and self.peak_memory >= process.NEAR_LIMIT * self.memory_limit


def condition_ids(condition: str) -> tuple[int, int] | None:
    """The user and group IDs a user condition runs the call as; None for any other condition, or none found."""
    if condition == "unprivileged":
        return UNPRIVILEGED_ID, UNPRIVILEGED_ID
    if condition == "nameless-user":
        user = nameless_id()
        return None if user is None else (user, user)
    if condition == "nobody":
        account = _nobody()
        return None if account is None else (account.pw_uid, account.pw_gid)
    return None


@functools.cache
def _nobody():
    try:
        import pwd

        return pwd.getpwnam("nobody")
    except (ImportError, KeyError):
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
            if condition_ids(condition) is None:
                if condition == "nobody":
                    return "the user database has no account named nobody"
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

    def __init__(self, name: str, command: list[str], memory: int | None = process.MEMORY_LIMIT):
        self.name = name
        self.command = command
        self.description = " ".join(command)
        self.memory = memory  # bytes each process of a call may allocate (None: no limit)
        self._runs_as: dict[tuple[int, int], str] = {}

    def argv(self, invocation: Invocation) -> list[bytes]:
        return confined([os.fsencode(part) for part in self.command] + invocation.argv, invocation.condition)

    def command_line(self, invocation: Invocation) -> list[bytes]:
        return by_hand(self.argv(invocation), invocation.condition)

    def run(self, invocation: Invocation, timeout: float) -> Outcome:
        ids = condition_ids(invocation.condition)
        done = _call_in_fresh_folder(self.argv(invocation), invocation.env, timeout, ids, self.memory)
        return Outcome(
            done.stdout,
            done.stderr,
            done.exit_code,
            done.timed_out,
            done.seconds,
            done.failure or None,
            done.too_large,
            tuple(done.killed),
            peak_memory=done.peak_memory,
            memory_limit=done.memory_limit,
            interrupted=done.interrupted,
        )

    def cannot_impose(self, condition: str) -> str:
        reason = super().cannot_impose(condition)
        ids = condition_ids(condition)
        if reason or ids is None:
            return reason
        if ids not in self._runs_as:
            self._runs_as[ids] = self._probe_as(ids)
        return self._runs_as[ids]

    def _probe_as(self, ids: tuple[int, int]) -> str:
        """Can the implementation run at all as this user?  (A program under /root, mode 700, cannot.)"""
        env = {b"PATH": b"/usr/local/bin:/usr/bin:/bin", b"HOME": b"/nonexistent", b"LANG": b"C.UTF-8"}
        done = _call_in_fresh_folder(self.argv(Invocation([b"--version"], env)), env, 10, ids)
        user = ids[0]
        if done.exit_code == 0 and done.stdout.strip():
            return ""
        blocked = _unreachable(self.command, user)
        why = (
            done.failure
            or (done.stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit {done.exit_code}"])[0]
        )
        return f"the implementation cannot run as uid {user} here ({why[:200]})" + (f": {blocked}" if blocked else "")


def _call_in_fresh_folder(
    argv: list[bytes],
    env: dict[bytes, bytes],
    timeout: float,
    ids: tuple[int, int] | None,
    memory: int | None = process.MEMORY_LIMIT,
) -> process.Finished:
    """One call in a new empty folder (owned by the user it runs as), removed afterwards."""
    user, group = ids if ids is not None else (None, None)
    directory = tempfile.mkdtemp(prefix="port4me-call-")
    try:
        if ids is not None:
            os.chown(directory, user, group)
        return process.call(argv, env, directory, timeout, user=user, group=group, memory=memory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


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
