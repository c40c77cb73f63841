"""One command call under the limits of INTERPRETING 2.4, leaving nothing behind.

The time limit covers the whole call: from the start until both output streams are
closed and the process has exited.  Reading stops at the limit or past the output
limit.  Then every process of the call is killed:

- where the runner can make cgroups (cgroup v2, as root or in a delegated tree), each call
  runs in a cgroup of its own (contain.py), and all of it is killed at once: a child that
  started a session of its own, a chain of generations that fork and exit, a process
  that was handed the call's output over a Unix socket;
- elsewhere, the call's process group, every process descended from the call, and every
  process that still holds one of the call's pipes (found through /proc/*/fd), each
  stopped first and then killed, until a scan finds none, so that a chain that forks
  faster than one scan cannot outrun it.  A process that holds the output only as
  descriptors in flight on a Unix socket, and whose parents have all exited, escapes
  this fallback; the README's threat model says so.

Each call also gets a memory limit (RLIMIT_DATA, per process: what it may allocate) and
no core dump (RLIMIT_CORE 0); its peak resident memory comes back with the result.  A
subreaper (PR_SET_CHILD_SUBREAPER) would have changed the whole runner process, and a
harness calling it in-process, which is why containment lives in a cgroup.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

try:
    import resource
except ImportError:  # not a Unix: no limits
    resource = None  # type: ignore[assignment]

from .contain import Cgroup, starting
from .contain import stat_fields as _stat_fields
from .contain import stat_text as _stat_text

OUTPUT_LIMIT = 1 << 20  # bytes kept of each stream (INTERPRETING 2.4)
MEMORY_LIMIT = 1 << 30  # bytes a process of a call may allocate (RLIMIT_DATA); --memory=MiB changes it
# A call that failed with a peak resident memory of this share of the limit is said to have hit it:
# a growing buffer fails when it asks for more than is left, well below the limit itself.
NEAR_LIMIT = 0.75
_CHUNK = 1 << 16
# What a program says when the memory limit refuses a request: one large request (an mmap of 4 GiB)
# fails at once, with no peak to see.  The C library's strerror(ENOMEM), Python, C++, R, Node, Go.
_REFUSED = (
    b"Cannot allocate memory",
    b"MemoryError",
    b"std::bad_alloc",
    b"cannot allocate vector",
    b"heap out of memory",
    b"out of memory",
    b"Out of memory",
)


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
    peak_memory: int = 0  # bytes: the largest resident set of the call's waited-for processes
    memory_limit: int = 0  # bytes, as imposed; 0: none
    interrupted: bool = False  # the runner was stopping (SIGTERM, SIGINT): the call did not run or was cut short

    @property
    def memory_reached(self) -> bool:
        return bool(self.memory_limit) and self.peak_memory >= NEAR_LIMIT * self.memory_limit


def allocation_refused(stderr: bytes) -> bool:
    """Whether a call's stderr says an allocation failed (its first and last 64 KiB: the cost is bounded)."""
    ends = stderr[:_CHUNK] + b"\n" + stderr[-_CHUNK:]
    return any(words in ends for words in _REFUSED)


class _Live:
    """The calls running now, so that a signal can kill all of them (stop_all)."""

    def __init__(self):
        self.lock = threading.RLock()  # a signal handler may take it in a thread that holds it
        self.calls: dict[int, tuple[subprocess.Popen, Cgroup | None, set[int]]] = {}
        self.stopping = False
        self.on_stop: list = []


_live = _Live()


def stop_all() -> None:
    """Kill every call running now and refuse new ones (from a signal handler: the run is stopping)."""
    with _live.lock:
        _live.stopping = True
        calls = list(_live.calls.values())
        others = list(_live.on_stop)
    for process, cgroup, pipes in calls:
        _kill(process.pid, cgroup, pipes)  # the call's own thread drains its pipes
    for stop in others:
        with contextlib.suppress(Exception):
            stop()


def on_stop(callback) -> None:
    """Also call ``callback()`` when the run is stopping: for processes not started by call() (a harness)."""
    with _live.lock:
        _live.on_stop.append(callback)


def stopping() -> bool:
    return _live.stopping


def resume() -> None:
    """After a stopped run has been reported: calls may run again (a library caller's next run)."""
    _live.stopping = False


def call(
    argv: list[bytes],
    env: dict[bytes, bytes],
    cwd: str,
    timeout: float,
    limit: int = OUTPUT_LIMIT,
    user: int | None = None,
    group: int | None = None,
    memory: int | None = MEMORY_LIMIT,
) -> Finished:
    """Run ``argv`` in a session (and, where it can, a cgroup) of its own, with stdin empty, within ``timeout``."""
    start = time.monotonic()
    if _live.stopping:
        return Finished(failure="the runner is stopping", interrupted=True)
    extra: dict = {} if user is None else {"user": user, "group": user if group is None else group, "extra_groups": []}
    cgroup = Cgroup.make()
    with starting if cgroup else contextlib.nullcontext():  # one call at a time between its start and its move
        try:
            with born_under(memory):
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
            if cgroup:
                cgroup.remove()
            reason = getattr(error, "strerror", None) or str(error)
            return Finished(failure=f"cannot start {os.fsdecode(argv[0])}: {reason}")
        # Born under the limits (born_under); now also as its hard limits, which it cannot raise.
        result = Finished(memory_limit=impose_limits(process.pid, memory))
        if cgroup and not cgroup.join(process.pid):
            cgroup.remove()
            cgroup = None
    out, err = process.stdout.fileno(), process.stderr.fileno()
    streams = {out: bytearray(), err: bytearray()}
    pipes = {os.fstat(fd).st_ino for fd in streams}
    with _live.lock:
        _live.calls[process.pid] = (process, cgroup, pipes)
    try:
        if _live.stopping:  # the signal came while it started
            result.interrupted = True
        else:
            _read(process, streams, start + timeout, limit, result)
        if _live.stopping:
            result.interrupted = True
        if result.timed_out or result.too_large or result.interrupted:
            result.killed = _kill(process.pid, cgroup, pipes, (out, err))
        result.peak_memory = _wait(process)
        if not (result.timed_out or result.too_large or result.interrupted):
            result.killed = _kill_left(process.pid, cgroup, pipes)
    finally:
        with _live.lock:
            _live.calls.pop(process.pid, None)
        process.stdout.close()
        process.stderr.close()
        with contextlib.suppress(OSError):
            process.kill()
        if process.returncode is None:
            _wait(process)
        if cgroup:
            cgroup.kill()
            cgroup.remove()
    result.stdout, result.stderr = bytes(streams[out]), bytes(streams[err])
    stopped = result.timed_out or result.too_large or result.interrupted
    result.exit_code = None if stopped else process.returncode
    result.seconds = time.monotonic() - start
    return result


# Room the runner's own threads keep to allocate in while its limit is lowered for a start (see born_under).
_HEADROOM = 128 << 20
_lowering = threading.Lock()


@contextlib.contextmanager
def born_under(memory: int | None) -> Iterator[None]:
    """While a process starts: the runner's own soft limits lowered to the call's, so that the process
    inherits them at its fork and its program runs under them from its first instruction.

    impose_limits after the start came too late on a loaded host: a program that allocates at once
    (an mmap of 2 GiB) ran before the runner was scheduled again.  A ``preexec_fn`` would fork the
    whole runner for each call instead of its vfork (measured with one that joined the cgroup: 13-27 %
    more CPU for a kit run).  The runner's other threads allocate under the lowered limit meanwhile,
    so it never goes below what the runner uses plus ``_HEADROOM``: a smaller --memory is reached by
    impose_limits alone, just after the start.
    """
    with _lowering:  # one start at a time, so that each restores what it found
        saved = _lower(memory)
        try:
            yield
        finally:
            for kind, limits in saved.items():
                with contextlib.suppress(OSError, ValueError):
                    resource.setrlimit(kind, limits)


def _lower(memory: int | None) -> dict[int, tuple[int, int]]:
    """Lower the runner's soft RLIMIT_CORE to 0 and RLIMIT_DATA towards ``memory``; the limits it changed."""
    if resource is None:
        return {}
    saved: dict[int, tuple[int, int]] = {}
    wanted = {resource.RLIMIT_CORE: 0}
    used = _data_size()
    if memory and used is not None:
        wanted[resource.RLIMIT_DATA] = max(memory, used + _HEADROOM)
    for kind, target in wanted.items():
        with contextlib.suppress(OSError, ValueError):
            now, hard = resource.getrlimit(kind)
            soft = target if hard == resource.RLIM_INFINITY else min(target, hard)
            if now == resource.RLIM_INFINITY or soft < now:
                resource.setrlimit(kind, (soft, hard))
                saved[kind] = (now, hard)
    return saved


def _data_size() -> int | None:
    """Bytes the runner's own process has in private writable mappings: what RLIMIT_DATA counts (VmData)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None  # unknown: the limit is not lowered, since the runner may be using more


def impose_limits(pid: int, memory: int | None) -> int:
    """Impose the memory limit (RLIMIT_DATA) and no core dump on a started process (a call's first, or a
    harness); what was imposed (0: none)."""
    if resource is None or not hasattr(resource, "prlimit"):  # not Linux
        return 0
    try:
        resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))
        if memory:
            resource.prlimit(pid, resource.RLIMIT_DATA, (memory, memory))
            return memory
    except (OSError, ValueError):
        pass  # the process has already exited
    return 0


def _wait(process: subprocess.Popen) -> int:
    """Reap the call's first process; the peak resident memory (bytes) of it and the children it waited for."""
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except ChildProcessError:  # reaped already
        process.wait()
        return 0
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss * 1024  # Linux counts kilobytes


def _kill(pid: int, cgroup: Cgroup | None, pipes: set[int], fds: tuple[int, ...] = ()) -> list[str]:
    """At the limit: every process of the call (``fds``: the runner's ends of its pipes)."""
    if cgroup is None:
        return _kill_everything(pid, pipes, fds)
    cgroup.freeze()  # a chain that forks every few milliseconds stays put while it is described
    members = cgroup.members()
    described = _why(pid, members, pipes, "still running in the call's session")
    cgroup.kill()
    _await_death(members)
    return described + _escaped_cgroup(pid)


def _kill_left(pid: int, cgroup: Cgroup | None, pipes: set[int]) -> list[str]:
    """After a normal exit (the first process reaped): whatever the call left running."""
    if cgroup is None:
        return _kill_left_in_group(pid)
    described: list[str] = []
    members = cgroup.members()
    if members:
        cgroup.freeze()
        members = cgroup.members()
        described = _why(pid, members, pipes, "left running in the call's session")
        cgroup.kill()
        _await_death(members)
    return described + _escaped_cgroup(pid)


def _escaped_cgroup(pid: int) -> list[str]:
    """Processes of the call's process group outside its cgroup: where the runner has no cgroup of its own
    (contain.py), a child forked in the moment between the start and the move stays outside. Killed, and each
    reported."""
    live = [p for p in _group_members(pid) if _running(p)]
    if live:  # the whole group at once, a child forked since the listing too; its ID is not reused while it has members
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    described = [f"{_describe(p)}: left running in the call's process group, outside its cgroup" for p in live]
    _await_death(live)
    return described


def _why(leader: int, members: list[int], pipes: set[int], staying: str) -> list[str]:
    """Each member of a call's cgroup, and how it was found: in the call's session, or gone from it."""
    holders = set(_pipe_holders(pipes, exclude={leader})) if pipes else set()
    described = []
    for member in members:
        stat = _stat(member)
        if stat is None or member == leader:
            continue
        if stat[3] == leader:
            why = staying
        elif member in holders:
            why = "had left the call's session and still held its output"
        else:
            why = "had left the call's session"
        described.append(f"pid {member} ({stat[0]}): {why} (in the call's cgroup)")
    return described


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


def _kill_everything(pid: int, pipes: set[int], fds: tuple[int, ...] = ()) -> list[str]:
    """Without a cgroup: the call's process group, its descendants, and every process elsewhere still
    holding its pipes, each stopped the moment it is found (a stopped process cannot fork), scan after
    scan until two in a row find nothing new; then all of them are killed.

    Each scan looks at the newest processes first: a chain that forks a new generation every few
    milliseconds and lets the old one exit is caught while its newest generation is still alive.
    While the call's pipes (``fds``, the runner's ends) are still held by someone, scanning goes on
    for up to a second after the last find; a holder it cannot see (descriptors in flight on a Unix
    socket) ends it there.
    """
    links = {f"pipe:[{inode}]" for inode in pipes}
    me = os.getpid()
    found: dict[int, str] = {pid: ""}  # the leader itself: not reported
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGSTOP)
    quiet, last = 0, time.monotonic()
    for _ in range(10000):  # a bound, not a budget: each scan stops everything it finds
        new = 0
        for other in sorted(_processes(), reverse=True):
            if other in found or other == me:
                continue
            stat = _stat(other)
            if stat is None:
                continue
            _, parent, group, _ = stat
            if group == pid:
                why = "still running in the call's process group"
            elif parent in found:
                why = "descended from the call and still running"
            elif parent != me and _holds(other, links):  # the runner's own children: other calls
                why = "had left the call's session and still held its output"
            else:
                continue
            with contextlib.suppress(OSError):
                os.kill(other, signal.SIGSTOP)
            found[other] = f"{_describe(other)}: {why}"
            new += 1
        if new:
            quiet, last = 0, time.monotonic()
        else:
            quiet += 1
        if quiet >= 2 and (_closed(fds) or time.monotonic() - last > 1.0):
            break
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    for other in found:
        with contextlib.suppress(OSError):
            os.kill(other, signal.SIGKILL)
    _await_death([other for other in found if other != pid])
    return [text for text in found.values() if text]


def _await_death(pids: list[int], bound: float = 10.0) -> None:
    """Wait until each SIGKILLed process has died (gone, or a zombie its new parent reaps): a result
    that says "killed" is then true when the next call starts. SIGKILL cannot be caught, so this
    ends at once, unless the kernel holds one in uninterruptible sleep; ``bound`` stops that wait."""
    end = time.monotonic() + bound
    left = list(pids)
    while left and time.monotonic() < end:
        left = [p for p in left if _running(p)]
        if left:
            time.sleep(0.005)


def _running(pid: int) -> bool:
    """Whether the process exists and has not died (a zombie has: only its reaping is left)."""
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] not in ("Z", "X")


def _closed(fds: tuple[int, ...]) -> bool:
    """Whether no process holds the write ends of these pipes any more (each read end at EOF); drains what is left."""
    for fd in fds:
        try:
            for _ in range(16):  # a writer it has not found yet may still be writing
                if not os.read(fd, _CHUNK):
                    break
            else:
                return False
        except BlockingIOError:
            return False  # open, and nothing to read now
        except OSError:
            continue
    return True


def _holds(pid: int, links: set[str]) -> bool:
    """Whether the process has one of these pipes open."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")  # noqa: PTH208 - thousands of links: str paths are fast
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") in links:  # noqa: PTH115
                return True
        except OSError:
            continue
    return False


def _kill_left_in_group(pid: int) -> list[str]:
    """After a normal exit (the leader reaped): anything still in the call's process group.

    While a member remains, the group's ID cannot be handed to a new process, so this
    signals only the call's own processes.
    """
    try:
        os.killpg(pid, 0)
    except OSError:
        return []  # the usual case: nothing left
    members = _group_members(pid)
    killed = [f"{_describe(p)}: left running in the call's process group" for p in members]
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    _await_death(members)
    return killed or [f"process group {pid}: left running"]


def _processes() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]  # noqa: PTH208 - str paths: fast
    except OSError:
        return []


def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(command name, parent, process group, session) from /proc/PID/stat."""
    text = _stat_text(pid)
    if not text:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return name, int(fields[1]), int(fields[2]), int(fields[3])


def _group_members(pgid: int) -> list[int]:
    return [p for p in _processes() if p != pgid and (_stat(p) or ("", 0, 0, 0))[2] == pgid]


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
                    if (_stat(pid) or ("", me, 0, 0))[1] != me:
                        holders.append(pid)
                    break
            except OSError:
                continue
    return holders


def _describe(pid: int) -> str:
    stat = _stat(pid)
    return f"pid {pid} ({stat[0]})" if stat else f"pid {pid}"
