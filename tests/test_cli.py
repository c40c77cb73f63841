"""The port4me command: as a process, the way users and scripts call it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from port4me import __version__
from port4me._settings import VARIABLES
from port4me.cli import HELP, VALUE_OPTIONS, main

from .conftest import HANG_GUARD
from .conftest import run as run_process

ANY = {"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any", "PATH": os.environ.get("PATH", "")}


def run(command, *args, env=None):
    return run_process([*command, *args], env={**ANY, **(env or {})})


def test_console_script_and_module_agree(reference_command):
    script = run(reference_command, "--user=alice", "--list=3")
    module = run([sys.executable, "-m", "port4me"], "--user=alice", "--list=3")
    assert script.stdout == module.stdout == "30845\n19654\n32310\n"
    assert script.returncode == module.returncode == 0
    assert script.stderr == module.stderr == ""


def test_help_documents_every_option_and_variable():
    for word in [*VALUE_OPTIONS, "--help", "--version", *VARIABLES, "Exit status"]:
        assert word in HELP, word
    assert len(VARIABLES) == 16 and len(VALUE_OPTIONS) == 9


def test_version(reference_command):
    result = run(reference_command, "--version")
    assert result.stdout == f"{__version__}\n" and result.returncode == 0


@pytest.mark.parametrize(
    ("args", "env", "code", "names"),
    [
        (["--list=0"], {}, 2, "--list"),
        (["--user=alice"], {"PORT4ME_SKIP": "x"}, 2, "PORT4ME_SKIP"),
        (["--user=alice", "--include=70000"], {}, 2, "'70000'"),
        (["--user=alice"], {"PORT4ME_EXCLUDE_SITE": "1-2-3"}, 2, "PORT4ME_EXCLUDE_SITE"),
        (["--bogus"], {}, 2, "--bogus"),
        (["--user=alice", "--list=3\n4"], {}, 2, "'3\\n4'"),
        (["--test=99999"], {}, 2, "--test"),
    ],
)
def test_errors_are_one_line_naming_the_value(reference_command, args, env, code, names):
    result = run(reference_command, *args, env=env)
    assert result.returncode == code
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("port4me: ")
    assert names in result.stderr
    assert "Traceback" not in result.stderr


def test_no_free_port_is_exit_1(reference_command):
    import socket

    with socket.socket() as held:
        held.bind(("0.0.0.0", 0))
        held.listen(1)
        port = held.getsockname()[1]
        result = run(
            reference_command,
            "--user=alice",
            f"--prepend={port}",
            "--max-tries=1",
            env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": ""},
        )
    assert result.returncode == 1 and result.stdout == ""
    assert re.fullmatch(r"port4me: no free TCP port after 1 check\n", result.stderr)


def test_closed_pipe_is_not_an_error(reference_command):
    with subprocess.Popen(
        [*reference_command, "--user=alice", "--list=65536"], env=ANY, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
        code = process.wait(timeout=HANG_GUARD)
    assert first == b"30845\n"
    assert code == 0 and b"Traceback" not in stderr and b"BrokenPipe" not in stderr


def test_main_takes_explicit_streams_and_environment():
    out, err = io.StringIO(), io.StringIO()
    assert main(["--list=2"], {"PORT4ME_USER": "alice", **ANY}, out, err) == 0
    assert out.getvalue() == "30845\n19654\n" and err.getvalue() == ""


def test_default_search_prints_one_real_free_port(reference_command):
    result = run(reference_command, "--user=alice", env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": ""})
    assert result.returncode == 0
    port = int(result.stdout)
    expected = run(reference_command, "--user=alice", "--list=100").stdout.split()
    assert str(port) in expected  # the first free one of alice's sequence, on this machine


def test_the_command_imports_nothing_heavy():
    """Start-up cost is a benchmark, not a test; but which modules load is a fact we can pin."""
    heavy = {
        "socket",
        "tempfile",
        "random",
        "json",
        "asyncio",
        "concurrent",
        "psutil",
        "argparse",
        "dataclasses",
        "typing",
        "port4me.lease",
        "port4me.wait",
        "port4me.who",
        "port4me.hold",
        "port4me.find",
    }
    # What the import adds: start-up (site, an editable-install finder) may load some of these first.
    code = "import sys; before = set(sys.modules); import port4me.cli; print(*sorted(set(sys.modules) - before))"
    loaded = set(run_process([sys.executable, "-I", "-c", code]).stdout.split())
    assert "port4me.cli" in loaded
    assert not loaded & heavy, sorted(loaded & heavy)


@pytest.mark.parametrize("closed", [">&-", "2>&-"])
def test_a_closed_stream_is_not_a_traceback(reference_command, closed):
    # Before: sys.stdout is None when the process starts with descriptor 1 closed: AttributeError.
    line = f"'{reference_command[0]}' --user=alice --list=1 {closed}; echo \"exit $?\""
    result = run_process(["sh", "-c", line], env=ANY)
    assert "Traceback" not in result.stderr
    assert result.stdout.endswith("exit 0\n")
