"""A fuzz run of the runner's own options and input files (hypothesis): whatever it is given, no traceback.

Every example calls ``main()`` in-process with a command line drawn from the runner's
options, each with a hostile value (digits of other scripts, huge and non-finite numbers,
paths to a FIFO, a folder, a missing folder, files of random bytes, YAML with anchors and
deep nesting, JSON vector files of any shape), and asserts what the README promises: an
exit code of 0, 1, 2 or 3, and for 2 exactly one line on stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from port4me_conformance.cli import main

from .fakes import make

pytestmark = pytest.mark.slow  # 150 runs of the runner in process
IMPLS = ["inprocess:port4me.cli:main", "named=inprocess:port4me.cli:main"]
CASES = ["seq-alice", "set-exclude", "cli-unknown-option", "test-any", "hash-*", "P4M-CLI-6", "lcg", "seq-a*"]
CHOICES = {
    "--via": ["options", "env", "both"],
    "--level": ["sequence", "check"],
    "--containment": ["auto", "process-group"],
    "--deselect": CASES,
    "--pass-env": ["HOME", "PATH"],
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Paths a value may name: special files, and folders the examples fill."""
    root = tmp_path_factory.mktemp("fuzz")
    os.mkfifo(root / "fifo")
    (root / "folder").mkdir()
    (root / "vectors").mkdir()
    (root / "right").write_text("")
    return {
        "fifo": root / "fifo",
        "folder": root / "folder",
        "missing": root / "no/such/folder/file",
        "known": root / "known.yaml",
        "vectors": root / "vectors",
        "out": root / "out",
        "fake": Path(make(root, "right")),
    }


numbers = st.one_of(
    st.integers(1, 8).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", " 5 ", "1_0", "1e10", "1e300", "inf", "nan", "-0", "0x10", "\uff12", "\u0662", "2147484"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=8),
    # More digits than Python's int() takes (4,300), leading zeros too.
    st.tuples(st.sampled_from(["", "0" * 4400]), st.integers(1, 5000).map(lambda n: "9" * n)).map("".join),
)
yaml_words = st.sampled_from(
    ["differences:", "- id: ", "seq-alice", "seq-alice@env", "reason: ", "x", "&a ", "*a", "[", "]", "{", "}",
     ": ", "\n", "  ", "!!python/object ", "<<: ", "---\n", "~", "10", "'", '"', "\t", "\x00", "\ud7ff"]
)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@st.composite
def command_lines(draw, files) -> list[str]:
    args = [f"--impl={draw(st.sampled_from([*IMPLS * 4, str(files['fake']), '/nonexistent', '']))}"]
    args.append(f"--select={draw(st.sampled_from(CASES))}")
    for _ in range(draw(st.integers(0, 5))):
        option = draw(
            st.sampled_from(
                ["--jobs", "--timeout", "--memory", "--known-differences", "--json", "--html", "--junit", "--markdown",
                 "--write-known-differences", "--vectors", "--via", "--level", "--deselect", "--pass-env",
                 "--containment", "--bogus", "--impl", "--seed", "--harness-start-timeout", "--harness-restarts",
                 "--list-cases", "--version"]
            )
        )  # fmt: skip
        if option in ("--list-cases", "--version"):  # flags: what they print goes to a captured stdout
            args.append(option)
            continue
        if option in ("--jobs", "--timeout", "--memory", "--seed", "--harness-start-timeout", "--harness-restarts"):
            value = draw(numbers)
        elif option == "--known-differences":
            kind = draw(st.sampled_from(["yaml", "bytes", "fifo", "folder", "missing", "shipped"]))
            if kind == "yaml":
                files["known"].write_text("".join(draw(st.lists(yaml_words, max_size=30))), encoding="utf-8")
            elif kind == "bytes":
                files["known"].write_bytes(draw(st.binary(max_size=200)))
            value = {
                "fifo": str(files["fifo"]),
                "folder": str(files["folder"]),
                "missing": str(files["missing"]),
                "shipped": "upstream-python-0.7.0",
            }.get(kind, str(files["known"]))
        elif option in ("--json", "--html", "--junit", "--markdown", "--write-known-differences"):
            value = draw(
                st.sampled_from(
                    ["-", str(files["fifo"]), str(files["folder"]), str(files["missing"]), str(files["out"]),
                     "/dev/null", "/dev/stdout", "", f"named={files['out']}"]
                )
            )  # fmt: skip
        elif option == "--vectors":
            for old in files["vectors"].iterdir():
                old.unlink()
            for index in range(draw(st.integers(0, 2))):
                document = draw(json_values)
                (files["vectors"] / f"v{index}.json").write_text(json.dumps(document), encoding="utf-8")
            value = draw(st.sampled_from([str(files["vectors"]), str(files["fifo"]), str(files["missing"])]))
        elif option in CHOICES:  # mostly a valid value, so that the run goes on to what comes after
            value = draw(st.sampled_from(CHOICES[option]) if draw(st.integers(0, 4)) else st.text(max_size=12))
        elif option == "--impl":
            value = draw(st.sampled_from([*IMPLS, "inprocess:", "inprocess:no.such:main", "a=b=c", '"unclosed']))
        else:
            value = draw(st.text(max_size=12))
        args.append(f"{option}={value}")
    return args


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_command_line_or_input_file_gives_a_traceback(files, data):
    argv = data.draw(command_lines(files))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's own errors: one line, exit 2
            code = exit_.code
    stderr = err.getvalue()
    assert code in (0, 1, 2, 3), (argv, code, stderr[-2000:])
    assert "Traceback" not in stderr, (argv, stderr[-2000:])
    if code == 2:
        assert stderr.count("\n") == 1, (argv, stderr[-2000:])
