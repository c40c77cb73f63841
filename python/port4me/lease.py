"""Cross-process leases: processes of one user asking at the same moment get different ports.

A lease is an entry in a JSON file in the user's lease folder, read and written under an
exclusive lock, so choosing a port and recording it are one atomic step. Leases expire;
only leasing calls read them, so plain port4me() calls (and every v1 command line, spec
P4M-CLI-8) give the same answers as before.

The lease folder is the first of:

1. ``PORT4ME_LEASE_DIR``, which must be an absolute path (a relative one would depend on
   the caller's current folder, so that two callers could use two folders: it is refused);
2. ``$XDG_RUNTIME_DIR/port4me`` (a folder the system makes for the user at login, which
   no one else can make first), when ``XDG_RUNTIME_DIR`` is an absolute path (the XDG base
   directory spec: a relative one is ignored);
3. ``port4me-<uid>`` in ``$TMPDIR`` (an absolute path), else in /tmp;
4. when another user made that name first, or it cannot be used otherwise:
   ``leases-<host>`` in ``$XDG_CACHE_HOME/port4me``, else in ``~/.cache/port4me`` (a home
   folder no one else can write; the host name keeps the hosts that share a home apart).

Every folder on its path must be safe (``_private``: links and folders on the way belong to
the user or root, no one else can write the folder), and the folder is used through a
descriptor: no name in it is followed if it is a symbolic link, the new state is written to
an unpredictable name created exclusively, then renamed over the old one, and temporary
files that a crash left behind are removed. State that is not what this module writes (hand
edits, a crash, another version, a FIFO) is replaced, keeping every entry that is still a
valid lease.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from itertools import islice
from pathlib import Path

from ._errors import Port4meError, UsageError
from ._private import Unusable, open_private
from ._quote import quote, shown
from ._typing import TYPE_CHECKING
from ._validate import YEAR, BadValue, validate_port, validate_seconds

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Iterator, Mapping

LEASES = "leases.json"
LOCK = "lock"
_TEMPORARY = f".{LEASES}."  # then 24 lowercase hexadecimal digits
_HEX = frozenset("0123456789abcdef")
_MAX_BYTES = 8 << 20  # all 65535 ports leased take about 2 MB
_NOFOLLOW = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK  # O_NONBLOCK: opening a FIFO must not wait


def _path(env: Mapping[str, object], name: str, required: bool = False) -> str | None:
    """An absolute path from a variable; None if unset or empty, or relative unless ``required``."""
    value = env.get(name)
    if not value:
        return None
    if not isinstance(value, str) or "\0" in value:
        raise UsageError(f"invalid {name} value {shown(value)}: expected the path of a folder")
    try:
        os.fsencode(value)
    except UnicodeEncodeError:  # a lone surrogate: no file has this name
        raise UsageError(f"invalid {name} value {quote(value)}: not a file name") from None
    if Path(value).is_absolute():
        return value
    if required:
        raise UsageError(f"invalid {name} value {quote(value)}: expected an absolute path")
    return None


def _cache_folder(env: Mapping[str, object]) -> Path | None:
    """Where a squatted temporary folder is replaced: the user's cache folder, one folder per host."""
    cache = _path(env, "XDG_CACHE_HOME")
    if cache is None:
        home = _path(env, "HOME")
        if home is None and not env.get("HOME"):
            import pwd

            try:
                home = pwd.getpwuid(os.getuid()).pw_dir
            except KeyError:
                home = None
            home = home if home and Path(home).is_absolute() else None
        if home is None or not Path(home).is_dir():
            return None  # a home that does not exist (HOME=/nonexistent) is not made, not even by root
        cache = str(Path(home) / ".cache")
    host = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in os.uname().nodename[:64])
    return Path(cache) / "port4me" / f"leases-{host or 'localhost'}"


def _open_folder(env: Mapping[str, str] | None) -> tuple[int, Path, str]:
    """The lease folder (a descriptor, the path, where it came from), chosen as the module says."""
    env = os.environ if env is None else env
    explicit = _path(env, "PORT4ME_LEASE_DIR", required=True)
    if explicit:
        return open_private(Path(explicit), "PORT4ME_LEASE_DIR"), Path(explicit), "PORT4ME_LEASE_DIR"
    runtime = _path(env, "XDG_RUNTIME_DIR")
    if runtime:
        folder = Path(runtime) / "port4me"
        return open_private(folder, "XDG_RUNTIME_DIR"), folder, "XDG_RUNTIME_DIR"
    temporary = Path(_path(env, "TMPDIR") or "/tmp") / f"port4me-{os.getuid()}"
    try:
        return open_private(temporary, "the temporary folder"), temporary, "the temporary folder"
    except Unusable as error:
        fallback = _cache_folder(env)
        if fallback is None:
            advice = "and there is no home folder to use instead; set PORT4ME_LEASE_DIR to a folder only you can write"
            raise Unusable(temporary, error.source, f"{error.why}, {advice}", unsafe=False) from None
        source = f"the cache folder, as {quote(str(temporary))} in the temporary folder: {error.why}"
        return open_private(fallback, source), fallback, source


def _open_lock(folder: int, directory: Path, source: str) -> int:
    try:
        lock = os.open(LOCK, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600, dir_fd=folder)
    except OSError as error:
        raise Unusable(directory, source, f"cannot open its lock file: {error.strerror}", unsafe=False) from None
    if not stat.S_ISREG(os.fstat(lock).st_mode):
        os.close(lock)
        raise Unusable(directory, source, f"its {LOCK} is not a regular file; remove it", unsafe=False)
    return lock


def _remove_stale(folder: int) -> None:
    """Remove the temporary files of writers that died before their rename (the lock is held: no writer is alive)."""
    for name in os.listdir(folder):
        if name.startswith(_TEMPORARY) and len(name) == len(_TEMPORARY) + 24 and _HEX.issuperset(name[-24:]):
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=folder)


def _read(folder: int, directory: Path, source: str) -> bytes:
    """The lease file's content; nothing if there is none or it is not a regular file (it will be replaced)."""
    try:
        fd = os.open(LEASES, os.O_RDONLY | _NOFOLLOW, dir_fd=folder)
    except OSError:
        return b""  # none yet, a link (not a lease file), or not ours to read: replaced on writing
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        if stat.S_ISDIR(kind):  # a rename cannot replace a folder
            raise Unusable(directory, source, f"its {LEASES} is a folder, not a file; remove it", unsafe=False)
        return b""  # a FIFO, a socket: replaced on writing
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


def _write(folder: int, leases: dict[int, float], directory: Path, source: str) -> None:
    """Write to a new file of an unpredictable name (exclusive, no link followed), then rename it into place."""
    temporary = f"{_TEMPORARY}{os.urandom(12).hex()}"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump({str(port): until for port, until in sorted(leases.items())}, file)
            os.replace(temporary, LEASES, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            raise
    except OSError as error:  # a full disk, a quota, an I/O error: the lease is not recorded
        where = f"{quote(str(directory))} ({source})"
        raise Port4meError(f"cannot record the leases in {where}: {error.strerror or error}") from error


@contextlib.contextmanager
def locked_leases(env: Mapping[str, str] | None = None) -> Iterator[dict[int, float]]:
    """The active leases (port -> expiry), locked; changes to the dict are saved on exit."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        raise UsageError("leases need fcntl (POSIX systems)") from None
    folder, directory, source = _open_folder(env)
    try:
        lock = _open_lock(folder, directory, source)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _remove_stale(folder)
            leases = valid_leases(_read(folder, directory, source), time.time())
            yield leases
            _write(folder, leases, directory, source)
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
) -> tuple[int | None, int]:
    """The first port of ``stream`` that no one holds a lease on and ``check`` finds free, leased for ``seconds``.

    Returns the port (None if there is none) and the number of checks made. Leased ports
    are skipped and are not checks: at most ``max_tries`` ports are checked. Choosing the
    port and recording its lease happen under one lock.
    """
    with locked_leases(env) as leases:
        checks = 0
        for port in islice(stream, max_tries + len(leases) * 2):
            if port in leases:
                continue  # leased ports are not checks
            checks += 1
            if check(port):
                leases[port] = time.time() + seconds
                return port, checks
            if checks >= max_tries:
                break
    return None, checks
