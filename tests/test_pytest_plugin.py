"""The pytest plugin (port4me.pytest_plugin): its fixtures, and names that cannot clash."""

from __future__ import annotations

import sys

import port4me
from port4me.check import is_free

from .conftest import run

ANY = {"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}


def test_the_fixtures(port4me_free_port, port4me_port, port4me_held_socket):
    assert is_free(port4me_free_port, family="ipv4")
    assert port4me_port("jupyter", user="alice", env=ANY) == port4me.port4me("jupyter", user="alice", env=ANY)
    assert not is_free(port4me_held_socket.getsockname()[1])


def test_every_fixture_of_the_plugin_is_named_port4me_something(tmp_path):
    """The plugin loads into every pytest session of whoever installs the package: a fixture named
    free_port there shadowed, or was shadowed by, the project's own."""
    listed = run([sys.executable, "-m", "pytest", "--fixtures", "-p", "no:cacheprovider", str(tmp_path)], cwd=tmp_path)
    lines = listed.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "fixtures defined from port4me.pytest_plugin" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(("-", "=")))  # the next section
    names = [line.split()[0] for line in lines[start + 1 : end] if line and not line.startswith(" ")]
    assert sorted(names) == ["port4me_free_port", "port4me_held_socket", "port4me_port"], listed.stdout[-2000:]


def test_a_project_fixture_named_free_port_is_its_own(tmp_path):
    (tmp_path / "test_mine.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\ndef free_port():\n    return 'mine'\n\n"
        "def test_mine(free_port, port4me_free_port):\n"
        "    assert free_port == 'mine' and isinstance(port4me_free_port, int)\n"
    )
    ran = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)], cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout[-2000:]
