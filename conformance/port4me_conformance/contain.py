"""Each call in a cgroup of its own, where the host lets the runner make one (cgroup v2: root, or a delegated tree).

A cgroup holds every process the call starts, whatever it does: a child that starts a
session of its own, a chain that forks a new generation every few milliseconds, a process
that was handed the call's output over a Unix socket (SCM_RIGHTS) and so holds no pipe a
scan of /proc could find.  At the end of the call, ``cgroup.kill`` kills all of them at
once (Linux 5.14; before that, every member is stopped and killed until none is left).

Where no cgroup can be made (an unprivileged user without delegation, another OS), the
runner falls back to the call's process group and a scan of /proc (see process.py), and
the report says which containment was used.  The cgroups have no controller of their
own: membership changes nothing but where the processes are counted, so the call stays
under whatever limits the runner itself runs under.

A call's first process is moved into its cgroup by the runner just after its exec, so it
may fork before the move. So that nothing it starts in that moment escapes (a child that
starts a session of its own, orphaned at once), the runner first moves itself into a
cgroup of its own beside the calls' (``runner``): every process it starts is born there,
and a process found there that does not descend from the runner is an orphan of the call
being moved, which ``join`` moves with it. Calls start one at a time (``starting``), so
there is only ever one such call.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import signal
import threading
import time
from pathlib import Path

CGROUP = "cgroup v2"
PROCESS_GROUP = "process group and /proc"
_counter = itertools.count(1)
_lock = threading.Lock()
_failed: list[str] = []  # why joining a cgroup failed once: the rest of the run uses the fallback
_chosen = {"mode": "auto"}  # or "process-group": no cgroups (--containment)
_home: dict[str, Path] = {}  # "leaf": the runner's own cgroup beside the calls'; "came_from": where it was before
starting = threading.Lock()  # held from a call's start until it has joined its cgroup
_ROUNDS = 1000  # of moving a call's processes: a chain that forks every few milliseconds is caught in a few


def choose(mode: str) -> None:
    """``auto`` (a cgroup per call where the host allows it) or ``process-group`` (never a cgroup)."""
    _chosen["mode"] = mode


@functools.cache
def _base() -> tuple[Path | None, str]:
    """(the runner's own folder of call cgroups, "") or (None, why there is none)."""
    if not Path("/proc/self/cgroup").exists():
        return None, "no /proc/self/cgroup (not Linux)"
    mount = _cgroup2_mount()
    if mount is None:
        return None, "no cgroup v2 file system is mounted"
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError as error:
        return None, f"cannot read /proc/self/cgroup: {error.strerror}"
    own = next((line[3:] for line in lines if line.startswith("0::")), None)
    if own is None:
        return None, "the runner is in no cgroup v2"
    base = mount / own.lstrip("/") / f"port4me-conformance-{os.getpid()}"
    _remove_stale(base.parent)
    try:
        base.mkdir()
    except FileExistsError:
        pass
    except OSError as error:
        return None, f"cannot make a cgroup under {base.parent}: {error.strerror}"
    _enter_leaf(base / "runner", came_from=base.parent)
    return base, ""


def _enter_leaf(leaf: Path, came_from: Path) -> None:
    """Move the runner into a cgroup of its own, where every process it starts is born (see the module's
    docstring). Where it cannot, calls are contained as well as a move after the exec allows."""
    try:
        leaf.mkdir(exist_ok=True)
        (leaf / "cgroup.procs").write_text(f"{os.getpid()}\n")
    except OSError:
        with contextlib.suppress(OSError):
            leaf.rmdir()
        return
    _home.update(leaf=leaf, came_from=came_from)


def _leave_leaf() -> None:
    """Back to the cgroup the runner came from (a runner used in process goes on after its run)."""
    leaf, came_from = _home.pop("leaf", None), _home.pop("came_from", None)
    if leaf is None or came_from is None:
        return
    with contextlib.suppress(OSError):
        (came_from / "cgroup.procs").write_text(f"{os.getpid()}\n")
    with contextlib.suppress(OSError):
        leaf.rmdir()


def available() -> str:
    """Why calls cannot get cgroups of their own here; empty when they can (decided on first use)."""
    return _base()[1]


def containment() -> str:
    """The containment a report names: cgroup v2, or the process group and /proc."""
    if _chosen["mode"] != "auto" or _failed:
        return PROCESS_GROUP
    return CGROUP if _base()[0] is not None else PROCESS_GROUP


class Cgroup:
    """One call's cgroup: made before the call, joined by its first process, emptied and removed after."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def make(cls) -> Cgroup | None:
        if _chosen["mode"] != "auto":
            return None
        base, _ = _base()
        if base is None or _failed:
            return None
        with _lock:
            path = base / f"call-{next(_counter)}"
        try:
            path.mkdir()
        except OSError as error:
            _failed.append(f"cannot make {path}: {error.strerror}")
            return None
        return cls(path)

    def join(self, pid: int) -> bool:
        """Move a call's first process into this cgroup, with every process it started before the move: its
        descendants, and its orphans in the runner's own cgroup (see the module's docstring). Each process is
        moved before its children are listed, so a child forked meanwhile is born inside."""
        moved: set[int] = set()
        pending = [pid]
        try:
            for _ in range(_ROUNDS):
                while pending:
                    member = pending.pop()
                    with contextlib.suppress(ProcessLookupError):  # it has already exited
                        (self.path / "cgroup.procs").write_text(f"{member}\n")
                    moved.add(member)
                    pending.extend(child for child in _children(member) if child not in moved)
                pending = _orphans(moved)
                if not pending:
                    break
        except OSError as error:
            _failed.append(f"cannot move a call into {self.path}: {error.strerror}")
            return False
        return True

    def members(self) -> list[int]:
        try:
            return [int(line) for line in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def freeze(self, patience: float = 1.0) -> None:
        """Stop every process in the cgroup (cgroup.freeze), so that what it holds can be listed before the kill."""
        try:
            (self.path / "cgroup.freeze").write_text("1\n")
        except OSError:
            return
        end = time.monotonic() + patience
        while time.monotonic() < end:
            try:
                if "frozen 1" in (self.path / "cgroup.events").read_text():
                    return
            except OSError:
                return
            time.sleep(0.001)

    def kill(self) -> list[int]:
        """Kill every process in the cgroup; returns the pids that were there."""
        members = self.members()
        if not members:
            return []
        try:
            (self.path / "cgroup.kill").write_text("1\n")
        except OSError:  # before Linux 5.14: stop them all, then kill them, until none is left
            for _ in range(1000):
                pids = self.members()
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGSTOP)
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
        return members

    def remove(self, patience: float = 5.0) -> None:
        """Remove the (emptied) cgroup; its last members may take a moment to be reaped."""
        end = time.monotonic() + patience
        while True:
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() > end:
                    return  # left for cleanup() at exit
                self.kill()
                time.sleep(0.002)


def cleanup() -> None:
    """At the end of the run: kill what is left in any call cgroup and remove them all."""
    if not _base.cache_info().currsize:
        return  # never made
    base, _ = _base()
    if base is None:
        return
    for path in sorted(base.glob("call-*")):
        Cgroup(path).kill()
        Cgroup(path).remove(patience=2.0)
    _leave_leaf()
    with contextlib.suppress(OSError):
        base.rmdir()


def _cgroup2_mount() -> Path | None:
    try:
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            if right.split(" ", 1)[0] == "cgroup2":
                return Path(left.split()[4])
    except (OSError, IndexError):
        pass
    return None


def _remove_stale(folder: Path) -> None:
    """Folders of runners that were killed before they could remove theirs (empty ones only)."""
    with contextlib.suppress(OSError):
        for stale in folder.glob("port4me-conformance-*"):
            pid = stale.name.rsplit("-", 1)[1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                for call in [*stale.glob("call-*"), stale / "runner"]:
                    with contextlib.suppress(OSError):
                        call.rmdir()
                with contextlib.suppress(OSError):
                    stale.rmdir()


def _children(pid: int) -> list[int]:
    """The children of ``pid`` (from /proc/PID/task/*/children)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")  # noqa: PTH208
    except OSError:
        return []
    found: list[int] = []
    for task in tasks:
        with contextlib.suppress(OSError, ValueError):
            found += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    return found


def _orphans(moved: set[int]) -> list[int]:
    """Processes in the runner's own cgroup, not moved yet, that do not descend from the runner: only a call's
    first process, before its move, can have started them (the runner's other children, such as harnesses,
    and theirs descend from it)."""
    leaf = _home.get("leaf")
    if leaf is None:
        return []
    me = os.getpid()
    return [p for p in Cgroup(leaf).members() if p != me and p not in moved and not _descends(p, me)]


def stat_text(pid: int) -> str:
    # The command name is any bytes the process chose (a program named \xff...): never a decoding error.
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


def stat_fields(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state, parent, group, session, ...); [] if none."""
    text = stat_text(pid)
    return text[text.rindex(")") + 2 :].split() if text else []


def _descends(pid: int, ancestor: int) -> bool:
    for _ in range(4096):  # deeper than any process tree the kernel allows to be listed
        fields = stat_fields(pid)
        if len(fields) < 2:
            return False
        pid = int(fields[1])
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
    return False
