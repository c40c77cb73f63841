"""``python -m port4me.harness``: the reference behind the harness protocol (spec/INTERPRETING.md section 11).

It reads one JSON request per line on stdin and writes one answer per line on stdout,
in one process for a whole run, so that the caches an implementation builds across
calls are exercised.  Both interfaces: ``cli`` calls the command's ``main`` with the
request's arguments and environment; ``library`` calls ``port4me.port4me()``.  Only the
package's public API and its command's entry point are used, and the standard library.

Errors of the library map to kinds as follows: ``UsageError`` is ``usage``;
``NoFreePortError``, any other ``Port4meError`` and ``OSError`` (a port that cannot be
checked) are ``runtime``; anything else is ``crash``.
"""

from __future__ import annotations

import io
import json
import os
import platform
import sys

PROTOCOL = "1.0"
UNIT_FUNCTIONS = ("string_hash", "initial_state", "lcg_next", "seed_string")


def describe() -> dict:
    import port4me

    return {
        "name": "port4me",
        "version": port4me.__version__,
        "language": "Python",
        "language_version": platform.python_version(),
        "homepage": "",
        "issues": "",
        "interfaces": ["cli", "library"],
        # Only the functions the package exports: a harness computes nothing itself.
        "unit": [name for name in UNIT_FUNCTIONS if callable(getattr(port4me, name, None))],
        "notes": "the reference implementation of the port4me spec " + port4me.SPEC_VERSION,
    }


def to_bytes(value: str | dict) -> bytes:
    return bytes.fromhex(value["hex"]) if isinstance(value, dict) else value.encode("utf-8")


def from_bytes(data: bytes) -> str | dict:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": data.hex()}


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")  # undoes os.fsdecode() of the arguments


def call_cli(request: dict) -> dict:
    from port4me.cli import main

    argv = [os.fsdecode(to_bytes(arg)) for arg in request["argv"]]
    env = {name: os.fsdecode(to_bytes(value)) for name, value in request["env"].items()}
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(argv, env, stdout, stderr)
    return {
        "stdout": from_bytes(_encode(stdout.getvalue())),
        "stderr": from_bytes(_encode(stderr.getvalue())),
        "exit_code": code,
    }


def call_library(request: dict) -> dict:
    import port4me

    try:
        result = port4me.port4me(**request["settings"], env=request["env"])
    except port4me.UsageError as error:
        return {"error": {"kind": "usage", "message": str(error)}}
    except (port4me.Port4meError, OSError) as error:
        return {"error": {"kind": "runtime", "message": str(error)}}
    except Exception as error:  # noqa: BLE001 - an undocumented failure is the answer, not the harness's end
        return {"error": {"kind": "crash", "message": f"{type(error).__name__}: {error}"}}
    if isinstance(result, bool):
        return {"free": result}
    return {"ports": result if isinstance(result, list) else [result]}


def unit(request: dict) -> dict:
    import port4me

    function, value = getattr(port4me, request["function"]), request["input"]
    return {"value": function(*value) if request["function"] == "seed_string" else function(value)}


def answer(request: dict, handlers: dict) -> dict:
    op = request.get("op")
    if op == "hello":
        return {"protocol": PROTOCOL, "implementation": describe()}
    if op == "unit":
        return unit(request)
    return handlers[request["interface"]](request)


def serve(requests, out, handlers: dict | None = None) -> int:
    """Answer each request line until stop (or the end of input); the exit code."""
    handlers = handlers or {"cli": call_cli, "library": call_library}
    for line in requests:
        request = json.loads(line)
        if request.get("op") == "stop":
            return 0
        reply = {"seq": request["seq"], **answer(request, handlers)}
        out.write(json.dumps(reply, separators=(",", ":")).encode("ascii") + b"\n")  # \\u escapes: any message
        out.flush()
    return 0


def main() -> int:
    # Answers go to the original stdout; anything else the process prints goes to stderr,
    # where it cannot break the protocol.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    sys.exit(main())
