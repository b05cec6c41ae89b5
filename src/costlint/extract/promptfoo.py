"""promptfoo configs: one site per Claude provider times each prompt it is run with.

A provider is ``anthropic:messages:<model>`` (or a Bedrock/Vertex Claude) with
``config.max_tokens``; prompts are inline or ``file://`` files inside the repository.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from ..site import PromptSite, Span
from .prompt_functions import prompt_function_value
from .yaml_compose import YamlDoc, node_kind, node_under, scalar_text
from .yaml_requests import (
    MAX_SITES,
    PASSED_THROUGH,
    FileContext,
    claude_model,
    copy_keys,
    prompt_messages,
    prompt_value,
    read_max_tokens,
    user_message,
)

MAX_PROMPT_FILES = 20  # files one promptfoo `file://` glob may name


@dataclass
class _Prompt:
    span: Span
    messages: Any
    system: Any = None
    label: str = ""


def promptfoo_sites(
    doc: YamlDoc, root: dict[str, tuple[Any, Any]], context: FileContext
) -> list[PromptSite]:
    """One site per Claude provider x prompt (each pair is a request promptfoo sends)."""
    providers_node = root["providers"][1]
    entries = (
        providers_node.value if node_kind(providers_node) == "SequenceNode" else [providers_node]
    )
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
    doc: YamlDoc,
    entry: Any,
    index: int,
    ordinal: int,
    provider_args: dict[str, Any],
    provider_spans: dict[str, Span],
    prompt: _Prompt | None,
    context: FileContext,
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
    return context.site(
        span=span,
        kind="promptfoo",
        frontend="yaml",
        qualname=f"providers[{index}]",
        ordinal=ordinal,
        args=args,
        spans=spans,
        notes=[f"prompt: {prompt.label}"] if prompt is not None and prompt.label else [],
    )


def _promptfoo_provider(doc: YamlDoc, entry: Any) -> tuple[dict[str, Any], dict[str, Span]] | None:
    """(args, spans) of a Claude provider: ``id`` string, ``{id, config}`` or ``{id: {...}}``."""
    id_node: Any = entry
    config_node: Any = None
    if node_kind(entry) == "MappingNode":
        items = doc.mapping(entry)
        if "id" in items:
            id_node = items["id"][1]
            config_node = node_under(items, "config")
        elif len(items) == 1:
            key, (key_node, body) = next(iter(items.items()))
            id_node = key_node
            config_node = node_under(doc.mapping(body), "config")
    model = _provider_model(scalar_text(id_node))
    if model is None:
        return None
    args: dict[str, Any] = {"model": model}
    spans: dict[str, Span] = {"model": doc.span(id_node)}
    if config_node is not None:
        config = doc.mapping(config_node)
        read_max_tokens(doc, config, args, spans)
        copy_keys(doc, config, args, spans, ("system", *PASSED_THROUGH))
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
    doc: YamlDoc, entry: tuple[Any, Any] | None, context: FileContext
) -> list[_Prompt]:
    if entry is None:
        return []
    node = entry[1]
    nodes = node.value if node_kind(node) == "SequenceNode" else [node]
    prompts: list[_Prompt] = []
    for item in nodes:
        text = scalar_text(item)
        label = ""
        if text is None and node_kind(item) == "MappingNode":
            fields = doc.mapping(item)
            text = scalar_text(node_under(fields, "raw")) or scalar_text(
                node_under(fields, "id") or node_under(fields, "file")
            )
            label = scalar_text(node_under(fields, "label")) or ""
        if text is None:
            continue
        prompts.extend(_prompts_from(text, doc.span(item), label, context))
    return prompts


def _prompts_from(text: str, span: Span, label: str, context: FileContext) -> list[_Prompt]:
    tokens = context.tokens
    bare = re.fullmatch(r"([\w./-]+\.py):(\w+)", text.strip())
    if bare is not None:
        return _prompt_from_function(bare[1], bare[2], span, label, context)
    if not text.startswith("file://"):
        return [_prompt_from_text(text, span, label or _short(text), tokens)]
    target = text[len("file://") :]
    function = re.fullmatch(r"(.+\.py):(\w+)", target)
    if function is not None:
        return _prompt_from_function(function[1], function[2], span, label, context)
    if re.search(r"\.(?:py|js|ts|mjs|cjs)(?::\w+)?$", target):
        context.problems.append(f"{target}: prompt functions are not read (only Python ones)")
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


def _prompt_from_function(
    file: str, name: str, span: Span, label: str, context: FileContext
) -> list[_Prompt]:
    """A Python prompt function, read statically (parsed, never run)."""
    value = prompt_function_value(context.project, context.abs_path.parent / file, name)
    tokens = context.tokens
    label = label or f"{file}:{name}"
    if isinstance(value, str):
        return [_Prompt(span, [user_message(value, tokens)], None, label)]
    if isinstance(value, list) and value and all(isinstance(m, dict) for m in value):
        system = [m.get("content") for m in value if m.get("role") == "system"]
        rest = [m for m in value if m.get("role") != "system"]
        system_value = system[0] if len(system) == 1 else None
        return [_Prompt(span, prompt_messages(rest, tokens), system_value, label)]
    context.problems.append(f"{file}:{name}: the prompt function's return value is not static")
    return []


def _prompt_files(target: str, context: FileContext) -> list[Path]:
    base = context.abs_path.parent
    if not any(ch in target for ch in "*?["):
        return [base / target]
    if PurePath(target).anchor:
        return []  # an absolute pattern (``file:///etc/*.txt``) reaches outside the project
    found: list[Path] = []
    if context.project is not None:
        context.project.depend_on_unhashable()  # a file added later would match: not cached
    try:
        for path in sorted(base.glob(target)):
            if context.project is not None and context.project.inside(path) and path.is_file():
                found.append(path)
            if len(found) >= MAX_PROMPT_FILES:
                break
    except (OSError, ValueError):
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
                prompt_messages(rest, tokens),
                prompt_value("\n".join(str(s) for s in system), tokens) if system else None,
                label,
            )
    return _Prompt(span, [user_message(text, tokens)], None, label)


def _short(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:40] + ("..." if len(first) > 40 else "")
