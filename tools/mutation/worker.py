"""Inside one isolated process: load a mutant of the reference, run the vectors until one fails.

The parent forks one process per mutant (isolate.py); this module is what that
process runs.  The mutated module is compiled from the mutated AST and served by an
import hook, so ``port4me`` is imported fresh, with the mutant in place, and every
module that imports from it sees the mutant.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import importlib.abc
import importlib.util
import io
import os
import signal
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from port4me_conformance.adapters import Invocation, Outcome
from port4me_conformance.host import Host
from port4me_conformance.inprocess import InProcessAdapter
from port4me_conformance.results import FAILED, WARN
from port4me_conformance.runner import Options, Runner
from port4me_conformance.vectors import Case

from .mutants import Mutant, apply

PACKAGE = "port4me"
ENTRY = "port4me.cli:main"


class CaseTimeout(BaseException):
    """Raised by SIGALRM in a call that outlived its time limit (a BaseException, like a kill)."""


@dataclass(frozen=True)
class Work:
    """What every mutant runs: the cases in order, and how."""

    items: list[tuple[Case, str]]  # (case, variant)
    host: Host
    lock_path: str  # cases holding ports take this lock, across the concurrent processes
    case_timeout: float
    entry: str = "run"  # "run": as the console script; "main": main(argv, env, stdout, stderr)


class _MutantLoader(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves one module's mutated code object in place of its source file."""

    def __init__(self, fullname: str, path: str, code) -> None:
        self.fullname, self.path, self.code = fullname, path, code

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.fullname:
            return None
        return importlib.util.spec_from_file_location(fullname, self.path, loader=self)

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        exec(self.code, module.__dict__)


def compile_mutant(source_path: Path, mutant: Mutant):
    """The mutated module's code object (compiled with the real file name, for tracebacks)."""
    tree = ast.parse(source_path.read_text(encoding="utf-8"))
    return compile(apply(tree, mutant), str(source_path), "exec")


def install(mutant: Mutant | None, source_dir: Path) -> None:
    """Forget any loaded port4me; serve the mutant's module when port4me is imported next."""
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    if mutant is not None:
        path = source_dir / f"{mutant.module}.py"
        sys.meta_path.insert(0, _MutantLoader(f"{PACKAGE}.{mutant.module}", str(path), compile_mutant(path, mutant)))


class _FileLock:
    """An exclusive lock on a file, opened anew here: flock does not exclude a shared open file."""

    def __init__(self, path: str):
        self.path = path
        self.fd = -1

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)  # closing releases the lock


class MutantAdapter(InProcessAdapter):
    """The in-process adapter, with a time limit per call, entered as the installed command is.

    With ``entry="run"`` a call goes through the console script's ``cli.run()``, with
    ``sys.argv``, ``os.environ`` and the standard streams replaced: the code a real
    ``port4me`` process runs (including main's defaults and run's exit) is what is
    mutated and measured.  This process is a disposable fork, so replacing them is safe.
    """

    def __init__(self, case_timeout: float, entry: str = "run"):
        super().__init__("mutant", ENTRY, unit=reference_unit())
        self.case_timeout = case_timeout
        self.entry = entry
        # What a forked call (a host condition) needs is imported now, before any call's time
        # limit runs: importing every module of the package took longer than one call's limit on
        # a loaded machine, and every listed mutant was "killed" by the first such vector.
        self._preload()
        if entry == "run":
            self.run_command = importlib.import_module(f"{PACKAGE}.cli").run
            self.main = self._main_as_command  # the adapter's forked child (a host condition) enters the same way

    def _main_as_command(self, argv: list[str], env: dict[str, str], stdout, stderr) -> int | None:
        """main()'s signature, run as the console script runs: for calls in the adapter's forked child."""
        environment = {os.fsencode(k): os.fsencode(v) for k, v in env.items()}
        invocation = Invocation([os.fsencode(a) for a in argv], environment)
        outcome = self._run_as_command(invocation)
        stdout.write(outcome.stdout.decode("utf-8", "surrogateescape"))
        stderr.write(outcome.stderr.decode("utf-8", "surrogateescape"))
        return outcome.exit_code

    def run(self, invocation: Invocation, timeout: float) -> Outcome:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, self.case_timeout)
        try:
            if self.entry == "main" or invocation.condition:
                # A host condition (another user, a seccomp filter) runs in the adapter's forked child.
                return super().run(invocation, timeout)
            return self._run_as_command(invocation)
        except CaseTimeout:  # fired outside the call itself, in the adapter's own code
            return Outcome(b"", b"", None, failure=f"timed out after {self.case_timeout} s")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def _run_as_command(self, invocation: Invocation) -> Outcome:
        sys.argv = ["port4me", *(os.fsdecode(arg) for arg in invocation.argv)]
        os.environ.clear()
        os.environ.update({os.fsdecode(k): os.fsdecode(v) for k, v in invocation.env.items()})
        out, err = io.BytesIO(), io.BytesIO()
        # As Python sets them up under LANG=C.UTF-8: UTF-8, strict on stdout, backslashreplace on stderr.
        stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
        stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True)
        sys.stdout, sys.stderr = stdout, stderr
        try:
            self.run_command()
            code = 0  # the console script's sys.exit(run()): run() returning None exits 0
        except SystemExit as done:
            code = _exit_status(done.code)
        except CaseTimeout:
            raise
        except BaseException:  # noqa: BLE001 - as an uncaught exception ends a process: traceback, exit 1
            sys.stderr.write(traceback.format_exc())
            code = 1
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
            for stream in (stdout, stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
                    stream.detach()  # else collecting the wrapper would close the buffer
        return Outcome(out.getvalue(), err.getvalue(), code)


def reference_unit() -> dict:
    """The reference's functions of spec section 3 on the inputs of INTERPRETING section 5, declared for
    the in-process adapter: those of the package as imported now (the mutant, once installed)."""
    algorithm = importlib.import_module(f"{PACKAGE}.algorithm")
    return {
        "string_hash": algorithm.string_hash,
        "initial_state": lambda seed: algorithm.initial_state(seed, None),  # the seed string, no tool
        "lcg_next": algorithm.lcg_next,
        "seed_string": lambda pair: algorithm.seed_string(*pair),
    }


def _exit_status(code: object) -> int:
    """What a process exits with for sys.exit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1  # sys.exit("message") prints it and exits 1


def _on_alarm(signum, frame):
    raise CaseTimeout


class MutantRunner(Runner):
    """The conformance runner, its port-holding cases serialised across processes."""

    def __init__(self, adapter, options: Options, host: Host, lock_path: str):
        super().__init__(adapter, options, host)
        self._real_check_lock = _FileLock(lock_path)


def level(case: Case) -> str:
    """Which kind of vector a case is: sequence, check (real sockets) or unit (library values only)."""
    if case.unit_only:
        return "unit"
    return "check" if case.real_check else "sequence"


def run_vectors(work: Work) -> dict:
    """Run the cases in order against the installed mutant; stop at the first failure."""
    try:
        adapter = MutantAdapter(work.case_timeout, work.entry)
    except BaseException as error:  # noqa: BLE001 - a mutant that breaks the import fails every vector
        return {"status": "killed", "by": "(import)", "level": "import", "reason": f"{type(error).__name__}: {error}"}
    runner = MutantRunner(adapter, Options(jobs=1, timeout=work.case_timeout), work.host, work.lock_path)
    passed = 0
    for case, variant in work.items:
        try:
            result = runner.run_one(case, variant)
        except CaseTimeout:
            return {"status": "killed", "by": case.id, "level": level(case), "reason": "timed out", "passed": passed}
        if result.status in (*FAILED, WARN):  # a crash, a timeout, or a SHOULD broken: told apart all the same
            return {
                "status": "killed",
                "by": result.name,
                "level": level(case),
                "reason": result.reason,
                "passed": passed,
            }
        passed += 1
    return {"status": "survived", "passed": passed}
