"""Small helpers over Python ``ast`` nodes shared by the scope builder and the evaluator."""

from __future__ import annotations

import ast


def call_name(node: ast.AST) -> str:
    """Dotted name of a call target (``os.path.join``), or '' when it is not a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def hole_name(node: ast.AST) -> str:
    """A placeholder name for the source of ``node`` (``user.name`` -> ``user.name``)."""
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - defensive
        return "value"
    text = "".join(ch if ch.isalnum() or ch in "_." else "_" for ch in text).strip("_")
    return text[:40] or "value"


def line_of(node: ast.AST) -> int:
    return getattr(node, "lineno", 0) or 0


def is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` without its two generators (this is the hot loop), and
    without the ``Load``/``Store``/``Del`` markers of names (leaves nothing reads)."""
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST) and not isinstance(value, ast.expr_context):
            children.append(value)
    return children


def all_nodes(node: ast.AST) -> list[ast.AST]:
    """``node`` and every node under it, like ``ast.walk`` but depth first, as a list and
    without ``ast.walk``'s generators (about 40% faster): for questions whose answer does not
    depend on the order (is there a node such that...). Leaves out ``Load``/``Store``/``Del``."""
    found: list[ast.AST] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        for name in current._fields:
            value = getattr(current, name, None)
            if value.__class__ is list:
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST) and not isinstance(value, ast.expr_context):
                stack.append(value)
    return found


def own_nodes(fn: ast.AST) -> list[ast.AST]:
    """Nodes of a function body, not descending into nested functions or classes."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def argument(node: ast.Call, index: int | None, keyword: str) -> ast.AST | None:
    """The argument passed as ``keyword=``, else the ``index``-th positional (not ``*args``)."""
    for item in node.keywords:
        if item.arg == keyword:
            return item.value
    if index is not None and index < len(node.args):
        arg = node.args[index]
        return None if isinstance(arg, ast.Starred) else arg
    return None
