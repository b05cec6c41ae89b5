"""Execution order in a notebook: which binding a global read inside a function sees.

A notebook's cells run top to bottom, so a function defined in one cell and run in later
cells reads each global as bound when the running cell executes, not as the notebook's last
binding. ``run_line`` gives the line to look a global up at: the last top-level cell that
runs the function (directly, handed to ``executor.submit``/``map``..., or through another
top-level function that such a cell runs). None outside notebooks, or when no cell runs it
(then the last binding stands).
"""

from __future__ import annotations

import ast
from pathlib import Path
from weakref import WeakKeyDictionary

from .callers import called_as
from .project import ModuleInfo
from .scope import Scope

MAX_CALL_LEVELS = 2  # functions between the running cell and the function read in

_Function = ast.FunctionDef | ast.AsyncFunctionDef
_RUN_LINES: WeakKeyDictionary[ModuleInfo, dict[int, list[int]]] = WeakKeyDictionary()


def run_line(module: ModuleInfo, scope: Scope) -> int | None:
    """The line a global read in ``scope`` (a function of a notebook) is looked up at."""
    lines = run_lines(module, scope)
    return lines[-1] if lines else None


def run_lines(module: ModuleInfo, scope: Scope) -> list[int]:
    """The top-level lines (in order) that run the function ``scope`` is in, in a notebook:
    calls made while that definition is the one bound to its name ([] elsewhere)."""
    if module.line_map is None and Path(module.path).suffix != ".ipynb":
        return []
    function = _outer_function(module, scope)
    if function is None:
        return []
    found = _RUN_LINES.get(module)
    if found is None:
        found = _RUN_LINES[module] = {}
    if id(function) not in found:
        found[id(function)] = _runs(module, function, MAX_CALL_LEVELS)
    return found[id(function)]


def _outer_function(module: ModuleInfo, scope: Scope) -> _Function | None:
    """The top-level function ``scope`` is (or is nested in)."""
    outer = scope
    while outer.parent is not None and outer.parent is not module.module_scope:
        outer = outer.parent
    node = outer.node
    if outer.parent is None or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return node


def _runs(module: ModuleInfo, function: _Function, levels: int) -> list[int]:
    lines: set[int] = set()
    for call, where in module.calls:
        if called_as(call, function.name) is None:
            continue
        if where.function is None:
            binding = module.module_scope.lookup(function.name, call.lineno)
            if binding is not None and binding.value is function:  # not a later redefinition
                lines.add(call.lineno)
        elif levels > 1:  # inside another top-level function: the cells that run that one
            outer = _outer_function(module, where.scope)
            if outer is None or outer is function:
                continue
            for line in _runs(module, outer, levels - 1):
                binding = module.module_scope.lookup(function.name, line)
                if binding is not None and binding.value is function:
                    lines.add(line)
    return sorted(lines)
