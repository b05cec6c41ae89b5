"""Turn Python expressions into values, statically, where the source allows.

The resolver never imports or runs scanned code. It understands literals, module constants,
names imported from other modules of the same project, class attributes and dataclass
defaults, local variables, f-strings and ``.format`` (unknown parts become ``{name}``
placeholders), ``+``, ``"".join``, ``textwrap.dedent``, ``Path(...).read_text()`` and
``open(...).read()`` of files inside the project root, and request dicts built with
``dict(...)`` or ``{...}`` (including later ``params["k"] = v``). Everything else is
``UNKNOWN``.
"""

from __future__ import annotations

import ast
import string
import textwrap
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from .site import UNKNOWN, Str

MAX_DEPTH = 40
MODULE_CACHE_SIZE = 64  # analysed modules kept for cross-module resolution
PROMPT_FILE_LIMIT = 2_000_000  # bytes read from one prompt file
_STR_METHODS = {"strip", "lstrip", "rstrip", "lower", "upper", "title", "casefold"}
_DEDENT = {"dedent", "cleandoc"}
_STDLIB_ALIASES = frozenset({"pathlib", "textwrap", "inspect", "os", "os.path"})
MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "pop", "clear", "remove", "setdefault"}
)


@dataclass
class Binding:
    line: int
    value: ast.AST | None  # None: bound to something we cannot see (a loop variable)
    kind: str = "assign"  # assign | aug | with | param | import | def


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
class PathValue:
    """A filesystem path computed from the source (``Path(__file__).parent / "x.txt"``)."""

    path: PurePath


@dataclass
class ModuleRef:
    """A module of the project, imported by name."""

    module: ModuleInfo


@dataclass
class FileRead:
    """An open file handle (``open(p)``) whose ``.read()`` is the file's text."""

    path: PathValue


class ModuleInfo:
    """A parsed module with its scopes, built once per file."""

    def __init__(self, tree: ast.Module, path: Path, project: Project | None):
        self.tree = tree
        self.path = path
        self.project = project
        self.module_scope = Scope(tree, "module", "<module>")
        self.scopes: dict[ast.AST, Scope] = {tree: self.module_scope}
        self.imports: dict[str, tuple[str, str | None, int]] = {}  # alias -> (module, name, level)
        # Every call and assignment, with where it sits (read by the call finder).
        self.calls: list[tuple[ast.Call, Visit]] = []
        self.assigns: list[tuple[ast.Assign | ast.AugAssign, Visit]] = []
        _ScopeBuilder(self).build()

    def scope_of(self, node: ast.AST) -> Scope:
        return self.scopes[node]


_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_LOOP_NODES = (
    ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
)  # fmt: skip


@dataclass
class Visit:
    """Where a node sits: its scope, enclosing function (None at module/class level), loops."""

    scope: Scope
    function: ast.AST | None
    loops: tuple[ast.AST, ...]


class _ScopeBuilder:
    """One iterative pass that records every binding per scope, and the calls and
    assignments with their context for the call finder (so the tree is walked once)."""

    def __init__(self, module: ModuleInfo):
        self.module = module

    def build(self) -> None:
        module = self.module
        top = Visit(module.module_scope, None, ())
        stack: list[tuple[ast.AST, Visit]] = [(n, top) for n in reversed(module.tree.body)]
        handlers = self._handlers()
        while stack:
            node, where = stack.pop()
            handler = handlers.get(type(node))
            if handler is not None:
                children = handler(node, where)
            else:
                children = [(child, where) for child in _child_nodes(node)]
            if children:
                stack.extend(reversed(children))

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
        elif isinstance(target, ast.Attribute) and _is_self(target.value):
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
        return [(child, inner) for child in _child_nodes(node)]

    def _for(self, node: ast.For | ast.AsyncFor, where: Visit) -> list[tuple[ast.AST, Visit]]:
        self._bind_target(where.scope, node.target, None, node.lineno, "loop")
        return self._loop(node, where)

    def _with(self, node: ast.With | ast.AsyncWith, where: Visit) -> list[tuple[ast.AST, Visit]]:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind_target(
                    where.scope, item.optional_vars, item.context_expr, node.lineno, "with"
                )
        return [(child, where) for child in _child_nodes(node)]

    def _call(self, node: ast.Call, where: Visit) -> list[tuple[ast.AST, Visit]]:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in MUTATORS
            and isinstance(func.value, ast.Name)
        ):
            where.scope.mutations.setdefault(func.value.id, []).append(node.lineno)
        self.module.calls.append((node, where))
        return [(child, where) for child in _child_nodes(node)]

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


def _child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` without its two generators (this is the hot loop)."""
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


class Project:
    """The tree being scanned: its root, and parsed modules for cross-module resolution."""

    def __init__(self, root: Path, read_limit: int = PROMPT_FILE_LIMIT):
        self.root = root.resolve()
        self.read_limit = read_limit
        self._modules: dict[Path, ModuleInfo | None] = {}
        self._texts: dict[Path, str | None] = {}
        self.files_read: set[Path] = set()
        # Files the current extraction depends on (per-file cache); None when not tracking.
        self.touched: set[Path] | None = None
        # Set when it also depends on something no file hash covers (a glob's matches).
        self.uncacheable = False

    def register(self, path: Path, module: ModuleInfo) -> None:
        self._remember(path.resolve(), module)

    def register_tree(self, path: Path, tree: ast.Module) -> None:
        """A module without Claude calls: not kept (memory); re-parsed if something imports it."""
        del path, tree

    def _remember(self, key: Path, module: ModuleInfo | None) -> None:
        """Bounded cache of analysed modules, so memory stays flat on large trees."""
        self._modules[key] = module
        if len(self._modules) > MODULE_CACHE_SIZE:
            self._modules.pop(next(iter(self._modules)))

    def inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def module_at(self, path: Path) -> ModuleInfo | None:
        key = path.resolve()
        if self.touched is not None:
            self.touched.add(key)
        if key not in self._modules:
            self._modules[key] = None  # guards against import cycles
            self._remember(key, self._parse(key))
        return self._modules.get(key)

    def _parse(self, path: Path) -> ModuleInfo | None:
        if not self.inside(path) or not path.is_file():
            return None
        try:
            if path.stat().st_size > self.read_limit:
                return None
            source = path.read_text(encoding="utf-8-sig")
            tree = ast.parse(source, filename=str(path))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return ModuleInfo(tree, path, self)

    def find_module(self, name: str, level: int, from_file: Path) -> Path | None:
        """Locate ``name`` (dotted; relative when level > 0) as a file in the project."""
        parts = [p for p in name.split(".") if p]
        if level:
            base = from_file.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = [self.root, self.root / "src"]
            parent = from_file.parent
            while self.inside(parent):
                bases.append(parent)
                if parent == self.root:
                    break
                parent = parent.parent
        for base in bases:
            candidate = base.joinpath(*parts) if parts else base
            for option in (candidate.with_suffix(".py"), candidate / "__init__.py"):
                if parts and option == candidate.with_suffix(".py") and not candidate.name:
                    continue
                if option.is_file() and self.inside(option):
                    return option
                if self.touched is not None:
                    self.touched.add(option)  # a module created here later would shadow
        return None

    def read_text(self, path: Path) -> str | None:
        key = path.resolve() if path.is_absolute() else (self.root / path).resolve()
        if self.touched is not None:
            self.touched.add(key)
        if key in self._texts:
            return self._texts[key]
        text: str | None = None
        if self.inside(key) and key.is_file():
            try:
                if key.stat().st_size <= self.read_limit:
                    text = key.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = None
        self._texts[key] = text
        if text is not None:
            self.files_read.add(key)
        return text

    # -- Jinja2 templates (see extract/templates.py) --------------------------------------------
    def configure_templates(self, extra: dict[str, Any]) -> None:
        """Template settings from config (``placeholder-tokens``, ``template-dirs``)."""
        from .extract.templates import TemplateOptions, TemplateRenderer

        self._templates = TemplateRenderer(self, TemplateOptions.from_extra(self.root, extra))

    @property
    def templates(self) -> Any:
        """The run's ``TemplateRenderer`` (default settings unless configured)."""
        if self.__dict__.get("_templates") is None:
            self.configure_templates({})
        return self._templates

    def template_diagnostics(self, cwd: Path) -> list[Any]:
        """Templates that code renders but that could not be rendered, as diagnostics."""
        renderer = self.__dict__.get("_templates")
        return renderer.diagnostics(cwd) if renderer is not None else []


class Resolver:
    """Evaluates expressions of one module to values (see module docstring)."""

    def __init__(self, module: ModuleInfo):
        self.module = module
        self.project = module.project
        self._active: set[tuple[int, int]] = set()

    # -- public -----------------------------------------------------------------------------
    def value(self, node: ast.AST | None, scope: Scope, line: int | None = None) -> Any:
        if node is None:
            return UNKNOWN
        return self._eval(node, scope, line if line is not None else _line(node), 0)

    def binding_of(self, name: str, scope: Scope, line: int | None) -> tuple[Binding, Scope] | None:
        current: Scope | None = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            binding = current.lookup(name, line if first else None)
            if binding is not None:
                return binding, current
            if first and current.kind == "function" and name in current.bindings:
                return None  # assigned in this function only after the call
            current = current.parent
            first = False
        return None

    # -- evaluation -------------------------------------------------------------------------
    def _eval(self, node: ast.AST, scope: Scope, line: int, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return UNKNOWN
        key = (id(node), id(scope))
        if key in self._active:
            return UNKNOWN
        self._active.add(key)
        try:
            method = getattr(self, "_eval_" + type(node).__name__, None)
            if method is None:
                return UNKNOWN
            return method(node, scope, line, depth + 1)
        except RecursionError:
            return UNKNOWN
        finally:
            self._active.discard(key)

    def _eval_Constant(self, node: ast.Constant, scope: Scope, line: int, depth: int) -> Any:
        return node.value

    def _eval_JoinedStr(self, node: ast.JoinedStr, scope: Scope, line: int, depth: int) -> Any:
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
            elif isinstance(part, ast.FormattedValue):
                parts.append(self._formatted(part.value, scope, line, depth))
            else:
                parts.append(Str.hole("value"))
        return Str.concat(parts)

    def _formatted(self, node: ast.AST, scope: Scope, line: int, depth: int) -> str:
        value = self._eval(node, scope, line, depth)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return value if isinstance(value, str) else str(value)
        return Str.hole(_hole_name(node))

    def _eval_BinOp(self, node: ast.BinOp, scope: Scope, line: int, depth: int) -> Any:
        left = self._eval(node.left, scope, line, depth)
        right = self._eval(node.right, scope, line, depth)
        if isinstance(node.op, ast.Add):
            if isinstance(left, str) or isinstance(right, str):
                lhs = left if isinstance(left, str) else Str.hole(_hole_name(node.left))
                rhs = right if isinstance(right, str) else Str.hole(_hole_name(node.right))
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
            return _percent_format(left, right)
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            try:
                return _arith(node.op, left, right)
            except (ArithmeticError, ValueError, OverflowError):
                return UNKNOWN
        if isinstance(node.op, ast.Mult) and isinstance(left, str) and isinstance(right, int):
            return Str(left * max(0, min(right, 10_000))) if right < 10_000 else UNKNOWN
        return UNKNOWN

    def _eval_UnaryOp(self, node: ast.UnaryOp, scope: Scope, line: int, depth: int) -> Any:
        value = self._eval(node.operand, scope, line, depth)
        if isinstance(node.op, ast.USub) and isinstance(value, (int, float)):
            return -value
        return UNKNOWN

    def _eval_List(self, node: ast.List | ast.Tuple, scope: Scope, line: int, depth: int) -> Any:
        items: list[Any] = []
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                inner = self._eval(elt.value, scope, line, depth)
                if not isinstance(inner, list):
                    return UNKNOWN
                items.extend(inner)
            else:
                items.append(self._eval(elt, scope, line, depth))
        return items

    _eval_Tuple = _eval_List

    def _eval_Dict(self, node: ast.Dict, scope: Scope, line: int, depth: int) -> Any:
        result: dict[str, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                inner = self._eval(value, scope, line, depth)
                if not isinstance(inner, dict):
                    return UNKNOWN
                result.update(inner)
                continue
            name = self._eval(key, scope, line, depth)
            if isinstance(name, str):
                result[str(name)] = self._eval(value, scope, line, depth)
        return result

    def _eval_Name(self, node: ast.Name, scope: Scope, line: int, depth: int) -> Any:
        if node.id == "__file__":
            return PathValue(PurePath(self.module.path))
        found = self.binding_of(node.id, scope, line)
        if found is None:
            return UNKNOWN
        binding, owner = found
        value = self._binding_value(node.id, binding, owner, depth)
        if isinstance(value, (list, dict)) and _mutated(owner, node.id, binding.line, line):
            return UNKNOWN  # filled by append/extend/update after it was written
        if isinstance(value, dict) and owner.item_sets.get(node.id):
            value = self._apply_item_sets(node.id, value, binding, owner, line, depth)
        return value

    def _binding_value(self, name: str, binding: Binding, owner: Scope, depth: int) -> Any:
        if binding.kind in ("param", "loop") or binding.value is None:
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
            opened = self._eval(binding.value, owner, binding.line, depth)
            return opened if isinstance(opened, FileRead) else UNKNOWN
        return self._eval(binding.value, owner, binding.line, depth)

    def _augmented(self, name: str, binding: Binding, owner: Scope, depth: int) -> Any:
        node = binding.value
        if not isinstance(node, ast.AugAssign) or not isinstance(node.op, ast.Add):
            return UNKNOWN
        previous = owner.lookup(name, binding.line)
        if previous is None or previous is binding or previous.line >= binding.line:
            return UNKNOWN
        left = self._binding_value(name, previous, owner, depth + 1)
        right = self._eval(node.value, owner, binding.line, depth)
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
                key = self._eval(key_node, owner, set_line, depth)
                if isinstance(key, str):
                    result[str(key)] = self._eval(value_node, owner, set_line, depth)
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
        if _is_self(node.value):
            return self._self_attr(node.attr, scope, depth)
        base = self._eval(node.value, scope, line, depth)
        if isinstance(base, ModuleRef):
            return module_constant(base.module, node.attr)
        if isinstance(base, ClassRef):
            return self._class_attr(base.scope, node.attr, depth)
        if isinstance(base, PathValue):
            return _path_attr(base, node.attr)
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
            return self._eval(binding.value, method_scope or cls, binding.line, depth)
        class_binding = cls.lookup(attr, None)
        if class_binding is None or class_binding.kind == "param":
            return UNKNOWN
        if class_binding.value is None:
            return UNKNOWN
        value = class_binding.value
        if (
            isinstance(value, ast.Call)
            and _call_name(value.func) == "field"
            and any(k.arg == "default" for k in value.keywords)
        ):
            value = next(k.value for k in value.keywords if k.arg == "default")
        return self._eval(value, cls, class_binding.line, depth)

    def _scope_containing(self, cls: Scope, line: int) -> Scope | None:
        for name, fn in cls.functions.items():
            del name
            end = getattr(fn, "end_lineno", fn.lineno) or fn.lineno
            if fn.lineno <= line <= end:
                return self.module.scopes.get(fn)
        return None

    def _eval_Subscript(self, node: ast.Subscript, scope: Scope, line: int, depth: int) -> Any:
        base = self._eval(node.value, scope, line, depth)
        if isinstance(node.slice, ast.Slice):
            return UNKNOWN
        key = self._eval(node.slice, scope, line, depth)
        if isinstance(base, dict) and isinstance(key, str):
            return base.get(str(key), UNKNOWN)
        if isinstance(base, list) and isinstance(key, int) and not isinstance(key, bool):
            try:
                return base[key]
            except IndexError:
                return UNKNOWN
        if isinstance(base, PathValue) and isinstance(key, int):
            return _path_attr(base, "parents", key)
        return UNKNOWN

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
        name = self._canonical(_call_name(func))
        jinja = self._jinja_call(node, name, scope, line, depth)
        if jinja is not None:
            return jinja
        if isinstance(func, ast.Attribute):
            return self._method_call(node, func, scope, line, depth)
        if name in ("dict",):
            result: dict[str, Any] = {}
            for arg in node.args:
                inner = self._eval(arg, scope, line, depth)
                if not isinstance(inner, dict):
                    return UNKNOWN
                result.update(inner)
            return self._keywords_into(result, node, scope, line, depth)
        if name in ("list", "tuple") and len(node.args) == 1:
            inner = self._eval(node.args[0], scope, line, depth)
            return list(inner) if isinstance(inner, list) else UNKNOWN
        if name == "str" and len(node.args) == 1:
            inner = self._eval(node.args[0], scope, line, depth)
            return inner if isinstance(inner, str) else UNKNOWN
        if name in _DEDENT and len(node.args) == 1:
            return _transform(self._eval(node.args[0], scope, line, depth), name)
        if name in ("Path", "PurePath", "PosixPath") or name.endswith(".Path"):
            return self._path_call(node, scope, line, depth)
        if name == "open" and node.args:
            target = self._path_from(node.args[0], scope, line, depth)
            return FileRead(target) if target else UNKNOWN
        if name in ("os.path.join", "path.join", "join") and node.args:
            return self._join_paths(node.args, scope, line, depth)
        if name in ("os.path.dirname", "path.dirname", "dirname") and len(node.args) == 1:
            target = self._path_from(node.args[0], scope, line, depth)
            return PathValue(target.path.parent) if target else UNKNOWN
        if name in ("os.path.abspath", "os.path.realpath", "abspath") and len(node.args) == 1:
            target = self._path_from(node.args[0], scope, line, depth)
            return target or UNKNOWN
        if isinstance(func, ast.Name):
            return self._local_function(func.id, node, scope, line, depth)
        return UNKNOWN

    def _keywords_into(
        self, result: dict[str, Any], node: ast.Call, scope: Scope, line: int, depth: int
    ) -> Any:
        for keyword in node.keywords:
            if keyword.arg is None:
                inner = self._eval(keyword.value, scope, line, depth)
                if not isinstance(inner, dict):
                    return UNKNOWN
                result.update(inner)
            else:
                result[keyword.arg] = self._eval(keyword.value, scope, line, depth)
        return result

    def _method_call(
        self, node: ast.Call, func: ast.Attribute, scope: Scope, line: int, depth: int
    ) -> Any:
        method = func.attr
        receiver_name = self._canonical(_call_name(func.value))
        if receiver_name in ("textwrap", "inspect") and method in _DEDENT and node.args:
            return _transform(self._eval(node.args[0], scope, line, depth), method)
        if receiver_name in ("os.path", "path") and method == "join":
            return self._join_paths(node.args, scope, line, depth)
        if receiver_name in ("os.path", "path") and method in ("dirname", "abspath", "realpath"):
            target = self._path_from(node.args[0], scope, line, depth) if node.args else None
            if target is None:
                return UNKNOWN
            return PathValue(target.path.parent) if method == "dirname" else target
        if receiver_name in ("pathlib",) and method in ("Path", "PurePath"):
            return self._path_call(node, scope, line, depth)
        receiver = self._eval(func.value, scope, line, depth)
        if isinstance(receiver, JinjaEnv | JinjaTemplate):
            return self._jinja_method(receiver, method, node, scope, line, depth)
        if isinstance(receiver, str):
            return self._str_method(receiver, method, node, scope, line, depth)
        if isinstance(receiver, PathValue):
            return self._path_method(receiver, method, node, scope, line, depth)
        if isinstance(receiver, FileRead) and method == "read":
            return self._read_file(receiver.path)
        if isinstance(receiver, ModuleRef):
            return self._module_function(receiver.module, method, node, depth)
        if isinstance(receiver, dict) and method == "copy":
            return dict(receiver)
        if isinstance(receiver, list) and method == "copy":
            return list(receiver)
        return UNKNOWN

    def _str_method(
        self, text: str, method: str, node: ast.Call, scope: Scope, line: int, depth: int
    ) -> Any:
        if method in _STR_METHODS:
            return _transform(text, method)
        if method == "format":
            return self._format(text, node, scope, line, depth)
        if method == "join" and len(node.args) == 1:
            items = self._eval(node.args[0], scope, line, depth)
            if not isinstance(items, list):
                return Str.hole(_hole_name(node.args[0]))
            parts: list[str] = []
            for index, item in enumerate(items):
                if index:
                    parts.append(text)
                parts.append(item if isinstance(item, str) else Str.hole("item"))
            return Str.concat(parts)
        if method == "replace" and len(node.args) == 2:
            old = self._eval(node.args[0], scope, line, depth)
            new = self._eval(node.args[1], scope, line, depth)
            if isinstance(old, str) and isinstance(new, str):
                return _transform(text, "replace", str(old), str(new))
        return UNKNOWN

    def _format(self, text: str, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        positional = [self._eval(a, scope, line, depth) for a in node.args]
        named: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                inner = self._eval(keyword.value, scope, line, depth)
                if isinstance(inner, dict):
                    named.update(inner)
            else:
                named[keyword.arg] = self._eval(keyword.value, scope, line, depth)
        parts: list[str] = []
        auto = 0
        try:
            parsed = list(string.Formatter().parse(str(text)))
        except ValueError:
            return Str(text, getattr(text, "holes", 0), getattr(text, "first_hole", None))
        for literal, field_name, _spec, _conv in parsed:
            parts.append(literal)
            if field_name is None:
                continue
            head = field_name.split(".")[0].split("[")[0]
            if head == "":
                value = positional[auto] if auto < len(positional) else UNKNOWN
                auto += 1
            elif head.isdigit():
                index = int(head)
                value = positional[index] if index < len(positional) else UNKNOWN
            else:
                value = named.get(head, UNKNOWN)
            if head == field_name and isinstance(value, (str, int, float)):
                parts.append(value if isinstance(value, str) else str(value))
            else:
                parts.append(Str.hole(head or "arg"))
        return Str.concat(parts)

    def _path_call(self, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        if not node.args:
            return PathValue(PurePath("."))
        return self._join_paths(node.args, scope, line, depth)

    def _join_paths(self, args: list[ast.expr], scope: Scope, line: int, depth: int) -> Any:
        result: PurePath | None = None
        for arg in args:
            value = self._eval(arg, scope, line, depth)
            if isinstance(value, PathValue):
                part = value.path
            elif isinstance(value, str) and not getattr(value, "holes", 0):
                part = PurePath(str(value))
            else:
                return UNKNOWN
            result = part if result is None else result / part
        return PathValue(result) if result is not None else UNKNOWN

    def _path_from(self, node: ast.AST, scope: Scope, line: int, depth: int) -> PathValue | None:
        value = self._eval(node, scope, line, depth)
        if isinstance(value, PathValue):
            return value
        if isinstance(value, str) and not getattr(value, "holes", 0):
            return PathValue(PurePath(str(value)))
        return None

    def _path_method(
        self, path: PathValue, method: str, node: ast.Call, scope: Scope, line: int, depth: int
    ) -> Any:
        if method == "read_text":
            return self._read_file(path)
        if method in ("resolve", "absolute", "expanduser"):
            return path
        if method == "joinpath":
            rest = self._join_paths(node.args, scope, line, depth)
            return PathValue(path.path / rest.path) if isinstance(rest, PathValue) else UNKNOWN
        if method == "open":
            return FileRead(path)
        if method == "with_suffix" and node.args:
            suffix = self._eval(node.args[0], scope, line, depth)
            if isinstance(suffix, str):
                try:
                    return PathValue(path.path.with_suffix(str(suffix)))
                except ValueError:
                    return UNKNOWN
        return UNKNOWN

    def _read_file(self, path: PathValue) -> Any:
        if self.project is None:
            return UNKNOWN
        raw = Path(path.path)
        candidates = [raw] if raw.is_absolute() else [self.module.path.parent / raw]
        if not raw.is_absolute():
            candidates.append(self.project.root / raw)
        for candidate in candidates:
            text = self.project.read_text(candidate)
            if text is not None:
                return text
        return UNKNOWN

    def _local_function(
        self, name: str, node: ast.Call, scope: Scope, line: int, depth: int
    ) -> Any:
        found = self.binding_of(name, scope, line)
        if found is None:
            return UNKNOWN
        binding, owner = found
        if binding.kind == "def" and isinstance(binding.value, ast.ClassDef):
            return UNKNOWN
        if binding.kind == "def":
            return self._function_result(self.module, binding.value, depth)
        if binding.kind == "import":
            target = self.module.imports.get(name)
            if target and target[1] and self.project is not None:
                path = self.project.find_module(target[0], target[2], self.module.path)
                module = self.project.module_at(path) if path else None
                if module is not None:
                    return self._module_function(module, target[1], node, depth)
        return UNKNOWN

    def _module_function(self, module: ModuleInfo, name: str, node: ast.Call, depth: int) -> Any:
        fn = module.module_scope.functions.get(name)
        if fn is None:
            return UNKNOWN
        return self._function_result(module, fn, depth)

    def _function_result(self, module: ModuleInfo, fn: ast.AST | None, depth: int) -> Any:
        """The value of a helper whose body ends in ``return <expr>`` (params unknown)."""
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return UNKNOWN
        returns = [n for n in _own_nodes(fn) if isinstance(n, ast.Return)]
        if len(returns) != 1 or returns[0].value is None:
            return UNKNOWN  # several returns: the value depends on the branch taken
        resolver = self if module is self.module else Resolver(module)
        scope = module.scopes.get(fn)
        if scope is None:
            return UNKNOWN
        return resolver._eval(returns[0].value, scope, returns[0].lineno, depth)

    # -- Jinja2 templates (rendered in a sandbox by extract/templates.py) ----------------------
    def _jinja_call(
        self, node: ast.Call, name: str, scope: Scope, line: int, depth: int
    ) -> Any | None:
        """A jinja2 constructor (Template, Environment, a loader); None for any other call."""
        symbol = _jinja_symbol(self.module, name)
        if symbol is None:
            return None
        if symbol == "Template":
            source = self._jinja_text(_argument(node, 0, "source"), scope, line, depth)
            return JinjaTemplate(source=source) if source is not None else UNKNOWN
        if symbol.endswith("Environment"):
            arg = _argument(node, None, "loader")  # the first positional is not the loader
            if arg is None:
                return JinjaEnv(JinjaLoader())
            loader = self._eval(arg, scope, line, depth)
            return JinjaEnv(loader if isinstance(loader, JinjaLoader) else None)
        return self._jinja_loader(symbol, node, scope, line, depth)

    def _jinja_loader(
        self, symbol: str, node: ast.Call, scope: Scope, line: int, depth: int
    ) -> Any:
        if symbol == "FileSystemLoader":
            arg = _argument(node, 0, "searchpath")
            value = self._eval(_unwrap_str(arg), scope, line, depth) if arg else UNKNOWN
            dirs: list[Path] = []
            for item in value if isinstance(value, list) else [value]:
                path = _plain_path(item)
                if path is None:
                    return UNKNOWN
                dirs.extend(self._jinja_dirs(path))
            return JinjaLoader(tuple(dict.fromkeys(dirs)))
        if symbol == "PackageLoader":
            package = self._jinja_text(_argument(node, 0, "package_name"), scope, line, depth)
            folder = self._jinja_text(_argument(node, 1, "package_path"), scope, line, depth)
            if self.project is None or package is None:
                return UNKNOWN
            found = self.project.find_module(package, 0, self.module.path)
            if found is None:
                return UNKNOWN
            return JinjaLoader((found.parent / (folder or "templates"),))
        if symbol in ("ChoiceLoader", "DictLoader"):
            arg = _argument(node, 0, "loaders" if symbol == "ChoiceLoader" else "mapping")
            value = self._eval(arg, scope, line, depth) if arg else UNKNOWN
            return _combined_loader(value)
        return UNKNOWN

    def _jinja_dirs(self, path: PurePath) -> list[Path]:
        """A loader folder: absolute, or relative to the run directory (taken as the project
        root) or to the module's folder."""
        if self.project is None:
            return []
        if Path(path).is_absolute():
            return [Path(path)]
        return [self.project.root / path, self.module.path.parent / path]

    def _jinja_text(self, node: ast.AST | None, scope: Scope, line: int, depth: int) -> str | None:
        value = self._eval(node, scope, line, depth) if node is not None else UNKNOWN
        if isinstance(value, str) and not getattr(value, "holes", 0):
            return str(value)
        return None

    def _jinja_method(
        self,
        receiver: JinjaEnv | JinjaTemplate,
        method: str,
        node: ast.Call,
        scope: Scope,
        line: int,
        depth: int,
    ) -> Any:
        if isinstance(receiver, JinjaEnv):
            if method in ("get_template", "select_template", "get_or_select_template"):
                value = self._eval(_argument(node, 0, "name"), scope, line, depth)
                if isinstance(value, list) and value:
                    value = value[0]
                if receiver.loader is None or not isinstance(value, str):
                    return UNKNOWN
                if getattr(value, "holes", 0):
                    return UNKNOWN
                return JinjaTemplate(name=str(value), loader=receiver.loader)
            if method == "from_string":
                source = self._jinja_text(_argument(node, 0, "source"), scope, line, depth)
                if source is None:
                    return UNKNOWN
                return JinjaTemplate(source=source, loader=receiver.loader or JinjaLoader())
            return UNKNOWN
        if method != "render" or self.project is None:
            return UNKNOWN
        values: dict[str, Any] = {}
        for arg in node.args:
            inner = self._eval(arg, scope, line, depth)
            if isinstance(inner, dict):
                values.update(inner)
        values = self._keywords_into(values, node, scope, line, depth)
        if not isinstance(values, dict):
            values = {}  # an opaque **kwargs: every variable is a placeholder
        from .extract.templates import render_linked

        loader = receiver.loader or JinjaLoader()
        return render_linked(
            self.project,
            source=receiver.source,
            name=receiver.name,
            dirs=loader.dirs,
            mapping=loader.mapping,
            values=values,
            caller=self.module.path,
        )


@dataclass
class ClassRef:
    scope: Scope


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


def _own_nodes(fn: ast.AST) -> list[ast.AST]:
    """Nodes of a function body, not descending into nested functions or classes."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _path_attr(path: PathValue, attr: str, index: int | None = None) -> Any:
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


def _transform(value: Any, method: str, *args: str) -> Any:
    if not isinstance(value, str):
        return UNKNOWN
    text = str(value)
    if method in _DEDENT:
        if method == "cleandoc":
            import inspect

            new = inspect.cleandoc(text)
        else:
            new = textwrap.dedent(text)
    elif method == "replace":
        new = text.replace(args[0], args[1])
    else:
        new = getattr(text, method)()
    holes = getattr(value, "holes", 0)
    if not holes:
        return new
    first = getattr(value, "first_hole", 0) or 0
    return Str(new, holes, max(0, first - max(0, len(text) - len(new))))


def _percent_format(template: str, value: Any) -> Any:
    values = value if isinstance(value, list) else [value]
    if all(isinstance(v, (str, int, float)) for v in values):
        try:
            return template % tuple(values)
        except (TypeError, ValueError, KeyError):
            return UNKNOWN
    import re

    parts: list[str] = []
    last = 0
    for match in re.finditer(r"%[-#0 +]*\d*(?:\.\d+)?[sdrifx]", template):
        parts.append(template[last : match.start()])
        parts.append(Str.hole("arg"))
        last = match.end()
    parts.append(template[last:])
    return Str.concat(parts)


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


def _call_name(node: ast.AST) -> str:
    """Dotted name of a call target (``os.path.join``), or '' when it is not a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _hole_name(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - defensive
        return "value"
    text = "".join(ch if ch.isalnum() or ch in "_." else "_" for ch in text).strip("_")
    return text[:40] or "value"


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0) or 0


call_name = _call_name


# -- Jinja2 templates ---------------------------------------------------------------------------
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


@dataclass
class JinjaLoader:
    """A jinja2 loader in the source: the folders it reads, or its in-memory templates."""

    dirs: tuple[Path, ...] = ()
    mapping: dict[str, str] | None = None


@dataclass
class JinjaEnv:
    """A jinja2 ``Environment``; ``loader`` is None when its loader cannot be resolved."""

    loader: JinjaLoader | None


@dataclass
class JinjaTemplate:
    """A jinja2 template: inline ``source``, or ``name`` to load through ``loader``."""

    source: str | None = None
    name: str | None = None
    loader: JinjaLoader | None = None


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


def _argument(node: ast.Call, index: int | None, keyword: str) -> ast.AST | None:
    for item in node.keywords:
        if item.arg == keyword:
            return item.value
    if index is not None and index < len(node.args):
        arg = node.args[index]
        return None if isinstance(arg, ast.Starred) else arg
    return None


def _unwrap_str(node: ast.AST | None) -> ast.AST | None:
    """``str(path)`` / ``os.fspath(path)`` -> ``path`` (a loader takes either)."""
    if (
        isinstance(node, ast.Call)
        and _call_name(node.func) in ("str", "os.fspath", "fspath")
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
