"""The runner's side of the harness protocol (INTERPRETING section 11).

One long-lived harness process per worker thread and host condition answers the calls,
one request and one answer at a time, in JSON lines.  Whatever the process does wrong
(no answer in time, death, garbage, an answer given twice, a lie about ``seq``, an
endless line) ends that process and becomes the result of the call that was waiting,
with the tail of the harness's stderr; the next call gets a new process, up to a bound.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from . import process
from .adapters import Adapter, Invocation, Outcome, _unreachable, by_hand, condition_ids, confined
from .paths import spec_dir

PROTOCOL = "1.0"
ANSWER_LIMIT = 8 << 20  # bytes of one answer line (11.4)
STDERR_KEPT = 64 << 10  # the tail of the harness's stderr shown when it breaks the protocol
DEFAULT_START_TIMEOUT = 60.0
DEFAULT_RESTARTS = 10
STOP_GRACE = 3.0  # seconds a harness gets to exit after stop
INTERFACES = ("cli", "library")
LIBRARY_AREAS = frozenset({"HASH", "SEED", "LCG", "SEQ", "SET", "LIST", "ENV", "CHECK", "UNSAFE"})
SETTING_OPTIONS = {
    "--user": "user",
    "--tool": "tool",
    "--prepend": "prepend",
    "--include": "include",
    "--exclude": "exclude",
    "--skip": "skip",
    "--list": "list",
    "--max-tries": "max_tries",
    "--test": "test",
}
LIBRARY_EXPECTATIONS = ("ports", "port_count", "error", "test")


class HarnessError(Exception):
    """The harness broke the protocol or could not be used: why, as one line for a person."""

    def __init__(self, reason: str, kind: str = "crash"):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # crash, timeout or too-large: the status of the call that was waiting


def encode_bytes(data: bytes) -> str | dict:
    """A bytes value (11.1): the text when it is UTF-8, else its hexadecimal form."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": data.hex()}


def decode_bytes(value: str | dict) -> bytes:
    if isinstance(value, dict):
        return bytes.fromhex(value["hex"])
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate written as \\udXXX: not UTF-8 text
        raise HarnessError("the answer holds a string with a lone surrogate, which is not UTF-8") from None


def request_line(message: dict) -> bytes:
    """A request as the runner writes it: compact, UTF-8 unescaped, fields in the table's order (11.1)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


@functools.cache
def _validators() -> dict[str, Any]:
    from jsonschema import Draft202012Validator

    schema = json.loads((spec_dir() / "harness.schema.json").read_text(encoding="utf-8"))
    return {
        name: Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}) for name in schema["$defs"]
    }


def _plain(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


def _bytes_value(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, dict) and value.keys() == {"hex"})


# The common answers, checked without the schema validator (a call's answer is checked thousands of
# times a run); anything that does not pass goes to the validator, which gives the reason.
_QUICK = {
    "answer_cli": lambda m: (
        m.keys() == {"seq", "stdout", "stderr", "exit_code"}
        and _plain(m["seq"], int)
        and _bytes_value(m["stdout"])
        and _bytes_value(m["stderr"])
        and _plain(m["exit_code"], int)
        and 0 <= m["exit_code"] <= 255
    ),
    "answer_library": lambda m: (
        _plain(m.get("seq"), int)
        and (
            (m.keys() == {"seq", "ports"} and isinstance(m["ports"], list) and all(_plain(p, int) for p in m["ports"]))
            or (m.keys() == {"seq", "free"} and isinstance(m["free"], bool))
        )
    ),
}


def invalid(message: Any, name: str) -> str:
    """Why ``message`` is not a valid ``name`` message of the schema; empty if it is."""
    from jsonschema.exceptions import best_match

    quick = _QUICK.get(name)
    plain = isinstance(message, dict) and not any(isinstance(v, dict) for v in message.values())
    if quick is not None and plain and quick(message):  # hex values still get the schema's pattern check
        return ""

    error = best_match(_validators()[name].iter_errors(message))
    if error is None:
        return ""
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where + ': ' if where else ''}{error.message[:300]}"


def library_settings(argv: list[bytes]) -> dict[str, str] | None:
    """The settings that arguments of the form --name=value stand for; None if they are not only that (11.3)."""
    settings: dict[str, str] = {}
    for arg in argv:
        try:
            text = arg.decode("utf-8")
        except UnicodeDecodeError:
            return None
        name, equals, value = text.partition("=")
        if not equals or name not in SETTING_OPTIONS or SETTING_OPTIONS[name] in settings:
            return None
        settings[SETTING_OPTIONS[name]] = value
    return settings


def command_line_only(case) -> str:
    """Why a case is not library-level (11.3); empty when it is."""
    if case.unit_only:
        return ""
    areas = {requirement.split("-")[1] for requirement in case.requirements}
    if not areas & LIBRARY_AREAS:
        return f"command-line only: it pins only section 7 ({', '.join(case.requirements)})"
    kind = next((key for key in LIBRARY_EXPECTATIONS if key in case.expect), None)
    if kind is None:
        shown = next(iter(case.expect), "?")
        return f"command-line only: a {shown} mode, which a library does not have"
    data = case.data["input"]
    if data.get("args_hex") or data.get("env_hex"):
        return "command-line only: a value that is not UTF-8, which a library's strings cannot hold"
    args = [arg.encode() for arg in data.get("args", [])]
    if library_settings(args) is None:
        return (
            "command-line only: its arguments are not only v1 options, each once ("
            + " ".join(data.get("args", []))[:120]
            + ")"
        )
    return ""


def judge_library(expect: dict, answer: dict, ports: dict[str, int], requirements: tuple) -> tuple | None:
    """None if a library answer meets the expectation, else (reason, requirement, rule) (11.3)."""
    from .judge import fill_ports

    main = requirements[0] if requirements else ""
    got = _shown_answer(answer)
    what = "ports" if "ports" in answer else got.split(" (")[0]  # free: true, usage error, ...
    if "ports" in expect or "port_count" in expect:
        if "ports" not in answer:
            return f"answered {got}, expected ports", main, f"{what} where ports are expected"
        if "ports" in expect:
            wanted = [int(fill_ports(port, ports)) for port in expect["ports"]]
            if answer["ports"] != wanted:
                return f"ports {answer['ports'][:20]}, expected {wanted[:20]}", main, "other ports than expected"
            return None
        count = expect["port_count"]
        if len(answer["ports"]) != count or not all(1 <= port <= 65535 for port in answer["ports"]):
            return f"{len(answer['ports'])} values, expected {count} ports", main, "another number of ports"
        return None
    if "error" in expect:
        kind = expect["error"]
        error = answer.get("error")
        if not error or error["kind"] != kind:
            return f"answered {got}, expected a {kind} error", main, f"{kind} error: answered {what}"
        return None
    if "test" in expect:
        wanted = expect["test"] == "free"
        if answer.get("free") is not wanted:
            return f"answered {got}, expected free: {str(wanted).lower()}", main, f"a {expect['test']} port: {what}"
        return None
    raise ValueError(f"not a library expectation: {expect!r}")


def _shown_answer(answer: dict) -> str:
    if "ports" in answer:
        return f"ports {answer['ports'][:10]}"
    if "free" in answer:
        return f"free: {str(answer['free']).lower()}"
    error = answer.get("error") or {}
    return f"{error.get('kind', '?')} error ({error.get('message', '')[:200]!r})"


@dataclass
class Restart:
    """One harness process ended by the runner: which call it broke and why."""

    seq: int
    condition: str
    reason: str
    counts: bool = True  # a protocol break; a call that ran out of time is a result, and does not count


class HarnessProcess:
    """One harness process: its pipes, its place in the sequence, and its stderr's tail."""

    def __init__(self, argv: list[bytes], env: dict[bytes, bytes], ids: tuple[int, int] | None, memory: int | None):
        self.folder = tempfile.mkdtemp(prefix="port4me-harness-")
        extra: dict = {}
        if ids is not None:
            os.chown(self.folder, *ids)
            extra = {"user": ids[0], "group": ids[1], "extra_groups": []}
        self.seq = 0
        self.sent: dict[int, str] = {}  # the last requests, for a person: which call an answer given twice was
        self.tail = bytearray()
        self._buffer = bytearray()
        self.started = time.monotonic()
        try:
            with process.born_under(memory):
                self.popen = subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                    cwd=self.folder,
                    start_new_session=True,
                    **extra,
                )
        except (OSError, subprocess.SubprocessError) as error:
            shutil.rmtree(self.folder, ignore_errors=True)
            reason = getattr(error, "strerror", None) or str(error)
            raise HarnessError(f"cannot start the harness {os.fsdecode(argv[0])}: {reason}") from None
        # The limit of a call's process (INTERPRETING 2.4), for the whole life of the harness: what any
        # one answer may make it allocate. RLIMIT_DATA, as for a command, since RLIMIT_AS would refuse
        # runtimes that reserve much address space and use little (V8, the JVM).
        self.memory_limit = process.impose_limits(self.popen.pid, memory)
        self.peak_memory = 0  # bytes: its largest resident set, read once it broke the protocol
        self.hello_answer: dict = {}  # its self-description
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            os.set_blocking(stream.fileno(), False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def hello(self, deadline: float) -> dict:
        answer = self.ask({"op": "hello", "seq": 0, "protocol": PROTOCOL}, "self_description", deadline)
        major = str(answer["protocol"]).split(".")[0]
        if major != PROTOCOL.split(".", maxsplit=1)[0]:
            raise HarnessError(f"speaks harness protocol {answer['protocol']}; this runner speaks {PROTOCOL}")
        return answer["implementation"]

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def ask(self, message: dict, schema: str, deadline: float) -> dict:
        """Send one request and return its answer, valid against ``schema``; HarnessError otherwise."""
        seq = message["seq"]
        self.sent[seq] = _summary(message)
        self.sent.pop(seq - 16, None)
        if self._buffer.strip():
            raise HarnessError(f"wrote {_peek(self._buffer)} with no request outstanding, before request {seq}")
        line = self._exchange(request_line(message), deadline, seq)
        try:
            answer = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            raise HarnessError(f"answered request {seq} with a line that is not JSON: {_peek(line)}") from None
        if not isinstance(answer, dict):
            raise HarnessError(f"answered request {seq} with JSON that is not an object: {_peek(line)}")
        if isinstance(answer.get("seq"), int) and not isinstance(answer.get("seq"), bool) and answer["seq"] != seq:
            other = answer["seq"]
            if other < seq:
                earlier = self.sent.get(other, "")
                raise HarnessError(
                    f"answered request {other}{' (' + earlier + ')' if earlier else ''} again (or late) "
                    f"while request {seq} was outstanding"
                )
            raise HarnessError(f"answered with seq {other} to request {seq}: a wrong sequence number")
        why = invalid(answer, schema)
        if why:
            raise HarnessError(f"answered request {seq} with an invalid {schema.replace('_', ' ')}: {why}")
        self._drain(0)  # a second answer written at once is caught now, for this call
        if self._buffer.strip():
            raise HarnessError(f"wrote more after its answer to request {seq}: {_peek(self._buffer)} (answered twice?)")
        return answer

    def _exchange(self, data: bytes, deadline: float, seq: int) -> bytes:
        """Write the request while reading both streams, until one whole line came back."""
        pending = memoryview(data)
        stdin = self.popen.stdin.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(self.popen.stdout.fileno(), selectors.EVENT_READ, "out")
            selector.register(self.popen.stderr.fileno(), selectors.EVENT_READ, "err")
            if pending:
                selector.register(stdin, selectors.EVENT_WRITE, "in")
            while True:
                end = self._buffer.find(b"\n")
                if end >= 0:
                    line = bytes(self._buffer[:end])
                    del self._buffer[: end + 1]
                    return line
                if len(self._buffer) > ANSWER_LIMIT:
                    raise HarnessError(
                        f"wrote more than {ANSWER_LIMIT} bytes without ending the answer line (request {seq})",
                        "too-large",
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise HarnessError(f"did not answer request {seq} in time", "timeout")
                for key, _ in selector.select(remaining):
                    if key.data == "in":
                        try:
                            written = os.write(stdin, pending[: 1 << 16])
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:
                            selector.unregister(stdin)
                            continue  # it closed its input: its exit (or its answer) tells why
                        pending = pending[written:]
                        if not pending:
                            selector.unregister(stdin)
                    elif not self._read(key.data):
                        selector.unregister(key.fd)
                        if key.data == "out":
                            raise HarnessError(f"{self._ended()} while request {seq} was outstanding")

    def _read(self, which: str) -> bool:
        """Read what one stream has; False at its end."""
        stream = self.popen.stdout if which == "out" else self.popen.stderr
        try:
            chunk = os.read(stream.fileno(), 1 << 16)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not chunk:
            return False
        if which == "out":
            self._buffer += chunk
        else:
            self.tail += chunk
            del self.tail[:-STDERR_KEPT]
        return True

    def _drain(self, timeout: float) -> None:
        """Read whatever both streams hold now."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.popen.stdout.fileno(), selectors.EVENT_READ, "out")
            selector.register(self.popen.stderr.fileno(), selectors.EVENT_READ, "err")
            for _ in range(64):
                events = selector.select(timeout)
                if not events:
                    return
                for key, _ in events:
                    if not self._read(key.data):
                        selector.unregister(key.fd)
                if len(self._buffer) > ANSWER_LIMIT or not selector.get_map():
                    return

    def _ended(self) -> str:
        """How the process ended (it closed its output): its exit status, once it has one."""
        code = self._reap(2.0)
        if code is None:
            return "closed its output"
        if code < 0:
            return f"was killed by {_signal_name(-code)}"
        return f"exited with status {code}"

    def _reap(self, wait: float) -> int | None:
        """Its exit code once it exited (within ``wait`` seconds), and its peak resident memory then."""
        end = time.monotonic() + wait
        while self.popen.returncode is None:
            try:
                pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                self.popen.poll()
                break
            if pid:
                self.popen.returncode = os.waitstatus_to_exitcode(status)
                self.peak_memory = max(self.peak_memory, usage.ru_maxrss * 1024)  # Linux counts kilobytes
                break
            if time.monotonic() >= end:
                return None
            time.sleep(0.01)
        return self.popen.returncode

    def measure_peak(self) -> int:
        """The largest resident set it had (bytes): from /proc while it runs, from wait4 once it exited."""
        if self._reap(0) is None:  # a zombie's /proc has no peak: reaped first, with its usage
            with contextlib.suppress(OSError, ValueError), open(f"/proc/{self.pid}/status", "rb") as status:
                for row in status:
                    if row.startswith(b"VmHWM:"):
                        self.peak_memory = max(self.peak_memory, int(row.split()[1]) * 1024)
        return self.peak_memory

    def stderr_tail(self, limit: int = 600) -> str:
        from .judge import visible

        self._drain(0)
        text = bytes(self.tail).decode("utf-8", "replace").strip()
        return visible(text[-limit:], limit + 20) if text else ""

    def stop(self) -> None:
        """The polite end: stop, then its input closed; killed if it lingers."""
        self.ask_to_stop()
        self.finish_stop(time.monotonic() + STOP_GRACE)

    def ask_to_stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            os.set_blocking(self.popen.stdin.fileno(), True)
            self.popen.stdin.write(request_line({"op": "stop", "seq": self.next_seq()}))
            self.popen.stdin.flush()
        with contextlib.suppress(OSError, ValueError):
            self.popen.stdin.close()

    def finish_stop(self, deadline: float) -> None:
        """Killed (with its group) once it has exited, or at the deadline."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(max(deadline - time.monotonic(), 0))
        self.kill()

    def signal_group(self, number: int) -> None:
        """Signal its process group while it has not been reaped (after that, its number may be another's)."""
        if self.popen.returncode is None:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, number)

    def kill(self) -> list[str]:
        """End the process and everything in its session; what was killed."""
        killed = []
        if self.popen.poll() is None:
            killed.append(f"pid {self.pid} (the harness)")
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.popen.kill()
        self.popen.wait()
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        return killed


def _summary(message: dict) -> str:
    """A request in a few words: its arguments or its settings."""
    if message.get("op") != "call":
        return str(message.get("op"))
    if message["interface"] == "cli":
        words = [arg if isinstance(arg, str) else "<hex>" for arg in message["argv"]]
    else:
        words = [f"{name}={value}" for name, value in message["settings"].items()]
    return " ".join(words)[:120] or "no arguments"


def _peek(data: bytes | bytearray, limit: int = 120) -> str:
    from .judge import visible

    return repr(visible(bytes(data[:limit]), limit + 10)) + ("…" if len(data) > limit else "")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@dataclass
class _Pool:
    """The processes of one adapter: one per (thread, condition), and the restarts so far."""

    processes: dict[tuple[int, str], HarnessProcess] = field(default_factory=dict)
    restarts: list[Restart] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # condition -> why no harness starts under it
    threads: set[int] = field(default_factory=set)  # the workers that started a process: kept after close()
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Processes started ahead (prepare), by (worker, condition), until the worker's first call takes one;
    # and those still saying hello, which close() ends.
    ahead: dict[tuple[int, str], Future] = field(default_factory=dict)
    greeting: set[HarnessProcess] = field(default_factory=set)
    prepared: set[tuple[int, str]] = field(default_factory=set)


class HarnessAdapter(Adapter):
    """An implementation behind a harness (``--impl=NAME=harness:COMMAND``), on one interface."""

    long_lived = True

    def __init__(
        self,
        name: str,
        command: list[str],
        interface: str = "",
        start_timeout: float = DEFAULT_START_TIMEOUT,
        restarts: int = DEFAULT_RESTARTS,
        env: dict[bytes, bytes] | None = None,
        memory: int | None = process.MEMORY_LIMIT,
    ):
        self.name = name
        self.command = command
        self.wanted = interface  # "" lets the harness's self-description decide (cli first)
        self.interface = interface or "cli"
        self.start_timeout = start_timeout
        self.max_restarts = restarts
        self.memory = memory  # bytes each harness process may allocate (--memory; None: no limit)
        self.env = env or {b"PATH": b"/usr/local/bin:/usr/bin:/bin", b"HOME": b"/nonexistent", b"LANG": b"C.UTF-8"}
        self.description = "harness:" + " ".join(command)
        self.implementation: dict | None = None
        self.failed_start = ""
        self._pool = _Pool()

    # -- the self-description and the interface

    def describe(self) -> dict | None:
        """Start the first process and read its self-description; None (and failed_start) if it cannot start."""
        if self.implementation is not None or self.failed_start:
            return self.implementation
        try:
            self._process("")
        except HarnessError as error:
            self.failed_start = error.reason
        return self.implementation

    @property
    def version_line(self) -> str:
        described = self.describe()
        if described is None:
            return f"(no self-description: {self.failed_start})"
        language = " ".join(filter(None, [described.get("language"), described.get("language_version")]))
        return f"{described['name']} {described['version']} ({language}; harness protocol {PROTOCOL}, {self.interface})"

    def facts(self) -> dict:
        """What a report says about this harness (11.6)."""
        return {
            "protocol": PROTOCOL,
            "interface": self.interface,
            "implementation": self.implementation,
            "failed_start": self.failed_start,
            "restarts": [
                {"seq": r.seq, "condition": r.condition, "reason": r.reason} for r in list(self._pool.restarts)
            ],
            "processes": len(self._pool.threads) or 1,
        }

    def not_applicable(self, case) -> str:
        """Why a case is n/a on this interface; empty if it runs."""
        if self.interface == "library":
            return command_line_only(case)
        return ""

    def evaluates_unit(self, case) -> bool:
        offered = set((self.describe() or {}).get("unit") or ())
        return all(entry["function"] in offered for entry in case.data.get("unit", []))

    # -- conditions

    def cannot_impose(self, condition: str) -> str:
        reason = super().cannot_impose(condition)
        if reason:
            return reason
        if condition not in self._pool.refused:
            try:
                self._process(condition)
                self._pool.refused[condition] = ""
            except HarnessError as error:
                ids = condition_ids(condition)
                blocked = _unreachable(self.command, ids[0]) if ids else ""
                self._pool.refused[condition] = f"the harness does not start under it: {error.reason}" + (
                    f": {blocked}" if blocked else ""
                )
        return self._pool.refused[condition]

    def _argv(self, condition: str) -> list[bytes]:
        return confined([os.fsencode(part) for part in self.command], condition)

    def _process(self, condition: str) -> HarnessProcess:
        """This thread's process for the condition, started (and greeted) if it has none."""
        key = (threading.get_ident(), condition)
        running = self._pool.processes.get(key)
        if running is not None:
            return running
        with self._pool.lock:
            if self.failed_start:
                raise HarnessError(f"not run: the harness did not start ({self.failed_start})")
            broken = [r for r in self._pool.restarts if r.counts]
            if len(broken) > self.max_restarts:
                last = broken[-1].reason
                raise HarnessError(
                    f"not run: the harness was restarted {self.max_restarts} times and is given up (last: {last})"
                )
            ahead = self._pool.ahead.pop((getattr(_worker, "index", 0), condition), None)
        started = ahead.result() if ahead is not None else self._start(condition)
        described = started.hello_answer
        with self._pool.lock:
            if self.implementation is None:
                self.implementation = described
                offered = described.get("interfaces") or []
                if not self.wanted:
                    self.interface = "cli" if "cli" in offered else "library"
            elif described != self.implementation:
                started.kill()
                raise HarnessError("a new harness process described itself differently from the first one")
            if self.interface not in (described.get("interfaces") or []):
                started.kill()
                raise HarnessError(
                    f"offers the interfaces {described.get('interfaces')}, not {self.interface!r}", "crash"
                )
            self._pool.processes[key] = started
            self._pool.threads.add(key[0])
        return started

    def _start(self, condition: str) -> HarnessProcess:
        """A new process for the condition that has said hello (its description not yet compared)."""
        started = HarnessProcess(self._argv(condition), self.env, condition_ids(condition), self.memory)
        with self._pool.lock:
            self._pool.greeting.add(started)
        try:
            started.hello_answer = started.hello(time.monotonic() + self.start_timeout)
        except HarnessError as error:
            with self._pool.lock:
                self._pool.greeting.discard(started)
            tail = started.stderr_tail()
            started.kill()
            raise HarnessError(f"{error.reason}{'; its stderr: ' + tail if tail else ''}", error.kind) from None
        with self._pool.lock:
            self._pool.greeting.discard(started)
        return started

    def prepare(self, workers: list[int], conditions: list[str]) -> None:
        """Start, all at once and in the background, the processes a run will ask for: one per worker and
        one per host condition (worker 0's). Each costs as much as hundreds of calls; started one after the
        other, as calls first need them, their starts would add up (11.5)."""
        wanted = [(worker, "") for worker in workers]
        wanted += [(0, condition) for condition in conditions if not Adapter.cannot_impose(self, condition)]
        mine = threading.get_ident()  # the caller is worker 0 (run_dealt)
        with self._pool.lock:
            if self.failed_start:
                return
            wanted = [
                key
                for key in wanted
                if key not in self._pool.prepared and not (key[0] == 0 and (mine, key[1]) in self._pool.processes)
            ]
            for key in wanted:
                self._pool.prepared.add(key)
                self._pool.ahead[key] = Future()
        for key in wanted:
            threading.Thread(target=self._start_ahead, args=(key,), name=f"harness-start-{key[0]}{key[1]}").start()

    def _start_ahead(self, key: tuple[int, str]) -> None:
        future = self._pool.ahead[key]
        try:
            future.set_result(self._start(key[1]))
        except BaseException as error:  # noqa: BLE001 - raised again in the worker that takes it
            future.set_exception(error)

    def _broken(self, condition: str, seq: int, error: HarnessError) -> tuple[str, tuple[str, ...], tuple[int, int]]:
        """End this thread's process for the condition: the reason shown, what was killed, and its
        (peak memory, memory limit) in bytes, which tell whether it broke for want of memory."""
        key = (threading.get_ident(), condition)
        broken = self._pool.processes.pop(key, None)
        if broken is None:
            return error.reason, (), (0, 0)
        tail = broken.stderr_tail()
        peak = broken.measure_peak()
        killed = tuple(broken.kill())
        peak = max(peak, broken.peak_memory)
        reason = f"the harness {error.reason}" + (f"; its stderr ended: {tail}" if tail else "")
        with self._pool.lock:
            self._pool.restarts.append(Restart(seq, condition, error.reason, error.kind != "timeout"))
        return reason, killed, (peak, broken.memory_limit)

    # -- calls

    def run(self, invocation: Invocation, timeout: float) -> Outcome:
        start = time.monotonic()
        condition = invocation.condition
        try:
            harness = self._process(condition)
        except HarnessError as error:
            return Outcome(b"", b"", None, False, time.monotonic() - start, failure=error.reason)
        seq = harness.next_seq()
        if self.interface == "library":
            settings = library_settings(invocation.argv)
            if settings is None:  # not_applicable() keeps such cases away; a direct caller may not
                return Outcome(b"", b"", None, failure="not a library call: arguments other than v1 options")
            message = {
                "op": "call",
                "seq": seq,
                "interface": "library",
                "settings": settings,
                "env": {os.fsdecode(k): v.decode("utf-8", "replace") for k, v in invocation.env.items()},
                "condition": condition,
            }
        else:
            message = {
                "op": "call",
                "seq": seq,
                "interface": "cli",
                "argv": [encode_bytes(arg) for arg in invocation.argv],
                "env": {os.fsdecode(k): encode_bytes(v) for k, v in invocation.env.items()},
                "condition": condition,
            }
        try:
            answer = harness.ask(message, f"answer_{self.interface}", start + timeout)
            if self.interface == "cli":
                stdout, stderr = decode_bytes(answer["stdout"]), decode_bytes(answer["stderr"])
        except HarnessError as error:
            reason, killed, (peak, limit) = self._broken(condition, seq, error)
            seconds = time.monotonic() - start
            memory = {"peak_memory": peak, "memory_limit": limit}
            if error.kind == "timeout":
                return Outcome(b"", b"", None, True, seconds, killed=killed, **memory)
            if error.kind == "too-large":
                return Outcome(b"", b"", None, False, seconds, too_large=True, killed=killed, **memory)
            return Outcome(b"", b"", None, False, seconds, failure=reason, killed=killed, **memory)
        seconds = time.monotonic() - start
        if self.interface == "cli":
            too_large = len(stdout) > process.OUTPUT_LIMIT or len(stderr) > process.OUTPUT_LIMIT
            if too_large:
                stdout, stderr = stdout[: process.OUTPUT_LIMIT], stderr[: process.OUTPUT_LIMIT]
            return Outcome(stdout, stderr, None if too_large else answer["exit_code"], False, seconds, None, too_large)
        del answer["seq"]
        shown = json.dumps(answer, ensure_ascii=False).encode()
        error = answer.get("error")
        if error and error["kind"] == "crash":  # it may have run out of memory, and lived on
            failure = f"the library failed: {error['message'][:300]}"
            memory = {"peak_memory": harness.measure_peak(), "memory_limit": harness.memory_limit}
            return Outcome(shown, b"", None, False, seconds, failure=failure, **memory)
        message_bytes = (error["message"] + "\n").encode() if error else b""
        return Outcome(shown, message_bytes, None, False, seconds, answer=answer)

    def unit(self, function: str, value: object) -> object:
        harness = self._process("")
        seq = harness.next_seq()
        try:
            answer = harness.ask(
                {"op": "unit", "seq": seq, "function": function, "input": value}, "answer_unit", time.monotonic() + 60
            )
        except HarnessError as error:
            reason, _, _ = self._broken("", seq, error)
            raise HarnessError(reason, error.kind) from None
        return answer["value"]

    def command_line(self, invocation: Invocation) -> list[bytes]:
        return by_hand(self._argv(invocation.condition), invocation.condition)

    def reproduce(self, invocation: Invocation) -> str:
        """A shell line that sends this one call to a fresh harness (its state from earlier calls aside)."""
        from .reproduce import word

        if self.interface == "library":
            settings = library_settings(invocation.argv) or {}
            env = {os.fsdecode(k): v.decode("utf-8", "replace") for k, v in invocation.env.items()}
            call = {"op": "call", "seq": 1, "interface": "library", "settings": settings, "env": env}
        else:
            call = {
                "op": "call",
                "seq": 1,
                "interface": "cli",
                "argv": [encode_bytes(arg) for arg in invocation.argv],
                "env": {os.fsdecode(k): encode_bytes(v) for k, v in invocation.env.items()},
            }
        call["condition"] = invocation.condition
        requests = [{"op": "hello", "seq": 0, "protocol": PROTOCOL}, call, {"op": "stop", "seq": 2}]
        lines = " ".join(word(request_line(r)[:-1]) for r in requests)
        assignments = " ".join(word(name + b"=" + value) for name, value in self.env.items())
        command = " ".join(word(part) for part in self.command_line(invocation))
        return f"cd \"$(mktemp -d)\" && printf '%s\\n' {lines} | env -i {assignments} {command}"

    def close(self) -> None:
        """Stop every process (the end of the run): all asked at once, then each given the same grace."""
        with self._pool.lock:
            ahead, self._pool.ahead = list(self._pool.ahead.values()), {}
            for greeting in self._pool.greeting:  # started ahead for a call that never came: not waited for
                greeting.signal_group(signal.SIGKILL)
        for future in ahead:
            with contextlib.suppress(BaseException):
                future.result().kill()
        stopping = [self._pool.processes.pop(key) for key in list(self._pool.processes)]
        for harness in stopping:
            harness.ask_to_stop()
        deadline = time.monotonic() + STOP_GRACE
        for harness in stopping:
            harness.finish_stop(deadline)


# The index of the worker a thread is, in run_dealt: which process started ahead (prepare) is its own.
_worker = threading.local()


def deal(work: list, jobs: int, first=lambda item: False) -> list[list[int]]:
    """The positions in ``work`` each worker runs, in order (11.5): the items ``first`` says go to worker 0,
    the k-th of the others to worker k mod jobs; all to worker 0 when there is one job or one item."""
    if jobs <= 1 or len(work) <= 1:
        return [list(range(len(work)))]
    dealt: list[list[int]] = [[] for _ in range(jobs)]
    others = 0
    for position, item in enumerate(work):
        if first(item):
            dealt[0].append(position)
        else:
            dealt[others % jobs].append(position)
            others += 1
    return dealt


def run_dealt(work: list, jobs: int, call, first=lambda item: False) -> list:
    """Run ``call`` on each item, each worker in order, as ``deal`` deals them."""
    results: list = [None] * len(work)
    dealt = deal(work, jobs, first)
    if len(dealt) == 1:
        return [call(item) for item in work]

    def worker(index: int) -> None:
        _worker.index = index
        for position in dealt[index]:
            results[position] = call(work[position])

    errors: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            worker(index)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    # Worker 0 is the calling thread, which already holds the process that said hello.
    threads = [threading.Thread(target=guarded, args=(k,), name=f"harness-worker-{k}") for k in range(1, jobs)]
    for thread in threads:
        thread.start()
    guarded(0)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
