"""Generator stage: next(s) = (75 s + 74) mod 65536, not mod 65537 (the rest is the reference)."""

import sys

import port4me._api
from port4me.cli import main


def port_stream(state, candidates, prepend=(), skip=0, wanted=1):
    stream = list(prepend)
    skip_candidates = max(skip - len(stream), 0)
    stream = stream[skip:]
    yield from stream
    found = 0
    size = len(candidates)
    skip_candidates %= size  # so that a long skip stays quick
    idle = 0
    while True:
        state = (75 * state + 74) % 65536
        if state in candidates:
            if found >= skip_candidates:
                yield state
            found += 1
            idle = 0
        idle += 1
        if idle > 1 << 18:  # this generator's cycles are short: some sets it never reaches
            sys.exit("port4me: no candidate port after 262144 draws")


port4me._api.port_stream = port_stream
sys.exit(main())
