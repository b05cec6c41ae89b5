"""A list built by edits after it was written: ``messages = []`` and then
``messages.append(...)``, or a project helper that appends to the list it is handed
(``add_user_message(messages, text)``), replayed in line order up to the line that reads it.

Replayed only when every edit is seen whole: an edit repeated by a loop the list was not made
in, a mutator other than append/extend, or a helper that edits its parameter under a branch
or a loop makes the list unknown. A call the list is handed to that is not a project function
(``print(messages)``, ``len(messages)``), or one that does not edit that parameter, changes
nothing.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from ..site import UNKNOWN
from .protocol import Evaluator as Resolver
from .scope import MUTATORS, Binding, ListEdit, Scope

if TYPE_CHECKING:
    from .project import ModuleInfo

ADDING = frozenset({"append", "extend"})
MAX_EDITS = 64  # edits replayed per read; past that the list is unknown


def replay(
    resolver: Resolver,
    name: str,
    written: list[Any],
    binding: Binding,
    owner: Scope,
    line: int,
    depth: int,
) -> list[Any] | Any | None:
    """The list ``name`` holds at ``line``: ``written`` with the edits made since ``binding``
    (None when no edit in that range changes it, UNKNOWN when one cannot be replayed)."""
    edits = [e for e in owner.list_edits.get(name, ()) if binding.line <= e.call.lineno < line]
    if not edits:
        return None
    if len(edits) > MAX_EDITS:
        return UNKNOWN
    items = list(written)
    changed = False
    for edit in sorted(edits, key=lambda e: (e.call.lineno, e.call.col_offset)):
        if edit.direct:
            added = _direct(resolver, edit.call, owner, depth)
        else:
            added = _through_helper(resolver, edit.call, name, owner, depth)
            if added == []:
                continue  # not a project helper, or one that leaves this list alone
        if added is None or not _runs_once(edit, binding):
            return UNKNOWN
        items.extend(added)
        changed = True
    return items if changed else None


def _runs_once(edit: ListEdit, binding: Binding) -> bool:
    """Each loop around the edit also holds the line that makes the list (a list made and
    filled once per iteration)."""
    return all(
        loop.lineno <= binding.line <= (loop.end_lineno or loop.lineno) for loop in edit.loops
    )


def _direct(resolver: Resolver, call: ast.Call, scope: Scope, depth: int) -> list[Any] | None:
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if method not in ADDING or len(call.args) != 1 or call.keywords:
        return None
    value = resolver.evaluate(call.args[0], scope, call.lineno, depth + 1)
    if method == "append":
        return [value]
    return list(value) if isinstance(value, (list, tuple)) else None


def _through_helper(
    resolver: Resolver, call: ast.Call, name: str, scope: Scope, depth: int
) -> list[Any] | None:
    """What a project helper appends to the parameter that receives ``name``: [] when it
    appends nothing (or is not a project function), None when it cannot be replayed."""
    found = _callee(resolver, call, scope)
    if found is None:
        return []
    module, fn = found
    params = [*fn.args.posonlyargs, *fn.args.args]
    position = next(
        (i for i, a in enumerate(call.args) if isinstance(a, ast.Name) and a.id == name), None
    )
    if position is None or position >= len(params):
        return []
    param = params[position].arg
    added: list[Any] = []
    for statement, nested in _statements(fn):
        edit = _edit_of(statement, param)
        if edit is None:
            continue
        if nested or edit.func.attr not in ADDING or len(edit.args) != 1:  # type: ignore[union-attr]
            return None
        value = resolver.in_call(
            module, fn, edit.args[0], edit.lineno, depth + 1, (call, scope, call.lineno)
        )
        if edit.func.attr == "append":  # type: ignore[union-attr]
            added.append(value)
        elif isinstance(value, (list, tuple)):
            added.extend(value)
        else:
            return None
    return added


def _callee(
    resolver: Resolver, call: ast.Call, scope: Scope
) -> tuple[ModuleInfo, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The project function a plain-name call runs."""
    if not isinstance(call.func, ast.Name):
        return None
    found = resolver.project_function(call.func.id, scope, call.lineno)
    if found is None or not isinstance(found[1], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return found[0], found[1]


def _statements(fn: ast.AST) -> list[tuple[ast.stmt, bool]]:
    """The function's statements, each with whether it sits under a branch or a loop (not
    descending into nested functions or classes)."""
    found: list[tuple[ast.stmt, bool]] = []
    stack: list[tuple[ast.stmt, bool]] = [(s, False) for s in getattr(fn, "body", [])]
    while stack:
        statement, nested = stack.pop()
        found.append((statement, nested))
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None) or []
            stack.extend((s, nested or not isinstance(statement, ast.With)) for s in inner)
        for handler in getattr(statement, "handlers", None) or []:
            stack.extend((s, True) for s in handler.body)
    return found


def _edit_of(statement: ast.stmt, param: str) -> ast.Call | None:
    """``param.<mutator>(...)`` as a statement of its own."""
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return None
    func = statement.value.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id == param and func.attr in MUTATORS:
            return statement.value
    return None
