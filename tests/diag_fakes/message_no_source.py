"""Messages stage: a usage error's message says what is wrong with the value, not where it came from."""

import io
import os
import re
import sys

from port4me.cli import main

err = io.StringIO()
code = main(sys.argv[1:], os.environ, sys.stdout, err)
text = err.getvalue()
if code == 2:
    text = re.sub(r" ?(--[a-z-]+|PORT4ME_[A-Z_]+|_PORT4ME_[A-Z_]+_)", "", text)
sys.stderr.write(text)
sys.exit(code)
