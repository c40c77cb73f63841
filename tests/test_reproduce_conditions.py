"""A reproducing line rebuilds the host condition its call ran under (INTERPRETING 8 and 2.5).

A result that failed under a seccomp condition (no-ipv6, emfile) is reproduced only if the line a
user pastes applies the same filter: without it the call runs with IPv6 and may pass. The fake
below fails every `--test` call and says on stderr whether it could create an IPv6 socket; the
line from the report is then run by hand, in a shell, and must show what the run saw.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from port4me_conformance.host import Host

from .conftest import run

SECCOMP = Host().seccomp
pytestmark = pytest.mark.skipif(bool(SECCOMP), reason=f"needs seccomp filters: {SECCOMP}")

FAKE = """\
import socket, sys
try:
    socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()
    seen = "ipv6: yes"
except OSError:
    seen = "ipv6: no"
if any(a.startswith("--test") for a in sys.argv[1:]):
    sys.stderr.write(seen + "\\n")
    sys.exit(1)
from port4me.cli import main
sys.exit(main())
"""
MODULE = """\
import socket, sys
from port4me.cli import main as real


def main(argv=None, env=None, stdout=None, stderr=None):
    if any(a.startswith("--test") for a in (argv or [])):
        return 1
    return real(argv, env, stdout, stderr)
"""


def kit(tmp_path: Path, impl: str, env: dict | None = None) -> dict:
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "port4me_conformance", impl, "--select=check-no-ipv6-free", "--quiet"]
    done = run([*command, f"--json={report}"], cwd=tmp_path, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    (result,) = json.loads(report.read_text())["implementations"][0]["results"]
    assert result["status"] == "fail", result
    return result


def test_the_command_line_reproduces_the_filter(tmp_path):
    fake = tmp_path / "fake.py"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.path[:0] = {sys.path!r}\n" + FAKE, encoding="utf-8")
    fake.chmod(0o755)
    result = kit(tmp_path, f"--impl=fake={fake}")
    by_hand = run(["sh", "-c", result["reproduce"]])
    assert by_hand.returncode == 1 and by_hand.stderr.strip() == "ipv6: no", (result["reproduce"], by_hand)
    # Without the condition the fake sees IPv6: the line's filter, not the host, made the difference.
    assert run([sys.executable, str(fake), "--test=1"]).stderr.strip() == ("ipv6: yes" if Host().ipv6 else "ipv6: no")


def test_the_in_process_line_applies_the_filter_as_the_command_line_does(tmp_path):
    (tmp_path / "wrong_test.py").write_text(MODULE, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path), "HOME": str(tmp_path)}
    result = kit(tmp_path, "--impl=ip=inprocess:wrong_test:main", env=env)
    line = result["reproduce"]
    assert " no-ipv6 " in line and "confine.py" in line.split(" -c ")[0], line  # the wrapper comes first
    assert line.split("confine.py no-ipv6 ", 1)[1].startswith(sys.executable), line
