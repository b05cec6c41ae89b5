"""Cache breakers (CL006's fact): content that changes on every call placed inside or before a
prompt-cache breakpoint, so every call writes the cache and none reads it.

Breakpoints: block-level ``cache_control`` in tools, system and message blocks, top-level
(automatic) ``cache_control``, and breakpoints a helper adds to the messages. What varies is
classified by how often it changes:

* per call (fires): ``datetime.now()`` and other clock reads formatted finer than a day,
  ``time.time()``, uuids and random values made in the request path, a parameter or a loop
  variable interpolated into the cached text, files read per call from a path that varies;
* per session (never fires): values made at import or start-up (module level, ``self.``
  attributes), dates formatted to the day;
* per group (never fires): the variable of an outer loop (a document shared by the calls of
  an inner loop), a parameter passed whole as its own block (a wrapper's stable prompt).

A per-call part in ``messages`` counts only before a block-level breakpoint of a message list
written at the call; a growing history with a moving breakpoint, or top-level automatic
caching over it, is never flagged for its messages.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ..resolve.callgraph import FUNCTION_NODES, caller_graph
from ..resolve.evaluator import Resolver
from ..resolve.scope import Scope
from ..resolve.syntax import all_nodes, call_name
from ..site import VolatilePart

CLOCKS = {
    "datetime.now": "the current time",
    "datetime.datetime.now": "the current time",
    "datetime.utcnow": "the current time",
    "datetime.datetime.utcnow": "the current time",
    "datetime.today": "the current time",
    "datetime.datetime.today": "the current time",
    "pd.Timestamp.now": "the current time",
    "time.time": "the current time",
    "time.time_ns": "the current time",
    "time.ctime": "the current time",
    "time.asctime": "the current time",
    "time.perf_counter": "a clock reading",
    "time.monotonic": "a clock reading",
    "uuid.uuid4": "a new uuid",
    "uuid.uuid1": "a new uuid",
    "uuid4": "a new uuid",
    "random.random": "a random value",
    "random.randint": "a random value",
    "random.choice": "a random value",
    "secrets.token_hex": "a random value",
    "secrets.token_urlsafe": "a random value",
}
DAY_FORMAT = re.compile(r"%[HIMSfpXcTsRrkl]")  # directives finer than a day
DAY_ONLY = frozenset({"date", "today"})  # ``now().date()``, ``date.today()``
FILE_READS = frozenset({"read", "read_text", "readlines", "read_bytes"})
PARTS = ("tools", "system", "messages")
MAX_DEPTH = 4


class _Found(NamedTuple):
    what: str
    line: int
    reason: str
    path: str = ""  # another file (a caller's), relative to the project root


Position = tuple[int, int, int]  # (part, index, block)


def cache_breaker(
    resolver: Resolver,
    call: ast.Call,
    scope: Scope,
    loops: tuple[ast.AST, ...],
    position: Callable[[int], tuple[int, int | None]],
    moving_breakpoint: bool,
    growing: bool,
) -> VolatilePart | None:
    """The first per-call part inside or before a breakpoint of ``call``, or None."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    automatic = "cache_control" in keywords
    finder = _Finder(resolver, scope, loops, call.lineno)
    nodes = {part: finder.expand(keywords.get(part)) for part in PARTS}
    last = _last_breakpoint(nodes)
    if last is None and not automatic and not moving_breakpoint:
        return None
    for part_index, part in enumerate(PARTS):
        node = nodes[part]
        if node is None or part == "tools":
            continue
        if part == "messages" and (growing or last is None or last[0] != 2):
            continue
        for index, block, text_node in _blocks(part, node, finder):
            here = (part_index, index, block)
            covered = (last is not None and here <= last) or (
                part != "messages" and (automatic or moving_breakpoint)
            )
            if not covered:
                continue
            found = finder.classify(text_node, whole=True)
            if found is not None:
                line = position(found.line)[0] if not found.path else found.line
                return VolatilePart(found.what, line, part, found.reason, found.path)
    return None


def _last_breakpoint(nodes: dict[str, ast.AST | None]) -> Position | None:
    last: Position | None = None
    for part_index, part in enumerate(PARTS):
        node = nodes[part]
        if not isinstance(node, ast.List):
            continue
        for index, element in enumerate(node.elts):
            if _has_cache_key(element):
                block = _last_block_with_cache(element) if part == "messages" else 0
                last = (part_index, index, block)
    return last


def _has_cache_key(node: ast.AST) -> bool:
    return any(
        isinstance(child, ast.Constant) and child.value == "cache_control"
        for child in all_nodes(node)
    )


def _last_block_with_cache(message: ast.AST) -> int:
    content = _dict_value(message, "content")
    if isinstance(content, ast.List):
        marked = [i for i, block in enumerate(content.elts) if _has_cache_key(block)]
        return marked[-1] if marked else 0
    return 0


def _dict_value(node: ast.AST, key: str) -> ast.AST | None:
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values, strict=False):
            if isinstance(k, ast.Constant) and k.value == key:
                return v
    if isinstance(node, ast.Call) and call_name(node.func) == "dict":
        for keyword in node.keywords:
            if keyword.arg == key:
                return keyword.value
    return None


def _blocks(part: str, node: ast.AST, finder: _Finder) -> list[tuple[int, int, ast.AST]]:
    """(index, block, text expression) for each text of the part, in request order."""
    if part == "system":
        if isinstance(node, ast.List):
            found = []
            for index, element in enumerate(node.elts):
                text = _dict_value(finder.expand(element) or element, "text")
                if text is not None:
                    found.append((index, 0, text))
            return found
        return [(0, 0, node)]
    found = []
    if not isinstance(node, ast.List):
        return found
    for index, message in enumerate(node.elts):
        content = _dict_value(finder.expand(message) or message, "content")
        content = finder.expand(content) if content is not None else None
        if isinstance(content, ast.List):
            for block, element in enumerate(content.elts):
                text = _dict_value(element, "text")
                if text is not None:
                    found.append((index, block, text))
        elif content is not None:
            found.append((index, 0, content))
    return found


class _Finder:
    """Follows names to the expressions that make them, and classifies how often they change."""

    def __init__(self, resolver: Resolver, scope: Scope, loops: tuple[ast.AST, ...], line: int):
        self.resolver = resolver
        self.scope = scope
        self.loops = loops
        self.line = line

    def expand(self, node: ast.AST | None) -> ast.AST | None:
        """A name bound in the call's function to a literal: that literal."""
        for _ in range(3):
            if not isinstance(node, ast.Name):
                return node
            found = self.resolver.binding_of(node.id, self.scope, self.line)
            if found is None or found[0].kind != "assign" or found[0].value is None:
                return node
            if found[1].kind != "function":
                return node
            node = found[0].value
        return node

    def classify(
        self, node: ast.AST, whole: bool, scope: Scope | None = None, depth: int = 0
    ) -> _Found | None:
        """Per-call content in ``node`` (``whole``: the node is the whole block, not a slot)."""
        scope = scope or self.scope
        if depth > MAX_DEPTH or node is None:
            return None
        if isinstance(node, ast.JoinedStr):
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    if _day_spec(value.format_spec):
                        continue
                    found = self.classify(value.value, False, scope, depth + 1)
                    if found is not None:
                        return found
            return None
        if isinstance(node, ast.BinOp):
            return self.classify(node.left, False, scope, depth + 1) or self.classify(
                node.right, False, scope, depth + 1
            )
        if isinstance(node, ast.IfExp):
            return self.classify(node.body, whole, scope, depth + 1) or self.classify(
                node.orelse, whole, scope, depth + 1
            )
        if isinstance(node, ast.Subscript):
            return self.classify(node.value, False, scope, depth + 1)
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        if isinstance(node, ast.Name):
            return self._name(node, whole, scope, depth)
        return None

    def _call(self, node: ast.Call, scope: Scope, depth: int) -> _Found | None:
        name = call_name(node.func)
        if name in CLOCKS:
            return _Found(_source(node), node.lineno, CLOCKS[name])
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in DAY_ONLY:
                return None
            if func.attr == "strftime":
                fmt = node.args[0] if node.args else None
                if isinstance(fmt, ast.Constant) and isinstance(fmt.value, str):
                    if not DAY_FORMAT.search(fmt.value):
                        return None  # formatted to the day: changes once a day
                return self._inner(func.value, node, scope, depth)
            if func.attr in ("isoformat", "timestamp", "ctime"):
                return self._inner(func.value, node, scope, depth)
            if func.attr == "format":
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    found = self.classify(arg, False, scope, depth + 1)
                    if found is not None:
                        return found
                return None
            if func.attr == "join" and node.args:
                return self.classify(node.args[0], False, scope, depth + 1)
            if func.attr in FILE_READS:
                return self._file(func.value, node, scope, depth)
        if name in ("str", "repr") and node.args:
            return self.classify(node.args[0], False, scope, depth + 1)
        return None

    def _inner(self, value: ast.AST, whole: ast.Call, scope: Scope, depth: int) -> _Found | None:
        found = self.classify(value, False, scope, depth + 1)
        if found is None:
            return None
        return _Found(_source(whole), found.line, found.reason, found.path)

    def _file(self, opened: ast.AST, read: ast.Call, scope: Scope, depth: int) -> _Found | None:
        """A file read in the request path whose path varies per call."""
        target = opened
        if isinstance(target, ast.Call) and target.args:
            target = target.args[0]
        found = self.classify(target, False, scope, depth + 1)
        if found is None:
            return None
        return _Found(_source(read), read.lineno, "file contents read per call", found.path)

    def _name(self, node: ast.Name, whole: bool, scope: Scope, depth: int) -> _Found | None:
        found = self.resolver.binding_of(node.id, scope, node.lineno)
        if found is None:
            return None
        binding, owner = found
        if binding.kind == "loop":
            innermost = self._innermost_for()
            if innermost is not None and innermost.lineno == binding.line:
                return _Found(node.id, node.lineno, "the loop variable, different each iteration")
            return None  # an outer loop's item: shared by the calls of the inner loop
        if owner.kind != "function":
            return None  # module or class level: made once per session
        if binding.kind == "param":
            if self._innermost_for() is not None or owner is not self.scope:
                return None  # the same on every call the loop makes
            return self._from_callers(node.id, owner, depth)
        if binding.kind in ("assign", "with") and binding.value is not None:
            inner = self.classify(binding.value, whole, owner, depth + 1)
            return inner
        return None

    def _from_callers(self, name: str, owner: Scope, depth: int) -> _Found | None:
        """A parameter varies per call when a caller passes it something that does (its
        own loop variable, the time...); a caller's outer-loop item is shared by a group."""
        module = self.resolver.module
        project = module.project
        function = owner.node
        if project is None or depth > 1 or not isinstance(function, FUNCTION_NODES):
            return None
        for site in caller_graph(project).callers_of(module, function):
            argument = _argument_for(site.node, function, name)
            if argument is None:
                continue
            caller_scope = site.module.scopes.get(site.function or site.module.tree)
            if caller_scope is None:
                continue
            resolver = self.resolver if site.module is module else Resolver(site.module)
            finder = _Finder(resolver, caller_scope, site.loops, site.line)
            found = finder.classify(argument, False, caller_scope, MAX_DEPTH - 1)
            if found is not None:
                where = _relative(site.module.path, project.root)
                return _Found(found.what, found.line, found.reason, where)
        return None

    def _innermost_for(self) -> ast.AST | None:
        for loop in reversed(self.loops):
            if isinstance(loop, (ast.For, ast.AsyncFor)):
                return loop
        return None


def _argument_for(call: ast.AST, function: ast.AST, name: str) -> ast.AST | None:
    """The expression a direct call passes for parameter ``name`` (None: not visible)."""
    if not isinstance(call, ast.Call):
        return None
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    args = getattr(function, "args", None)
    if args is None:
        return None
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    if positional and positional[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
        positional = positional[1:]
    if name in positional:
        index = positional.index(name)
        if index < len(call.args) and not isinstance(call.args[index], ast.Starred):
            return call.args[index]
    return None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.name


def _day_spec(spec: ast.AST | None) -> bool:
    """``f"{now:%Y-%m-%d}"``: a format spec with date directives only."""
    if not isinstance(spec, ast.JoinedStr):
        return False
    text = "".join(v.value for v in spec.values if isinstance(v, ast.Constant))
    return "%" in text and not DAY_FORMAT.search(text)


def _source(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - defensive
        return "value"
    return text if len(text) <= 50 else text[:47] + "..."
