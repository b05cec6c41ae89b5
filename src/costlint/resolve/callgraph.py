"""The caller graph for reachability (batch eligibility, cache breakers): who calls a function,
in which loops and executors. The files to look in come from the project's one caller index
(``callers.py``), which value flow asks too.

``CallerGraph`` is a project-wide index, built lazily once per run (per process) the first
time a question needs it, and bounded: callers are looked for in the function's own module,
in the project files whose imports name that module, and (for methods) in the project
modules it imports (a base class calling a method a subclass overrides). At most
``MAX_FAN_IN`` places are kept per function, and ``walk`` goes up at most ``MAX_DEPTH``
levels. Calls are found by name (``fn(...)``, ``obj.fn(...)``, ``fn`` handed to another call such
as ``executor.submit(fn, x)`` or placed in a collection that a loop builds), and a call in
another module is kept only when that module's imports reach the function
(``callers.reaches``: a same-named function of another sub-project is not it). Notebooks
are not searched here (value flow reads them).

Each ``CallerSite`` carries where the call sits: its enclosing function, the loops and
comprehensions around it, and the call it is handed to (an executor, ``map``, ``gather``).
Files whose callers were used are recorded as dependencies of the current analysis (through
``Project.module_at``), so editing a caller invalidates a cached result. A file added later
that calls the function is not seen until the calling file's own cache entry changes.

Other analyses that need "who calls this" (value flow from caller arguments) can reuse it:
``caller_graph(project).callers_of(module, function_node)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from weakref import WeakKeyDictionary

from .callers import caller_index, reaches
from .project import ModuleInfo, Project
from .scope import Visit

MAX_FAN_IN = 32  # places kept per function
# Answers kept (the most recently asked): each holds the parsed modules its callers are in,
# so a memo kept for the whole run holds ever more of a large tree's modules (a worker
# extracting 10,000 files grew by ~40 MB). Files come in folder order: neighbours ask alike.
MEMO_SIZE = 256
MAX_DEPTH = 4  # levels ``walk`` goes up
MIN_DEPTH = 2  # documented floor: a loop two callers away is always seen
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(frozen=True)
class CallerSite:
    """One place a function is called, or handed on to be called (``executor.submit(fn, x)``)."""

    module: ModuleInfo = field(compare=False)
    node: ast.AST = field(compare=False)  # the call, or the reference handed on
    line: int
    function: ast.AST | None = field(compare=False)  # the enclosing function; None: top level
    loops: tuple[ast.AST, ...] = field(compare=False)  # loops and comprehensions, outermost first
    handed_to: ast.Call | None = field(compare=False, default=None)  # executor.map, gather, ...

    @property
    def path(self) -> Path:
        return self.module.path


class CallerChain(NamedTuple):
    """A path from a function up through its callers: ``sites[0]`` calls the function."""

    sites: tuple[CallerSite, ...]


_GRAPHS: WeakKeyDictionary[Project, CallerGraph] = WeakKeyDictionary()


def caller_graph(project: Project) -> CallerGraph:
    """The run's caller graph for ``project`` (built lazily, once per project object)."""
    graph = _GRAPHS.get(project)
    if graph is None:
        graph = _GRAPHS[project] = CallerGraph(project)
    return graph


class CallerGraph:
    """Who calls a project function (see the module docstring for the bounds)."""

    def __init__(self, project: Project):
        self.project = project
        self._memo: dict[tuple[Path, int, str], tuple[tuple[Path, ...], list[CallerSite]]] = {}
        self._imported: dict[Path, list[Path]] = {}  # a module's imports found in the project

    def importers(self, module_name: str) -> list[Path]:
        """Project Python files whose import statements name ``module_name``."""
        return caller_index(self.project).importers(module_name)

    # -- callers -----------------------------------------------------------------------------
    def callers_of(self, module: ModuleInfo, function: ast.AST) -> list[CallerSite]:
        """The places (at most MAX_FAN_IN) that call ``function`` or hand it on."""
        name = getattr(function, "name", "")
        if not name or not isinstance(function, FUNCTION_NODES):
            return []
        key = (module.path, function.lineno, name)
        if key in self._memo:
            searched, found = self._memo[key] = self._memo.pop(key)  # now the most recent
            self.project.depend_on(searched)  # the cached answer rests on every file searched
            return found
        scope = module.scopes.get(function)
        parent = scope.parent if scope is not None else None
        is_method = parent is not None and parent.kind == "class"
        registries = self._registries(module, function)
        found: list[CallerSite] = []
        searched: list[Path] = []
        for other in self._modules_to_search(module, is_method, {name, *registries}):
            searched.append(self.project.resolved(other.path))
            sites = list(_calls_in(other, name, function, is_method))
            if other is not module:  # found by name: keep the calls whose imports reach it
                sites = [s for s in sites if _reaches(s, module, name, is_method)]
            for registry in registries:
                sites.extend(_registry_calls(other, registry))
            found.extend(sites[: MAX_FAN_IN - len(found)])
            if len(found) >= MAX_FAN_IN:
                break
        self._memo[key] = (tuple(searched), found)
        if len(self._memo) > MEMO_SIZE:
            del self._memo[next(iter(self._memo))]  # the least recently asked
        return found

    def _registries(self, module: ModuleInfo, function: ast.AST) -> list[str]:
        """Dicts a decorator of ``function`` stores it in (``@register_api("x")`` doing
        ``registry[name] = func``): looking a function up there is a call of it."""
        found: list[str] = []
        for decorator in getattr(function, "decorator_list", []):
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if not isinstance(target, ast.Name):
                continue
            definition = module.module_scope.functions.get(target.id)
            if definition is None:
                imported = module.imports.get(target.id)
                if imported is not None and imported[1] is not None:
                    path = self.project.find_module(imported[0], imported[2], module.path)
                    other = self.project.module_at(path) if path else None
                    if other is not None:
                        definition = other.module_scope.functions.get(imported[1])
            if definition is not None:
                found.extend(_stored_in(definition))
        return found

    def _modules_to_search(
        self, module: ModuleInfo, is_method: bool, names: set[str]
    ) -> Iterator[ModuleInfo]:
        own = self.project.resolved(module.path)
        if self._mentions(own, names):
            yield module
        seen = {own}
        if module.path.suffix != ".py":
            return  # a notebook: its own cells only
        stem = module.path.parent.name if module.path.name == "__init__.py" else module.path.stem
        walked = self.importers(stem)  # from the index's walk: real folders, under the root
        paths = list(walked)
        if is_method:
            paths.extend(self._imported_paths(module))
        for path in paths:
            # Through the run's memo of resolved folders: a walked path (the walk enters no
            # linked folder) costs one lstat, and none when it was asked about lately.
            resolved = self.project.resolved(path)
            if resolved in seen or resolved.suffix != ".py":  # notebooks: value flow only
                continue
            seen.add(resolved)
            if not self._mentions(resolved, names):
                self.project.depend_on((resolved,))  # an edit there could add a call
                continue
            other = self.project.module_at(resolved)
            if other is not None:
                yield other

    def _mentions(self, path: Path, names: set[str]) -> bool:
        """Whether the file's text calls, hands on or subscripts any of ``names`` (its text is
        read once; parsing it costs far more)."""
        return caller_index(self.project).mentions(path, names)

    def _imported_paths(self, module: ModuleInfo) -> list[Path]:
        key = self.project.resolved(module.path)
        paths = self._imported.get(key)
        if paths is None:
            paths = []
            for target, _name, level in sorted(set(module.imports.values()), key=str):
                found = self.project.find_module(target, level, module.path)
                if found is not None:
                    paths.append(found)
            self._imported[key] = paths
        return paths

    def walk(
        self, module: ModuleInfo, function: ast.AST, depth: int = MAX_DEPTH
    ) -> list[CallerChain]:
        """Every chain of callers up from ``function``, at most ``depth`` levels, no cycles."""
        depth = max(MIN_DEPTH, min(depth, MAX_DEPTH))
        chains: list[CallerChain] = []
        stack: list[tuple[tuple[CallerSite, ...], ModuleInfo, ast.AST, frozenset[int]]] = [
            ((), module, function, frozenset({id(function)}))
        ]
        while stack and len(chains) < MAX_FAN_IN * 4:
            path, mod, fn, seen = stack.pop()
            callers = self.callers_of(mod, fn) if len(path) < depth else []
            extended = False
            for site in callers:
                chain = (*path, site)
                if site.function is None or id(site.function) in seen or len(chain) >= depth:
                    chains.append(CallerChain(chain))
                    continue
                stack.append((chain, site.module, site.function, seen | {id(site.function)}))
                extended = True
            if path and not extended and not callers:
                chains.append(CallerChain(path))
        return chains


def _calls_in(
    module: ModuleInfo,
    name: str,
    function: ast.AST | None,
    is_method: bool,
    within: ast.AST | None = None,
    aliases: int = 1,
) -> Iterator[CallerSite]:
    """Calls of ``name`` in ``module`` and references to it handed to other calls; with
    ``within``, only inside that function. A name bound to the function (``judge =
    partial(grade, strict=True)``, ``fn = grade``) is followed once, in the same function."""
    seen: set[int] = set()
    index = _index_of(module)
    direct_calls = {id(call) for call, _where in index.direct.get(name, ())}
    for call, where in index.direct.get(name, ()):
        if within is not None and where.function is not within:
            continue
        func = call.func
        if is_method and not isinstance(func, ast.Attribute):
            continue
        if where.function is not function and id(call) not in seen:
            seen.add(id(call))
            yield CallerSite(module, call, call.lineno, where.function, where.loops)
    for call, where in index.in_args.get(name, ()):
        if (within is not None and where.function is not within) or id(call) in direct_calls:
            continue
        for argument in [*call.args, *(k.value for k in call.keywords)]:
            for ref, loops in _references(argument, name, ()):
                if id(ref) in seen:
                    continue
                seen.add(id(ref))
                alias = _alias_of(module, call) if aliases and _is_partial(call) else None
                if alias is not None:
                    yield from _calls_in(module, alias, None, False, where.function, aliases - 1)
                    continue
                yield CallerSite(
                    module, ref, ref.lineno, where.function, (*where.loops, *loops), call
                )
    for node, where in index.in_assigns.get(name, ()):
        if within is not None and where.function is not within:
            continue
        value = node.value
        if (
            aliases
            and isinstance(node, ast.Assign)
            and isinstance(value, (ast.Name, ast.Attribute))
            and next(_references(value, name, ()), None) is not None
        ):
            alias = _alias_of(module, value)
            if alias is not None and alias != name:
                yield from _calls_in(module, alias, None, False, where.function, aliases - 1)
            continue
        for ref, loops in _references(value, name, ()):
            if id(ref) in seen or not loops:
                continue
            seen.add(id(ref))
            yield CallerSite(module, ref, ref.lineno, where.function, (*where.loops, *loops))


@dataclass
class _ModuleIndex:
    """A module's calls and assignments by the names they use, built once per module."""

    direct: dict[str, list[tuple[ast.Call, Visit]]] = field(default_factory=dict)
    in_args: dict[str, list[tuple[ast.Call, Visit]]] = field(default_factory=dict)
    in_assigns: dict[str, list[tuple[ast.AST, Visit]]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)


_INDEXES: WeakKeyDictionary[ModuleInfo, _ModuleIndex] = WeakKeyDictionary()


def _index_of(module: ModuleInfo) -> _ModuleIndex:
    index = _INDEXES.get(module)
    if index is not None:
        return index
    index = _ModuleIndex()
    for call, where in module.calls:
        func = call.func
        key = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if isinstance(func, ast.Subscript):
            key = _subscripted_name(func)
        if key:
            index.direct.setdefault(key, []).append((call, where))
        used: set[str] = set()
        for argument in [*call.args, *(k.value for k in call.keywords)]:
            used.update(_loaded_names(argument))
        for name in used:
            index.in_args.setdefault(name, []).append((call, where))
    for node, where in module.assigns:
        for name in _loaded_names(node.value):
            index.in_assigns.setdefault(name, []).append((node, where))
    _INDEXES[module] = index
    return index


def _reaches(site: CallerSite, home: ModuleInfo, name: str, is_method: bool) -> bool:
    """Whether a call found by name in another module is a call of ``name`` in ``home``
    (``callers.reaches``); a call of a name bound to it there (``partial``) is kept."""
    node = site.node
    func = node.func if isinstance(node, ast.Call) and site.handed_to is None else node
    called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if called != name:
        return True
    return reaches(site.module, func, home, name, is_method)


def _subscripted_name(node: ast.Subscript) -> str | None:
    value = node.value
    if isinstance(value, ast.Name):
        return value.id
    return getattr(value, "attr", None)


def _loaded_names(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)
    return names


def _stored_in(definition: ast.AST) -> list[str]:
    """Module-level names a decorator stores the decorated function in (``reg[key] = func``)."""
    names: list[str] = []
    for node in ast.walk(definition):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    names.append(target.value.id)
    return names


def _registry_calls(module: ModuleInfo, registry: str) -> Iterator[CallerSite]:
    """``registry[key](...)``, or ``fn = registry[key]`` and then ``fn(...)``."""
    index = _index_of(module)
    for call, where in index.direct.get(registry, ()):
        func = call.func
        if isinstance(func, ast.Subscript) and _is_name(func.value, registry):
            yield CallerSite(module, call, call.lineno, where.function, where.loops)
    for node, where in index.in_assigns.get(registry, ()):
        value = node.value
        if isinstance(value, ast.Subscript) and _is_name(value.value, registry):
            alias = _alias_of(module, value)
            if alias is not None:
                yield from _calls_in(module, alias, None, False, where.function, 0)


def _is_name(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def _is_partial(call: ast.Call) -> bool:
    func = call.func
    leaf = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return leaf == "partial"


def _alias_of(module: ModuleInfo, value: ast.AST) -> str | None:
    """The plain name an assignment binds ``value`` to (``judge = partial(grade)``)."""
    for node, _where in module.assigns:
        if isinstance(node, ast.Assign) and node.value is value and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                return target.id
    return None


def _references(
    node: ast.AST, name: str, loops: tuple[ast.AST, ...]
) -> Iterator[tuple[ast.AST, tuple[ast.AST, ...]]]:
    """Loads of ``name`` (a Name or ``x.name``) in an expression, with comprehensions around."""
    if isinstance(node, ast.Name) and node.id == name:
        yield node, loops
        return
    if isinstance(node, ast.Attribute) and node.attr == name:
        yield node, loops
        return
    if isinstance(node, (ast.Lambda, *FUNCTION_NODES)):
        return
    if isinstance(node, ast.Call):
        return  # its arguments are visited as that call's own
    inner = (*loops, node) if isinstance(node, COMPREHENSIONS) else loops
    for child in ast.iter_child_nodes(node):
        yield from _references(child, name, inner)
