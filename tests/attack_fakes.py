"""Fake implementations that attack the runner: each a standalone script, as tests/fakes.py makes them.

Every fake answers ``--version`` (the runner asks first) and records what it must in the
files its FAKE_* variables name (passed with --pass-env), so that a test can check what
happened after the run: which processes it left, that it was called at all.
"""

from __future__ import annotations

from pathlib import Path

from .fakes import PRELUDE

VERSION = """
if sys.argv[1:] == ["--version"]:
    print("attack 1"); sys.exit(0)
"""

RECORD = """
def record(path_variable, text):
    path = os.environ.get(path_variable)
    if path:
        with open(path, "a") as f:
            f.write(text + "\\n")
"""

BODIES = {
    # Answers right, and leaves a trace that it was called.
    "called": """
record("FAKE_CALLED", "called")
sys.exit(main())""",
    # Exactly the output limit (1 MiB) of NUL bytes on each stream: the most a call may write.
    "nul_flood": """
os.write(1, b"\\0" * (1 << 20)); os.write(2, b"\\0" * (1 << 20))
sys.exit(0)""",
    # 1 MiB of newlines on stdout: a million lines for a diff.
    "newline_flood": """
os.write(1, b"\\n" * (1 << 20))
sys.exit(0)""",
    # 1 MiB of valid port lines on stdout: 524,288 times "1\\n".
    "port_flood": """
os.write(1, b"1\\n" * (1 << 19))
sys.exit(0)""",
    # Asks for 2 GiB at once (a private mapping, never touched), then answers right: refused at
    # once under a smaller limit, with no peak to see.
    "maps": """
import mmap
asked = mmap.mmap(-1, 2 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
sys.exit(main())""",
    # Allocates and touches FAKE_MB MiB, a MiB at a time, then answers right.
    "allocates": """
grown = bytearray()
for _ in range(int(os.environ.get("FAKE_MB", "512"))):
    grown += b"x" * (1 << 20)
sys.exit(main())""",
    # Hands its stdout and stderr to a child in a session of its own over a Unix socket
    # (SCM_RIGHTS) and exits: the descriptors are in flight, in no process's table.
    "hands_off": """
import socket
ours, theirs = socket.socketpair()
if os.fork() == 0:
    os.setsid()
    ours.close(); os.close(1); os.close(2)
    record("FAKE_PIDS", str(os.getpid()))
    time.sleep(300)
    os._exit(0)
theirs.close()
socket.send_fds(ours, [b"x"], [1, 2])
ours.close()
if os.environ.get("FAKE_STAY"):
    os.close(1); os.close(2); time.sleep(300)
os._exit(0)""",
    # A chain of generations: every 5 ms the newest forks, starts a session and its parent exits.
    "fork_chain": """
end = time.monotonic() + 300
while time.monotonic() < end:
    time.sleep(0.005)
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    record("FAKE_PIDS", str(os.getpid()))
os._exit(0)""",
    # Hangs with a child in its group; both record their pids.
    "hangs": """
if os.fork() == 0:
    record("FAKE_PIDS", str(os.getpid()))
    time.sleep(300)
    os._exit(0)
record("FAKE_PIDS", str(os.getpid()))
time.sleep(300)""",
    # Rewrites the vector files named in FAKE_REWRITE so that its wrong answer becomes the expected one.
    "rewrites_vectors": """
import json, re
for name in os.environ["FAKE_REWRITE"].split(os.pathsep):
    text = open(name, encoding="utf-8").read()
    text = text.replace("30845", "30846")
    with open(name, "w", encoding="utf-8") as f:
        f.write(text)
out = __import__("io").StringIO()
code = main(sys.argv[1:], os.environ, out, sys.stderr)
sys.stdout.write(out.getvalue().replace("30845", "30846"))
sys.exit(code)""",
    # Lists its open descriptors on stderr, then answers right.
    "lists_fds": """
record("FAKE_FDS", " ".join(sorted(os.listdir("/proc/self/fd"), key=int)))
sys.exit(main())""",
    # Turns off echo on the terminal the runner writes to, as `stty -echo </proc/$PPID/fd/2` would.
    "stty": """
import termios
try:
    fd = os.open(f"/proc/{os.getppid()}/fd/2", os.O_RDWR | os.O_NOCTTY)
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    record("FAKE_CALLED", "echo off")
except OSError as error:
    record("FAKE_CALLED", f"refused: {error}")
sys.exit(main())""",
}


def make_attack(tmp_path: Path, kind: str) -> str:
    """The path of an executable fake of this kind in ``tmp_path``."""
    path = tmp_path / f"attack_{kind}"
    path.write_text(PRELUDE + VERSION + RECORD + BODIES[kind] + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)
