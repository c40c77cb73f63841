"""The mutation harness itself (tools/mutation): IDs, isolation, limits and the equivalents list."""

from __future__ import annotations

import ast
import json
import os
import time

import pytest
from tools.mutation import cli, equivalents
from tools.mutation.isolate import Limits, run_isolated
from tools.mutation.mutants import apply, find_mutants, mutated_line

SOURCE = '''
"""Module docstring."""
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List


def first(values: "List[int]", limit: int = 3) -> int:
    """Docstring."""
    for value in values:
        if value < limit and not value == 0:
            continue
        raise ValueError(f"bad value {value}: more than " + "three")
    return values[limit - 1]


def second(text):
    return text[1:] + "x"
'''

# Real mutants of the reference, and vectors that decide them.
KILLED = "algorithm:string_hash:const#1:31 -> 32"  # every seed hashes differently
LIBRARY_ONLY = "_api:port4me:return#1:return -1 -> return None"  # must_work=False: no command line reaches it
LOOPING = "algorithm:_walk:cond#1:member[port] -> False"  # no draw is ever a candidate: loops without output
EXIT_CODE = "cli:run:stmt#1:sys.exit(code) -> pass"  # every error exits 0: only a process shows it
VECTORS = ["--select=seq-alice", "--select=cli-unknown-option"]


def ids(source: str) -> set[str]:
    return {m.id for m in find_mutants(source, "sample")}


def test_ids_are_unique_and_name_place_operator_and_change():
    mutants = find_mutants(SOURCE, "sample")
    assert len({m.id for m in mutants}) == len(mutants)
    assert "sample:first:cmp#1:< -> <=" in ids(SOURCE)
    assert "sample:second:slice#1:" not in " ".join(ids(SOURCE))  # a constant bound is the const operator's
    assert "sample:second:const#1:1 -> 2" in ids(SOURCE)


def test_ids_survive_edits_elsewhere_in_the_file():
    edited = SOURCE.replace("def second(text):", "def added(a, b):\n    return a + b < 2\n\n\ndef second(text):")
    edited = "import os\n" + edited.replace('"""Module docstring."""', '"""Module docstring.\n\nLonger."""')
    before, after = ids(SOURCE), ids(edited)
    assert before <= after  # every old mutant keeps its ID; only the new function adds some
    assert {i for i in after - before if not i.startswith("sample:added:")} == set()


def test_no_mutants_in_docstrings_typing_or_message_text():
    found = find_mutants(SOURCE, "sample")
    texts = " ".join(m.id for m in found)
    assert "Docstring" not in texts and "TYPE_CHECKING" not in texts and "List" not in texts
    assert "'three'" not in texts and "more than" not in texts  # message text of a raise
    assert "sample:first:stmt#1:raise ValueError" in texts  # but the raise itself is deleted
    assert "'x' -> ''" in texts  # other strings are mutated


def test_apply_changes_exactly_one_place():
    tree = ast.parse(SOURCE)
    mutant = next(m for m in find_mutants(SOURCE, "sample") if m.id == "sample:first:cmp#1:< -> <=")
    mutated = ast.unparse(apply(tree, mutant))
    assert "value <= limit" in mutated and "value < limit" not in mutated
    assert ast.unparse(tree) != mutated  # the tree it was given is left alone
    assert mutated_line(SOURCE.splitlines(), mutant) == (
        "if value < limit and not value == 0:",
        "if value <= limit and not value == 0:",
    )


def test_the_sample_is_fixed():
    mutants = cli.all_mutants(cli.source_dir(), ["algorithm"])
    sample = [m.id for m in mutants if cli.in_sample(m, 8)]
    assert sample == [m.id for m in mutants if cli.in_sample(m, 8)]
    assert 0 < len(sample) < len(mutants) / 4


def run_harness(capsys, tmp_path, entries: str, *args: str) -> tuple[int, str]:
    listed = tmp_path / "equivalent.yaml"
    listed.write_text(entries)
    code = cli.main([*VECTORS, "--quiet", f"--equivalents={listed}", *args])
    return code, capsys.readouterr().out


def test_a_killed_mutant_passes(capsys, tmp_path):
    code, out = run_harness(capsys, tmp_path, "equivalent: []\n", f"--id={KILLED}")
    assert code == 0, out
    assert "OK: every mutant is killed" in out


def test_a_listed_survivor_passes_and_an_unlisted_one_fails(capsys, tmp_path):
    entry = f"equivalent:\n- reason: library only\n  ids: ['{LIBRARY_ONLY}']\n"
    code, out = run_harness(capsys, tmp_path, entry, f"--id={LIBRARY_ONLY}", "--module=_api")
    assert code == 0, out
    code, out = run_harness(capsys, tmp_path, "equivalent: []\n", f"--id={LIBRARY_ONLY}", "--module=_api")
    assert code == 1
    assert "Survivors not listed as equivalent (1)" in out and LIBRARY_ONLY in out
    assert "- return -1" in out and "+ return None" in out


def test_a_listed_mutant_that_is_killed_fails_the_run(capsys, tmp_path):
    entry = f"equivalent:\n- reason: wrong\n  ids: ['{KILLED}']\n"
    code, out = run_harness(capsys, tmp_path, entry, f"--id={KILLED}")
    assert code == 1
    assert "listed as equivalent" in out and "but killed by seq-alice" in out


def test_a_scope_that_covers_a_killed_mutant_fails_the_run(capsys, tmp_path):
    entry = "equivalent:\n- scope: 'algorithm:string_hash'\n  reason: wrong\n"
    code, out = run_harness(capsys, tmp_path, entry, f"--id={KILLED}")
    assert code == 1 and "scope algorithm:string_hash" in out


def test_listed_ids_that_name_no_mutant_fail_the_run(capsys, tmp_path):
    entry = (
        "equivalent:\n- ids: ['algorithm:gone:cmp#1:< -> <=']\n  reason: old\n"
        "- scope: 'algorithm:no_such_function'\n  reason: old\n"
    )
    code, out = run_harness(capsys, tmp_path, entry, f"--id={KILLED}")
    assert code == 1
    assert "names no mutant" in out and "holds no mutant" in out


# The limits below are far above what the unmutated reference needs (the harness first runs it
# under the same limits, and stops if it does not pass), so that a loaded machine cannot make a
# right call time out; each test asserts which limit ended the looping mutant, never how fast.


def test_a_looping_mutant_is_stopped_by_the_time_limit_per_call(capsys, tmp_path):
    """The per-call limit ends the looping call: the mutant is killed by that vector, not ended as a
    timeout by its per-mutant limit (ten minutes here, a hang guard)."""
    out_json = tmp_path / "report.json"
    code, out = run_harness(
        capsys,
        tmp_path,
        "equivalent: []\n",
        f"--id={LOOPING}",
        "--case-timeout=10",
        "--mutant-timeout=600",
        f"--json={out_json}",
    )
    assert code == 0, out
    (mutant,) = json.loads(out_json.read_text())["mutants"]
    assert (mutant["id"], mutant["status"]) == (LOOPING, "killed") and mutant["reason"].startswith("timed out"), mutant


def test_a_looping_mutant_is_killed_at_the_time_limit_per_mutant(capsys, tmp_path):
    """With no per-call limit in reach (ten minutes), the per-mutant limit ends it as a timeout."""
    out_json = tmp_path / "report.json"
    code, out = run_harness(
        capsys,
        tmp_path,
        "equivalent: []\n",
        f"--id={LOOPING}",
        "--case-timeout=600",
        "--mutant-timeout=20",
        f"--json={out_json}",
    )
    assert code == 0, out
    (mutant,) = json.loads(out_json.read_text())["mutants"]
    assert (mutant["id"], mutant["status"]) == (LOOPING, "timeout"), mutant
    assert "killed at the time limit" in out


def test_mutants_run_as_the_installed_command_runs(capsys, tmp_path):
    """A mutant that only a process can show (its exit code) is killed: the harness enters through run()."""
    code, out = run_harness(capsys, tmp_path, "equivalent: []\n", f"--id={EXIT_CODE}", "--module=cli")
    assert code == 0, out
    code, out = run_harness(capsys, tmp_path, "equivalent: []\n", f"--id={EXIT_CODE}", "--module=cli", "--entry=main")
    assert code == 1 and EXIT_CODE in out  # main() alone never reaches run()


def test_isolation_contains_memory_hogs_crashes_and_hangs():
    limits = Limits(seconds=20, memory_mb=256)  # far above what 'ok', 'hog' and 'exit' need
    tasks = [
        ("ok", lambda: {"status": "survived"}),
        ("hog", lambda: {"status": "survived", "size": len(bytearray(1024**3))}),
        ("exit", lambda: os._exit(3)),
        ("hang", lambda: time.sleep(600) or {}),  # ten minutes: a verdict before then is the limit's
    ]
    verdicts = dict(run_isolated(tasks, 2, limits))
    assert verdicts["ok"]["status"] == "survived"
    assert verdicts["hog"]["status"] == "error" and "MemoryError" in verdicts["hog"]["reason"]
    assert verdicts["exit"]["status"] == "died" and "exit 3" in verdicts["exit"]["reason"]
    assert verdicts["hang"]["status"] == "timeout"


def test_compare_shows_a_command_line_that_tells_a_mutant_apart(capsys):
    assert cli.main([f"--compare={KILLED}", "--", "--user=alice", "--list=1"]) == 0
    out = capsys.readouterr().out
    assert "reference: exit 0, stdout '30845\\n'" in out and "DIFFER" in out
    assert cli.main([f"--compare={LIBRARY_ONLY}", "--", "--user=alice", "--list=1"]) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("equivalent:\n- ids: [x]\n", "needs its reason"),
        ("equivalent:\n- ids: [x]\n  scope: 'a:b'\n  reason: r\n", "exactly one of ids and scope"),
        ("equivalent:\n- scope: nocolon\n  reason: r\n", "MODULE:QUALNAME"),
        ("equivalent:\n- ids: []\n  reason: r\n", "non-empty list"),
        ("equivalent:\n- ids: [x]\n  reason: r\n- ids: [y, x]\n  reason: r\n", "listed twice"),
    ],
)
def test_a_malformed_list_is_refused(tmp_path, text, message):
    path = tmp_path / "equivalent.yaml"
    path.write_text(text)
    with pytest.raises(equivalents.ListError, match=message):
        equivalents.load(path)


def test_the_committed_list_is_well_formed():
    entries = equivalents.load(cli.HERE / "equivalent.yaml")
    mutants = cli.all_mutants(cli.source_dir(), cli.MODULES)
    assert equivalents.unknown(entries, mutants, set(cli.MODULES)) == []
