"""Progress while cases run: a live line on a terminal; on a file or pipe, a line now and then."""

from __future__ import annotations

import time
from typing import TextIO

from .results import PASS, SKIP, UNIT, XFAIL, Result


class Progress:
    """Counts results as they come (the runner calls it from one thread at a time)."""

    def __init__(self, stream: TextIO, name: str, total: int, every: float = 30.0):
        self.stream, self.name, self.total, self.every = stream, name, total, every
        self.tty = stream.isatty()
        self.done = self.bad = 0
        self.start = self.last = time.monotonic()
        self._write(f"port4me-conformance: checking {name}: {total} calls\n")

    def __call__(self, result: Result) -> None:
        self.done += 1
        self.bad += result.status not in (PASS, SKIP, UNIT, XFAIL)
        now = time.monotonic()
        if self.tty and (now - self.last >= 0.1 or self.done == self.total):
            self.last = now
            self._write(
                f"\r\x1b[K  {self.name}: {self.done}/{self.total}, {self.bad} not passed, {now - self.start:.0f} s"
            )
        elif not self.tty and now - self.last >= self.every:
            self.last = now
            self._write(
                f"  {self.name}: {self.done}/{self.total} done, {self.bad} not passed, {now - self.start:.0f} s\n"
            )

    def finish(self) -> None:
        if self.tty:
            self._write("\r\x1b[K")
        self._write(f"  {self.name}: {self.done} calls in {time.monotonic() - self.start:.1f} s\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not stop the run
            pass
