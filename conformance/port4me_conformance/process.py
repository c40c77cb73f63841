"""One command call under the limits of INTERPRETING 2.4, leaving nothing behind.

The time limit covers the whole call: from the start until both output streams are
closed and the process has exited.  Reading stops at the limit or past the output
limit.  Then the call's process group is killed, and so is every process that left
the group but still holds one of the call's pipes (a child that called setsid() and
kept stdout open): on Linux those are found through /proc/*/fd.  We chose that over a
child subreaper, which would change the whole runner process (and a test harness
calling it in-process) and make it reap every orphan, and over a cgroup, which needs a
delegated, writable cgroup v2 tree that a user or a container rarely has.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

OUTPUT_LIMIT = 1 << 20  # bytes kept of each stream (INTERPRETING 2.4)
_CHUNK = 1 << 16


@dataclass
class Finished:
    """What a call left: its streams (at most the limit), exit code, and what had to be killed."""

    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int | None = None  # negative: killed by that signal
    timed_out: bool = False
    too_large: bool = False
    seconds: float = 0.0
    killed: list[str] = field(default_factory=list)  # "pid 42 (sleep): why"
    failure: str = ""  # the call could not be started


def call(
    argv: list[bytes],
    env: dict[bytes, bytes],
    cwd: str,
    timeout: float,
    limit: int = OUTPUT_LIMIT,
    user: int | None = None,
    group: int | None = None,
) -> Finished:
    """Run ``argv`` in a session of its own, with stdin empty, within ``timeout`` seconds."""
    start = time.monotonic()
    extra: dict = {} if user is None else {"user": user, "group": user if group is None else group, "extra_groups": []}
    try:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            **extra,
        )
    except (OSError, subprocess.SubprocessError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return Finished(failure=f"cannot start {os.fsdecode(argv[0])}: {reason}")
    out, err = process.stdout.fileno(), process.stderr.fileno()
    streams = {out: bytearray(), err: bytearray()}
    pipes = {os.fstat(fd).st_ino for fd in streams}
    result = Finished()
    try:
        _read(process, streams, start + timeout, limit, result)
        if result.timed_out or result.too_large:
            result.killed = _kill_everything(process.pid, pipes)
        process.wait()
        if not (result.timed_out or result.too_large):
            result.killed = _kill_left_in_group(process.pid)
    finally:
        process.stdout.close()
        process.stderr.close()
        with contextlib.suppress(OSError):
            process.kill()
        process.wait()
    result.stdout, result.stderr = bytes(streams[out]), bytes(streams[err])
    result.exit_code = None if result.timed_out or result.too_large else process.returncode
    result.seconds = time.monotonic() - start
    return result


def _read(process: subprocess.Popen, streams: dict[int, bytearray], deadline: float, limit: int, result) -> None:
    """Read both streams until they close and the process exits, the deadline passes, or one overflows."""
    exit_fd = _pidfd(process.pid)
    with selectors.DefaultSelector() as selector:
        for fd in streams:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        if exit_fd is not None:
            selector.register(exit_fd, selectors.EVENT_READ)
        open_streams, exited = set(streams), False
        try:
            while open_streams or not exited:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    result.timed_out = True
                    return
                if exit_fd is None and not exited:  # no pidfd: poll for the exit
                    remaining = min(remaining, 0.01)
                    exited = process.poll() is not None
                for key, _ in selector.select(remaining):
                    if key.fd == exit_fd:
                        exited = True
                        selector.unregister(exit_fd)
                        continue
                    try:
                        chunk = os.read(key.fd, _CHUNK)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        selector.unregister(key.fd)
                        open_streams.discard(key.fd)
                        continue
                    kept = streams[key.fd]
                    room = limit - len(kept)
                    kept += chunk[:room]
                    if len(chunk) > room:  # exactly the limit is allowed; a byte more is not
                        result.too_large = True
                        return
        finally:
            if exit_fd is not None:
                os.close(exit_fd)


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when the process exits (Linux 5.3+), without reaping it."""
    try:
        return os.pidfd_open(pid)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return None


def _kill_everything(pid: int, pipes: set[int]) -> list[str]:
    """At the limit: the call's process group, and every process elsewhere still holding its pipes."""
    members = _group_members(pid)
    killed = [f"{_describe(p)}: still running in the call's process group" for p in members]
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    for holder in _pipe_holders(pipes, exclude={pid, *members}):
        with contextlib.suppress(OSError):
            os.kill(holder, signal.SIGKILL)
            killed.append(f"{_describe(holder)}: had left the call's session and still held its output")
    return killed


def _kill_left_in_group(pid: int) -> list[str]:
    """After a normal exit (the leader reaped): anything still in the call's process group.

    While a member remains, the group's ID cannot be handed to a new process, so this
    signals only the call's own processes.
    """
    try:
        os.killpg(pid, 0)
    except OSError:
        return []  # the usual case: nothing left
    killed = [f"{_describe(p)}: left running in the call's process group" for p in _group_members(pid)]
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    return killed or [f"process group {pid}: left running"]


def _processes() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]  # noqa: PTH208 - str paths: fast
    except OSError:
        return []


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(command name, parent, process group) from /proc/PID/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return name, int(fields[1]), int(fields[2])


def _group_members(pgid: int) -> list[int]:
    return [p for p in _processes() if p != pgid and (_stat(p) or ("", 0, 0))[2] == pgid]


def _pipe_holders(pipes: set[int], exclude: set[int]) -> list[int]:
    """Processes, other than the runner and its own children, with one of these pipes open."""
    links = {f"pipe:[{inode}]" for inode in pipes}
    me = os.getpid()
    holders = []
    for pid in _processes():
        if pid == me or pid in exclude:
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")  # noqa: PTH208 - thousands of links: str paths are fast
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in links:  # noqa: PTH115
                    # A sibling call's child between fork and exec briefly holds every
                    # descriptor of the runner: it is the runner's child; an escapee is not.
                    if (_stat(pid) or ("", me, 0))[1] != me:
                        holders.append(pid)
                    break
            except OSError:
                continue
    return holders


def _describe(pid: int) -> str:
    stat = _stat(pid)
    return f"pid {pid} ({stat[0]})" if stat else f"pid {pid}"
