"""Spec 1.2's judging rules (INTERPRETING 4): one line and no stack trace on an error, values shown as the
spec lets them be escaped, sources as whole names, the cause of a runtime error, and control calls that tell
an expected runtime error from a refusal of the input. Each wrong implementation here is one the 1.1 judge
let pass."""

from __future__ import annotations

import io
import os

import pytest

from port4me.cli import main
from port4me_conformance.adapters import Adapter, Invocation, Outcome
from port4me_conformance.judge import judge, names, shows
from port4me_conformance.results import FAIL, PASS
from port4me_conformance.runner import Options, Runner

RUNTIME = {"error": "runtime"}


def outcome(stderr: bytes, code: int = 1, stdout: bytes = b"") -> Outcome:
    return Outcome(stdout=stdout, stderr=stderr, exit_code=code)


def test_an_error_is_one_line_with_or_without_its_newline():
    assert judge(RUNTIME, outcome(b"port4me: no free port\n"), {}) is None
    assert judge(RUNTIME, outcome(b"port4me: no free port"), {}) is None


def test_a_stack_trace_fails_as_one_and_two_lines_fail_as_two():
    trace = b'Traceback (most recent call last):\n  File "x.py", line 1\nOSError: [Errno 24] Too many open files\n'
    found = judge(RUNTIME, outcome(trace), {})
    assert found and found.requirement == "P4M-CLI-6" and "stack trace" in found.reason
    found = judge({"error": "usage"}, outcome(b"usage: port4me [--user]\nerror: unknown option\n", 2), {})
    assert found and found.requirement == "P4M-CLI-6" and "2 lines" in found.reason
    node = b"Error: boom\n    at Object.<anonymous> (/x.js:1:1)\n"
    assert "stack trace" in judge(RUNTIME, outcome(node), {}).reason


@pytest.mark.parametrize(
    ("shown", "value"),
    [
        ("'a\\\"b\\\\c'", 'a"b\\c'),  # backslash escapes, as JSON and C write them
        ("'a\\tb'", "a\tb"),
        ("'a\\x09b'", "a\tb"),
        ("'a\\u0009b'", "a\tb"),
        ("'a\\011b'", "a\tb"),  # octal
        ("'zw\\u00F6lf'", "zwölf"),  # either case of hex digits
        ("'\\ud83d\\ude00'", "\U0001f600"),  # a JSON surrogate pair
        ("'\\u{1F600}'", "\U0001f600"),
        ("'1\\xff2'", "1\udcff2"),  # a byte that is not UTF-8
        ("'1\ufffd2'", "1\udcff2"),  # the same, from a platform that decodes its arguments
        ("it\\'s", "it's"),
    ],
)
def test_values_may_be_shown_escaped_in_the_forms_the_spec_lists(shown, value):
    assert shows(f"port4me: invalid --skip value {shown}", value)


@pytest.mark.parametrize(
    ("shown", "value"),
    [("'12'", "1\udcff2"), ("'ab'", "a\tb"), ("'a?b'", 'a"b'), ("'a\\qb'", "aqb")],
)
def test_a_value_that_lost_a_character_or_escaped_a_letter_is_not_shown(shown, value):
    assert not shows(f"port4me: invalid --skip value {shown}", value)


def test_sources_are_whole_names():
    assert names("invalid USER value", "USER") and names("$USER is bad", "USER")
    assert not names("invalid PORT4ME_USER value", "USER")
    assert not names("invalid PORT4ME_INCLUDE_SITE value", "PORT4ME_INCLUDE")
    assert not names("option --include-x", "--include") and names("--include=x: bad", "--include")


def test_a_runtime_error_names_one_of_its_causes():
    expect = {"error": "runtime", "diagnostic": {"cause": ["EMFILE", "Too many open files"]}}
    assert judge(expect, outcome(b"port4me: cannot check ports: too many open files\n"), {}) is None
    assert judge(expect, outcome(b"port4me: EMFILE\n"), {}) is None
    found = judge(expect, outcome(b"port4me: no free port among 65535 checks\n"), {})
    assert found and found.requirement == "P4M-CHECK-7"


class Refuses(Adapter):
    """The reference in process, but an argument it refuses makes it exit 1 (as upstream does with
    --max-tries and the testing switch)."""

    name = description = "refuses"

    def __init__(self, refused: bytes):
        self.refused = refused

    def run(self, invocation: Invocation, timeout: float) -> Outcome:
        args = [os.fsdecode(a) for a in invocation.argv]
        env = {os.fsdecode(k): os.fsdecode(v) for k, v in invocation.env.items()}
        if any(self.refused in os.fsencode(a) for a in args) or any(self.refused in v for v in invocation.env.values()):
            return outcome(b"ERROR: Unknown option\n")
        out, err = io.StringIO(), io.StringIO()
        code = main(args, env, out, err)
        return Outcome(out.getvalue().encode(), err.getvalue().encode(), code)

    def cannot_impose(self, condition: str) -> str:
        return "in process"

    def command_line(self, invocation: Invocation) -> list[bytes]:
        return [b"refuses", *invocation.argv]


def _results(cases, adapter, *ids):
    chosen = [case for case in cases if case.id in ids]
    assert len(chosen) == len(ids)
    return {r.name: r for r in Runner(adapter, Options(via="both")).run(chosen)}


def test_a_runtime_error_that_refuses_max_tries_fails_by_its_control_call(cases):
    results = _results(cases, Refuses(b"max-tries"), "search-max-tries-1", "search-small-set-all-busy")
    refused = results["search-max-tries-1"]
    assert refused.status == FAIL and "control call" in refused.reason, refused
    assert refused.cause.startswith("P4M-SEQ-5: an error that refuses the input")
    assert results["search-small-set-all-busy"].status == PASS  # it uses no --max-tries


def test_a_runtime_error_that_refuses_the_switch_fails_by_its_control_call(cases):
    results = _results(cases, Refuses(b"any-except"), "search-small-set-all-busy")
    assert results["search-small-set-all-busy"].status == FAIL


def test_the_reference_passes_the_controlled_cases(cases):
    ids = [case.id for case in cases if "control" in case.data and not case.real_check]
    assert len(ids) >= 6
    results = _results(cases, Refuses(b"\0never"), *ids)
    assert all(r.status == PASS for r in results.values()), [(r.name, r.reason) for r in results.values()]


def test_other_ports_for_a_user_outside_ascii_are_put_down_to_the_hash():
    from port4me_conformance.judge import non_ascii_seed

    wrong = outcome(b"1234\n", 0)
    plain = judge({"ports": [30845]}, wrong, {}, "options", ("P4M-SEQ-1",), non_ascii=False)
    assert plain.cause == "P4M-SEQ-1: other ports than expected"
    hashed = judge({"ports": [30845]}, wrong, {}, "options", ("P4M-SEQ-1",), non_ascii=True)
    assert hashed.requirement == "P4M-HASH-1"
    assert non_ascii_seed({"input": {"settings": {"user": "zoë"}}})
    assert non_ascii_seed({"input": {"args": ["--list=2", "ツール"]}})
    assert not non_ascii_seed({"input": {"args": ["--user=alice", "--exclude=５"], "env": {"PORT4ME_INCLUDE": "ö"}}})


def test_a_control_character_shown_raw_does_not_show_the_value():
    assert not shows("port4me: invalid --skip value 'a\tb'", "a\tb")  # spec 1.2: always escaped
    assert shows("port4me: invalid --skip value 'a\\tb'", "a\tb")
