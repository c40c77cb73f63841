"""Print the runner's --deselect options that leave out the "does not finish:" entries of a known-differences file.

Usage: python tools/never_finishing.py NAME-OR-PATH   (used by make upstream-r-full)
"""

from __future__ import annotations

import sys

from port4me_conformance.known import KnownError, deselect_unfinished


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: never_finishing.py NAME-OR-PATH", file=sys.stderr)
        return 2
    try:
        options = deselect_unfinished(argv[0])
    except (KnownError, OSError) as error:
        print(f"never_finishing.py: {error}", file=sys.stderr)
        return 2
    print(" ".join(options))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
