"""Toolkit benchmarks, run in our environment by bench/run.py; prints JSON ratios."""

from __future__ import annotations

import json
import socket
import statistics
import time

from port4me import port4me, port4me_gen
from port4me.who import who_holds


def median_time(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def raw_bind_listen_close() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("0.0.0.0", 0))
    sock.listen(1)
    sock.close()


def first_free_past_held(count: int = 200) -> dict:
    """Hold the first ``count`` free candidates of a sequence, then time finding the next one."""
    settings = {"user": "bench", "tool": "toolkit", "env": {}}
    held = []
    for port in port4me_gen(settings["tool"], user=settings["user"], env={}):
        if len(held) == count:
            break
        try:
            sock = socket.socket()
            sock.bind(("0.0.0.0", port))
            sock.listen(1)
            held.append(sock)
        except OSError:
            sock.close()  # already busy on this machine: it is held all the same
            held.append(None)
    try:
        search = median_time(lambda: port4me(**settings), 15)
        raw = median_time(raw_bind_listen_close, 2000)
    finally:
        for sock in held:
            if sock:
                sock.close()
    per_candidate = search / (count + 1)
    return {"per_candidate": per_candidate, "raw": raw, "ratio": per_candidate / raw}


def who_with_open_sockets(count: int = 2000) -> dict:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sock.listen(1)
            sockets.append(sock)
        port = sockets[count // 2].getsockname()[1]
        import psutil

        assert len(who_holds(port)) == 1
        ours = median_time(lambda: who_holds(port), 7)
        theirs = median_time(psutil.net_connections, 7)
    finally:
        for sock in sockets:
            sock.close()
    return {"ours": ours, "psutil": theirs, "ratio": ours / theirs}


if __name__ == "__main__":
    print(json.dumps({"first_free": first_free_past_held(), "who": who_with_open_sockets()}))
