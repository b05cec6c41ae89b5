"""Which Claude call sends a template file: from where code names it to ``messages.create``.

A template file is linked when a Python function names it in a string (``get_template
("support.j2")``, ``Path("prompts/support.j2").read_text()``, a project helper called with the
name) and the value built from that string reaches a call that sends it: ``system=`` or
``messages=`` of ``messages.create``/``messages.stream`` in the same function, or an argument
of a project function or method whose parameter reaches such a call (a wrapper, in this or
another module), up to ``MAX_DEPTH`` wrappers deep. The flow followed is local assignment
(``t = env.get_template(...)``, ``prompt = t.render(...)``), nothing more: attributes set in
another method, containers and return values are not followed. Nothing is run; only files the
caller index says mention the template's file name are parsed. The sending call's site is
the one the Python front-end gave when the run extracted the sending module (the same text
under the same path), else the module is extracted again here.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from ..resolve.callers import caller_index
from ..resolve.dependencies import Dependencies
from ..resolve.project import ModuleInfo, Project
from ..resolve.syntax import all_nodes, call_name, child_nodes
from ..site import PromptSite

MAX_DEPTH = 3  # wrappers followed between the render and the call
MAX_FILES = 40  # Python files that mention the template's name, parsed at most
MAX_METHOD_FILES = 40  # files searched for a method called on an unknown receiver
SEND_METHODS = ("messages.create", "messages.stream")
REQUEST_KEYWORDS = ("system", "messages")

_Function = ast.FunctionDef | ast.AsyncFunctionDef


class TemplateLink(NamedTuple):
    """The call that sends a template: its site, and how the rendered text reaches it."""

    site: PromptSite  # the sending call (model, max_tokens, cache state)
    wrapped: bool  # through a wrapper's parameter: the call itself cannot see the text
    rendered_at: str  # where code names the template (``app/bot.py:12``)


class _Send(NamedTuple):
    module: ModuleInfo
    line: int
    wrapped: bool


def find_link(project: Project | None, template: Path) -> TemplateLink | None:
    """The first call found that sends ``template``, or None (then nothing is inherited)."""
    if project is None:
        return None
    index = caller_index(project)
    for path in index.files_calling(template.name)[:MAX_FILES]:
        module = project.module_at(path)
        if module is None:
            continue
        for function, seeds in _naming_functions(module, template):
            send = _follow(project, module, function, seeds, set(), 0, set())
            if send is None:
                continue
            site = _site_of(project, send)
            if site is not None:
                line = min(seed.lineno for seed in seeds)
                return TemplateLink(site, send.wrapped, f"{_rel(project, path)}:{line}")
    return None


def _naming_functions(
    module: ModuleInfo, template: Path
) -> list[tuple[_Function, list[ast.Constant]]]:
    """Functions holding a string that names ``template`` (innermost function per string)."""
    found: dict[int, tuple[_Function, list[ast.Constant]]] = {}
    for function in _functions(module.tree):
        for node in _own_walk(function):
            if isinstance(node, ast.Constant) and _names(node.value, template):
                found.setdefault(id(function), (function, []))[1].append(node)
    return list(found.values())


def _names(value: Any, template: Path) -> bool:
    if not isinstance(value, str) or not value or "\n" in value or len(value) > 300:
        return False
    parts = PurePosixPath(value.replace("\\", "/")).parts
    return bool(parts) and tuple(template.parts[-len(parts) :]) == parts


def _functions(tree: ast.AST) -> list[_Function]:
    """The functions in ``tree`` in ``ast.walk``'s order (breadth first), as lists."""
    queue: list[ast.AST] = [tree]
    at = 0
    while at < len(queue):
        queue.extend(child_nodes(queue[at]))
        at += 1
    return [node for node in queue if isinstance(node, _Function)]


def _own_walk(function: _Function) -> list[ast.AST]:
    """The function's nodes, without those of functions nested in it (nor the names'
    ``Load``/``Store`` markers)."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = child_nodes(function)
    while stack:
        node = stack.pop()
        if isinstance(node, _Function | ast.Lambda | ast.ClassDef):
            continue
        out.append(node)
        stack.extend(child_nodes(node))
    return out


def _follow(
    project: Project,
    module: ModuleInfo,
    function: _Function,
    seeds: list[ast.Constant],
    names: set[str],
    depth: int,
    seen: set[int],
) -> _Send | None:
    """The send the seeds (or the tainted ``names``) reach inside ``function``, or through the
    project functions it hands them to."""
    if id(function) in seen or depth > MAX_DEPTH:
        return None
    seen.add(id(function))
    nodes = _own_walk(function)
    tainted = _tainted(nodes, {id(seed) for seed in seeds}, set(names))
    seed_ids = {id(seed) for seed in seeds}
    calls = sorted(
        (n for n in nodes if isinstance(n, ast.Call)), key=lambda c: (c.lineno, c.col_offset)
    )
    for call in calls:
        if _is_send(call):
            for keyword in call.keywords:
                if keyword.arg in REQUEST_KEYWORDS and _mentions(keyword.value, seed_ids, tainted):
                    return _Send(module, call.lineno, depth > 0)
    for call in calls:
        if _is_send(call):
            continue
        for callee_module, callee in _callees(project, module, function, call):
            parameter = _parameter_passed(call, callee, seed_ids, tainted)
            if parameter is None:
                continue
            found = _follow(project, callee_module, callee, [], {parameter}, depth + 1, seen)
            if found is not None:
                return found
    return None


def _tainted(nodes: list[ast.AST], seed_ids: set[int], names: set[str]) -> set[str]:
    """Names assigned (directly or through earlier such names) from the seeds."""
    for _ in range(6):
        before = len(names)
        for node in nodes:
            value: ast.AST | None = None
            targets: list[ast.AST] = []
            if isinstance(node, ast.Assign):
                value, targets = node.value, list(node.targets)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
                value, targets = node.value, [node.target]
            elif isinstance(node, ast.NamedExpr):
                value, targets = node.value, [node.target]
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                value, targets = node.context_expr, [node.optional_vars]
            if value is not None and _mentions(value, seed_ids, names):
                for target in targets:
                    names.update(_target_names(target))
        if len(names) == before:
            break
    return names


def _target_names(target: ast.AST) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Attribute):
        dotted = call_name(target)
        return {dotted} if dotted else set()
    if isinstance(target, ast.Tuple | ast.List):
        return {name for item in target.elts for name in _target_names(item)}
    return set()


def _mentions(expr: ast.AST, seed_ids: set[int], names: set[str]) -> bool:
    for node in all_nodes(expr):
        if id(node) in seed_ids:
            return True
        if isinstance(node, ast.Name) and node.id in names:
            return True
        if isinstance(node, ast.Attribute) and names and call_name(node) in names:
            return True
    return False


def _is_send(call: ast.Call) -> bool:
    name = call_name(call.func)
    return any(name == method or name.endswith("." + method) for method in SEND_METHODS)


def _callees(
    project: Project, module: ModuleInfo, caller: _Function, call: ast.Call
) -> list[tuple[ModuleInfo, _Function]]:
    """Project functions the call may reach: by name, through an import, or as a method."""
    found: list[tuple[ModuleInfo, _Function]] = []
    func = call.func
    if isinstance(func, ast.Name):
        found.extend(_named_function(project, module, func.id))
    elif isinstance(func, ast.Attribute):
        base = func.value
        if isinstance(base, ast.Name) and base.id in ("self", "cls"):
            found.extend(_method_in_class_of(module, caller, func.attr))
        elif isinstance(base, ast.Name) and base.id in module.imports:
            target = _imported_module(project, module, base.id)
            if target is not None:
                found.extend(_top_level(target, func.attr))
        if not found:
            found.extend(_unique_method(project, func.attr))
    return found


def _parameter_passed(
    call: ast.Call, callee: _Function, seed_ids: set[int], tainted: set[str]
) -> str | None:
    """The callee parameter the call hands the template's value to, or None."""
    args = callee.args
    positional = [*args.posonlyargs, *args.args]
    if positional and positional[0].arg in ("self", "cls") and _is_method_call(call):
        positional = positional[1:]
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        if index < len(positional) and _mentions(arg, seed_ids, tainted):
            return positional[index].arg
    by_name = {a.arg for a in [*positional, *args.kwonlyargs]}
    for keyword in call.keywords:
        if keyword.arg in by_name and _mentions(keyword.value, seed_ids, tainted):
            return keyword.arg
    return None


def _is_method_call(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute)


def _named_function(
    project: Project, module: ModuleInfo, name: str
) -> list[tuple[ModuleInfo, _Function]]:
    local = _top_level(module, name)
    if local:
        return local
    target = module.imports.get(name)
    if target is None:
        return []
    module_name, attr, level = target
    if attr is None:
        return []
    path = project.find_module(module_name, level, module.path)
    other = project.module_at(path) if path is not None else None
    return _top_level(other, attr) if other is not None else []


def _imported_module(project: Project, module: ModuleInfo, alias: str) -> ModuleInfo | None:
    module_name, attr, level = module.imports[alias]
    full = f"{module_name}.{attr}" if attr else module_name
    path = project.find_module(full, level, module.path)
    return project.module_at(path) if path is not None else None


def _top_level(module: ModuleInfo, name: str) -> list[tuple[ModuleInfo, _Function]]:
    return [
        (module, node)
        for node in module.tree.body
        if isinstance(node, _Function) and node.name == name
    ]


def _method_in_class_of(
    module: ModuleInfo, caller: _Function, name: str
) -> list[tuple[ModuleInfo, _Function]]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ClassDef) and caller in node.body:
            return [
                (module, item)
                for item in node.body
                if isinstance(item, _Function) and item.name == name
            ]
    return []


def _unique_method(project: Project, name: str) -> list[tuple[ModuleInfo, _Function]]:
    """``obj.name(...)`` on a receiver we cannot type: the project's one method so named."""
    if name.startswith("__") or name in ("render", "format", "join", "read", "read_text"):
        return []
    found: list[tuple[ModuleInfo, _Function]] = []
    for path in caller_index(project).files_calling(name)[:MAX_METHOD_FILES]:
        module = project.module_at(path)
        if module is None:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                found.extend(
                    (module, item)
                    for item in node.body
                    if isinstance(item, _Function) and item.name == name
                )
    return found if len(found) == 1 else []


class _Extracted(NamedTuple):
    """A Python module as the run's front-end extracted it, and what that extraction used."""

    rel: str
    digest: bytes  # of the text it was extracted from
    sites: tuple[PromptSite, ...]
    dependencies: Dependencies


_EXTRACTED: WeakKeyDictionary[Project, dict[Path, _Extracted]] = WeakKeyDictionary()


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def remember_extraction(
    project: Project,
    path: Path,
    rel: str,
    text: str,
    sites: list[PromptSite],
    dependencies: Dependencies,
) -> None:
    """Keep a Python module's sites as the run extracted them (with no problem noted), so a
    template it sends takes its site from there instead of extracting the module again."""
    if sites:
        entry = _Extracted(rel, _digest(text), tuple(sites), dependencies)
        _EXTRACTED.setdefault(project, {})[project.resolved(path)] = entry


def _extracted_sites(
    project: Project, path: Path, rel: str, source: str
) -> tuple[PromptSite, ...] | None:
    """The module's sites as the run extracted them from ``source`` under ``rel`` (and what
    that extraction used, recorded as used now), or None."""
    entry = _EXTRACTED.get(project, {}).get(project.resolved(path))
    if entry is None or entry.rel != rel or entry.digest != _digest(source):
        return None
    project.depend_on(entry.dependencies.files)
    for missing in entry.dependencies.looked_for:
        project.depend_on_missing(missing)
    if not entry.dependencies.hashable:
        project.depend_on_unhashable()
    return entry.sites


def _site_of(project: Project, send: _Send) -> PromptSite | None:
    """The sending call's site, as the Python front-end extracts it."""
    from .python import extract_python

    source = project.read_text(send.module.path)
    if source is None:
        return None
    rel = _rel(project, send.module.path)
    sites = _extracted_sites(project, send.module.path, rel, source)
    if sites is None:
        sites = tuple(extract_python(source, rel, send.module.path, project).sites)
    for site in sites:
        if site.span.line == send.line:
            return site
    return None


def _rel(project: Project, path: Path) -> str:
    try:
        return project.resolved(path).relative_to(project.root).as_posix()
    except ValueError:
        return path.name
