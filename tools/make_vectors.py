#!/usr/bin/env python3
"""Author the test vectors in vectors/ from spec v1: the entry point of tools/vectorgen.

    python3 tools/make_vectors.py          # rewrite vectors/ and spec/index.md
    python3 tools/make_vectors.py --check  # exit 1 if any of them would change

The same as ``python -m vectorgen`` run from tools/.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/ is no package: make vectorgen importable

from vectorgen.generate import main

if __name__ == "__main__":
    sys.exit(main())
