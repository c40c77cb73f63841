"""Mutation testing of the port4me reference against the vectors: how many bugs the vectors catch.

See cli.py for the command (``make mutation``), mutants.py for the operators and IDs,
worker.py and isolate.py for how each mutant runs, equivalent.yaml for the mutants no
v1 command line can tell apart, and BASELINE.md for the survivors' analysis.
"""
