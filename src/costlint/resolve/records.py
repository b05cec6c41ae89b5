"""Registries of records keyed by one of their fields, and the options used as their keys.

``STORE = {m.name: m for m in MODELS}`` over ``MODELS = [Model("claude-x", Style.Chat), ...]``
is a registry of records keyed by their ``name`` field. When the program looks a command-line
option up in it (``STORE[args.model]``), the option can only be one of those keys, and a
dispatch guarded on another field of the record (``if rec.style in [Style.Chat]:`` around the
call that builds a runner) keeps the records whose field is written that way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

MAX_RECORDS = 512  # records of one registry looked at


class FieldGuard(NamedTuple):
    """A test on a record's field around a dispatch: ``rec.style in [A, B]`` / ``== A``; the
    allowed values as the source writes them."""

    field: str
    allowed: tuple[str, ...]


def option_lookups(tree: ast.AST, attr: str) -> Iterator[ast.Subscript]:
    """``REG[x.attr]`` subscripts (a name indexed by an option) in ``tree``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and isinstance(node.slice, ast.Attribute)
            and node.slice.attr == attr
            and isinstance(node.slice.value, ast.Name)
        ):
            yield node


def keyed_by_field(value: ast.AST) -> tuple[str, ast.AST] | None:
    """``{r.field: r for r in RECORDS}``: (field, the RECORDS expression)."""
    if not isinstance(value, ast.DictComp) or len(value.generators) != 1:
        return None
    generator = value.generators[0]
    target = generator.target
    if not isinstance(target, ast.Name) or generator.ifs:
        return None
    key, item = value.key, value.value
    if (
        isinstance(item, ast.Name)
        and item.id == target.id
        and isinstance(key, ast.Attribute)
        and isinstance(key.value, ast.Name)
        and key.value.id == target.id
    ):
        return key.attr, generator.iter
    return None


def field_guard(test: ast.AST) -> tuple[str, FieldGuard] | None:
    """(record name, guard) for ``rec.field in [A, B]`` / ``rec.field == A``."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if not isinstance(left, ast.Attribute) or not isinstance(left.value, ast.Name):
        return None
    if isinstance(op, ast.In) and isinstance(right, (ast.List, ast.Tuple, ast.Set)):
        allowed = tuple(ast.unparse(elt) for elt in right.elts)
    elif isinstance(op, ast.Eq):
        allowed = (ast.unparse(right),)
    else:
        return None
    return left.value.id, FieldGuard(left.attr, allowed)


def selected(fields: dict[str, ast.AST | None], guards: tuple[FieldGuard, ...]) -> bool:
    """Whether a record whose fields are written as ``fields`` passes every guard on a field
    it has (a guard on a field the record does not have is about something else)."""
    for guard in guards:
        if guard.field not in fields:
            continue
        written = fields[guard.field]
        if written is None or ast.unparse(written) not in guard.allowed:
            return False
    return True
