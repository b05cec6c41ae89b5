"""String handlers: f-strings, ``.format``, ``%``, str methods, ``"".join``, dedent/cleandoc.

Unknown parts become ``{name}`` placeholders (``Str`` holes), so the known text around them
still counts.
"""

from __future__ import annotations

import ast
import string
from typing import Any

from ..site import UNKNOWN, Str
from .protocol import NOT_HANDLED, Evaluator
from .scope import Scope
from .syntax import hole_name

STR_METHODS = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "title", "casefold"})
DEDENT = frozenset({"dedent", "cleandoc"})


def joined_str(ev: Evaluator, node: ast.JoinedStr, scope: Scope, line: int, depth: int) -> Any:
    """An f-string: known parts inline, the rest placeholders named after their source."""
    parts: list[str] = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            parts.append(part.value)
        elif isinstance(part, ast.FormattedValue):
            parts.append(_formatted(ev, part.value, scope, line, depth))
        else:
            parts.append(Str.hole("value"))
    return Str.concat(parts)


def _formatted(ev: Evaluator, node: ast.AST, scope: Scope, line: int, depth: int) -> str:
    value = ev.evaluate(node, scope, line, depth)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value if isinstance(value, str) else str(value)
    return Str.hole(hole_name(node))


def str_call(ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
    """``str(x)`` of a string is that string."""
    if len(node.args) != 1:
        return NOT_HANDLED
    inner = ev.evaluate(node.args[0], scope, line, depth)
    return inner if isinstance(inner, str) else UNKNOWN


def dedent_call(
    ev: Evaluator, name: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    """``dedent(text)`` / ``cleandoc(text)`` imported by name."""
    if len(node.args) != 1:
        return NOT_HANDLED
    return transform(ev.evaluate(node.args[0], scope, line, depth), name)


def dedent_method(
    ev: Evaluator, method: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    """``textwrap.dedent(text)`` / ``inspect.cleandoc(text)``."""
    if not node.args:
        return NOT_HANDLED
    return transform(ev.evaluate(node.args[0], scope, line, depth), method)


def str_method(
    ev: Evaluator, text: str, method: str, node: ast.Call, scope: Scope, line: int, depth: int
) -> Any:
    if method in STR_METHODS:
        return transform(text, method)
    if method == "format":
        return _format(ev, text, node, scope, line, depth)
    if method == "join" and len(node.args) == 1:
        items = ev.evaluate(node.args[0], scope, line, depth)
        if not isinstance(items, list):
            return Str.hole(hole_name(node.args[0]))
        parts: list[str] = []
        for index, item in enumerate(items):
            if index:
                parts.append(text)
            parts.append(item if isinstance(item, str) else Str.hole("item"))
        return Str.concat(parts)
    if method == "replace" and len(node.args) == 2:
        old = ev.evaluate(node.args[0], scope, line, depth)
        new = ev.evaluate(node.args[1], scope, line, depth)
        if isinstance(old, str) and isinstance(new, str):
            return transform(text, "replace", str(old), str(new))
        if isinstance(old, str) and old:
            return _replace_with_hole(text, str(old), Str.hole(hole_name(node.args[1])))
    return UNKNOWN


def _replace_with_hole(text: str, marker: str, hole: Str) -> Str:
    """``template.replace("{{QUESTION}}", question)`` with ``question`` unknown: the template's
    text stays and each marker becomes a placeholder (the marker is the stable/volatile seam)."""
    plain = str(text)
    pieces = plain.split(marker)
    parts: list[str] = []
    for index, piece in enumerate(pieces):
        if index:
            parts.append(hole)
        parts.append(piece)
    joined = Str.concat(parts)
    old_holes = getattr(text, "holes", 0)
    if not old_holes:
        return joined
    old_first = getattr(text, "first_hole", 0) or 0
    shift = plain[:old_first].count(marker) * (len(hole) - len(marker))
    firsts = [f for f in (joined.first_hole, old_first + shift) if f is not None]
    return Str(str(joined), joined.holes + old_holes, min(firsts))


def _format(ev: Evaluator, text: str, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
    positional = [ev.evaluate(a, scope, line, depth) for a in node.args]
    named: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            inner = ev.evaluate(keyword.value, scope, line, depth)
            if isinstance(inner, dict):
                named.update(inner)
        else:
            named[keyword.arg] = ev.evaluate(keyword.value, scope, line, depth)
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


def transform(value: Any, method: str, *args: str) -> Any:
    if not isinstance(value, str):
        return UNKNOWN
    text = str(value)
    if method in DEDENT:
        if method == "cleandoc":
            import inspect

            new = inspect.cleandoc(text)
        else:
            import textwrap  # only for a dedent (its import compiles several patterns)

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


def percent_format(template: str, value: Any) -> Any:
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
