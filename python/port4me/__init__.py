"""port4me: the same personal, free TCP port, every time (reference implementation of spec v1).

The public face: this package's names, ``port4me.algorithm`` (the spec's hash, LCG and
streams), ``port4me.cli`` (the command: ``main``, ``run``) and the toolkit: ``check``,
``find``, ``hold``, ``wait``, ``who``, ``lease`` and the pytest plugin (``pytest_plugin``);
``harness`` serves the library to the kit's harness protocol. Modules whose names start with
``_`` are internal and may change in any release.
"""

from ._api import port4me, port4me_gen
from ._errors import NoFreePortError, Port4meError, UsageError
from ._version import SPEC_VERSION, __version__
from .algorithm import string_hash
from .check import is_port_free

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
