"""Applying planned edits to file text: Python through libcst (a lossless concrete syntax
tree, so comments and formatting outside an edit stay byte-for-byte), a YAML model id by a
precise text edit. Nothing is written here; a result that does not parse is refused.

libcst is imported only when a fix is applied: `costlint check` without --fix never loads it.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .edits import AddCacheControl, Edit, ReplaceLiteral, ReplaceText, SetArgument, Skip

EPHEMERAL = '{"type": "ephemeral"}'
PYTHON_SUFFIXES = (".py",)
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class FileChange:
    """One file's text before and after its applied edits."""

    path: str
    before: str
    after: str
    edits: list[Edit] = field(default_factory=list)


@dataclass
class Applied:
    changes: list[FileChange] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    @property
    def edits(self) -> list[Edit]:
        return [edit for change in self.changes for edit in change.edits]


def apply_edits(root: Path, edits: list[Edit]) -> Applied:
    """Each file's new text (read from ``root``); edits that do not fit the file are skipped."""
    result = Applied()
    by_path: dict[str, list[Edit]] = defaultdict(list)
    for edit in edits:
        by_path[edit.path].append(edit)
    for path, file_edits in by_path.items():
        target = (root / path).resolve()
        try:
            target.relative_to(root.resolve())
            with target.open(encoding="utf-8", newline="") as handle:
                before = handle.read()
        except (OSError, UnicodeDecodeError, ValueError):
            result.skipped += _skip_all(file_edits, f"cannot read {path}")
            continue
        bom = "\ufeff" if before.startswith("\ufeff") else ""  # kept, and not parsed
        text = before[len(bom) :]
        if path.endswith(PYTHON_SUFFIXES):
            after, done, skipped = edit_python(text, file_edits)
        elif path.endswith(YAML_SUFFIXES):
            after, done, skipped = edit_config(text, file_edits, _yaml_parses)
        elif path.endswith(".json"):
            after, done, skipped = edit_config(text, file_edits, _json_parses)
        else:
            after, done, skipped = text, [], _skip_all(file_edits, "not a Python or YAML file")
        after = bom + after
        result.skipped += skipped
        if done and after != before:
            result.changes.append(FileChange(path, before, after, done))
    return result


def write_changes(root: Path, changes: list[FileChange]) -> None:
    for change in changes:
        with (root / change.path).open("w", encoding="utf-8", newline="") as handle:
            handle.write(change.after)


def _skip_all(edits: list[Edit], reason: str) -> list[Skip]:
    return [Skip(finding, reason) for edit in edits for finding in edit.findings]


# -- Python --------------------------------------------------------------------------------


def edit_python(source: str, edits: list[Edit]) -> tuple[str, list[Edit], list[Skip]]:
    """``source`` with ``edits`` applied, the edits done, and the ones skipped (and why)."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper

    try:
        wrapper = MetadataWrapper(cst.parse_module(source))
    except cst.ParserSyntaxError:
        return source, [], _skip_all(edits, "the file does not parse")
    finder = _finder(source)
    wrapper.visit(finder)
    changes: dict[int, list[Callable[[Any], Any]]] = defaultdict(list)
    done: list[Edit] = []
    skipped: list[Skip] = []
    for edit in edits:
        planned = _plan_node_changes(edit, finder)
        if isinstance(planned, str):
            skipped += _skip_all([edit], planned)
            continue
        for node, change in planned:
            changes[id(node)].append(change)
        done.append(edit)
    if not done:
        return source, [], skipped
    after = wrapper.visit(_rewriter(changes)).code
    if not python_parses(after):  # never write a file that no longer parses
        return source, [], skipped + _skip_all(done, "the edit would not parse")
    return after, done, skipped


def python_parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _finder_base() -> type:
    import libcst as cst
    from libcst.metadata import PositionProvider

    class Finder(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self, source: str) -> None:
            super().__init__()
            self.lines = re.split(r"\r\n|\r|\n", source)  # Python's line ends only
            self.literals: dict[int, list[Any]] = defaultdict(list)
            self.calls: dict[tuple[int, int, int], Any] = {}

        def _start(self, node: Any) -> tuple[int, int, int]:
            """(line, 1-based UTF-8 column as ``ast`` counts it, end line)."""
            where = self.get_metadata(PositionProvider, node)
            line = self.lines[where.start.line - 1] if where.start.line <= len(self.lines) else ""
            column = len(line[: where.start.column].encode("utf-8")) + 1
            return where.start.line, column, where.end.line

        def visit_SimpleString(self, node: Any) -> None:
            self.literals[self._start(node)[0]].append(node)

        def visit_Integer(self, node: Any) -> None:
            self.literals[self._start(node)[0]].append(node)

        def visit_Call(self, node: Any) -> None:
            self.calls.setdefault(self._start(node), node)

    return Finder


def _finder(source: str) -> Any:
    """A visitor collecting literals by line and calls by position (libcst loaded here)."""
    return _finder_base()(source)


def _rewriter(changes: dict[int, list[Callable[[Any], Any]]]) -> Any:
    """A transformer applying ``changes`` (by original node) on the way up the tree."""
    import libcst as cst

    class Rewriter(cst.CSTTransformer):
        def on_leave(self, original: Any, updated: Any) -> Any:
            for change in changes.get(id(original), ()):
                updated = change(updated)
            return updated

    return Rewriter()


def _plan_node_changes(edit: Edit, finder: Any) -> list[tuple[Any, Callable[[Any], Any]]] | str:
    """(original node, function of its updated node) pairs, or why the edit does not fit."""
    action = edit.action
    if isinstance(action, ReplaceLiteral):
        matches = [n for n in finder.literals.get(action.line, []) if _value(n) == action.old]
        if len(matches) != 1:
            return f"{action.old!r} is not written as one literal on line {action.line}"
        return _literal_change(matches[0], action.new)
    call = finder.calls.get(_call_key(action))
    if call is None:
        return "the call is not where the scan saw it (the file changed?)"
    if isinstance(action, SetArgument):
        return _argument_change(call, action)
    if isinstance(action, AddCacheControl):
        return _cache_control_change(call, action)
    return "not a Python edit"


def _call_key(action: Any) -> tuple[int, int, int]:
    span = action.call
    return span.line, span.column, span.end_line or span.line


def _value(node: Any) -> Any:
    import libcst as cst

    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return None
        return node.evaluated_value
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    return None


def _literal_change(node: Any, new: Any) -> list[tuple[Any, Callable[[Any], Any]]] | str:
    import libcst as cst

    if isinstance(node, cst.Integer):
        if not isinstance(new, int):
            return "the literal is an integer"
        return [(node, lambda updated: updated.with_changes(value=str(new)))]
    if not isinstance(new, str) or any(ch in new for ch in "\\'\"\n"):
        return "the new value cannot be written in the literal's quotes"
    text = f"{node.prefix}{node.quote}{new}{node.quote}"
    return [(node, lambda updated: updated.with_changes(value=text))]


def _keyword(call: Any, name: str) -> Any:
    return next(
        (arg for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None
    )


def _argument_change(
    call: Any, action: SetArgument
) -> list[tuple[Any, Callable[[Any], Any]]] | str:
    import libcst as cst

    arg = _keyword(call, action.name)
    if action.old is not None:
        if arg is None or _value(arg.value) != action.old:
            return f"{action.name}={action.old!r} is not written at the call"
        return _literal_change(arg.value, action.new)
    if arg is not None:
        return f"{action.name}= is already passed"
    if any(a.star for a in call.args):
        return f"the call passes *args or **kwargs, which may hold {action.name}"
    value = cst.parse_expression(repr(action.new))
    return [(call, lambda updated: _add_argument(updated, action.name, value))]


def _add_argument(call: Any, name: str, value: Any) -> Any:
    """``call`` with ``name=value`` after its last argument, laid out like the arguments
    before it (same separator, same ``=`` spacing, trailing comma kept)."""
    import libcst as cst

    args = list(call.args)
    keywords = [a for a in args if a.keyword is not None]
    equal = (
        keywords[-1].equal
        if keywords
        else cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        )
    )
    new = cst.Arg(value=value, keyword=cst.Name(name), equal=equal)
    return call.with_changes(args=_append(args, new))


def _append(items: list[Any], new: Any) -> list[Any]:
    """Call arguments with ``new`` after the last, laid out like the ones before it: one per
    line with the same indent (a comment stays on its line, a trailing comma is kept), or
    ", " on one line."""
    import libcst as cst

    if not items:
        return [new]
    last = items[-1]
    separator = _separator(items)
    if isinstance(last.comma, cst.Comma):  # a trailing comma holds the line's end
        kept, closing = _split_line_end(last.comma.whitespace_after, separator)
        if kept is not None:
            last = last.with_changes(comma=last.comma.with_changes(whitespace_after=kept))
            return [*items[:-1], last, new.with_changes(comma=cst.Comma(whitespace_after=closing))]
    else:
        kept, closing = _split_line_end(last.whitespace_after_arg, separator)
        if kept is not None:
            last = last.with_changes(
                comma=cst.Comma(whitespace_after=kept),
                whitespace_after_arg=cst.SimpleWhitespace(""),
            )
            return [*items[:-1], last, new.with_changes(whitespace_after_arg=closing)]
    new = new.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    last = last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
    return [*items[:-1], last, new]


def _split_line_end(end: Any, separator: Any) -> tuple[Any, Any]:
    """For items laid out one per line: (what follows the last item's comma now: its own line
    end, comment included, then the next item's indent; what closes the list: a bare line end
    and the closing indent). (None, None) when the items are not one per line."""
    import libcst as cst

    between = separator.whitespace_after
    if not isinstance(end, cst.ParenthesizedWhitespace) or not isinstance(
        between, cst.ParenthesizedWhitespace
    ):
        return None, None
    kept = end.with_changes(indent=between.indent, last_line=between.last_line)
    closing = cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), indent=end.indent, last_line=end.last_line
    )
    return kept, closing


def _separator(items: list[Any]) -> Any:
    """The comma between the last two items (a newline and indent in a call laid out one
    argument per line), or ", "."""
    import libcst as cst

    if len(items) >= 2 and isinstance(items[-2].comma, cst.Comma):
        return items[-2].comma
    if isinstance(items[-1].comma, cst.Comma):
        return items[-1].comma
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _cache_control_change(
    call: Any, action: AddCacheControl
) -> list[tuple[Any, Callable[[Any], Any]]] | str:
    import libcst as cst

    if action.part == "document":
        messages = _keyword(call, "messages")
        if (
            messages is None
            or not isinstance(messages.value, cst.List)
            or not messages.value.elements
        ):
            return "messages is not written as a list at the call"
        first = messages.value.elements[0].value
        content = _dict_value(first, "content") if isinstance(first, cst.Dict) else None
        if content is None:
            return "the first message is not written as a dict with content at the call"
        value = content
    else:
        arg = _keyword(call, action.part)
        if arg is None:
            return f"{action.part}= is not written at the call"
        value = arg.value
    if action.index is None:
        if isinstance(value, (cst.List, cst.Dict)):
            return f"the {action.part} is not a string"
        return [(value, _wrap_in_block)]
    if not isinstance(value, cst.List) or len(value.elements) <= action.index:
        return f"the {action.part} blocks are not written as a list at the call"
    block = value.elements[action.index].value
    if not isinstance(block, cst.Dict):
        return f"the {action.part} block is not written as a dict at the call"
    if _dict_value(block, "cache_control") is not None:
        return "the block already has cache_control"
    return [(block, _add_cache_control_key)]


def _dict_value(node: Any, key: str) -> Any:
    import libcst as cst

    for element in node.elements:
        if isinstance(element, cst.DictElement) and _value(element.key) == key:
            return element.value
    return None


def _wrap_in_block(text: Any) -> Any:
    """``[{"type": "text", "text": <text as written>, "cache_control": {...}}]``."""
    import libcst as cst

    template = cst.parse_expression(
        f'[{{"type": "text", "text": __text__, "cache_control": {EPHEMERAL}}}]'
    )

    class Fill(cst.CSTTransformer):
        def leave_Name(self, original: Any, updated: Any) -> Any:
            return text if updated.value == "__text__" else updated

    return template.visit(Fill())


def _add_cache_control_key(block: Any) -> Any:
    import libcst as cst

    elements = list(block.elements)
    new = cst.DictElement(
        key=cst.SimpleString('"cache_control"'),
        value=cst.parse_expression(EPHEMERAL),
        whitespace_before_colon=cst.SimpleWhitespace(""),
        whitespace_after_colon=cst.SimpleWhitespace(" "),
    )
    if not elements:
        return block.with_changes(elements=[new])
    last = elements[-1]
    if isinstance(last, cst.DictElement):
        new = new.with_changes(
            whitespace_before_colon=last.whitespace_before_colon,
            whitespace_after_colon=last.whitespace_after_colon,
        )
    separator = _separator(elements)
    kept, closing = _split_line_end(block.rbrace.whitespace_before, separator)
    if kept is not None:  # one element per line: the closing brace's line end moves down
        trailing = isinstance(last.comma, cst.Comma)
        last = last.with_changes(comma=cst.Comma(whitespace_after=kept))
        new = new.with_changes(comma=cst.Comma() if trailing else cst.MaybeSentinel.DEFAULT)
        rbrace = block.rbrace.with_changes(whitespace_before=closing)
        return block.with_changes(elements=[*elements[:-1], last, new], rbrace=rbrace)
    new = new.with_changes(comma=last.comma)
    last = last.with_changes(comma=separator)
    return block.with_changes(elements=[*elements[:-1], last, new])


# -- YAML and JSON -------------------------------------------------------------------------


def edit_config(
    source: str, edits: list[Edit], parses: Callable[[str], bool]
) -> tuple[str, list[Edit], list[Skip]]:
    """A scalar (a model id, a number) on its line, written plain or quoted, replaced in
    place; the result must still ``parse``."""
    lines = source.splitlines(keepends=True)
    done: list[Edit] = []
    skipped: list[Skip] = []
    for edit in edits:
        action = edit.action
        if not isinstance(action, ReplaceText) or not 0 < action.line <= len(lines):
            skipped += _skip_all([edit], "not a scalar edit")
            continue
        line = lines[action.line - 1]
        spans = _scalar_spans(line, max(action.column - 1, 0), action.old)
        if len(spans) != 1:
            skipped += _skip_all([edit], "the value is not one plain or quoted scalar on its line")
            continue
        start, end = spans[0]
        lines[action.line - 1] = f"{line[:start]}{action.new}{line[end:]}"
        done.append(edit)
    after = "".join(lines)
    if done and not parses(after):
        return source, [], skipped + _skip_all(done, "the edit would not parse")
    return after, done, skipped


_PROVIDER_PREFIX = re.compile(r"(?:[a-z][a-z-]*:)+$")  # promptfoo's "anthropic:messages:"


def _scalar_spans(line: str, start: int, value: str) -> list[tuple[int, int]]:
    """Where ``value`` stands as a whole scalar on ``line`` from ``start`` (after ``key:``,
    ``- ``, ``[`` or ``,``; plain or inside matching quotes; maybe after a provider prefix such
    as ``anthropic:messages:``): (start, end) of the text to replace."""
    found = []
    at = line.find(value, start)
    while at >= 0:
        end = at + len(value)
        before, after = line[:at], line[end:]
        prefix = _PROVIDER_PREFIX.search(before)
        if prefix:
            before = before[: prefix.start()]
        quote = before[-1:] if before[-1:] in ("'", '"') else ""
        if quote and after.startswith(quote):
            before, after = before[:-1], after[1:]
        opens = before.rstrip().endswith((":", "-", "[", ",", "{")) and (
            before[-1:].isspace() or before[-1:] in ("[", "{", ",")
        )
        closes = not after.strip() or after.lstrip().startswith(("#", ",", "}", "]"))
        if opens and closes:
            found.append((at, end))
        at = line.find(value, end)
    return found


def _yaml_parses(text: str) -> bool:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        list(YAML(typ="safe", pure=True).load_all(text))
    except YAMLError:
        return False
    return True


def _json_parses(text: str) -> bool:
    import json

    try:
        json.loads(text)
    except ValueError:
        return False
    return True
