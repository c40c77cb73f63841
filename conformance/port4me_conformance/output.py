"""Where reports go: a regular file (written whole or not at all) or stdout for ``-``.

Every path a run will write is checked before its first case (:func:`check`), so that a
bad path costs nothing and a good run is never lost at the end; the write (:func:`write`)
checks again, because the folder may have changed meanwhile.  A path is refused when it
names anything but a regular file (a device such as ``/dev/null``, a FIFO, a socket, a
folder), when its folder cannot be written, and when reaching it would follow a symbolic
link that sits in a sticky, world-writable folder (``/tmp``) and belongs to neither the
runner's user nor root: another user may plant such a link to turn the report onto a
file of ours.  (The kernel's ``fs.protected_symlinks`` says the same for ``open``; we
resolve links ourselves, so we apply the rule ourselves.)  A new file gets the mode the
user's umask gives; a file that is replaced keeps its permission bits.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from .bounded import kind

STDOUT = "-"
_MAX_LINKS = 40  # as the kernel's MAXSYMLINKS


class OutputError(Exception):
    """A report cannot be written where it was asked to go; the message is one line."""


def check(path: str) -> Path | None:
    """The resolved file a report will replace or create (None for stdout); OutputError if it cannot."""
    if path == STDOUT:
        return None
    if not path:
        raise OutputError("an empty path; give a file name, or - for stdout")
    if "\0" in path:
        raise OutputError("a path cannot contain a NUL character")
    try:  # what the path names now, links followed (/dev/stdout is a link to a pipe no path names)
        named = Path(path).stat()
    except OSError:
        named = None
    if named is not None and not stat.S_ISREG(named.st_mode):
        what = kind(named.st_mode)
        raise OutputError(f"{path} is {what}, not a regular file (a report goes to a file, or to stdout with -)")
    target = _resolve(Path(os.path.abspath(path)))  # noqa: PTH100 - abspath keeps '..' for _resolve
    try:
        info = target.lstat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise OutputError(f"{target}: {error.strerror}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputError(
            f"{target} is {kind(info.st_mode)}, not a regular file (a report goes to a file, or to stdout with -)"
        )
    folder = target.parent
    try:
        folder_info = folder.stat()
    except OSError as error:
        raise OutputError(f"{folder}: {error.strerror}") from None
    if not stat.S_ISDIR(folder_info.st_mode):
        raise OutputError(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: the runner may not create files in this folder")
    if info is not None and _sticky_other(folder_info) and info.st_uid not in (os.geteuid(), 0, folder_info.st_uid):
        raise OutputError(f"{target} belongs to another user in a sticky folder; the runner cannot replace it")
    return target


def write(path: str, text: str) -> str:
    """Write ``text`` to the report path (checked again now); returns where it went."""
    if path == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return "stdout"
    target = check(path)
    assert target is not None
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".port4me-report-")
    temporary = Path(name)
    try:
        with open(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fchmod(stream.fileno(), mode)
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return str(target)


def _resolve(path: Path) -> Path:
    """``path`` with every symbolic link resolved, refusing a link another user planted in a sticky folder."""
    parts = list(path.parts[1:])
    done = Path(path.anchor or "/")
    links = 0
    while parts:
        part = parts.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            done = done.parent
            continue
        here = done / part
        try:
            info = here.lstat()
        except FileNotFoundError:
            if parts:
                raise OutputError(f"{here}: no such folder") from None
            return here
        except OSError as error:
            raise OutputError(f"{here}: {error.strerror}") from None
        if not stat.S_ISLNK(info.st_mode):
            if parts and not stat.S_ISDIR(info.st_mode):
                raise OutputError(f"{here} is not a folder")
            done = here
            continue
        links += 1
        if links > _MAX_LINKS:
            raise OutputError(f"{path}: too many levels of symbolic links")
        try:
            folder = done.stat()
        except OSError as error:
            raise OutputError(f"{done}: {error.strerror}") from None
        if _sticky_other(folder) and info.st_uid not in (os.geteuid(), 0, folder.st_uid):
            raise OutputError(
                f"{here} is a symbolic link of another user (uid {info.st_uid}) in a sticky, world-writable "
                "folder; the runner does not follow it"
            )
        try:
            link = str(here.readlink())
        except OSError as error:
            raise OutputError(f"{here}: {error.strerror}") from None
        parts = [*Path(link).parts, *parts]
        if link.startswith("/"):
            done = Path("/")
            parts = parts[1:]
    return done


def _sticky_other(info: os.stat_result) -> bool:
    """A folder where anyone may create files but only their owners remove them (/tmp)."""
    return bool(info.st_mode & stat.S_ISVTX and info.st_mode & stat.S_IWOTH)


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it (os.umask is not thread-safe)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
