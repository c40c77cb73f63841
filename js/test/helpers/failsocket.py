"""Run a command under a seccomp filter that makes socket() fail: a host without IPv6, or no descriptors left.

    python3 failsocket.py ERRNO FAMILY -- COMMAND ...

ERRNO is a name such as EAFNOSUPPORT, EMFILE or EACCES; FAMILY is inet6 (only IPv6
sockets fail) or any (every socket() fails). Linux on x86-64 or aarch64 only; exits 77
where it cannot install the filter, so a test can skip. The test suite of port4me-js
uses it to see its command handle these failures as spec 1.1 says (P4M-CHECK-6, P4M-CHECK-7).
"""

import ctypes
import errno
import os
import platform
import socket
import struct
import sys

ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}  # AUDIT_ARCH_*, __NR_socket
LD_W_ABS, JEQ_K, RET_K = 0x20, 0x15, 0x06
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        sys.exit(__doc__)
    code = getattr(errno, argv[0])
    family = {"inet6": socket.AF_INET6, "any": None}[argv[1]]
    if sys.platform != "linux" or platform.machine() not in ARCHES:
        sys.exit(77)
    arch, nr = ARCHES[platform.machine()]
    program = [
        (LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (JEQ_K, 0, 5 if family is not None else 3, arch),
        (LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (JEQ_K, 0, 3 if family is not None else 1, nr),
    ]
    if family is not None:
        program += [(LD_W_ABS, 0, 0, 16), (JEQ_K, 0, 1, family)]  # low half of args[0]
    program += [(RET_K, 0, 0, RET_ERRNO | code), (RET_K, 0, 0, RET_ALLOW)]
    filters = b"".join(struct.pack("HBBI", *row) for row in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HL", len(program), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        sys.exit(77)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.c_char_p(fprog), 0, 0) != 0:
        sys.exit(77)
    os.execvp(argv[3], argv[3:])


if __name__ == "__main__":
    main(sys.argv[1:])
