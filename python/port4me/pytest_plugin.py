"""pytest fixtures for ports (registered through the ``pytest11`` entry point).

Every fixture's name starts with ``port4me_``: the plugin loads into every pytest session of
whoever installs the package, where a plain name such as ``free_port`` could shadow, or be
shadowed by, a fixture of the project under test or of another plugin.

- ``port4me_free_port``: a TCP port that is free now, chosen by the operating system.
- ``port4me_port``: a function ``(tool=None, **settings) -> int``: your port4me port for a tool.
- ``port4me_held_socket``: a socket already listening on your port4me port, closed after the test.
"""

from __future__ import annotations

import pytest

from ._api import port4me
from .find import os_free_port
from .hold import bind_port4me


@pytest.fixture
def port4me_free_port() -> int:
    """A TCP port free on IPv4 now, as the operating system hands them out."""
    return os_free_port()


@pytest.fixture
def port4me_port():
    """Return the port4me port for a tool: ``port4me_port("jupyter")``."""

    def find(tool: str | None = None, **settings: object) -> int:
        return port4me(tool, **settings)  # type: ignore[arg-type,return-value]

    return find


@pytest.fixture
def port4me_held_socket():
    """A listening socket on the first port of your sequence that could be bound; closed afterwards."""
    sock = bind_port4me("pytest")
    try:
        yield sock
    finally:
        sock.close()
