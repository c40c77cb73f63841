"""How a case is described: a few declarative values, with defaults for everything optional.

A vector module yields ``Case`` objects; ``build`` turns them into the entries of a
vector file. Inputs, real-check holds and upstream links are small sub-objects, so a
case states only what it needs::

    Case("set-exclude", "--exclude drops ports", ["P4M-SET-3"], alice(exclude=...), settings(user="alice"))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Given:
    """What the runner passes: arguments, abstract settings, variables, and raw bytes (hex)."""

    args: Sequence[str] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    args_hex: Sequence[str] = ()
    env_hex: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The case's ``input``, keeping only what is set, in the files' field order."""
        fields = (
            ("args", list(self.args)),
            ("settings", dict(self.settings)),
            ("env", dict(self.env)),
            ("args_hex", list(self.args_hex)),
            ("env_hex", dict(self.env_hex)),
        )
        return {name: value for name, value in fields if value}


def settings(env: Mapping[str, str] | None = None, **values: Any) -> Given:
    """Abstract settings (run both as options and as variables), plus fixed variables."""
    return Given(settings=values, env=env or {})


def argv(*args: str, env: Mapping[str, str] | None = None) -> Given:
    """Literal arguments, plus variables."""
    return Given(args=args, env=env or {})


@dataclass(frozen=True)
class Hold:
    """How the runner holds ``{port}`` while the implementation runs (INTERPRETING.md section 3)."""

    kind: str
    address: str | None = None
    v6only: bool | None = None
    reuseaddr: bool | None = None

    def as_dict(self) -> dict:
        fields = (
            ("kind", self.kind),
            ("address", self.address),
            ("v6only", self.v6only),
            ("reuseaddr", self.reuseaddr),
        )
        return {name: value for name, value in fields if value is not None}


@dataclass(frozen=True)
class RealCheck:
    """A case of the check level: the port is really held, and the case is tagged ``real-check``."""

    hold: Hold
    after: str | None = None
    needs: Sequence[str] = ()
    switch: str = "real"  # 'any' keeps the testing switch on, to show it overrides the check
    port: int | None = None  # use this port as {port} (the case is about that one port)


@dataclass(frozen=True)
class Link:
    """A link to an upstream observation (spec/upstream/observed.json)."""

    observed: str
    outcome: Mapping[str, Any] | None = None  # compare upstream with this when ``expect`` has placeholders
    note: str | None = None


@dataclass(frozen=True)
class Control:
    """The same case with its input made satisfiable (INTERPRETING 4.1): the case passes only when
    this call meets ``expect`` too, so that an expected error cannot be a refusal of the input."""

    given: Given
    expect: Mapping[str, Any]


@dataclass(frozen=True)
class Case:
    """One vector. ``given=None`` takes the inputs of the linked observation, if any, else none."""

    id: str
    description: str
    requirements: Sequence[str]
    expect: Mapping[str, Any]
    given: Given | None = None
    observed: str | Link | None = None
    decisions: Sequence[int] = ()
    flags: Sequence[str] = ()
    tags: Sequence[str] = ()
    note: str | None = None
    unit: Sequence[Mapping[str, Any]] = ()
    real: RealCheck | None = None
    needs: Sequence[str] = ()  # what the host must provide beyond a held port (INTERPRETING.md 2.5)
    control: Control | None = None

    @property
    def link(self) -> Link | None:
        return Link(self.observed) if isinstance(self.observed, str) else self.observed


@dataclass(frozen=True)
class VectorFile:
    """A vector file's header: its name (without extension), title and description."""

    name: str
    title: str
    description: str
