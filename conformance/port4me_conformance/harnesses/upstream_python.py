"""Upstream port4me 0.7.0 (PyPI) behind the harness protocol's library interface (INTERPRETING section 11).

Run with the Python that has upstream installed: ``PYTHON upstream_python.py``.  It
imports only the standard library and upstream's ``port4me``.  Upstream reads its
variables with ``os.getenv``, some of them when the module is imported, so each call
replaces the process environment with the request's and imports the module afresh.  A
setting of ASCII digits is passed as an int (upstream takes ints for skip, list, test
and max_tries); any other string is passed as it is.

Errors map to kinds: ``TimeoutError`` (no free port) and ``OSError`` (a socket that
cannot be made) are ``runtime``; ``ValueError``, ``AssertionError`` and ``TypeError``,
upstream's ways of refusing input, are ``usage``; anything else is ``crash``.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys

import port4me

NUMBERS = ("skip", "list", "test", "max_tries")
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # a skip of 10,000 digits is an int a caller may pass


def call(settings: dict, env: dict) -> dict:
    os.environ.clear()
    os.environ.update(env)
    importlib.reload(port4me)  # its {chrome} and {firefox} lists are read from the environment at import
    arguments = {
        name: int(value) if name in NUMBERS and value.isascii() and value.isdigit() else value
        for name, value in settings.items()
    }
    try:
        result = port4me.port4me(**arguments)
    except (TimeoutError, OSError) as error:
        return {"error": {"kind": "runtime", "message": f"{type(error).__name__}: {error}"}}
    except (ValueError, AssertionError, TypeError) as error:
        return {"error": {"kind": "usage", "message": f"{type(error).__name__}: {error}"}}
    except Exception as error:  # noqa: BLE001 - an undocumented failure is the answer
        return {"error": {"kind": "crash", "message": f"{type(error).__name__}: {error}"}}
    if isinstance(result, bool):
        return {"free": result}
    return {"ports": list(result) if isinstance(result, list) else [result]}


def answer(request: dict) -> dict:
    if request["op"] == "hello":
        implementation = {
            "name": "port4me (upstream, PyPI)",
            "version": port4me.__version__,
            "language": "Python",
            "language_version": platform.python_version(),
            "homepage": "https://github.com/HenrikBengtsson/port4me",
            "issues": "https://github.com/HenrikBengtsson/port4me/issues",
            "interfaces": ["library"],
            "unit": ["string_hash"] if hasattr(port4me, "uint_hash") else [],
            "notes": "errors: TimeoutError, OSError -> runtime; ValueError, AssertionError, TypeError -> usage",
        }
        return {"protocol": "1.0", "implementation": implementation}
    if request["op"] == "unit":
        return {"value": port4me.uint_hash(request["input"])}
    return call(request["settings"], request["env"])


def main() -> int:
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what upstream prints goes to stderr, never into the answers
    for line in sys.stdin.buffer:
        request = json.loads(line)
        if request["op"] == "stop":
            return 0
        out.write(json.dumps({"seq": request["seq"], **answer(request)}).encode("ascii") + b"\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
