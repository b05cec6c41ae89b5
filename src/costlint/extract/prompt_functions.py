"""promptfoo prompt functions (``file://prompts.py:fn``, ``prompts.py:fn``) read statically.

The Python file is parsed, never imported or run: the function's ``return`` is evaluated by the
resolver with its parameters unknown (``context["vars"]["topic"]`` becomes a placeholder), so
the fixed text it returns is counted and the per-test parts are holes. A function with several
returns, or one whose value cannot be seen, gives nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from ..resolve.evaluator import Resolver
from ..resolve.project import ModuleInfo, Project
from ..resolve.syntax import own_nodes
from ..site import UNKNOWN


def prompt_function_value(project: Project | None, path: Path, name: str) -> Any:
    """What ``name`` in the Python file at ``path`` returns: text, a chat list, or UNKNOWN."""
    if project is None:
        return UNKNOWN
    text = project.read_text(path)
    if text is None:
        return UNKNOWN
    try:
        tree = ast.parse(text, filename=path.name)
        module = ModuleInfo(tree, path.resolve(), project)
    except (SyntaxError, ValueError, RecursionError):
        return UNKNOWN
    function = module.module_scope.functions.get(name)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return UNKNOWN
    returns = [n for n in own_nodes(function) if isinstance(n, ast.Return) and n.value]
    scope = module.scopes.get(function)
    if len(returns) != 1 or scope is None:
        return UNKNOWN
    value = returns[0].value
    assert value is not None
    return Resolver(module).value(value, scope, returns[0].lineno)
