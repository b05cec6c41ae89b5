"""Scopes of one module: every name binding per module, class or function body, built in one pass.

The pass also records every call and assignment with where it sits (its scope, enclosing
function and loops), which the Python front-end's call finder reads, so the tree is walked once.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .syntax import child_nodes, is_self

MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "pop", "clear", "remove", "setdefault"}
)


@dataclass
class Binding:
    line: int
    value: ast.AST | None  # None: bound to something we cannot see (a loop variable)
    kind: str = "assign"  # assign | aug | with | param | import | def


class ListEdit(NamedTuple):
    """A call that may add to the list a name holds: ``name.append(x)`` and the other
    mutators (``direct``), or ``helper(name, ...)``, the list handed to a function that may
    append to it. ``loops``: the loops around the call, in its scope."""

    call: ast.Call
    loops: tuple[ast.AST, ...]
    direct: bool


@dataclass
class Scope:
    """Names bound in one module, class or function body (flow-insensitive, by line)."""

    node: ast.AST
    kind: str  # module | class | function
    qualname: str
    parent: Scope | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    item_sets: dict[str, list[tuple[int, ast.AST, ast.AST]]] = field(default_factory=dict)
    mutations: dict[str, list[int]] = field(default_factory=dict)  # name.append(...) etc.
    list_edits: dict[str, list[ListEdit]] = field(default_factory=dict)  # replayed in order
    self_attrs: dict[str, list[Binding]] = field(default_factory=dict)  # classes only
    class_scope: Scope | None = None  # for methods: the class they belong to
    functions: dict[str, ast.AST] = field(default_factory=dict)
    classes: dict[str, Scope] = field(default_factory=dict)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def lookup(self, name: str, line: int | None) -> Binding | None:
        """The latest binding of ``name`` before ``line`` (any binding when none is before)."""
        found = self.bindings.get(name)
        if not found:
            return None
        if line is None or self.kind != "function":
            before = [b for b in found if line is None or b.line <= line]
            return (before or found)[-1] if self.kind != "function" else found[-1]
        before = [b for b in found if b.line < line]
        return before[-1] if before else None


@dataclass
class Visit:
    """Where a node sits: its scope, enclosing function (None at module/class level), loops."""

    scope: Scope
    function: ast.AST | None
    loops: tuple[ast.AST, ...]


class ModuleScopes:
    """A parsed module's scopes, imports, calls and assignments (built once per tree)."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.module_scope = Scope(tree, "module", "<module>")
        self.scopes: dict[ast.AST, Scope] = {tree: self.module_scope}
        self.imports: dict[str, tuple[str, str | None, int]] = {}  # alias -> (module, name, level)
        # Every call and assignment, with where it sits (read by the call finder).
        self.calls: list[tuple[ast.Call, Visit]] = []
        self.assigns: list[tuple[ast.Assign | ast.AugAssign, Visit]] = []
        _ScopeBuilder(self).build()

    def scope_of(self, node: ast.AST) -> Scope:
        return self.scopes[node]


# Nodes without children that no handler of the builder reads.
_LEAVES = frozenset({ast.Name, ast.Constant})


class _ScopeBuilder:
    """One iterative pass that records every binding per scope, and the calls and
    assignments with their context for the call finder (so the tree is walked once)."""

    def __init__(self, module: ModuleScopes):
        self.module = module

    def build(self) -> None:
        module = self.module
        top = Visit(module.module_scope, None, ())
        stack: list[tuple[ast.AST, Visit]] = [(n, top) for n in reversed(module.tree.body)]
        push = stack.append
        handlers = self._handlers()
        while stack:
            node, where = stack.pop()
            handler = handlers.get(type(node))
            if handler is not None:
                children = handler(node, where)
                if children:
                    stack.extend(reversed(children))
                continue
            # No handler: the children in order (pushed last first). Names and constants
            # are leaves no handler reads, so they are not pushed at all (a third of the
            # nodes of a typical module).
            fields = node._fields
            for index in range(len(fields) - 1, -1, -1):
                value = getattr(node, fields[index], None)
                if value.__class__ is list:
                    for item in reversed(value):
                        if isinstance(item, ast.AST) and item.__class__ not in _LEAVES:
                            push((item, where))
                elif isinstance(value, ast.AST) and value.__class__ not in _LEAVES:
                    if not isinstance(value, ast.expr_context):
                        push((value, where))

    def _handlers(self) -> dict[type, Any]:
        return {
            ast.FunctionDef: self._function,
            ast.AsyncFunctionDef: self._function,
            ast.Lambda: self._function,
            ast.ClassDef: self._class,
            ast.Assign: self._assign,
            ast.AnnAssign: self._ann_assign,
            ast.AugAssign: self._aug_assign,
            ast.NamedExpr: self._named,
            ast.For: self._for,
            ast.AsyncFor: self._for,
            ast.While: self._loop,
            ast.ListComp: self._loop,
            ast.SetComp: self._loop,
            ast.DictComp: self._loop,
            ast.GeneratorExp: self._loop,
            ast.With: self._with,
            ast.AsyncWith: self._with,
            ast.Call: self._call,
            ast.Import: self._import,
            ast.ImportFrom: self._import_from,
        }

    def _function(self, node: Any, where: Visit) -> list[tuple[ast.AST, Visit]]:
        parent = where.scope
        name = getattr(node, "name", "<lambda>")
        qual = name if parent.kind == "module" else f"{parent.qualname}.{name}"
        scope = Scope(node, "function", qual, parent=parent)
        if parent.kind == "class":
            scope.class_scope = parent
        elif parent.class_scope is not None:
            scope.class_scope = parent.class_scope
        self.module.scopes[node] = scope
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            scope.bind(arg.arg, Binding(node.lineno, arg.annotation, "param"))
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                scope.bind(arg.arg, Binding(node.lineno, None, "param"))
        children: list[tuple[ast.AST, Visit]] = []
        if not isinstance(node, ast.Lambda):
            parent.bind(name, Binding(node.lineno, node, "def"))
            parent.functions[name] = node
            children.extend((dec, where) for dec in node.decorator_list)
        inner = Visit(scope, node, ())
        body = node.body if isinstance(node.body, list) else [node.body]
        children.extend((stmt, inner) for stmt in body)
        return children

    def _class(self, node: ast.ClassDef, where: Visit) -> list[tuple[ast.AST, Visit]]:
        parent = where.scope
        qual = node.name if parent.kind == "module" else f"{parent.qualname}.{node.name}"
        scope = Scope(node, "class", qual, parent=parent)
        self.module.scopes[node] = scope
        parent.bind(node.name, Binding(node.lineno, node, "def"))
        parent.classes[node.name] = scope
        inner = Visit(scope, where.function, where.loops)
        return [(stmt, inner) for stmt in node.body]

    def _bind_target(
        self, scope: Scope, target: ast.AST, value: ast.AST | None, line: int, kind: str
    ) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, Binding(line, value, kind))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind_target(scope, elt, None, line, kind)
        elif isinstance(target, ast.Starred):
            self._bind_target(scope, target.value, None, line, kind)
        elif isinstance(target, ast.Attribute) and is_self(target.value):
            owner = scope.class_scope
            if owner is not None:
                owner.self_attrs.setdefault(target.attr, []).append(Binding(line, value, kind))
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            if value is not None:
                scope.item_sets.setdefault(target.value.id, []).append((line, target.slice, value))

    def _assign(self, node: ast.Assign, where: Visit) -> list[tuple[ast.AST, Visit]]:
        for target in node.targets:
            self._bind_target(where.scope, target, node.value, node.lineno, "assign")
        self.module.assigns.append((node, where))
        return [(node.value, where)]

    def _ann_assign(self, node: ast.AnnAssign, where: Visit) -> list[tuple[ast.AST, Visit]]:
        if node.value is None and where.scope.kind == "class":
            # dataclass field without default: keep the annotation
            self._bind_target(where.scope, node.target, node.annotation, node.lineno, "param")
        else:
            self._bind_target(where.scope, node.target, node.value, node.lineno, "assign")
        return [(node.value, where)] if node.value is not None else []

    def _aug_assign(self, node: ast.AugAssign, where: Visit) -> list[tuple[ast.AST, Visit]]:
        self._bind_target(where.scope, node.target, node, node.lineno, "aug")
        self.module.assigns.append((node, where))
        return [(node.value, where)]

    def _named(self, node: ast.NamedExpr, where: Visit) -> list[tuple[ast.AST, Visit]]:
        self._bind_target(where.scope, node.target, node.value, node.lineno, "assign")
        return [(node.value, where)]

    def _loop(self, node: ast.AST, where: Visit) -> list[tuple[ast.AST, Visit]]:
        inner = Visit(where.scope, where.function, (*where.loops, node))
        return [(child, inner) for child in child_nodes(node)]

    def _for(self, node: ast.For | ast.AsyncFor, where: Visit) -> list[tuple[ast.AST, Visit]]:
        self._bind_target(where.scope, node.target, None, node.lineno, "loop")
        # The iterable is evaluated once, before the loop: `for chunk in stream(...)` does not
        # put the stream call inside the loop.
        inner = Visit(where.scope, where.function, (*where.loops, node))
        return [(child, where if child is node.iter else inner) for child in child_nodes(node)]

    def _with(self, node: ast.With | ast.AsyncWith, where: Visit) -> list[tuple[ast.AST, Visit]]:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind_target(
                    where.scope, item.optional_vars, item.context_expr, node.lineno, "with"
                )
        return [(child, where) for child in child_nodes(node)]

    def _call(self, node: ast.Call, where: Visit) -> list[tuple[ast.AST, Visit]]:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in MUTATORS
            and isinstance(func.value, ast.Name)
        ):
            where.scope.mutations.setdefault(func.value.id, []).append(node.lineno)
            edit = ListEdit(node, where.loops, direct=True)
            where.scope.list_edits.setdefault(func.value.id, []).append(edit)
        for argument in node.args:
            if isinstance(argument, ast.Name):
                edit = ListEdit(node, where.loops, direct=False)
                where.scope.list_edits.setdefault(argument.id, []).append(edit)
        self.module.calls.append((node, where))
        return [(child, where) for child in child_nodes(node)]

    def _import(self, node: ast.Import, where: Visit) -> list[tuple[ast.AST, Visit]]:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            target = alias.name if alias.asname else alias.name.split(".")[0]
            self.module.imports[bound] = (target, None, 0)
            where.scope.bind(bound, Binding(node.lineno, node, "import"))
        return []

    def _import_from(self, node: ast.ImportFrom, where: Visit) -> list[tuple[ast.AST, Visit]]:
        for alias in node.names:
            if alias.name == "*":
                continue
            bound = alias.asname or alias.name
            self.module.imports[bound] = (node.module or "", alias.name, node.level)
            where.scope.bind(bound, Binding(node.lineno, node, "import"))
        return []
