"""Upstream port4me 0.7.0 (PyPI), in its own virtual environment, against the vectors.

It must fail exactly the cases its shipped known-differences file lists: none more (a
new failure means a vector contradicts upstream without a decision), none fewer (a
listed difference that passes fails the run). Every entry's reason says what upstream
printed and names the row of the spec's Appendix A that decides the case (one it cites, if
it cites any). Upstream passes every vector of the file sequence.yaml.
"""

from __future__ import annotations

import re

from port4me_conformance import known
from port4me_conformance.adapters import SubprocessAdapter
from port4me_conformance.results import PASS, SKIP, WARN, XFAIL
from port4me_conformance.runner import Options, Runner

from .conftest import never_finishing

USER_CONDITIONS = ("check-privileged-unprivileged", "user-nameless-", "user-account-name")
# The one call that never ends which this run waits for, to its time limit (the options variant; the
# env variant answers). The other such entries are left out (INTERPRETING 6): each would hold a core
# for the whole limit, and they are one behaviour, a search that does not stop.
WAITED_FOR = "skip-jump-set-below-65535@options"


def test_upstream_fails_exactly_its_known_differences(cases, upstream_python):
    path = known.resolve("upstream-python-0.7.0")
    listed = known.load(path, cases)
    by_id = {case.id: case for case in cases}
    for key, reason in listed.items():
        assert reason.strip() and "TODO" not in reason, key
        match = re.search(r"Appendix A row (\d+) \(", reason)
        # What upstream printed, or nothing (a time-bound case), or a hang listed by hand
        printed = "it printed: exit " in reason or "time-bound case" in reason
        hang = reason.startswith("does not finish:") and "still running at" in reason
        cited = by_id[key.partition("@")[0]].data.get("decisions", [])
        assert printed or hang, (key, reason)
        if match is None:  # a requirement no row of Appendix A covers (the help's contents): it says so
            assert reason.startswith("no Appendix A row covers P4M-") and not cited, (key, reason)
        else:
            assert not cited or int(match.group(1)) in cited, (key, cited, reason)
    hangs = set(never_finishing("upstream-python-0.7.0"))
    assert WAITED_FOR in hangs and hangs <= set(listed)
    left_out = {key for key in hangs if key != WAITED_FOR}
    assert not [key for key in left_out if "@" in key]  # whole cases: no variant that answers is left out
    run_cases = [case for case in cases if case.id not in left_out]
    adapter = SubprocessAdapter("upstream", [upstream_python, "-m", "port4me"])
    results = Runner(adapter, Options(jobs=2, known=listed)).run(run_cases)  # the default time limit, 10 s
    # A warning breaks only a SHOULD (spec section 2): reported, it fails no run (test-busy-quiet: a word on stderr)
    unexpected = [(r.name, r.status, r.reason) for r in results if r.status not in (PASS, XFAIL, SKIP, WARN, "n/a")]
    assert not unexpected, unexpected
    failed_as_listed = {_key(r, listed) for r in results if r.status == XFAIL}
    assert failed_as_listed == set(listed) - left_out
    (waited,) = [r for r in results if _key(r, listed) == WAITED_FOR]
    assert waited.observed.startswith("timeout: ") and "did not finish within" in waited.observed, waited.observed
    sequence = [r for r in results if r.case.file == "sequence"]
    assert len(sequence) >= 400 and all(r.status == PASS for r in sequence)
    skipped = [r for r in results if r.status == SKIP]
    assert all(r.case.id.startswith(USER_CONDITIONS) and "cannot run as uid" in r.reason for r in skipped), skipped


def _key(result, listed: dict) -> str:
    return f"{result.case.id}@{result.variant}" if f"{result.case.id}@{result.variant}" in listed else result.case.id
