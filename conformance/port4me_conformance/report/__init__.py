"""What a run found, per implementation: results, causes and a verdict per level (INTERPRETING 6, 7 and 9).

The report writers (terminal, JSON, JUnit, Markdown, HTML) live in the modules beside this one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from ..diagnose import Diagnosis, diagnose
from ..results import CRASH, FAIL, PASS, SKIP, STATUSES, TIMEOUT, TOO_LARGE, UNIT, WARN, XFAIL, XPASS, Result
from ..vectors import LEVELS, Case

NOT_CONFORMANT = (FAIL, CRASH, TOO_LARGE, XFAIL)
RUN_FAILS = (FAIL, CRASH, TOO_LARGE, XPASS)
NOT_PASSED = (FAIL, WARN, CRASH, TIMEOUT, TOO_LARGE, XFAIL, XPASS)
WORDS = {
    PASS: "passed",
    FAIL: "failed",
    WARN: "advisory warnings",
    CRASH: "crashed",
    TIMEOUT: "timed out",
    TOO_LARGE: "wrote too much",
    SKIP: "skipped",
    XFAIL: "known differences",
    XPASS: "known differences that now pass",
    UNIT: "not applicable",
}


@dataclass
class Session:
    """What every implementation of one run shares: the vectors, the selection, the settings, the host."""

    vectors: dict  # vectors_version, spec_version, digest, files
    host: dict
    timeout: float
    via: str = "both"
    jobs: int = 1
    pass_env: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    deselect: list[str] = field(default_factory=list)
    level: str | None = None
    excluded: list[Case] = field(default_factory=list)  # cases of the vectors this run did not select
    allow_timeouts: bool = False
    memory: int = 0  # bytes each process of a call may allocate; 0: no limit
    interrupted: str = ""  # the signal that stopped the run (SIGTERM, SIGINT): the results are those before it
    stopped_early: str = ""  # why the run stopped before every case ran (--max-failures), or ""
    smoke: bool = False  # the selection is the smoke set (--smoke)
    seed: int | None = None  # the order of long-lived implementations' calls (INTERPRETING 11.5)


@dataclass
class Run:
    """All results of one implementation."""

    name: str
    command: str
    results: list[Result]
    seconds: float
    version: str = ""
    known_differences: list[str] = field(default_factory=list)  # the files applied
    allow_timeouts: bool = False
    harness: dict | None = None  # a harness's self-description, interface, seed and restarts (INTERPRETING 11.6)
    stopped_early: str = ""  # why its run stopped before every call ran (--max-failures)
    not_run: list[Case] = field(default_factory=list)  # one per call not run because it stopped early

    @cached_property
    def diagnosis(self) -> Diagnosis:
        """The results that did not pass, grouped by symptom, each group with its stage (INTERPRETING 12)."""
        return diagnose(self.results)

    @property
    def counts(self) -> Counter:
        return Counter(result.status for result in self.results)

    @property
    def ok(self) -> bool:
        """The run succeeds (INTERPRETING section 6): exit code 0."""
        counts = self.counts
        if any(counts[status] for status in RUN_FAILS):
            return False
        return self.allow_timeouts or not counts[TIMEOUT]


def vectors_line(session: Session) -> str:
    """What was run: the vectors' version and digest, and loudly, when they are not the shipped ones."""
    vectors = session.vectors
    named = f"vectors {vectors.get('vectors_version')} (spec {vectors.get('spec_version')}, {vectors.get('digest')})"
    if vectors.get("shipped", True):
        return f"{named}: the shipped vectors"
    shipped = vectors.get("recorded") or "unknown"
    return (
        f"NOT THE SHIPPED VECTORS: {named} from {vectors.get('folder')}; "
        f"the shipped ones are {shipped}. A claim from this run names these."
    )


def summary_line(run: Run) -> str:
    counts = run.counts
    parts = [f"{counts[PASS]} passed", f"{counts[FAIL]} failed"]
    parts += [f"{counts[s]} {WORDS[s]}" for s in STATUSES if s not in (PASS, FAIL) and counts[s]]
    return ", ".join(parts)


def level_verdicts(run: Run, excluded: list[Case]) -> dict[str, dict]:
    """Per level: conformant, not conformant or incomplete, and why (INTERPRETING section 7)."""
    verdicts = {}
    for level in LEVELS:
        results = [r for r in run.results if r.level == level and r.status != UNIT]
        left_out = [c for c in excluded if c.level == level and not c.unit_only]
        counts = Counter(r.status for r in results)
        why = [f"{counts[s]} {WORDS[s]}" for s in (*NOT_CONFORMANT, TIMEOUT) if counts[s]]
        skips = Counter(r.reason for r in results if r.status == SKIP)
        why += [f"{n} skipped: {reason}" for reason, n in skips.most_common()]
        if left_out:
            why.append(f"{len(left_out)} cases not selected for this run")
        not_run = sum(c.level == level and not c.unit_only for c in run.not_run)
        if not_run:
            why.append(f"{not_run} calls not run: the run stopped early (--max-failures)")
        if not results and not left_out:
            why.append("no case of this level was run")
        if any(counts[s] for s in NOT_CONFORMANT):
            verdict = "not conformant"
        elif why:
            verdict = "incomplete"
        else:
            verdict = "conformant"
            why = [f"all {len(results)} results passed"]
        if counts[WARN]:
            why.append(f"{counts[WARN]} advisory warnings (SHOULD only)")
        verdicts[level] = {"verdict": verdict, "why": why, "results": len(results), "excluded": len(left_out)}
    return verdicts


def area_results(run: Run, members: list[str]) -> tuple[list[Result], int]:
    """An area's results judged there, and how many are blocked (INTERPRETING 12.3): a result is blocked
    in an area when another stage's failure blocks it for every requirement of the area it pins."""
    pinned = [r for r in run.results if any(q in members for q in r.case.requirements)]
    judged = [r for r in pinned if not all(run.diagnosis.blocked(r, q) for q in r.case.requirements if q in members)]
    return judged, len(pinned) - len(judged)


def causes(results: list[Result], statuses: tuple = NOT_PASSED) -> list[tuple[str, list[Result]]]:
    """Results that did not pass, grouped by the rule they break, the largest group first."""
    groups: dict[str, list[Result]] = {}
    for result in results:
        if result.status in statuses:
            groups.setdefault(result.cause or result.reason, []).append(result)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def write_text(path: str, text: str) -> None:
    """Write whole or not at all, to a regular file or stdout for - (output.write says what it refuses)."""
    from .. import output

    output.write(path, text)
