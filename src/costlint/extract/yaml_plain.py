"""A fast composer for plain YAML files: block mappings and sequences of simple scalars.

Most prompt configs are written in a small part of YAML: ``key: value`` lines, ``- item``
lists, quoted strings on one line and ``|`` literal blocks. ruamel.yaml (pure Python) takes
a few milliseconds per file for them, and importing it costs more than most runs spend
composing. ``compose_plain`` composes exactly that part into nodes shaped like ruamel's
(``ScalarNode``/``SequenceNode``/``MappingNode`` with ``tag``, ``value`` and ``start_mark``),
and answers None for anything else (anchors, aliases, tags, flow collections, folded or
multi-line scalars, escapes, directives, several documents, unusual characters or
indentation): such a file goes to ruamel, which reads all of YAML. Like ruamel's composer it
builds no objects from tags, so a hostile file stays inert either way.
"""

from __future__ import annotations

import re
from typing import Any

TAG = "tag:yaml.org,2002:"
# Characters outside printable YAML, line breaks other than \n, tabs and the BOM.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# Plain scalars whose first character starts no implicit type but a string's (YAML 1.2 as
# ruamel resolves it: bool, null, int, float and timestamp all start otherwise).
_NUMBER_START = frozenset("0123456789+-.")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_WORDS = {
    **dict.fromkeys(("true", "True", "TRUE", "false", "False", "FALSE"), "bool"),
    **dict.fromkeys(("null", "Null", "NULL", "~"), "null"),
}
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_BLOCK_HEADS = {"|": "clip", "|-": "strip", "|+": "keep"}


class Mark:
    """Where a node starts: 0-based line and column, as ruamel's marks count them."""

    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int):
        self.line = line
        self.column = column


class ScalarNode:
    __slots__ = ("tag", "value", "start_mark")

    def __init__(self, tag: str, value: str, line: int, column: int):
        self.tag = tag
        self.value = value
        self.start_mark = Mark(line, column)


class SequenceNode:
    __slots__ = ("tag", "value", "start_mark")

    def __init__(self, value: list[Any], line: int, column: int):
        self.tag = TAG + "seq"
        self.value = value
        self.start_mark = Mark(line, column)


class MappingNode:
    __slots__ = ("tag", "value", "start_mark")

    def __init__(self, value: list[tuple[Any, Any]], line: int, column: int):
        self.tag = TAG + "map"
        self.value = value
        self.start_mark = Mark(line, column)


class _NotPlain(Exception):
    """The text uses YAML this composer leaves to ruamel."""


def compose_plain(text: str) -> list[Any] | None:
    """The root node of the text's one document, [] for a text with no content, or None
    when the text is not plain YAML as described above."""
    if not text:
        return []
    if not text.endswith("\n") or "\t" in text or "\r" in text or _UNUSUAL.search(text):
        return None
    try:
        return _Composer(text.split("\n")[:-1]).document()
    except (_NotPlain, RecursionError):  # ruamel says why a deep file is refused
        return None


class _Composer:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.at = 0  # the next line to read

    def document(self) -> list[Any]:
        line = self._next_content()
        if line is None:
            return []
        text = self.lines[line]
        if text.startswith(("---", "...", "%")):
            raise _NotPlain
        root = self._block(line, _indent(text))
        if self._next_content() is not None:
            raise _NotPlain  # a line the structure did not take: not plain
        return [root]

    # -- lines -----------------------------------------------------------------------------
    def _next_content(self) -> int | None:
        """The next line holding more than blanks or a comment (skipping the others)."""
        while self.at < len(self.lines):
            stripped = self.lines[self.at].strip()
            if stripped and not stripped.startswith("#"):
                return self.at
            self.at += 1
        return None

    # -- collections -----------------------------------------------------------------------
    def _block(self, line: int, indent: int) -> Any:
        body = self.lines[line][indent:]
        if body == "-" or body.startswith("- "):
            return self._sequence(line, indent)
        return self._mapping(line, indent)

    def _sequence(self, line: int, indent: int) -> SequenceNode:
        items: list[Any] = []
        node = SequenceNode(items, line, indent)
        while True:
            text = self.lines[line]
            body = text[indent:]
            if not body.startswith("- "):
                raise _NotPlain  # a bare ``-`` (item on the next lines) or ``-x``
            column = indent + 2
            while column < len(text) and text[column] == " ":
                column += 1
            rest = text[column:]
            if rest.startswith("- ") or rest == "-":
                raise _NotPlain  # a sequence inside an item's line
            if _key_at(rest) is not None:
                items.append(self._mapping(line, column))
            else:
                items.append(self._inline_scalar(line, column, indent))
            following = self._next_content()
            if following is None:
                return node
            found = _indent(self.lines[following])
            if found > indent:
                raise _NotPlain
            if found < indent or not self.lines[following][indent:].startswith("-"):
                return node  # the list ends (the next key of the mapping it is under)
            line = following

    def _mapping(self, line: int, indent: int) -> MappingNode:
        pairs: list[tuple[Any, Any]] = []
        node = MappingNode(pairs, line, indent)
        while True:
            text = self.lines[line]
            key = _key_at(text[indent:])
            if key is None:
                raise _NotPlain
            key_node = ScalarNode(TAG + "str", key, line, indent)
            column = indent + len(key) + 1  # past the colon
            while column < len(text) and text[column] == " ":
                column += 1
            rest = text[column:]
            if rest == "" or rest.startswith("#"):
                self.at = line + 1
                value = self._nested(line, indent)
            elif rest.split(" #", 1)[0].rstrip() in _BLOCK_HEADS:
                value = self._literal(line, column, indent)
            else:
                value = self._inline_scalar(line, column, indent)
            pairs.append((key_node, value))
            following = self._next_content()
            if following is None:
                return node
            found = _indent(self.lines[following])
            if found < indent:
                return node
            if found > indent or self.lines[following][indent:].startswith("-"):
                raise _NotPlain
            line = following

    def _nested(self, line: int, indent: int) -> Any:
        """The block under ``key:``: deeper lines, or a ``- item`` list at the key's column."""
        following = self._next_content()
        if following is None:
            raise _NotPlain  # an empty value (null): left to ruamel
        text = self.lines[following]
        found = _indent(text)
        if found > indent:
            return self._block(following, found)
        if found == indent and (text[indent:] == "-" or text[indent:].startswith("- ")):
            return self._sequence(following, indent)
        raise _NotPlain

    # -- scalars ---------------------------------------------------------------------------
    def _inline_scalar(self, line: int, column: int, parent: int) -> ScalarNode:
        """A scalar that ends on its own line (plain, or quoted without escapes)."""
        text = self.lines[line][column:]
        first = text[:1]
        if first == '"':
            end = text.find('"', 1)
            if end < 0 or "\\" in text[:end]:
                raise _NotPlain
            value, after = text[1:end], text[end + 1 :]
        elif first == "'":
            value, after = _single_quoted(text)
        else:
            value, after = _plain(text), ""
            tag = _plain_tag(value)
        if first in ("'", '"'):
            stripped = after.strip()
            if stripped and not (after.startswith(" ") and stripped.startswith("#")):
                raise _NotPlain
            tag = TAG + "str"
        self.at = line + 1
        following = self._next_content()
        if following is not None and _indent(self.lines[following]) > parent:
            raise _NotPlain  # a scalar continued on the next lines
        return ScalarNode(tag, value, line, column)

    def _literal(self, line: int, column: int, parent: int) -> ScalarNode:
        """A ``|`` block (clip, ``|-`` strip or ``|+`` keep its final line breaks)."""
        head = self.lines[line][column:].split(" #", 1)[0].rstrip()
        chomping = _BLOCK_HEADS[head]
        start = line + 1
        if start >= len(self.lines) or not self.lines[start].strip():
            raise _NotPlain  # leading empty lines (or nothing): left to ruamel
        indent = _indent(self.lines[start])
        if indent <= parent:
            raise _NotPlain
        body: list[str] = []
        end = start
        while end < len(self.lines):
            text = self.lines[end]
            if text.strip():
                if _indent(text) < indent:
                    break
                body.append(text[indent:])
            else:
                if len(text) > indent:
                    raise _NotPlain  # blanks past the indent are content: left to ruamel
                body.append("")
            end += 1
        trailing = 0
        while body and body[-1] == "":
            body.pop()
            trailing += 1
        value = "\n".join(body)
        if chomping == "clip":
            value += "\n"
        elif chomping == "keep":
            value += "\n" * (1 + trailing)
        self.at = end
        return ScalarNode(TAG + "str", value, line, column)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _key_at(text: str) -> str | None:
    """The simple key that starts ``text`` (``name:`` then a space or the line's end)."""
    match = _KEY.match(text)
    if match is None:
        return None
    key = match.group()
    after = text[len(key) : len(key) + 2]
    if after not in (":", ": ") or key in _WORDS:
        return None
    return key


def _plain(text: str) -> str:
    """A one-line plain scalar (a comment after it dropped)."""
    if text[:1] in _NOT_PLAIN_START and not (text[:1] == "-" and text[1:2].isdigit()):
        raise _NotPlain
    value = text.split(" #", 1)[0].rstrip()
    if not value or ": " in value or value.endswith(":"):
        raise _NotPlain
    return value


def _plain_tag(value: str) -> str:
    word = _WORDS.get(value)
    if word is not None:
        return TAG + word
    if value[:1] in _NUMBER_START:
        if _INT.fullmatch(value):
            return TAG + "int"
        if _FLOAT.fullmatch(value):
            return TAG + "float"
        raise _NotPlain  # other numbers, dates, ``.inf``: left to ruamel's resolver
    if value[:1] in "<=":
        raise _NotPlain  # ``<<`` merges and ``=`` values
    return TAG + "str"


def _single_quoted(text: str) -> tuple[str, str]:
    """The value of a one-line ``'...'`` scalar (``''`` is a quote) and the text after it."""
    index = 1
    out: list[str] = []
    while True:
        end = text.find("'", index)
        if end < 0:
            raise _NotPlain  # continued on the next line
        out.append(text[index:end])
        if text[end + 1 : end + 2] == "'":
            out.append("'")
            index = end + 2
            continue
        return "".join(out), text[end + 1 :]
