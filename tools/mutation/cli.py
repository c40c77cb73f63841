"""``python -m tools.mutation``: how many single-point mutants of the reference the vectors catch.

    python -m tools.mutation                     # every mutant (make mutation)
    python -m tools.mutation --sample            # the fixed CI sample: one mutant in 8, by a hash of its ID
    python -m tools.mutation --module=_portset --json=reports/mutation.json
    python -m tools.mutation --list              # the mutants and their IDs, nothing run
    python -m tools.mutation --compare=ID -- --user=alice --list=5   # reference and mutant, side by side

Exit status: 0 when every mutant run is killed or listed as equivalent (and the list
is up to date), 1 when not, 2 for bad input or a reference that fails its own vectors.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

from port4me_conformance.host import Host
from port4me_conformance.runner import variants
from port4me_conformance.vectors import VectorError, load_all, select

from . import compare, equivalents, report
from .isolate import Limits, run_isolated
from .mutants import OPERATORS, Mutant, find_mutants, mutated_line
from .worker import Work, install, level, run_vectors

# What decides v1 output: the package's modules on the command's path (file names, without .py).
MODULES = ["algorithm", "_portset", "_settings", "cli", "check", "_api", "_quote", "_validate", "_sockets"]
DEFAULT_SAMPLE = 8
HERE = Path(__file__).resolve().parent
LEVEL_ORDER = {"sequence": 0, "check": 1, "unit": 2}  # plain vectors first: a kill by them says the most


def source_dir() -> Path:
    """The port4me package this environment imports (found without importing it)."""
    spec = importlib.util.find_spec("port4me")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("mutation: the port4me package is not installed here (make install)")
    return Path(next(iter(spec.submodule_search_locations)))


def all_mutants(directory: Path, modules: list[str]) -> list[Mutant]:
    found = []
    for module in modules:
        found += find_mutants((directory / f"{module}.py").read_text(encoding="utf-8"), module)
    return found


@functools.lru_cache(maxsize=1)
def vectors() -> tuple:
    """Every vector, read and validated once per process (the harness's tests call main() often)."""
    return tuple(load_all())


def in_sample(mutant: Mutant, every: int) -> bool:
    """A fixed sample: the same mutant is in it on every machine and run, whatever else changed."""
    return int(hashlib.sha256(mutant.id.encode()).hexdigest(), 16) % every == 0


def work_items(cases, via: str) -> list:
    """(case, variant) pairs in the order a mutant runs them."""
    items = [(case, variant) for case in cases for variant in variants(case, via)]
    return sorted(items, key=lambda item: LEVEL_ORDER[level(item[0])])  # stable: file order within a level


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.mutation",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--module", action="append", choices=MODULES, help="only this module (repeatable)")
    p.add_argument("--id", action="append", default=[], help="only this mutant (repeatable)")
    p.add_argument(
        "--sample",
        nargs="?",
        const=DEFAULT_SAMPLE,
        type=int,
        metavar="K",
        help=f"only the mutants whose ID hashes to 0 modulo K (default {DEFAULT_SAMPLE}): a fixed sample for CI",
    )
    p.add_argument("--select", action="append", default=[], help="only these vectors (as port4me-conformance)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants run at once (default: CPUs)")
    p.add_argument("--case-timeout", type=float, default=5.0, help="seconds per call, as the runner (default 5)")
    p.add_argument("--mutant-timeout", type=float, default=60.0, help="seconds per mutant, all vectors (default 60)")
    p.add_argument("--memory-mb", type=int, default=1024, help="address space per mutant (default 1024 MiB)")
    p.add_argument(
        "--entry", choices=("run", "main"), default="run", help="call the command's run() (default) or main()"
    )
    p.add_argument("--equivalents", type=Path, default=HERE / "equivalent.yaml", help="the equivalents list")
    p.add_argument("--json", type=Path, help="write every mutant's verdict here")
    p.add_argument("--list", action="store_true", help="list the mutants (ID, place, change); run nothing")
    p.add_argument("--operators", action="store_true", help="describe the mutation operators; run nothing")
    p.add_argument("--compare", metavar="ID", help="run the reference and this mutant on the command line after --")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="for --compare (repeatable)")
    p.add_argument("--real-check", action="store_true", help="for --compare: do not set the testing switch")
    p.add_argument("--hold", metavar="KIND[,ADDRESS[,FLAG]]", help="for --compare: hold {port} (listen,::,v6only)")
    p.add_argument("args", nargs="*", help="for --compare: the port4me arguments (after --)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.operators:
        sys.stdout.writelines(f"{name:7} {text}\n" for name, text in OPERATORS.items())
        return 0
    directory = source_dir()
    modules = args.module or MODULES
    sources = {m: (directory / f"{m}.py").read_text(encoding="utf-8").splitlines() for m in modules}
    mutants = all_mutants(directory, modules)
    by_id = {m.id: m for m in mutants}
    if args.compare:
        if args.compare not in by_id:
            return _usage(f"no mutant {args.compare!r} (see --list)")
        return compare.run(
            by_id[args.compare], directory, args.args, args.env, args.real_check, args.case_timeout, args.hold
        )
    chosen = _choose(mutants, args)
    if isinstance(chosen, str):
        return _usage(chosen)
    if args.list:
        for m in chosen:
            before, after = mutated_line(sources[m.module], m)
            print(f"{m.id}\n    {m.location}\n    - {before}\n    + {after}")
        return 0
    try:
        entries = equivalents.load(args.equivalents)
        cases = select(list(vectors()), args.select)
    except (equivalents.ListError, VectorError) as error:
        return _usage(str(error))
    with tempfile.TemporaryDirectory(prefix="port4me-mutation-") as scratch:
        work = Work(
            work_items(cases, "both"), Host(), str(Path(scratch) / "real-check.lock"), args.case_timeout, args.entry
        )
        limits = Limits(args.mutant_timeout, args.memory_mb)
        started = time.monotonic()
        baseline = _baseline(work, directory, limits)
        if baseline:
            print(f"mutation: the unmutated reference fails its own vectors: {baseline}", file=sys.stderr)
            return 2
        outcomes = _run(chosen, work, directory, limits, args, entries)
        elapsed = time.monotonic() - started
    issues = report.problems(outcomes)
    # Entries are checked against every mutant of the modules run, sampled or not.
    issues += equivalents.unknown(entries, mutants, set(modules))
    header = f"{len(outcomes)} mutants of {', '.join(modules)}"
    header += f" (sample: 1 in {args.sample})" if args.sample else ""
    print(f"{header}; {len(work.items)} vector results each at most; {elapsed:.0f} s with {args.jobs} jobs\n")
    report.write_text(outcomes, modules, sources, issues, sys.stdout)
    if args.json:
        report.write_json(outcomes, args.json, {"seconds": round(elapsed, 1), "sample": args.sample, "jobs": args.jobs})
    return 1 if issues else 0


def _choose(mutants: list[Mutant], args) -> list[Mutant] | str:
    chosen = mutants
    if args.id:
        known = {m.id for m in mutants}
        missing = [i for i in args.id if i not in known]
        if missing:
            return f"no such mutant: {', '.join(missing)} (see --list)"
        chosen = [m for m in mutants if m.id in set(args.id)]
    if args.jobs < 1 or args.case_timeout <= 0 or args.mutant_timeout <= 0 or args.memory_mb < 64:
        return "--jobs must be at least 1, the time limits above 0 and --memory-mb at least 64"
    if args.sample:
        if args.sample < 1:
            return "--sample must be at least 1"
        chosen = [m for m in chosen if in_sample(m, args.sample)]
    return chosen


def _usage(message: str) -> int:
    print(f"mutation: {message}", file=sys.stderr)
    return 2


def _task(mutant: Mutant | None, work: Work, directory: Path):
    def task() -> dict:
        try:
            install(mutant, directory)
        except (SyntaxError, ValueError, TypeError) as error:  # the mutated tree does not compile
            return {"status": "invalid", "reason": f"{type(error).__name__}: {error}"}
        return run_vectors(work)

    return task


def _baseline(work: Work, directory: Path, limits: Limits) -> str:
    """Empty if the unmutated reference passes every vector here, else why not."""
    for _, verdict in run_isolated([(None, _task(None, work, directory))], 1, limits):
        if verdict["status"] != "survived":
            return f"{verdict.get('by', '')} {verdict.get('reason', verdict['status'])}".strip()
    return ""


def _run(chosen, work, directory, limits, args, entries) -> list[report.Outcome]:
    tasks = [(m, _task(m, work, directory)) for m in chosen]
    outcomes = []
    step = max(1, len(tasks) // 20)
    started = time.monotonic()
    for mutant, verdict in run_isolated(tasks, args.jobs, limits):
        outcomes.append(report.Outcome(mutant, verdict, equivalents.covering(entries, mutant)))
        if not args.quiet and (len(outcomes) % step == 0 or len(outcomes) == len(tasks)):
            killed = sum(o.killed for o in outcomes)
            print(
                f"mutation: {len(outcomes)}/{len(tasks)} run, {killed} killed ({time.monotonic() - started:.0f} s)",
                file=sys.stderr,
            )
    order = {m.id: n for n, m in enumerate(chosen)}
    return sorted(outcomes, key=lambda o: order[o.mutant.id])
