"""Name lookups under a real, slow resolver (issue 11.4 and 11.6), in a private network namespace.

The resolver is glibc's own getaddrinfo, asking a DNS server of ours on the namespace's
loopback (see isolated_dns.py): names starting with ``slow.`` are in effect never answered,
so a command that waits for the lookup runs until glibc gives up (150 s). Each run has a
two-minute hang guard; the assertions are about what happens, not how fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .isolated_dns import isolated

PORT4ME = str(Path(sys.executable).parent / "port4me")
SLOW = "slow.port4me.test"


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_the_private_resolver_answers_fast_names_at_once():
    """The set-up works: a name it answers at once leads to a listener, so a slow one is slow only by its delay."""
    run = isolated([PORT4ME, "--reachable=fast.port4me.test:{port}", "--timeout=5"])
    assert (run["returncode"], run["stdout"], run["stderr"], run["hung"]) == (0, "", "", False)
    assert "fast.port4me.test" in run["queries"]


def test_reachable_returns_and_exits_within_its_timeout_when_the_lookup_is_slow():
    run = isolated([PORT4ME, f"--reachable={SLOW}:{{port}}", "--timeout=1"])
    assert not run["hung"], "the process waited for the resolver after its timeout"
    assert (run["returncode"], run["stdout"], run["stderr"]) == (1, "", "")
    assert SLOW in run["queries"]  # it did ask: the lookup was under way when the timeout ended it


def test_wait_open_times_out_when_the_lookup_is_slow():
    run = isolated([PORT4ME, f"--wait-open={SLOW}:{{port}}", "--timeout=1", "--interval=0.1"])
    assert not run["hung"], "the process waited for the resolver after its timeout"
    assert (run["returncode"], run["stdout"]) == (1, "")
    assert run["stderr"].startswith("port4me: timed out after 1 s") and run["stderr"].count("\n") == 1


def test_the_library_is_bounded_by_its_timeout_lookup_included():
    code = f"""
import asyncio, sys
from port4me.wait import async_wait_until_open, is_reachable, wait_until_open
port = int(sys.argv[1])
print(is_reachable("{SLOW}", port, timeout=1))
for wait in (lambda: wait_until_open("{SLOW}", port, timeout=1),
             lambda: asyncio.run(async_wait_until_open("{SLOW}", port, timeout=1))):
    try:
        wait()
    except TimeoutError:
        print("TimeoutError")
"""
    run = isolated([*python(code), "{port}"])
    assert not run["hung"], "the call (or the interpreter's exit) waited for the resolver after the timeout"
    assert (run["returncode"], run["stdout"], run["stderr"]) == (0, "False\nTimeoutError\nTimeoutError\n", "")


def test_a_name_that_does_not_exist_is_a_usage_error_naming_the_option():
    run = isolated([PORT4ME, "--reachable=nothere.invalid:80"])
    assert (run["returncode"], run["stdout"]) == (2, "")
    assert run["stderr"].startswith("port4me: invalid --reachable value 'nothere.invalid:80': the name does not")
    assert run["stderr"].count("nothere") == 1 and run["stderr"].count("\n") == 1


def test_a_name_that_does_not_exist_is_a_value_error_of_the_library():
    """Its own resolver says NXDOMAIN: the host's might not answer at all (no network), or differently."""
    code = (
        "from port4me import UsageError\nfrom port4me.wait import is_reachable\n"
        "try:\n    is_reachable('no-such-host.invalid', 80)\n"
        "except ValueError as error:\n    print(isinstance(error, UsageError), error)\n"
    )
    run = isolated(python(code))
    assert (run["hung"], run["returncode"], run["stderr"]) == (False, 0, "")
    assert run["stdout"].startswith("True ") and "does not resolve" in run["stdout"], run["stdout"]
    assert "no-such-host.invalid" in run["queries"]


def test_address_takes_literals_only_and_never_looks_names_up():
    """--address=nothere once took one DNS lookup per candidate port: ten minutes and more."""
    for name in ("nothere", "nothere.invalid"):  # our resolver answers the first, and says NXDOMAIN to the second
        run = isolated([PORT4ME, f"--address={name}"])
        assert not run["hung"]
        assert (run["returncode"], run["stdout"]) == (2, "")
        assert run["stderr"].startswith(f"port4me: invalid --address value '{name}': expected an IP address")
        assert run["queries"] == []
    code = "from port4me.find import first_free\ntry: first_free(1024, 65535, address='nothere')\n"
    code += "except ValueError: pass"
    run = isolated(python(code))
    assert (run["hung"], run["returncode"], run["queries"]) == (False, 0, [])
    run = isolated([PORT4ME, "--address=127.0.0.1", "--user=alice"])  # a literal works, with no lookup either
    assert (run["returncode"], run["stderr"], run["queries"]) == (0, "", [])
