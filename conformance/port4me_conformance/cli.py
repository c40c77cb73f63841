"""``port4me-conformance``: check port4me implementations against the spec v1.2 test vectors."""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shlex
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import INTERPRETING_VERSION, SPEC_VERSION, __version__, contain, known, output, process
from .adapters import Adapter, SubprocessAdapter
from .harness import DEFAULT_RESTARTS, DEFAULT_START_TIMEOUT, HarnessAdapter
from .host import Host
from .inprocess import InProcessAdapter
from .paths import shipped_known_differences
from .progress import Progress
from .report import RUN_FAILS, Run, Session, json_report, junit, level_verdicts, markdown, terminal
from .report import html as html_report
from .results import TIMEOUT
from .runner import BASE_PATH, DEFAULT_TIMEOUT, Options, Runner, variants
from .smoke import SMOKE
from .vectors import LEVELS, Case, VectorError, load, select

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_WRITE, EXIT_PIPE = 0, 1, 2, 3, 141
NAME = re.compile(r"^[A-Za-z0-9_.+-]+$")
# Bounds of the runner's own numbers: past them a value is a mistake (and would overflow select() or threads).
MAX_JOBS = 256
MAX_TIMEOUT = 86400.0  # one day per call
MAX_MEMORY_MIB = 1 << 20  # 1 TiB
DEFAULT_MEMORY_MIB = process.MEMORY_LIMIT >> 20
REPORTS = ("json", "junit", "markdown", "html")
EPILOG = f"""\
examples:
  port4me-conformance --impl=port4me --html=report.html
  port4me-conformance --impl=bash=./bin/port4me --impl=r="Rscript -e port4me::port4me" --markdown=matrix.md
  port4me-conformance --impl=upstream="venv/bin/python -m port4me" --known-differences=upstream-python-0.7.0
  port4me-conformance --impl=mine=./port4me --write-known-differences=known.yaml   # then give each entry a reason

A COMMAND is split like a shell would split it, but never run through a shell.
'inprocess:MODULE:FUNCTION' calls a Python main(argv, env, stdout, stderr) directly.
'harness:COMMAND' starts COMMAND once and sends it every call as a JSON line (INTERPRETING.md
section 11), on its command-line interface if it offers one, else its library's;
'harness-cli:COMMAND' and 'harness-library:COMMAND' choose. A harness's calls run in a
shuffled order: --seed=N repeats one.
Shipped known-differences files: {", ".join(shipped_known_differences()) or "none"}.
Exit status: 0 the run succeeded (every result passed, warned, was skipped or is a listed
known difference), 1 some result failed, crashed, wrote too much, timed out, or a known
difference passed; 2 bad input to the runner; 3 a report or the summary could not be
written; 130 or 143 stopped by SIGINT or SIGTERM (the reports hold the results so far).
A report FILE may be - for stdout (the summary then goes to stderr). See spec/INTERPRETING.md.
"""


BASE_ENV = {"PATH": BASE_PATH, "HOME": "/nonexistent", "LANG": "C.UTF-8"}  # a harness process's own (2.1)


class UsageError(Exception):
    """Bad input to the runner: exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as for every other bad input
        self.exit(EXIT_USAGE, f"port4me-conformance: {_one_line(message)} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="port4me-conformance",
        description=__doc__,
        epilog=EPILOG,
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = p.add_argument
    add(
        "--impl",
        action="append",
        default=[],
        metavar="[NAME=]COMMAND",
        help="an implementation to check (repeatable); relative paths with a slash in COMMAND are taken from here",
    )
    add("--jobs", default=str(os.cpu_count() or 1), metavar="N", help="calls run at once (default: CPUs)")
    add("--timeout", default=f"{DEFAULT_TIMEOUT:g}", metavar="SECONDS", help="per call, output included (default 10)")
    add(
        "--containment",
        choices=("auto", "process-group"),
        default="auto",
        help="auto: each call in a cgroup of its own where the host allows it (cgroup v2), else its process "
        "group and a scan of /proc; process-group: never a cgroup (the report says which was used)",
    )
    add(
        "--memory",
        default=str(DEFAULT_MEMORY_MIB),
        metavar="MiB",
        help=f"memory each process of a call may allocate (default {DEFAULT_MEMORY_MIB}; RLIMIT_DATA)",
    )
    add("--allow-timeouts", action="store_true", help="a timeout does not fail the run (the level stays incomplete)")
    add(
        "--require-conformant",
        action="store_true",
        help="fail the run unless every implementation is conformant at every level run (no skip, no known difference)",
    )
    add(
        "--select",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only cases whose id, file, requirement ID or tag matches (wildcards; repeatable)",
    )
    add(
        "--deselect",
        action="append",
        default=[],
        metavar="PATTERN",
        help="leave out cases that match (same patterns; repeatable)",
    )
    add("--level", choices=LEVELS, help="only the cases of one conformance level")
    add(
        "--known-differences",
        action="append",
        default=[],
        metavar="[NAME=]FILE",
        help="expected failures with reasons, for one implementation (or all); FILE may be a shipped name",
    )
    add(
        "--write-known-differences",
        metavar="[NAME=]FILE",
        help="write a starting known-differences file from this run, grouped by cause",
    )
    add(
        "--via",
        choices=("options", "env", "both"),
        default="both",
        help="pass abstract settings as options, as PORT4ME_* variables, or both ways (default)",
    )
    add(
        "--pass-env",
        action="append",
        default=[],
        metavar="NAME",
        help="also pass this variable of the runner's environment to the implementation",
    )
    add("--seed", metavar="N", help="the shuffled order of a harness's calls (default: a new one, reported)")
    add(
        "--harness-start-timeout",
        default=f"{DEFAULT_START_TIMEOUT:g}",
        metavar="SECONDS",
        help="how long a harness may take to say hello (default 60)",
    )
    add(
        "--harness-restarts",
        default=str(DEFAULT_RESTARTS),
        metavar="N",
        help="restarts of a harness that broke the protocol before its remaining calls are given up (default 10)",
    )
    add("--vectors", metavar="DIR", help="read vectors from DIR instead of the shipped ones")
    add("--json", metavar="FILE", help="write a JSON report (spec/report.schema.json)")
    add("--junit", metavar="FILE", help="write a JUnit XML report")
    add("--markdown", metavar="FILE", help="write a Markdown compatibility matrix")
    add(
        "--html",
        metavar="FILE",
        help="write a single-file HTML report: the matrix, each failure with its reproducing line",
    )
    add(
        "--smoke",
        action="store_true",
        help=f"run only the smoke set: {len(SMOKE)} cases (at most 60 results) that touch every stage and every "
        "requirement area, in seconds; with --select or --deselect, the part of it they keep",
    )
    add(
        "--max-failures",
        metavar="N",
        help="stop an implementation's run after N failing results (fail, crash, output-too-large, xpass, "
        "timeout); the reports hold the results so far and say that the run stopped early",
    )
    add("--list-cases", action="store_true", help="list the selected cases and exit")
    add("--verbose", action="store_true", help="list every result under its cause, known differences and skips too")
    add("--quiet", action="store_true", help="no progress lines on stderr")
    add(
        "--version",
        action="version",
        version=f"port4me-conformance {__version__} (spec {SPEC_VERSION}, INTERPRETING.md {INTERPRETING_VERSION})",
    )
    return p


def parse_impl(text: str, index: int, harness: dict | None = None) -> Adapter:
    name, sep, command = text.partition("=")
    if not sep or not NAME.match(name) or "/" in name:
        name, command = "", text
    prefix, colon, rest = command.partition(":")
    if colon and prefix in HARNESS_PREFIXES:
        argv = _command(text, rest)
        interface = HARNESS_PREFIXES[prefix]
        return HarnessAdapter(name or Path(argv[0]).name or f"impl{index}", argv, interface, **(harness or {}))
    if command.startswith("inprocess:"):
        try:
            return InProcessAdapter(name or "inprocess", command[len("inprocess:") :])
        except ValueError as error:
            raise UsageError(f"--impl={text}: {error}") from None
    argv = _command(text, command)
    return SubprocessAdapter(name or Path(argv[0]).name or f"impl{index}", argv)


HARNESS_PREFIXES = {"harness": "", "harness-cli": "cli", "harness-library": "library"}


def _command(text: str, command: str) -> list[str]:
    """A command split into words, its program found and made absolute, as are relative paths in it."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise UsageError(f"--impl={text}: cannot split the command: {error}") from None
    if not argv:
        raise UsageError(f"--impl={text}: empty command")
    found = shutil.which(argv[0])
    if found is None:
        reason = "is not executable" if Path(argv[0]).exists() else "is not found"
        raise UsageError(f"--impl={text}: {argv[0]!r} {reason}")
    argv[0] = str(Path(found).absolute())
    argv[1:] = [_absolute_if_path(arg) for arg in argv[1:]]
    return argv


def _absolute_if_path(arg: str) -> str:
    """A relative path with a slash that exists here, made absolute: each call runs in a fresh empty folder."""
    if "/" in arg and not arg.startswith(("/", "-")) and Path(arg).exists():
        return str(Path(arg).absolute())
    return arg


def _one_line(text: str) -> str:
    """``text`` with every character that is not printable escaped (a newline shown as \\n)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _shown(text: str) -> str:
    """A value as an error message quotes it: on one line, and shortened."""
    text = _one_line(text)
    return text if len(text) <= 40 else f"{text[:20]}…{text[-10:]} ({len(text)} characters)"


def positive(text: str, option: str, kind: type, most: float | None = None) -> float:
    """A positive number written in plain ASCII digits (and, for seconds, one decimal point), at most ``most``."""
    pattern = r"[0-9]+" if kind is int else r"[0-9]+(\.[0-9]*)?|\.[0-9]+"
    shown = _shown(text)
    if not re.fullmatch(pattern, text, re.ASCII):
        raise UsageError(f"{option}={shown}: expected a positive {'whole ' if kind is int else ''}number")
    limit = "" if most is None else str(int(most)) if kind is int else f"{most:g}"
    whole, point, fraction = text.partition(".")
    whole = whole.lstrip("0") or "0"  # int() refuses 4,301 digits, leading zeros too: said here first
    if most is not None and len(whole) > len(str(int(most))):
        raise UsageError(f"{option}={shown}: at most {limit}")
    value = kind(whole + point + fraction)
    if not value > 0:
        raise UsageError(f"{option}={shown}: expected a positive {'whole ' if kind is int else ''}number")
    if most is not None and value > most:
        raise UsageError(f"{option}={shown}: at most {limit}")
    return value


def check_outputs(args: argparse.Namespace, names: list[str]) -> list[tuple[str, str]]:
    """Every report path, checked before the first case runs: (option, path); at most one is stdout."""
    paths = [(option, getattr(args, option)) for option in REPORTS if getattr(args, option) is not None]
    write_known = _per_name([args.write_known_differences], names) if args.write_known_differences else []
    paths += [("write-known-differences", path) for _, path in write_known]
    if sum(path == output.STDOUT for _, path in paths) > 1:
        raise UsageError("only one report can go to stdout (-)")
    for option, path in paths:
        try:
            output.check(path)
        except output.OutputError as error:
            raise UsageError(f"--{option}={path}: {error}") from None
    return paths


def _per_name(values: list[str], names: list[str]) -> list[tuple[str, str]]:
    """[NAME=]VALUE -> (name or "" for all, value)."""
    out = []
    for value in values:
        name, sep, rest = value.partition("=")
        out.append((name, rest) if sep and name in names else ("", value))
    return out


def load_known(specs: list[str], names: list[str], cases: list[Case]) -> tuple[dict, dict]:
    """Per implementation: case id (or id@variant) -> reason, and the files applied."""
    table: dict[str, dict[str, str]] = {name: {} for name in names}
    files: dict[str, list[str]] = {name: [] for name in names}
    for target, value in _per_name(specs, names):
        try:
            path = known.resolve(value)
            entries = known.load(path, cases)
        except known.KnownError as error:
            raise UsageError(f"--known-differences: {error}") from None
        for name in [target] if target else names:
            table[name].update(entries)
            files[name].append(str(path))
    return table, files


@dataclass(frozen=True)
class Plan:
    """What the command line asks for, checked: the cases, the implementations and how to run and report them."""

    args: argparse.Namespace
    cases: list[Case]
    adapters: list[Adapter]
    session: Session
    known: dict[str, dict[str, str]]  # per implementation: case id (or id@variant) -> reason
    known_files: dict[str, list[str]]
    write_known: list[tuple[str, str]]
    pass_env: dict[str, str]
    max_failures: int = 0  # stop an implementation after this many failing results; 0: never


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        plan = parse(args)
    except (UsageError, VectorError) as error:
        print(f"port4me-conformance: {error}", file=sys.stderr)
        return EXIT_USAGE
    if plan is None:
        return EXIT_OK
    try:
        with _stopped_by_signals() as stopped:
            runs = run_all(plan, stopped)
        plan.session.host["containment"] = contain.containment()
        if stopped:
            plan.session.interrupted = signal.Signals(stopped[0]).name
        code = report(plan, runs)
    finally:
        contain.cleanup()
    return 128 + stopped[0] if stopped else code


def parse(args: argparse.Namespace) -> Plan | None:
    """The checked plan of a run, or None when the command was answered already (--list-cases)."""
    jobs = int(positive(args.jobs, "--jobs", int, MAX_JOBS))
    timeout = positive(args.timeout, "--timeout", float, MAX_TIMEOUT)
    memory = int(positive(args.memory, "--memory", int, MAX_MEMORY_MIB)) << 20
    directory = Path(args.vectors) if args.vectors else None
    vectors = load(directory)
    every = vectors.cases
    cases = select(every, args.select, args.deselect, args.level)
    if args.smoke:
        missing = sorted(set(SMOKE) - {case.id for case in every})
        if missing:
            raise UsageError(f"--smoke: these vectors lack the smoke set's cases {', '.join(missing[:5])}")
        cases = [case for case in cases if case.id in SMOKE]
    max_failures = int(positive(args.max_failures, "--max-failures", int)) if args.max_failures is not None else 0
    if args.list_cases:
        for case in cases:
            print(f"{case.id}\t{case.file}\t{case.level}\t{','.join(case.requirements)}\t{case.data['description']}")
        return None
    if not args.impl:
        raise UsageError("give at least one --impl=[NAME=]COMMAND (see --help)")
    seed = _seed(args.seed)
    harness = {
        "start_timeout": positive(args.harness_start_timeout, "--harness-start-timeout", float, MAX_TIMEOUT),
        "restarts": _whole(args.harness_restarts, "--harness-restarts"),
    }
    adapters = [parse_impl(text, index, harness) for index, text in enumerate(args.impl, 1)]
    names = [adapter.name for adapter in adapters]
    if len(set(names)) != len(names):
        raise UsageError(f"two implementations have the same name; name them: --impl=NAME=COMMAND ({names})")
    known_table, known_files = load_known(args.known_differences, names, every)
    write_known = _per_name([args.write_known_differences], names) if args.write_known_differences else []
    if write_known and not write_known[0][0] and len(names) > 1:
        raise UsageError("--write-known-differences: several implementations: say which, NAME=FILE")
    check_outputs(args, names)
    contain.choose(args.containment)
    for adapter in adapters:
        if isinstance(adapter, (SubprocessAdapter, HarnessAdapter)):  # a harness: each of its processes
            adapter.memory = memory
    pass_env = {}
    for name in args.pass_env:
        if name not in os.environ:
            raise UsageError(f"--pass-env={name}: not set in the runner's environment")
        pass_env[name] = os.environ[name]
    for adapter in adapters:
        if isinstance(adapter, HarnessAdapter):  # a harness process's own environment (INTERPRETING 2.1)
            adapter.env = {os.fsencode(k): os.fsencode(v) for k, v in {**BASE_ENV, **pass_env}.items()}
    selected = {case.id for case in cases}
    session = Session(
        vectors=vectors.describe(),
        host=Host().facts(),
        timeout=timeout,
        via=args.via,
        jobs=jobs,
        pass_env=sorted(pass_env),
        select=args.select,
        deselect=args.deselect,
        level=args.level,
        excluded=[case for case in every if case.id not in selected],
        allow_timeouts=args.allow_timeouts,
        memory=memory,
        seed=seed,
        smoke=args.smoke,
    )
    return Plan(args, cases, adapters, session, known_table, known_files, write_known, pass_env, max_failures)


def run_all(plan: Plan, stopped: list[int] = ()) -> list[Run]:
    """Every selected case against each implementation in turn (until a signal, noted in ``stopped``)."""
    args, session, host = plan.args, plan.session, Host()
    runs = []
    for adapter in plan.adapters:
        if stopped:
            break
        options = Options(
            timeout=session.timeout,
            jobs=session.jobs,
            via=args.via,
            pass_env=plan.pass_env,
            known=plan.known[adapter.name],
            seed=session.seed,
        )
        runner = Runner(adapter, options, host)
        total = sum(len(variants(c, args.via)) for c in plan.cases)
        progress = None if args.quiet else Progress(sys.stderr, adapter.name, total)
        limit = FailureLimit(plan.max_failures, args.allow_timeouts, progress)
        options.progress, options.stop = limit, limit.stop
        start = time.perf_counter()
        runner.prepare(plan.cases)  # a harness starts its processes at once, the first among them
        version = runner.version()
        try:
            results = runner.run(plan.cases)
        finally:
            if isinstance(adapter, HarnessAdapter):
                adapter.close()
        if progress:
            progress.finish()
        runs.append(
            Run(
                adapter.name,
                adapter.description,
                results,
                time.perf_counter() - start,
                version,
                plan.known_files[adapter.name],
                args.allow_timeouts,
            )
        )
        if isinstance(adapter, HarnessAdapter):
            runs[-1].harness = {**adapter.facts(), "seed": session.seed, "jobs": session.jobs}
        if limit.stop.is_set() and not stopped:
            ran = {(r.case.id, r.variant) for r in results}
            runs[-1].not_run = [c for c in plan.cases for v in variants(c, args.via) if (c.id, v) not in ran]
            runs[-1].stopped_early = (
                f"stopped early after {limit.failed} failing result(s) (--max-failures={plan.max_failures}): "
                f"{len(results)} of {total} calls ran"
            )
    session.stopped_early = "; ".join(f"{run.name}: {run.stopped_early}" for run in runs if run.stopped_early)
    return runs


class FailureLimit:
    """Called after each result: passes it on to the progress line and, after ``most`` failing
    results (0: never), sets ``stop`` so that no further call starts."""

    def __init__(self, most: int, allow_timeouts: bool, progress: Progress | None):
        self.most, self.progress, self.failed = most, progress, 0
        self.failing = (*RUN_FAILS, *(() if allow_timeouts else (TIMEOUT,)))
        self.stop = threading.Event()

    def __call__(self, result) -> None:
        if self.progress:
            self.progress(result)
        if self.most and result.status in self.failing:
            self.failed += 1
            if self.failed >= self.most:
                self.stop.set()


def report(plan: Plan, runs: list[Run]) -> int:
    """The summary (stdout, or stderr when a report goes to stdout), the files asked for, and the exit code."""
    args, session = plan.args, plan.session
    to_stdout = any(getattr(args, option) == output.STDOUT for option in REPORTS)
    summary = sys.stderr if to_stdout else sys.stdout
    problems: list[str] = []
    text = terminal.terminal(runs, session, args.verbose)
    if session.interrupted:
        done = sum(len(run.results) for run in runs)
        text += f"INTERRUPTED by {session.interrupted}: the reports hold the {done} results finished before it\n"
    for run in runs:
        if run.stopped_early:
            text += f"STOPPED EARLY: {run.name}: {run.stopped_early}; the reports hold only these results\n"
    if len(runs) > 1:
        text += "\n" + markdown.markdown(runs)
    pipe_closed = not _emit(summary, text, problems)
    for line in write_reports(args, runs, session, plan.write_known, problems):
        pipe_closed |= not _emit(summary, f"wrote {line}\n", problems)
    short = _short_of_conformant(runs, session) if args.require_conformant else []
    for line in short:
        _emit(sys.stderr, f"port4me-conformance: --require-conformant: {line}\n", [])
    for problem in problems:
        _emit(sys.stderr, f"port4me-conformance: {problem}\n", [])
    if pipe_closed:
        return EXIT_PIPE
    if problems:
        return EXIT_WRITE
    return EXIT_OK if all(run.ok for run in runs) and not short else EXIT_FAILED


def _emit(stream, text: str, problems: list[str]) -> bool:
    """Write and flush; False when the reader has gone (a closed pipe). Other write errors go to ``problems``."""
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        _quiet_stream(stream)
        return False
    except OSError as error:
        _quiet_stream(stream)
        name = "stdout" if stream is sys.stdout else "stderr"
        problems.append(f"cannot write to {name}: {error.strerror or error}")
    return True


def _quiet_stream(stream) -> None:
    """After a failed write: point the stream at /dev/null, so that what is buffered cannot fail again at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


@contextlib.contextmanager
def _stopped_by_signals():
    """While the run runs: SIGTERM and SIGINT kill every call, let the results so far be reported,
    and leave their number in the list this yields (a second signal stops at once)."""
    stopped: list[int] = []

    def handler(signum, frame):
        if stopped:  # the second one: stop now, without reports
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        stopped.append(signum)
        process.stop_all()

    try:
        previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    except ValueError:  # not the main thread: no handlers (a library caller decides)
        yield stopped
        return
    try:
        yield stopped
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        process.resume()


def _seed(text: str | None) -> int:
    """--seed, or a new seed for this run (reported, so that --seed repeats it)."""
    if text is None:
        return random.SystemRandom().randrange(1 << 32)
    return _whole(text, "--seed")


def _whole(text: str, option: str) -> int:
    """A whole number in plain ASCII digits (str.isdigit() would take '２' and '²'), of at most 30 digits."""
    if not re.fullmatch(r"[0-9]{1,30}", text, re.ASCII):
        raise UsageError(f"{option}={_shown(text)}: expected a whole number of at most 30 digits")
    return int(text)


def _short_of_conformant(runs: list[Run], session: Session) -> list[str]:
    """Each implementation and level that was run but is not conformant, with why."""
    levels = [session.level] if session.level else list(LEVELS)
    short = []
    for run in runs:
        verdicts = level_verdicts(run, session.excluded)
        for level in levels:
            verdict = verdicts[level]
            if verdict["verdict"] != "conformant":
                short.append(f"{run.name} is {verdict['verdict']} at the {level} level: {'; '.join(verdict['why'])}")
    return short


def write_reports(
    args: argparse.Namespace, runs: list[Run], session: Session, write_known: list, problems: list[str] | None = None
) -> list[str]:
    """Every report asked for; says what was written where (a report that cannot be written: one problem line)."""
    problems = [] if problems is None else problems
    written = []
    texts = {
        "json": lambda: json_report.text(runs, session),
        "junit": lambda: junit.junit(runs),
        "markdown": lambda: markdown.markdown(runs),
        "html": lambda: html_report.html(runs, session),
    }
    for option, text in texts.items():
        path = getattr(args, option)
        if path:
            where = _write(option, path, text(), problems)
            if where:
                written.append(f"{option} report: {where}")
    for target, path in write_known:
        run = next((r for r in runs if not target or r.name == target), None)
        if run is None:  # interrupted before it ran
            continue
        text = known.starting_file(run.name, run.version, run.results, args.via, known.header(run, session))
        where = _write("write-known-differences", path, text, problems)
        if where:
            written.append(f"a starting known-differences file, for you to give reasons: {where}")
    return written


def _write(option: str, path: str, text: str, problems: list[str]) -> str:
    try:
        return output.write(path, text)
    except output.OutputError as error:
        problems.append(f"--{option}={path}: not written: {error}")
    except OSError as error:
        problems.append(f"--{option}={path}: not written: {error.strerror or error}")
    return ""


def run() -> None:
    """Console-script entry point."""
    modes = _terminal_modes()
    try:
        code = main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # `port4me-conformance --list-cases | head -1`: the reader left
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush stays quiet
        code = EXIT_PIPE
    except OSError as error:  # --list-cases, --help or --version on a full disk (a run reports its own)
        _quiet_stream(sys.stdout)
        with contextlib.suppress(OSError):
            sys.stderr.write(f"port4me-conformance: cannot write its output: {error.strerror or error}\n")
            sys.stderr.flush()
        code = EXIT_WRITE
    finally:
        _restore_terminal(modes)
    sys.exit(code)


def _terminal_modes() -> dict[int, list]:
    """The modes of the terminals on stdin, stdout and stderr: an implementation can change them
    through /proc/$PPID/fd (stty -echo), so they are put back when the runner ends."""
    try:
        import termios
    except ImportError:  # pragma: no cover - not POSIX
        return {}
    modes = {}
    for fd in (0, 1, 2):
        with contextlib.suppress(OSError, termios.error):
            if os.isatty(fd):
                modes[fd] = termios.tcgetattr(fd)
    return modes


def _restore_terminal(modes: dict[int, list]) -> None:
    if not modes:
        return
    import termios

    for fd, mode in modes.items():
        with contextlib.suppress(OSError, termios.error):
            if termios.tcgetattr(fd) != mode:
                # In the background, changing the terminal would stop the runner (SIGTTOU).
                previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
                try:
                    termios.tcsetattr(fd, termios.TCSANOW, mode)
                finally:
                    signal.signal(signal.SIGTTOU, previous)
