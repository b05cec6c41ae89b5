"""YAML prompt configs, promptfoo configs, ``.prompty`` and dotprompt ``.prompt`` files.

YAML is only *composed* (ruamel.yaml, pure Python): the node graph, with line numbers, and no
object is ever constructed, so tags such as ``!!python/object`` are inert. Aliases are
shared nodes; before any value is read, the size of the document with every alias expanded
is computed (linear time, memoized) and a document over ``MAX_NODES`` (a "billion laughs"
bomb) or with a recursive alias is refused with a diagnostic.

Most YAML in a repository is CI or deployment config: a file is parsed only when a line names
a Claude model (``model: claude-...``) or a promptfoo Claude provider, so the rest cost a
regex scan and yield no sites and no diagnostics.

Sites (``repeated=True``: a config is used by running code) carry ``arg_spans`` with the
line of each key, so findings point at ``max_tokens:`` or ``model:``:

* any mapping, at any depth, with a Claude ``model`` and one of ``max_tokens``, ``system``,
  ``system_prompt`` (read as ``system``), ``messages`` or ``prompt`` (a user message);
* promptfoo: each ``anthropic:messages:<model>`` provider (or Bedrock/Vertex Claude) with
  ``config.max_tokens``, times each prompt (inline, or ``file://`` inside the repository);
* ``.prompty``: front matter ``model.configuration`` / ``model.parameters``, Jinja2 body
  rendered in the sandbox and split on ``system:``/``user:``/``assistant:`` lines;
* dotprompt: front matter ``model`` and ``config.maxOutputTokens``, Handlebars body read as
  text, split on ``{{role "..."}}``.

``{{ var }}`` (and ``{var}``) in prompt text become placeholders, so the stable prefix stops
there.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..resolve.templates import RenderError, placeholder_text
from ..site import UNKNOWN, Diagnostic, PromptSite, Span, Str
from .result import ExtractResult
from .suppression import suppression
from .templates import history_sites, renderer_for

if TYPE_CHECKING:
    from ..resolve.project import Project

MAX_NODES = 100_000  # YAML nodes in a document once aliases are expanded
MAX_DEPTH = 200
MAX_SITES = 200  # per file
MAX_PROMPT_FILES = 20  # files one promptfoo `file://` glob may name
MAX_TOKENS_KEYS = ("max_tokens", "maxTokens", "max_output_tokens", "maxOutputTokens")
REQUEST_KEYS = frozenset({"system", "system_prompt", "messages", "prompt", *MAX_TOKENS_KEYS})
PASSED_THROUGH = ("tools", "tool_choice", "thinking", "cache_control", "stop_sequences")
MODEL_KEYS = ("model", "name", "azure_deployment", "deployment", "id")  # prompty configuration

_CLAUDE_MODEL = re.compile(r"""\bmodel['"]?\s*:\s*['"]?[^\s'",}\]]*claude""", re.IGNORECASE)
_CLAUDE_PROVIDER = re.compile(
    r"\b(?:anthropic|bedrock|vertex)(?::[\w.@-]+)*:[\w.@/-]*claude", re.IGNORECASE
)
_ROLE_LINE = re.compile(
    r"^[ \t]*#?[ \t]*(system|user|assistant|developer)[ \t]*:[ \t]*$", re.IGNORECASE | re.M
)
_DOTPROMPT_ROLE = re.compile(r"""\{\{\s*role\s+["'](\w+)["']\s*\}\}""")
_TEMPLATE_PART = re.compile(
    r"\{\{\{?-?\s*(.*?)\s*-?\}?\}\}|\{%.*?%\}|\{#.*?#\}|\{([A-Za-z_]\w*)\}", re.DOTALL
)


class YamlRefused(Exception):
    """A YAML document costlint will not read; the message is the diagnostic."""


# -- entry points ---------------------------------------------------------------------------------
def extract_yaml(
    source: str, rel_path: str, abs_path: Path, project: Project | None
) -> ExtractResult:
    """Sites for YAML prompt configs and promptfoo configs; silent on other YAML."""
    result = ExtractResult()
    if not _names_claude(source):
        return result
    context = _Context(source, rel_path, abs_path, project)
    try:
        for root in _compose(source):
            doc = _Doc(root)
            doc.check_size()
            result.sites.extend(_document_sites(doc, context))
    except YamlRefused as exc:
        result.diagnostics.append(Diagnostic(rel_path, str(exc)))
    result.sites = result.sites[:MAX_SITES]
    result.diagnostics.extend(Diagnostic(rel_path, note) for note in context.problems)
    return result


def extract_prompty(
    source: str, rel_path: str, abs_path: Path, project: Project | None
) -> ExtractResult:
    """A ``.prompty`` file: front matter (model, parameters) and a Jinja2 body."""
    return _front_matter_file(source, rel_path, abs_path, project, _prompty_site)


def extract_dotprompt(
    source: str, rel_path: str, abs_path: Path, project: Project | None
) -> ExtractResult:
    """A dotprompt ``.prompt`` file: front matter (model, config) and a Handlebars body."""

    def build(front: Any, body: str, body_line: int, context: _Context, result: Any) -> Any:
        return _dotprompt_site(front, body, context)

    return _front_matter_file(source, rel_path, abs_path, project, build)


def _front_matter_file(
    source: str,
    rel_path: str,
    abs_path: Path,
    project: Project | None,
    build: Callable[..., Any],
) -> ExtractResult:
    """Shared by .prompty and .prompt: split the front matter, build the request site."""
    result = ExtractResult()
    parts = _front_matter(source)
    if parts is None or "claude" not in source.lower():
        return result
    front, body, body_line = parts
    context = _Context(source, rel_path, abs_path, project)
    try:
        site = build(front, body, body_line, context, result)
    except YamlRefused as exc:
        result.diagnostics.append(Diagnostic(rel_path, str(exc)))
        return result
    if site is not None:
        result.sites.insert(0, site)
    result.diagnostics.extend(Diagnostic(rel_path, note) for note in context.problems)
    return result


EXTRACTORS: dict[str, Callable[..., Any]] = {
    "yaml": extract_yaml,
    "prompty": extract_prompty,
    "dotprompt": extract_dotprompt,
}


def _names_claude(source: str) -> bool:
    """Cheap filter: a line naming a Claude model or a promptfoo Claude provider."""
    if "claude" not in source and "claude" not in source.lower():
        return False
    return bool(_CLAUDE_MODEL.search(source) or _CLAUDE_PROVIDER.search(source))


# -- composing and reading YAML ----------------------------------------------------------------
def _compose(text: str, line_offset: int = 0) -> list[Any]:
    """The root node of each document (composition only: nothing is constructed)."""
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


def _kind(node: Any) -> str:
    return type(node).__name__  # ScalarNode | SequenceNode | MappingNode


@dataclass
class _Doc:
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
        kind = _kind(node)
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
        if _kind(node) != "MappingNode" or depth > MAX_DEPTH:
            return []
        own: list[tuple[str, Any, Any]] = []
        merged: list[tuple[str, Any, Any]] = []
        for key_node, value_node in node.value:
            self.tick()
            if _kind(key_node) != "ScalarNode":
                continue
            if key_node.value == "<<" and str(key_node.tag).endswith(":merge"):
                sources = value_node.value if _kind(value_node) == "SequenceNode" else [value_node]
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
        kind = _kind(node)
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


def _get(items: dict[str, tuple[Any, Any]], key: str) -> Any:
    """The value node under ``key`` (None when absent)."""
    entry = items.get(key)
    return entry[1] if entry is not None else None


def _scalar_text(node: Any) -> str | None:
    if node is None or _kind(node) != "ScalarNode":
        return None
    value = _scalar(node)
    return value if isinstance(value, str) else None


# -- shared pieces of a request ----------------------------------------------------------------
@dataclass
class _Context:
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


def _prompt_value(value: Any, tokens: int) -> Any:
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


def _messages(value: Any, tokens: int) -> Any:
    if not isinstance(value, list):
        return UNKNOWN
    out: list[Any] = []
    for message in value:
        if isinstance(message, dict) and "content" in message:
            out.append({**message, "content": _prompt_value(message["content"], tokens)})
        else:
            out.append(UNKNOWN)
    return out


def _user(text: Any, tokens: int) -> dict[str, Any]:
    return {"role": "user", "content": _prompt_value(text, tokens)}


# -- generic YAML prompt configs -----------------------------------------------------------------
def _document_sites(doc: _Doc, context: _Context) -> list[PromptSite]:
    root_items = doc.mapping(doc.root)
    if "providers" in root_items:
        sites = _promptfoo_sites(doc, root_items, context)
        if sites:
            return sites
    return _config_sites(doc, context)


def _config_sites(doc: _Doc, context: _Context) -> list[PromptSite]:
    """Every mapping that describes a Claude request, at any depth (each node visited once)."""
    sites: list[PromptSite] = []
    ordinals: dict[str, int] = {}
    visited: set[int] = set()
    # (node, key path, span of the key that opens it)
    stack: list[tuple[Any, str, Span | None]] = [(doc.root, "", None)]
    while stack and len(sites) < MAX_SITES:
        node, path, opener = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        kind = _kind(node)
        if kind == "SequenceNode":
            stack.extend(
                (child, f"{path}[{i}]", doc.span(child))
                for i, child in reversed(list(enumerate(node.value)))
            )
            continue
        if kind != "MappingNode":
            continue
        items = doc.mapping(node)
        if _is_request(items):
            qualname = path or "<root>"
            ordinal = ordinals.get(qualname, 0)
            ordinals[qualname] = ordinal + 1
            site = _config_site(doc, node, items, qualname, ordinal, context, opener)
            sites.append(site)
            continue
        for key, (key_node, value) in reversed(list(items.items())):
            stack.append((value, f"{path}.{key}" if path else key, doc.span(key_node)))
    return sites


def _is_request(items: dict[str, tuple[Any, Any]]) -> bool:
    if "model" not in items or not REQUEST_KEYS & items.keys():
        return False
    return claude_model(_scalar_text(items["model"][1])) is not None


def _config_site(
    doc: _Doc,
    node: Any,
    items: dict[str, tuple[Any, Any]],
    qualname: str,
    ordinal: int,
    context: _Context,
    opener: Span | None = None,
) -> PromptSite:
    tokens = context.tokens
    args: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    model_key, model_node = items["model"]
    args["model"] = claude_model(_scalar_text(model_node))
    spans["model"] = doc.span(model_key)
    _read_max_tokens(doc, items, args, spans)
    for key in ("system", "system_prompt"):
        if key in items:
            args["system"] = _prompt_value(doc.value(items[key][1]), tokens)
            spans["system"] = doc.span(items[key][0])
    if "messages" in items:
        args["messages"] = _messages(doc.value(items["messages"][1]), tokens)
        spans["messages"] = doc.span(items["messages"][0])
    if "prompt" in items:
        prompt = _user(doc.value(items["prompt"][1]), tokens)
        earlier = args.get("messages")
        args["messages"] = [*earlier, prompt] if isinstance(earlier, list) else [prompt]
        spans.setdefault("messages", doc.span(items["prompt"][0]))
    for key in PASSED_THROUGH:
        if key in items:
            args[key] = doc.value(items[key][1])
            spans[key] = doc.span(items[key][0])
    span = doc.span(node)
    return PromptSite(
        path=context.rel_path,
        span=span,
        kind="yaml-config",
        frontend="yaml",
        qualname=qualname,
        ordinal=ordinal,
        args=args,
        arg_spans=spans,
        repeated=True,
        ignore=context.ignore([span, *spans.values(), *([opener] if opener else [])]),
    )


def _read_max_tokens(
    doc: _Doc, items: dict[str, tuple[Any, Any]], args: dict[str, Any], spans: dict[str, Span]
) -> None:
    for key in MAX_TOKENS_KEYS:
        if key in items:
            key_node, value_node = items[key]
            value = doc.value(value_node)
            args["max_tokens"] = value if isinstance(value, int) else UNKNOWN
            spans["max_tokens"] = doc.span(key_node)
            return


# -- promptfoo ---------------------------------------------------------------------------------
@dataclass
class _Prompt:
    span: Span
    messages: Any
    system: Any = None
    label: str = ""


def _promptfoo_sites(
    doc: _Doc, root: dict[str, tuple[Any, Any]], context: _Context
) -> list[PromptSite]:
    """One site per Claude provider x prompt (each pair is a request promptfoo sends)."""
    providers_node = root["providers"][1]
    entries = providers_node.value if _kind(providers_node) == "SequenceNode" else [providers_node]
    prompts = _promptfoo_prompts(doc, root.get("prompts"), context) or [None]
    sites: list[PromptSite] = []
    for index, entry in enumerate(entries):
        provider = _promptfoo_provider(doc, entry)
        if provider is None:
            continue
        args, spans = provider
        for ordinal, prompt in enumerate(prompts):
            if len(sites) >= MAX_SITES:
                return sites
            sites.append(_promptfoo_site(doc, entry, index, ordinal, args, spans, prompt, context))
    return sites


def _promptfoo_site(
    doc: _Doc,
    entry: Any,
    index: int,
    ordinal: int,
    provider_args: dict[str, Any],
    provider_spans: dict[str, Span],
    prompt: _Prompt | None,
    context: _Context,
) -> PromptSite:
    args = dict(provider_args)
    spans = dict(provider_spans)
    span = doc.span(entry)
    if prompt is not None:
        args["messages"] = prompt.messages
        spans["messages"] = prompt.span
        if prompt.system is not None and "system" not in args:
            args["system"] = prompt.system
        span = prompt.span
    return PromptSite(
        path=context.rel_path,
        span=span,
        kind="promptfoo",
        frontend="yaml",
        qualname=f"providers[{index}]",
        ordinal=ordinal,
        args=args,
        arg_spans=spans,
        repeated=True,
        ignore=context.ignore([span, *spans.values()]),
        notes=[f"prompt: {prompt.label}"] if prompt is not None and prompt.label else [],
    )


def _promptfoo_provider(doc: _Doc, entry: Any) -> tuple[dict[str, Any], dict[str, Span]] | None:
    """(args, spans) of a Claude provider: ``id`` string, ``{id, config}`` or ``{id: {...}}``."""
    id_node: Any = entry
    config_node: Any = None
    if _kind(entry) == "MappingNode":
        items = doc.mapping(entry)
        if "id" in items:
            id_node = items["id"][1]
            config_node = _get(items, "config")
        elif len(items) == 1:
            key, (key_node, body) = next(iter(items.items()))
            id_node = key_node
            config_node = _get(doc.mapping(body), "config")
    model = _provider_model(_scalar_text(id_node))
    if model is None:
        return None
    args: dict[str, Any] = {"model": model}
    spans: dict[str, Span] = {"model": doc.span(id_node)}
    if config_node is not None:
        config = doc.mapping(config_node)
        _read_max_tokens(doc, config, args, spans)
        if "system" in config:
            args["system"] = doc.value(config["system"][1])
            spans["system"] = doc.span(config["system"][0])
        for key in PASSED_THROUGH:
            if key in config:
                args[key] = doc.value(config[key][1])
                spans[key] = doc.span(config[key][0])
    return args, spans


def _provider_model(provider: str | None) -> str | None:
    """``anthropic:messages:claude-x`` (or ``bedrock:...claude...``, ``vertex:claude-x``)."""
    if not provider or "claude" not in provider.lower():
        return None
    head, _, rest = provider.strip().partition(":")
    head = head.lower()
    if head == "anthropic":
        kind, _, model = rest.partition(":")
        rest = model if kind in ("messages", "completion") and model else rest
    elif head == "bedrock":
        for mode in ("converse:", "invoke:"):
            rest = rest.removeprefix(mode)
    elif head != "vertex":
        return None
    return claude_model(rest)


def _promptfoo_prompts(
    doc: _Doc, entry: tuple[Any, Any] | None, context: _Context
) -> list[_Prompt]:
    if entry is None:
        return []
    node = entry[1]
    nodes = node.value if _kind(node) == "SequenceNode" else [node]
    prompts: list[_Prompt] = []
    for item in nodes:
        text = _scalar_text(item)
        label = ""
        if text is None and _kind(item) == "MappingNode":
            fields = doc.mapping(item)
            text = _scalar_text(_get(fields, "raw")) or _scalar_text(
                _get(fields, "id") or _get(fields, "file")
            )
            label = _scalar_text(_get(fields, "label")) or ""
        if text is None:
            continue
        prompts.extend(_prompts_from(text, doc.span(item), label, context))
    return prompts


def _prompts_from(text: str, span: Span, label: str, context: _Context) -> list[_Prompt]:
    tokens = context.tokens
    if not text.startswith("file://"):
        return [_prompt_from_text(text, span, label or _short(text), tokens)]
    target = text[len("file://") :]
    if re.search(r"\.(?:py|js|ts|mjs|cjs)(?::\w+)?$", target):
        context.problems.append(f"{target}: prompt functions are not read (only text prompts)")
        return []
    prompts: list[_Prompt] = []
    for path in _prompt_files(target, context):
        content = context.read(path)
        if content is None:
            context.problems.append(f"prompt file {target!r} not found inside the repository")
            continue
        name = label or path.name
        if path.suffix.lower() == ".json":
            prompts.append(_prompt_from_text(content, span, name, tokens))
            continue
        for piece in re.split(r"(?m)^---[ \t]*$", content):
            if piece.strip():
                prompts.append(_prompt_from_text(piece.strip("\n"), span, name, tokens))
    return prompts


def _prompt_files(target: str, context: _Context) -> list[Path]:
    base = context.abs_path.parent
    if not any(ch in target for ch in "*?["):
        return [base / target]
    found: list[Path] = []
    if context.project is not None:
        context.project.depend_on_unhashable()  # a file added later would match: not cached
    try:
        for path in sorted(base.glob(target)):
            if context.project is not None and context.project.inside(path) and path.is_file():
                found.append(path)
            if len(found) >= MAX_PROMPT_FILES:
                break
    except (OSError, ValueError, NotImplementedError):
        return []
    return found


def _prompt_from_text(text: str, span: Span, label: str, tokens: int) -> _Prompt:
    """A prompt: chat JSON (a list of {role, content}) or plain text (one user message)."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            chat = json.loads(stripped)
        except ValueError:
            chat = None
        if isinstance(chat, list) and all(isinstance(m, dict) for m in chat):
            system = [m.get("content") for m in chat if m.get("role") == "system"]
            rest = [m for m in chat if m.get("role") != "system"]
            return _Prompt(
                span,
                _messages(rest, tokens),
                _prompt_value("\n".join(str(s) for s in system), tokens) if system else None,
                label,
            )
    return _Prompt(span, [_user(text, tokens)], None, label)


def _short(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:40] + ("..." if len(first) > 40 else "")


# -- front matter files (.prompty, .prompt) ------------------------------------------------------
def _front_matter(source: str) -> tuple[str, str, int] | None:
    """(front matter, body, lines before the body) of a file opening with a ``---`` line."""
    lines = source.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    return None


def _front_doc(front: str) -> _Doc | None:
    roots = _compose(front, line_offset=1)
    if not roots:
        return None
    doc = _Doc(roots[0], line_offset=1)
    doc.check_size()
    return doc


def _prompty_site(
    front: str, body: str, body_line: int, context: _Context, result: ExtractResult
) -> PromptSite | None:
    doc = _front_doc(front)
    if doc is None:
        return None
    items = doc.mapping(doc.root)
    model_section = doc.mapping(_get(items, "model"))
    config_items = doc.mapping(_get(model_section, "configuration"))
    model_entry = next(
        (where[k] for where in (config_items, model_section) for k in MODEL_KEYS if k in where),
        None,
    )
    model = claude_model(_scalar_text(model_entry[1])) if model_entry else None
    if model_entry is None or model is None:
        return None
    args: dict[str, Any] = {"model": model}
    spans: dict[str, Span] = {"model": doc.span(model_entry[0])}
    parameter_items = doc.mapping(_get(model_section, "parameters"))
    _read_max_tokens(doc, parameter_items, args, spans)
    for key in PASSED_THROUGH:
        if key in parameter_items:
            args[key] = doc.value(parameter_items[key][1])
            spans[key] = doc.span(parameter_items[key][0])
    _prompty_body(body, body_line, context, args, result)
    span = Span(1, 1)
    return PromptSite(
        path=context.rel_path,
        span=span,
        kind="prompty",
        frontend="prompty",
        qualname=_scalar_text(_get(items, "name")) or context.abs_path.stem,
        args=args,
        arg_spans=spans,
        repeated=True,
        ignore=context.ignore([span, *spans.values()]),
    )


def _prompty_body(
    body: str, body_line: int, context: _Context, args: dict[str, Any], result: ExtractResult
) -> None:
    """Render the Jinja2 body in the sandbox; split it into system and messages by role lines."""
    renderer = renderer_for(context.project, context.abs_path)
    try:
        tree = renderer.parse(body, context.abs_path.name)
        result.sites.extend(history_sites(tree, body, context.rel_path, "prompty", body_line))
        rendered = renderer.render(source=body, dirs=renderer.search_dirs(context.abs_path.parent))
    except RenderError as exc:
        result.diagnostics.append(Diagnostic(context.rel_path, exc.message))
        args["system"] = UNKNOWN
        args["messages"] = UNKNOWN
        return
    system: list[Str] = []
    messages: list[dict[str, Any]] = []
    for role, text in _split_roles(rendered.text, _ROLE_LINE, default="system"):
        content = rendered.as_str(text.strip("\n"))
        if role == "system":
            system.append(content)
        elif str(content).strip():
            messages.append(
                {"role": "assistant" if role == "assistant" else "user", "content": content}
            )
    if system:
        args["system"] = Str.concat([*_joined(system)])
    args["messages"] = messages


def _joined(parts: list[Str]) -> list[str]:
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            out.append("\n")
        out.append(part)
    return out


def _split_roles(text: str, marker: re.Pattern[str], default: str) -> list[tuple[str, str]]:
    """(role, text) sections of a body split on role marker lines (or tags)."""
    sections: list[tuple[str, str]] = []
    role = default
    last = 0
    for match in marker.finditer(text):
        if text[last : match.start()].strip():
            sections.append((role, text[last : match.start()]))
        role = match.group(1).lower()
        last = match.end()
    if text[last:].strip():
        sections.append((role, text[last:]))
    return sections


def _dotprompt_site(front: str, body: str, context: _Context) -> PromptSite | None:
    doc = _front_doc(front)
    if doc is None:
        return None
    items = doc.mapping(doc.root)
    model_entry = items.get("model")
    model = claude_model(_scalar_text(model_entry[1])) if model_entry else None
    if model_entry is None or model is None:
        return None
    args: dict[str, Any] = {"model": model}
    spans: dict[str, Span] = {"model": doc.span(model_entry[0])}
    config = doc.mapping(_get(items, "config"))
    _read_max_tokens(doc, config, args, spans)
    if "tools" in items:
        args["tools"] = UNKNOWN  # tool names only; their definitions live in code
        spans["tools"] = doc.span(items["tools"][0])
    tokens = context.tokens
    system: list[Str] = []
    messages: list[dict[str, Any]] = []
    for role, text in _split_roles(body, _DOTPROMPT_ROLE, default="user"):
        content = text_with_holes(text.strip("\n"), tokens)
        if role == "system":
            system.append(content)
        elif str(content).strip():
            messages.append(
                {"role": "assistant" if role == "model" else "user", "content": content}
            )
    if system:
        args["system"] = Str.concat(_joined(system))
    args["messages"] = messages
    span = Span(1, 1)
    return PromptSite(
        path=context.rel_path,
        span=span,
        kind="dotprompt",
        frontend="dotprompt",
        qualname=context.abs_path.stem,
        args=args,
        arg_spans=spans,
        repeated=True,
        ignore=context.ignore([span, *spans.values()]),
    )
