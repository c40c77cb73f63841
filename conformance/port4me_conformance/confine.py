"""Seccomp filters for the host conditions `no-ipv6`, `emfile`, `ipv6-eacces` and `ipv6-emfile` (INTERPRETING 2.5).

Run as a script, it is the small wrapper that the subprocess adapter starts for such a
call: ``python confine.py CONDITION COMMAND [ARG...]`` installs the filter in itself and
execs the command, so the filter binds the call and its children and never the
runner's own threads.  It imports nothing but the standard library, so that it runs
from its file path without the package.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import socket
import sys

CONDITIONS = ("no-ipv6", "emfile", "ipv6-eacces", "ipv6-emfile")
_ALLOW = 0x7FFF0000  # SCMP_ACT_ALLOW
_CMP_EQ = 4  # SCMP_CMP_EQ


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)  # SCMP_ACT_ERRNO(code)


def _library():
    if not sys.platform.startswith("linux"):
        raise OSError("seccomp filters need Linux")
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    lib = ctypes.CDLL(name, use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    return lib


def unavailable() -> str:
    """Why seccomp filters cannot be applied on this host; empty when they can."""
    try:
        lib = _library()
    except OSError as error:
        return f"libseccomp cannot be loaded ({error})"
    if lib.seccomp_syscall_resolve_name(b"socket") < 0:
        return "libseccomp does not know socket() on this architecture"
    return ""


def apply(condition: str) -> None:
    """Install the filter of ``condition`` in the calling thread (and what it execs or forks)."""
    lib = _library()
    ctx = lib.seccomp_init(_ALLOW)
    if not ctx:
        raise OSError("seccomp_init failed")
    try:
        syscall = lib.seccomp_syscall_resolve_name(b"socket")
        ipv6_only = {"no-ipv6": errno.EAFNOSUPPORT, "ipv6-eacces": errno.EACCES, "ipv6-emfile": errno.EMFILE}
        if condition in ipv6_only:  # as on a kernel built without IPv6; a policy or a limit on IPv6 alone
            rule = (_ArgCmp * 1)(_ArgCmp(0, _CMP_EQ, socket.AF_INET6, 0))
            result = lib.seccomp_rule_add_array(ctx, _errno_action(ipv6_only[condition]), syscall, 1, rule)
        elif condition == "emfile":  # no file descriptors left
            result = lib.seccomp_rule_add_array(ctx, _errno_action(errno.EMFILE), syscall, 0, None)
        else:
            raise ValueError(f"unknown condition {condition!r}")
        if result < 0 or lib.seccomp_load(ctx) < 0:
            raise OSError(-result or errno.EPERM, f"cannot install the {condition} filter")
    finally:
        lib.seccomp_release(ctx)


def main(argv: list[str]) -> None:
    """``confine.py CONDITION COMMAND [ARG...]``: filter, then exec the command."""
    if len(argv) < 2 or argv[0] not in CONDITIONS:
        sys.stderr.write(f"usage: confine.py {{{'|'.join(CONDITIONS)}}} COMMAND [ARG...]\n")
        sys.exit(2)
    try:
        apply(argv[0])
    except OSError as error:
        sys.stderr.write(f"confine.py: {error}\n")
        sys.exit(125)
    try:
        os.execv(argv[1], argv[1:])
    except OSError as error:
        sys.stderr.write(f"confine.py: cannot run {argv[1]}: {error.strerror}\n")
        sys.exit(126)


if __name__ == "__main__":
    main(sys.argv[1:])
