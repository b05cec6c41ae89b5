"""Jinja2 handlers: templates, environments and loaders a module builds, and their ``render``.

A ``render(...)`` the evaluator can follow is rendered in the sandbox (``templates``) with the
values it can resolve; the other variables become placeholders.
"""

from __future__ import annotations

import ast
from pathlib import Path, PurePath
from typing import Any

from ..site import UNKNOWN
from .project import ModuleInfo
from .protocol import Evaluator
from .scope import Scope
from .syntax import argument, call_name
from .templates import render_linked
from .values import JinjaEnv, JinjaLoader, JinjaTemplate, PathValue

_JINJA_SYMBOLS = frozenset(
    {
        "Template",
        "Environment",
        "SandboxedEnvironment",
        "ImmutableSandboxedEnvironment",
        "FileSystemLoader",
        "PackageLoader",
        "ChoiceLoader",
        "DictLoader",
    }
)


def jinja_call(
    ev: Evaluator, node: ast.Call, name: str, scope: Scope, line: int, depth: int
) -> Any | None:
    """A jinja2 constructor (Template, Environment, a loader); None for any other call."""
    symbol = _jinja_symbol(ev.module, name)
    if symbol is None:
        return None
    if symbol == "Template":
        source = _jinja_text(ev, argument(node, 0, "source"), scope, line, depth)
        return JinjaTemplate(source=source) if source is not None else UNKNOWN
    if symbol.endswith("Environment"):
        arg = argument(node, None, "loader")  # the first positional is not the loader
        if arg is None:
            return JinjaEnv(JinjaLoader())
        loader = ev.evaluate(arg, scope, line, depth)
        return JinjaEnv(loader if isinstance(loader, JinjaLoader) else None)
    return _jinja_loader(ev, symbol, node, scope, line, depth)


def _jinja_loader(
    ev: Evaluator, symbol: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    if symbol == "FileSystemLoader":
        arg = argument(node, 0, "searchpath")
        value = ev.evaluate(_unwrap_str(arg), scope, line, depth) if arg else UNKNOWN
        dirs: list[Path] = []
        for item in value if isinstance(value, list) else [value]:
            path = _plain_path(item)
            if path is None:
                return UNKNOWN
            dirs.extend(_jinja_dirs(ev, path))
        return JinjaLoader(tuple(dict.fromkeys(dirs)))
    if symbol == "PackageLoader":
        package = _jinja_text(ev, argument(node, 0, "package_name"), scope, line, depth)
        folder = _jinja_text(ev, argument(node, 1, "package_path"), scope, line, depth)
        if ev.project is None or package is None:
            return UNKNOWN
        found = ev.project.find_module(package, 0, ev.module.path)
        if found is None:
            return UNKNOWN
        return JinjaLoader((found.parent / (folder or "templates"),))
    if symbol in ("ChoiceLoader", "DictLoader"):
        arg = argument(node, 0, "loaders" if symbol == "ChoiceLoader" else "mapping")
        value = ev.evaluate(arg, scope, line, depth) if arg else UNKNOWN
        return _combined_loader(value)
    return UNKNOWN


def _jinja_dirs(ev: Evaluator, path: PurePath) -> list[Path]:
    """A loader folder: absolute, or relative to the run directory (taken as the project
    root) or to the module's folder."""
    if ev.project is None:
        return []
    if Path(path).is_absolute():
        return [Path(path)]
    return [ev.project.root / path, ev.module.path.parent / path]


def _jinja_text(
    ev: Evaluator, node: ast.AST | None, scope: Scope, line: int, depth: int
) -> str | None:
    value = ev.evaluate(node, scope, line, depth) if node is not None else UNKNOWN
    if isinstance(value, str) and not getattr(value, "holes", 0):
        return str(value)
    return None


def jinja_method(
    ev: Evaluator,
    receiver: JinjaEnv | JinjaTemplate,
    method: str,
    node: ast.Call,
    scope: Scope,
    line: int,
    depth: int,
) -> Any:
    if isinstance(receiver, JinjaEnv):
        if method in ("get_template", "select_template", "get_or_select_template"):
            value = ev.evaluate(argument(node, 0, "name"), scope, line, depth)
            if isinstance(value, list) and value:
                value = value[0]
            if receiver.loader is None or not isinstance(value, str):
                return UNKNOWN
            if getattr(value, "holes", 0):
                return UNKNOWN
            return JinjaTemplate(name=str(value), loader=receiver.loader)
        if method == "from_string":
            source = _jinja_text(ev, argument(node, 0, "source"), scope, line, depth)
            if source is None:
                return UNKNOWN
            return JinjaTemplate(source=source, loader=receiver.loader or JinjaLoader())
        return UNKNOWN
    if method != "render" or ev.project is None:
        return UNKNOWN
    values: dict[str, Any] = {}
    for arg in node.args:
        inner = ev.evaluate(arg, scope, line, depth)
        if isinstance(inner, dict):
            values.update(inner)
    values = ev.keywords_into(values, node, scope, line, depth)
    if not isinstance(values, dict):
        values = {}  # an opaque **kwargs: every variable is a placeholder
    loader = receiver.loader or JinjaLoader()
    return render_linked(
        ev.project.templates,
        source=receiver.source,
        name=receiver.name,
        dirs=loader.dirs,
        mapping=loader.mapping,
        values=values,
        caller=ev.module.path,
    )


def _jinja_symbol(module: ModuleInfo, name: str) -> str | None:
    """The jinja2 class a dotted call name refers to through the module's imports."""
    if not name:
        return None
    head, _, rest = name.partition(".")
    target = module.imports.get(head)
    if target is None:
        return None
    module_name, attr, _level = target
    full = ".".join(part for part in (module_name, attr, rest) if part)
    if full.split(".")[0] != "jinja2":
        return None
    symbol = full.rsplit(".", 1)[-1]
    return symbol if symbol in _JINJA_SYMBOLS else None


def _unwrap_str(node: ast.AST | None) -> ast.AST | None:
    """``str(path)`` / ``os.fspath(path)`` -> ``path`` (a loader takes either)."""
    if (
        isinstance(node, ast.Call)
        and call_name(node.func) in ("str", "os.fspath", "fspath")
        and len(node.args) == 1
    ):
        return node.args[0]
    return node


def _plain_path(value: Any) -> PurePath | None:
    if isinstance(value, PathValue):
        return value.path
    if isinstance(value, str) and not getattr(value, "holes", 0):
        return PurePath(str(value))
    return None


def _combined_loader(value: Any) -> Any:
    """A ``ChoiceLoader([...])`` of known loaders, or a ``DictLoader({...})`` of known texts."""
    if isinstance(value, dict):
        if not all(isinstance(v, str) and not getattr(v, "holes", 0) for v in value.values()):
            return UNKNOWN
        return JinjaLoader(mapping={str(k): str(v) for k, v in value.items()})
    if not isinstance(value, list) or not all(isinstance(v, JinjaLoader) for v in value):
        return UNKNOWN
    dirs = tuple(dict.fromkeys(d for loader in value for d in loader.dirs))
    mapping: dict[str, str] = {}
    for loader in reversed(value):
        mapping.update(loader.mapping or {})
    return JinjaLoader(dirs, mapping or None)
