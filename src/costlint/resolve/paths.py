"""Path handlers: ``Path(...)``, ``os.path`` joins, ``open(...)``, and reading the files they name.

Files are read only inside the project root (``Repository.read_text``), relative paths from
the module's folder first, then from the root.
"""

from __future__ import annotations

import ast
from pathlib import Path, PurePath
from typing import Any

from ..site import UNKNOWN
from .protocol import NOT_HANDLED, Evaluator
from .scope import Scope
from .values import FileRead, PathValue

PATH_CLASSES = ("Path", "PurePath", "PosixPath")


def path_call(ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
    """``Path(a, b)`` (any alias of a pathlib class)."""
    if not node.args:
        return PathValue(PurePath("."))
    return join_paths(ev, node.args, scope, line, depth)


def open_call(ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
    if not node.args:
        return NOT_HANDLED
    target = path_from(ev, node.args[0], scope, line, depth)
    return FileRead(target) if target else UNKNOWN


def join_call(ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
    if not node.args:
        return NOT_HANDLED
    return join_paths(ev, node.args, scope, line, depth)


def dirname_call(
    ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    if len(node.args) != 1:
        return NOT_HANDLED
    target = path_from(ev, node.args[0], scope, line, depth)
    return PathValue(target.path.parent) if target else UNKNOWN


def abspath_call(
    ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    if len(node.args) != 1:
        return NOT_HANDLED
    target = path_from(ev, node.args[0], scope, line, depth)
    return target or UNKNOWN


def os_path_join(
    ev: Evaluator, method: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    """``os.path.join(...)``."""
    return join_paths(ev, node.args, scope, line, depth)


def os_path_method(
    ev: Evaluator, method: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    """``os.path.dirname`` / ``abspath`` / ``realpath``."""
    target = path_from(ev, node.args[0], scope, line, depth) if node.args else None
    if target is None:
        return UNKNOWN
    return PathValue(target.path.parent) if method == "dirname" else target


def pathlib_method(
    ev: Evaluator, method: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    """``pathlib.Path(...)``."""
    return path_call(ev, method, node, scope, line, depth)


def join_paths(ev: Evaluator, args: list[ast.expr], scope: Scope, line: int, depth: int) -> Any:
    result: PurePath | None = None
    for arg in args:
        value = ev.evaluate(arg, scope, line, depth)
        if isinstance(value, PathValue):
            part = value.path
        elif isinstance(value, str) and not getattr(value, "holes", 0):
            part = PurePath(str(value))
        else:
            return UNKNOWN
        result = part if result is None else result / part
    return PathValue(result) if result is not None else UNKNOWN


def path_from(
    ev: Evaluator, node: ast.AST, scope: Scope, line: int, depth: int
) -> PathValue | None:
    value = ev.evaluate(node, scope, line, depth)
    if isinstance(value, PathValue):
        return value
    if isinstance(value, str) and not getattr(value, "holes", 0):
        return PathValue(PurePath(str(value)))
    return None


def path_method(
    ev: Evaluator, path: PathValue, method: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    if method == "read_text":
        return read_file(ev, path)
    if method in ("resolve", "absolute", "expanduser"):
        return path
    if method == "joinpath":
        rest = join_paths(ev, node.args, scope, line, depth)
        return PathValue(path.path / rest.path) if isinstance(rest, PathValue) else UNKNOWN
    if method == "open":
        return FileRead(path)
    if method == "with_suffix" and node.args:
        suffix = ev.evaluate(node.args[0], scope, line, depth)
        if isinstance(suffix, str):
            try:
                return PathValue(path.path.with_suffix(str(suffix)))
            except ValueError:
                return UNKNOWN
    return UNKNOWN


def file_method(
    ev: Evaluator,
    handle: FileRead,
    method: str,
    node: ast.Call,
    scope: Scope,
    line: int,
    depth: int,
) -> Any:
    """``open(p).read()``."""
    return read_file(ev, handle.path) if method == "read" else UNKNOWN


def read_file(ev: Evaluator, path: PathValue) -> Any:
    if ev.project is None:
        return UNKNOWN
    raw = Path(path.path)
    candidates = [raw] if raw.is_absolute() else [ev.module.path.parent / raw]
    if not raw.is_absolute():
        candidates.append(ev.project.root / raw)
    for candidate in candidates:
        text = ev.project.read_text(candidate)
        if text is not None:
            return text
    return UNKNOWN


def path_attr(path: PathValue, attr: str, index: int | None = None) -> Any:
    if attr == "parent":
        return PathValue(path.path.parent)
    if attr == "parents" and index is not None:
        try:
            return PathValue(path.path.parents[index])
        except IndexError:
            return UNKNOWN
    if attr == "name":
        return path.path.name
    if attr == "stem":
        return path.path.stem
    return UNKNOWN
