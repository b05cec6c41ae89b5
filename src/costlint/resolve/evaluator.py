"""The evaluator: turns an expression of one module into a value, dispatching over node types.

``Resolver`` handles names, bindings, attributes, subscripts, operators, containers and calls
of project functions itself; strings, paths, containers' calls and Jinja2 go to the handlers
registered in ``handlers``, each handed this resolver as an ``Evaluator``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import Any

from ..site import UNKNOWN, Str
from . import handlers, list_edits
from .cells import run_line
from .paths import path_attr
from .project import ModuleInfo
from .protocol import NOT_HANDLED, NodeHandler
from .scope import Binding, Scope
from .strings import percent_format
from .syntax import call_name, hole_name, is_self, line_of, own_nodes
from .values import ClassRef, FileRead, ModuleRef, PathValue

MAX_DEPTH = 40
_STDLIB_ALIASES = frozenset({"pathlib", "textwrap", "inspect", "os", "os.path"})


class Resolver:
    """Evaluates expressions of one module to values (see module docstring)."""

    def __init__(self, module: ModuleInfo):
        self.module = module
        self.project = module.project
        self._active: set[tuple[int, int]] = set()
        # Argument values of the helper calls being evaluated: function scope id -> name -> value.
        self._arguments: dict[int, dict[str, Any]] = {}

    # -- public -----------------------------------------------------------------------------
    def value(self, node: ast.AST | None, scope: Scope, line: int | None = None) -> Any:
        if node is None:
            return UNKNOWN
        return self.evaluate(node, scope, line if line is not None else line_of(node), 0)

    def binding_of(self, name: str, scope: Scope, line: int | None) -> tuple[Binding, Scope] | None:
        current: Scope | None = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            # a global read in a notebook's function: as bound when a cell runs the function
            outer = None if first or current.parent is not None else run_line(self.module, scope)
            binding = current.lookup(name, line if first else outer)
            if binding is not None:
                return binding, current
            if first and current.kind == "function" and name in current.bindings:
                return None  # assigned in this function only after the call
            current = current.parent
            first = False
        return None

    # -- evaluation -------------------------------------------------------------------------
    def evaluate(self, node: ast.AST, scope: Scope, line: int, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return UNKNOWN
        key = (id(node), id(scope))
        if key in self._active:
            return UNKNOWN
        self._active.add(key)
        try:
            handler = _NODE_HANDLERS.get(type(node))
            if handler is None:
                return UNKNOWN
            return handler(self, node, scope, line, depth + 1)
        except RecursionError:
            return UNKNOWN
        finally:
            self._active.discard(key)

    def _eval_Constant(self, node: ast.Constant, scope: Scope, line: int, depth: int) -> Any:
        return node.value

    def _eval_BinOp(self, node: ast.BinOp, scope: Scope, line: int, depth: int) -> Any:
        left = self.evaluate(node.left, scope, line, depth)
        right = self.evaluate(node.right, scope, line, depth)
        if isinstance(node.op, ast.Add):
            if isinstance(left, str) or isinstance(right, str):
                lhs = left if isinstance(left, str) else Str.hole(hole_name(node.left))
                rhs = right if isinstance(right, str) else Str.hole(hole_name(node.right))
                return Str.concat([lhs, rhs])
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            if isinstance(left, (int, float)) and isinstance(right, (int, float)):
                return left + right
            return UNKNOWN
        if isinstance(node.op, ast.Div) and isinstance(left, PathValue):
            if isinstance(right, str):
                return PathValue(left.path / right)
            return UNKNOWN
        if isinstance(node.op, ast.Mod) and isinstance(left, str):
            return percent_format(left, right)
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            try:
                return _arith(node.op, left, right)
            except (ArithmeticError, ValueError, OverflowError):
                return UNKNOWN
        if isinstance(node.op, ast.Mult) and isinstance(left, str) and isinstance(right, int):
            return Str(left * max(0, min(right, 10_000))) if right < 10_000 else UNKNOWN
        return UNKNOWN

    def _eval_UnaryOp(self, node: ast.UnaryOp, scope: Scope, line: int, depth: int) -> Any:
        value = self.evaluate(node.operand, scope, line, depth)
        if isinstance(node.op, ast.USub) and isinstance(value, (int, float)):
            return -value
        return UNKNOWN

    def _eval_List(self, node: ast.List | ast.Tuple, scope: Scope, line: int, depth: int) -> Any:
        items: list[Any] = []
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                inner = self.evaluate(elt.value, scope, line, depth)
                if not isinstance(inner, list):
                    return UNKNOWN
                items.extend(inner)
            else:
                items.append(self.evaluate(elt, scope, line, depth))
        return items

    def _eval_Dict(self, node: ast.Dict, scope: Scope, line: int, depth: int) -> Any:
        result: dict[str, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                inner = self.evaluate(value, scope, line, depth)
                if not isinstance(inner, dict):
                    return UNKNOWN
                result.update(inner)
                continue
            name = self.evaluate(key, scope, line, depth)
            if isinstance(name, str):
                result[str(name)] = self.evaluate(value, scope, line, depth)
        return result

    def _eval_Name(self, node: ast.Name, scope: Scope, line: int, depth: int) -> Any:
        if node.id == "__file__":
            return PathValue(PurePath(self.module.path))
        found = self.binding_of(node.id, scope, line)
        if found is None:
            return UNKNOWN
        binding, owner = found
        value = self._binding_value(node.id, binding, owner, depth)
        if isinstance(value, list) and binding.kind == "assign" and owner.list_edits.get(node.id):
            replayed = list_edits.replay(self, node.id, value, binding, owner, line, depth)
            if replayed is not None:
                return replayed
        if isinstance(value, (list, dict)) and _mutated(owner, node.id, binding.line, line):
            return UNKNOWN  # filled by append/extend/update after it was written
        if isinstance(value, dict) and owner.item_sets.get(node.id):
            value = self._apply_item_sets(node.id, value, binding, owner, line, depth)
        return value

    def _binding_value(self, name: str, binding: Binding, owner: Scope, depth: int) -> Any:
        if binding.kind == "param":
            return self._arguments.get(id(owner), {}).get(name, UNKNOWN)
        if binding.kind == "loop" or binding.value is None:
            return UNKNOWN
        if binding.kind == "import":
            return self._imported(name)
        if binding.kind == "def":
            if isinstance(binding.value, ast.ClassDef) and name in owner.classes:
                return ClassRef(owner.classes[name])
            return UNKNOWN
        if binding.kind == "aug":
            return self._augmented(name, binding, owner, depth)
        if binding.kind == "with":
            opened = self.evaluate(binding.value, owner, binding.line, depth)
            return opened if isinstance(opened, FileRead) else UNKNOWN
        return self.evaluate(binding.value, owner, binding.line, depth)

    def _augmented(self, name: str, binding: Binding, owner: Scope, depth: int) -> Any:
        node = binding.value
        if not isinstance(node, ast.AugAssign) or not isinstance(node.op, ast.Add):
            return UNKNOWN
        previous = owner.lookup(name, binding.line)
        if previous is None or previous is binding or previous.line >= binding.line:
            return UNKNOWN
        left = self._binding_value(name, previous, owner, depth + 1)
        right = self.evaluate(node.value, owner, binding.line, depth)
        if isinstance(left, str) and isinstance(right, str):
            return Str.concat([left, right])
        if isinstance(left, list) and isinstance(right, list):
            return left + right
        return UNKNOWN

    def _apply_item_sets(
        self, name: str, value: dict, binding: Binding, owner: Scope, line: int, depth: int
    ) -> dict:
        result = dict(value)
        for set_line, key_node, value_node in owner.item_sets.get(name, []):
            if binding.line < set_line < line or (owner.kind != "function" and set_line > 0):
                key = self.evaluate(key_node, owner, set_line, depth)
                if isinstance(key, str):
                    result[str(key)] = self.evaluate(value_node, owner, set_line, depth)
        return result

    def _imported(self, name: str) -> Any:
        target = self.module.imports.get(name)
        if target is None or self.project is None:
            return UNKNOWN
        module_name, attr, level = target
        if attr is None:
            path = self.project.find_module(module_name, level, self.module.path)
            module = self.project.module_at(path) if path else None
            return ModuleRef(module) if module else UNKNOWN
        path = self.project.find_module(module_name, level, self.module.path)
        module = self.project.module_at(path) if path else None
        if module is not None and module.module_scope.lookup(attr, None) is not None:
            return module_constant(module, attr)
        sub = self.project.find_module(
            f"{module_name}.{attr}" if module_name else attr, level, self.module.path
        )
        sub_module = self.project.module_at(sub) if sub else None
        return ModuleRef(sub_module) if sub_module else UNKNOWN

    def _eval_Attribute(self, node: ast.Attribute, scope: Scope, line: int, depth: int) -> Any:
        if is_self(node.value):
            return self._self_attr(node.attr, scope, depth)
        if node.attr == "value" and isinstance(node.value, ast.Attribute):
            owner = self.evaluate(node.value.value, scope, line, depth)
            if isinstance(owner, ClassRef) and _is_enum(owner.scope.node):
                return self._class_attr(owner.scope, node.value.attr, depth)  # Model.FAST.value
        base = self.evaluate(node.value, scope, line, depth)
        if isinstance(base, ModuleRef):
            return module_constant(base.module, node.attr)
        if isinstance(base, ClassRef):
            return self._class_attr(base.scope, node.attr, depth)
        if isinstance(base, PathValue):
            return path_attr(base, node.attr)
        return UNKNOWN

    def _self_attr(self, attr: str, scope: Scope, depth: int) -> Any:
        owner = scope.class_scope if scope.kind == "function" else scope
        if owner is None:
            return UNKNOWN
        return self._class_attr(owner, attr, depth)

    def _class_attr(self, cls: Scope, attr: str, depth: int) -> Any:
        bindings = cls.self_attrs.get(attr)
        if bindings:
            if len({ast.dump(b.value) if b.value else "" for b in bindings}) > 1:
                return UNKNOWN  # assigned different values in different methods
            binding = bindings[-1]
            if binding.value is None or binding.kind == "aug":
                return UNKNOWN
            method_scope = self._scope_containing(cls, binding.line)
            return self.evaluate(binding.value, method_scope or cls, binding.line, depth)
        class_binding = cls.lookup(attr, None)
        if class_binding is None or class_binding.kind == "param":
            return UNKNOWN
        if class_binding.value is None:
            return UNKNOWN
        value = class_binding.value
        if (
            isinstance(value, ast.Call)
            and call_name(value.func) == "field"
            and any(k.arg == "default" for k in value.keywords)
        ):
            value = next(k.value for k in value.keywords if k.arg == "default")
        return self.evaluate(value, cls, class_binding.line, depth)

    def _scope_containing(self, cls: Scope, line: int) -> Scope | None:
        for name, fn in cls.functions.items():
            del name
            end = getattr(fn, "end_lineno", fn.lineno) or fn.lineno
            if fn.lineno <= line <= end:
                return self.module.scopes.get(fn)
        return None

    def _eval_Subscript(self, node: ast.Subscript, scope: Scope, line: int, depth: int) -> Any:
        base = self.evaluate(node.value, scope, line, depth)
        if isinstance(node.slice, ast.Slice):
            return UNKNOWN
        key = self.evaluate(node.slice, scope, line, depth)
        if isinstance(base, dict) and isinstance(key, str):
            return base.get(str(key), UNKNOWN)
        if isinstance(base, list) and isinstance(key, int) and not isinstance(key, bool):
            try:
                return base[key]
            except IndexError:
                return UNKNOWN
        if isinstance(base, PathValue) and isinstance(key, int):
            return path_attr(base, "parents", key)
        return UNKNOWN

    def _eval_IfExp(self, node: ast.IfExp, scope: Scope, line: int, depth: int) -> Any:
        """``x.content if isinstance(x, Message) else x`` with ``x`` a resolved text, list or
        dict: such a value is never an instance of a named class (an SDK or project type),
        so the ``else`` branch; any other conditional is unknown."""
        test = node.test
        if not (
            isinstance(test, ast.Call)
            and call_name(test.func) == "isinstance"
            and len(test.args) == 2
            and not test.keywords
        ):
            return UNKNOWN
        kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        if not kinds or not all(_named_class(kind) for kind in kinds):
            return UNKNOWN
        subject = self.evaluate(test.args[0], scope, line, depth)
        if type(subject) not in (str, Str, list, dict):
            return UNKNOWN
        return self.evaluate(node.orelse, scope, line, depth)

    def _eval_Await(self, node: ast.Await, scope: Scope, line: int, depth: int) -> Any:
        return UNKNOWN

    def _canonical(self, name: str) -> str:
        """Standard-library names under an alias: ``_Path`` (``from pathlib import Path as
        _Path``) -> ``Path``, ``pl.Path`` (``import pathlib as pl``) -> ``pathlib.Path``."""
        head, _, rest = name.partition(".")
        target = self.module.imports.get(head) if head else None
        if target is None:
            return name
        module, attr, level = target
        if level or module not in _STDLIB_ALIASES:
            return name
        base = attr if attr is not None else module
        return base + ("." + rest if rest else "")

    def _eval_Call(self, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        func = node.func
        name = self._canonical(call_name(func))
        jinja = handlers.jinja_call(self, node, name, scope, line, depth)
        if jinja is not None:
            return jinja
        if isinstance(func, ast.Attribute):
            return self._method_call(node, func, scope, line, depth)
        handler = handlers.call_handler(name)
        if handler is not None:
            value = handler(self, name, node, scope, line, depth)
            if value is not NOT_HANDLED:
                return value
        if isinstance(func, ast.Name):
            return self._local_function(func.id, node, scope, line, depth)
        return UNKNOWN

    def keywords_into(
        self, result: dict[str, Any], node: ast.Call, scope: Scope, line: int, depth: int
    ) -> Any:
        for keyword in node.keywords:
            if keyword.arg is None:
                inner = self.evaluate(keyword.value, scope, line, depth)
                if not isinstance(inner, dict):
                    return UNKNOWN
                result.update(inner)
            else:
                result[keyword.arg] = self.evaluate(keyword.value, scope, line, depth)
        return result

    def _method_call(
        self, node: ast.Call, func: ast.Attribute, scope: Scope, line: int, depth: int
    ) -> Any:
        method = func.attr
        receiver_name = self._canonical(call_name(func.value))
        function = handlers.MODULE_FUNCTION_HANDLERS.get((receiver_name, method))
        if function is not None:
            value = function(self, method, node, scope, line, depth)
            if value is not NOT_HANDLED:
                return value
        receiver = self.evaluate(func.value, scope, line, depth)
        for kinds, handler in handlers.METHOD_HANDLERS:
            if isinstance(receiver, kinds):
                return handler(self, receiver, method, node, scope, line, depth)
        if isinstance(receiver, ModuleRef):
            return self.module_function(receiver.module, method, node, depth)
        return UNKNOWN

    def _local_function(
        self, name: str, node: ast.Call, scope: Scope, line: int, depth: int
    ) -> Any:
        found = self.project_function(name, scope, line)
        if found is None:
            return UNKNOWN
        module, fn = found
        return self._function_result(module, fn, depth, (node, scope, line))

    def project_function(
        self, name: str, scope: Scope, line: int
    ) -> tuple[ModuleInfo, ast.AST] | None:
        """The project function ``name`` runs when called at ``line``: defined in this module,
        or imported from another project module (None for a class or anything else)."""
        found = self.binding_of(name, scope, line)
        if found is None:
            return None
        binding = found[0]
        if binding.kind == "def":
            return None if isinstance(binding.value, ast.ClassDef) else (self.module, binding.value)
        target = self.module.imports.get(name) if binding.kind == "import" else None
        if not target or not target[1] or self.project is None:
            return None
        path = self.project.find_module(target[0], target[2], self.module.path)
        module = self.project.module_at(path) if path else None
        fn = module.module_scope.functions.get(target[1]) if module is not None else None
        return (module, fn) if module is not None and fn is not None else None

    def module_function(
        self,
        module: ModuleInfo,
        name: str,
        node: ast.Call,
        depth: int,
        arguments: tuple[ast.Call, Scope, int] | None = None,
    ) -> Any:
        fn = module.module_scope.functions.get(name)
        if fn is None:
            return UNKNOWN
        return self._function_result(module, fn, depth, arguments)

    def _function_result(
        self,
        module: ModuleInfo,
        fn: ast.AST | None,
        depth: int,
        arguments: tuple[ast.Call, Scope, int] | None = None,
    ) -> Any:
        """The value of a helper whose body ends in ``return <expr>``, its parameters bound
        to the call's arguments (``load("fewshot.txt")``) or their defaults; unknown otherwise."""
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return UNKNOWN
        returns = [n for n in own_nodes(fn) if isinstance(n, ast.Return)]
        if len(returns) != 1 or returns[0].value is None:
            return UNKNOWN  # several returns: the value depends on the branch taken
        return self.in_call(module, fn, returns[0].value, returns[0].lineno, depth, arguments)

    def in_call(
        self,
        module: ModuleInfo,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        node: ast.AST,
        line: int,
        depth: int,
        arguments: tuple[ast.Call, Scope, int] | None = None,
    ) -> Any:
        """The value of ``node`` (an expression in ``fn``'s body) for one call of ``fn``,
        its parameters bound to the call's arguments or their defaults."""
        resolver = self if module is self.module else Resolver(module)
        scope = module.scopes.get(fn)
        if scope is None:
            return UNKNOWN
        bound = self._bound_arguments(fn, scope, depth, arguments)
        saved = resolver._arguments.get(id(scope))
        resolver._arguments[id(scope)] = bound
        try:
            return resolver.evaluate(node, scope, line, depth)
        finally:
            if saved is None:
                resolver._arguments.pop(id(scope), None)
            else:
                resolver._arguments[id(scope)] = saved

    def _bound_arguments(
        self,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        scope: Scope,
        depth: int,
        arguments: tuple[ast.Call, Scope, int] | None,
    ) -> dict[str, Any]:
        """Parameter values for one call: arguments evaluated where the call is written,
        defaults where the function is defined (plain functions; not ``self``)."""
        params = [*fn.args.posonlyargs, *fn.args.args]
        defaults = fn.args.defaults
        bound: dict[str, Any] = {}
        outer = scope.parent or scope
        for param, default in zip(params[len(params) - len(defaults) :], defaults, strict=True):
            bound[param.arg] = self._value_of(default, outer, fn.lineno, depth)
        for param, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
            if default is not None:
                bound[param.arg] = self._value_of(default, outer, fn.lineno, depth)
        if arguments is None:
            return bound
        call, caller_scope, line = arguments
        names = [p.arg for p in params]
        for position, argument in enumerate(call.args):
            if isinstance(argument, ast.Starred) or position >= len(names):
                break
            bound[names[position]] = self.evaluate(argument, caller_scope, line, depth + 1)
        for keyword in call.keywords:
            if keyword.arg is not None:
                bound[keyword.arg] = self.evaluate(keyword.value, caller_scope, line, depth + 1)
        return bound

    def call_arguments(
        self,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        call: ast.Call,
        scope: Scope,
        skip_first: bool = False,
    ) -> dict[str, Any]:
        """The values one call written in this module (in ``scope``) passes to ``fn``'s
        parameters, by name; ``skip_first`` for a method or constructor called on an object
        (``self`` is not passed). Parameters the call leaves out are not in the result. A
        ``**kwargs`` parameter is bound to the dict of keywords no other parameter takes; a
        ``**`` mapping that cannot be read adds nothing (it cannot repeat a written keyword)."""
        params = [p.arg for p in (*fn.args.posonlyargs, *fn.args.args)]
        if skip_first:
            params = params[1:]
        bound: dict[str, Any] = {}
        for position, argument in enumerate(call.args):
            if isinstance(argument, ast.Starred) or position >= len(params):
                break
            bound[params[position]] = self.value(argument, scope, call.lineno)
        named = {*params, *(p.arg for p in fn.args.kwonlyargs)}
        extra: dict[str, Any] = {}
        for keyword in call.keywords:
            value = self.value(keyword.value, scope, call.lineno)
            if keyword.arg is not None:
                bound[keyword.arg] = value
                if keyword.arg not in named:
                    extra[keyword.arg] = value
            elif isinstance(value, dict):
                for key, item in value.items():
                    if key in named:
                        bound.setdefault(key, item)
                    else:
                        extra[key] = item
        if fn.args.kwarg is not None:
            bound[fn.args.kwarg.arg] = extra
        return bound

    def parameter_defaults(
        self, fn: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> dict[str, Any]:
        """The values of ``fn``'s parameter defaults (``fn`` is a function of this module)."""
        return self._bound_arguments(fn, scope, 0, None)

    @contextmanager
    def bound(self, scope: Scope, values: dict[str, Any]) -> Iterator[None]:
        """Evaluate with the parameters of the function ``scope`` bound to ``values`` (one
        call of it, as value flow follows a prompt to a caller)."""
        saved = self._arguments.get(id(scope))
        self._arguments[id(scope)] = values
        try:
            yield
        finally:
            if saved is None:
                self._arguments.pop(id(scope), None)
            else:
                self._arguments[id(scope)] = saved

    def _value_of(self, node: ast.AST, scope: Scope, line: int, depth: int) -> Any:
        return self.evaluate(node, scope, line, depth + 1)


# Types a text, list or dict can be an instance of (builtins, typing and collections.abc).
_PLAIN_TYPES = frozenset(
    {
        "Any", "AnyStr", "Collection", "Container", "Dict", "Hashable", "Iterable", "Iterator",
        "List", "Mapping", "MutableMapping", "MutableSequence", "Reversible", "Sequence",
        "Sized", "Text", "UserDict", "UserList", "UserString",
    }
)  # fmt: skip


def _named_class(node: ast.AST) -> bool:
    """A class named in CamelCase (``Message``, ``types.Message``) that no plain text, list
    or dict is an instance of."""
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    name = call_name(node).rsplit(".", 1)[-1]
    return name[:1].isupper() and name not in _PLAIN_TYPES


def _is_enum(node: ast.AST) -> bool:
    """A class whose bases include an ``enum`` class (``Enum``, ``StrEnum``, ``enum.IntEnum``)."""
    bases = getattr(node, "bases", [])
    return any(call_name(base).rsplit(".", 1)[-1].endswith("Enum") for base in bases)


def _mutated(owner: Scope, name: str, bound: int, line: int) -> bool:
    lines = owner.mutations.get(name)
    if not lines:
        return False
    if owner.kind != "function":
        return True  # a module or class list may be filled anywhere, at any time
    return any(bound <= at < line for at in lines)


def module_constant(module: ModuleInfo, name: str) -> Any:
    """The value a module binds to ``name`` at top level."""
    binding = module.module_scope.lookup(name, None)
    if binding is None:
        return UNKNOWN
    resolver = Resolver(module)
    if binding.kind == "def" and isinstance(binding.value, ast.ClassDef):
        return ClassRef(module.module_scope.classes[name])
    return resolver._binding_value(name, binding, module.module_scope, 0)


def _arith(op: ast.operator, left: float, right: float) -> Any:
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.FloorDiv):
        return left // right
    if isinstance(op, ast.Div):
        return left / right
    return UNKNOWN


_NODE_HANDLERS: dict[type[ast.AST], NodeHandler] = {
    ast.Constant: Resolver._eval_Constant,
    ast.BinOp: Resolver._eval_BinOp,
    ast.UnaryOp: Resolver._eval_UnaryOp,
    ast.List: Resolver._eval_List,
    ast.Tuple: Resolver._eval_List,
    ast.Dict: Resolver._eval_Dict,
    ast.Name: Resolver._eval_Name,
    ast.Attribute: Resolver._eval_Attribute,
    ast.Subscript: Resolver._eval_Subscript,
    ast.Await: Resolver._eval_Await,
    ast.IfExp: Resolver._eval_IfExp,
    ast.Call: Resolver._eval_Call,
    **handlers.NODE_HANDLERS,
}
