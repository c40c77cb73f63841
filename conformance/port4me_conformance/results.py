"""What a run produces (INTERPRETING section 6): the statuses, one result per (case, variant), and the
mismatch that explains a failure.  The runner makes these; the reports and the diagnosis read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .vectors import Case

PASS, FAIL, SKIP, XFAIL, XPASS, UNIT = "pass", "fail", "skip", "xfail", "xpass", "n/a"
WARN, CRASH, TIMEOUT, TOO_LARGE = "warn", "crash", "timeout", "output-too-large"
STATUSES = (PASS, FAIL, WARN, CRASH, TIMEOUT, TOO_LARGE, SKIP, XFAIL, XPASS, UNIT)
FAILED = (FAIL, CRASH, TIMEOUT, TOO_LARGE)  # what a known difference turns into xfail


@dataclass(frozen=True)
class Mismatch:
    """Why an outcome did not meet its expectation: this result's reason, and the rule it breaks (its cause)."""

    reason: str
    requirement: str
    rule: str
    diff: str = ""

    @property
    def cause(self) -> str:
        return f"{self.requirement}: {self.rule}" if self.requirement else self.rule


@dataclass(frozen=True)
class Result:
    """The status of one case in one variant, with what a person needs to understand and repeat it."""

    case: Case
    variant: str
    status: str
    reason: str = ""
    detail: str = ""  # the difference (a diff) or both streams
    seconds: float = 0.0
    cause: str = ""  # the rule it breaks, shared by every result it covers ("P4M-CLI-6: ...")
    expected: str = ""
    actual: dict[str, Any] | None = None  # exit_code, stdout, stderr (shown visibly), killed
    reproduce: str = ""  # the shell line of INTERPRETING section 8
    setup: str = ""  # how {port} was held, which confinement applied
    observed: str = ""  # for xfail: the status it had before the known difference applied
    ports: dict[str, int] | None = None  # the ports the runner held for {port}, {port2}, ... (check cases)

    @property
    def name(self) -> str:
        return self.case.id if self.variant == "options" else f"{self.case.id}@{self.variant}"

    @property
    def level(self) -> str:
        return self.case.level
