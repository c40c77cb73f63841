"""Versions: of this package, and of the spec it implements."""

__version__ = "1.1.0"
SPEC_VERSION = "1.1"
