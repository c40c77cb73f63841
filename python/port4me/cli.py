"""The ``port4me`` command (spec section 7): argv in, ports out, exit 0, 1 or 2."""

from __future__ import annotations

import contextlib
import os
import sys

from ._errors import Port4meError, UsageError
from ._quote import quote
from ._typing import TYPE_CHECKING
from ._version import SPEC_VERSION, __version__

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Mapping, Sequence
    from typing import TextIO

VALUE_OPTIONS = {
    "--user": "user",
    "--tool": "tool",
    "--prepend": "prepend",
    "--include": "include",
    "--exclude": "exclude",
    "--skip": "skip",
    "--list": "list",
    "--test": "test",
    "--max-tries": "max_tries",
}
FLAGS = ("--help", "-h", "--version")

HELP = f"""\
port4me: the same personal, free TCP port, every time

Usage: port4me [OPTION=VALUE ...] [TOOL]

Prints the first free port of your personal port sequence, which is seeded by
your user name and the tool name. Ports go to stdout, one per line; errors go
to stderr as one line.

Options (always written --name=value):
  --user=NAME        user name in the seed   [PORT4ME_USER, then USER, LOGNAME,
                     USERNAME, then the account name]
  --tool=NAME        tool name in the seed; TOOL, the one positional argument,
                     says the same                                [PORT4ME_TOOL]
  --prepend=PORTS    ports to try first, in order     [PORT4ME_PREPEND, and always
                     PORT4ME_PREPEND_SITE after them]
  --include=PORTS    candidate ports (default 1024-65535)      [PORT4ME_INCLUDE,
                     and always PORT4ME_INCLUDE_SITE]
  --exclude=PORTS    ports never to pick                       [PORT4ME_EXCLUDE,
                     and always PORT4ME_EXCLUDE_SITE and PORT4ME_EXCLUDE_UNSAFE]
  --skip=N           skip the first N ports of the sequence          [PORT4ME_SKIP]
  --list=N           print the first N ports (1-65536) without checking them
                                                                     [PORT4ME_LIST]
  --max-tries=N      check at most N ports (1-65535, default 65535)
                                                                [PORT4ME_MAX_TRIES]
  --test=PORT        exit 0 if PORT is free, 1 if not; ignores every other
                     setting                                         [PORT4ME_TEST]
  --help, -h         show this help
  --version          show the version
  --                 what follows is the TOOL, even if it starts with '-'

An option replaces its variable; an empty value counts as unset.

PORTS is a list of ports (8080), ranges (5000-5999) and the tokens {{chrome}}
and {{firefox}}, separated by commas or white space. Port 0 is ignored.

More environment variables:
  PORT4ME_EXCLUDE_UNSAFE          ports browsers block (default "{{chrome}},{{firefox}}";
                                  set it empty, or to 0, to exclude none)
  PORT4ME_EXCLUDE_UNSAFE_CHROME   what {{chrome}} stands for (default: Chrome's list
  PORT4ME_EXCLUDE_UNSAFE_FIREFOX  and Firefox's, both of 2022-10-24)
  _PORT4ME_CHECK_AVAILABLE_PORTS_ for tests of scripts: "any" treats every port as
                                  free, "any-except:PORTS" every port but PORTS;
                                  no socket is opened

A port is free when a TCP server could listen on it on every IPv4 and IPv6
address right now.

Exit status: 0 success (or --test: free), 1 no free port (or --test: busy),
2 bad input.

Examples:
  port4me                       your port
  port4me jupyter               your port for Jupyter
  port4me --list=5              your first five ports
  port4me --test=8087 && echo free

port4me {__version__}, implementing the port4me spec {SPEC_VERSION}
"""


def _extension_options() -> dict[str, str]:
    """Names of the extension options (spec section 10), loaded only when an argument needs them."""
    from ._extensions import OPTIONS

    return OPTIONS


def parse_argv(argv: Sequence[str]) -> tuple[dict[str, str], str | None]:
    """Split argv into settings and a flag ('help' or 'version'), or raise UsageError.

    Extension options (spec section 10) come back under their names with an "x:" prefix.
    """
    options: dict[str, str] = {}
    positional: list[str] = []
    flag: str | None = None
    rest = False
    for arg in argv:
        if rest or arg == "-" or not arg.startswith("-"):
            positional.append(arg)
            continue
        if arg == "--":
            rest = True
            continue
        name, has_value, value = arg.partition("=")
        if name in FLAGS:
            if has_value:
                raise UsageError(f"option {name} takes no value, got {quote(arg)}")
            if flag != "help":
                flag = "help" if name != "--version" else "version"
        elif name in VALUE_OPTIONS or name in _extension_options():
            if not has_value:
                raise UsageError(f"option {name} needs a value: write {name}=VALUE")
            key = VALUE_OPTIONS.get(name) or "x:" + _extension_options()[name]
            options[key] = value  # the last one wins (P4M-CLI-3)
        else:
            raise UsageError(f"unknown option {quote(arg)}; see port4me --help")  # all of it: `--=x` has no name
    if len(positional) > 1:
        raise UsageError(f"at most one tool name, got {', '.join(quote(p) for p in positional)}")
    if positional:
        if "tool" in options:
            raise UsageError("give the tool once: as --tool=NAME or as an argument, not both")
        options["tool"] = positional[0]
    return options, flag


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command; return its exit code.  Arguments default to the process's own.

    An error writing to ``stdout`` propagates (an OSError): run() reports it as one line
    and exit 1. An error writing the message to ``stderr`` changes no exit code.
    """
    argv = sys.argv[1:] if argv is None else argv
    env = os.environ if env is None else env
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    try:
        code, output = _outcome(argv, env)
    except Port4meError as error:
        return _complain(stderr, str(error), error.exit_code)
    except TimeoutError as error:
        return _complain(stderr, str(error), 1)
    except OSError as error:
        return _complain(stderr, f"cannot check ports: {error.strerror or error}", 1)
    stdout.write(output)
    return code


def _outcome(argv: Sequence[str], env: Mapping[str, str]) -> tuple[int, str]:
    """The exit code and what goes to stdout, or an exception for stderr."""
    options, flag = parse_argv(argv)
    if flag == "help":
        from ._extensions import HELP as EXTENSIONS_HELP

        return 0, HELP + EXTENSIONS_HELP
    if flag == "version":
        return 0, __version__ + "\n"
    extended = {key[2:]: options.pop(key) for key in list(options) if key.startswith("x:")}
    from ._api import account_name, execute
    from ._settings import resolve

    if extended:
        from . import _extensions as extensions

        action = extensions.chosen_action(extended, options)
        if action:
            return extensions.run_action(action, extended)
        request = resolve(options, env, account_name)
        check, lease = extensions.search_options(extended, request, options)
        result = execute(request, check, lease, env)
    else:
        result = execute(resolve(options, env, account_name))
    if isinstance(result, bool):
        return (0 if result else 1), ""
    ports = result if isinstance(result, list) else [result]
    return 0, "".join(f"{port}\n" for port in ports)


def _complain(stderr: TextIO, message: str, code: int) -> int:
    """Write the one-line error and return ``code``; a stderr that cannot take it (2>/dev/full) changes nothing."""
    with contextlib.suppress(OSError):
        stderr.write(f"port4me: {message}\n")
    return code


def run() -> None:
    """Console-script entry point: exits the process with main()'s code."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # started with the descriptor closed (port4me >&-): as Node does, write nowhere
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (port4me --list=100 | head -1): not an error of ours.
        _discard(sys.stdout)
        code = 0
    except OSError as error:  # stdout cannot take the output: a full disk, /dev/full, an I/O error
        _discard(sys.stdout)
        code = _complain(sys.stderr, f"cannot write the output: {error.strerror or error}", 1)
    except KeyboardInterrupt:
        code = 130
    try:
        sys.stderr.flush()
    except OSError:
        _discard(sys.stderr)
    sys.exit(code)


def _discard(stream: TextIO) -> None:
    """Point the stream at the null device, so that what it still holds cannot fail Python's last flush (exit 120)."""
    with contextlib.suppress(OSError, ValueError):  # ValueError: a stream without a descriptor
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
