"""Candidate-set stage: the default unsafe ports ({chrome},{firefox}) are not excluded (P4M-SET-5)."""

import sys

import port4me._settings as settings
from port4me.cli import main


def unsafe(self):
    name = "PORT4ME_EXCLUDE_UNSAFE"
    return self.port_list(settings.variable(self.env, name, ""), name)  # forgot the default


settings._Reader.unsafe = unsafe
sys.exit(main())
