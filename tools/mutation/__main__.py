"""``python -m tools.mutation`` (run from the repository's root)."""

import sys

from .cli import main

sys.exit(main())
