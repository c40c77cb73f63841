"""The smoke set (--smoke): a fixed few cases that touch every stage of the port pipeline and every
requirement area, so that a wrong implementation hears within seconds where it stands.

tests/test_diagnosis.py checks that every id exists, that the set holds at most 60 results and
that it touches every requirement area and every stage of diagnose.STAGES that a case can show.
"""

SMOKE: tuple[str, ...] = (
    # hash, seed and generator (spec section 3)
    "hash-ascii-alice",
    "hash-ascii-long",
    "hash-emoji-non-bmp",
    "hash-invalid-utf8",
    "seed-user-and-tool",
    "seed-user-trailing-comma",
    "lcg-fixed-point-seed",
    # the stream: lists, candidates, prepend, skip, search (section 4)
    "seq-alice-rstudio",
    "seq-mallory-shiny",
    "set-walk-draws-65535-above-set",
    "list-small-set-repeats",
    "set-include-documented",
    "set-exclude",
    "set-unsafe-default",
    "set-empty-candidates",
    "prepend-order",
    "skip-counts-prepend",
    "skip-alice-1000",
    "skip-jump-alice-5400",
    "search-skips-busy-ports",
    "search-max-tries-1",
    # port lists and settings (sections 5 and 6)
    "list-valid-range",
    "list-invalid-above-65535",
    "set-include-option-replaces-env",
    "tool-variable",
    "number-list-word",
    "switch-invalid-not-read-in-list-mode",
    # the command line and test mode (section 7)
    "cli-unknown-option",
    "cli-positional-tool",
    "cli-stdout-one-port",
    "cli-quiet-on-success",
    "cli-help",
    "cli-version",
    "test-any",
    "test-word",
    # the check (section 8)
    "check-not-held",
    "check-listen-any4",
    "check-max-tries-exhausted",
)
