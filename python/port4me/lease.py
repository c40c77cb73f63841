"""Cross-process leases: processes of one user asking at the same moment get different ports.

A lease is an entry in a JSON file in the user's runtime directory, read and written
under an exclusive lock, so choosing a port and recording it are one atomic step.
Leases expire; only leasing calls read them, so plain port4me() calls (and every v1
command line, spec P4M-CLI-8) give the same answers as before.

The folder must be the caller's own and writable by nobody else, and is used through
a descriptor: no name in it is followed if it is a symbolic link, the new state is
written to an unpredictable name created exclusively, then renamed over the old one.
State that is not what this module writes (hand edits, a crash, another version) is
cleaned, keeping every entry that is still a valid lease.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
from itertools import islice
from pathlib import Path

from ._errors import UsageError
from ._quote import quote, shown
from ._validate import YEAR, BadValue, validate_port, validate_seconds

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Iterator, Mapping

LEASES = "leases.json"
LOCK = "lock"
_MAX_BYTES = 8 << 20  # all 65535 ports leased take about 2 MB
_NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def lease_directory(env: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The lease folder and where it came from: PORT4ME_LEASE_DIR, $XDG_RUNTIME_DIR/port4me, or the temp dir."""
    env = os.environ if env is None else env
    for name, under in (("PORT4ME_LEASE_DIR", ""), ("XDG_RUNTIME_DIR", "port4me")):
        value = env.get(name)
        if value:
            if not isinstance(value, str) or "\0" in value:
                raise UsageError(f"invalid {name} value {shown(value)}: expected a folder")
            return Path(value) / under, name
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"port4me-{uid}", "the temporary folder"


def _unsafe(directory: Path, source: str, why: str) -> UsageError:
    return UsageError(f"unsafe lease folder {quote(str(directory))} ({source}): {why}; use a folder only you can write")


def _open_private(directory: Path, source: str) -> int:
    """A descriptor of the folder, created if missing, after checking that only the caller can write it."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW)
    except OSError as error:
        if directory.is_symlink():
            raise _unsafe(directory, source, "it is a symbolic link") from None
        raise UsageError(f"cannot use lease folder {quote(str(directory))} ({source}): {error.strerror}") from None
    info = os.fstat(fd)
    why = None
    if not stat.S_ISDIR(info.st_mode):
        why = "it is not a folder"
    elif hasattr(os, "getuid") and info.st_uid != os.getuid():
        why = "it belongs to another user"
    elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        why = "others can write to it"
    if why:
        os.close(fd)
        raise _unsafe(directory, source, why)
    return fd


def _read(folder: int) -> bytes:
    try:
        fd = os.open(LEASES, os.O_RDONLY | _NOFOLLOW, dir_fd=folder)
    except OSError:
        return b""  # none yet, or a link, which is not a lease file
    with os.fdopen(fd, "rb") as file:
        return file.read(_MAX_BYTES + 1)


def valid_leases(content: bytes, now: float) -> dict[int, float]:
    """The active leases in ``content``; what is not a port and a number of seconds is dropped.

    An expiry beyond now + a year (the longest lease) is cut to that, so that no entry,
    however written, holds a port for ever.
    """
    try:
        stored = json.loads(content) if len(content) <= _MAX_BYTES else None
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        stored = None
    if not isinstance(stored, dict):
        return {}
    latest = now + YEAR
    leases = {}
    for port, until in stored.items():
        if not (isinstance(port, str) and 0 < len(port) <= 5 and port.isascii() and port.isdigit()):
            continue
        if isinstance(until, bool) or not isinstance(until, (int, float)) or not until > now:  # drops NaN too
            continue
        if 1 <= int(port) <= 65535:
            leases[int(port)] = float(min(until, latest))
    return leases


def _write(folder: int, leases: dict[int, float]) -> None:
    """Write to a new file of an unpredictable name (exclusive, no link followed), then rename it into place."""
    temporary = f".{LEASES}.{os.urandom(12).hex()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump({str(port): until for port, until in sorted(leases.items())}, file)
        os.replace(temporary, LEASES, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


@contextlib.contextmanager
def locked_leases(env: Mapping[str, str] | None = None) -> Iterator[dict[int, float]]:
    """The active leases (port -> expiry), locked; changes to the dict are saved on exit."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        raise UsageError("leases need fcntl (POSIX systems)") from None
    directory, source = lease_directory(env)
    folder = _open_private(directory, source)
    try:
        try:
            lock = os.open(LOCK, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600, dir_fd=folder)
        except OSError as error:
            raise _unsafe(directory, source, f"cannot open its lock file ({error.strerror})") from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            leases = valid_leases(_read(folder), time.time())
            yield leases
            _write(folder, leases)
        finally:
            os.close(lock)  # closing releases the lock
    finally:
        os.close(folder)


def release(port: int, env: Mapping[str, str] | None = None) -> bool:
    """End the lease on ``port`` early; True if there was one."""
    validate_port(port)
    with locked_leases(env) as leases:
        return leases.pop(port, None) is not None


def lease_length(value: object, source: str) -> float:
    """A lease's length from the library: an int or float, more than 0 and less than a year."""
    try:
        return validate_seconds(value, "lease", positive=True)
    except BadValue as error:
        raise UsageError(f"invalid {source} value {shown(value)}: {error.reason}") from None


def first_unleased_free(
    stream: Iterator[int],
    check: Callable[[int], bool],
    max_tries: int,
    seconds: float,
    env: Mapping[str, str] | None = None,
) -> int | None:
    """The first port of ``stream`` that no one holds a lease on and ``check`` finds free, leased for ``seconds``.

    Leased ports are skipped and are not checks: at most ``max_tries`` ports are checked.
    Choosing the port and recording its lease happen under one lock.
    """
    with locked_leases(env) as leases:
        checks = 0
        for port in islice(stream, max_tries + len(leases) * 2):
            if port in leases:
                continue  # leased ports are not checks
            checks += 1
            if check(port):
                leases[port] = time.time() + seconds
                return port
            if checks >= max_tries:
                break
    return None
