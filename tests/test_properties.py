"""Properties of the command over arbitrary input: never a traceback, a hang, or a non-port on stdout."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from port4me._settings import VARIABLES as SPEC_VARIABLES
from port4me.cli import VALUE_OPTIONS, main

NAMES = [*VALUE_OPTIONS, "--help", "--version", "-h", "--", "--foo", "-x", ""]
VARIABLES = [*SPEC_VARIABLES, "USER", "LOGNAME", "USERNAME"]

# Values that look like what users type, and arbitrary text (surrogates stand for undecodable bytes).
port_like = st.one_of(
    st.from_regex(r"\A[0-9]{1,6}(-[0-9]{1,6})?\Z"),
    st.sampled_from(["{chrome}", "{firefox}", "0", "65535", "65536", "1-65535", "5000-5002", " , ", "", "any"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cc",)) | st.sampled_from(",- \t\n{}"), max_size=12),
    st.text(max_size=6),
)
arguments = st.lists(
    st.one_of(st.builds(lambda n, v: f"{n}={v}", st.sampled_from(NAMES), port_like), st.sampled_from(NAMES), port_like),
    max_size=6,
)
environments = st.dictionaries(st.sampled_from(VARIABLES), port_like, max_size=5)


@settings(max_examples=400)  # no deadline, no too-slow check: the suite's profile (conftest.py)
@given(argv=arguments, env=environments, real_check=st.booleans())
def test_any_input_gives_a_documented_outcome(argv, env, real_check):
    env = dict(env)
    if not real_check:
        env["_PORT4ME_CHECK_AVAILABLE_PORTS_"] = "any"
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, env, out, err)  # an exception here fails the test: no traceback may escape
    assert code in (0, 1, 2)
    stdout, stderr = out.getvalue(), err.getvalue()
    if code == 0:
        if "--help" in argv or "-h" in argv or "--version" in argv:
            return
        lines = stdout.split("\n")
        assert lines[-1] == ""
        for line in lines[:-1]:
            assert line.isdigit() and 1 <= int(line) <= 65535 and not line.startswith("0")
    else:
        assert stdout == ""  # a failure prints no port
        if stderr == "":  # silent only as --test's answer "busy" (by the option or the variable)
            assert code == 1 and (any(a.startswith("--test") for a in argv) or "PORT4ME_TEST" in env), (argv, env)
        else:  # else exactly one line that says why
            assert stderr.startswith("port4me: ") and stderr.endswith("\n") and stderr.count("\n") == 1, stderr
