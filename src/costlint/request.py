"""Questions about a site's resolved request: its text, its cacheable prefix, its breakpoints."""

from __future__ import annotations

import re
from typing import Any

from .site import UNKNOWN, PromptSite, Span, stable_prefix

CONFIG_FRONTENDS = ("yaml", "prompty", "dotprompt")


def key_span(site: PromptSite, name: str) -> Span | None:
    """Config files point a finding at the key's line (``model:``); code at the call."""
    if site.frontend in CONFIG_FRONTENDS:
        return site.arg_spans.get(name)
    return None


def block_text(value: Any) -> str:
    """The text of a string, a content block, or a list of blocks ('' for unknown parts)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        text = value.get("text")
        if isinstance(text, str):
            return str(text)
        content = value.get("content")
        return block_text(content) if content is not None else ""
    if isinstance(value, list):
        return "\n".join(t for t in (block_text(item) for item in value) if t)
    return ""


def prompt_text(site: PromptSite) -> str:
    """The instructions a request carries: system prompt and the user turns written in code."""
    parts = [block_text(site.get("system"))]
    messages = site.get("messages")
    if isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict) and message.get("role") in ("user", None):
                parts.append(block_text(message.get("content")))
    for key in ("prompt", "system_prompt"):
        parts.append(block_text(site.get(key)))
    return "\n".join(p for p in parts if p)


def has_cache_control(site: PromptSite) -> bool:
    """A breakpoint anywhere in the request: top-level (automatic) or on any block."""
    if "cache_control" in site.args and site.args["cache_control"] is not None:
        return True
    return any(_contains_key(site.get(name), "cache_control") for name in _PREFIX_PARTS)


def caches_messages(site: PromptSite) -> bool:
    """A breakpoint that covers the conversation: top-level automatic caching (it moves to the
    last message each turn) or one placed inside ``messages``. One on the tools or the system
    prompt caches only what comes before the messages."""
    if "cache_control" in site.args and site.args["cache_control"] is not None:
        return True
    return _contains_key(site.get("messages"), "cache_control")


_PREFIX_PARTS = ("tools", "system", "messages")


def _contains_key(value: Any, key: str, depth: int = 0) -> bool:
    if depth > 12:
        return False
    if isinstance(value, dict):
        if key in value:
            return True
        return any(_contains_key(v, key, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_contains_key(v, key, depth + 1) for v in value)
    return False


def stable_prefix_parts(site: PromptSite) -> dict[str, Any] | None:
    """The request prefix that is identical on every call (the part prompt caching can reuse).

    Order is tools -> system -> first user message. The prefix stops at the first part
    that varies: an unknown value, or a placeholder inside a string. Tool definitions that
    are not resolved are skipped rather than ending the prefix: they are usually a constant
    list built elsewhere, and the system prompt after them is counted on its own.
    """
    parts: dict[str, Any] = {}
    tools = site.get("tools")
    if isinstance(tools, list) and tools and not any(t is UNKNOWN for t in tools):
        parts["tools"] = tools
    # Unknown tools are left out: the known parts after them still count (a lower bound).
    system = site.get("system")
    if system is UNKNOWN:
        return parts or None
    complete = True
    if isinstance(system, str):
        prefix = stable_prefix(system)
        complete = prefix == str(system)
        if prefix:
            parts["system"] = prefix
    elif isinstance(system, list):
        kept, complete = _stable_blocks(system)
        if kept:
            parts["system"] = kept
    if complete:
        document = _leading_document(site.get("messages"))
        if document:
            parts["document"] = document
    return parts or None


def _stable_blocks(blocks: list[Any]) -> tuple[list[str], bool]:
    kept: list[str] = []
    for block in blocks:
        text = block_text(block)
        if block is UNKNOWN or (isinstance(block, dict) and block.get("text") is UNKNOWN):
            return kept, False
        prefix = stable_prefix(text)
        if prefix:
            kept.append(prefix)
        if prefix != text:
            return kept, False
    return kept, True


def _leading_document(messages: Any) -> str:
    """Static text at the start of the first user message (a big document sent each call)."""
    if not isinstance(messages, list) or not messages:
        return ""
    first = messages[0]
    if not isinstance(first, dict) or first.get("role") != "user":
        return ""
    content = first.get("content")
    if isinstance(content, str):
        return stable_prefix(content)
    if isinstance(content, list):
        kept, _ = _stable_blocks(content)
        return "\n".join(kept)
    return ""


PLACEHOLDER = re.compile(r"\{[^{}\s]{0,80}\}")


def late_stable_block(site: PromptSite) -> tuple[str, str] | None:
    """The longest stable text that comes AFTER a per-call part of the system prompt or the
    first user message (few-shot examples after ``{text}``): (part name, text). It cannot be
    cached where it is; moved before the per-call text it could be."""
    found: list[tuple[str, str]] = []
    messages = site.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else None
    content = first.get("content") if isinstance(first, dict) else None
    for part, value in (("system", site.get("system")), ("document", content)):
        for text in _texts(value):
            first_hole = getattr(text, "first_hole", None)
            if not getattr(text, "holes", 0) or first_hole is None:
                continue
            rest = str(text)[first_hole:]
            opening = PLACEHOLDER.match(rest)
            rest = rest[opening.end() :] if opening else rest
            segments = PLACEHOLDER.split(rest) if getattr(text, "holes", 0) > 1 else [rest]
            found.append((part, max(segments, key=len).strip()))
    found = [item for item in found if item[1]]
    return max(found, key=lambda item: len(item[1])) if found else None


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [b["text"] for b in value if isinstance(b, dict) and isinstance(b.get("text"), str)]
    return []


def describe_prefix(parts: dict[str, Any]) -> str:
    names = {"tools": "tool definitions", "system": "system prompt", "document": "leading document"}
    labels = [names[key] for key in ("tools", "system", "document") if key in parts]
    if len(labels) <= 1:
        return labels[0] if labels else "prefix"
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def breakpoint_prefix(site: PromptSite) -> dict[str, Any] | None:
    """The request up to and including its last explicit cache breakpoint (what gets cached).

    None when there is no explicit breakpoint, or when anything before it is unresolved (its
    size at run time is then unknown). Order: tools -> system -> messages.
    """
    body: dict[str, Any] = {}
    found = False
    tools = site.get("tools")
    if isinstance(tools, list) and tools:
        body["tools"] = tools
        found = any(isinstance(t, dict) and "cache_control" in t for t in tools)
    elif tools is UNKNOWN:
        return None
    system = site.get("system")
    if system is UNKNOWN:
        return None
    if isinstance(system, list):
        for index, block in enumerate(system):
            if isinstance(block, dict) and "cache_control" in block:
                body["system"] = system[: index + 1]
                found = True
        if "system" not in body and not found:
            body["system"] = system
    elif isinstance(system, str):
        body["system"] = system
    last: tuple[int, int] | None = None
    messages = site.get("messages")
    if isinstance(messages, list):
        for m_index, message in enumerate(messages):
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, list):
                for b_index, block in enumerate(content):
                    if isinstance(block, dict) and "cache_control" in block:
                        last = (m_index, b_index)
    if last is not None:
        m_index, b_index = last
        kept = [dict(m) for m in messages[: m_index + 1]]  # type: ignore[index]
        kept[-1]["content"] = kept[-1]["content"][: b_index + 1]
        body["messages"] = kept
        found = True
    if not found or has_variable_part(body, too_deep=True):
        return None
    return body


def has_variable_part(value: Any, depth: int = 0, *, too_deep: bool = False) -> bool:
    """A placeholder or unknown value: the part of a request filled in at run time.

    Past 12 levels of nesting the answer is ``too_deep``.
    """
    if value is UNKNOWN or getattr(value, "holes", 0):
        return True
    if depth > 12:
        return too_deep
    if isinstance(value, dict):
        return any(has_variable_part(v, depth + 1, too_deep=too_deep) for v in value.values())
    if isinstance(value, list):
        return any(has_variable_part(v, depth + 1, too_deep=too_deep) for v in value)
    return False


def history_tokens(site: PromptSite, turns: int, new_per_turn: int, output_per_turn: int) -> int:
    """Tokens the history re-sends at its ``turns``-th turn: what the request shows once (the
    counted input) plus, for each earlier turn, the new message and the reply (capped at
    ``max_tokens``). Unknown parts count at the per-turn figures given (usage defaults)."""
    counted = site.tokens.get("input")
    base = counted.count if counted is not None else 0
    max_tokens = site.get("max_tokens")
    output = output_per_turn
    if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens > 0:
        output = min(output, max_tokens)
    return base + max(turns - 1, 0) * (new_per_turn + output)


# -- prompts that come from the callers of the function that sends them ---------------------

PROMPT_PARTS = ("system", "tools", "messages")  # what a request sends that is counted as input
CALLER_PROMPTS = "prompt@callers"  # site.candidates key: one candidate per caller's prompt
MAX_PRICED_CALLERS = 8  # callers' prompts counted and priced per site (bounds API counts)


def prompt_known(args: dict[str, Any], opaque: bool) -> bool:
    """Whether some part of the prompt is known: a known system, tools or messages value, or
    no such part at all in a request with no ``**`` the resolver could not read."""
    parts = [args[name] for name in PROMPT_PARTS if name in args]
    return any(part is not UNKNOWN for part in parts) or not parts and not opaque


def caller_token_key(part: str, position: int) -> str:
    """The ``site.tokens`` key of one caller's count (``input@2``: the third caller's)."""
    return f"{part}@{position}"


def priced_callers(site: PromptSite) -> list[tuple[int, dict[str, Any]]]:
    """The callers' prompts that are counted and priced (at most ``MAX_PRICED_CALLERS``):
    (position in the candidate set, the request with that caller's prompt parts)."""
    found = site.candidates.get(CALLER_PROMPTS)
    if not found:
        return []
    chosen: list[tuple[int, dict[str, Any]]] = []
    for position, candidate in enumerate(found):
        if isinstance(candidate.value, dict) and len(chosen) < MAX_PRICED_CALLERS:
            chosen.append((position, {**site.args, **candidate.value}))
    return chosen
