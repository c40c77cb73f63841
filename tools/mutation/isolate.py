"""One forked process per mutant, a few at a time, each with a time and a memory limit.

A mutant can loop for ever, allocate without end, exit the interpreter or crash it:
none of that may take the harness down.  Each runs in a fork of this process (which
has the vectors loaded already), with an address-space limit; the parent kills its
process group when it passes its deadline, and reads its verdict from a pipe.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

TIMEOUT, DIED = "timeout", "died"


@dataclass(frozen=True)
class Limits:
    seconds: float = 60.0  # wall-clock time for one mutant's whole run of the vectors
    memory_mb: int = 1024  # address space of the process that runs it


@dataclass
class _Running:
    key: object
    pid: int
    deadline: float
    started: float
    chunks: list[bytes]


def _child(task: Callable[[], dict], write_fd: int, memory_mb: int) -> None:
    """Run in the forked process; never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        # On top of what the fork inherits (the parent's address space counts against the limit too).
        limit = _address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # a mutant printing to the real streams must not garble the report
            os.dup2(devnull, fd)
        verdict = task()
    except BaseException as error:  # noqa: BLE001 - reported to the parent as a harness error
        verdict = {"status": "error", "reason": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
        code = 1
    try:
        try:
            data = json.dumps(verdict).encode()
        except (TypeError, ValueError, MemoryError) as error:
            data, code = json.dumps({"status": "error", "reason": f"cannot send the verdict: {error}"}).encode(), 1
        while data:
            data = data[os.write(write_fd, data) :]
    finally:
        os._exit(code)  # no atexit handlers, no flushing of buffers inherited from the parent


def _address_space() -> int:
    """This process's current virtual size in bytes (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def run_isolated(
    tasks: Iterable[tuple[object, Callable[[], dict]]], jobs: int, limits: Limits
) -> Iterator[tuple[object, dict]]:
    """Run each (key, task) in its own fork, ``jobs`` at a time; yield (key, verdict) as each ends.

    The verdict is what the task returned, or ``{"status": "timeout"}`` (killed at the
    deadline) or ``{"status": "died"}`` (ended with no verdict: a signal, the memory limit,
    ``os._exit``).  Every verdict carries ``seconds``.
    """
    pending = deque(tasks)
    running: dict[int, _Running] = {}  # read end of the pipe -> the process
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        while pending or running:
            while pending and len(running) < jobs:
                key, task = pending.popleft()
                read_fd, write_fd = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(read_fd)
                    for fd in running:
                        with contextlib.suppress(OSError):
                            os.close(fd)
                    _child(task, write_fd, limits.memory_mb)
                os.close(write_fd)
                with contextlib.suppress(OSError):  # also here: the kill must reach the group at once
                    os.setpgid(pid, pid)
                now = time.monotonic()
                running[read_fd] = _Running(key, pid, now + limits.seconds, now, [])
            wait = max(0.0, min(r.deadline for r in running.values()) - time.monotonic())
            ready, _, _ = select.select(list(running), [], [], wait)
            for fd in ready:
                data = os.read(fd, 65536)
                if data:
                    running[fd].chunks.append(data)
                    continue
                yield _finish(running.pop(fd), fd, timed_out=False)
            now = time.monotonic()
            for fd in [fd for fd, r in running.items() if r.deadline <= now]:
                yield _finish(running.pop(fd), fd, timed_out=True)
    finally:
        for fd, process in running.items():  # the consumer stopped early: leave nothing behind
            _kill(process.pid)
            os.close(fd)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _finish(process: _Running, fd: int, timed_out: bool) -> tuple[object, dict]:
    seconds = round(time.monotonic() - process.started, 3)
    if timed_out:
        _kill(process.pid)
        os.close(fd)
        return process.key, {"status": TIMEOUT, "seconds": seconds}
    os.close(fd)
    _, status = os.waitpid(process.pid, 0)
    try:
        verdict = json.loads(b"".join(process.chunks))
    except ValueError:
        how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
        verdict = {"status": DIED, "reason": f"ended with no verdict ({how})"}
    verdict["seconds"] = seconds
    return process.key, verdict
