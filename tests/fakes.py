"""Tiny fake implementations that test the runner itself (each a standalone script)."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

PRELUDE = f"""#!{sys.executable}
import os, sys, time
sys.path[:0] = {sys.path!r}
from port4me.cli import main
"""

BODIES = {
    # Delegates to the reference: always right.
    "right": "sys.exit(main())",
    # Every port one too high.
    "off_by_one": """
import io
out = io.StringIO()
code = main(sys.argv[1:], os.environ, out, sys.stderr)
sys.stdout.write("".join(f"{int(line) + 1}\\n" for line in out.getvalue().splitlines() if line.isdigit()))
sys.exit(code)""",
    "crash": "os.kill(os.getpid(), 11)",
    # Hangs, and leaves a grandchild that would hang too if only the child were killed.
    "hang": """
if os.fork() == 0:
    time.sleep(600)
time.sleep(600)""",
    "wrong_stream": """
import io
out = io.StringIO()
code = main(sys.argv[1:], os.environ, out, sys.stderr)
sys.stderr.write(out.getvalue())
sys.exit(code)""",
    "blank_lines": """
import io
out = io.StringIO()
code = main(sys.argv[1:], os.environ, out, sys.stderr)
sys.stdout.write(out.getvalue().replace("\\n", "\\n\\n"))
sys.exit(code)""",
    # Uses the caller's environment: correct only if the runner builds a clean one.
    "reads_env": "sys.exit(main(sys.argv[1:], os.environ))",
    "garbage": "sys.stdout.buffer.write(b'\\xff\\xfe not a port\\n'); sys.exit(0)",
}


def make(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"fake_{kind}"
    path.write_text(PRELUDE + BODIES[kind] + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)
