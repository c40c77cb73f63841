"""Output stage: the reference, with 1 added to every port it prints."""

import io
import os
import sys

from port4me.cli import main

out = io.StringIO()
code = main(sys.argv[1:], os.environ, out, sys.stderr)
lines = out.getvalue().splitlines()
if code == 0 and lines and all(line.isdigit() for line in lines):
    sys.stdout.write("".join(f"{int(line) + 1}\n" for line in lines))
else:
    sys.stdout.write(out.getvalue())
sys.exit(code)
