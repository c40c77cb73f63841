"""Hash stage: Java's String.hashCode (UTF-16 code units, signed 32-bit int), then Math.floorMod."""

import sys

import port4me._api
from port4me.algorithm import seed_string
from port4me.cli import main


def java_state(user, tool):
    h = 0
    units = seed_string(user, tool).encode("utf-16-be")
    for i in range(0, len(units), 2):
        h = (31 * h + (units[i] << 8 | units[i + 1])) & 0xFFFFFFFF
    signed = h - (1 << 32) if h >= 1 << 31 else h  # an int, as Java holds it
    return signed % 65537  # floorMod: never negative


port4me._api.initial_state = java_state
sys.exit(main())
