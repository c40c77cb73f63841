"""The ``port4me`` command (spec section 7): argv in, ports out, exit 0, 1 or 2."""

from __future__ import annotations

import os
import sys

from ._errors import Port4meError, UsageError
from ._quote import quote
from ._version import SPEC_VERSION, __version__

TYPE_CHECKING = False
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
  _PORT4ME_CHECK_AVAILABLE_PORTS_ set to "any" to treat every port as free (testing)

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
            raise UsageError(f"unknown option {quote(name)}; see port4me --help")
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
    """Run the command; return its exit code.  Arguments default to the process's own."""
    argv = sys.argv[1:] if argv is None else argv
    env = os.environ if env is None else env
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    try:
        options, flag = parse_argv(argv)
        if flag == "help":
            from ._extensions import HELP as EXTENSIONS_HELP

            stdout.write(HELP + EXTENSIONS_HELP)
            return 0
        if flag == "version":
            stdout.write(__version__ + "\n")
            return 0
        extended = {key[2:]: options.pop(key) for key in list(options) if key.startswith("x:")}
        from ._api import account_name, execute
        from ._settings import resolve

        if extended:
            from . import _extensions as extensions

            action = extensions.chosen_action(extended, options)
            if action:
                return extensions.run_action(action, extended, stdout)
            request = resolve(options, env, account_name)
            check, lease = extensions.search_options(extended, request, options)
            result = execute(request, check, lease, env)
        else:
            result = execute(resolve(options, env, account_name))
    except Port4meError as error:
        stderr.write(f"port4me: {error}\n")
        return error.exit_code
    except TimeoutError as error:
        stderr.write(f"port4me: {error}\n")
        return 1
    except OSError as error:
        stderr.write(f"port4me: cannot check ports: {error.strerror or error}\n")
        return 1
    if isinstance(result, bool):
        return 0 if result else 1
    ports = result if isinstance(result, list) else [result]
    stdout.write("".join(f"{port}\n" for port in ports))
    return 0


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
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
