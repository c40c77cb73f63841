"""Differential testing: the reference, the JavaScript port and the generator's naive model of a whole call
(tools/vectorgen/cli_model.py) get the same generated arguments and variables, and must agree.

Hypothesis builds each call from the spec's input domains (users and tools with commas,
non-ASCII and invalid UTF-8; port lists with boundary ports, ranges, tokens, separators
and near-separators; numbers in every written form; each setting as an option, a
variable, both, or an empty option over a variable; the modes; unknown options and
`--`), with the testing switch instead of sockets. The reference runs in process
(``port4me.cli.main``); the JavaScript port through its harness (js/bin/port4me-harness.js),
one process for the whole test. Inputs whose outcome the spec leaves open (spec 1.1,
issue 18 points 1, 2 and 7) are not generated.

`make test` runs DIFFERENTIAL_EXAMPLES examples (default 300); `make differential` runs
20 000. A disagreement is a bug in one of the three, or a gap in the spec: each one found
became a vector of vectors/boundaries.yaml or a note for the spec.
"""

from __future__ import annotations

import io
import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from port4me.cli import main as reference_main
from vectorgen import cli_model
from vectorgen.model import UNSAFE, model, rng, search

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "300"))
BASE_ENV = {"PATH": b"/usr/local/bin:/usr/bin:/bin", "HOME": b"/nonexistent", "LANG": b"C.UTF-8"}
SWITCH = "_PORT4ME_CHECK_AVAILABLE_PORTS_"


# ------------------------------------------------------------------------------------------ the three sides


class Harness:
    """The JavaScript port behind the harness protocol (spec/INTERPRETING.md section 11), one process."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
        self.seq = 0
        hello = self.request({"op": "hello", "seq": 0, "protocol": "1.0"})
        assert hello["protocol"].startswith("1."), hello

    def request(self, message: dict) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        assert answer["seq"] == message["seq"], answer
        return answer

    def call(self, argv: list[bytes], env: dict[str, bytes]) -> tuple[int, bytes, bytes]:
        self.seq += 1
        answer = self.request(
            {
                "op": "call",
                "seq": self.seq,
                "interface": "cli",
                "argv": [wire(a) for a in argv],
                "env": {k: wire(v) for k, v in env.items()},
                "condition": "",
            }
        )
        return answer["exit_code"], unwire(answer["stdout"]), unwire(answer["stderr"])

    def close(self) -> None:
        self.seq += 1
        assert self.process.stdin
        self.process.stdin.write(json.dumps({"op": "stop", "seq": self.seq}).encode() + b"\n")
        self.process.stdin.close()
        self.process.wait(timeout=60)


def wire(data: bytes) -> str | dict:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": data.hex()}


def unwire(value: str | dict) -> bytes:
    return bytes.fromhex(value["hex"]) if isinstance(value, dict) else value.encode("utf-8")


def reference(argv: list[bytes], env: dict[str, bytes]) -> tuple[int, bytes, bytes]:
    """The reference's command in process, with exactly these arguments and variables."""
    out, err = io.StringIO(), io.StringIO()
    code = reference_main([os.fsdecode(a) for a in argv], {k: os.fsdecode(v) for k, v in env.items()}, out, err)
    back = lambda text: text.encode("utf-8", "surrogateescape")  # noqa: E731 - undoes os.fsdecode
    return code, back(out.getvalue()), back(err.getvalue())


def judged(result: tuple[int, bytes, bytes], expected: tuple) -> tuple:
    """A command's result in the model's terms, checking the stream rules of P4M-CLI-5 and -6 on the way."""
    code, out, err = result
    kind = expected[0]
    if kind in ("free", "busy") and code in (0, 1) and out == b"":
        return ("free",) if code == 0 else ("busy",)
    if kind in ("help", "version") and code == 0:
        return (kind,) if out.strip() else ("empty help or version", out)
    if code in (1, 2):
        lines = err.decode("utf-8", "replace").splitlines()
        if out or len(lines) != 1 or not lines[0].strip():  # P4M-CLI-6: one line, stdout empty
            return ("bad error streams", code, out, err)
        return ("runtime",) if code == 1 else ("usage",)
    if code == 0:
        text = out.decode("utf-8", "replace")
        if not text.endswith("\n") or any(not p.isdigit() or p != str(int(p)) for p in text[:-1].split("\n")):
            return ("not only ports", out)
        return ("ports", [int(p) for p in text[:-1].split("\n")])
    return ("exit", code, out, err)


# ---------------------------------------------------------------------------------------------- the inputs

BOUNDARY_PORTS = [0, 1, 7, 1023, 1024, 4999, 5000, 5001, 5010, 30845, 19654, 65534, 65535, 65536, 70000]
HUGE = ["4294967296", "4294998141", "18446744073709551617", "99999999999999999999", "000000000030845"]
JUNK_ITEMS = ["+1", "-5", "5000-", "-", "{safari}", "{CHROME}", "chrome", "0x10", "1_0", "٣", "5.0", "1e3", "{}"]
SEPARATORS = [",", " ", "\t", ", ", "\n", ",,", "\r\n", "\v", "\f"]
NEAR_SEPARATORS = ["\u00a0", "\x1c", "\x85", "\u2028", "\ufeff", ";"]


def rare(draw, times: int = 2) -> bool:
    """True about once in 2**times draws (a run of booleans: hypothesis's integers lean on their bounds)."""
    return all(draw(st.booleans()) for _ in range(times))


port_text = st.one_of(st.sampled_from(BOUNDARY_PORTS).map(str), st.integers(0, 66000).map(str), st.sampled_from(HUGE))
small_range = st.integers(4995, 5012).map(lambda low: f"{low}-{low + low % 7}")
any_range = st.tuples(port_text, port_text).map("-".join)
item = st.one_of(small_range, port_text, any_range, st.sampled_from(["{chrome}", "{firefox}", "0", "0-0", *JUNK_ITEMS]))


@st.composite
def port_list(draw, items=item) -> str:
    parts = draw(st.lists(items, max_size=3))
    sep = draw(st.sampled_from(SEPARATORS)) if not rare(draw, 4) else draw(st.sampled_from(NEAR_SEPARATORS))
    edge = draw(st.sampled_from(["", "", "", ",", " ", "\t"]))
    return edge + sep.join(parts) + edge


valid_list = port_list(items=st.one_of(small_range, st.sampled_from(["30845", "19654", "0", "{chrome}", "5000"])))
numbers = st.one_of(
    st.sampled_from(["0", "00", "01", "1", "65535", "65536", "65537", "0065535", "4294967297", "18446744073709551617"]),
    st.sampled_from(["+1", "-0", " 1", "1 ", "1\n", "2e1", "0x2", "1_0", "٣", "２", "Infinity", "2abc", "2.0", ""]),
    st.text("0123456789+- e_.x", max_size=4),
)
small = st.integers(1, 12).map(str)
skips = st.one_of(small, small, st.integers(0, 200000).map(str), st.integers(0, 2**70).map(str), numbers)
tests = st.one_of(st.sampled_from(["80", "5000", "5001", "30845", "65535", "1", "0080"]), numbers)
names = st.one_of(
    st.sampled_from(["alice", "bob", "jöhn", "名前", "😀", ",", "a,b", "alice,", "-", "=", "xfjfxtf", "dfam", "phw"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=4),
).map(str.encode)
bad_names = st.sampled_from([b"a\xff", b"a\xc0\x80", b"a\xed\xa0\x80", b"\xe2\x82", b"a\xf4\x90\x80\x80"])
busy_items = st.one_of(small_range, st.sampled_from(["30845", "19654", "32310", "1-65535", "5000-5005", "0"]))
switches = st.one_of(
    st.just("any"),
    port_list(items=busy_items).map(lambda text: "any-except:" + text),
    st.sampled_from(["all", "ANY", "any-except", "any-except:{chrome}", " any", "any\n", "any-except:70000"]),
)


@st.composite
def calls(draw) -> tuple[list[bytes], dict[str, bytes]]:
    """One call: arguments and variables, built from the settings of spec section 6.1."""
    argv: list[bytes] = []
    env: dict[str, bytes] = dict(BASE_ENV)

    def place(option: str, variable: str, value: bytes, other: st.SearchStrategy) -> None:
        how = draw(st.sampled_from(["option", "variable", "option", "variable", "both", "empty-option"]))
        if how in ("option", "both"):
            argv.append(option.encode() + b"=" + value)
        if how in ("variable", "empty-option"):
            env[variable] = value
        if how == "both":  # the option wins (P4M-ENV-1); the variable is not read
            env[variable] = draw(other).encode()
        if how == "empty-option":  # empty is unset (P4M-ENV-2): the variable is read
            argv.append(option.encode() + b"=")

    if not rare(draw, 3):
        place("--user", "PORT4ME_USER", draw(names) if not rare(draw, 3) else draw(bad_names), numbers)
    if rare(draw):  # valid only: an invalid USER beside a valid LOGNAME is open in spec 1.1
        env[draw(st.sampled_from(["USER", "LOGNAME", "USERNAME"]))] = draw(names)
    if rare(draw):
        tool = draw(names) if not rare(draw, 3) else draw(bad_names)
        how = draw(st.sampled_from(["option", "positional", "variable"]))
        if how == "option":
            argv.append(b"--tool=" + tool)
        elif how == "positional" and not tool.startswith(b"-"):
            argv.append(tool)
        else:
            env["PORT4ME_TOOL"] = tool
    for name in ("prepend", "include", "exclude"):
        if rare(draw):
            value = draw(valid_list if not rare(draw) else port_list())
            place(f"--{name}", f"PORT4ME_{name.upper()}", value.encode(), port_list())
        if rare(draw, 3):
            env[f"PORT4ME_{name.upper()}_SITE"] = draw(valid_list if not rare(draw) else port_list()).encode()
    if rare(draw, 3):
        env["PORT4ME_EXCLUDE_UNSAFE"] = draw(valid_list if not rare(draw) else port_list()).encode()
    if rare(draw, 3):
        variable = draw(st.sampled_from(["PORT4ME_EXCLUDE_UNSAFE_CHROME", "PORT4ME_EXCLUDE_UNSAFE_FIREFOX"]))
        env[variable] = draw(port_list(items=st.one_of(port_text, small_range, st.just("{chrome}")))).encode()
    for option, variable, strategy, odds in (
        ("--skip", "PORT4ME_SKIP", skips, 2),
        ("--list", "PORT4ME_LIST", st.one_of(small, small, numbers), 1),
        ("--max-tries", "PORT4ME_MAX_TRIES", st.one_of(small, numbers), 2),
        ("--test", "PORT4ME_TEST", tests, 3),
    ):
        if rare(draw, odds):
            place(option, variable, draw(strategy).encode(), numbers)
    env[SWITCH] = draw(switches).encode()
    if rare(draw, 4):
        argv.append(draw(st.sampled_from([b"--help", b"--version", b"--foo=1", b"--li=2", b"-x", b"--USER=a"])))
    if rare(draw, 4):
        argv += [b"--", draw(st.sampled_from([b"-x", b"--list=3", b"--"]))]
    return (draw(st.permutations(argv)) if rare(draw, 3) else argv), env


# -------------------------------------------------------------------------------------------------- the test

ACCOUNT = pwd.getpwuid(os.getuid()).pw_name  # the JS harness asks for the effective user: the same here


@pytest.fixture(scope="module")
def js():
    node = shutil.which("node")
    assert node, "node is not installed: make setup"
    harness = Harness([node, str(ROOT / "js/bin/port4me-harness.js")])
    yield harness
    harness.close()


def outcomes(js: Harness, argv: list[bytes], env: dict[str, bytes]) -> dict[str, tuple] | None:
    """Each side's outcome, in the model's terms; None when the model does not decide the call."""
    try:
        expected = cli_model.outcome(argv, env, ACCOUNT)
    except cli_model.Unmodelled:
        return None
    return {
        "model": expected,
        "reference": judged(reference(argv, env), expected),
        "js": judged(js.call(argv, env), expected),
    }


@settings(max_examples=EXAMPLES)
@given(call=calls())
def test_the_reference_the_js_port_and_the_model_agree(js, call):
    argv, env = call
    seen = outcomes(js, argv, env)
    if seen is None:
        return
    shown = {side: outcome if len(str(outcome)) < 300 else str(outcome)[:300] for side, outcome in seen.items()}
    assert seen["reference"] == seen["model"] and seen["js"] == seen["model"], (argv, env, shown)


def test_the_harness_reports_what_the_command_prints(js):
    # The plumbing of this file, on calls whose answers the spec's worked example gives.
    env = {**BASE_ENV, SWITCH: b"any"}
    assert judged(js.call([b"--user=alice", b"--list=2"], env), ("ports",)) == ("ports", [30845, 19654])
    assert judged(reference([b"--user=alice", b"--list=2"], env), ("ports",)) == ("ports", [30845, 19654])
    assert cli_model.outcome([b"--user=alice", b"--list=2"], env, ACCOUNT) == ("ports", [30845, 19654])
    assert judged(js.call([b"--user=alice", b"--list=0"], env), ("usage",)) == ("usage",)
    busy = {**BASE_ENV, SWITCH: b"any-except:30845"}
    assert judged(reference([b"--user=alice", b"--tool=rstudio"], busy), ("ports",)) == ("ports", [22486])
    assert cli_model.outcome([b"--user=alice"], busy, ACCOUNT) == ("ports", [19654])
    assert judged(js.call([b"--test=30845"], busy), ("busy",)) == ("busy",)


@settings(max_examples=60)
@given(
    seed=st.sampled_from(["alice", "dfam", "phw", "btwt", "zsjpxaf", "a,b"]),
    low=st.integers(1, 65000),
    width=st.integers(30, 600),
    prepend=st.lists(st.integers(1, 65535), max_size=3),
    skip=st.one_of(st.integers(0, 2000), st.integers(0, 2**70)),
    count=st.integers(1, 6),
)
def test_the_call_model_walks_the_stream_the_generators_model_walks(seed, low, width, prepend, skip, count):
    # cli_model lists ports from one walk round the cycle; model walks the LCG plainly: the same stream.
    include = rng(low, min(low + width, 65535))
    candidates = include - UNSAFE
    meaning = {"prepend": prepend, "skip": skip}
    assert cli_model.first(seed, count, candidates=candidates, **meaning) == model(
        seed, count, include=include, **meaning
    )
    busy = set(model(seed, 3, include=include, prepend=prepend))
    for tries in (1, 3, 65535):
        assert cli_model.search(seed, busy, tries, candidates=candidates, prepend=prepend, skip=0) == search(
            seed, busy, tries, include=include, prepend=prepend
        )
