"""A private folder, opened so that no other user can redirect or change what is read and written in it.

Used for the lease folder. The path is resolved here, one name at a time, and each name is
checked before it is passed through:

- every folder on the way belongs to the user or to root, and others cannot write it unless it is
  sticky (as /tmp is: there, no one may rename or remove what another user owns);
- every symbolic link on the way belongs to the user or to root, so only they can have chosen
  where it points; the folder itself must not be a link;
- the folder belongs to the user and no one else can write it.

Once those hold, no other user can swap any part of the path, so the folder found is the one
used. It is then used through a descriptor (every name inside it opened relative to it, with
no link followed). Missing folders on the way are created, readable by the user only.
"""

# The path is resolved one name at a time, as a string: each line names the system call it makes.
# ruff: noqa: PTH102, PTH115, PTH117, PTH118, PTH120
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ._errors import UsageError
from ._quote import quote

_MAX_LINKS = 40  # as the kernel's own limit on links in one lookup (ELOOP)
_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH


class Unusable(UsageError):
    """The folder cannot be used (exit 2); ``why`` says why, ``unsafe`` whether another user could interfere."""

    def __init__(self, directory: Path | str, source: str, why: str, unsafe: bool) -> None:
        self.directory, self.source, self.why, self.unsafe = str(directory), source, why, unsafe
        what = "unsafe lease folder" if unsafe else "cannot use lease folder"
        advice = "; use a folder only you can write" if unsafe else ""
        super().__init__(f"{what} {quote(self.directory)} ({source}): {why}{advice}")


def open_private(directory: Path, source: str) -> int:
    """A descriptor of ``directory`` (absolute), created if missing, once the path is safe (see the module)."""
    uid = os.getuid()
    try:
        real = _resolve(directory, source, uid)
        fd = os.open(real, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise Unusable(directory, source, error.strerror or str(error), unsafe=False) from None
    info = os.fstat(fd)
    why = _fault(info, uid, last=True)
    if why:
        os.close(fd)
        raise Unusable(directory, source, why, unsafe=True)
    return fd


def _fault(info: os.stat_result, uid: int, last: bool) -> str | None:
    """Why a folder on the path (or the folder itself, if ``last``) is not safe; None if it is."""
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if info.st_uid != uid and (last or info.st_uid != 0):
        return "it belongs to another user"
    if info.st_mode & _OTHERS_WRITE and (last or not info.st_mode & stat.S_ISVTX):
        return "others can write to it"
    return None


def _resolve(directory: Path, source: str, uid: int) -> str:
    """The real path of ``directory``, created where missing, after checking every name on the way."""
    pending = list(reversed(directory.parts[1:]))  # parts[0] is the root
    real = directory.anchor or "/"
    links = 0
    while pending:
        name = pending.pop()
        if name == "..":
            real = os.path.dirname(real)
            continue
        path = os.path.join(real, name)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):  # made meanwhile (by anyone, in a sticky folder): checked below
                os.mkdir(path, 0o700)
            info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            if not pending:
                raise Unusable(directory, source, "it is a symbolic link", unsafe=True)
            if info.st_uid not in (uid, 0):
                raise Unusable(directory, source, f"the link {quote(path)} on its path belongs to another user", True)
            links += 1
            if links > _MAX_LINKS:
                raise Unusable(directory, source, "too many symbolic links on its path", unsafe=False)
            target = os.readlink(path)
            if os.path.isabs(target):
                real = "/"
            pending.extend(reversed([part for part in target.split("/") if part not in ("", ".")]))
            continue
        if pending:
            why = _fault(info, uid, last=False)
            if why:
                raise Unusable(directory, source, f"{quote(path)} on its path: {why}", unsafe=True)
        real = path
    return real
