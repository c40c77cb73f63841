"""Cross-process leases: processes of one user asking at the same moment get different ports.

A lease is an entry in a JSON file in the user's runtime directory, read and written
under an exclusive lock, so choosing a port and recording it are one atomic step.
Leases expire; only leasing calls read them, so plain port4me() calls (and every v1
command line, spec P4M-CLI-8) give the same answers as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
from pathlib import Path

from .errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Iterator, Mapping

LEASES = "leases.json"


def lease_directory(env: Mapping[str, str] | None = None) -> Path:
    """PORT4ME_LEASE_DIR, else $XDG_RUNTIME_DIR/port4me, else a private folder in the temp dir."""
    env = os.environ if env is None else env
    if env.get("PORT4ME_LEASE_DIR"):
        return Path(env["PORT4ME_LEASE_DIR"])
    if env.get("XDG_RUNTIME_DIR"):
        return Path(env["XDG_RUNTIME_DIR"]) / "port4me"
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"port4me-{uid}"


def _private(directory: Path) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = directory.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"lease folder {directory} is not a plain folder")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise UsageError(f"lease folder {directory} belongs to another user")
    return directory


@contextlib.contextmanager
def locked_leases(env: Mapping[str, str] | None = None) -> Iterator[dict[int, float]]:
    """The active leases (port -> expiry), locked; changes to the dict are saved on exit."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        raise UsageError("leases need fcntl (POSIX systems)") from None
    directory = _private(lease_directory(env))
    path = directory / LEASES
    with open(directory / "lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = {}
            now = time.time()
            leases = {int(port): float(until) for port, until in stored.items() if float(until) > now}
            yield leases
            temporary = directory / f".{LEASES}.{os.getpid()}"
            temporary.write_text(json.dumps({str(p): t for p, t in sorted(leases.items())}), encoding="utf-8")
            temporary.replace(path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def release(port: int, env: Mapping[str, str] | None = None) -> bool:
    """End the lease on ``port`` early; True if there was one."""
    with locked_leases(env) as leases:
        return leases.pop(port, None) is not None
