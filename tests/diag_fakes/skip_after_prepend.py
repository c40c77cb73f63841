"""Skip stage: a skip removes candidates only; prepended ports are never skipped (P4M-SEQ-2)."""

import sys

import port4me._api
from port4me.algorithm import candidate_stream
from port4me.cli import main


def port_stream(state, candidates, prepend=(), skip=0, wanted=1):
    yield from prepend
    yield from candidate_stream(state, candidates, skip, wanted)


port4me._api.port_stream = port_stream
sys.exit(main())
