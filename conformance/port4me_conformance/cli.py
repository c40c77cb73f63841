"""``port4me-conformance``: check port4me implementations against the spec v1 vectors."""

from __future__ import annotations

import argparse
import math
import os
import re
import shlex
import shutil
import sys
import time
from pathlib import Path

from . import INTERPRETING_VERSION, SPEC_VERSION, __version__, reports
from .adapters import Adapter, InProcessAdapter, SubprocessAdapter
from .runner import Options, Runner
from .vectors import Case, VectorError, load_all, select

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
NAME = re.compile(r"^[A-Za-z0-9_.+-]+$")
EPILOG = """\
examples:
  port4me-conformance --impl=port4me
  port4me-conformance --impl=bash=./bin/port4me --impl=r="Rscript -e port4me::port4me" --markdown=matrix.md
  port4me-conformance --impl=upstream="venv/bin/python -m port4me" \\
      --known-differences=upstream=upstream.yaml --select='P4M-LIST-*'

A COMMAND is split like a shell would split it, but never run through a shell.
'inprocess:MODULE:FUNCTION' calls a Python main(argv, env, stdout, stderr) directly.
Exit status: 0 every case passed (or is a listed known difference, or was skipped),
1 some case failed, 2 bad input to the runner. See spec/INTERPRETING.md.
"""


class UsageError(Exception):
    """Bad input to the runner: exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as for every other bad input
        self.exit(EXIT_USAGE, f"port4me-conformance: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="port4me-conformance",
        description=__doc__,
        epilog=EPILOG,
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--impl", action="append", default=[], metavar="[NAME=]COMMAND", help="an implementation to check (repeatable)"
    )
    p.add_argument("--jobs", default=str(os.cpu_count() or 1), metavar="N", help="cases run at once (default: CPUs)")
    p.add_argument("--timeout", default="5", metavar="SECONDS", help="per case; the process group is killed after it")
    p.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only cases whose id, file, requirement ID or tag matches (wildcards; repeatable)",
    )
    p.add_argument(
        "--known-differences",
        action="append",
        default=[],
        metavar="[NAME=]FILE",
        help="expected failures with reasons, for one implementation (or all)",
    )
    p.add_argument(
        "--via",
        choices=("options", "env", "both"),
        default="both",
        help="pass abstract settings as options, as PORT4ME_* variables, or both ways (default)",
    )
    p.add_argument(
        "--pass-env",
        action="append",
        default=[],
        metavar="NAME",
        help="also pass this variable of the runner's environment to the implementation",
    )
    p.add_argument("--vectors", metavar="DIR", help="read vectors from DIR instead of the bundled ones")
    p.add_argument("--json", metavar="FILE", help="write a JSON report (spec/report.schema.json)")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--markdown", metavar="FILE", help="write a Markdown compatibility matrix")
    p.add_argument("--list-cases", action="store_true", help="list the selected cases and exit")
    p.add_argument("--verbose", action="store_true", help="also show skipped cases and known differences")
    p.add_argument(
        "--version",
        action="version",
        version=f"port4me-conformance {__version__} (INTERPRETING.md {INTERPRETING_VERSION})",
    )
    return p


def parse_impl(text: str, index: int) -> Adapter:
    name, sep, command = text.partition("=")
    if not sep or not NAME.match(name) or "/" in name:
        name, command = "", text
    if command.startswith("inprocess:"):
        try:
            return InProcessAdapter(name or "inprocess", command[len("inprocess:") :])
        except ValueError as error:
            raise UsageError(f"--impl={text}: {error}") from None
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
    return SubprocessAdapter(name or Path(argv[0]).name or f"impl{index}", argv)


def positive(text: str, option: str, kind: type) -> float:
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if not (value > 0 and math.isfinite(value)):
        raise UsageError(f"{option}={text}: expected a positive {'whole ' if kind is int else ''}number")
    return value


def load_known(specs: list[str], names: list[str], cases: list[Case]) -> dict[str, dict[str, str]]:
    """Known differences per implementation name: case id (or id@variant) -> reason."""
    import yaml

    ids = {case.id for case in cases}
    known: dict[str, dict[str, str]] = {name: {} for name in names}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or name not in names:
            name, path = "", spec
        try:
            document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise UsageError(f"--known-differences={spec}: cannot read: {str(error).splitlines()[0]}") from None
        entries = document.get("differences") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise UsageError(f"{path}: expected a mapping with a 'differences' list")
        for number, entry in enumerate(entries):
            if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry.get("reason")):
                raise UsageError(f"{path}: entry {number + 1}: needs an 'id' and a 'reason'")
            case_id = entry["id"].partition("@")[0]
            if case_id not in ids:
                raise UsageError(f"{path}: entry {number + 1}: no case has the id {entry['id']!r}")
            for target in [name] if name else names:
                known[target][entry["id"]] = str(entry["reason"])
    return known


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        jobs = int(positive(args.jobs, "--jobs", int))
        timeout = positive(args.timeout, "--timeout", float)
        cases = load_all(Path(args.vectors) if args.vectors else None)
        cases = select(cases, args.select)
        if args.list_cases:
            for case in cases:
                print(f"{case.id}\t{case.file}\t{','.join(case.requirements)}\t{case.data['description']}")
            return EXIT_OK
        if not args.impl:
            raise UsageError("give at least one --impl=[NAME=]COMMAND (see --help)")
        adapters = [parse_impl(text, index) for index, text in enumerate(args.impl, 1)]
        names = [adapter.name for adapter in adapters]
        if len(set(names)) != len(names):
            raise UsageError(f"two implementations have the same name; name them: --impl=NAME=COMMAND ({names})")
        known = load_known(args.known_differences, names, cases)
        pass_env = {}
        for name in args.pass_env:
            if name not in os.environ:
                raise UsageError(f"--pass-env={name}: not set in the runner's environment")
            pass_env[name] = os.environ[name]
    except (UsageError, VectorError) as error:
        print(f"port4me-conformance: {error}", file=sys.stderr)
        return EXIT_USAGE
    runs = []
    for adapter in adapters:
        options = Options(timeout=timeout, jobs=jobs, via=args.via, pass_env=pass_env, known=known[adapter.name])
        start = time.perf_counter()
        results = Runner(adapter, options).run(cases)
        runs.append(reports.Run(adapter.name, adapter.description, results, time.perf_counter() - start))
    sys.stdout.write(reports.terminal(runs, args.verbose))
    if len(runs) > 1:
        sys.stdout.write("\n" + reports.markdown(runs))
    if args.json:
        reports.write_json(args.json, runs, SPEC_VERSION)
    if args.junit:
        reports.write_text(args.junit, reports.junit(runs))
    if args.markdown:
        reports.write_text(args.markdown, reports.markdown(runs))
    return EXIT_OK if all(run.ok for run in runs) else EXIT_FAILED


def run() -> None:
    """Console-script entry point."""
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
