"""Single-point mutants of a Python module, found and applied on its AST.

A mutant's ID names where it is and what it does, not its line number, so that it
survives edits elsewhere in the file:

    MODULE:SCOPE:OPERATOR#N:ORIGINAL -> REPLACEMENT

SCOPE is the qualified name of the enclosing function or class (``<module>`` at the
top level), and N counts, from 1, the mutants of the same scope, operator, original
and replacement, in source order.  An edit in another function changes no ID; an edit
in the same function changes only the IDs of identical mutants after it.

Not mutated, because no output can depend on them: docstrings and other bare string
statements, annotations, ``TYPE_CHECKING`` blocks, and the text of messages (string
literals inside a ``raise`` or written to ``stderr``; the vectors never compare stderr
wording, INTERPRETING.md section 4).  The raise or write statement itself is still
deleted by the ``stmt`` operator.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

# Operator name -> what it does (printed by --operators, documented in the README).
OPERATORS = {
    "arith": "an arithmetic or bitwise operator swapped (+ -, * //, % //, & |, ...)",
    "cmp": "a comparison moved across its boundary (< <=, > >=) or negated (== !=, in, is)",
    "const": "a number +1 and -1, a boolean negated, a string or bytes emptied (or, if empty, made 'X')",
    "boolop": "and and or swapped",
    "not": "a `not` removed",
    "return": "a returned value replaced by None",
    "slice": "a computed slice bound or index shifted by +1 and -1",
    "stmt": "a statement (expression, assignment, return, raise, continue, break) replaced by pass",
    "cond": "an if, elif, while or conditional-expression test forced to True and to False",
}

_ARITH = {
    ast.Add: (ast.Sub, "+", "-"),
    ast.Sub: (ast.Add, "-", "+"),
    ast.Mult: (ast.FloorDiv, "*", "//"),
    ast.FloorDiv: (ast.Mult, "//", "*"),
    ast.Div: (ast.Mult, "/", "*"),
    ast.Mod: (ast.FloorDiv, "%", "//"),
    ast.Pow: (ast.Mult, "**", "*"),
    ast.LShift: (ast.RShift, "<<", ">>"),
    ast.RShift: (ast.LShift, ">>", "<<"),
    ast.BitAnd: (ast.BitOr, "&", "|"),
    ast.BitOr: (ast.BitAnd, "|", "&"),
    ast.BitXor: (ast.BitAnd, "^", "&"),
}
_CMP = {
    ast.Lt: (ast.LtE, "<", "<="),
    ast.LtE: (ast.Lt, "<=", "<"),
    ast.Gt: (ast.GtE, ">", ">="),
    ast.GtE: (ast.Gt, ">=", ">"),
    ast.Eq: (ast.NotEq, "==", "!="),
    ast.NotEq: (ast.Eq, "!=", "=="),
    ast.In: (ast.NotIn, "in", "not in"),
    ast.NotIn: (ast.In, "not in", "in"),
    ast.Is: (ast.IsNot, "is", "is not"),
    ast.IsNot: (ast.Is, "is not", "is"),
}
_BOOLOP = {ast.And: (ast.Or, "and", "or"), ast.Or: (ast.And, "or", "and")}
_DELETABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Raise, ast.Continue, ast.Break)
_TEXT_LIMIT = 40


@dataclass(frozen=True)
class Mutant:
    """One single-point change of one module."""

    id: str
    module: str  # short name: "algorithm"
    scope: str  # "candidate_stream", "CandidateSet.mask", "<module>"
    operator: str
    original: str
    replacement: str
    line: int
    col: int
    end_line: int
    end_col: int
    path: tuple  # where the replaced node sits: ((field, index or None), ...) from the module
    action: tuple  # how to build the replacement from the node found there (see _build)

    @property
    def location(self) -> str:
        return f"{self.module}.py:{self.line}"


def short(text: str) -> str:
    """One line, at most _TEXT_LIMIT characters: IDs stay readable and stable."""
    text = " ".join(text.split())
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 3] + "..."


def _show(node: ast.AST, source: str) -> str:
    """The node as written in the file: the same text on every Python version (ast.unparse is not)."""
    return short(ast.get_source_segment(source, node) or ast.unparse(node))


def _is_docstring(node: ast.AST) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` and the ``TYPE_CHECKING = False`` that feeds it: typing only."""
    if isinstance(node, ast.If):
        return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "TYPE_CHECKING" for t in node.targets)
    return False


def _is_stderr_write(node: ast.AST) -> bool:
    func = getattr(node, "func", None)
    return (
        isinstance(node, ast.Call)
        and isinstance(func, ast.Attribute)
        and func.attr == "write"
        and isinstance(func.value, ast.Name)
        and func.value.id == "stderr"
    )


class _Finder:
    """Walks one module's AST in source order and records every mutation site."""

    def __init__(self, module: str, source: str):
        self.module = module
        self.source = source
        self.found: list[Mutant] = []
        self.counts: dict[tuple, int] = {}

    def add(self, node, path, scope, operator, original, replacement, action, span=None) -> None:
        """Record a mutant; ``span`` (line, col, end_line, end_col) defaults to the node's."""
        key = (scope, operator, original, replacement)
        self.counts[key] = ordinal = self.counts.get(key, 0) + 1
        mutant_id = f"{self.module}:{scope}:{operator}#{ordinal}:{original} -> {replacement}"
        if span is None:
            span = (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)
        self.found.append(
            Mutant(mutant_id, self.module, scope, operator, original, replacement, *span, tuple(path), action)
        )

    def visit(self, node: ast.AST, path: list, scope: str, message: bool, owner: ast.AST | None = None) -> None:
        """``message``: inside message text, where string literals are not mutated.

        ``owner`` is the node whose field holds ``node``: an operator node has no
        position of its own, so its mutants are placed at the owner's.
        """
        if _is_type_checking(node) or _is_docstring(node):
            return
        self.sites(node, path, scope, message, owner)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner = node.name if scope == "<module>" else f"{scope}.{node.name}"
        else:
            inner = scope
        message = message or isinstance(node, ast.Raise) or _is_stderr_write(node)
        for field, value in ast.iter_fields(node):
            if field in ("annotation", "returns", "type_comment"):
                continue
            # Decorators and default values run in the enclosing scope.
            here = scope if field in ("decorator_list", "defaults", "kw_defaults", "bases") else inner
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        self.visit(item, [*path, (field, index)], here, message, node)
            elif isinstance(value, ast.AST):
                self.visit(value, [*path, (field, None)], here, message, node)

    def sites(self, node, path, scope, message, owner) -> None:
        add = self.add
        if isinstance(node, (ast.operator, ast.cmpop, ast.boolop)):
            for table, operator in ((_ARITH, "arith"), (_CMP, "cmp"), (_BOOLOP, "boolop")):
                if type(node) in table:
                    new, old_text, new_text = table[type(node)]
                    span = _operator_span(owner, path[-1])
                    add(owner, path, scope, operator, old_text, new_text, ("node", new), span)
        elif isinstance(node, ast.Constant):
            self.constant(node, path, scope, message)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            add(node, path, scope, "not", _show(node, self.source), _show(node.operand, self.source), ("operand",))
        elif isinstance(node, ast.Return) and node.value is not None and not _is_none(node.value):
            add(node, path, scope, "return", _show(node, self.source), "return None", ("return_none",))
        if isinstance(node, _DELETABLE):
            add(node, path, scope, "stmt", _show(node, self.source), "pass", ("pass",))
        if isinstance(node, (ast.If, ast.While, ast.IfExp)):
            self.condition(node, path, scope)
        if isinstance(node, ast.Subscript):
            self.subscript(node, path, scope)

    def constant(self, node: ast.Constant, path, scope, message) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(node, path, scope, "const", repr(value), repr(not value), ("const", not value))
        elif isinstance(value, int):
            for new in (value + 1, value - 1):
                self.add(node, path, scope, "const", repr(value), repr(new), ("const", new))
        elif isinstance(value, (str, bytes)) and not message:
            new = value[:0] if value else type(value)("X" if isinstance(value, str) else b"X")
            self.add(node, path, scope, "const", short(repr(value)), repr(new), ("const", new))

    def condition(self, node, path, scope) -> None:
        test = node.test
        for forced in (True, False):
            if isinstance(test, ast.Constant) and test.value is forced:
                continue
            text = _show(test, self.source)
            self.add(test, [*path, ("test", None)], scope, "cond", text, repr(forced), ("const", forced))

    def subscript(self, node: ast.Subscript, path, scope) -> None:
        index = node.slice
        index_path = [*path, ("slice", None)]
        if _is_index_wrapper(index):  # Python 3.8's ast.Index
            index, index_path = index.value, [*index_path, ("value", None)]
        if isinstance(index, ast.Slice):
            for field in ("lower", "upper", "step"):
                bound = getattr(index, field)
                if bound is not None and not isinstance(bound, ast.Constant) and not _is_negative_constant(bound):
                    self.shift(bound, [*index_path, (field, None)], scope)
        elif not isinstance(index, (ast.Constant, ast.Tuple)) and not _is_negative_constant(index):
            self.shift(index, index_path, scope)

    def shift(self, node, path, scope) -> None:
        for delta in (1, -1):
            text = f"{_show(node, self.source)} {'+' if delta > 0 else '-'} 1"
            self.add(node, path, scope, "slice", _show(node, self.source), text, ("shift", delta))


def _operator_span(owner: ast.AST, step: tuple) -> tuple[int, int, int, int]:
    """Where an operator is written: between the end of its left operand and the start of its right one."""
    _, index = step
    if isinstance(owner, ast.Compare):
        left, right = ([owner.left, *owner.comparators][index], owner.comparators[index])
    elif isinstance(owner, ast.BoolOp):
        left, right = owner.values[0], owner.values[1]
    elif isinstance(owner, ast.AugAssign):
        left, right = owner.target, owner.value
    else:
        left, right = owner.left, owner.right  # type: ignore[attr-defined]
    return (left.end_lineno, left.end_col_offset, right.lineno, right.col_offset)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_negative_constant(node: ast.AST) -> bool:
    # -1 is UnaryOp(USub, Constant): the const operator already shifts its 1.
    return isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)


def _is_index_wrapper(node: ast.AST) -> bool:
    return type(node).__name__ == "Index"


def find_mutants(source: str, module: str) -> list[Mutant]:
    """Every mutant of a module's source, in source order."""
    finder = _Finder(module, source)
    finder.visit(ast.parse(source), [], "<module>", False)
    return finder.found


def _build(node: ast.AST, action: tuple) -> ast.AST:
    kind = action[0]
    if kind == "node":
        return action[1]()
    if kind == "const":
        return ast.Constant(action[1])
    if kind == "operand":
        return node.operand  # type: ignore[attr-defined]
    if kind == "return_none":
        return ast.Return(ast.Constant(None))
    if kind == "pass":
        return ast.Pass()
    if kind == "shift":
        return ast.BinOp(node, ast.Add() if action[1] > 0 else ast.Sub(), ast.Constant(1))
    raise ValueError(f"unknown action {action!r}")


def apply(tree: ast.Module, mutant: Mutant) -> ast.Module:
    """A copy of ``tree`` with the mutant's change made."""
    tree = copy.deepcopy(tree)
    parent: ast.AST = tree
    *steps, (field, index) = mutant.path
    for step_field, step_index in steps:
        parent = getattr(parent, step_field)
        if step_index is not None:
            parent = parent[step_index]
    old = getattr(parent, field) if index is None else getattr(parent, field)[index]
    new = _build(old, mutant.action)
    if isinstance(old, ast.AST) and hasattr(old, "lineno"):
        ast.copy_location(new, old)
    if index is None:
        setattr(parent, field, new)
    else:
        getattr(parent, field)[index] = new
    return ast.fix_missing_locations(tree)


def mutated_line(source_lines: list[str], mutant: Mutant) -> tuple[str, str]:
    """The first source line of the change, before and after (as far as one line can show it)."""
    before = source_lines[mutant.line - 1].rstrip("\n")
    if mutant.line != mutant.end_line:
        return before.strip(), f"{mutant.replacement}  (was {mutant.original}, lines {mutant.line}-{mutant.end_line})"
    old = before[mutant.col : mutant.end_col]
    if mutant.operator in ("arith", "cmp", "boolop"):  # the span is the gap between the operands
        new = old.replace(mutant.original, mutant.replacement, 1)
    else:
        new = mutant.replacement
    return before.strip(), (before[: mutant.col] + new + before[mutant.end_col :]).strip()
