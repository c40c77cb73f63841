"""Upstream port4me in the kit: Python 0.7.0's and R 0.7.1's libraries through the harness protocol, Bash
0.7.1's command line, each against its shipped known-differences file; and the shell harness of the guide.

Upstream's Bash and R sources come from PORT4ME_UPSTREAM_SRC (default ../shared/upstream/src);
without them, or without R, those tests skip and say why. `make test` installs R and the package.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from port4me_conformance import appendix, known
from port4me_conformance.harnesses import path as harness_path
from port4me_conformance.vectors import load_all

from .conftest import HANGS, deselect_hangs
from .test_harness import conformance

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {
    "upstream-python-0.7.0": "command",
    "upstream-python-0.7.0-library": "harness-library",
    "upstream-r-0.7.1": "harness-library",
}


def sources() -> Path:
    found = Path(os.environ.get("PORT4ME_UPSTREAM_SRC") or ROOT.parent / "shared/upstream/src")
    if not (found / "bash/port4me").is_file() or not (found / "r/DESCRIPTION").is_file():
        pytest.skip(f"no upstream Bash and R sources at {found} (set PORT4ME_UPSTREAM_SRC)")
    return found


@pytest.fixture(scope="session")
def readable_sources():
    """A copy every user may read: the unprivileged and nobody cases run the program as another user."""
    copy = Path(tempfile.mkdtemp(prefix="port4me-upstream-"))
    for part in ("bash", "r"):
        shutil.copytree(sources() / part, copy / part)
    subprocess.run(["chmod", "-R", "a+rX", str(copy)], check=True)
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


@pytest.fixture(scope="session")
def r_library(readable_sources) -> Path:
    """Upstream's R package, installed from its source (make test does it in .upstream-r)."""
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (make r installs Debian's r-base-core)")
    check = subprocess.run(["Rscript", "-e", "library(jsonlite)"], capture_output=True, check=False)
    if check.returncode != 0:
        pytest.skip("R's jsonlite is not installed (make r installs Debian's r-cran-jsonlite)")
    library = ROOT / ".upstream-r"
    if not (library / "port4me/DESCRIPTION").is_file():
        library.mkdir(exist_ok=True)
        subprocess.run(
            ["R", "CMD", "INSTALL", "--no-docs", f"--library={library}", str(readable_sources / "r")],
            capture_output=True,
            check=True,
            timeout=600,
        )
    return library


def entries(name: str) -> list[dict]:
    return yaml.safe_load(known.resolve(name).read_text(encoding="utf-8"))["differences"]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_reason_quotes_the_output_and_names_its_appendix_row(name):
    rows = appendix.rows()
    cases = {case.id: case for case in load_all()}
    listed = entries(name)
    assert listed, name
    for entry in listed:
        reason = entry["reason"]
        assert "TODO" not in reason, entry
        timed = "did not finish within" in reason and "time-bound" not in reason
        assert not timed, f"a timeout is never a known difference: {entry}"
        # A quoted message holds no path of the machine that wrote the file (it holds on any host).
        assert not re.search(r"(?<![\w.])/(work|tmp|root|home|check)/", reason), entry
        match = re.search(r"Appendix A row (\d+) \(", reason)
        case = cases[entry["id"].split("@")[0]]
        cited = case.data.get("decisions") or []
        if match is None:  # a requirement no row of Appendix A covers (the help's contents): it says so
            assert reason.startswith("no Appendix A row covers P4M-") and not cited, entry
            continue
        assert int(match.group(1)) in rows, entry
        assert not cited or int(match.group(1)) in cited, f"the case cites rows {cited}: {entry}"
        if reason.startswith(HANGS):
            assert "still running at" in reason, entry
        elif "time-bound" in reason:
            assert "the time limit of a time-bound case" in reason and "printed nothing" in reason, entry
        elif SHIPPED[name] == "command":
            assert "it printed: exit " in reason, entry
        else:
            quoted = ("answered ", "ports [", "values, expected", "the library failed: ")  # its answer, or its error
            assert any(words in reason for words in quoted), entry


def test_upstream_python_library_fails_exactly_its_known_differences(tmp_path, upstream_python):
    script = harness_path("upstream_python.py")
    name = "upstream-python-0.7.0-library"
    ran = conformance(
        tmp_path,
        f"--impl=up=harness-library:{upstream_python} {script}",
        f"--known-differences={name}",
        "--timeout=60",
        *deselect_hangs(name),  # a quick run leaves out the calls that never end
    )
    assert ran.code == 0, ran.stdout[-4000:]
    counts = ran.implementation["counts"]
    assert counts["xfail"] > 50 and counts["xpass"] == counts["fail"] == counts["timeout"] == 0
    assert ran.implementation["harness"]["implementation"]["version"] == "0.7.0"


# Cases upstream R does not answer within 10 s here (interpreted R takes milliseconds a draw: a skip
# of tens of thousands takes one to four minutes, 65,536 listed ports two to four). The full run at
# --timeout=600 that wrote its file ran them (make upstream-r-full); this one leaves them out.
R_SLOW = [
    "check-socket-emfile-search",
    "lcg-period-default",
    "list-max",
    "number-list-200-digits-shown",
    "number-list-above-max",
    "number-list-huge",
    "set-empty-candidates",
    "set-empty-candidates-chrome",
    "set-empty-candidates-site",
    "set-exclude-cuts-everything",
    "skip-alice-40000",
    "skip-alice-64494",
    "skip-alice-64495",
    "skip-alice-64496",
    "skip-bob-40000",
    "skip-bob-64494",
    "skip-bob-64495",
    "skip-bob-64496",
    "skip-jump-alice-10000",
    "skip-jump-u4-28979",
    "skip-large-set-with-hole-30000",
    "skip-large-set-with-hole-54000",
    # vectors/boundaries.yaml: a list of 65 536 or 65 537 ports, and skips of one period of the default set
    "bound-number-list-2-16-plus-1",
    "bound-number-list-max-leading-zeros",
    "bound-skip-c",
    "bound-skip-c-minus-1",
    "bound-skip-c-plus-1",
    "bound-skip-prepend-p-plus-c",
]


def test_upstream_r_library_fails_exactly_its_known_differences(tmp_path, r_library):
    name = "upstream-r-0.7.1"
    command = f"env R_LIBS={r_library} Rscript --default-packages=NULL {harness_path('upstream_r.R')}"
    slow = [f"--deselect={case}" for case in R_SLOW] + deselect_hangs(name)
    ran = conformance(
        tmp_path, f"--impl=r=harness-library:{command}", f"--known-differences={name}", "--timeout=60", *slow
    )
    assert ran.code == 0, ran.stdout[-4000:]
    counts = ran.implementation["counts"]
    assert counts["xfail"] > 100 and counts["xpass"] == counts["fail"] == counts["timeout"] == 0
    assert ran.implementation["harness"]["implementation"]["language"] == "R"


def test_the_guides_shell_harness_gives_the_command_lines_verdicts(tmp_path, reference_command):
    script = harness_path("port4me-harness.sh")
    assert len(script.read_text().splitlines()) <= 50
    selection = ["--select=hash", "--select=cli", "--select=grammar", "--select=check-listen-*", "--jobs=2"]
    # The reference's verdicts, in process (test_reference.py: the same as its command's, which passes
    # every case); the harness then runs the command once a call, as the guide's harness does.
    direct = conformance(tmp_path, "--impl=ref=inprocess:port4me.cli:main", *selection)
    wrapped = conformance(tmp_path, f"--impl=ref=harness:{script} {reference_command[0]}", *selection, "--seed=4")
    assert direct.statuses() == wrapped.statuses()
    assert wrapped.code == 0 and len(wrapped.with_status("pass")) > 100
    assert any("args_hex" in case.data["input"] for case in load_all() if case.file in ("hash", "cli"))


def test_write_known_differences_never_lists_a_timeout_and_names_the_row(tmp_path):
    fake = tmp_path / "slow_and_wrong"
    fake.write_text(
        f"#!{sys.executable}\nimport sys, time\nsys.path[:0] = {sys.path!r}\nfrom port4me.cli import main\n"
        "if any(a.startswith('--skip=') for a in sys.argv): time.sleep(30)\n"
        "if '--user=alice' in sys.argv: print(1); sys.exit(0)\n"
        "sys.exit(main())\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    written = tmp_path / "known.yaml"
    conformance(
        tmp_path,
        f"--impl=fake={fake}",
        "--select=seq-alice*",
        "--select=search-after-skip",
        "--via=options",
        "--timeout=2",
        f"--write-known-differences={written}",
    )
    text = written.read_text()
    document = yaml.safe_load(text)
    assert document["differences"], text
    for entry in document["differences"]:
        assert re.search(r"Appendix A row \d+ \(", entry["reason"]) or entry["reason"].startswith("no Appendix A row")
        assert "it printed: exit 0, stdout '1'" in entry["reason"], entry
    assert "# Not listed: " in text and "results timed out" in text
    assert "--skip" not in " ".join(e["id"] for e in document["differences"])
