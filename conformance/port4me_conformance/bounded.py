"""Reading the runner's input files within bounds: regular files only, a size limit, a depth limit, no YAML aliases.

A known-differences file or a vector folder comes from the person running the runner, and
it may be wrong in ways that cost without end: a FIFO that never ends, /dev/zero, a
391-byte YAML alias bomb that expands to gigabytes, 50,000 nested brackets that exhaust
the parser's recursion.  Each is refused with one line, before a case runs.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

MAX_DEPTH = 64  # nesting of lists and mappings; the files the kit ships need 6
# Values (scalars, lists, mappings and keys) in one document: what reading and validating it
# costs grows with their number, not its size (16 MiB of "0," are 8 million values, which a
# schema validation took minutes and 1.6 GB to refuse).  The largest shipped file has 72,936.
MAX_VALUES = 300_000


class InputError(Exception):
    """An input file that the runner refuses; the message is one line and names the file."""


def read(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path} is {kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise InputError(f"{path}: {info.st_size} bytes, more than the limit of {limit} bytes")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # grew while read
            raise InputError(f"{path}: more than the limit of {limit} bytes")
        return b"".join(chunks)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    finally:
        os.close(fd)


def load_json(data: bytes, name: str) -> Any:
    """A JSON document (RFC 8259, UTF-8) nested at most MAX_DEPTH deep."""
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: cannot read: not UTF-8 ({error.reason} at byte {error.start})") from None
    except RecursionError:
        raise InputError(f"{name}: nested more than {MAX_DEPTH} deep") from None
    except ValueError as error:
        raise InputError(f"{name}: cannot read: {str(error).splitlines()[0]}") from None
    deepest, values = shape(document)
    if deepest > MAX_DEPTH:
        raise InputError(f"{name}: nested more than {MAX_DEPTH} deep")
    if values > MAX_VALUES:
        raise InputError(f"{name}: more than the limit of {MAX_VALUES} values")
    return document


def load_yaml(data: bytes, name: str) -> Any:
    """A YAML document without anchors, aliases or tags beyond the safe ones, nested at most MAX_DEPTH deep.

    The events are checked first, by the C parser where PyYAML has it: an alias can make a
    few hundred bytes build gigabytes, so none is allowed (the kit's files use none).
    """
    try:
        import yaml
    except ImportError:  # pragma: no cover - a dependency of port4me-conformance
        raise InputError(f"{name}: PyYAML is needed to read it: pip install port4me-conformance") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: cannot read: not UTF-8 ({error.reason} at byte {error.start})") from None
    level = 0
    try:
        for count, event in enumerate(yaml.parse(text, Loader=loader)):
            if count > MAX_VALUES:  # a scalar or key is one event, a list or mapping two
                raise InputError(f"{name}: more than the limit of {MAX_VALUES} values")
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                line = f" (line {event.start_mark.line + 1})" if event.start_mark else ""
                raise InputError(f"{name}: YAML anchors and aliases are not allowed{line}")
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                level += 1
                if level > MAX_DEPTH:
                    raise InputError(f"{name}: nested more than {MAX_DEPTH} deep")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                level -= 1
        return yaml.load(text, Loader=loader)  # a safe loader: CSafeLoader or SafeLoader
    except yaml.YAMLError as error:
        raise InputError(f"{name}: cannot read: {' '.join(str(error).split())[:300]}") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise InputError(f"{name}: nested more than {MAX_DEPTH} deep") from None


def depth(document: Any) -> int:
    """How deep lists and mappings nest (a scalar: 0), without recursion."""
    return shape(document)[0]


def shape(document: Any) -> tuple[int, int]:
    """(how deep lists and mappings nest, how many values and keys there are), without recursion;
    the walk stops once either is past its limit."""
    deepest, values, stack = 0, 0, [(document, 1)]
    while stack:
        value, level = stack.pop()
        values += 1
        if isinstance(value, dict):
            children = value.values()
            values += len(value)
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH or values > MAX_VALUES:
            return deepest, values
        stack.extend((child, level + 1) for child in children)
    return deepest, values


def kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"
