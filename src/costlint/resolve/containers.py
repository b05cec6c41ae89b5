"""Container handlers: ``dict(...)``, ``list(...)`` / ``tuple(...)`` and ``.copy()``."""

from __future__ import annotations

import ast
from typing import Any

from ..site import UNKNOWN
from .protocol import NOT_HANDLED, Evaluator
from .scope import Scope


def dict_call(ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
    """``dict(base, key=value, **more)`` of known dicts."""
    result: dict[str, Any] = {}
    for arg in node.args:
        inner = ev.evaluate(arg, scope, line, depth)
        if not isinstance(inner, dict):
            return UNKNOWN
        result.update(inner)
    return ev.keywords_into(result, node, scope, line, depth)


def list_call(ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
    """``list(items)`` / ``tuple(items)`` of a known list."""
    if len(node.args) != 1:
        return NOT_HANDLED
    inner = ev.evaluate(node.args[0], scope, line, depth)
    return list(inner) if isinstance(inner, list) else UNKNOWN


def dict_method(
    ev: Evaluator, value: dict, method: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    return dict(value) if method == "copy" else UNKNOWN


def list_method(
    ev: Evaluator, value: list, method: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    return list(value) if method == "copy" else UNKNOWN
