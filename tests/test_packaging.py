"""The built wheel: installed on its own, it runs the command and checks an implementation with no checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Left by earlier builds and installs; setuptools reuses an old egg-info's file list, which
# could ship files that the package data no longer names: build from a tree without them.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "reports", "__pycache__", ".*_cache", ".hypothesis"
)


def run(*command, cwd=None):
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=900, check=False)


def test_wheel_installs_and_checks_an_implementation_without_a_checkout(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    built = run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path / "wheel", source)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("port4me_kit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "port4me/py.typed",
        "port4me_conformance/py.typed",
        "port4me_conformance/data/vectors/sequence.yaml",
        "port4me_conformance/data/vectors/sequence.json",
        "port4me_conformance/data/spec/vectors.schema.json",
        "port4me_conformance/data/spec/port4me.md",
        "port4me_conformance/known_differences/upstream-python-0.7.0.yaml",
    ):
        assert expected in names, expected
    shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("port4me_conformance/data/vectors/")}
    vector_files = {p.name for p in (ROOT / "vectors").iterdir() if p.suffix in {".yaml", ".json"}}
    assert vector_files <= shipped and len(vector_files) >= 18  # every file, as YAML and as JSON
    entry_points = (
        zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    )
    assert "port4me = port4me.cli:run" in entry_points and "port4me = port4me.pytest_plugin" in entry_points
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Name: port4me-kit" in metadata and "Requires-Dist: psutil" in metadata
    assert not [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]

    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    installed = run(venv / "bin/python", "-m", "pip", "install", "--quiet", f"{wheel}[conformance]")
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = run(venv / "bin/port4me", "--user=alice", "--list=2", cwd=elsewhere)
    assert port.stdout == "30845\n19654\n"
    report = run(
        venv / "bin/port4me-conformance",
        f"--impl={venv / 'bin/port4me'}",
        "--select=sequence",
        "--select=grammar",
        "--jobs=2",
        cwd=elsewhere,
    )
    assert report.returncode == 0, report.stdout[-2000:] + report.stderr
    assert "0 failed" in report.stdout
