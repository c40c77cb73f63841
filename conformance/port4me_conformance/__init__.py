"""port4me-conformance: run the spec v1 test vectors against any port4me command line."""

__version__ = "2.0.0"
INTERPRETING_VERSION = "2.1"
REPORT_VERSION = "2.1"
SPEC_VERSION = "1.2"
