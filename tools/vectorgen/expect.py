"""Expected outcomes, as the ``expect`` field of a case writes them."""

from __future__ import annotations

from .model import model

USAGE = {"error": "usage"}
RUNTIME = {"error": "runtime"}
FREE = {"test": "free"}
BUSY = {"test": "busy"}
UNIT_ONLY = {"unit_only": True}


def ports(*values) -> dict:
    """``ports(1, 2)`` or ``ports([1, 2])``: these ports on stdout, one per line."""
    return {"ports": list(values[0]) if len(values) == 1 and isinstance(values[0], list) else list(values)}


def alice(count: int = 1, **meaning) -> dict:
    """The first ``count`` ports of user alice's stream, under what the settings mean."""
    return ports(model("alice", count, **meaning))


def usage(source: str | None = None, value: str | None = None, raw: bytes | None = None) -> dict:
    """A usage error whose message names ``source`` and contains ``value``, each when given (P4M-CLI-11).

    ``source`` is an abstract setting (``exclude``: named as the option or the variable,
    as the variant passes it), an option (``--list``) or a variable (``PORT4ME_SKIP``).
    """
    pairs = (("source", source), ("value", value), ("value_hex", raw.hex() if raw is not None else None))
    diagnostic = {key: text for key, text in pairs if text is not None}
    return {"error": "usage", "diagnostic": diagnostic} if diagnostic else dict(USAGE)


# What a message names as the cause of a socket that cannot be created (P4M-CHECK-7): the error's
# POSIX name, or its description in glibc or musl.
EMFILE = ("EMFILE", "Too many open files", "No file descriptors available")
EACCES = ("EACCES", "Permission denied")


def runtime(cause: tuple[str, ...]) -> dict:
    """A runtime error whose one line names one of ``cause`` (P4M-CHECK-7)."""
    return {"error": "runtime", "diagnostic": {"cause": list(cause)}}
