"""Shared fixtures and helpers: the vectors, the installed reference command, upstream port4me 0.7.0,
one way to run a child process, and the suite's hypothesis settings."""

from __future__ import annotations

import ctypes
import fcntl
import inspect
import os
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from port4me_conformance import known
from port4me_conformance.vectors import load_all

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT4ME = str(BIN / "port4me")
sys.path.insert(0, str(ROOT / "tools"))  # tools/ is no package: lets tests import the vector generator, vectorgen

# A hang detector, never a speed limit: a child that has not ended after this long is stuck.
# Minutes, so that a loaded machine (other jobs, two CPU burners) never trips it; speed and
# memory figures are `make bench`'s, as ratios against a baseline measured in the same run.
HANG_GUARD = 300.0

# No per-example deadline and no "too slow" health check: both measure wall clock, which a
# loaded machine stretches. Each property test still sets its own number of examples.
settings.register_profile("port4me", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("port4me")


CLONE_NEWNET = 0x40000000
HOST_NETWORK: int | None = None  # a descriptor of the host's network namespace, once this process left it
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
IFREQ = "16sh22x"  # struct ifreq: the interface's name, then its flags (a 24-byte union)


def private_network() -> str:
    """Move this process into a network namespace of its own, its loopback up; say what was done.

    Tests bind real sockets, and many choose a free port first and bind it after. On a shared
    machine another process (another session, another pytest-xdist worker) can take that port
    in between. In a namespace of its own, this process and its children are the only ones
    that can hold a port: real sockets of this kernel, on loopback and wildcard addresses, that
    nothing outside sees or takes. It needs root on Linux; elsewhere the suite runs on the host's
    network, as before. PORT4ME_TEST_HOST_NETWORK=1 keeps the host's network on purpose.
    """
    if os.environ.get("PORT4ME_TEST_HOST_NETWORK") == "1":
        return "the host's (PORT4ME_TEST_HOST_NETWORK=1)"
    global HOST_NETWORK  # noqa: PLW0603 - set once, at import
    pid, _, host = os.environ.get("PORT4ME_TEST_NETWORK_OF", "").partition(":")
    if pid == str(os.getpid()):  # this module loaded twice (as conftest and as tests.conftest): the same process
        HOST_NETWORK = int(host)
        return "a private namespace of this process"
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "the host's (a private one needs root on Linux): another process may take a port a test chose"
    libc = ctypes.CDLL(None, use_errno=True)
    host = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)  # for the tests that need the host's
    if libc.unshare(CLONE_NEWNET) != 0:
        os.close(host)
        return f"the host's (unshare: {os.strerror(ctypes.get_errno())})"
    HOST_NETWORK = host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:
        flags = struct.unpack(IFREQ, fcntl.ioctl(control, SIOCGIFFLAGS, struct.pack(IFREQ, b"lo", 0)))[1]
        fcntl.ioctl(control, SIOCSIFFLAGS, struct.pack(IFREQ, b"lo", flags | IFF_UP))
    os.environ["PORT4ME_TEST_NETWORK_OF"] = f"{os.getpid()}:{host}"  # once a process, should this module load twice
    return "a private namespace of this process (loopback only; no other process can take its ports)"


NETWORK = "the host's (not set up yet)"


def pytest_configure(config: pytest.Config) -> None:
    """Before any test is collected: each process that runs tests gets its network namespace.

    With pytest-xdist, that is each worker, not the controller (it runs none): a worker's
    namespace before it leaves is then the host's, where run(host_network=True) goes back to.
    """
    global NETWORK  # noqa: PLW0603 - set once, before the tests
    controller = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    NETWORK = "the host's (this process only hands out tests)" if controller else private_network()


def pytest_report_header() -> str:
    return f"network: {NETWORK}"


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    stdin: str | bytes | None = None,
    text: bool = True,
    guard: float = HANG_GUARD,
    host_network: bool = False,
) -> subprocess.CompletedProcess:
    """Run ``command`` to its end and capture both streams; ``env`` is the whole environment if given.

    ``guard`` only stops a hang (the test then fails with subprocess.TimeoutExpired); the
    test asserts what the process did, never how long it took. ``host_network`` runs it in
    the host's network namespace (for one that reaches a package index), not the suite's own.
    """
    return subprocess.run(
        [str(part) for part in command],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=text,
        timeout=guard,
        check=False,
        preexec_fn=_enter_host_network if host_network and HOST_NETWORK is not None else None,
    )


def _enter_host_network() -> None:
    """In the child, before exec: back to the host's network namespace."""
    if ctypes.CDLL(None, use_errno=True).setns(HOST_NETWORK, CLONE_NEWNET) != 0:
        os._exit(121)


# INTERPRETING 6: a known difference whose call never ends begins so; a run may leave it out
# with --deselect, to save the wait (each is a call held to its time limit, spinning a core).
HANGS = known.UNFINISHED
never_finishing = known.never_finishing


deselect_hangs = known.deselect_unfinished


@pytest.fixture(scope="session")
def cases():
    return load_all()


@pytest.fixture(scope="session")
def reference_command() -> list[str]:
    """The installed ``port4me`` console script of this environment."""
    found = shutil.which("port4me", path=str(BIN))
    assert found, f"the port4me command is not installed in {BIN}: pip install -e ."
    return [found]


@pytest.fixture(scope="session")
def upstream_python() -> str:
    """Python of the separate virtual environment holding upstream port4me==0.7.0.

    Set up by `make test` (.venv-upstream); PORT4ME_UPSTREAM_PYTHON overrides. A missing
    upstream fails these tests, unless PORT4ME_SKIP_UPSTREAM=1 says to skip them on purpose.
    """
    python = os.environ.get("PORT4ME_UPSTREAM_PYTHON") or str(ROOT / ".venv-upstream/bin/python")
    if not Path(python).exists():
        if os.environ.get("PORT4ME_SKIP_UPSTREAM") == "1":
            pytest.skip("PORT4ME_SKIP_UPSTREAM=1: upstream port4me 0.7.0 not installed")
        pytest.fail(
            f"upstream port4me 0.7.0 not found at {python}; run `make upstream` (or set PORT4ME_UPSTREAM_PYTHON)"
        )
    return python


# Slow: more than a few seconds on a quiet machine. Whole files, and every test that runs the
# kit whole through one of the helpers named here (the runner as a process, the mutation
# harness, a private resolver, a harness run, the real browser). `make test-fast` skips them.
SLOW_FILES = (
    "test_packaging.py",  # wheels, virtual environments, PyPI
    "test_reference.py",  # every vector against the reference, in process and as the command
    "test_properties.py",  # hundreds of examples, some checking real sockets
    "test_harness.py",  # the runner against harnesses, fake and real
    "test_toolkit_resolver.py",  # network namespaces and glibc's resolver
)
SLOW_CALLS = ("checked(", "run_harness(", "isolated(", "conformance(", "Browser(", "make_vectors.py", "vectorgen")
SLOW_TESTS = ("test_extension_options_through_the_installed_command", "test_isolation_contains_memory_hogs")


# The longest tests (each a minute or more on a quiet 2-core machine: --durations=60 shows them),
# by name, longest first: they are collected first, so that pytest-xdist hands them out first and no worker
# starts one of them while the others have nothing left. Order only: every test still runs.
LONGEST = (
    "test_upstream_fails_exactly_its_known_differences",
    "test_two_wheels_and_the_runner_beside_upstream",
    "test_no_command_line_or_input_file_gives_a_traceback",
    "test_each_fake_gets_few_groups_naming_its_stage",
    "test_smoke_passes_the_reference_and_fails_each_fake",
    "test_a_vector_folder_that_would_crash_or_hang_is_refused",
    "test_installed_command",
    "test_a_starting_known_differences_file_from_any_run",
    "test_several_implementations_in_one_report",
    "test_causes_come_first_with_their_cases",
    "test_the_guides_shell_harness_gives_the_command_lines_verdicts",
    "test_upstream_python_library_fails_exactly_its_known_differences",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that use upstream port4me (upstream) and the slow ones (slow), for -m to select;
    the LONGEST first (a stable sort: the rest keep their order)."""
    rank = {name: n for n, name in enumerate(LONGEST)}
    items.sort(key=lambda item: rank.get(getattr(item, "originalname", item.name), len(LONGEST)))
    for item in items:
        if "upstream_python" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.upstream)
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function else ""
        except (OSError, TypeError):
            source = ""
        if (
            item.path.name in SLOW_FILES
            or any(call in source for call in SLOW_CALLS)
            or getattr(function, "__name__", "") in SLOW_TESTS
        ):
            item.add_marker(pytest.mark.slow)
