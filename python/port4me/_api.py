"""The library API: upstream port4me 0.7's functions, following spec v1."""

from __future__ import annotations

import os
from itertools import islice

from ._errors import NoFreePortError, UsageError
from ._quote import shown
from ._settings import Request, api_label, resolve
from ._typing import TYPE_CHECKING
from .algorithm import initial_state, port_stream
from .check import is_port_free

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Iterable, Iterator, Mapping

    PortsArg = str | Iterable[int] | None

_builtin_list = list


def account_name() -> str | None:
    """The login name of the process's real user ID, or None when the system has none (P4M-ENV-3).

    Only the user database answers: a user ID with no entry has no name, whatever
    variables such as LNAME say (getpass.getuser() would read them).
    """
    try:
        import pwd
    except ImportError:  # pragma: no cover - Windows: the name of the account the process runs as
        try:
            return os.getlogin()
        except OSError:
            return None
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return None


def _request(env: Mapping[str, str] | None, sequence_only: bool = False, **options: object) -> Request:
    from collections.abc import Mapping as MappingType

    environ = os.environ if env is None else env
    if not isinstance(environ, MappingType):
        raise UsageError(f"argument 'env' must be a mapping of variable names to strings, not {type(env).__name__}")
    if env is not None:
        for name in env:  # a value is checked when it is read: each mode reads only its own (P4M-ENV-6)
            if not isinstance(name, str):
                raise UsageError(f"argument 'env' must map variable names (strings) to strings, not {shown(name)}")
    return resolve(options, environ, account_name, api_label, sequence_only)


def _simulated(busy: frozenset[int]) -> Callable[[int], bool]:
    """The check the testing switch stands for: every port free but the listed ones (P4M-CHECK-5)."""
    return lambda port: port not in busy


def first_free(stream: Iterator[int], check: Callable[[int], bool], max_tries: int) -> tuple[int | None, int]:
    """The first port of ``stream`` that ``check`` finds free (None if none), and the checks made (P4M-SEQ-5)."""
    for port in islice(stream, max_tries):
        if check(port):
            return port, 0  # the count matters only when none is free
    return None, max_tries  # the stream never ends: every try was a check


def execute(
    request: Request,
    is_free: Callable[[int], bool] | None = None,
    lease: float | None = None,
    env: Mapping[str, str] | None = None,
) -> int | list[int] | bool:
    """Carry out a resolved request: test a port, list ports, or search for a free one.

    ``is_free`` replaces the spec's check (an extension: other protocols or families);
    ``lease`` makes the search skip ports other processes hold leases on and lease
    the port it finds for that many seconds.
    """
    check = _simulated(request.simulated) if request.simulated is not None else (is_free or is_port_free)
    if request.mode == "test":
        return check(request.test)
    state = initial_state(request.user, request.tool)
    if request.mode == "list":
        stream = port_stream(state, request.candidates, request.prepend, request.skip, request.list)
        return _builtin_list(islice(stream, request.list))
    stream = port_stream(state, request.candidates, request.prepend, request.skip)
    if lease is None:
        port, checks = first_free(stream, check, request.max_tries)
    else:
        from .lease import first_unleased_free

        port, checks = first_unleased_free(stream, check, request.max_tries, lease, env)
    if port is not None:
        return port
    if checks == 0:
        raise NoFreePortError("no free TCP port: every port the search reached is leased by another port4me --lease")
    raise NoFreePortError(f"no free TCP port after {checks} check{'' if checks == 1 else 's'}")


def port4me(
    tool: str | None = None,
    user: str | None = None,
    prepend: PortsArg = None,
    include: PortsArg = None,
    exclude: PortsArg = None,
    skip: int | None = None,
    list: int | None = None,  # noqa: A002 - upstream's parameter name
    test: int | None = None,
    max_tries: int | None = None,
    must_work: bool = True,
    env: Mapping[str, str] | None = None,
    lease: float | None = None,
) -> int | list[int] | bool:
    """Return the caller's first free port, as spec v1 defines it.

    Arguments left as None take their ``PORT4ME_*`` environment variable, as on the
    command line; an empty string counts as None.  Port lists are strings in the
    port-list grammar or iterables of integers.

    Returns the port; with ``list=n`` the first n ports of the sequence, unchecked;
    with ``test=port`` whether that port is free (every other argument is ignored).
    Raises UsageError (a ValueError) for bad input and NoFreePortError (a
    TimeoutError) when none of ``max_tries`` checked ports is free, unless
    ``must_work`` is false, in which case it returns -1.
    ``env`` replaces os.environ as the source of variables. ``lease=seconds`` (an
    extension) skips ports that other processes hold leases on, and leases the port
    found, so that processes asking at the same moment get different ports.
    """
    request = _request(
        env,
        tool=tool,
        user=user,
        prepend=prepend,
        include=include,
        exclude=exclude,
        skip=skip,
        list=list,
        test=test,
        max_tries=max_tries,
    )
    if lease is not None:
        from .lease import lease_length

        lease = lease_length(lease, "argument 'lease'")
    try:
        return execute(request, lease=lease, env=env)
    except NoFreePortError:
        if must_work:
            raise
        return -1


def port4me_gen(
    tool: str | None = None,
    user: str | None = None,
    prepend: PortsArg = None,
    include: PortsArg = None,
    exclude: PortsArg = None,
    skip: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[int]:
    """Yield the caller's port sequence (prepended ports, then candidates), unchecked, forever."""
    request = _request(env, True, tool=tool, user=user, prepend=prepend, include=include, exclude=exclude, skip=skip)
    state = initial_state(request.user, request.tool)
    return port_stream(state, request.candidates, request.prepend, request.skip)
