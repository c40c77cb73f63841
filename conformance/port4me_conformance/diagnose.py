"""Where an implementation departs from the spec, worked out from what it printed (INTERPRETING section 12).

Pure: results in, findings and groups out; no I/O.  The port pipeline of spec sections 3 and 4
(hash -> seed -> start state -> draws -> candidate filter -> prepend and skip -> output) is
invertible, so a wrong list of ports says which stage made it: the same ports off by a
constant (output), the right stream shifted (skip, prepend), the right stream with a port
missing or extra (candidate set), draws of the right generator from another start state
(hash or seed: the state the output implies is compared with the state of variants of the
hash and the seed string), or no draws of the generator at all (generator).  The few lines
of hash and generator needed are written here from spec section 3, not taken from any
implementation.  A finding is derived from the expectation, the actual output and the status,
never from a cause string (those belong to the judge and may change).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .results import CRASH, FAIL, TIMEOUT, TOO_LARGE, WARN, XPASS, Result

# Spec section 3: P4M-HASH-1, P4M-LCG-1, P4M-LCG-2.
MODULUS, MULTIPLIER, INCREMENT, PERIOD = 65537, 75, 74, 65536
_INVERSE = pow(MULTIPLIER, -1, MODULUS)


def string_hash(text: str) -> int:
    """P4M-HASH-1: h = (31 h + c) mod 2**32 over code points."""
    h = 0
    for char in text:
        h = (31 * h + ord(char)) % (1 << 32)
    return h


def next_state(state: int) -> int:
    """P4M-LCG-2: one step; 65536 steps to 74."""
    return INCREMENT if state == MODULUS - 1 else (MULTIPLIER * state + INCREMENT) % MODULUS


def state_before(draw: int) -> int:
    """The state whose next draw is ``draw`` (0, not 65536, for 74)."""
    return (draw - INCREMENT) * _INVERSE % MODULUS


_POSITION: list[int] = []


def position(draw: int) -> int:
    """Where a draw (0..65535) sits in the generator's single cycle: n with 75**n = draw + 1 (mod 65537)."""
    if not _POSITION:
        table = [0] * PERIOD
        y = 1
        for n in range(PERIOD):
            table[y - 1] = n
            y = y * MULTIPLIER % MODULUS
        _POSITION[:] = table
    return _POSITION[draw]


def draws_between(state: int, port: int) -> int:
    """How many draws after ``state`` the draw ``port`` comes (1 for the next one), within one cycle."""
    first = next_state(state)
    return (position(port) - position(first)) % PERIOD + 1


# Stages, in pipeline order where they have one: (words, the requirement most specific to them).
STAGES: dict[str, tuple[str, str]] = {
    "hash": ("hash", "P4M-HASH-1"),
    "seed": ("seed string", "P4M-SEED-1"),
    "state": ("start state (hash or seed string)", "P4M-LCG-1"),
    "generator": ("generator", "P4M-LCG-2"),
    "candidates": ("candidate set", "P4M-SET-1"),
    "prepend": ("prepended ports", "P4M-SET-4"),
    "skip": ("skip", "P4M-SEQ-2"),
    "output": ("printed ports", "P4M-CLI-5"),
    "search": ("search", "P4M-SEQ-5"),
    "stdout": ("stdout shape", "P4M-CLI-5"),
    "exit code": ("exit code", "P4M-CLI-6"),
    "message": ("error message", "P4M-CLI-11"),
    "stderr": ("stderr on success", "P4M-CLI-9"),
    "test": ("test mode", "P4M-TEST-1"),
    "check": ("port check", "P4M-CHECK-1"),
    "modes": ("help and version", "P4M-CLI-7"),
    "run": ("running at all", ""),
    "known": ("known differences", ""),
}
PIPELINE = ("hash", "seed", "state", "generator", "candidates", "prepend", "skip", "output")
# Stages whose failure shows what comes before them right: a result failing there blocks the others.
BLOCKING = (*PIPELINE, "message", "stderr")

# The stage each requirement belongs to: exceptions first, then by area.
_REQUIREMENT_STAGE = {
    "P4M-LCG-1": "state",
    "P4M-SET-4": "prepend",
    "P4M-SET-6": "exit code",
    "P4M-SEQ-1": "prepend",
    "P4M-SEQ-2": "skip",
    "P4M-SEQ-3": "skip",
    "P4M-SEQ-4": "output",
    "P4M-SEQ-5": "search",
    "P4M-SEQ-6": "candidates",
    "P4M-CLI-5": "stdout",
    "P4M-CLI-6": "exit code",
    "P4M-CLI-7": "modes",
    "P4M-CLI-9": "stderr",
    "P4M-CLI-11": "message",
}
_AREA_STAGE = {"HASH": "hash", "SEED": "seed", "LCG": "generator", "SET": "candidates", "UNSAFE": "candidates"}
_AREA_STAGE.update({"LIST": "candidates", "TEST": "test", "CHECK": "check"})


def requirement_stage(requirement: str) -> str:
    """The stage a requirement constrains ("" for one that spans several, such as settings)."""
    if requirement in _REQUIREMENT_STAGE:
        return _REQUIREMENT_STAGE[requirement]
    parts = requirement.split("-")
    return _AREA_STAGE.get(parts[1], "") if len(parts) > 1 else ""


@dataclass(frozen=True)
class Finding:
    """One result's diagnosis: its stage, its symptom in plain words (the same for every result one bug
    gives: the group's key) and what this result shows of it (numbers, ports)."""

    stage: str
    symptom: str
    detail: str = ""
    ports: tuple[int, ...] = ()  # the actual ports it was told from (a stream of one port shows little)


@dataclass
class Group:
    """Results with one symptom: what is wrong, where, the requirement most specific to it."""

    stage: str
    symptom: str
    requirement: str
    results: list[Result]
    findings: list[Finding]
    scope: str = ""  # "in all 145 usage-error results" / "in 12 of 145 ..."
    consistent: int = 0  # results that joined because they do not contradict it (one port each)
    also: list[tuple[str, int]] = field(default_factory=list)  # other variants of the same stage, with counts

    @property
    def line(self) -> str:
        """The group's diagnosis, one line."""
        words = STAGES.get(self.stage, (self.stage, ""))[0] or "no stage told"
        text = f"{self.symptom}{' ' + self.scope if self.scope else ''} [{words}"
        text += f", {self.requirement}]" if self.requirement else "]"
        example = next((f.detail for f in self.findings if f.detail), "")
        if example:
            text += f": {example}"
        if self.also:
            text += "; in " + ", ".join(f"{n} of them: {what}" for what, n in self.also)
        if self.consistent:
            text += f" ({self.consistent} results of one port each are consistent with this, not proof of it)"
        return text


# ---------------------------------------------------------------- what a case asked for


def _option(args: list[str], name: str) -> str | None:
    value = None
    for arg in args:
        if arg == "--":
            break
        if arg.startswith(f"--{name}="):
            value = arg.partition("=")[2]
    return value


def _positional(args: list[str]) -> str | None:
    rest = False
    for arg in args:
        if rest or arg == "-" or not arg.startswith("-"):
            return arg
        if arg == "--":
            rest = True
    return None


def setting(case, name: str) -> str | None:
    """A setting's value as the case passes it (option, abstract setting or variable), or None; empty is unset."""
    data = case.data.get("input", {})
    args = [str(a) for a in data.get("args", [])]
    value = data.get("settings", {}).get(name)
    if value is None:
        value = _option(args, name.replace("_", "-"))
    if value is None and name == "tool":
        value = _positional(args)
    if value in (None, ""):
        value = data.get("env", {}).get(f"PORT4ME_{name.upper()}")
    return None if value in (None, "") else str(value)


def seed_parts(case) -> tuple[str, str | None] | None:
    """(user, tool) as the case sets them, or None when the user comes from the account (unknown here)."""
    env = case.data.get("input", {}).get("env", {})
    user = setting(case, "user")
    for name in ("USER", "LOGNAME", "USERNAME"):
        user = user or env.get(name) or None
    if user is None:
        return None
    return user, setting(case, "tool")


def seed_string(user: str, tool: str | None) -> str:
    """P4M-SEED-1."""
    joined = f"{user},{tool or ''}"
    return joined[:-1] if joined.endswith(",") else joined


def _utf16_hash(text: str) -> int:
    data = text.encode("utf-16-be", "surrogatepass")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) % (1 << 32)
    return h


def _signed(h: int) -> int:
    return h - (1 << 32) if h >= 1 << 31 else h


def _truncated_mod(h: int) -> int:  # C's and Java's %, then made positive by abs()
    return abs(abs(h) % MODULUS)


def _unbounded_hash(text: str) -> int:
    h = 0
    for char in text:
        h = 31 * h + ord(char)
    return h


# What a wrong start state may have come from: (stage, what it did, state from (user, tool)).
VARIANTS: tuple[tuple[str, str, Callable[[str, str | None], int]], ...] = (
    (
        "hash",
        "the hash was taken as a signed 32-bit integer (as Java's int), then reduced with a floor modulo",
        lambda u, t: _signed(string_hash(seed_string(u, t))) % MODULUS,
    ),
    (
        "hash",
        "the hash was taken as a signed 32-bit integer and reduced with C's or Java's %, then abs()",
        lambda u, t: _truncated_mod(_signed(string_hash(seed_string(u, t)))),
    ),
    (
        "hash",
        "the hash runs over UTF-16 code units (a code point above U+FFFF split, as Java's String.hashCode)",
        lambda u, t: _utf16_hash(seed_string(u, t)) % MODULUS,
    ),
    (
        "hash",
        "Java's String.hashCode: UTF-16 code units and a signed 32-bit integer",
        lambda u, t: _signed(_utf16_hash(seed_string(u, t))) % MODULUS,
    ),
    (
        "hash",
        "the hash runs over UTF-8 bytes, not code points",
        lambda u, t: (
            sum(b * pow(31, i, 1 << 32) for i, b in enumerate(reversed(seed_string(u, t).encode())))
            % (1 << 32)
            % MODULUS
        ),
    ),
    (
        "hash",
        "the hash is not reduced modulo 2**32 (arbitrary precision)",
        lambda u, t: _unbounded_hash(seed_string(u, t)) % MODULUS,
    ),
    (
        "seed",
        "the trailing comma is kept (user + ',' with no tool)",
        lambda u, t: string_hash(f"{u},{t or ''}") % MODULUS,
    ),
    ("seed", "user and tool are joined without a comma", lambda u, t: string_hash(u + (t or "")) % MODULUS),
    ("seed", "the seed string is tool,user", lambda u, t: string_hash(seed_string(t or "", u)) % MODULUS),
    ("seed", "the tool is left out of the seed string", lambda u, t: string_hash(u) % MODULUS),
    ("seed", "every trailing comma is removed", lambda u, t: string_hash(f"{u},{t or ''}".rstrip(",")) % MODULUS),
    ("state", "the hash is used without the reduction modulo 65537", lambda u, t: string_hash(seed_string(u, t))),
)


# ---------------------------------------------------------------- one result


def _ports(text: str) -> list[int]:
    """The ports of a shown stdout (the whole lines of digits; a shortened tail is left out)."""
    ports = []
    for line in text.split("\n"):
        if line.isdigit() and len(line) < 8:
            ports.append(int(line))
        elif line:
            break
    return ports


def expected_ports(result: Result) -> list[int] | None:
    """The ports a ports case expects, with its held ports filled in."""
    wanted = result.case.expect.get("ports")
    if wanted is None:
        return None
    out = []
    for value in wanted:
        text = str(value)
        for key, port in (result.ports or {}).items():
            text = text.replace("{" + key + "}", str(port))
        if not text.isdigit():
            return None
        out.append(int(text))
    return out


def _uses(case, name: str) -> bool:
    env = case.data.get("input", {}).get("env", {})
    return setting(case, name) is not None or f"PORT4ME_{name.upper()}_SITE" in env


def _follows(state: int, ports: list[int], within: int) -> bool:
    """Whether ``ports`` are, in order, draws after ``state``, each at most ``within`` draws after the last."""
    if not ports or any(not 0 <= p < PERIOD for p in ports):
        return False
    here = state
    for port in ports:
        gap = draws_between(here, port)
        if gap > within:
            return False
        here = port  # a draw is the state it leaves
    return True


def _first_gap(state: int, ports: list[int]) -> int:
    return draws_between(state, ports[0]) if ports else 1


def _span(ports: list[int]) -> int:
    """The largest number of draws between two consecutive ports (1 for consecutive draws)."""
    if len(ports) < 2:
        return 1
    return max(draws_between(a, b) for a, b in zip(ports, ports[1:]))


def _state_finding(case, expected: list[int], actual: list[int]) -> Finding | None:
    """A wrong start state: the actual ports are draws of the right generator from another state."""
    parts = seed_parts(case)
    if parts is None or (_uses(case, "prepend") and _uses(case, "skip")):
        return None
    prepended = set(_prepended(case))  # the stream is judged by its draws
    expected = [p for p in expected if p not in prepended]
    actual = [p for p in actual if p not in prepended]
    user, tool = parts
    if not actual or any(not 0 <= p < PERIOD for p in actual):
        return None
    right = string_hash(seed_string(user, tool)) % MODULUS
    gap = _first_gap(right, expected)  # skip and filtered draws before the first port
    within = max(_span(expected), 1) * 4 + 64
    if _uses(case, "skip") and len(actual) >= 2 and _follows(actual[0], actual[1:], within):
        return _landing(right, expected, actual)
    if not _uses(case, "skip"):
        other = _other_set(right, expected, actual, _uses(case, "include") or _uses(case, "exclude"))
        if other is not None:
            return other
    implied = state_before(actual[0]) if actual and 0 <= actual[0] < PERIOD else None
    seed = seed_string(user, tool)
    for stage, what, state_of in VARIANTS:
        try:
            state = state_of(user, tool)
        except (UnicodeError, ValueError):
            continue
        if not 0 <= state < MODULUS:
            continue
        near = abs(_first_gap(state, actual) - gap) <= 8 + gap // 64  # the same skip and filter as expected
        if state != right and near and _follows(state, actual, max(within, gap + 64)):
            shown = state_before(actual[0]) if gap == 1 else state
            return Finding(
                stage,
                what,
                f"the seed string {seed!r} gives state {right} (first draw {next_state(right)}); "
                f"the output implies state {shown}",
            )
    if len(actual) >= 2 and _follows(state_before(actual[0]), actual, within):
        words = "draws of the right generator from another start state: the hash or the seed string is wrong"
        detail = f"the seed string {seed!r} gives state {right} (first draw {next_state(right)})"
        if gap == 1 and implied is not None:
            detail += f"; the output implies state {implied} (first draw {actual[0]})"
        return Finding("state", words, detail)
    if len(actual) >= 2 and len(expected) >= 2:
        return Finding(
            "generator",
            "the ports are not draws of next(s) = (75 s + 74) mod 65537",
            f"after {actual[0]} the generator draws {next_state(actual[0])}, but {actual[1]} follows, "
            f"{draws_between(actual[0], actual[1])} draws later; the seed string {seed!r} gives state {right}, "
            f"whose first draw is {next_state(right)}",
        )
    return None


def _period(right: int, ports: list[int]) -> list[int] | None:
    """The ports of one pass through a candidate stream of ``right`` (in draw order), when ``ports`` are
    such a stream repeated (P4M-SEQ-6); None when they are not draws of that state in order."""
    places = [draws_between(right, p) for p in ports]
    size = next((i for i in range(1, len(ports)) if places[i] <= places[i - 1]), len(ports))
    if any(ports[i] != ports[i % size] for i in range(len(ports))):
        return None
    return ports[:size]


def _other_set(right: int, expected: list[int], actual: list[int], narrow: bool) -> Finding | None:
    """The right state's stream over another candidate set: which ports are extra and which are missing."""
    mine, theirs = _period(right, expected), _period(right, actual)
    if mine is None or theirs is None or len(actual) < 2:
        return None
    reach = max(draws_between(right, p) for p in mine)
    shared = set(mine) & set(theirs)
    if (not shared or not narrow) and max(draws_between(right, p) for p in theirs) > 2 * reach + 64:
        return None  # nothing in common and far beyond the expected draws: another start state, not another set
    last = max(draws_between(right, p) for p in theirs)
    extra = [p for p in theirs if p not in mine and (draws_between(right, p) <= reach or len(mine) < len(expected))]
    missing = [p for p in mine if p not in theirs and (draws_between(right, p) <= last or len(theirs) < len(actual))]
    if not extra and not missing:
        return None
    if len(missing) * 2 > len(mine):  # most of the expected ports gone: not a set that differs by a few ports
        return None
    said = _missing_extra(missing, extra) + f" (the stream of the right state {right}, over another candidate set)"
    if extra and not missing:
        return Finding("candidates", "the candidate set holds ports it must exclude", said)
    if missing and not extra:
        return Finding("candidates", "the candidate set leaves out ports it must hold", said)
    return Finding("candidates", "the candidate set differs: ports missing and extra", said)


def _landing(right: int, expected: list[int], actual: list[int]) -> Finding:
    """The right generator, but a skip lands elsewhere in its stream: by a few items, the skip's count
    is wrong; by many, the skip counted another candidate set (more candidates land earlier)."""
    shift = (draws_between(right, actual[0]) - draws_between(right, expected[0]) + PERIOD // 2) % PERIOD
    shift -= PERIOD // 2
    words = f"the output is the right stream from the right state {right}, {abs(shift)} draws "
    words += "earlier" if shift < 0 else "later"
    if abs(shift) <= 3:
        return Finding("skip", "a skip removes another number of items", words)
    return Finding(
        "candidates",
        "a skip lands elsewhere in the right stream: the candidate set it counts has another size",
        words + " than after the spec's skip",
    )


def _stream_finding(case, expected: list[int], actual: list[int]) -> Finding | None:
    """The right stream with items missing, extra or moved: skip, prepend, candidate set, order."""
    if sorted(expected) == sorted(actual):
        stage = "prepend" if _uses(case, "prepend") else "output"
        return Finding(stage, "the right ports in another order", f"expected {_few(expected)}, got {_few(actual)}")
    # The stream is judged by its candidates: prepended ports alike on both sides prove nothing of it.
    prepended = set(_prepended(case))
    drawn_e, drawn_a = [p for p in expected if p not in prepended], [p for p in actual if p not in prepended]
    if drawn_e and drawn_a:
        same = difflib.SequenceMatcher(a=drawn_e, b=drawn_a, autojunk=False)
        drawn_common = sum(block.size for block in same.get_matching_blocks())
        if drawn_common == 0 or drawn_common * 2 < min(len(drawn_e), len(drawn_a)):
            return None
    matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    common = sum(block.size for block in matcher.get_matching_blocks())
    if common == 0 or common * 2 < min(len(expected), len(actual)):
        return None
    operations = matcher.get_opcodes()
    missing = [p for tag, i1, i2, _, _ in operations if tag in ("delete", "replace") for p in expected[i1:i2]]
    extra = [p for tag, _, _, j1, j2 in operations if tag in ("insert", "replace") for p in actual[j1:j2]]
    at_start = operations[0][0] != "equal"
    said = _missing_extra(missing, extra)
    if _uses(case, "skip") and at_start:
        shift = len(extra) - len(missing)
        if shift < 0:
            words = "a skip removes too many items"
        elif shift > 0:
            words = "a skip removes too few items"
        else:
            words = "a skip removes other items than the first N of the output stream"
        if _uses(case, "prepend"):
            words += " (prepended ports count as items)"
        return Finding("skip", words, said)
    early = [p for tag, i1, i2, _, _ in operations if tag != "equal" and i1 < len(prepended) for p in expected[i1:i2]]
    if _uses(case, "prepend") and (set(extra) & prepended or set(early) & prepended):
        return Finding("prepend", "prepended ports are missing, extra or out of place", said)
    if not _plausible(case, expected, extra):
        return None
    if len(expected) == len(actual) and extra and missing:  # list mode: what comes in pushes the last out
        if expected[-len(missing) :] == missing and set(extra).isdisjoint(expected):
            missing = []
        elif actual[-len(extra) :] == extra:
            extra = []
        said = _missing_extra(missing, extra)
    if extra and not missing:
        return Finding("candidates", "the candidate set holds ports it must exclude", said)
    if missing and not extra:
        return Finding("candidates", "the candidate set leaves out ports it must hold", said)
    return Finding("candidates", "the candidate set differs: ports missing and extra", said)


def _plausible(case, expected: list[int], extra: list[int]) -> bool:
    """Whether ports printed beyond the expected could be candidates the right stream draws among them: in the
    default set a candidate follows the one before within a few draws, so an extra port far off is not one."""
    parts = seed_parts(case)
    drawn = [p for p in expected if p not in set(_prepended(case))] or expected
    if not extra or not drawn or _uses(case, "include") or _uses(case, "exclude") or _uses(case, "skip"):
        return True
    # The user from the account is unknown here; in the default set the first port is the first draw.
    right = string_hash(seed_string(*parts)) % MODULUS if parts else state_before(drawn[0])
    reach = max((draws_between(right, p) for p in drawn), default=1)
    return all(draws_between(right, p) <= 2 * reach + 64 for p in extra if 0 <= p < PERIOD)


def _prepended(case) -> list[int]:
    """The ports a case prepends (ranges of up to 4096 ports expanded), as far as plain numbers tell."""
    values = [setting(case, "prepend") or "", case.data.get("input", {}).get("env", {}).get("PORT4ME_PREPEND_SITE", "")]
    ports: list[int] = []
    for value in values:
        for low, high in re.findall(r"(?<![0-9])([0-9]{1,5})(?:-([0-9]{1,5}))?(?![0-9])", value):
            first, last = int(low), int(high or low)
            ports.extend(range(first, min(last, first + 4095) + 1))
    return ports


def _missing_extra(missing: list[int], extra: list[int]) -> str:
    said = []
    if extra:
        said.append(f"prints {_few(extra)}, which the stream does not hold there")
    if missing:
        said.append(f"leaves out {_few(missing)}")
    return "; ".join(said)


def _few(ports: list[int], most: int = 4) -> str:
    shown = " ".join(str(p) for p in ports[:most])
    return shown + (f" … ({len(ports)} in all)" if len(ports) > most else "")


def ports_finding(result: Result, expected: list[int], actual: list[int]) -> Finding:
    """Which stage made a wrong list of ports."""
    case = result.case
    if not actual:
        return Finding("output", "prints no port where ports are expected")
    # One port shows no stream: a named variant of the hash or seed is tried before a constant offset.
    single = _state_finding(case, expected, actual) if len(actual) == 1 else None
    if single is not None and single.stage in ("hash", "seed"):
        return single
    if len(actual) == len(expected):
        offsets = {a - e for a, e in zip(actual, expected)}
        if len(offsets) == 1:
            (offset,) = offsets
            ahead = "more" if offset > 0 else "less"
            return Finding(
                "output",
                f"every port is {abs(offset)} {ahead} than expected",
                f"the right ports of the right stream, each printed {offset:+d}: hash, seed, generator and "
                "candidate set are right",
            )
    found = _stream_finding(case, expected, actual) or _state_finding(case, expected, actual)
    if found:
        return found
    if len(actual) != len(expected) and _uses(case, "list"):
        return Finding("output", "list mode prints another number of ports", f"{len(actual)}, not {len(expected)}")
    return Finding("", UNEXPLAINED, f"expected {_few(expected)}, got {_few(actual)}")


_SHORTENED = re.compile(r"… \([0-9]+ (bytes|characters) in all\)$")


def whole_lines(text: str) -> tuple[str, bool]:
    """A shown stream without the tail a report cut ("… (N bytes in all)"), and whether it was cut."""
    cut = _SHORTENED.search(text)
    if not cut:
        return text, False
    return text[: text.rfind("\n", 0, cut.start()) + 1], True


def _stdout_shape(text: str) -> str:
    if "\\r" in text:
        return "ports end in CR LF, not LF"
    if text and not text.endswith("\n"):
        return "the last port does not end in LF"
    if "\n\n" in text or text.startswith("\n"):
        return "stdout holds empty lines"
    if re.search(r"(^|\n)0[0-9]", text):
        return "ports are written with leading zeros"
    if re.search(r"(^|\n) |[ \\t](\n|$)", text):
        return "ports are padded with spaces or tabs"
    return "stdout holds more than ports, one per line"


def _error_kind(case) -> str:
    return case.expect.get("error", "")


def finding(result: Result) -> Finding:
    """The diagnosis of one result that did not pass."""
    status, case, actual = result.status, result.case, result.actual or {}
    if status == XPASS:
        return Finding("known", "listed as known differences, but they pass")
    if status in (CRASH, TIMEOUT, TOO_LARGE):
        return Finding("run", result.cause or status)
    if status not in (FAIL, WARN):
        return Finding("", result.cause or result.reason)
    if not actual:  # a unit value, a library's answer: the judge's own words
        stage = requirement_stage(case.requirements[0]) if case.requirements else ""
        return Finding(stage, result.cause or result.reason)
    code, stdout, stderr = actual.get("exit_code"), actual.get("stdout", ""), actual.get("stderr", "")
    stdout, shortened = whole_lines(stdout)
    expect = case.expect
    if "ports" in expect or "port_count" in expect:
        if code != 0:
            return Finding("exit code", f"exits {code} where ports are expected", _first_line(stderr))
        if not _only_ports(stdout):
            return Finding("stdout", _stdout_shape(stdout), f"stdout: {stdout[:60]!r}")
        wanted = expected_ports(result)
        got = _ports(stdout)
        if wanted is not None and shortened:  # the report keeps the start of a long stdout: compare that
            wanted = wanted[: len(got)]
        if wanted is not None and got != wanted:
            return replace(ports_finding(result, wanted, got), ports=tuple(got[:3]))
        if "port_count" in expect:
            if any(port > PERIOD - 1 for port in got):
                big = next(port for port in got if port > PERIOD - 1)
                return Finding("output", "prints numbers above 65535, which are not ports", f"prints {big}")
            if not shortened and len(got) != expect["port_count"]:
                return Finding("output", "list mode prints another number of ports", f"{len(got)} ports")
        if expect.get("stderr") == "empty" and stderr:
            return Finding("stderr", "writes to stderr on success", _first_line(stderr))
        if shortened:  # what differs lies past the part of stdout a report keeps (the judge saw it all)
            return Finding("stdout", "a long stdout differs past the part the report keeps", result.reason)
        return _after(case, result)
    if "error" in expect:
        kind = _error_kind(case)
        wanted = 2 if kind == "usage" else 1
        if kind == "runtime" and code == 0 and _ports(stdout) and _only_ports(stdout):
            # A search that found a port where the spec's stream has none free within max-tries: its stream
            # differs; alone this says no more (it joins a group that explains the stream, if there is one).
            return Finding("", UNEXPLAINED, f"prints {_few(_ports(stdout))} where no port of the stream is free")
        if code != wanted:
            scope = "usage errors" if kind == "usage" else "runtime errors"
            return Finding("exit code", f"{scope} exit {code} instead of {wanted}", _first_line(stderr))
        if stdout:
            return Finding("stdout", "writes to stdout on an error", f"stdout: {stdout[:60]!r}")
        if not stderr.strip():
            return Finding("message", "says nothing on stderr on an error")
        return _message(result, stderr)
    if "test" in expect:
        wanted = 0 if expect["test"] == "free" else 1
        stage = "check" if case.real_check else "test"
        if code != wanted:
            return Finding(stage, f"--test of a {expect['test']} port exits {code} instead of {wanted}")
        if stdout:
            return Finding("stdout", "--test writes to stdout")
        return _after(case, result)
    if "help" in expect or "version" in expect:
        mode = "--help" if "help" in expect else "--version"
        if code != 0:
            return Finding("modes", f"{mode} exits {code} instead of 0")
        return Finding("modes", f"{mode} does not print what the spec asks", _first_line(stdout))
    return Finding("", result.cause or result.reason)


def _after(case, result: Result) -> Finding:
    """What a check case asks after the call (the stream was right)."""
    if case.data.get("after") == "untouched":
        return Finding("check", "the check connects to the port it checks")
    if case.data.get("after") == "bindable":
        return Finding("check", "the port is still held after the implementation exits")
    return Finding("", result.cause or result.reason)


def _message(result: Result, stderr: str) -> Finding:
    from .judge import names, shows, source_name  # the judge's own matching of names and values (P4M-CLI-11)

    diagnostic = result.case.expect.get("diagnostic") or {}
    source = source_name(diagnostic.get("source"), result.variant)
    if source and not names(stderr, source):
        return Finding(
            "message",
            "error messages do not name the source (the option or variable the value came from)",
            _first_line(stderr),
        )
    value = diagnostic.get("value")
    if "value_hex" in diagnostic:
        value = bytes.fromhex(diagnostic["value_hex"]).decode("utf-8", "surrogateescape")
    if value and not shows(stderr, value):
        return Finding("message", "error messages do not contain the offending value", _first_line(stderr))
    causes = diagnostic.get("cause")
    if causes and not any(names(stderr, cause, fold=True) for cause in causes):
        return Finding("message", "runtime error messages do not name the cause", _first_line(stderr))
    if stderr.strip().count("\n"):
        return Finding("message", "error messages take more than one line", _first_line(stderr))
    # The message is as the case asks: what failed is elsewhere (a control call, INTERPRETING 4.1), in the
    # judge's words; no stage is told from this call's output.
    return Finding("", result.cause or result.reason, _first_line(stderr))


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().split("\n") if line.strip()] if text else []
    # A traceback says what went wrong on its last line.
    line = (lines[-1] if lines[0].startswith("Traceback") else lines[0]) if lines else ""
    return f"stderr: {line[:100]!r}" if line else ""


def _only_ports(text: str) -> bool:
    # Numbers past 65535 count here: an offset can push 65535 to 65536, which is the offset's doing.
    return re.fullmatch(r"(?:[1-9][0-9]{0,6}\n)*", text) is not None


# ---------------------------------------------------------------- groups


@dataclass
class Diagnosis:
    """Every result that did not pass, in groups by symptom, the largest first."""

    groups: list[Group] = field(default_factory=list)
    of: dict[int, Group] = field(default_factory=dict)  # id(result) -> its group

    def group_of(self, result: Result) -> Group | None:
        return self.of.get(id(result))

    def blocked(self, result: Result, requirement: str) -> bool:
        """Whether ``result`` fails for a reason outside ``requirement``'s stage (INTERPRETING 12.3)."""
        group = self.of.get(id(result))
        if group is None or group.stage not in BLOCKING:
            return False
        stage = requirement_stage(requirement)
        if stage == "" and group.stage == "state":  # a start state no variant explains may come from the settings
            return False
        return stage != group.stage


def _key_requirement(stage: str, results: list[Result]) -> str:
    """The requirement most specific to a group: of its stage, the one its results pin most; else the stage's."""
    counts = Counter(q for r in results for q in r.case.requirements if requirement_stage(q) == stage)
    if counts:
        return counts.most_common(1)[0][0]
    return STAGES.get(stage, ("", ""))[1]


def results_word(count: int) -> str:
    """ "1 result", "2 results": a count of results in words."""
    return f"{count} result{'s' * (count != 1)}"


def _scope(stage: str, symptom: str, members: list[Result], every: list[Result]) -> str:
    """How many of the results that could show the symptom do: "in all 145 …" or "in 12 of 145 …"."""
    if stage == "exit code" and symptom.startswith(("usage errors", "runtime errors")):
        kind = "usage" if symptom.startswith("usage") else "runtime"
        same = [r for r in every if r.case.expect.get("error") == kind and r.actual]
        noun = f"{kind}-error results"
    elif stage in PIPELINE:
        same = [r for r in every if "ports" in r.case.expect and r.actual]
        noun = "results that print ports"
    else:
        return f"in {results_word(len(members))}"
    ids = {id(r) for r in same}
    mine = sum(id(r) in ids for r in members)
    others = len(members) - mine
    text = f"in all {len(same)} {noun}" if mine >= len(same) else f"in {mine} of {len(same)} {noun}"
    return text + (f" and {others} other {results_word(others).split(' ', 1)[1]}" if others else "")


PASSING = ("pass", "skip", "n/a", "xfail")
UNEXPLAINED = "other ports than expected"


def diagnose(results: list[Result]) -> Diagnosis:
    """Group the results that did not pass by symptom (one bug, one group), each with its stage."""
    found: dict[tuple[str, str], tuple[list[Result], list[Finding]]] = {}
    for result in results:
        if result.status in PASSING:
            continue
        try:
            item = finding(result)
        except Exception:  # noqa: BLE001 - a diagnosis that fails must not cost the run its reports
            item = Finding("", result.cause or result.reason)
        members, findings = found.setdefault((item.stage, item.symptom), ([], []))
        members.append(result)
        findings.append(item)
    groups = [
        Group(stage, symptom, _key_requirement(stage, members) if stage else "", members, findings)
        for (stage, symptom), (members, findings) in found.items()
    ]
    groups = _merge_unexplained(_skip_by_candidates(_merge_variants(_single_offsets(groups))))
    for group in groups:
        group.scope = _scope(group.stage, group.symptom, group.results, results)
    groups.sort(key=lambda g: (-len(g.results), PIPELINE.index(g.stage) if g.stage in PIPELINE else 99, g.symptom))
    diagnosis = Diagnosis(groups)
    for group in groups:
        for result in group.results:
            diagnosis.of[id(result)] = group
    return diagnosis


def _single_offsets(groups: list[Group]) -> list[Group]:
    """An offset seen only in results of one port each proves nothing (any two ports differ by some
    number): such a group becomes unexplained, unless results of several ports show the same offset."""
    out = []
    for group in groups:
        if group.symptom.startswith("every port is ") and all(len(f.ports) < 2 for f in group.findings):
            said = group.symptom.replace("every port is", "each port is", 1)
            said += ", in results of one port each: no stream to tell a stage by"
            group.stage, group.symptom, group.requirement = "", UNEXPLAINED, ""
            group.findings = [replace(f, stage="", symptom=group.symptom, detail=said) for f in group.findings]
        out.append(group)
    merged: dict[tuple[str, str], Group] = {}
    for group in out:
        key = (group.stage, group.symptom)
        if key in merged:
            merged[key].results.extend(group.results)
            merged[key].findings.extend(group.findings)
        else:
            merged[key] = group
    return list(merged.values())


def _merge_variants(groups: list[Group]) -> list[Group]:
    """The groups of one stage (hash, seed, candidates, skip) become one: one mistake shows as several
    symptoms (a signed hash, and for a code point above U+FFFF also UTF-16 units; a port too many in a
    list, and a skip that lands elsewhere for it); the largest names the group, the others are listed."""
    out: list[Group] = []
    for stage in ("hash", "seed", "candidates", "skip", "message"):
        same = sorted((g for g in groups if g.stage == stage), key=lambda g: -len(g.results))
        if len(same) > 1:
            first = same[0]
            for other in same[1:]:
                first.also.append((other.symptom, len(other.results)))
                first.results.extend(other.results)
                first.findings.extend(other.findings)
            groups = [g for g in groups if g.stage != stage or g is first]
    out.extend(groups)
    return out


def _skip_by_candidates(groups: list[Group]) -> list[Group]:
    """A skip counts candidates: where the candidate set is shown wrong, a skip without prepended ports that
    lands a few items off is what that set does, so it joins the candidate group (said there, not hidden)."""
    host = next((g for g in groups if g.stage == "candidates"), None)
    skip = next((g for g in groups if g.stage == "skip"), None)
    if host is None or skip is None or any(_uses(r.case, "prepend") for r in skip.results):
        return groups
    host.also.append(
        (f"a skip lands a few items off, as a skip over this candidate set does ({skip.symptom})", len(skip.results))
    )
    host.results.extend(skip.results)
    host.findings.extend(skip.findings)
    return [g for g in groups if g is not skip]


def _merge_unexplained(groups: list[Group]) -> list[Group]:
    """Results of one port each that no stage explains join the largest start-state or generator group:
    one port cannot show a stream, so they are said to be consistent with it, not diagnosed by it."""
    unexplained = [g for g in groups if g.stage == "" and g.symptom == UNEXPLAINED]
    hosts = [g for g in groups if g.stage in ("hash", "seed", "state", "generator")]
    hosts = hosts or [g for g in groups if g.stage in PIPELINE]
    if not unexplained or not hosts:
        return groups
    host = max(hosts, key=lambda g: len(g.results))
    for group in unexplained:
        host.results.extend(group.results)
        host.findings.extend(group.findings)
        host.consistent += len(group.results)
    return [g for g in groups if g not in unexplained]
