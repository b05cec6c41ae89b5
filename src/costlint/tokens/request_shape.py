"""Count requests: the body sent to ``POST /v1/messages/count_tokens`` for a call's arguments."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..site import UNKNOWN, is_unknown

UNRESOLVED = "{unresolved}"
"""Placeholder text for a value the source does not let us know (documented in README)."""

# The request keys that change the input token count. Everything else in a call
# (max_tokens, stream, temperature, metadata, stop_sequences, top_p, top_k, timeout,
# extra_*) is output-side or transport and must not reach the endpoint.
BODY_KEYS = ("system", "tools", "messages", "thinking", "tool_choice")


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class CountRequest:
    """One token-count request: the model id and the JSON body sent with it."""

    model: str
    body: dict[str, Any]
    new_tokenizer: bool = False

    def key(self) -> str:
        """Cache key: sha256 of the model and the canonical JSON body."""
        cached = self.__dict__.get("_key")
        if cached is None:
            text = self.model + "\n" + _canonical_json(self.body)
            cached = hashlib.sha256(text.encode("utf-8")).hexdigest()
            self.__dict__["_key"] = cached  # memo; the dataclass is frozen for callers only
        return cached

    def __hash__(self) -> int:  # the body is a dict, so the generated hash would fail
        return hash(self.key())


def _jsonable(value: Any) -> Any:
    """A plain JSON value: Str -> str, tuples -> lists, unknown parts -> the placeholder."""
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return UNRESOLVED  # UNKNOWN or anything not representable


def _has_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_unknown(v) for v in value)
    return is_unknown(value)


def _text_block(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return _jsonable(value)
    text = str(value) if isinstance(value, str) else UNRESOLVED
    return {"type": "text", "text": text}


def _system_value(system: Any) -> Any:
    """The system prompt as sent, or None to omit it (unknown, empty or not text)."""
    if isinstance(system, str):
        return str(system) or None
    if isinstance(system, list | tuple):
        blocks = [_text_block(block) for block in system]
        return blocks or None
    return None


def _content_value(content: Any) -> Any:
    if isinstance(content, str):
        return str(content)
    if isinstance(content, list | tuple):
        return [_text_block(block) for block in content] or UNRESOLVED
    return UNRESOLVED


def _placeholder_message() -> dict[str, Any]:
    return {"role": "user", "content": UNRESOLVED}


def _messages_value(messages: Any) -> list[dict[str, Any]]:
    """Messages as sent; the API needs at least one, so unknown or empty -> one placeholder."""
    if not isinstance(messages, list | tuple) or not messages:
        return [_placeholder_message()]
    out: list[dict[str, Any]] = []
    for message in messages:
        if not isinstance(message, dict):
            out.append(_placeholder_message())
            continue
        role = message.get("role")
        out.append(
            {
                "role": str(role) if role in ("user", "assistant") else "user",
                "content": _content_value(message.get("content", UNKNOWN)),
            }
        )
    return out


def _tool_value(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool definition; unknown name/schema get values the API accepts."""
    out = _jsonable(tool)
    if not isinstance(tool.get("name"), str):
        out["name"] = "unresolved"  # tool names may not contain braces
    if "input_schema" in tool and not isinstance(tool["input_schema"], dict):
        out["input_schema"] = {"type": "object"}
    return out


def _tools_value(tools: Any) -> list[dict[str, Any]] | None:
    if not isinstance(tools, list | tuple):
        return None
    out = [_tool_value(tool) for tool in tools if isinstance(tool, dict)]
    return out or None


def placeholder_request(
    model: Any, args: dict[str, Any], new_tokenizer: bool = False
) -> CountRequest | None:
    """Build the count request for resolved call arguments; None when the model is unknown.

    Unknown parts become placeholders: system and tools are omitted, a message content
    becomes "{unresolved}", an unknown or missing messages list becomes one "{unresolved}"
    user message. Only BODY_KEYS are kept (never max_tokens or stream).
    """
    if not isinstance(model, str) or is_unknown(model):
        return None
    body: dict[str, Any] = {}
    system = _system_value(args.get("system"))
    if system is not None:
        body["system"] = system
    tools = _tools_value(args.get("tools"))
    if tools is not None:
        body["tools"] = tools
    body["messages"] = _messages_value(args.get("messages"))
    for name in ("thinking", "tool_choice"):
        value = args.get(name)
        # A half-known setting would 400; these barely change the count, so leave them out.
        if isinstance(value, dict) and not _has_unknown(value):
            body[name] = _jsonable(value)
    return CountRequest(model=str(model), body=body, new_tokenizer=new_tokenizer)
