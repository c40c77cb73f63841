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
