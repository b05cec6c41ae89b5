"""The safe YAML composer: ruamel node graphs with line numbers, never constructed objects.

YAML is only *composed* (ruamel.yaml, pure Python): the node graph, with line numbers, and no
object is ever constructed, so tags such as ``!!python/object`` are inert. Aliases are
shared nodes; before any value is read, the size of the document with every alias expanded
is computed (linear time, memoized) and a document over ``MAX_NODES`` (a "billion laughs"
bomb) or with a recursive alias is refused with a diagnostic.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from ..site import Span
from .yaml_plain import compose_plain

MAX_NODES = 100_000  # YAML nodes in a document once aliases are expanded
MAX_DEPTH = 200


class YamlRefused(Exception):
    """A YAML document costlint will not read; the message is the diagnostic."""


def compose_yaml(text: str, line_offset: int = 0) -> list[Any]:
    """The root node of each document (composition only: nothing is constructed). Plain
    files are composed by ``yaml_plain`` (the same nodes, without importing ruamel)."""
    plain = compose_plain(text)
    if plain is not None:
        return plain
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)
    try:
        with warnings.catch_warnings():  # ruamel warns about reused anchors on stderr
            warnings.simplefilter("ignore")
            return [doc for doc in yaml.compose_all(text) if doc is not None]
    except RecursionError:
        raise YamlRefused("refused: YAML nested too deeply") from None
    except (YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1 + line_offset})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
        raise YamlRefused(f"invalid YAML{where}: {problem}") from None


def node_kind(node: Any) -> str:
    return type(node).__name__  # ScalarNode | SequenceNode | MappingNode


@dataclass
class YamlDoc:
    """One composed document; reading values is bounded by ``MAX_NODES`` in all."""

    root: Any
    line_offset: int = 0
    read: int = 0

    def check_size(self) -> None:
        """Refuse a document whose alias-expanded size is over the limit, or recursive."""
        sizes: dict[int, int] = {}
        try:
            total = self._size(self.root, sizes, set())
        except RecursionError:
            raise YamlRefused("refused: YAML nested too deeply") from None
        if total > MAX_NODES:
            raise YamlRefused(_too_big())

    def _size(self, node: Any, sizes: dict[int, int], active: set[int]) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlRefused("refused: a recursive YAML alias (a node that contains itself)")
        active.add(key)
        total = 1
        kind = node_kind(node)
        children: list[Any] = []
        if kind == "SequenceNode":
            children = list(node.value)
        elif kind == "MappingNode":
            children = [child for pair in node.value for child in pair]
        for child in children:
            total += self._size(child, sizes, active)
            if total > MAX_NODES:
                raise YamlRefused(_too_big())
        active.discard(key)
        sizes[key] = total
        return total

    def tick(self) -> None:
        self.read += 1
        if self.read > MAX_NODES:
            raise YamlRefused(_too_big())

    def items(self, node: Any, depth: int = 0) -> list[tuple[str, Any, Any]]:
        """(key, key node, value node) of a mapping, ``<<`` merges applied, scalar keys only."""
        if node_kind(node) != "MappingNode" or depth > MAX_DEPTH:
            return []
        own: list[tuple[str, Any, Any]] = []
        merged: list[tuple[str, Any, Any]] = []
        for key_node, value_node in node.value:
            self.tick()
            if node_kind(key_node) != "ScalarNode":
                continue
            if key_node.value == "<<" and str(key_node.tag).endswith(":merge"):
                sources = (
                    value_node.value if node_kind(value_node) == "SequenceNode" else [value_node]
                )
                for source in sources:
                    merged.extend(self.items(source, depth + 1))
                continue
            own.append((str(key_node.value), key_node, value_node))
        keys = {key for key, _, _ in own}
        return own + [item for item in merged if item[0] not in keys]

    def mapping(self, node: Any) -> dict[str, tuple[Any, Any]]:
        if node is None:
            return {}
        return {key: (key_node, value) for key, key_node, value in self.items(node)}

    def value(self, node: Any, depth: int = 0) -> Any:
        """The plain Python value of a node (no tag ever constructs an object)."""
        self.tick()
        if depth > MAX_DEPTH:
            raise YamlRefused("refused: YAML nested too deeply")
        kind = node_kind(node)
        if kind == "ScalarNode":
            return _scalar(node)
        if kind == "SequenceNode":
            return [self.value(child, depth + 1) for child in node.value]
        if kind == "MappingNode":
            return {key: self.value(value, depth + 1) for key, _, value in self.items(node)}
        return None

    def span(self, node: Any) -> Span:
        mark = node.start_mark
        return Span(mark.line + 1 + self.line_offset, mark.column + 1)


def _too_big() -> str:
    return (
        f"refused: over {MAX_NODES:,} YAML nodes once aliases are expanded "
        "(an alias bomb?); the file was not read"
    )


def _scalar(node: Any) -> Any:
    tag = str(node.tag)
    text = str(node.value)
    try:
        if tag.endswith(":int"):
            cleaned = text.replace("_", "")
            try:
                return int(cleaned, 0)
            except ValueError:
                return int(cleaned, 10)
        if tag.endswith(":float"):
            return float(text.replace("_", ""))
    except ValueError:
        return text
    if tag.endswith(":bool"):
        return text.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    return text


def node_under(items: dict[str, tuple[Any, Any]], key: str) -> Any:
    """The value node under ``key`` (None when absent)."""
    entry = items.get(key)
    return entry[1] if entry is not None else None


def scalar_text(node: Any) -> str | None:
    if node is None or node_kind(node) != "ScalarNode":
        return None
    value = _scalar(node)
    return value if isinstance(value, str) else None
