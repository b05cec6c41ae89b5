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

_RUN_LINES: WeakKeyDictionary[ModuleInfo, dict[str, int | None]] = WeakKeyDictionary()


def run_line(module: ModuleInfo, scope: Scope) -> int | None:
    """The line a global read in ``scope`` (a function of a notebook) is looked up at."""
    if module.line_map is None and Path(module.path).suffix != ".ipynb":
        return None
    function = _outer_function(module, scope)
    if function is None:
        return None
    lines = _RUN_LINES.get(module)
    if lines is None:
        lines = _RUN_LINES[module] = {}
    if function.name not in lines:
        lines[function.name] = _last_run(module, function.name, MAX_CALL_LEVELS)
    return lines[function.name]


def _outer_function(
    module: ModuleInfo, scope: Scope
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The top-level function ``scope`` is (or is nested in)."""
    outer = scope
    while outer.parent is not None and outer.parent is not module.module_scope:
        outer = outer.parent
    node = outer.node
    if outer.parent is None or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return node


def _last_run(module: ModuleInfo, name: str, levels: int) -> int | None:
    last: int | None = None
    for call, where in module.calls:
        if called_as(call, name) is None:
            continue
        if where.function is None:
            line = call.lineno
        elif levels > 1 and isinstance(where.function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            outer = _outer_function(module, where.scope)
            if outer is None or outer.name == name:
                continue
            line = _last_run(module, outer.name, levels - 1)
        else:
            continue
        if line is not None and (last is None or line > last):
            last = line
    return last
