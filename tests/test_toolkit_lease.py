"""Leases under hostile conditions (issue 11.7): unsafe folders, planted links, corrupt state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import port4me
from port4me import UsageError
from port4me.lease import release

from .conftest import run

COMMAND = str(Path(sys.executable).parent / "port4me")
YEAR = 86400 * 366


def names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def env_for(folder: Path) -> dict[str, str]:
    return {"PORT4ME_LEASE_DIR": str(folder), "PORT4ME_USER": "alice", "_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}


def lease(folder: Path, *ports: int) -> int:
    """The port a leasing call gets, trying ``ports`` first (every port counts as free)."""
    return port4me.port4me("lease", prepend=list(ports), lease=60, env=env_for(folder))  # type: ignore[return-value]


def command(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], **env_for(folder)}
    return run([COMMAND, *args], env=env)


def private(tmp_path: Path) -> Path:
    folder = tmp_path / "leases"
    folder.mkdir(mode=0o700)
    return folder


def _world_writable(tmp_path: Path) -> Path:
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    return folder


def _group_writable(tmp_path: Path) -> Path:
    folder = tmp_path / "group"
    folder.mkdir()
    folder.chmod(0o770)
    return folder


def _a_link(tmp_path: Path) -> Path:
    link = tmp_path / "link"
    link.symlink_to(private(tmp_path))
    return link


def _someone_elses(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a folder to another user")
    folder = private(tmp_path)
    os.chown(folder, 65534, 65534)
    return folder


@pytest.mark.parametrize(
    "make",
    [lambda tmp: Path("/tmp"), _world_writable, _group_writable, _a_link, _someone_elses],
    ids=["/tmp", "world-writable", "group-writable", "a-symlink", "another-users"],
)
def test_unsafe_lease_folders_are_refused(tmp_path, make):
    folder = make(tmp_path)
    before = names(folder)
    with pytest.raises(UsageError, match="PORT4ME_LEASE_DIR"):
        lease(folder, 40000)
    with pytest.raises(UsageError, match="PORT4ME_LEASE_DIR"):
        release(40000, env_for(folder))
    result = command(folder, "--lease=60")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("port4me: ") and result.stderr.count("\n") == 1, result.stderr
    assert "PORT4ME_LEASE_DIR" in result.stderr and repr(str(folder)) in result.stderr
    assert not {"lock", "leases.json"} & (names(folder) - before)  # nothing written there


def test_planted_links_are_not_followed(tmp_path):
    """A link where the lease file or its temporary file goes must not make the write land elsewhere."""
    folder = private(tmp_path)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (folder / f".leases.json.{os.getpid()}").symlink_to(victim)  # the old, predictable temporary name
    assert lease(folder, 40000) == 40000
    assert victim.read_text() == "precious"
    (folder / "leases.json").unlink()
    (folder / "leases.json").symlink_to(victim)
    assert lease(folder, 40000) == 40000  # a link is not a lease file: no leases are read through it
    assert victim.read_text() == "precious"
    assert not (folder / "leases.json").is_symlink()
    assert set(json.loads((folder / "leases.json").read_text())) == {"40000"}
    assert names(folder) == {"leases.json", "lock", f".leases.json.{os.getpid()}"}  # no temporary file left


@pytest.mark.parametrize(
    "content",
    [
        b"[]",
        b'{"40000": null}',
        b"not json at all",
        b"\x00\xff\xfe",
        b'"a string"',
        b'{"40000": true}',
        b'{"40000": 1e999}',
        b'{"40000": 1e308}',
        b'{"40000": 10000000000000000000000000000000000000000000000}',
        b'{"99999999999": 1e12}',
        b'{"' + b"9" * 5000 + b'": 1e12}',
        b'{"40000": "inf"}',
        b'{"40000": {"until": 1}}',
        b'{"-1": 1e12, "0": 1e12, "+5": 1e12, "\xd9\xa5": 1e12}',
    ],
)
def test_corrupt_state_is_recovered(tmp_path, content):
    folder = private(tmp_path)
    (folder / "leases.json").write_bytes(content)
    got = lease(folder, 40000, 40001)
    assert got in (40000, 40001)
    stored = json.loads((folder / "leases.json").read_text())
    assert str(got) in stored and all(1 <= int(port) <= 65535 for port in stored)
    assert all(isinstance(until, float) and until <= time.time() + YEAR for until in stored.values())
    result = command(folder, "--lease=60", "--prepend=40002")
    assert (result.returncode, result.stdout, result.stderr) == (0, "40002\n", "")


def test_bad_entries_are_dropped_and_valid_ones_kept(tmp_path):
    folder = private(tmp_path)
    valid = time.time() + 600
    state = {"40000": valid, "junk": 1, "40001": "inf", "40002": None, "40003": 1e300}
    (folder / "leases.json").write_text(json.dumps(state))
    assert lease(folder, 40000, 40001) == 40001  # 40000 is validly leased; 40001's "inf" is no lease
    stored = json.loads((folder / "leases.json").read_text())
    assert stored["40000"] == valid
    assert set(stored) == {"40000", "40001", "40003"}
    assert stored["40003"] <= time.time() + YEAR  # kept, but for no longer than a lease may last
    assert lease(folder, 40003, 40004) == 40004
