"""How a message shows a value the user gave: on one line, quoted or named, never too long."""

from __future__ import annotations

QUOTE_LIMIT = 200


def quote(value: str) -> str:
    """Quote a user-supplied value on one line; raw bytes that were not UTF-8 show as \\xNN.

    A value longer than QUOTE_LIMIT characters is shortened to its start and end, with
    its length, so that one bad value never makes a message longer than a screen.
    """
    if len(value) > QUOTE_LIMIT:
        head, tail = value[: QUOTE_LIMIT * 3 // 4], value[-QUOTE_LIMIT // 5 :]
        return f"{_quoted(head)[:-1]}...{_quoted(tail)[1:]} ({len(value)} characters)"
    return _quoted(value)


def _quoted(value: str) -> str:
    out = []
    for char in value:
        code = ord(char)
        if char in "'\\":
            out.append("\\" + char)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        else:
            out.append(char.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "'" + "".join(out) + "'"


def shown(value: object) -> str:
    """A bad value as an error message shows it, once: text quoted, numbers and bytes as repr, else the type."""
    if isinstance(value, str):
        return quote(value)
    if value is None or isinstance(value, (bool, int, float, bytes)):
        try:
            text = repr(value)
        except ValueError:  # an int with more digits than Python will print
            text = ""
        if 0 < len(text) <= 60:
            return text
    return f"of type {type(value).__name__}"
