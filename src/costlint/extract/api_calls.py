"""Shapes of API calls other than ``client.messages.create(...)``, recognised from the AST.

* plain HTTP: ``requests.post`` / ``httpx`` / ``aiohttp`` ``.post(url, json=...)`` and
  ``urllib.request.Request(url, data=json.dumps(...))`` to ``.../v1/messages``;
* the Message Batches API: ``client.messages.batches.create(requests=[...])``;
* legacy Text Completions: ``client.completions.create(prompt=..., max_tokens_to_sample=...)``;
* method references: ``getattr(client.messages, "create")``, ``fn = client.messages.create``,
  ``functools.partial(client.messages.create, model=M)`` called later.

The functions here only look at syntax; resolving values stays with the call finder.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ..resolve.syntax import call_name

MESSAGES_PATH = "/v1/messages"
BATCHES_PATH = "/v1/messages/batches"
HTTP_METHODS = frozenset({"post"})
BODY_KEYWORDS = ("json", "data", "content")
# Namespaces the SDK once had under ``client.beta`` for features that are now generally
# available; code written against them still sends Messages API requests.
RETIRED_BETA_NAMESPACES = frozenset({"prompt_caching", "tools"})


class HttpCall(NamedTuple):
    """A POST to the Messages API (``endpoint`` "messages") or the Batches API ("batches")."""

    endpoint: str
    body: ast.AST | None  # the expression serialised as the JSON body


def http_call(call: ast.Call, resolve: Callable[[ast.AST], Any]) -> HttpCall | None:
    """``<x>.post(url, json=body)`` or ``Request(url, data=json.dumps(body))`` to the API."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in HTTP_METHODS:
        body_keys = BODY_KEYWORDS
    elif name == "Request":
        body_keys = ("data",)
    else:
        return None
    url = call.args[0] if call.args else _keyword(call, "url")
    if url is None:
        return None
    endpoint = _endpoint(resolve(url))
    if endpoint is None:
        return None
    body: ast.AST | None = None
    for key in body_keys:
        node = _keyword(call, key)
        if node is not None:
            body = node if key == "json" else _json_dumps_argument(node)
            break
    if body is None and name == "Request" and len(call.args) > 1:
        body = _json_dumps_argument(call.args[1])
    return HttpCall(endpoint, body)


def _endpoint(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    path = str(url).split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if path.endswith(MESSAGES_PATH):
        return "messages"
    if path.endswith(BATCHES_PATH):
        return "batches"
    return None


def _json_dumps_argument(node: ast.AST) -> ast.AST | None:
    """``json.dumps(X)``, ``json.dumps(X).encode()``, ``bytes(json.dumps(X), "utf-8")`` -> X."""
    for _ in range(3):
        if not isinstance(node, ast.Call):
            return None
        name = call_name(node.func)
        if name.rsplit(".", 1)[-1] == "dumps" and node.args:
            return node.args[0]
        if isinstance(node.func, ast.Attribute) and node.func.attr == "encode":
            node = node.func.value
        elif name == "bytes" and node.args:
            node = node.args[0]
        else:
            return None
    return None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def match_batches_call(call: ast.Call) -> tuple[str, ast.AST] | None:
    """``<base>[.beta].messages.batches.create(...)``; returns kind and base."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "create":
        return None
    node = _skip_wrappers(func.value)
    if not isinstance(node, ast.Attribute) or node.attr != "batches":
        return None
    node = _skip_wrappers(node.value)
    if not isinstance(node, ast.Attribute) or node.attr != "messages":
        return None
    node = _skip_wrappers(node.value)
    if isinstance(node, ast.Attribute) and node.attr == "beta":
        node = _skip_wrappers(node.value)
    return "messages.batches", node


def match_completions_call(call: ast.Call) -> ast.AST | None:
    """``<base>.completions.create(...)`` (not OpenAI's ``chat.completions``); returns base."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "create":
        return None
    node = _skip_wrappers(func.value)
    if not isinstance(node, ast.Attribute) or node.attr != "completions":
        return None
    base = _skip_wrappers(node.value)
    if isinstance(base, ast.Attribute) and base.attr == "chat":
        return None
    return base


def retired_beta_base(node: ast.AST) -> tuple[str, ast.AST] | None:
    """``<base>.beta.prompt_caching`` -> ("beta.prompt_caching.", base)."""
    if isinstance(node, ast.Attribute) and node.attr in RETIRED_BETA_NAMESPACES:
        parent = _skip_wrappers(node.value)
        if isinstance(parent, ast.Attribute) and parent.attr == "beta":
            return f"beta.{node.attr}.", _skip_wrappers(parent.value)
    return None


def _skip_wrappers(node: ast.AST) -> ast.AST:
    while True:
        if isinstance(node, ast.Attribute) and node.attr in (
            "with_raw_response",
            "with_streaming_response",
        ):
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("with_options", "copy")
        ):
            node = node.func.value
        else:
            return node


# -- method references ------------------------------------------------------------------------


class MethodReference(NamedTuple):
    """What a called name or expression stands for: a method, plus bound keywords."""

    method: ast.Attribute
    keywords: tuple[ast.keyword, ...] = ()
    partial: ast.Call | None = None  # the partial(...) call the keywords come from


def method_reference(node: ast.AST) -> MethodReference | None:
    """``client.messages.create``, ``getattr(client.messages, "create")`` or
    ``functools.partial(client.messages.create, model=M)`` as a reference to the method."""
    if isinstance(node, ast.Attribute):
        return MethodReference(node)
    if not isinstance(node, ast.Call):
        return None
    name = call_name(node.func)
    if name == "getattr" and len(node.args) >= 2:
        attr = node.args[1]
        if isinstance(attr, ast.Constant) and isinstance(attr.value, str):
            method = ast.copy_location(ast.Attribute(value=node.args[0], attr=attr.value), node)
            return MethodReference(method)
        return None
    if name.rsplit(".", 1)[-1] == "partial" and node.args and not node.args[1:]:
        inner = method_reference(node.args[0])
        if inner is not None:
            return MethodReference(inner.method, inner.keywords + tuple(node.keywords), node)
    return None


def reference_options(value: ast.AST) -> Iterator[ast.AST]:
    """The branches a bound value may take (``a if x else b``)."""
    if isinstance(value, ast.IfExp):
        yield from reference_options(value.body)
        yield from reference_options(value.orelse)
    else:
        yield value


def called_with(call: ast.Call, reference: MethodReference) -> ast.Call:
    """The call as if written on the method itself, partial's keywords first."""
    synthetic = ast.Call(
        func=reference.method,
        args=list(call.args),
        keywords=[*reference.keywords, *call.keywords],
    )
    return ast.copy_location(synthetic, call)


# -- batch requests ---------------------------------------------------------------------------


def params_of(item: ast.AST) -> ast.AST | None:
    """The ``params`` of one batch request: ``{"custom_id": ..., "params": {...}}`` or
    ``Request(custom_id=..., params=...)``."""
    if isinstance(item, ast.Dict):
        for key, value in zip(item.keys, item.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "params":
                return value
        return None
    if isinstance(item, ast.Call):
        return _keyword(item, "params")
    return None


def keywords_as_dict(node: ast.AST) -> ast.AST:
    """``MessageCreateParamsNonStreaming(model=..., ...)`` / ``dict(...)`` as a dict literal."""
    if not isinstance(node, ast.Call) or node.args:
        return node
    if any(k.arg is None for k in node.keywords):
        return node
    keys: list[ast.expr | None] = [
        ast.copy_location(ast.Constant(k.arg), k.value) for k in node.keywords
    ]
    values = [k.value for k in node.keywords]
    return ast.copy_location(ast.Dict(keys=keys, values=values), node)


def dict_entries(node: ast.AST | None) -> dict[str, ast.AST]:
    """A dict literal's constant string keys and their value nodes."""
    if not isinstance(node, ast.Dict):
        return {}
    return {
        key.value: value
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }
