"""port4me: the same personal, free TCP port, every time (reference implementation of spec v1)."""

from .algorithm import string_hash
from .api import port4me, port4me_gen
from .check import is_port_free
from .errors import NoFreePortError, Port4meError, UsageError
from .version import SPEC_VERSION, __version__

uint_hash = string_hash  # upstream 0.7's name

__all__ = [
    "SPEC_VERSION",
    "NoFreePortError",
    "Port4meError",
    "UsageError",
    "__version__",
    "is_port_free",
    "port4me",
    "port4me_gen",
    "string_hash",
    "uint_hash",
]
