"""The two built wheels: the reference (port4me-kit) and the runner (port4me-conformance).

The runner's wheel installs no `port4me` module or command, so it sits beside any other
implementation: installed alone into a venv with upstream port4me 0.7.0 from PyPI, it
checks upstream with the shipped known-differences file, with no checkout.
"""

from __future__ import annotations

import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import deselect_hangs
from .conftest import run as run_process

pytestmark = pytest.mark.slow  # builds wheels, makes virtual environments, installs from PyPI

ROOT = Path(__file__).resolve().parent.parent
# Left by earlier builds and installs; setuptools reuses an old egg-info's file list, which
# could ship files that the package data no longer names: build from a tree without them.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "reports", "__pycache__", ".*_cache", ".hypothesis", "node_modules"
)


def run(*command, cwd=None):
    # Builds and installs from PyPI: the host's network, and a generous hang guard.
    return run_process(list(command), cwd=cwd, guard=900, host_network=True)


def build(source: Path, out: Path) -> Path:
    built = run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, source)
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


def entry(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(next(n for n in archive.namelist() if n.endswith(suffix))).decode()


def test_two_wheels_and_the_runner_beside_upstream(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)  # follows the links conformance/.../shipped/*
    kit = build(source, tmp_path / "kit")
    runner = build(source / "conformance", tmp_path / "runner")

    kit_names = set(zipfile.ZipFile(kit).namelist())
    assert "port4me/py.typed" in kit_names and not any(n.startswith("port4me_conformance/") for n in kit_names)
    scripts = entry(kit, ".dist-info/entry_points.txt")
    assert "port4me = port4me.cli:run" in scripts and "port4me = port4me.pytest_plugin" in scripts
    assert "port4me-conformance" not in scripts
    metadata = entry(kit, ".dist-info/METADATA")
    assert "Name: port4me-kit" in metadata and "Requires-Dist: psutil" in metadata
    # The test and dev tools are dependency groups, not extras anyone could install: one extra, "who".
    assert [line for line in metadata.splitlines() if line.startswith("Provides-Extra:")] == ["Provides-Extra: who"]
    assert not [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]

    names = set(zipfile.ZipFile(runner).namelist())
    assert not any(n.split("/")[0] in ("port4me", "port4me.py") for n in names)  # no port4me module
    for expected in (
        "port4me_conformance/py.typed",
        "port4me_conformance/confine.py",
        "port4me_conformance/report/html.py",
        "port4me_conformance/shipped/vectors/sequence.json",
        "port4me_conformance/shipped/vectors/sequence.yaml",
        "port4me_conformance/shipped/spec/vectors.schema.json",
        "port4me_conformance/shipped/spec/requirements.json",
        "port4me_conformance/shipped/spec/port4me.md",
        "port4me_conformance/shipped/spec/INTERPRETING.md",
        "port4me_conformance/known_differences/upstream-python-0.7.0.yaml",
    ):
        assert expected in names, expected
    shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("port4me_conformance/shipped/vectors/")}
    vector_files = {p.name for p in (ROOT / "vectors").iterdir() if p.suffix in {".yaml", ".json"}}
    assert vector_files == shipped and len(vector_files) >= 20  # every file, as YAML and as JSON
    runner_scripts = entry(runner, ".dist-info/entry_points.txt")
    assert "port4me-conformance = port4me_conformance.cli:run" in runner_scripts
    assert "port4me =" not in runner_scripts and "pytest11" not in runner_scripts
    runner_metadata = entry(runner, ".dist-info/METADATA")
    requires = sorted(line for line in runner_metadata.splitlines() if line.startswith("Requires-Dist:"))
    assert [r.split()[1] for r in requires] == ["PyYAML>=6", "jsonschema>=4.18"]

    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    installed = run(venv / "bin/python", "-m", "pip", "install", "--quiet", runner)
    assert installed.returncode == 0, installed.stderr
    assert not (venv / "bin/port4me").exists()
    assert run(venv / "bin/python", "-c", "import port4me").returncode != 0  # the runner brought none
    upstream = run(venv / "bin/python", "-m", "pip", "install", "--quiet", "port4me==0.7.0")
    assert upstream.returncode == 0, upstream.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = run(
        venv / "bin/port4me-conformance",
        f"--impl=upstream={venv / 'bin/python'} -m port4me",
        "--known-differences=upstream-python-0.7.0",
        "--select=sequence",
        "--select=grammar",
        "--select=P4M-CLI-*",
        # The calls that never end (two dozen here, each held to the 10 s limit, spinning a core) are left
        # out (INTERPRETING 6): this test is about the wheel; test_upstream.py waits for one such call.
        *deselect_hangs("upstream-python-0.7.0"),
        "--jobs=2",
        "--quiet",
        cwd=elsewhere,
    )
    assert report.returncode == 0, report.stdout[-3000:] + report.stderr
    assert "0 failed" in report.stdout and "known differences" in report.stdout
    assert run(venv / "bin/python", "-c", "import port4me; assert port4me.__version__ == '0.7.0'").returncode == 0


def _setuptools_floor(pyproject: Path) -> str:
    (floor,) = re.findall(r'requires = \["setuptools>=([0-9.]+)"\]', pyproject.read_text())
    return floor


def test_both_build_with_the_lowest_setuptools_they_declare(tmp_path):
    """setuptools>=69 was declared while the SPDX license string needs 77: a build with 69.5.1 failed."""
    floor = _setuptools_floor(ROOT / "pyproject.toml")
    assert _setuptools_floor(ROOT / "conformance/pyproject.toml") == floor
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    pinned = run(venv / "bin/python", "-m", "pip", "install", "--quiet", f"setuptools=={floor}")
    assert pinned.returncode == 0, pinned.stderr
    version = run(venv / "bin/python", "-c", "import setuptools; print(setuptools.__version__)")
    assert version.stdout.strip() == floor
    for folder, name in ((source, "port4me_kit"), (source / "conformance", "port4me_conformance")):
        out = tmp_path / name
        built = run(
            venv / "bin/python", "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", out, folder
        )
        assert built.returncode == 0, built.stderr[-3000:]
        (wheel,) = out.glob(f"{name}-*.whl")
        assert "License-Expression: MIT" in entry(wheel, ".dist-info/METADATA")
