"""Fake implementations that test the runner itself: each a standalone script, most of them misbehaving."""

from __future__ import annotations

import atexit
import shutil
import stat
import sys
import tempfile
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
    # Killed by a signal the runner did not send.
    "crash": "os.kill(os.getpid(), 11)",
    # Hangs, and leaves a grandchild that would hang too if only the child were killed.
    "hang": """
if os.fork() == 0:
    time.sleep(600)
time.sleep(600)""",
    # Answers right, but its child starts a session of its own and keeps stdout open for ten
    # minutes: longer than a test's hang guard, so a runner that waits for it shows as hung.
    "session_leaver": """
if os.fork() == 0:
    os.setsid()
    with open(os.environ.get("FAKE_PIDS", "/dev/null"), "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(600)
    os._exit(0)
sys.exit(main())""",
    # Answers right and exits, leaving a child in its process group that closed its streams
    # (and sleeps ten minutes: gone when the run ends, it was killed).
    "leaves_child": """
if os.fork() == 0:
    os.close(1); os.close(2)
    with open(os.environ.get("FAKE_PIDS", "/dev/null"), "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(600)
    os._exit(0)
sys.exit(main())""",
    # Writes without end.
    "endless": """
line = b"30845\\n" * 10000
while True:
    sys.stdout.buffer.write(line)""",
    # Writes without end on stderr.
    "endless_stderr": """
while True:
    sys.stderr.write("x" * 65536)""",
    # Control bytes, CR, invalid UTF-8, XML-forbidden characters on both streams.
    "control_bytes": """
junk = b"30845\\r\\n\\x00\\x01\\x07\\x1b[31mred\\x1b[0m\\x0b\\x0c\\xff\\xfe\\xef\\xbf\\xbe"
junk += b"]]><!--</pre></details><script>x</script>&amp;\\n"
sys.stdout.buffer.write(junk)
sys.stderr.buffer.write(junk)
sys.exit(0)""",
    # Right, but slow: sleeps a second and a half first.
    "slow": "time.sleep(1.5)\nsys.exit(main())",
    # Right, but chatty on stderr on success (P4M-CLI-9 is a SHOULD: a warning).
    "chatty": """
code = main()
sys.stderr.write("note: all good\\n")
sys.exit(code)""",
    # Right, and records its working directory and what was in it.
    "cwd": """
with open(os.environ.get("FAKE_PIDS", "/dev/null"), "a") as f:
    f.write(f"{os.getcwd()} {sorted(os.listdir('.'))}\\n")
open("left-behind", "w").close()
sys.exit(main())""",
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

# Shell fakes for the user conditions: another user may not run a Python that lives under /root.
SHELL = {
    # The nameless-user cases, answered right only when the account really has no name.
    "nameless": r"""#!/bin/sh
case "$1" in --version) echo "fake-nameless 1"; exit 0;; esac
if id -un >/dev/null 2>&1; then echo "fake: running as $(id -un), which has a name" >&2; exit 3; fi
user=""
for a in "$@"; do case "$a" in --user=*) user="${a#--user=}";; esac; done
[ -n "$user" ] || user="${PORT4ME_USER:-${USER:-${LOGNAME:-$USERNAME}}}"
[ -n "$user" ] || { echo "fake: no user name from any source" >&2; exit 2; }
[ "$user" = alice ] && { echo 30845; exit 0; }
exit 1
""",
    # --test of a privileged port: busy, answered right only when running as uid 65534.
    "unprivileged": r"""#!/bin/sh
case "$1" in --version) echo "fake-unprivileged 1"; exit 0;; esac
[ "$(id -u)" = 65534 ] && [ "$(id -g)" = 65534 ] || { echo "fake: uid $(id -u)" >&2; exit 3; }
exit 1
""",
}


def make(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"fake_{kind}"
    text = SHELL[kind] if kind in SHELL else PRELUDE + BODIES[kind] + "\n"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    if kind in SHELL:  # reachable by other users: a folder of its own, outside pytest's private tmp
        folder = Path(tempfile.mkdtemp(prefix="port4me-fake-"))
        atexit.register(shutil.rmtree, folder, True)
        folder.chmod(0o755)
        target = folder / path.name
        target.write_text(text, encoding="utf-8")
        target.chmod(0o755 | stat.S_IXOTH)
        return str(target)
    return str(path)
