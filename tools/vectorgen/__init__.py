"""Author the port4me test vectors from spec v1, independently of the reference code.

Each case states its inputs and what spec v1 says they mean (a seed string, a prepend
list, include and exclude sets, skip, count); the expected ports come from ``model``,
a deliberately naive model of the spec that imports nothing from port4me. Cases linked
to an upstream observation are cross-checked by ``upstream``.

    model        the naive model of the spec
    case         how a case is described (Case, Given, RealCheck, Hold, Link)
    expect       expected outcomes (ports, USAGE, FREE, ...)
    files.*      one module per vector file, declaring its cases
    upstream     the cross-check against spec/upstream/observed.json
    build        declared cases -> vector documents
    writer       documents -> YAML and JSON text, written or checked
    spec_tables  spec/index.md: the requirement index and the vectors of each decision
    generate     the command: python -m vectorgen [--check] (from tools/), or tools/make_vectors.py
"""
