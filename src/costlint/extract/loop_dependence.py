"""Whether a loop's requests depend on each other (CL005 asks before calling a loop a batch).

Four shapes make a loop sequential whatever it iterates over:

* **state carried between iterations**: the call in the loop reads a name an earlier
  iteration wrote (``draft = revise(draft, notes)``, ``context += result`` read by the next
  step, ``current = out`` in a prompt chain, ``examples.append(answer)`` read as few-shot
  examples), or a name computed from one;
* **a refinement loop**: a carried value is handed to a call and decides when the loop
  stops (``if review["passed"]: break`` after ``review = evaluate(draft)``), so even the
  first round's request (``if i == 1: draft = generate(task)``) is not one of a batch;
* **a conversation held by an object**: the request is made by a method of a class that
  sends one of its own lists as ``messages`` and adds to that list (a chat agent whose
  ``query`` a loop calls; its summarising request belongs to the conversation too);
* **the loop ends after the request**: a ``return`` or ``break`` right after it in the same
  block (``for model in fallbacks: try: return create(model=model)``) - at most one request
  succeeds, so it is a fallback or a search, not a batch;
* **the loop times each request**: after the request, a clock reading minus one taken before
  it (``start = time.perf_counter()`` ... ``latencies.append(time.perf_counter() - start)``):
  a latency benchmark, whose measurements a batch would not give.

Only syntax is read. A name counts as carried when some read of it in the loop body is not
preceded, on every path from the top of the body, by an assignment in the body (an ``if``
assigns only when both branches do). Counters (``n += 1``) carry nothing a request made.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import Any

from ..resolve.syntax import all_nodes, call_name, child_nodes, is_self

_MUTATORS = frozenset({"append", "extend", "insert", "update", "add"})
_BLOCKS = ("body", "orelse", "finalbody")
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_CLOCKS = frozenset(
    f"{module}{clock}"
    for module in ("", "time.")
    for clock in ("time", "perf_counter", "monotonic", "time_ns", "perf_counter_ns", "monotonic_ns")
) | {"timeit.default_timer", "default_timer"}
_LOGGING = re.compile(r"^(_?print|_?log|debug|info|warning|warn|error|exception|echo|write)", re.I)


def is_sequential(loop: ast.AST, call: ast.AST, owner: ast.AST) -> bool:
    """``call`` (inside ``loop``, inside the function or module ``owner``) depends on an
    earlier iteration, or the loop ends after it."""
    if not isinstance(loop, (ast.For, ast.AsyncFor)):
        return False
    carried, refines = _facts(loop, owner)
    return (
        refines
        or _ends_after(loop, call)
        or bool(carried and _reads(call) & carried)
        or _timed(loop, call)
    )


def _timed(loop: ast.For | ast.AsyncFor, call: ast.AST) -> bool:
    """After ``call``, a clock reading minus a name set from a clock before it (``time.
    perf_counter() - start``, ``end - start``). A rate limiter that only notes when the last
    request went (``last = time.time()``) times nothing."""
    readings, subtractions = _clock_facts(loop)
    if not readings:
        return False  # most loops: no clock read into a name
    first = call.lineno  # type: ignore[attr-defined]
    last = getattr(call, "end_lineno", None) or first
    started = {name for line, names in readings if line < first for name in names}
    ended = {name for line, names in readings if line > last for name in names}
    return any(
        node.lineno > last
        and (_is_clock(node.left) or (isinstance(node.left, ast.Name) and node.left.id in ended))
        and isinstance(node.right, ast.Name)
        and node.right.id in started
        for node in subtractions
    )


def _clock_facts(
    loop: ast.For | ast.AsyncFor,
) -> tuple[list[tuple[int, set[str]]], list[ast.BinOp]]:
    """The loop body's clock readings assigned to names (line, names) and its subtractions.
    Remembered on the loop node: every call site under a loop asks the same question."""
    known = getattr(loop, "_costlint_clocks", None)
    if known is None:
        readings: list[tuple[int, set[str]]] = []
        subtractions: list[ast.BinOp] = []
        for node in _walk(loop.body):
            if isinstance(node, ast.Assign) and _is_clock(node.value):
                names = set().union(*(_targets(target) for target in node.targets))
                readings.append((node.lineno, names))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
                subtractions.append(node)
        known = (readings, subtractions)
        loop._costlint_clocks = known  # type: ignore[attr-defined]
    return known


def _is_clock(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and call_name(node.func) in _CLOCKS


def _facts(loop: ast.For | ast.AsyncFor, owner: ast.AST) -> tuple[frozenset[str], bool]:
    """The carried names (and names computed from them), and whether the loop refines: a
    call is handed a carried value and a carried value decides when the loop stops.
    Remembered on the loop node: every call site under a loop asks the same question."""
    known = getattr(loop, "_costlint_carried", None)
    if known is None:
        # a name the loop reads before writing is carried only when it has a value before
        # the loop too: ``output`` set in an ``if/elif`` without ``else`` is not state
        written = _written(loop.body) & _bound_outside(owner, loop)
        direct: set[str] = set()
        _scan(loop.body, _targets(loop.target), written, direct)
        carried = frozenset(_spread(loop.body, direct))
        refines = _hands_on(loop.body, direct) and _converges(loop.body, carried)
        known = (carried, refines)
        loop._costlint_carried = known  # type: ignore[attr-defined]
    return known


def _hands_on(body: list[ast.stmt], direct: set[str]) -> bool:
    """A call other than printing or logging reads a value an earlier iteration left."""
    if not direct:
        return False
    for node in _walk(body):
        if isinstance(node, ast.Call) and not _LOGGING.search(_callee(node.func)):
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if any(_reads(argument) & direct for argument in arguments):
                return True
    return False


def _callee(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _bound_outside(owner: ast.AST, loop: ast.AST) -> set[str]:
    """Names ``owner`` binds outside ``loop``: parameters, assignments, loop targets, ``with``
    targets and imports (a module-level loop: the module's names)."""
    names: set[str] = set()
    arguments = getattr(owner, "args", None)
    if isinstance(arguments, ast.arguments):
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        names |= {a.arg for a in every}
    stack = list(getattr(owner, "body", []))
    while stack:
        node = stack.pop()
        if node is loop or isinstance(node, (ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                names |= _targets(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            names |= _targets(node.target)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            names |= _targets(node.optional_vars)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        stack.extend(child_nodes(node))
    return names


def _written(body: list[ast.stmt]) -> set[str]:
    """Names the body assigns, extends in place or accumulates into (not plain counters)."""
    names: set[str] = set()
    for node in _walk(body):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                names |= _targets(target)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            names |= _targets(node.target)
        elif isinstance(node, ast.AugAssign) and not isinstance(node.value, ast.Constant):
            names |= _targets(node.target)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Name):
                names.add(node.func.value.id)
    return names


def _scan(
    body: list[ast.stmt], defined: set[str], written: set[str], carried: set[str]
) -> set[str]:
    """Walk ``body`` in order with the names every path has assigned so far; a read of a
    written name not yet assigned is carried. Returns the names assigned on every path."""
    defined = set(defined)
    for statement in body:
        if isinstance(statement, ast.If):
            _note_reads(statement.test, defined, written, carried)
            then = _scan(statement.body, defined, written, carried)
            other = _scan(statement.orelse, defined, written, carried)
            if _exits(statement.body):  # ``if not key: continue``: only the other path goes on
                then = other
            elif _exits(statement.orelse):
                other = then
            defined |= then & other
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            _note_reads(statement.iter, defined, written, carried)
            _scan(statement.body, defined | _targets(statement.target), written, carried)
            _scan(statement.orelse, defined, written, carried)
        elif isinstance(statement, ast.While):
            _note_reads(statement.test, defined, written, carried)
            _scan(statement.body, defined, written, carried)
            _scan(statement.orelse, defined, written, carried)
        elif isinstance(statement, (ast.Try, ast.TryStar)):
            tried = _scan(statement.body, defined, written, carried)
            after = _scan(statement.orelse, tried, written, carried)
            for handler in statement.handlers:
                handled = _scan(handler.body, defined, written, carried)
                if not _exits(handler.body):  # a handler that goes on assigns only its own
                    after &= handled
            defined = after | _scan(statement.finalbody, defined, written, carried)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                _note_reads(item.context_expr, defined, written, carried)
                if item.optional_vars is not None:
                    defined |= _targets(item.optional_vars)
            defined = _scan(statement.body, defined, written, carried)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(statement.name)
        else:
            _note_reads(statement, defined, written, carried)
            if isinstance(statement, ast.AugAssign):  # ``context += part`` reads context too
                _note_reads(_loaded(statement.target), defined, written, carried)
            defined |= _assigned_by(statement)
    return defined


def _exits(block: list[ast.stmt]) -> bool:
    return bool(block) and isinstance(block[-1], (ast.Continue, ast.Break, ast.Return, ast.Raise))


def _note_reads(node: ast.AST | None, defined: set[str], written: set[str], carried: set[str]):
    if node is None:
        return
    for name in _reads(node):
        if name in written and name not in defined:
            carried.add(name)


def _assigned_by(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.Assign):
        return set().union(*(_targets(target) for target in statement.targets))
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return _targets(statement.target)
    return set()


def _spread(body: list[ast.stmt], carried: set[str]) -> set[str]:
    """Carried names and every name assigned from an expression that reads one."""
    if not carried:
        return set()
    tainted = set(carried)
    assignments = [
        (_targets(target), node.value)
        for node in _walk(body)
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
    ]
    changed = True
    while changed:
        changed = False
        for targets, value in assignments:
            if targets - tainted and _reads(value) & tainted:
                tainted |= targets
                changed = True
    return tainted


def _converges(body: list[ast.stmt], carried: frozenset[str]) -> bool:
    """The loop stops when a carried value says so (``if review["passed"]: break`` after
    ``review = evaluate(draft)``): each round waits for the last."""
    if not carried:
        return False
    for node in _walk(body):
        if isinstance(node, ast.If) and _reads(node.test) & carried:
            if any(isinstance(s, (ast.Break, ast.Return)) for s in node.body):
                return True
    return False


def _ends_after(loop: ast.For | ast.AsyncFor, call: ast.AST) -> bool:
    """A ``return`` or ``break`` follows the statement holding ``call`` in its own block, or
    that statement is itself a ``return``: the loop stops after the first request."""
    for block in _blocks(loop):
        for index, statement in enumerate(block):
            if not _contains(statement, call) or _is_compound(statement):
                continue
            if isinstance(statement, ast.Return):
                return True
            return any(isinstance(later, (ast.Return, ast.Break)) for later in block[index + 1 :])
    return False


def _blocks(node: ast.AST) -> Iterable[list[ast.stmt]]:
    """Every statement list under ``node`` (bodies, branches, handlers), not into functions."""
    stack = [node]
    while stack:
        current = stack.pop()
        for field in _BLOCKS:
            block = getattr(current, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block
                stack.extend(s for s in block if _is_compound(s))
        for handler in getattr(current, "handlers", []):
            yield handler.body
            stack.extend(s for s in handler.body if _is_compound(s))


def _is_compound(statement: ast.stmt) -> bool:
    return isinstance(
        statement, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.TryStar, ast.With,
                    ast.AsyncWith)
    )  # fmt: skip


def _contains(tree: ast.AST, node: ast.AST) -> bool:
    return any(child is node for child in all_nodes(tree))


def _reads(node: ast.AST) -> set[str]:
    return {
        n.id for n in all_nodes(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


def _loaded(target: ast.AST) -> ast.AST:
    """The target of an augmented assignment as the read it also is."""
    return ast.Name(id=target.id, ctx=ast.Load()) if isinstance(target, ast.Name) else target


def _targets(target: ast.AST) -> set[str]:
    """The names an assignment target binds (``a``, ``a, *b``), or for ``d[k] = v`` and
    ``obj.x = v`` the name whose value it changes in place (``d``, ``obj``), never ``k``."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_targets(element) for element in target.elts))
    if isinstance(target, ast.Starred):
        return _targets(target.value)
    if isinstance(target, (ast.Subscript, ast.Attribute)):
        root = target.value
        while isinstance(root, (ast.Subscript, ast.Attribute)):
            root = root.value
        return {root.id} if isinstance(root, ast.Name) else set()
    return set()


def _walk(body: list[ast.stmt]) -> list[ast.AST]:
    """The nodes of ``body``, not descending into nested functions or classes (in no
    particular order: every use asks whether some node is such, or collects a set)."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, _NESTED):
            stack.extend(child_nodes(node))
    return found


def holds_conversation(scopes: dict[ast.AST, Any], function: ast.AST | None) -> bool:
    """``function`` is a method of a class that keeps a conversation: some request of the
    class sends ``messages=self.<list>`` and the class adds to that list. Remembered on the
    class node."""
    scope = scopes.get(function) if function is not None else None
    cls = getattr(scope, "class_scope", None)
    node = getattr(cls, "node", None)
    if not isinstance(node, ast.ClassDef):
        return False
    known = getattr(node, "_costlint_conversation", None)
    if known is None:
        sent: set[str] = set()
        grown: set[str] = set()
        for child in all_nodes(node):
            if isinstance(child, ast.Call):
                for keyword in child.keywords:
                    if keyword.arg == "messages" and _self_attr(keyword.value):
                        sent.add(_self_attr(keyword.value))
                func = child.func
                if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                    grown.add(_self_attr(func.value))
            elif isinstance(child, ast.AugAssign):
                grown.add(_self_attr(child.target))
        known = bool(sent & (grown - {""}))
        node._costlint_conversation = known  # type: ignore[attr-defined]
    return known


def _self_attr(node: ast.AST) -> str:
    """``attr`` for ``self.attr``, else ''."""
    return node.attr if isinstance(node, ast.Attribute) and is_self(node.value) else ""
