"""Values as candidate sets with provenance: every value an argument can take, and where.

Where the evaluator gives one value or ``UNKNOWN``, this follows the value back through the
code and collects each value it can take, with the file and line that writes it: module
constants and imports, parameter defaults and the arguments callers pass (same module or other
project modules, methods through ``self``), ``self.x`` set from constructor arguments (and
``x or Default()``), instances of dataclasses, config and settings classes, class-level
defaults, registries and allow-lists (a dict or list of ids indexed or iterated) narrowed by
the guards around the use (``if model in ALLOWED``, ``model.startswith("claude")``),
``typing.Literal`` annotations, argparse and click ``default=`` / ``choices=``,
``os.getenv(name, default)``, ``typing.cast`` and the return values of small helpers.

Nothing is imported or run. The walk is bounded (function hops, callers per function,
candidates per value, steps per query); where a bound is hit the set is cut and a note says so.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from ..site import UNKNOWN, Candidate, Candidates, Origin, Str
from .callers import called_as, caller_index, is_test_path, reaches, real_path
from .cells import run_lines
from .configfiles import ANY_ENTRY, LOADERS, config_values
from .evaluator import Resolver
from .import_lines import can_bind_from, folder_parts, module_parts, package_reader
from .project import ModuleInfo, Project
from .records import (
    MAX_RECORDS,
    FieldGuard,
    field_guard,
    keyed_by_field,
    option_lookups,
    selected,
)
from .registries import key_constraint, registrations, registry_calls
from .scope import Scope
from .syntax import call_name, own_nodes
from .values import ClassRef, ModuleRef

MAX_HOPS = 4  # function boundaries crossed (into callers, helpers, constructors)
MAX_CALLERS = 32  # calls of one function followed
MAX_NAMED_CALLS = 256  # calls by its name looked at to find them (most may call another)
MAX_CANDIDATES = 16  # values kept per argument
MAX_STEPS = 4_000  # expressions visited per query
MAX_PROMPT_READS = 64  # caller calls whose prompt one site reads (all hops together)
MAX_MODULES_HELD = 256  # modules one analysis keeps parsed while it follows callers
BIND_ANSWERS_KEPT = 8_192  # answers of ``_may_bind`` a run keeps (files x names asked)


class ScopedCall(NamedTuple):
    """One call of a function by name (value flow's view): the call, and where it sits."""

    module: ModuleInfo
    call: ast.Call
    scope: Scope


# per run (its Project): (file, name, home parts) -> whether the file can bind it (_may_bind)
_BIND_ANSWERS: WeakKeyDictionary[Project, dict[tuple[Path, str, tuple[str, ...]], bool]] = (
    WeakKeyDictionary()
)
_ENV_GETTERS = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get"})
_CAST = frozenset({"cast", "typing.cast", "t.cast"})
_LITERAL = frozenset({"Literal", "typing.Literal", "typing_extensions.Literal", "t.Literal"})
_UNION = frozenset({"Union", "Optional", "typing.Union", "typing.Optional"})
_PARSE_ARGS = frozenset({"parse_args", "parse_known_args", "parse_intermixed_args"})


@dataclass(frozen=True)
class Found:
    """One candidate while it is being collected."""

    value: Any
    origin: Origin | None
    default: bool = False
    overridable: bool = False


class Frame(NamedTuple):
    """A function entered through one particular call: its parameters are that call's
    arguments."""

    call: ast.Call
    module: ModuleInfo
    scope: Scope
    skip_first: bool  # a method or constructor called on an object: ``self`` is not passed


@dataclass
class _Context:
    hops: int = 0
    frames: dict[int, Frame] = field(default_factory=dict)
    # (id of the scope a name is read in, name) -> guard tests that hold there
    guards: dict[tuple[int, str], list[tuple[str, Any]]] = field(default_factory=dict)
    # entries of a config mapping read for every entry hold these pairs (a registry key)
    where: tuple[tuple[str, str], ...] = ()
    # tests on a record's field around the dispatches followed (``rec.style in [...]``)
    fields: tuple[FieldGuard, ...] = ()


@dataclass
class _Instance:
    """An object of a project class: made by ``call`` (None when only its type is known)."""

    cls: Scope
    module: ModuleInfo
    call: ast.Call | None = None
    call_module: ModuleInfo | None = None
    call_scope: Scope | None = None


@dataclass(frozen=True)
class _ArgNamespace:
    """What ``parser.parse_args()`` returns: attributes come from ``add_argument`` calls."""

    module: ModuleInfo
    fields: tuple[FieldGuard, ...] = ()  # record-field guards on the way to this use


class ValueFlow:
    """Candidate sets for expressions of one module (see the module docstring)."""

    def __init__(self, module: ModuleInfo):
        self.module = module
        self.project = module.project
        self.notes: list[str] = []
        self._resolvers: dict[int, Resolver] = {id(module): Resolver(module)}
        self._parents: dict[int, dict[int, ast.AST]] = {}
        self._steps = 0
        self._reads = 0
        self._active: set[tuple[int, int]] = set()
        # modules this analysis read, held while it runs (the project keeps only a few)
        self._loaded: dict[Path, ModuleInfo] = {}
        self._line_maps: dict[str, list[tuple[int, int]]] = {}  # other notebooks read
        # (module of the parser, option) -> the records of the registry it is looked up in
        self._option_records: dict[tuple[Path, str], Any] = {}

    # -- public -----------------------------------------------------------------------------
    def candidates(self, node: ast.AST, scope: Scope, line: int) -> Candidates | None:
        """Every value ``node`` can take at ``line`` (None when none can be known)."""
        self._steps = 0
        context = _Context(guards=self._guards_at(node, self.module, scope))
        found = self._expr(node, self.module, scope, line, context)
        return self._finish(found)

    def key_candidates(self, node: ast.AST, key: str, scope: Scope, line: int) -> Candidates | None:
        """Every value the request dict ``node`` (splatted with ``**``) can hold at ``key``."""
        self._steps = 0
        context = _Context(guards=self._guards_at(node, self.module, scope))
        found = self._key(node, key, self.module, scope, line, context)
        return self._finish(found)

    def prompt_callers(
        self,
        scope: Scope,
        read: Callable[[Resolver], Any],
        known: Callable[[Any], bool],
        keyword_parts: tuple[str, ...] = (),
    ) -> Candidates | None:
        """The request parts a call inside the function ``scope`` sends, once per call of
        that function: ``read`` evaluates them (with the resolver value flow binds the
        function's parameters in) and ``known`` says whether a caller's value is usable.
        ``keyword_parts`` are the keywords under which a ``**kwargs`` parameter may carry them.
        Each candidate's origin is the call that brings the value (the outermost one when a
        caller passes its own parameters on); a caller whose value stays unknown is a
        candidate of value UNKNOWN. None when the function has no caller."""
        fn = scope.node
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or self.project is None:
            return None
        self._steps = 0
        self._reads = 0

        def here() -> Any:
            return read(self._resolver(self.module))

        if not self._may_bring(fn, scope, here, known, keyword_parts):
            return None

        found: list[Candidate] = []
        for origin, value in self._prompt_callers(fn, scope, self.module, here, known, 0, ()):
            if len(found) >= MAX_CALLERS:
                self._note(f"more than {MAX_CALLERS} callers bring a prompt: the first are kept")
                break
            found.append(Candidate(value, self._in_cells(origin)))
        return Candidates(found) if found else None

    def _may_bring(
        self,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        scope: Scope,
        read: Callable[[], Any],
        known: Callable[[Any], bool],
        keyword_parts: tuple[str, ...],
    ) -> bool:
        """Whether a caller can bring the prompt at all: with every parameter bound to a
        stand-in text (a ``**kwargs`` to stand-ins at ``keyword_parts``), is it known? (A
        prompt built by code the evaluator cannot follow stays unknown whatever the callers
        pass: the callers are not searched.)"""
        args = fn.args
        names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        if args.vararg is not None:
            names.append(args.vararg.arg)
        probe: dict[str, Any] = {
            name: Str(f"<{name}>") for name in names if name not in ("self", "cls")
        }
        if args.kwarg is not None:
            kwarg = args.kwarg.arg
            probe[kwarg] = {part: Str(f"<{kwarg}.{part}>") for part in keyword_parts}
        if not probe:
            return False
        with self._resolver(self.module).bound(scope, probe):
            return known(read())

    def _prompt_callers(
        self,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        scope: Scope,
        module: ModuleInfo,
        read: Callable[[], Any],
        known: Callable[[Any], bool],
        hops: int,
        seen: tuple[int, ...],
    ) -> Iterator[tuple[Origin | None, Any]]:
        """(origin, value) for each call of ``fn``; ``read`` evaluates the request with
        ``fn``'s parameters bound. A caller that passes its own parameters on is followed to
        its callers, up to ``MAX_HOPS`` function boundaries."""
        defaults = self._resolver(module).parameter_defaults(fn, scope)
        for caller, skip_first in self._calls_of(fn, scope, module, importers_only=True):
            self._reads += 1
            if self._reads > MAX_PROMPT_READS:
                self._note(f"a prompt read for {MAX_PROMPT_READS} calls: the rest are left out")
                return

            def through(caller: ScopedCall = caller, skip_first: bool = skip_first) -> Any:
                passed = self._resolver(caller.module).call_arguments(
                    fn, caller.call, caller.scope, skip_first
                )
                with self._resolver(module).bound(scope, {**defaults, **passed}):
                    return read()

            value = through()
            origin = self._origin(caller.module, caller.call)
            if known(value):
                yield origin, value
                continue
            outer = caller.scope.node
            if (
                isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef))
                and id(outer) not in seen
                and caller.scope.kind == "function"
            ):
                if hops + 1 >= MAX_HOPS:
                    self._note(f"value flow stops {MAX_HOPS} calls deep")
                else:
                    deeper = list(
                        self._prompt_callers(
                            outer, caller.scope, caller.module, through, known, hops + 1,
                            (*seen, id(fn)),
                        )
                    )  # fmt: skip
                    if deeper:
                        yield from deeper
                        continue
            yield origin, UNKNOWN

    def _finish(self, found: list[Found] | None) -> Candidates | None:
        if not found:
            return None
        unique: dict[Any, Found] = {}
        for item in found:
            key = (type(item.value).__name__, str(item.value))
            previous = unique.get(key)
            if previous is None:
                unique[key] = item
            elif item.default and not previous.default:
                unique[key] = replace(previous, default=True)
        items = list(unique.values())
        if len(items) > MAX_CANDIDATES:
            self._note(f"more than {MAX_CANDIDATES} candidate values: the first are kept")
            items = items[:MAX_CANDIDATES]
        defaults = [item for item in items if item.default]
        return Candidates(
            Candidate(
                item.value,
                self._in_cells(item.origin),
                item.default and item is defaults[0],
                item.overridable,
            )
            for item in items
        )

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- plumbing ---------------------------------------------------------------------------
    def _resolver(self, module: ModuleInfo) -> Resolver:
        resolver = self._resolvers.get(id(module))
        if resolver is None:
            resolver = self._resolvers[id(module)] = Resolver(module)
        return resolver

    def _origin(self, module: ModuleInfo, node: ast.AST) -> Origin | None:
        origin = self._origin_at(Path(module.path), getattr(node, "lineno", 0) or 0)
        if module.line_map is not None and module is not self.module:
            self._line_maps[origin.path] = module.line_map  # another notebook: see _in_cells
        return origin

    def _in_cells(self, origin: Origin | None) -> Origin | None:
        """An origin in another notebook (a caller's cell) as (cell, line within the cell)."""
        if origin is None or origin.cell is not None:
            return origin
        line_map = self._line_maps.get(origin.path)
        if line_map is None or not 0 < origin.line <= len(line_map):
            return origin
        cell, line = line_map[origin.line - 1]
        return replace(origin, line=line, cell=cell)

    def _scalar(self, node: ast.AST, module: ModuleInfo, scope: Scope, line: int) -> list[Found]:
        """The evaluator's value of ``node`` when it is one plain value ([] for None)."""
        value = self._resolver(module).value(node, scope, line)
        if value is None:
            return []
        if isinstance(value, (bool, int, float)) or (
            isinstance(value, str) and not getattr(value, "holes", 0)
        ):
            return [Found(value, self._origin(module, node))]
        return _UNKNOWN_LIST

    def _budget(self) -> bool:
        self._steps += 1
        if self._steps > MAX_STEPS:
            self._note(f"value flow stopped after {MAX_STEPS} steps")
            return False
        return True

    # -- expressions ------------------------------------------------------------------------
    def _expr(
        self, node: ast.AST | None, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        """Candidates of ``node``: a list ([] when it is None), or None when unknown."""
        if node is None or not self._budget():
            return None
        key = (id(node), id(scope))
        if key in self._active:
            return None  # a cycle: this value is being computed further up
        self._active.add(key)
        try:
            found = self._dispatch(node, module, scope, line, ctx)
        except RecursionError:
            found = None
        finally:
            self._active.discard(key)
        if found is _UNKNOWN_LIST:
            return None
        return found

    def _dispatch(
        self, node: ast.AST, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        if isinstance(node, ast.Constant):
            return [] if node.value is None else [Found(node.value, self._origin(module, node))]
        if isinstance(node, ast.Name):
            found = self._name(node, module, scope, line, ctx)
            return self._narrow(found, ctx.guards.get((id(scope.node), node.id)), module, ctx)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, module, scope, line, ctx)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, module, scope, line, ctx)
        if isinstance(node, ast.IfExp):
            return _union(
                [
                    self._expr(node.body, module, scope, line, ctx),
                    self._expr(node.orelse, module, scope, line, ctx),
                ]
            )
        if isinstance(node, ast.BoolOp):
            return self._bool_op(node, module, scope, line, ctx)
        if isinstance(node, ast.NamedExpr):
            return self._expr(node.value, module, scope, line, ctx)
        if isinstance(node, ast.Call):
            return self._call(node, module, scope, line, ctx)
        return self._scalar(node, module, scope, line)

    def _bool_op(
        self, node: ast.BoolOp, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        if isinstance(node.op, ast.And):
            return self._expr(node.values[-1], module, scope, line, ctx)
        # ``x or Default``: every truthy value of x, then the fallbacks (the default when x
        # has none of its own, e.g. a parameter that defaults to None).
        parts: list[list[Found] | None] = []
        has_default = False
        for value in node.values:
            found = self._expr(value, module, scope, line, ctx)
            if found is not None:
                found = [item for item in found if item.value or item.value == 0]
                if not has_default and parts:
                    found = [replace(item, default=True) for item in found]
                has_default = has_default or any(item.default for item in found)
            parts.append(found)
        return _union(parts)

    # -- names ------------------------------------------------------------------------------
    def _name(
        self, node: ast.Name, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        generator = self._comprehension_of(node, scope)
        if generator is not None:
            return self._elements(generator.iter, module, scope, line, ctx)
        resolver = self._resolver(module)
        found = resolver.binding_of(node.id, scope, line)
        if found is None:
            starred = self._star_imported(node.id, module)
            if starred is None:
                return None
            binding, owner, other = starred
            return self._binding(node.id, binding, owner, other, ctx)
        binding, owner = found
        live = self._live_in_cells(node.id, owner, scope, module)
        if live:
            return _union([self._binding(node.id, b, owner, module, ctx) for b in live])
        return self._binding(node.id, binding, owner, module, ctx)

    def _live_in_cells(self, name: str, owner: Scope, scope: Scope, module: ModuleInfo) -> list:
        """A notebook global read inside a function: the bindings live, in execution order, at
        the top-level cells that run the function (not the notebook's last binding)."""
        if owner is not module.module_scope or scope is owner:
            return []
        live: list = []
        for line in run_lines(module, scope):
            binding = owner.lookup(name, line)
            if binding is not None and all(binding is not seen for seen in live):
                live.append(binding)
        return live

    def _comprehension_of(self, node: ast.Name, scope: Scope) -> ast.comprehension | None:
        """The ``for name in iterable`` clause of a comprehension around ``node`` that binds it."""
        parents = self._parent_map(scope.node)
        current = parents.get(id(node))
        steps = 0
        while current is not None and steps < 100 and current is not scope.node:
            steps += 1
            if isinstance(current, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                for generator in current.generators:
                    target = generator.target
                    if isinstance(target, ast.Name) and target.id == node.id:
                        return generator
            current = parents.get(id(current))
        return None

    def _star_imported(self, name: str, module: ModuleInfo) -> tuple[Any, Scope, ModuleInfo] | None:
        """``from package.module import *``: the name bound at the top of that project module."""
        for statement in module.tree.body:
            if not isinstance(statement, ast.ImportFrom):
                continue
            if not any(alias.name == "*" for alias in statement.names):
                continue
            other = self._module_named(statement.module or "", statement.level, module)
            if other is None or other is module:
                continue
            binding = other.module_scope.lookup(name, None)
            if binding is not None:
                return binding, other.module_scope, other
        return None

    def _binding(
        self, name: str, binding: Any, owner: Scope, module: ModuleInfo, ctx: _Context
    ) -> list[Found] | None:
        kind = binding.kind
        if kind == "param":
            return self._param(name, binding, owner, module, ctx)
        if kind == "import":
            return self._imported(name, module, ctx)
        if kind == "loop":
            return self._loop_variable(name, binding, owner, module, ctx)
        if kind in ("assign", "with") and binding.value is not None:
            if isinstance(binding.value, ast.AnnAssign):
                return None
            found = self._expr(binding.value, module, owner, binding.line, ctx)
            return _named(found, name, binding.value, self._origin(module, binding.value))
        if kind == "assign" and binding.value is None:
            return self._unpacked(name, binding, owner, module, ctx)
        return None

    def _imported(self, name: str, module: ModuleInfo, ctx: _Context) -> list[Found] | None:
        imported = self._import_target(name, module)
        if imported is None:
            return None
        binding, other = imported
        original = module.imports[name][1] or name
        return self._binding(original, binding, other.module_scope, other, ctx)

    def _import_target(self, name: str, module: ModuleInfo) -> tuple[Any, ModuleInfo] | None:
        """``from pkg.mod import NAME``: NAME's binding at the top of that project module."""
        target = module.imports.get(name)
        if target is None or self.project is None or target[1] is None:
            return None
        other = self._module_named(target[0], target[2], module)
        if other is None:
            return None
        binding = other.module_scope.lookup(target[1], None)
        return (binding, other) if binding is not None else None

    def _module_named(self, name: str, level: int, module: ModuleInfo) -> ModuleInfo | None:
        if self.project is None:
            return None
        path = self.project.find_module(name, level, module.path)
        return self._module_at(path) if path is not None else None

    def _module_at(self, path: Path) -> ModuleInfo | None:
        if self.project is None:
            return None
        key = self.project.resolved(Path(path))
        if key == self.project.resolved(Path(self.module.path)):
            return self.module
        module = self._loaded.get(key)
        if module is not None:
            self.project.depend_on((key,))  # still a dependency of this analysis
            return module
        module = self.project.module_at(path)
        if module is not None and len(self._loaded) < MAX_MODULES_HELD:
            self._loaded[key] = module
        return module

    def _loop_variable(
        self, name: str, binding: Any, owner: Scope, module: ModuleInfo, ctx: _Context
    ) -> list[Found] | None:
        """``for model in MODELS:`` (or a comprehension): every element of the iterable."""
        for node in ast.walk(owner.node):
            if isinstance(node, (ast.For, ast.AsyncFor)) and node.lineno == binding.line:
                if isinstance(node.target, ast.Name) and node.target.id == name:
                    return self._elements(node.iter, module, owner, binding.line, ctx)
        return None

    def _unpacked(
        self, name: str, binding: Any, owner: Scope, module: ModuleInfo, ctx: _Context,
        self_attr: bool = False,
    ) -> list[Found] | None:  # fmt: skip
        """``a, b = x, y`` (or ``self.a, self.b = x, y``): the element at the same place."""
        for node in ast.walk(owner.node):
            if isinstance(node, ast.Assign) and node.lineno == binding.line:
                for target in node.targets:
                    value = _paired(target, node.value, name, self_attr)
                    if value is not None:
                        return self._expr(value, module, owner, binding.line, ctx)
        return None

    # -- parameters and callers --------------------------------------------------------------
    def _param(
        self, name: str, binding: Any, owner: Scope, module: ModuleInfo, ctx: _Context
    ) -> list[Found] | None:
        fn = owner.node
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return None
        frame = ctx.frames.get(id(fn))
        default_node = _param_default(fn, name)
        if frame is not None:
            argument = _argument_for(fn, name, frame.call, frame.skip_first)
            if argument is _SPLAT:
                return self._splatted(frame.call, name, frame.module, frame.scope, ctx)
            if argument is not None:
                inner = replace(ctx, guards=self._guards_at(frame.call, frame.module, frame.scope))
                return self._expr(argument, frame.module, frame.scope, frame.call.lineno, inner)
            found = self._expr(default_node, module, owner.parent or owner, fn.lineno, ctx)
            return found
        parts: list[list[Found] | None] = []
        if default_node is not None:
            found = self._expr(default_node, module, owner.parent or owner, fn.lineno, ctx)
            found = _named(found, name, default_node, self._origin(module, default_node))
            if found is not None:
                parts.append([replace(item, default=True) for item in found])
        if binding.value is not None:
            parts.append(self._literal_members(binding.value, module, owner, ctx))
        parts.append(self._click_option(fn, name, module, owner, ctx))
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(self._from_callers(fn, name, owner, module, ctx))
        return _union(parts, partial=True)

    def _from_callers(
        self, fn: ast.FunctionDef | ast.AsyncFunctionDef, name: str, owner: Scope,
        module: ModuleInfo, ctx: _Context,
    ) -> list[Found] | None:  # fmt: skip
        if ctx.hops >= MAX_HOPS or self.project is None:
            if ctx.hops >= MAX_HOPS:
                self._note(f"value flow stops {MAX_HOPS} calls deep")
            return None
        parts: list[list[Found] | None] = []
        callers = [(c, skip, ctx.where) for c, skip in self._calls_of(fn, owner, module)]
        callers.extend((c, False, where) for c, where in self._registry_callers(fn, module, ctx))
        for caller, skip_first, where in callers:
            argument = _argument_for(fn, name, caller.call, skip_first)
            if argument is None:
                continue  # the default applies (already counted)
            inner = _Context(
                hops=ctx.hops + 1,
                frames=dict(ctx.frames),
                guards=self._guards_at(caller.call, caller.module, caller.scope),
                where=where,
            )
            if argument is _SPLAT:
                parts.append(self._splatted(caller.call, name, caller.module, caller.scope, inner))
                continue
            parts.append(
                self._expr(argument, caller.module, caller.scope, caller.call.lineno, inner)
            )
        return _union(parts, partial=True)

    def _splatted(
        self, call: ast.Call, name: str, module: ModuleInfo, scope: Scope, ctx: _Context
    ) -> list[Found] | None:
        """The value a ``**mapping`` of ``call`` passes for parameter ``name`` (the last
        mapping that holds it), when the mapping is a dict value flow can read."""
        found: list[Found] | None = None
        for keyword in call.keywords:
            if keyword.arg is None:
                inner = self._key(keyword.value, name, module, scope, call.lineno, ctx)
                if inner is not None:
                    found = inner
        return found

    def _registry_callers(
        self, fn: ast.AST, module: ModuleInfo, ctx: _Context
    ) -> Iterator[tuple[ScopedCall, tuple[tuple[str, str], ...]]]:
        """Calls that reach ``fn`` through a dispatch registry it is filed in by a decorator,
        each with the entry constraint its key implies (``d["api_type"] == "anthropic"``)."""
        count = 0
        for registration in registrations(fn, module):
            for other in self._modules_naming(registration.registry, module):
                for found in registry_calls(other, registration.registry):
                    count += 1
                    if count > MAX_CALLERS:
                        self._note(f"more than {MAX_CALLERS} calls through a registry")
                        return
                    constraint = key_constraint(found.key, registration.key)
                    where = ctx.where + ((constraint,) if constraint else ())
                    yield ScopedCall(other, found.call, found.scope), where

    def _calls_of(
        self, fn: ast.FunctionDef | ast.AsyncFunctionDef, owner: Scope, module: ModuleInfo,
        importers_only: bool = False,
    ) -> Iterator[tuple[ScopedCall, bool]]:  # fmt: skip
        """The calls that can reach ``fn`` (at most ``MAX_CALLERS``), each with whether the
        call leaves out ``self``: by name; a constructor through its class's name; an object
        called through ``__call__`` where the called name holds an instance of the class."""
        cls = owner.class_scope if owner.parent is owner.class_scope else None
        callee = fn.name
        if cls is not None and fn.name in ("__init__", "__call__"):
            callee = cls.qualname.rsplit(".", 1)[-1]
        skip_first = cls is not None and not _is_static(fn)
        through_call = cls is not None and fn.name == "__call__"
        if through_call:
            callers: Iterator[ScopedCall] = self._instance_calls(cls, callee, module)
        else:
            plain = cls is None or fn.name == "__init__"  # reached only through an import
            callers = self._callers(
                callee, module, MAX_NAMED_CALLS, imported=plain, importers_only=importers_only
            )
        count = 0
        for caller in callers:
            if not (through_call or _may_call(caller, fn, owner, module, self)):
                continue
            count += 1
            if count > MAX_CALLERS:
                self._note(f"more than {MAX_CALLERS} calls of {callee}(): the first are followed")
                return
            yield caller, skip_first

    def _instance_calls(self, cls: Scope, name: str, home: ModuleInfo) -> Iterator[ScopedCall]:
        """Calls of a name (or ``self.x``) that holds an instance of ``cls``, in the modules
        that name the class: ``judge = Judge(m); judge(x)`` calls ``Judge.__call__``."""
        for number, module in enumerate(self._modules_naming(name, home)):
            if number >= MAX_CALLERS:
                self._note(f"more than {MAX_CALLERS} files name {name}: the first are searched")
                return
            for call, where in module.calls:
                func = call.func
                if not isinstance(func, (ast.Name, ast.Attribute)):
                    continue
                if isinstance(func, ast.Attribute) and not (
                    isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")
                ):
                    continue
                if isinstance(func, ast.Name):
                    found = self._resolver(module).binding_of(func.id, where.scope, call.lineno)
                    if found is None or found[0].kind not in ("assign", "with", "param"):
                        continue
                objects = self._objects(func, module, where.scope, call.lineno, _Context())
                if any(isinstance(o, _Instance) and _same_class(o.cls, cls) for o in objects):
                    yield ScopedCall(module, call, where.scope)

    def _click_option(
        self, fn: ast.AST, name: str, module: ModuleInfo, owner: Scope, ctx: _Context
    ) -> list[Found] | None:
        """``@click.option("--model", default=..., type=click.Choice([...]))`` on ``fn``."""
        for decorator in getattr(fn, "decorator_list", []):
            if not isinstance(decorator, ast.Call):
                continue
            if call_name(decorator.func).rsplit(".", 1)[-1] not in ("option", "argument"):
                continue
            flags = [
                arg.value for arg in decorator.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]  # fmt: skip
            if not any(_option_dest(flag) == name for flag in flags):
                continue
            return self._option_values(decorator, module, owner.parent or owner, ctx)
        return None

    def _option_values(
        self, call: ast.Call, module: ModuleInfo, scope: Scope, ctx: _Context
    ) -> list[Found] | None:
        parts: list[list[Found] | None] = []
        for keyword in call.keywords:
            if keyword.arg == "default":
                found = self._expr(keyword.value, module, scope, call.lineno, ctx)
                if found is not None:
                    found = [replace(i, default=True, overridable=True) for i in found]
                parts.append(found)
            elif keyword.arg == "choices":
                parts.append(self._elements(keyword.value, module, scope, call.lineno, ctx))
            elif keyword.arg == "type" and isinstance(keyword.value, ast.Call):
                if call_name(keyword.value.func).rsplit(".", 1)[-1] == "Choice":
                    first = keyword.value.args[0] if keyword.value.args else None
                    parts.append(self._elements(first, module, scope, call.lineno, ctx))
        return _union(parts, partial=True)

    def _callers(
        self, callee: str, home: ModuleInfo, limit: int, imported: bool = False,
        importers_only: bool = False,
    ) -> Iterator[ScopedCall]:  # fmt: skip
        """Calls of ``callee`` in this module, the function's own module, then the project
        (``imported``: only files whose imports can bind it, see ``_modules_naming``;
        ``importers_only``: only files whose imports name home's module, a package above it
        or the callee, found in the caller index without parsing)."""
        count = 0
        for module in self._modules_naming(callee, home, imported, importers_only):
            for call, where in module.calls:
                direct = called_as(call, callee)
                if direct is not None:
                    count += 1
                    if count > limit:
                        self._note(f"more than {limit} calls named {callee}(): the first are read")
                        return
                    yield ScopedCall(module, direct, where.scope)

    def _modules_naming(
        self, name: str, home: ModuleInfo, imported: bool = False, importers_only: bool = False
    ) -> Iterator[ModuleInfo]:
        """This module, ``home`` (a function's own module), then the project modules whose
        text mentions ``name`` (the project's caller index), each once. ``imported``: ``name``
        is a module-level function or class of ``home``, so another Python file is parsed
        only when its import lines can bind it (``import_lines.can_bind_from``).
        ``importers_only`` (a prompt's callers, methods included): of the Python files, only
        those whose imports name home's module, a package above it or ``name``."""
        project = self.project
        seen: set[Path] = set()
        for module in (self.module, home):
            key = real_path(Path(module.path), project)
            if key not in seen:
                seen.add(key)
                yield module
        if project is None or Path(home.path).suffix == ".ipynb":
            return  # nothing imports a notebook: its functions are called in it only
        index = caller_index(project)
        in_tests = is_test_path(Path(home.path), project.root, project.resolved)
        home_parts = module_parts(Path(home.path), project.root) if imported else ()
        allowed = self._importers_of(home, name) if importers_only else None
        for path in index.files_calling(name):
            real = project.resolved(path)
            if real in seen:
                continue
            if allowed is not None and path.suffix != ".ipynb" and path not in allowed:
                continue  # both paths as the caller index holds them
            if not in_tests and is_test_path(path, project.root, project.resolved):
                continue  # a test's arguments are fixtures, not the values the code runs with
            seen.add(real)
            if path.suffix == ".ipynb" and not index.may_import(path, Path(home.path)):
                continue  # a notebook is parsed only when its text names home's module
            if imported and path.suffix == ".py" and not self._may_bind(path, name, home_parts):
                continue
            module = self._module_at(path)
            if module is not None:
                yield module

    def _may_bind(self, path: Path, name: str, home_parts: tuple[str, ...]) -> bool:
        """Whether the file's import lines can bind ``name`` of the module at ``home_parts``
        (read once per run and question: the answer rests on the files' text alone, and on
        a large tree the files in one folder ask alike about the same files)."""
        assert self.project is not None
        answers = _BIND_ANSWERS.get(self.project)
        if answers is None:
            answers = _BIND_ANSWERS[self.project] = {}
        key = (path, name, home_parts)
        found = answers.get(key)
        if found is None:
            if len(answers) >= BIND_ANSWERS_KEPT:
                answers.clear()
            found = answers[key] = _may_bind(path, name, home_parts, self.project.root)
        return found

    def _importers_of(self, home: ModuleInfo, name: str) -> Container[Path]:
        """Project Python files whose import statements name ``home``'s module, a package
        above it, or ``name`` itself (re-exported by a package): the caller index's import
        table, so no file is parsed to find them."""
        assert self.project is not None
        index = caller_index(self.project)
        names = {*module_parts(Path(home.path), self.project.root), name}
        return index.importing_any(names)

    # -- attributes, objects ----------------------------------------------------------------
    def _attribute(
        self, node: ast.Attribute, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        base = node.value
        if isinstance(base, ast.Name) and base.id in ("self", "cls"):
            cls = scope.class_scope if scope.kind == "function" else scope
            if cls is None or cls.kind != "class":
                cls = self._annotated_self_class(scope, module)
            if cls is None:
                return None
            frame = _self_frame(cls, ctx)
            return self._class_attr(cls, module, node.attr, ctx, frame)
        value = self._resolver(module).value(base, scope, line)
        if isinstance(value, ModuleRef):
            binding = value.module.module_scope.lookup(node.attr, None)
            if binding is None:
                return None
            scope_of = value.module.module_scope
            return self._binding(node.attr, binding, scope_of, value.module, ctx)
        if isinstance(value, ClassRef):
            return self._class_attr(
                value.scope, self._module_of(value.scope, module), node.attr, ctx, None
            )
        stores = _attribute_stores(scope, base, node.attr, line)
        if stores:  # ``config.model = DEFAULT`` earlier in this function
            return self._stored(stores, node, module, scope, line, ctx)
        results: list[list[Found] | None] = []
        for obj in self._objects(base, module, scope, line, ctx):
            if isinstance(obj, _ArgNamespace):
                keyed = self._option_keys(obj, node.attr, ctx)
                if keyed is None:
                    keyed = self._argparse(obj.module, node.attr, ctx)
                results.append(keyed)
            else:
                frame = None
                if obj.call is not None and obj.call_module is not None and obj.call_scope:
                    frame = Frame(obj.call, obj.call_module, obj.call_scope, True)
                results.append(self._class_attr(obj.cls, obj.module, node.attr, ctx, frame))
        if results:
            return _union(results, partial=True)
        return self._scalar(node, module, scope, line)

    def _stored(
        self, stores: list[tuple[ast.Assign, bool]], node: ast.Attribute, module: ModuleInfo,
        scope: Scope, line: int, ctx: _Context,
    ) -> list[Found] | None:  # fmt: skip
        """``obj.attr`` after ``obj.attr = value`` in the same function: the last store when
        it always runs; else each conditional store (``if c.model is None: c.model = X``,
        the default) and the value the object had before."""
        label = f"{call_name(node.value)}.{node.attr}"
        parts: list[list[Found] | None] = []
        for store, always in reversed(stores):
            found = self._expr(store.value, module, scope, store.lineno, ctx)
            found = _named(found, label, store.value, self._origin(module, store.value))
            if always:
                return _union([found, *parts], partial=True)
            if found is not None:
                found = [replace(item, default=True) for item in found]
            parts.append(found)
        before = ast.Attribute(value=node.value, attr=node.attr, ctx=ast.Load())
        ast.copy_location(before, node)
        earlier = min(store.lineno for store, _ in stores)
        prior = self._attribute(before, module, scope, earlier, ctx)
        return _union([*parts, prior], partial=True)

    def _annotated_self_class(self, scope: Scope, module: ModuleInfo) -> Scope | None:
        """``def __call__(self: Client, ...)`` at module level (fastcore's ``@patch``)."""
        fn = scope.node
        args = getattr(fn, "args", None)
        if args is None or not args.args:
            return None
        annotation = args.args[0].annotation
        if annotation is None:
            return None
        value = self._resolver(module).value(annotation, scope.parent or scope, fn.lineno)
        return value.scope if isinstance(value, ClassRef) else None

    def _module_of(self, cls: Scope, fallback: ModuleInfo) -> ModuleInfo:
        """The module a class scope belongs to (its own module, or one loaded for it)."""
        if cls.node in fallback.scopes:
            return fallback
        if self.project is not None:
            for module in list(getattr(self.project, "_modules", {}).values()):
                if module is not None and cls.node in module.scopes:
                    return module
        return fallback

    def _class_attr(
        self, cls: Scope, module: ModuleInfo, attr: str, ctx: _Context, frame: Frame | None,
        depth: int = 0,
    ) -> list[Found] | None:  # fmt: skip
        """``obj.attr`` for an object of ``cls`` (made by ``frame.call`` when known)."""
        module = self._module_of(cls, module)
        init = cls.functions.get("__init__")
        inner = ctx
        if frame is not None and init is not None:
            if ctx.hops >= MAX_HOPS:
                self._note(f"value flow stops {MAX_HOPS} calls deep")
                frame = None
            else:
                frames = dict(ctx.frames)
                frames[id(init)] = frame
                inner = _Context(ctx.hops + 1, frames, ctx.guards)
        parts: list[list[Found] | None] = []
        for binding in cls.self_attrs.get(attr, []):
            method = _method_at(module, cls, binding.line)
            if binding.value is None:
                parts.append(self._unpacked(attr, binding, method, module, inner, True))
            elif binding.kind != "aug":
                found = self._expr(binding.value, module, method, binding.line, inner)
                where = self._origin(module, binding.value)
                parts.append(_named(found, f"self.{attr}", binding.value, where))
        class_binding = cls.bindings.get(attr)
        if class_binding:
            latest = class_binding[-1]
            if init is None and frame is not None:
                passed = _field_argument(cls, attr, frame.call)
                if passed is _SPLAT:
                    return None
                if passed is not None:
                    inner_guards = self._guards_at(frame.call, frame.module, frame.scope)
                    inner = _Context(ctx.hops + 1, dict(ctx.frames), inner_guards)
                    return self._expr(passed, frame.module, frame.scope, frame.call.lineno, inner)
            if latest.kind == "param" and latest.value is not None:
                parts.append(self._literal_members(latest.value, module, cls, ctx))
            elif latest.value is not None:
                value = _field_default(latest.value)
                found = self._expr(value, module, cls, latest.line, ctx)
                label = f"{cls.qualname.rsplit('.', 1)[-1]}.{attr}"
                found = _named(found, label, value, self._origin(module, value))
                if found is not None:
                    found = [replace(item, default=True) for item in found]
                parts.append(found)
            annotation = _class_annotation(cls, attr)
            if annotation is not None and latest.kind != "param":
                parts.append(self._literal_members(annotation, module, cls, ctx))
        found = _union(parts, partial=True)
        if found is None and depth < 3:
            for base in _class_bases(cls):
                value = self._resolver(module).value(base, cls.parent or cls, cls.node.lineno)
                if not isinstance(value, ClassRef) and isinstance(base, ast.Name):
                    starred = self._star_imported(base.id, module)  # ``from .core import *``
                    if starred is not None and starred[0].kind == "def":
                        scope_of = starred[2].scopes.get(starred[0].value)
                        value = ClassRef(scope_of) if scope_of is not None else value
                if isinstance(value, ClassRef):
                    # the base's ``__init__`` runs through ``super().__init__(...)`` here
                    up = _super_init_frame(cls, module, inner) if init is not None else None
                    inherited = self._class_attr(value.scope, module, attr, inner, up, depth + 1)
                    if inherited is not None:
                        return inherited
        return found

    def _objects(
        self, node: ast.AST, module: ModuleInfo, scope: Scope, line: int, ctx: _Context,
        depth: int = 0,
    ) -> list[_Instance | _ArgNamespace]:  # fmt: skip
        """The objects ``node`` can be: instances of project classes, argparse namespaces."""
        if depth > 6 or not self._budget():
            return []
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _PARSE_ARGS:
                return [_ArgNamespace(module, ctx.fields)]
            value = self._resolver(module).value(func, scope, line)
            if isinstance(value, ClassRef):
                cls_module = self._module_of(value.scope, module)
                return [_Instance(value.scope, cls_module, node, module, scope)]
            target = self._function(func, module, scope, line)
            if target is None or ctx.hops >= MAX_HOPS:
                return []
            fn, fn_module, _skip = target
            fn_scope = fn_module.scopes.get(fn)
            if fn_scope is None:
                return []
            inner = _Context(ctx.hops + 1, dict(ctx.frames), {}, fields=ctx.fields)
            return [  # what a helper returns: ``args = get_args()``, ``cfg = load_config()``
                obj
                for r in own_nodes(fn)
                if isinstance(r, ast.Return) and r.value is not None
                for obj in self._objects(r.value, fn_module, fn_scope, r.lineno, inner, depth + 1)
            ]
        if isinstance(node, ast.BoolOp):
            return [
                obj for part in node.values
                for obj in self._objects(part, module, scope, line, ctx, depth + 1)
            ]  # fmt: skip
        if isinstance(node, ast.IfExp):
            return [
                *self._objects(node.body, module, scope, line, ctx, depth + 1),
                *self._objects(node.orelse, module, scope, line, ctx, depth + 1),
            ]
        if isinstance(node, ast.Name):
            found = self._resolver(module).binding_of(node.id, scope, line)
            if found is None:
                return []
            binding, owner = found
            if binding.kind == "import":  # ``from app.config import settings``
                imported = self._import_target(node.id, module)
                if imported is None:
                    return []
                other = imported[1]
                original = ast.Name(id=module.imports[node.id][1] or node.id, ctx=ast.Load())
                # line 0: at module level the last binding is the one importers see
                return self._objects(original, other, other.module_scope, 0, ctx, depth + 1)
            if binding.kind in ("assign", "with") and binding.value is not None:
                return self._objects(binding.value, module, owner, binding.line, ctx, depth + 1)
            if binding.kind == "param":
                return self._param_objects(node.id, binding, owner, module, ctx, depth)
            return []
        if isinstance(node, ast.Attribute):
            home = self._resolver(module).value(node.value, scope, line)
            if isinstance(home, ModuleRef):  # ``config.settings`` with ``from app import config``
                binding = home.module.module_scope.lookup(node.attr, None)
                if binding is None or binding.kind not in ("assign", "with") or not binding.value:
                    return []
                return self._objects(
                    binding.value, home.module, home.module.module_scope, binding.line, ctx,
                    depth + 1,
                )  # fmt: skip
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in ("self", "cls"):
                cls = scope.class_scope if scope.kind == "function" else scope
                if cls is None:
                    return []
                objects: list[_Instance | _ArgNamespace] = []
                for binding in cls.self_attrs.get(node.attr, []):
                    if binding.value is None:
                        continue
                    method = _method_at(module, cls, binding.line)
                    objects.extend(
                        self._objects(binding.value, module, method, binding.line, ctx, depth + 1)
                    )
                class_binding = cls.lookup(node.attr, None)
                if not objects and class_binding is not None and class_binding.value is not None:
                    value = class_binding.value
                    if class_binding.kind == "param":
                        objects.extend(self._typed_objects(value, module, cls))
                    else:
                        objects.extend(
                            self._objects(value, module, cls, class_binding.line, ctx, depth + 1)
                        )
                return objects
        return []

    def _param_objects(
        self, name: str, binding: Any, owner: Scope, module: ModuleInfo, ctx: _Context, depth: int
    ) -> list[_Instance | _ArgNamespace]:
        fn = owner.node
        frame = ctx.frames.get(id(fn))
        if frame is not None:
            argument = _argument_for(fn, name, frame.call, frame.skip_first)
            if isinstance(argument, ast.AST):
                return self._objects(
                    argument, frame.module, frame.scope, frame.call.lineno, ctx, depth + 1
                )
        objects: list[_Instance | _ArgNamespace] = []
        if binding.value is not None:
            objects.extend(self._typed_objects(binding.value, module, owner.parent or owner))
        if (
            ctx.hops < MAX_HOPS
            and self.project is not None
            and isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        ):
            for caller, skip_first in self._calls_of(fn, owner, module):
                argument = _argument_for(fn, name, caller.call, skip_first)
                if not isinstance(argument, ast.AST):
                    continue
                fields = ctx.fields + self._field_guards_at(caller.call, caller.scope)
                inner = _Context(ctx.hops + 1, dict(ctx.frames), ctx.guards, fields=fields)
                objects.extend(
                    self._objects(
                        argument, caller.module, caller.scope, caller.call.lineno, inner, depth + 1
                    )
                )
        return objects

    def _typed_objects(self, annotation: ast.AST, module: ModuleInfo, scope: Scope) -> list[Any]:
        """``config: Settings`` (or ``Settings | None``): an object of that class, arguments
        unknown (its defaults apply)."""
        parts = [annotation]
        if isinstance(annotation, ast.BinOp):
            parts = [annotation.left, annotation.right]
        elif isinstance(annotation, ast.Subscript) and call_name(annotation.value) in _UNION:
            inner = annotation.slice
            parts = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        objects: list[Any] = []
        for part in parts:
            value = self._resolver(module).value(part, scope, getattr(part, "lineno", 0))
            if isinstance(value, ClassRef):
                objects.append(_Instance(value.scope, self._module_of(value.scope, module)))
        return objects

    def _option_keys(self, obj: _ArgNamespace, attr: str, ctx: _Context) -> list[Found] | None:
        """``args.model`` that the program looks up in a registry of records keyed by a field
        (``STORE[args.model]``): the keys of the records the dispatch guards on the way here
        select; the option's default is the default among them. None when no such lookup."""
        key = (Path(obj.module.path), attr)
        if key not in self._option_records:
            self._option_records[key] = self._option_registry(obj.module, attr)
        records = self._option_records[key]
        if records is None:
            return None
        defaults = {
            str(item.value) for item in self._argparse(obj.module, attr, ctx) or [] if item.default
        }
        kept = [
            replace(found, default=str(found.value) in defaults, overridable=True)
            for found, fields in records
            if selected(fields, obj.fields)
        ]
        return kept or None  # no record passes the guards: unknown, never an empty set

    def _option_registry(
        self, home: ModuleInfo, attr: str
    ) -> list[tuple[Found, dict[str, ast.AST | None]]] | None:
        """The records of the first registry the project looks option ``attr`` up in."""
        if self.project is None:
            return None
        for number, other in enumerate(self._modules_naming(attr, home)):
            if number >= MAX_CALLERS:
                return None
            for lookup in option_lookups(other.tree, attr):
                assert isinstance(lookup.value, ast.Name)
                records = self._keyed_records(lookup.value, other)
                if records is not None:
                    return records
        return None

    def _keyed_records(
        self, name: ast.Name, module: ModuleInfo
    ) -> list[tuple[Found, dict[str, ast.AST | None]]] | None:
        """``{r.key: r for r in RECORDS}`` bound to ``name``: each record's key (a candidate)
        and how it writes its fields; None unless every record is a project-class call."""
        found = self._resolver(module).binding_of(name.id, module.module_scope, None)
        home = module
        if found is not None and found[0].kind == "import":
            imported = self._import_target(name.id, module)
            if imported is None:
                return None
            binding, home = imported
        elif found is not None:
            binding = found[0]
        else:
            return None
        keyed = keyed_by_field(binding.value) if binding.value is not None else None
        if keyed is None:
            return None
        key_field, source = keyed
        items = source
        if isinstance(source, ast.Name):
            listed = home.module_scope.lookup(source.id, None)
            items = listed.value if listed is not None else None
        if not isinstance(items, (ast.List, ast.Tuple)) or len(items.elts) > MAX_RECORDS:
            return None
        records: list[tuple[Found, dict[str, ast.AST | None]]] = []
        for element in items.elts:
            if not isinstance(element, ast.Call):
                return None
            cls = self._resolver(home).value(element.func, home.module_scope, element.lineno)
            if not isinstance(cls, ClassRef):
                return None
            fields = {
                stmt.target.id: _field_argument(cls.scope, stmt.target.id, element)
                for stmt in getattr(cls.scope.node, "body", [])
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            }  # fmt: skip
            key = fields.get(key_field)
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                origin = self._origin_at(Path(home.path), key.lineno, f"{name.id} key")
                records.append((Found(key.value, origin), fields))
        return records

    def _field_guards_at(self, node: ast.AST, scope: Scope) -> tuple[FieldGuard, ...]:
        """Tests on a record's field (``rec.style in [...]``) of the ``if`` branches around
        the call ``node``, for records the call is passed."""
        passed = {a.id for a in getattr(node, "args", []) if isinstance(a, ast.Name)}
        passed |= {
            k.value.id for k in getattr(node, "keywords", []) if isinstance(k.value, ast.Name)
        }
        parents = self._parent_map(scope.node)
        guards: list[FieldGuard] = []
        child, current = node, parents.get(id(node))
        steps = 0
        while current is not None and steps < 200:
            steps += 1
            if isinstance(current, ast.If) and child in current.body:
                for test in _conjuncts(current.test):
                    guard = field_guard(test)
                    if guard is not None and guard[0] in passed:
                        guards.append(guard[1])
            if current is scope.node:
                break
            child, current = current, parents.get(id(current))
        return tuple(guards)

    def _argparse(self, module: ModuleInfo, attr: str, ctx: _Context) -> list[Found] | None:
        """``args.model``: the ``default=`` and ``choices=`` of ``add_argument("--model")``."""
        for call, where in module.calls:
            func = call.func
            if not isinstance(func, ast.Attribute) or func.attr != "add_argument":
                continue
            dest = next((k.value for k in call.keywords if k.arg == "dest"), None)
            names = [
                arg.value for arg in call.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]  # fmt: skip
            if isinstance(dest, ast.Constant):
                matched = dest.value == attr
            else:
                matched = any(_option_dest(flag) == attr for flag in names)
            if matched:
                return self._option_values(call, module, where.scope, ctx)
        return None

    # -- subscripts, calls ------------------------------------------------------------------
    def _subscript(
        self, node: ast.Subscript, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        if isinstance(node.slice, ast.Slice):
            return None
        key = self._resolver(module).value(node.slice, scope, line)
        if key is UNKNOWN or key is None:
            # A registry indexed by a key the code does not fix: any of its values.
            return self._elements(node.value, module, scope, line, ctx, part="values")
        if isinstance(key, str):
            entry = self._dict_entry(node.value, str(key), module, scope, line, ctx)
            if entry is not None:
                return entry
        if isinstance(key, int) and not isinstance(key, bool):
            items = self._elements(node.value, module, scope, line, ctx)
            if items is not None and -len(items) <= key < len(items):
                return [items[key]]
        return self._scalar(node, module, scope, line)

    def _call(
        self, node: ast.Call, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        name = call_name(node.func)
        if name in _CAST and len(node.args) == 2:
            # ``cast(Literal[...], x)``: x's values, and the values the type allows
            found = self._expr(node.args[1], module, scope, line, ctx)
            members = self._literal_members(node.args[0], module, scope, ctx)
            return _union([found, members], partial=True) if found else members
        if name in _ENV_GETTERS or (name.endswith("environ.get")):
            default = node.args[1] if len(node.args) > 1 else None
            default = next((k.value for k in node.keywords if k.arg == "default"), default)
            found = self._expr(default, module, scope, line, ctx) if default else None
            if not found:
                return None
            return [replace(item, default=True, overridable=True) for item in found]
        if name in ("str", "int") and len(node.args) == 1:
            return self._expr(node.args[0], module, scope, line, ctx)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args:
            return self._dict_get(node, module, scope, line, ctx)
        returned = self._returns(node, module, scope, line, ctx)
        if returned is not None:
            return returned
        return self._scalar(node, module, scope, line)

    def _dict_get(
        self, node: ast.Call, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        """``REGISTRY.get(key, default)``: the entry, or every value and the default."""
        func = node.func
        assert isinstance(func, ast.Attribute)
        key = self._resolver(module).value(node.args[0], scope, line)
        default = node.args[1] if len(node.args) > 1 else None
        fallback = self._expr(default, module, scope, line, ctx) if default is not None else []
        if fallback is not None:
            fallback = [replace(item, default=True) for item in fallback]
        if isinstance(key, str) and not getattr(key, "holes", 0):
            entry = self._dict_entry(func.value, str(key), module, scope, line, ctx)
            if entry is not None:
                return entry
        values = self._elements(func.value, module, scope, line, ctx, part="values")
        if values is None:
            return None
        return _union([values, fallback], partial=True)

    def _returns(
        self, node: ast.Call, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        """What a project function returns, its parameters bound to this call's arguments."""
        target = self._function(node.func, module, scope, line)
        if target is None:
            return None
        fn, fn_module, skip_first = target
        if ctx.hops >= MAX_HOPS:
            self._note(f"value flow stops {MAX_HOPS} calls deep")
            return None
        fn_scope = fn_module.scopes.get(fn)
        if fn_scope is None:
            return None
        frames = dict(ctx.frames)
        frames[id(fn)] = Frame(node, module, scope, skip_first)
        inner = _Context(ctx.hops + 1, frames, {})
        returns = [n for n in own_nodes(fn) if isinstance(n, ast.Return) and n.value is not None]
        if not returns:
            return None
        return _union([self._expr(r.value, fn_module, fn_scope, r.lineno, inner) for r in returns])

    def _function(
        self, func: ast.AST, module: ModuleInfo, scope: Scope, line: int
    ) -> tuple[ast.AST, ModuleInfo, bool] | None:
        """The project function a call goes to: a name, an imported name, ``self.method``."""
        if isinstance(func, ast.Name):
            found = self._resolver(module).binding_of(func.id, scope, line)
            if found is None:
                return None
            binding, _owner = found
            if binding.kind == "def" and isinstance(
                binding.value, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                return binding.value, module, False
            if binding.kind == "import":
                target = module.imports.get(func.id)
                if target and target[1]:
                    other = self._module_named(target[0], target[2], module)
                    if other is not None:
                        fn = other.module_scope.functions.get(target[1])
                        if fn is not None:
                            return fn, other, False
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in ("self", "cls"):
                cls = scope.class_scope if scope.kind == "function" else None
                fn = cls.functions.get(func.attr) if cls is not None else None
                if fn is not None:
                    return fn, module, not _is_static(fn)
                return None
            value = self._resolver(module).value(func.value, scope, line)
            if isinstance(value, ModuleRef):
                fn = value.module.module_scope.functions.get(func.attr)
                if fn is not None:
                    return fn, value.module, False
        return None

    # -- containers -------------------------------------------------------------------------
    def _elements(
        self, node: ast.AST | None, module: ModuleInfo, scope: Scope, line: int, ctx: _Context,
        part: str = "items", depth: int = 0,
    ) -> list[Found] | None:  # fmt: skip
        """The elements of a list, tuple or set (a dict's keys, or ``part="values"`` its values)
        written in the source, each with where it is written."""
        if node is None or depth > 8 or not self._budget():
            return None
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            parts: list[list[Found] | None] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    parts.append(
                        self._elements(elt.value, module, scope, line, ctx, "items", depth + 1)
                    )
                else:
                    parts.append(self._expr(elt, module, scope, line, ctx))
            return _union(parts, partial=True)
        if isinstance(node, ast.Dict):
            parts = []
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    parts.append(self._elements(value, module, scope, line, ctx, part, depth + 1))
                else:
                    chosen = value if part == "values" else key
                    parts.append(self._expr(chosen, module, scope, line, ctx))
            return _union(parts, partial=True)
        if isinstance(node, ast.Name):
            found = self._resolver(module).binding_of(node.id, scope, line)
            if found is None:
                starred = self._star_imported(node.id, module)
                if starred is None or starred[0].value is None:
                    return None
                binding, owner, other = starred
                return self._elements(
                    binding.value, other, owner, binding.line, ctx, part, depth + 1
                )
            binding, owner = found
            if binding.kind == "import":
                imported = self._import_target(node.id, module)
                if imported is None or imported[0].value is None:
                    return None
                inner, other = imported
                return self._elements(
                    inner.value, other, other.module_scope, inner.line, ctx, part, depth + 1
                )
            if binding.kind == "param":
                return (
                    self._literal_members(binding.value, module, owner, ctx)
                    if binding.value
                    else None
                )
            if binding.value is None or binding.kind not in ("assign", "with"):
                return None
            return self._elements(binding.value, module, owner, binding.line, ctx, part, depth + 1)
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                return self._self_elements(node.attr, module, scope, ctx, part, depth)
            value = self._resolver(module).value(node.value, scope, line)
            if isinstance(value, ModuleRef):
                inner = value.module.module_scope.lookup(node.attr, None)
                if inner is None or inner.value is None:
                    return None
                return self._elements(
                    inner.value,
                    value.module,
                    value.module.module_scope,
                    inner.line,
                    ctx,
                    part,
                    depth + 1,
                )
            if isinstance(value, ClassRef):
                inner = value.scope.lookup(node.attr, None)
                if inner is None or inner.value is None:
                    return None
                return self._elements(
                    inner.value, module, value.scope, inner.line, ctx, part, depth + 1
                )
            return None
        if isinstance(node, ast.Call):
            name = call_name(node.func)
            if name in ("list", "tuple", "set", "frozenset", "sorted") and node.args:
                return self._elements(
                    node.args[0],
                    module,
                    scope,
                    line,
                    ctx,
                    "keys" if part == "items" else part,
                    depth + 1,
                )
            if isinstance(node.func, ast.Attribute) and node.func.attr in ("keys", "values"):
                return self._elements(
                    node.func.value, module, scope, line, ctx, node.func.attr, depth + 1
                )
            return None
        if isinstance(node, ast.Subscript):
            if call_name(node.value) in _LITERAL:
                return self._literal_members(node, module, scope, ctx)
            if isinstance(node.slice, ast.Slice):
                items = self._elements(node.value, module, scope, line, ctx, part, depth + 1)
                bounds = [
                    self._resolver(module).value(b, scope, line) if b is not None else None
                    for b in (node.slice.lower, node.slice.upper, node.slice.step)
                ]
                if items is None or not all(b is None or isinstance(b, int) for b in bounds):
                    return items
                return items[slice(*bounds)]
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.BitOr)):
            return _union(
                [
                    self._elements(node.left, module, scope, line, ctx, part, depth + 1),
                    self._elements(node.right, module, scope, line, ctx, part, depth + 1),
                ]
            )
        return None

    def _literal_members(
        self, node: ast.AST | None, module: ModuleInfo, scope: Scope, ctx: _Context, depth: int = 0
    ) -> list[Found] | None:
        """The values a ``typing.Literal[...]`` annotation allows (through aliases, unions,
        ``Optional`` and imports)."""
        if node is None or depth > 6:
            return None
        if isinstance(node, ast.Subscript):
            head = call_name(node.value)
            if head in _LITERAL or head.endswith(".Literal"):
                inner = node.slice
                elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                return _union(
                    [self._expr(e, module, scope, e.lineno, ctx) for e in elts], partial=True
                )
            if head in _UNION:
                inner = node.slice
                elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                return _union(
                    [self._literal_members(e, module, scope, ctx, depth + 1) for e in elts],
                    partial=True,
                )
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return _union(
                [
                    self._literal_members(node.left, module, scope, ctx, depth + 1),
                    self._literal_members(node.right, module, scope, ctx, depth + 1),
                ],
                partial=True,
            )
        if isinstance(node, ast.Name):
            found = self._resolver(module).binding_of(node.id, scope, getattr(node, "lineno", 0))
            if found is None:
                return None
            binding, owner = found
            if binding.kind == "import":
                imported = self._import_target(node.id, module)
                if imported is None or imported[0].kind != "assign":
                    return None
                inner, other = imported
                return self._literal_members(inner.value, other, other.module_scope, ctx, depth + 1)
            if binding.kind == "assign" and binding.value is not None:
                return self._literal_members(binding.value, module, owner, ctx, depth + 1)
        return None

    def _self_elements(
        self, attr: str, module: ModuleInfo, scope: Scope, ctx: _Context, part: str, depth: int
    ) -> list[Found] | None:
        """The elements of ``self.attr`` in a method: those of every container the class
        stores there (``self.models = {...}`` in any method, a class-level ``MODELS = {...}``);
        unknown when any store is not a container written in the source."""
        cls = scope.class_scope if scope.kind == "function" else scope
        if cls is None or cls.kind != "class":
            return None
        module = self._module_of(cls, module)
        parts: list[list[Found] | None] = []
        for binding in cls.self_attrs.get(attr, []):
            if binding.value is None or binding.kind != "assign":
                return None
            method = _method_at(module, cls, binding.line)
            parts.append(
                self._elements(binding.value, module, method, binding.line, ctx, part, depth + 1)
            )
        declared = cls.bindings.get(attr)
        if declared:
            latest = declared[-1]
            if latest.value is None or latest.kind != "assign":
                return None
            parts.append(
                self._elements(latest.value, module, cls, latest.line, ctx, part, depth + 1)
            )
        return _union(parts) if parts else None

    def _dict_entry(
        self, node: ast.AST, key: str, module: ModuleInfo, scope: Scope, line: int, ctx: _Context
    ) -> list[Found] | None:
        return self._key(node, key, module, scope, line, ctx)

    def _key(
        self, node: ast.AST | None, key: str, module: ModuleInfo, scope: Scope, line: int,
        ctx: _Context, depth: int = 0,
    ) -> list[Found] | None:  # fmt: skip
        """The candidates of ``node[key]`` for a dict built in the source (a literal, ``dict()``,
        later ``d[key] = v``, ``{**a, **b}``, ``a | b``, a helper's or method's return value,
        ``self.x`` set in several places)."""
        if node is None or depth > 8 or not self._budget():
            return None
        if isinstance(node, ast.Dict):
            found: list[Found] | None = None
            for k, v in zip(node.keys, node.values, strict=True):
                if k is None:
                    inner = self._key(v, key, module, scope, line, ctx, depth + 1)
                    if inner is not None:
                        found = inner
                elif isinstance(k, ast.Constant) and k.value == key:
                    found = self._expr(v, module, scope, line, ctx)
            return found
        if isinstance(node, ast.Call):
            name = call_name(node.func)
            if name == "dict":
                found = None
                for arg in node.args:
                    inner = self._key(arg, key, module, scope, line, ctx, depth + 1)
                    if inner is not None:
                        found = inner
                for keyword in node.keywords:
                    if keyword.arg is None:
                        inner = self._key(keyword.value, key, module, scope, line, ctx, depth + 1)
                        if inner is not None:
                            found = inner
                    elif keyword.arg == key:
                        found = self._expr(keyword.value, module, scope, line, ctx)
                return found
            if name in _CAST and len(node.args) == 2:
                return self._key(node.args[1], key, module, scope, line, ctx, depth + 1)
            if name.rsplit(".", 1)[-1].endswith("Param"):  # the SDK's TypedDict constructors
                for keyword in node.keywords:
                    if keyword.arg == key:
                        return self._expr(keyword.value, module, scope, line, ctx)
                return None
            if name in LOADERS:
                return self._config_file(node, [key], module, scope, line, depth, ctx)
            entered = self._returns_of_call(node, module, scope, line, ctx)
            if entered is None:
                return None
            fn_module, fn_scope, returns, inner_ctx = entered
            return _union(
                [
                    self._key(r.value, key, fn_module, fn_scope, r.lineno, inner_ctx, depth + 1)
                    for r in returns
                ]
            )
        if isinstance(node, ast.Subscript):  # ``config["llm"]["model"]`` of a config file
            outer = self._resolver(module).value(node.slice, scope, line)
            if isinstance(outer, str) and not getattr(outer, "holes", 0):
                return self._config_file(
                    node.value, [str(outer), key], module, scope, line, depth, ctx
                )
            # ``endpoints[name]`` for a name the code does not fix: every entry of the mapping
            return self._config_file(node.value, [ANY_ENTRY, key], module, scope, line, depth, ctx)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            right = self._key(node.right, key, module, scope, line, ctx, depth + 1)
            if right is not None:
                return right
            return self._key(node.left, key, module, scope, line, ctx, depth + 1)
        if isinstance(node, ast.Name):
            found_binding = self._resolver(module).binding_of(node.id, scope, line)
            if found_binding is None:
                return None
            binding, owner = found_binding
            sets = [
                (at, value) for at, k, value in owner.item_sets.get(node.id, [])
                if isinstance(k, ast.Constant) and k.value == key
                and (owner.kind != "function" or binding.line < at < line)
            ]  # fmt: skip
            if sets:
                return _union([self._expr(v, module, owner, at, ctx) for at, v in sets])
            if binding.kind == "param":
                frame = ctx.frames.get(id(owner.node))
                if frame is not None:
                    argument = _argument_for(owner.node, node.id, frame.call, frame.skip_first)
                    if isinstance(argument, ast.AST):
                        return self._key(
                            argument,
                            key,
                            frame.module,
                            frame.scope,
                            frame.call.lineno,
                            ctx,
                            depth + 1,
                        )
                    return None
                return self._key_from_callers(node.id, key, owner, module, ctx, depth)
            if binding.kind not in ("assign", "with") or binding.value is None:
                return None
            return self._key(binding.value, key, module, owner, binding.line, ctx, depth + 1)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in ("self", "cls"):
                cls = scope.class_scope if scope.kind == "function" else scope
                if cls is None:
                    return None
                parts = []
                for binding in cls.self_attrs.get(node.attr, []):
                    if binding.value is None:
                        continue
                    method = _method_at(module, cls, binding.line)
                    parts.append(
                        self._key(binding.value, key, module, method, binding.line, ctx, depth + 1)
                    )
                return _union(parts, partial=True)
        return None

    def _key_from_callers(
        self, name: str, key: str, owner: Scope, module: ModuleInfo, ctx: _Context, depth: int
    ) -> list[Found] | None:
        """``settings[key]`` for a parameter ``settings`` no frame binds: what the callers
        pass for it, read at ``key``."""
        fn = owner.node
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or ctx.hops >= MAX_HOPS:
            return None
        parts: list[list[Found] | None] = []
        extra = fn.args.kwarg is not None and fn.args.kwarg.arg == name
        for caller, skip_first in self._calls_of(fn, owner, module):
            inner = _Context(ctx.hops + 1, dict(ctx.frames), {}, ctx.where)
            if extra:  # ``**kwargs``: the caller's keywords (and splats) that fill it
                parts.append(
                    self._passed_keyword(caller.call, key, caller.module, caller.scope, inner)
                )
                continue
            argument = _argument_for(fn, name, caller.call, skip_first)
            if not isinstance(argument, ast.AST):
                continue
            parts.append(
                self._key(
                    argument, key, caller.module, caller.scope, caller.call.lineno, inner,
                    depth + 1,
                )
            )  # fmt: skip
        return _union(parts, partial=True)

    def _passed_keyword(
        self, call: ast.Call, key: str, module: ModuleInfo, scope: Scope, ctx: _Context
    ) -> list[Found] | None:
        """What ``call`` passes as keyword ``key``, written out or inside a ``**`` splat."""
        written = next((k.value for k in call.keywords if k.arg == key), None)
        if written is not None:
            return self._expr(written, module, scope, call.lineno, ctx)
        return self._splatted(call, key, module, scope, ctx)

    def _config_file(
        self, node: ast.AST, keys: list[Any], module: ModuleInfo, scope: Scope, line: int,
        depth: int, ctx: _Context | None = None,
    ) -> list[Found] | None:  # fmt: skip
        """``yaml.safe_load(open("config.yaml"))`` (or a name bound to it, or a project helper
        that returns it) at ``keys``: the values the repository's config file holds there,
        each with its file and line."""
        if depth > 8 or self.project is None:
            return None
        ctx = ctx if ctx is not None else _Context()
        if isinstance(node, ast.Subscript):
            outer = self._resolver(module).value(node.slice, scope, line)
            if isinstance(outer, str) and not getattr(outer, "holes", 0):
                return self._config_file(
                    node.value, [str(outer), *keys], module, scope, line, depth + 1, ctx
                )
            return None
        if isinstance(node, ast.Name):
            found = self._resolver(module).binding_of(node.id, scope, line)
            if found is None or found[0].kind not in ("assign", "with") or found[0].value is None:
                return None
            binding, owner = found
            return self._config_file(
                binding.value, keys, module, owner, binding.line, depth + 1, ctx
            )
        if not isinstance(node, ast.Call):
            return None
        if call_name(node.func) not in LOADERS:
            return self._config_helper(node, keys, module, scope, line, depth, ctx)
        if not node.args:
            return None
        paths = self._config_paths(node.args[0], module, scope, line, depth, ctx)
        parts: list[list[Found] | None] = []
        for path_text in paths:
            values = config_values(self.project, path_text, Path(module.path), keys, ctx.where)
            if values is None:
                continue
            label = ".".join(str(key) for key in keys)
            parts.append([
                Found(
                    item.value, self._origin_at(item.path, item.line, label), default=True,
                    overridable=True,
                )
                for item in values
            ])  # fmt: skip
        return _union(parts, partial=True)

    def _returns_of_call(
        self, node: ast.Call, module: ModuleInfo, scope: Scope, line: int, ctx: _Context,
        where: tuple[tuple[str, str], ...] = (),
    ) -> tuple[ModuleInfo, Scope, list[ast.Return], _Context] | None:  # fmt: skip
        """The return statements of the project function ``node`` calls, with the context to
        read them in (its parameters bound to this call's arguments), within the hop bound."""
        target = self._function(node.func, module, scope, line)
        if target is None or ctx.hops >= MAX_HOPS:
            return None
        fn, fn_module, skip_first = target
        fn_scope = fn_module.scopes.get(fn)
        if fn_scope is None:
            return None
        frames = dict(ctx.frames)
        frames[id(fn)] = Frame(node, module, scope, skip_first)
        returns = [n for n in own_nodes(fn) if isinstance(n, ast.Return) and n.value is not None]
        return fn_module, fn_scope, returns, _Context(ctx.hops + 1, frames, {}, where)

    def _config_helper(
        self, node: ast.Call, keys: list[Any], module: ModuleInfo, scope: Scope, line: int,
        depth: int, ctx: _Context,
    ) -> list[Found] | None:  # fmt: skip
        """``make_config(path)``: a project function that returns what a loader read, its
        parameters bound to this call's arguments."""
        entered = self._returns_of_call(node, module, scope, line, ctx, ctx.where)
        if entered is None:
            return None
        fn_module, fn_scope, returns, inner = entered
        return _union(
            [
                self._config_file(r.value, keys, fn_module, fn_scope, r.lineno, depth + 1, inner)
                for r in returns
            ],
            partial=True,
        )

    def _config_paths(
        self, node: ast.AST, module: ModuleInfo, scope: Scope, line: int, depth: int,
        ctx: _Context,
    ) -> list[str]:  # fmt: skip
        """The literal path a loader reads, or, when it is a parameter or an option, the
        paths value flow finds for it (an argparse ``default=`` naming a file)."""
        path_text = self._config_path(node, module, scope, line, depth)
        if path_text is not None:
            return [path_text]
        source = _path_source(node, self._resolver(module), scope, line)
        if source is None:
            return []
        found = self._expr(source[0], module, source[1], source[2], ctx) or []
        texts = [str(item.value) for item in found if isinstance(item.value, str)]
        return list(dict.fromkeys(texts))[:MAX_CANDIDATES]

    def _config_path(
        self, node: ast.AST, module: ModuleInfo, scope: Scope, line: int, depth: int
    ) -> str | None:
        """The literal path a loader reads: ``open(p)``, ``Path(p).read_text()``, a name bound
        to either (``with open(p) as f``), or the path itself."""
        if depth > 8:
            return None
        if isinstance(node, ast.Call):
            func = node.func
            if call_name(func).rsplit(".", 1)[-1] == "open" and node.args:
                if isinstance(func, ast.Attribute) and call_name(func) not in ("io.open",):
                    return self._config_path(func.value, module, scope, line, depth + 1)
                return self._config_path(node.args[0], module, scope, line, depth + 1)
            if isinstance(func, ast.Attribute) and func.attr in ("read_text", "read_bytes"):
                return self._config_path(func.value, module, scope, line, depth + 1)
            if call_name(func).rsplit(".", 1)[-1] in ("Path", "PurePath") and node.args:
                return self._config_path(node.args[0], module, scope, line, depth + 1)
            return None
        if isinstance(node, ast.Name):
            found = self._resolver(module).binding_of(node.id, scope, line)
            if found is not None and found[0].kind in ("assign", "with") and found[0].value:
                binding, owner = found
                return self._config_path(binding.value, module, owner, binding.line, depth + 1)
        value = self._resolver(module).value(node, scope, line)
        if isinstance(value, str) and not getattr(value, "holes", 0):
            return str(value)
        return None

    def _origin_at(self, path: Path, line: int, name: str = "") -> Origin:
        root = self.project.root if self.project is not None else None
        if root is not None:
            try:
                relative = real_path(path, self.project).relative_to(root)
                return Origin(relative.as_posix(), line, name)
            except (ValueError, OSError):
                pass
        return Origin(path.name, line, name)

    # -- guards -----------------------------------------------------------------------------
    def _guards_at(
        self, node: ast.AST, module: ModuleInfo, scope: Scope
    ) -> dict[tuple[int, str], list[tuple[str, Any]]]:
        """The tests of the ``if`` / ``elif`` branches that contain ``node``, by the name they
        test: ``x in C``, ``"claude" in x``, ``x.startswith(...)``, ``x == "..."``."""
        root = scope.node
        parents = self._parent_map(root)
        guards: dict[tuple[int, str], list[tuple[str, Any]]] = {}
        child = node
        current = parents.get(id(node))
        steps = 0
        while current is not None and steps < 200:
            steps += 1
            guarded = (isinstance(current, (ast.If, ast.While)) and child in current.body) or (
                isinstance(current, ast.IfExp) and child is current.body
            )
            if guarded:
                for test in _conjuncts(current.test):  # type: ignore[attr-defined]
                    guard = _guard(test)
                    if guard is not None:
                        guards.setdefault((id(root), guard[0]), []).append(guard[1])
            if current is root:
                break
            child = current
            current = parents.get(id(current))
        # the guard's container is evaluated where it is written
        return {
            k: [(kind, (arg, module, scope)) for kind, arg in tests] for k, tests in guards.items()
        }

    def _parent_map(self, root: ast.AST) -> dict[int, ast.AST]:
        parents = self._parents.get(id(root))
        if parents is None:
            parents = {}
            for parent in ast.walk(root):
                for child in ast.iter_child_nodes(parent):
                    parents[id(child)] = parent
            self._parents[id(root)] = parents
        return parents

    def _narrow(
        self, found: list[Found] | None, guards: list[tuple[str, Any]] | None,
        module: ModuleInfo, ctx: _Context,
    ) -> list[Found] | None:  # fmt: skip
        if not guards:
            return found
        for kind, (arg, guard_module, guard_scope) in guards:
            if kind == "in":
                allowed = self._elements(arg, guard_module, guard_scope, arg.lineno, _Context())
                if allowed is None:
                    continue
                if found:
                    values = {str(item.value) for item in allowed}
                    kept = [item for item in found if str(item.value) in values]
                    found = kept or allowed
                else:
                    found = allowed
            elif kind == "eq":
                found = [Found(arg.value, self._origin(guard_module, arg))]
            elif found and kind in ("prefix", "contains"):
                texts = arg if isinstance(arg, tuple) else (arg,)
                kept = [
                    item for item in found
                    if isinstance(item.value, str) and any(
                        _matches(str(item.value), t, kind) for t in texts
                    )
                ]  # fmt: skip
                found = kept or found
        return found


# -- helpers ----------------------------------------------------------------------------------

_UNKNOWN_LIST: list[Found] = []  # identity marks "the evaluator could not tell"
_SPLAT = object()  # an argument passed through ``*args`` / ``**kwargs``: unknown


def _union(parts: list[list[Found] | None], partial: bool = False) -> list[Found] | None:
    """All candidates of ``parts``; None when any part is unknown (or, with ``partial``, when
    every part is)."""
    out: list[Found] = []
    known = False
    for part in parts:
        if part is None or part is _UNKNOWN_LIST:
            if not partial:
                return None
            continue
        known = True
        out.extend(part)
    if not known:
        return None
    return out


def _named(
    found: list[Found] | None, name: str, value: ast.AST, where: Origin | None
) -> list[Found] | None:
    """Name the candidates written inside ``value`` (the right side of ``name = value``, a
    default; ``where`` is its file): that name is what a reader looks for to change them."""
    if not found or found is _UNKNOWN_LIST or where is None:
        return found
    start = getattr(value, "lineno", 0)
    end = getattr(value, "end_lineno", None) or start
    return [
        replace(item, origin=replace(item.origin, name=name))
        if item.origin is not None
        and not item.origin.name
        and item.origin.path == where.path
        and start <= item.origin.line <= end
        else item
        for item in found
    ]


def _matches(value: str, text: str, kind: str) -> bool:
    return value.startswith(text) if kind == "prefix" else text in value


def _conjuncts(test: ast.AST) -> list[ast.AST]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [t for value in test.values for t in _conjuncts(value)]
    return [test]


def _guard(test: ast.AST) -> tuple[str, tuple[str, Any]] | None:
    """(name, (kind, argument)) for a test that narrows a name."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, ast.In) and isinstance(left, ast.Name):
            return left.id, ("in", right)
        if (
            isinstance(op, ast.In)
            and isinstance(right, ast.Name)
            and isinstance(left, ast.Constant)
            and isinstance(left.value, str)
        ):
            return right.id, ("contains", left.value)
        if (
            isinstance(op, ast.Eq)
            and isinstance(left, ast.Name)
            and isinstance(right, ast.Constant)
        ):
            if isinstance(right.value, str):
                return left.id, ("eq", right)
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "startswith"
        and isinstance(test.func.value, ast.Name)
        and test.args
    ):
        arg = test.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return test.func.value.id, ("prefix", arg.value)
        if isinstance(arg, ast.Tuple) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in arg.elts
        ):
            return test.func.value.id, ("prefix", tuple(e.value for e in arg.elts))  # type: ignore[union-attr]
    return None


def _attribute_stores(
    scope: Scope, base: ast.AST, attr: str, line: int
) -> list[tuple[ast.Assign, bool]]:
    """``name.attr = value`` statements of the function ``scope`` before ``line`` (a local
    object's attribute set in place), each with whether it always runs (not inside a branch
    or loop), in source order."""
    fn = scope.node
    if not isinstance(base, ast.Name):
        return []
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    stores: list[tuple[ast.Assign, bool]] = []
    top = {id(statement) for statement in fn.body}
    for statement in own_nodes(fn):
        if not isinstance(statement, ast.Assign) or statement.lineno >= line:
            continue
        for target in statement.targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == attr
                and isinstance(target.value, ast.Name)
                and target.value.id == base.id
            ):
                stores.append((statement, id(statement) in top))
    return sorted(stores, key=lambda pair: pair[0].lineno)[-8:]


def _path_source(
    node: ast.AST, resolver: Resolver, scope: Scope, line: int, depth: int = 0
) -> tuple[ast.AST, Scope, int] | None:
    """The expression a loader's path comes from, through ``open(p)``, ``Path(p)`` and
    names bound to them (``with open(p) as f``): ``p``, where it is written."""
    if depth > 8:
        return None
    if isinstance(node, ast.Call):
        name = call_name(node.func).rsplit(".", 1)[-1]
        if name in ("open", "Path", "PurePath") and node.args and isinstance(node.func, ast.Name):
            return _path_source(node.args[0], resolver, scope, line, depth + 1)
        return None
    if isinstance(node, ast.Name):
        found = resolver.binding_of(node.id, scope, line)
        if found is not None and found[0].kind in ("assign", "with") and found[0].value:
            binding, owner = found
            return _path_source(binding.value, resolver, owner, binding.line, depth + 1)
    return node, scope, line


def _param_default(fn: ast.AST, name: str) -> ast.AST | None:
    args = fn.args  # type: ignore[attr-defined]
    positional = [*args.posonlyargs, *args.args]
    defaults = list(args.defaults)
    offset = len(positional) - len(defaults)
    for index, arg in enumerate(positional):
        if arg.arg == name and index >= offset:
            return defaults[index - offset]
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == name:
            return default
    return None


def _argument_for(fn: ast.AST, name: str, call: ast.Call, skip_first: bool) -> Any:
    """The argument ``call`` passes for parameter ``name`` of ``fn``: a node, None (not
    passed: the default applies) or ``_SPLAT`` (passed through ``*``/``**``: unknown)."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    args = fn.args  # type: ignore[attr-defined]
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    if skip_first and positional:
        positional = positional[1:]
    return _passed_at(call, positional, name)


def _field_argument(cls: Scope, attr: str, call: ast.Call) -> Any:
    """A dataclass-style constructor's argument for field ``attr`` (keyword or position)."""
    for keyword in call.keywords:
        if keyword.arg == attr:
            return keyword.value
    fields = [
        stmt.target.id for stmt in getattr(cls.node, "body", [])
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
    ]  # fmt: skip
    return _passed_at(call, fields, attr)


def _passed_at(call: ast.Call, positional: list[str], name: str) -> Any:
    """The positional argument for ``name`` (the keywords were looked at already): a node,
    None (not passed) or ``_SPLAT`` (a ``*args``/``**kwargs`` may carry it)."""
    if name in positional:
        index = positional.index(name)
        for number, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                return _SPLAT
            if number == index:
                return arg
    if any(keyword.arg is None for keyword in call.keywords):
        return _SPLAT
    return None


def _field_default(value: ast.AST) -> ast.AST:
    """``field(default=x)`` / ``Field(default=x)`` / ``Field(x)`` -> ``x``."""
    if isinstance(value, ast.Call) and call_name(value.func).rsplit(".", 1)[-1] in (
        "field", "Field",
    ):  # fmt: skip
        for keyword in value.keywords:
            if keyword.arg == "default":
                return keyword.value
        if value.args:
            return value.args[0]
    return value


def _class_annotation(cls: Scope, attr: str) -> ast.AST | None:
    for stmt in getattr(cls.node, "body", []):
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == attr
        ):
            return stmt.annotation
    return None


def _class_bases(cls: Scope) -> list[ast.AST]:
    return list(getattr(cls.node, "bases", []))


def _method_at(module: ModuleInfo, cls: Scope, line: int) -> Scope:
    for fn in cls.functions.values():
        if fn.lineno <= line <= (getattr(fn, "end_lineno", None) or fn.lineno):
            return module.scopes.get(fn, cls)
    return cls


def _super_init_frame(cls: Scope, module: ModuleInfo, ctx: _Context) -> Frame | None:
    """The base ``__init__`` entered from ``cls.__init__`` through ``super().__init__(...)``."""
    init = cls.functions.get("__init__")
    scope = module.scopes.get(init) if init is not None else None
    if scope is None:
        return None
    for node in ast.walk(init):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__init__"
            and isinstance(node.func.value, ast.Call)
            and call_name(node.func.value.func) == "super"
        ):
            return Frame(node, module, scope, skip_first=True)
    return None


def _self_frame(cls: Scope, ctx: _Context) -> Frame | None:
    init = cls.functions.get("__init__")
    return ctx.frames.get(id(init)) if init is not None else None


def _same_class(one: Scope, other: Scope) -> bool:
    """The same class, though each module may have been parsed apart (its own tree)."""
    return one is other or (
        one.qualname == other.qualname and one.node.lineno == other.node.lineno  # type: ignore[attr-defined]
    )


def _is_static(fn: ast.AST) -> bool:
    return any(call_name(d) in ("staticmethod",) for d in getattr(fn, "decorator_list", []))


def _may_bind(path: Path, name: str, home_parts: tuple[str, ...], root: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return False
    return can_bind_from(text, name, home_parts, folder_parts(path, root), package_reader(root))


def _may_call(caller: Any, fn: Any, owner: Scope, home: ModuleInfo, flow: ValueFlow) -> bool:
    """Whether a call found by name can reach ``fn`` (defined in ``home``): a plain call must
    resolve to it (same module, or imported from ``home``: ``callers.reaches``); a call on an
    object (``x.name(...)``) must be in a file that imports from ``home`` (or ``m.name``)."""
    func = caller.call.func
    method = owner.class_scope is not None and fn.name != "__init__"
    if isinstance(func, ast.Attribute):
        return reaches(caller.module, func, home, func.attr, method)
    if not isinstance(func, ast.Name):
        return False
    found = flow._resolver(caller.module).binding_of(func.id, caller.scope, caller.call.lineno)
    if found is None:  # ``from pkg.core import *`` (an nbdev notebook)
        return reaches(caller.module, func, home, func.id)
    binding, _ = found
    if binding.kind == "def":
        target = fn
        if fn.name == "__init__" and owner.class_scope is not None:
            target = owner.class_scope.node
        return binding.value is target
    return binding.kind == "import" and reaches(caller.module, func, home, func.id)


def _paired(target: ast.AST, value: ast.AST, name: str, self_attr: bool = False) -> ast.AST | None:
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
        if len(target.elts) != len(value.elts):
            return None
        for sub_target, sub_value in zip(target.elts, value.elts, strict=True):
            if self_attr:
                if (
                    isinstance(sub_target, ast.Attribute)
                    and isinstance(sub_target.value, ast.Name)
                    and sub_target.value.id in ("self", "cls")
                    and sub_target.attr == name
                ):
                    return sub_value
            elif isinstance(sub_target, ast.Name) and sub_target.id == name:
                return sub_value
            inner = _paired(sub_target, sub_value, name, self_attr)
            if inner is not None:
                return inner
    return None


def _option_dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")
