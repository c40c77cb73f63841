"""The shell line that repeats one call by hand (INTERPRETING section 8)."""

from __future__ import annotations

import re
import shlex

_PLAIN = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


def word(data: bytes) -> str:
    """One argument for a POSIX shell: quoted if needed, ``$'\\xNN'`` for bytes that are not printable UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.isprintable():
        return text if _PLAIN.match(text) else shlex.quote(text)
    out = []
    for byte in data:
        char = chr(byte)
        if 0x20 <= byte < 0x7F and char not in "'\\":
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    return "$'" + "".join(out) + "'"


def line(command: list[bytes], env: dict[bytes, bytes]) -> str:
    """``cd "$(mktemp -d)" && env -i NAME=VALUE ... COMMAND ARGS </dev/null``."""
    assignments = [word(name + b"=" + value) for name, value in env.items()]
    return 'cd "$(mktemp -d)" && env -i ' + " ".join([*assignments, *(word(part) for part in command)]) + " </dev/null"
