"""Generic YAML prompt configs: any mapping with a Claude ``model`` and request keys.

Most YAML in a repository is CI or deployment config: a file is parsed only when a line names
a Claude model (``model: claude-...``) or a promptfoo Claude provider, so the rest cost a
regex scan and yield no sites and no diagnostics.

Sites (``repeated=True``: a config is used by running code) carry ``arg_spans`` with the
line of each key, so findings point at ``max_tokens:`` or ``model:``. A site is any mapping,
at any depth, with a Claude ``model`` and one of ``max_tokens``, ``system``, ``system_prompt``
(read as ``system``), ``messages`` or ``prompt`` (a user message). A document with
``providers`` is read as a promptfoo config first (``promptfoo``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..site import Diagnostic, PromptSite, Span
from .promptfoo import promptfoo_sites
from .result import ExtractResult
from .yaml_compose import YamlDoc, YamlRefused, compose_yaml, node_kind, scalar_text
from .yaml_requests import (
    MAX_SITES,
    MAX_TOKENS_KEYS,
    FileContext,
    claude_model,
    copy_keys,
    prompt_messages,
    prompt_value,
    read_max_tokens,
    user_message,
)

if TYPE_CHECKING:
    from ..resolve.project import Project

REQUEST_KEYS = frozenset({"system", "system_prompt", "messages", "prompt", *MAX_TOKENS_KEYS})

_CLAUDE_MODEL = re.compile(r"""\bmodel['"]?\s*:\s*['"]?[^\s'",}\]]*claude""", re.IGNORECASE)
_CLAUDE_PROVIDER = re.compile(
    r"\b(?:anthropic|bedrock|vertex)(?::[\w.@-]+)*:[\w.@/-]*claude", re.IGNORECASE
)


def extract_yaml(
    source: str, rel_path: str, abs_path: Path, project: Project | None
) -> ExtractResult:
    """Sites for YAML prompt configs and promptfoo configs; silent on other YAML."""
    result = ExtractResult()
    if not _names_claude(source):
        return result
    context = FileContext(source, rel_path, abs_path, project)
    try:
        for root in compose_yaml(source):
            doc = YamlDoc(root)
            doc.check_size()
            result.sites.extend(_document_sites(doc, context))
    except YamlRefused as exc:
        result.diagnostics.append(Diagnostic(rel_path, str(exc)))
    result.sites = result.sites[:MAX_SITES]
    result.diagnostics.extend(Diagnostic(rel_path, note) for note in context.problems)
    return result


def _names_claude(source: str) -> bool:
    """Cheap filter: a line naming a Claude model or a promptfoo Claude provider."""
    if "claude" not in source and "claude" not in source.lower():
        return False
    return bool(_CLAUDE_MODEL.search(source) or _CLAUDE_PROVIDER.search(source))


def _document_sites(doc: YamlDoc, context: FileContext) -> list[PromptSite]:
    root_items = doc.mapping(doc.root)
    if "providers" in root_items:
        sites = promptfoo_sites(doc, root_items, context)
        if sites:
            return sites
    return _config_sites(doc, context)


def _config_sites(doc: YamlDoc, context: FileContext) -> list[PromptSite]:
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
        kind = node_kind(node)
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
    return claude_model(scalar_text(items["model"][1])) is not None


def _config_site(
    doc: YamlDoc,
    node: Any,
    items: dict[str, tuple[Any, Any]],
    qualname: str,
    ordinal: int,
    context: FileContext,
    opener: Span | None = None,
) -> PromptSite:
    tokens = context.tokens
    args: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    model_key, model_node = items["model"]
    args["model"] = claude_model(scalar_text(model_node))
    spans["model"] = doc.span(model_key)
    read_max_tokens(doc, items, args, spans)
    for key in ("system", "system_prompt"):
        if key in items:
            args["system"] = prompt_value(doc.value(items[key][1]), tokens)
            spans["system"] = doc.span(items[key][0])
    if "messages" in items:
        args["messages"] = prompt_messages(doc.value(items["messages"][1]), tokens)
        spans["messages"] = doc.span(items["messages"][0])
    if "prompt" in items:
        prompt = user_message(doc.value(items["prompt"][1]), tokens)
        earlier = args.get("messages")
        args["messages"] = [*earlier, prompt] if isinstance(earlier, list) else [prompt]
        spans.setdefault("messages", doc.span(items["prompt"][0]))
    copy_keys(doc, items, args, spans)
    return context.site(
        span=doc.span(node),
        kind="yaml-config",
        frontend="yaml",
        qualname=qualname,
        ordinal=ordinal,
        args=args,
        spans=spans,
        opener=opener,
    )
