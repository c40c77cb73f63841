"""The reference package's shape (issue 17, item 11): one job per module, a public face, no private reach."""

from __future__ import annotations

import ast
from pathlib import Path

import port4me

PACKAGE = Path(port4me.__file__).resolve().parent
MODULES = {path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.glob("*.py"))}


def imports(tree: ast.Module) -> list[tuple[str, str]]:
    """(module, name) for every ``from .module import name`` in the tree, at any depth."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                found.append((node.module or "", alias.name))
    return found


def test_no_module_takes_another_modules_private_names():
    taken = [
        (module, source, name)
        for module, tree in MODULES.items()
        for source, name in imports(tree)
        if name.startswith("_") and not name.endswith("__") and source  # from . import _x: a module, not a name
    ]
    assert taken == []


def test_the_library_search_leaves_leases_and_options_to_their_modules():
    api = {source for source, _ in imports(MODULES["_api"])}
    assert "_extensions" not in api and "cli" not in api  # the command line's modules are above the library
    names = {node.id for node in ast.walk(MODULES["_api"]) if isinstance(node, ast.Name)}
    assert not {"locked_leases", "fcntl", "leases"} & names  # no lease locking of its own


def test_the_check_binds_and_validates_nothing_of_its_own():
    defined = {node.name for node in MODULES["check"].body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    assert defined == {"is_free", "probe", "is_port_free"}
    validators = {node.name for node in MODULES["_validate"].body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    assert {"BadValue", "validate_port", "validate_seconds", "validate_choice"} <= validators


def test_quote_has_its_own_module():
    assert "quote" not in {node.name for node in MODULES["_portset"].body if isinstance(node, ast.FunctionDef)}
    users = [module for module, tree in MODULES.items() if ("_quote", "quote") in imports(tree)]
    assert len(users) >= 5  # the messages of every layer quote values one way


def test_type_checking_is_defined_once_with_its_reason():
    defining = [
        module
        for module, tree in MODULES.items()
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "TYPE_CHECKING" for t in node.targets)
    ]
    assert defining == ["_typing"]
    assert "start-up" in (ast.get_docstring(MODULES["_typing"]) or "")


def test_every_public_module_is_named_by_the_package_face():
    face = ast.get_docstring(MODULES["__init__"]) or ""
    public = [name for name in MODULES if not name.startswith("_")]
    assert public, "no public modules found"
    missing = [name for name in public if f"``{name}``" not in face and f"``port4me.{name}``" not in face]
    assert missing == [], "a module without a leading _ is public: name it in port4me/__init__.py's docstring"


def test_the_face_exports_what_it_lists():
    for name in port4me.__all__:
        assert getattr(port4me, name) is not None
    assert port4me.UsageError.__module__.startswith("port4me.")
