"""Known-differences files (INTERPRETING section 6): reading them, and writing a starting one from a run."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from . import bounded
from .paths import shipped_known_differences
from .results import CRASH, FAIL, TIMEOUT, TOO_LARGE, XFAIL, Result
from .runner import variants
from .vectors import Case


class KnownError(Exception):
    """A known-differences file that cannot be used."""


MAX_BYTES = 1 << 20  # a file listing every result of the vectors, with long reasons, is under 300 KB


def resolve(value: str) -> Path:
    """A file path, or the short name of a shipped file (``upstream-python-0.7.0``)."""
    path = Path(value)
    shipped = shipped_known_differences()
    if not path.exists() and value in shipped:
        return shipped[value]
    if not path.exists():
        names = ", ".join(shipped) or "none"
        raise KnownError(f"{value}: no such file, nor a shipped known-differences name (shipped: {names})")
    return path


UNFINISHED = "does not finish:"  # how the reason of an entry listed by hand for a call that never ends begins


def never_finishing(value: str) -> list[str]:
    """The ids (``case`` or ``case@variant``) of the entries of a known-differences file (a path or a
    shipped name) whose calls never end."""
    path = resolve(value)
    try:
        return [entry["id"] for entry in _entries(path) if str(entry["reason"]).startswith(UNFINISHED)]
    except (KeyError, TypeError):
        raise KnownError(f"{path}: expected a 'differences' list of {{id, reason}}") from None


def deselect_unfinished(value: str) -> list[str]:
    """The runner's --deselect options that leave out those entries' cases (whole, as --deselect takes them)."""
    cases = dict.fromkeys(key.split("@")[0] for key in never_finishing(value))
    return [f"--deselect={case}" for case in cases]


def _entries(path: Path) -> list:
    """The ``differences`` list of a file, read within the limits ``load`` describes."""
    try:
        document = bounded.load_yaml(bounded.read(path, MAX_BYTES), str(path))
    except bounded.InputError as error:
        raise KnownError(str(error)) from None
    entries = document.get("differences") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise KnownError(f"{path}: expected a mapping with a 'differences' list")
    return entries


def load(path: Path, cases: list[Case]) -> dict[str, str]:
    """Case id (or id@variant) -> reason; every id must name a case of the vectors.

    The file is refused unless it is a regular file of at most MAX_BYTES, nested at most
    bounded.MAX_DEPTH deep, without YAML anchors or aliases (see bounded.py).
    """
    entries = _entries(path)
    ids = {case.id for case in cases}
    known = {}
    for number, entry in enumerate(entries, 1):
        reason = entry.get("reason") if isinstance(entry, dict) else None
        if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(reason, str) and reason):
            raise KnownError(f"{path}: entry {number}: needs an 'id' and a 'reason', both text")
        case_id, _, variant = entry["id"].partition("@")
        if case_id not in ids or variant not in ("", "options", "env"):
            shown = entry["id"] if len(entry["id"]) <= 80 else entry["id"][:80] + "…"
            raise KnownError(f"{path}: entry {number}: no case has the id {shown!r}")
        known[entry["id"]] = reason
    return known


# A timeout is never written: it is a slow host, or a hang that a person names by hand (INTERPRETING 6).
WRITTEN = (FAIL, CRASH, TOO_LARGE, XFAIL)


def starting_file(name: str, version: str, results: list[Result], via: str, header: list[str]) -> str:
    """A known-differences file listing every result that failed, grouped by cause.

    Each reason says what differs, what the implementation printed, and the row of the
    spec's Appendix A that decides the case; entries already listed keep their reasons.
    Timeouts are left out, named in a comment at the end.
    """
    from .appendix import reason as appendix_reason

    failing: dict[str, list[Result]] = {}
    for result in results:
        if result.status in WRITTEN:
            failing.setdefault(result.case.id, []).append(result)
    timed_out = [r.name for r in results if r.status == TIMEOUT]
    groups: dict[str, list[tuple[str, str]]] = {}
    for case_id, found in failing.items():
        case = found[0].case
        every = len(found) == len(variants(case, via))
        for result in found[:1] if every else found:
            key = case_id if every else f"{case_id}@{result.variant}"
            cause = result.cause or result.reason
            # Listed before: keep the maintainer's reason.
            reason = result.reason if result.status == XFAIL else appendix_reason(result)
            groups.setdefault(cause, []).append((key, reason))
    lines = [f"# {line}" for line in header]
    lines += [f"implementation: {json.dumps(f'{name} {version}'.strip())}", "differences:"]
    for cause, entries in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        lines.append(f"# {cause} ({len(entries)})")
        for key, reason in entries:
            lines += [f"- id: {key}", f"  reason: {json.dumps(reason)}"]
    if not groups:
        lines[-1] = "differences: []"
    if timed_out:
        lines += [
            f"# Not listed: {len(timed_out)} results timed out. A timeout is never a known difference: run with a",
            "# longer --timeout, or list a real hang by hand with a reason that says why it never ends:",
            *(f"#   {name}" for name in timed_out),
        ]
    return "\n".join(lines) + "\n"


def header(run, session) -> list[str]:
    """The comment at the top of a starting file: what it was written from."""
    from . import __version__

    vectors = session.vectors
    return [
        f"Known differences of {run.name}, written by port4me-conformance {__version__} on {datetime.date.today()}",
        f"from a run against the spec {vectors.get('spec_version')} vectors {vectors.get('vectors_version')}",
        f"({vectors.get('digest')}). Give each entry the reason why your implementation differs",
        "(each says what differs, what it printed and the Appendix A row that decides it). Entries",
        "are grouped by cause. A listed case that passes fails the run, so the file cannot go stale.",
    ]
