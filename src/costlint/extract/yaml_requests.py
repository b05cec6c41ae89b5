"""Request pieces shared by the YAML-family front-ends: file context, model ids, prompt text.

``{{ var }}`` (and ``{var}``) in prompt text become placeholders, so the stable prefix stops
there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..resolve.templates import placeholder_text
from ..site import UNKNOWN, PromptSite, Span, Str
from .suppression import suppression
from .templates import renderer_for
from .yaml_compose import YamlDoc

if TYPE_CHECKING:
    from ..resolve.project import Project

MAX_SITES = 200  # per file
MAX_TOKENS_KEYS = ("max_tokens", "maxTokens", "max_output_tokens", "maxOutputTokens")
PASSED_THROUGH = ("tools", "tool_choice", "thinking", "cache_control", "stop_sequences")

_TEMPLATE_PART = re.compile(
    r"\{\{\{?-?\s*(.*?)\s*-?\}?\}\}|\{%.*?%\}|\{#.*?#\}|\{([A-Za-z_]\w*)\}", re.DOTALL
)


@dataclass
class FileContext:
    """The file being read: its text, paths and project, and the problems noted so far."""

    source: str
    rel_path: str
    abs_path: Path
    project: Project | None
    problems: list[str] = field(default_factory=list)
    _lines: list[str] | None = None

    @property
    def tokens(self) -> int:
        return renderer_for(self.project, self.abs_path).options.placeholder_tokens

    def line(self, number: int) -> str:
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def ignore(self, spans: list[Span]) -> frozenset[str] | None:
        """Suppression comments on the lines of the site and of its keys."""
        codes: set[str] = set()
        for line in sorted({span.line for span in spans}):
            found = suppression(self.line(line))
            if found:
                codes |= found
        return frozenset(codes) if codes else None

    def read(self, path: Path) -> str | None:
        if self.project is None:
            return None
        return self.project.read_text(path)

    def site(
        self,
        *,
        span: Span,
        kind: str,
        frontend: str,
        qualname: str,
        args: dict[str, Any],
        spans: dict[str, Span],
        ordinal: int = 0,
        notes: list[str] | None = None,
        opener: Span | None = None,
    ) -> PromptSite:
        """A request a config file describes: ``repeated`` (running code uses a config), with
        the suppressions on the lines of the site, of its keys and of ``opener``."""
        return PromptSite(
            path=self.rel_path,
            span=span,
            kind=kind,
            frontend=frontend,
            qualname=qualname,
            ordinal=ordinal,
            args=args,
            arg_spans=spans,
            repeated=True,
            ignore=self.ignore([span, *spans.values(), *([opener] if opener else [])]),
            notes=notes or [],
        )


def claude_model(value: Any) -> str | None:
    """The Claude model id a config names (provider prefixes such as ``anthropic/`` dropped)."""
    from .python import looks_like_claude_id

    if not isinstance(value, str) or "claude" not in value.lower():
        return None
    text = value.strip()
    tail = text.rsplit("/", 1)[-1]
    for candidate in (tail, text):
        if looks_like_claude_id(candidate):
            return candidate
    return None


def text_with_holes(text: str, tokens: int) -> Str:
    """Prompt text with ``{{ expr }}`` / ``{name}`` as placeholders and template tags dropped."""
    parts: list[str] = []
    last = 0
    for match in _TEMPLATE_PART.finditer(text):
        parts.append(text[last : match.start()])
        name = _hole_name(match)
        if name is not None:
            parts.append(Str(placeholder_text(name, tokens), 1, 0))
        last = match.end()
    parts.append(text[last:])
    return Str.concat(parts)


def _hole_name(match: re.Match[str]) -> str | None:
    if match.group(2) is not None:
        return match.group(2)
    expr = match.group(1)
    if expr is None or not expr or expr[0] in "!#/^" or expr.split()[0] == "else":
        return None  # a tag, a comment or a block helper: no text of its own
    words = expr.lstrip(">&").split()
    return re.sub(r"[^\w.]+", "_", words[0] if words else "value")[:40] or "value"


def prompt_value(value: Any, tokens: int) -> Any:
    """A system prompt or message content: text -> Str with holes; blocks keep their shape."""
    if isinstance(value, str):
        return text_with_holes(value, tokens)
    if isinstance(value, list):
        return [_block(item, tokens) for item in value]
    if isinstance(value, dict):
        return _block(value, tokens)
    return UNKNOWN if value is not None else None


def _block(item: Any, tokens: int) -> Any:
    if isinstance(item, str):
        return {"type": "text", "text": text_with_holes(item, tokens)}
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return {**item, "text": text_with_holes(item["text"], tokens)}
    return item


def prompt_messages(value: Any, tokens: int) -> Any:
    """A messages list with each content read as a prompt value; anything else is UNKNOWN."""
    if not isinstance(value, list):
        return UNKNOWN
    out: list[Any] = []
    for message in value:
        if isinstance(message, dict) and "content" in message:
            out.append({**message, "content": prompt_value(message["content"], tokens)})
        else:
            out.append(UNKNOWN)
    return out


def user_message(text: Any, tokens: int) -> dict[str, Any]:
    return {"role": "user", "content": prompt_value(text, tokens)}


def read_max_tokens(
    doc: YamlDoc, items: dict[str, tuple[Any, Any]], args: dict[str, Any], spans: dict[str, Span]
) -> None:
    """Set ``max_tokens`` from the first max-tokens key present (any spelling)."""
    for key in MAX_TOKENS_KEYS:
        if key in items:
            key_node, value_node = items[key]
            value = doc.value(value_node)
            args["max_tokens"] = value if isinstance(value, int) else UNKNOWN
            spans["max_tokens"] = doc.span(key_node)
            return


def copy_keys(
    doc: YamlDoc,
    items: dict[str, tuple[Any, Any]],
    args: dict[str, Any],
    spans: dict[str, Span],
    keys: tuple[str, ...] = PASSED_THROUGH,
) -> None:
    """Each of ``keys`` present in ``items``: its value as written, and the line of its key."""
    for key in keys:
        if key in items:
            args[key] = doc.value(items[key][1])
            spans[key] = doc.span(items[key][0])
