"""``python -m vectorgen [--check]``, run from tools/."""

import sys

from .generate import main

sys.exit(main())
