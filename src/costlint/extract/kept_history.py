"""Histories the caller keeps (CL003): ``messages`` taken whole from a parameter of the function
that sends it, where the list grows outside that function.

Two ways it is seen:

* a project caller passes a list it grows across calls: a chat class whose methods append to
  ``self.history`` and hand it to a client wrapper (``self.client(self.history)``, the wrapper's
  ``__call__`` or any method), or a loop that appends to a local list and calls the wrapper;
* the parameter *is* a conversation (``chat_ctx: ChatContext``, ``history``, ``conversation``)
  and is converted to messages (``chat_ctx.to_provider_format()``): a provider adapter whose
  caller is a framework outside the project. A project caller that passes a window
  (``history[-6:]``) or a fresh list vetoes this.

The parameter is followed back through rebinding (``msgs, kw = self._prepare(msgs, ...)``,
``messages = cast(list, converted)``) a few steps, never through a list or dict literal that
merely contains it (a fresh one-turn list is not a history).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ..resolve.callgraph import caller_graph
from ..resolve.evaluator import Resolver
from ..resolve.project import ModuleInfo
from ..resolve.scope import Scope
from ..resolve.syntax import argument as passed

GROWTH_METHODS = frozenset({"append", "extend", "insert"})
CONVERSATION_NAMES = frozenset(
    {"chat_ctx", "chat_context", "chat_history", "conversation", "history", "dialog", "dialogue"}
)
CONVERSATION_TYPE = re.compile(r"Chat(Context|History|Session)|Conversation|Dialog|History")
MAX_STEPS = 4  # rebinding steps followed back from the call to a parameter
MAX_CALLERS = 32


class KeptHistory(NamedTuple):
    """Where the re-sent history grows: the caller's variable, or the conversation parameter."""

    variable: str  # as written there: ``self.history``, ``chat_ctx``
    path: Path | None  # the caller's file; None for a conversation parameter
    line: int


class _Param(NamedTuple):
    name: str
    function: ast.FunctionDef | ast.AsyncFunctionDef
    annotation: ast.AST | None
    converted: bool  # reached through a call (a conversion), not passed as is


def kept_history(
    module: ModuleInfo, resolver: Resolver, node: ast.AST, scope: Scope, line: int
) -> KeptHistory | None:
    """The history behind ``messages=node`` when it is kept outside the sending function."""
    if not isinstance(node, ast.Name):
        return None
    for param in _parameters_behind(module, resolver, node.id, scope, line, MAX_STEPS, False):
        if _is_conversation(param):
            # The caller is usually a framework outside the project: only this module's
            # own calls are read (a window passed there vetoes), which keeps it cheap.
            if _from_callers(module, param, local=True) != "fresh":
                return KeptHistory(param.name, None, param.function.lineno)
            continue
        verdict = _from_callers(module, param)
        if isinstance(verdict, KeptHistory):
            return verdict
    return None


def _is_conversation(param: _Param) -> bool:
    if param.annotation is not None and CONVERSATION_TYPE.search(ast.unparse(param.annotation)):
        return True
    return param.name in CONVERSATION_NAMES and param.converted


# -- back from the call to the parameters ----------------------------------------------------
def _parameters_behind(
    module: ModuleInfo,
    resolver: Resolver,
    name: str,
    scope: Scope,
    line: int | None,
    steps: int,
    converted: bool,
) -> list[_Param]:
    found = resolver.binding_of(name, scope, line)
    if found is None:
        return []
    binding, owner = found
    if binding.kind == "param":
        function = owner.node
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return []
        if name in ("self", "cls") or name == _variadic(function):
            return []
        return [_Param(name, function, binding.value, converted)]
    if binding.kind != "assign" or steps <= 0:
        return []
    value = binding.value if binding.value is not None else _unpacked(module, owner, binding.line)
    if value is None:
        return []
    params: list[_Param] = []
    for inner, through_call in _whole_names(value, False):
        params.extend(
            _parameters_behind(
                module, resolver, inner, owner, binding.line, steps - 1, converted or through_call
            )
        )
    return params


def _variadic(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    kwarg = function.args.kwarg
    return kwarg.arg if kwarg is not None else None


def _unpacked(module: ModuleInfo, owner: Scope, line: int) -> ast.AST | None:
    """The value of ``a, b = value`` on ``line`` in ``owner`` (unpacking keeps no value)."""
    for node, where in module.assigns:
        if where.scope is owner and node.lineno == line and isinstance(node, ast.Assign):
            if any(isinstance(t, (ast.Tuple, ast.List)) for t in node.targets):
                return node.value
    return None


def _whole_names(value: ast.AST, through_call: bool) -> Iterator[tuple[str, bool]]:
    """Names a value is made from whole: itself, a conversion's receiver or arguments, a
    concatenation; not names inside list or dict literals, and not a slice (a window)."""
    if isinstance(value, ast.Name):
        yield value.id, through_call
    elif isinstance(value, ast.Await):
        yield from _whole_names(value.value, through_call)
    elif isinstance(value, ast.IfExp):
        yield from _whole_names(value.body, through_call)
        yield from _whole_names(value.orelse, through_call)
    elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        yield from _whole_names(value.left, through_call)
    elif isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id not in ("self", "cls"):
                yield func.value.id, True
        for arg in value.args:
            inner = arg.value if isinstance(arg, ast.Starred) else arg
            if isinstance(inner, (ast.Name, ast.BinOp)):
                yield from _whole_names(inner, True)


# -- the callers ---------------------------------------------------------------------------
def _from_callers(
    module: ModuleInfo, param: _Param, local: bool = False
) -> KeptHistory | str | None:
    """A caller's growing list passed as ``param`` (a KeptHistory), ``"fresh"`` when callers
    are seen and each passes a window or a new list, None when nothing is known. ``local``:
    callers in ``module`` only."""
    function = param.function
    index = _position(function, param.name)
    fresh = seen = 0
    callers = _local_callers(module, function) if local else _callers(module, function)
    for caller_module, call, caller_fn, loops in callers:
        argument = passed(call, index, param.name)
        if argument is None:
            continue
        seen += 1
        if _is_fresh(argument):
            fresh += 1
            continue
        if _grows_in(caller_module, caller_fn, argument, bool(loops)):
            return KeptHistory(ast.unparse(argument), caller_module.path, call.lineno)
    return "fresh" if seen and fresh == seen else None


def _position(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> int | None:
    params = [a.arg for a in function.args.posonlyargs + function.args.args]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    return params.index(name) if name in params else None


def _is_fresh(argument: ast.AST) -> bool:
    """A window (``h[-6:]``) or a list made for this call (``[{"role": ...}]``)."""
    return isinstance(argument, (ast.Subscript, ast.List, ast.ListComp))


def _callers(
    module: ModuleInfo, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> Iterator[tuple[ModuleInfo, ast.Call, ast.AST | None, tuple[ast.AST, ...]]]:
    project = module.project
    if project is None:
        return
    if function.name == "__call__":
        owner = _owner_class(module, function)
        if owner is not None:
            yield from _instance_calls(module, owner)
        return
    for site in caller_graph(project).callers_of(module, function)[:MAX_CALLERS]:
        if isinstance(site.node, ast.Call):
            yield site.module, site.node, site.function, site.loops


def _local_callers(
    module: ModuleInfo, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> Iterator[tuple[ModuleInfo, ast.Call, ast.AST | None, tuple[ast.AST, ...]]]:
    """Calls of the function's name in its own module (by name, as the caller graph does)."""
    for call, where in module.calls:
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name == function.name and where.function is not function:
            yield module, call, where.function, where.loops


def _owner_class(module: ModuleInfo, function: ast.AST) -> str | None:
    """The class a method belongs to: where it is defined, or the annotation of its first
    parameter when a decorator attaches it to a class (fastcore's ``@patch``)."""
    scope = module.scopes.get(function)
    parent = scope.parent if scope is not None else None
    if parent is not None and parent.kind == "class":
        return getattr(parent.node, "name", None)
    args = getattr(function, "args", None)
    first = args.args[0] if args is not None and args.args else None
    if first is not None and isinstance(first.annotation, ast.Name):
        return first.annotation.id
    return None


def _instance_calls(
    module: ModuleInfo, owner: str
) -> Iterator[tuple[ModuleInfo, ast.Call, ast.AST | None, tuple[ast.AST, ...]]]:
    """Calls of an instance of ``owner`` (``self.client(...)`` where ``self.client =
    Owner(...)``), in the owner's module and the project modules that import it."""
    project = module.project
    if project is None:
        return
    stem = module.path.parent.name if module.path.name == "__init__.py" else module.path.stem
    paths = [module.path, *caller_graph(project).importers(stem)]
    seen: set[Path] = set()
    found = 0
    for path in paths:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        other = module if resolved == module.path.resolve() else project.module_at(resolved)
        if other is None:
            continue
        attrs, names = _instances(other, owner)
        if not attrs and not names:
            continue
        for call, where in other.calls:
            func = call.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "self"
                and func.attr in attrs
            ) or (isinstance(func, ast.Name) and func.id in names):
                yield other, call, where.function, where.loops
                found += 1
                if found >= MAX_CALLERS:
                    return


def _instances(module: ModuleInfo, owner: str) -> tuple[set[str], set[str]]:
    """Attributes (``self.x``) and names bound to a value that constructs ``owner``."""
    attrs: set[str] = set()
    names: set[str] = set()
    for node, _where in module.assigns:
        if not isinstance(node, ast.Assign) or not _constructs(node.value, owner):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                attrs.add(target.attr)
    return attrs, names


def _constructs(value: ast.AST, owner: str) -> bool:
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            func = node.func
            leaf = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if leaf == owner:
                return True
    return False


def _grows_in(
    module: ModuleInfo, function: ast.AST | None, argument: ast.AST, in_loop: bool
) -> bool:
    """``self.x`` that the caller's module appends to, or a list the calling function (or
    the top level) appends to while it calls in a loop."""
    if isinstance(argument, ast.Attribute) and isinstance(argument.value, ast.Name):
        if argument.value.id != "self":
            return False
        return _grown(module, None, argument)
    if isinstance(argument, ast.Name):
        # A script or notebook that appends twice and calls twice is not a conversation:
        # the call must repeat in a loop.
        return in_loop and _grown(module, function, argument)
    return False


def _grown(module: ModuleInfo, function: ast.AST | None, target: ast.AST) -> bool:
    """A growth statement on ``target`` (append/extend/insert, ``+=``, ``x = x + [...]``),
    anywhere in the module or inside ``function``."""
    text = ast.unparse(target)
    for call, where in module.calls:
        if function is not None and where.function is not function:
            continue
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in GROWTH_METHODS
            and ast.unparse(func.value) == text
        ):
            return True
    for node, where in module.assigns:
        if function is not None and where.function is not function:
            continue
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
            if ast.unparse(node.target) == text:
                return True
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp):
            if isinstance(node.value.op, ast.Add) and ast.unparse(node.value.left) == text:
                if any(ast.unparse(t) == text for t in node.targets):
                    return True
    return False
