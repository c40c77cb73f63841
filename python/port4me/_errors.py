"""Exceptions, one per exit code of the command line (spec P4M-CLI-6)."""

from __future__ import annotations


class Port4meError(Exception):
    """Base class of every error port4me raises on purpose."""

    exit_code = 1


class UsageError(Port4meError, ValueError):
    """Bad input: an option, environment variable or argument is malformed (exit 2)."""

    exit_code = 2


class NoFreePortError(Port4meError, TimeoutError):
    """No free port among the ports the search may check (exit 1).

    A TimeoutError, as upstream port4me 0.7 raised, so existing handlers still work.
    """

    exit_code = 1
