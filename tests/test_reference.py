"""The reference implementation passes every vector: in-process and as the installed command.

The only skips allowed are those the host truly cannot provide, each with its reason: on a
machine whose Python lives under /root (mode 700), the installed command cannot run as
another user, so the user conditions are skipped there; in-process, a forked child
switches user after importing what main() needs, so every case runs.
"""

from __future__ import annotations

import os

from tools.mutation.worker import reference_unit

from port4me_conformance.adapters import SubprocessAdapter
from port4me_conformance.host import Host
from port4me_conformance.inprocess import InProcessAdapter
from port4me_conformance.results import PASS, SKIP, UNIT
from port4me_conformance.runner import Options, Runner

USER_CONDITIONS = ("unprivileged", "nameless-user", "nobody")


def allowed_skips(adapter, cases) -> dict[str, str]:
    """Case id -> the reason the host cannot run it, asked of the adapter and the host, not assumed.

    The cases that need a user condition are read from the vectors' own `needs`, so a new
    vector with such a need is allowed to skip only for the reason its need gives.
    """
    host, allowed = Host(), {}
    for case in cases:
        for condition in case.needs:
            reason = adapter.cannot_impose(condition) if condition in USER_CONDITIONS else ""
            if reason:
                allowed[case.id] = reason
    for case_id in ("check-no-ipv6-free", "check-no-ipv6-listen-any4", "check-no-ipv6-search"):
        if host.ipv6 and host.seccomp:
            allowed[case_id] = host.seccomp
    for case_id in ("check-socket-emfile-test", "check-socket-emfile-search", "check-no-ipv6-ignores-ipv6-listener"):
        if host.seccomp or not host.ipv6:
            allowed[case_id] = host.seccomp or "no IPv6"
    return allowed


def assert_full_pass(results, allowed: dict[str, str]):
    failures = [(r.name, r.status, r.reason, r.detail) for r in results if r.status not in (PASS, SKIP, UNIT)]
    assert not failures, failures
    skipped = {r.case.id: r.reason for r in results if r.status == SKIP}
    assert set(skipped) <= set(allowed), skipped
    for reason in skipped.values():
        assert reason.startswith("needs ") and len(reason) > 20, reason  # says which need and why
    assert sum(r.status == PASS for r in results) >= 880


def test_in_process(cases):
    adapter = InProcessAdapter("reference", "port4me.cli:main", unit=reference_unit())
    results = Runner(adapter, Options(jobs=1)).run(cases)
    assert_full_pass(results, allowed_skips(adapter, cases))
    assert not [r for r in results if r.status == UNIT]  # in-process, unit entries are checked too
    if os.geteuid() == 0 and Host().seccomp == "":
        assert not [r for r in results if r.status == SKIP]  # every host condition, imposed in a forked child


def test_installed_command(cases, reference_command):
    adapter = SubprocessAdapter("reference", reference_command)
    results = Runner(adapter, Options(jobs=2)).run(cases)
    assert_full_pass(results, allowed_skips(adapter, cases))
    conditions = [r for r in results if r.case.id.startswith(("check-no-ipv6", "check-socket-emfile"))]
    if Host().seccomp == "":
        assert conditions and all(r.status == PASS for r in conditions)  # seccomp filters through the wrapper
