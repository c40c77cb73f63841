"""Fake harnesses that test the runner's side of the harness protocol: real programs, most misbehaving.

Each is a script around the reference's harness (python -m port4me.harness): it answers
right, except that at call number K (counting the calls this process was sent, from 1)
it does what its name says, once in the whole run (a file marks that it did; the new
process the runner starts answers right).  With ``every``, every process misbehaves at
every call from K on.
"""

from __future__ import annotations

import sys
from pathlib import Path

PRELUDE = f"""#!{sys.executable}
import json, os, signal, sys, time
sys.path[:0] = {sys.path!r}
from port4me import harness
AT, EVERY, MARK = PARAMETERS
out = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)
calls = 0

def send(data):
    out.write(data if isinstance(data, bytes) else (json.dumps(data) + "\\n").encode())
    out.flush()

HANDLERS = {{"cli": harness.call_cli, "library": harness.call_library}}

def right(request):
    return {{"seq": request["seq"], **harness.answer(request, HANDLERS)}}

for line in sys.stdin.buffer:
    request = json.loads(line)
    if request["op"] == "stop":
        sys.exit(0)
    if request["op"] == "hello":
        START
        send(right(request))
        continue
    calls += 1
    if (EVERY and calls >= AT) or (calls == AT and not os.path.exists(MARK)):
        open(MARK, "w").close()
        MISBEHAVE
    else:
        send(right(request))
"""

MISBEHAVIOURS = {
    "right": ("pass", "send(right(request))"),
    # Never answers this call (and keeps reading nothing).
    "hang": ("pass", "time.sleep(3600)"),
    # Dies while answering.
    "crash": ("pass", "os.kill(os.getpid(), signal.SIGSEGV)"),
    "exits": ("pass", "sys.stderr.write('fake: giving up\\n'); sys.exit(7)"),
    # Answers with the next request's number.
    "lie": ("pass", 'answer = right(request); answer["seq"] += 1; send(answer)'),
    # Answers the same call twice, at once.
    "twice": ("pass", "answer = right(request); send(answer); send(answer)"),
    # Answers this call, then the previous call again before the next one (late).
    "late": ("pass", "send(right(request)); time.sleep(0.2); send({'seq': request['seq'] - 1, **right(request)})"),
    # A line that is not JSON.
    "garbage": ("pass", "send(b'hello, runner\\n')"),
    # Valid JSON that breaks the answer's schema.
    "invalid": ("pass", 'answer = right(request); answer["exit_code"] = "0"; send(answer)'),
    # A line without end.
    "flood": ("pass", "chunk = b'x' * 65536\nwhile True:\n    send(chunk)"),
    # Floods stderr before each answer (must never block the runner nor the harness).
    "chatty": ("pass", "sys.stderr.write('x' * (4 << 20)); send(right(request))"),
    # Takes 5 seconds to say hello (longer than the test's per-call limit, 4 s).
    "slow_start": ("time.sleep(5)", "send(right(request))"),
    # Says hello only once AT processes of it have started (each adds a line to MARK.started).
    "barrier": (
        "open(MARK + '.started', 'a').write(f'{os.getpid()}\\n')\n"
        "        while len(open(MARK + '.started').read().split()) < AT:\n"
        "            time.sleep(0.05)",
        "send(right(request))",
    ),
    # Never says hello.
    "mute": ("time.sleep(3600)", "send(right(request))"),
    # Says hello in another major version of the protocol.
    "future": ('request["protocol"] = "2.0"; send({"seq": 0, "protocol": "2.0", "implementation": {}})', "pass"),
    # Needs 320 MiB for one answer, taken (and written to) 10 MiB at a time, as a growing buffer would.
    # It says so and exits when the memory is refused (a traceback would read as the runner's).
    "greedy": (
        "pass",
        "try:\n    hog = [b'x' * (10 << 20) for _ in range(32)]\n"
        "except MemoryError:\n    sys.exit('fake: MemoryError')\nsend(right(request))\ndel hog",
    ),
}


def make(tmp_path: Path, kind: str, at: int = 3, every: bool = False) -> str:
    start, misbehave = MISBEHAVIOURS[kind]
    parameters = repr((at, every, str(tmp_path / f"fake_harness_{kind}.done")))
    text = (
        PRELUDE.replace("PARAMETERS", parameters)
        .replace("START", start)
        .replace("MISBEHAVE", misbehave.replace("\n", "\n        "))
    )
    if kind == "future":
        text = text.replace("        send(right(request))\n        continue", "        continue", 1)
    path = tmp_path / f"fake_harness_{kind}"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return str(path)


# A state leak, as a cache keyed by the wrong thing would make it: the reference's
# orderings and jumps (built by repeated calls over one candidate set in one process)
# cached under the set's size instead of the set itself.
CACHE_BUG = f"""#!{sys.executable}
import sys
sys.path[:0] = {sys.path!r}
import port4me.algorithm as algorithm


class BySize(dict):
    def _key(self, key):
        return getattr(key, "size", key)

    def __contains__(self, key):
        return dict.__contains__(self, self._key(key))

    def __getitem__(self, key):
        return dict.__getitem__(self, self._key(key))

    def __setitem__(self, key, value):
        dict.__setitem__(self, self._key(key), value)

    def get(self, key, default=None):
        return dict.get(self, self._key(key), default)

    def pop(self, key, *default):
        return dict.pop(self, self._key(key), *default)


for name in ("_by_position", "_gaps", "_walked"):
    assert isinstance(getattr(algorithm, name), dict), f"port4me.algorithm.{{name}} is no longer a cache dict"
    setattr(algorithm, name, BySize())
MAIN
"""


def make_cache_bug(tmp_path: Path, as_harness: bool) -> str:
    """The reference with the bug above, as a harness or as a command (one process per call)."""
    main = (
        "from port4me.harness import main\nsys.exit(main())"
        if as_harness
        else "from port4me.cli import main\nsys.exit(main())"
    )
    path = tmp_path / f"cache_bug_{'harness' if as_harness else 'command'}"
    path.write_text(CACHE_BUG.replace("MAIN", main), encoding="utf-8")
    path.chmod(0o755)
    return str(path)
