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
    return "'" + escaped(value).replace("'", "\\'") + "'"


def escaped(text: str) -> str:
    """``text`` on one line, safe to print to a terminal: nothing in it can move the cursor or end the line.

    A backslash is doubled; a byte that was not UTF-8 (a surrogate escape of os.fsdecode)
    shows as \\xNN; any other unprintable character (a control, a line or paragraph
    separator, a lone surrogate) as in a Python string literal: \\n, \\x1b, \\u2028.
    """
    out = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        else:
            out.append(char.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(out)


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
