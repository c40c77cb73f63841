"""Versions: of this package, and of the spec it implements."""

__version__ = "1.2.0"
SPEC_VERSION = "1.2"
