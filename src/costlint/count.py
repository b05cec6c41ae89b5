"""The count stage: token counts for the parts of each site the rules and prices need.

Up to three numbers per site: ``prefix`` (the stable, cacheable prefix: tools, system,
leading document), ``cached`` (the request up to its last explicit cache breakpoint, when
fully resolved) and ``input`` (the whole request, unknown parts as placeholders); and, for
a site whose prompt its function's callers bring, ``prefix@i`` and ``input@i`` for each
priced caller ``i`` (at most ``MAX_PRICED_CALLERS``, which bounds the API counts per site).
Both go through one ``TokenCounter`` call, so identical requests are counted once and API
requests run concurrently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .request import breakpoint_prefix, caller_token_key, priced_callers, stable_prefix_parts
from .site import PromptSite, TokenCount
from .tokens import CountRequest, TokenCounter, estimate_request_tokens, placeholder_request

UNRESOLVED = "{unresolved}"


def _model_info(site: PromptSite, catalog: Any) -> Any:
    model = site.get("model")
    if catalog is None or not isinstance(model, str):
        return None
    return catalog.resolve(str(model))


def _api_model(site: PromptSite, info: Any) -> str | None:
    """The id to count with: the catalog's canonical id (Bedrock/Vertex ids are not API ids)."""
    model = site.get("model")
    if not isinstance(model, str):
        return None
    return info.id if info is not None else str(model)


def prefix_request(site: PromptSite, model: str, new_tokenizer: bool) -> CountRequest | None:
    parts = stable_prefix_parts(site)
    if not parts:
        return None
    body: dict[str, Any] = {}
    if "tools" in parts:
        body["tools"] = parts["tools"]
    system = parts.get("system")
    if isinstance(system, list):
        body["system"] = "\n".join(str(s) for s in system)
    elif isinstance(system, str):
        body["system"] = str(system)
    document = parts.get("document") or UNRESOLVED
    body["messages"] = [{"role": "user", "content": str(document)}]
    args = {"model": model, **body}
    return placeholder_request(model, args, new_tokenizer)


def count_sites(sites: Sequence[PromptSite], catalog: Any, counter: TokenCounter) -> None:
    """Fill ``site.tokens`` for every site whose model is written as a string."""
    requests: list[CountRequest] = []
    targets: list[tuple[PromptSite, str]] = []
    for site in sites:
        info = _model_info(site, catalog)
        model = _api_model(site, info)
        if model is None:
            _estimate_offline(site)  # no model id to count with: the API cannot answer
            continue
        new_tokenizer = bool(getattr(info, "new_tokenizer", False))
        prefix = prefix_request(site, model, new_tokenizer)
        if prefix is not None:
            requests.append(prefix)
            targets.append((site, "prefix"))
        cached = breakpoint_prefix(site)
        if cached is not None:
            if "messages" not in cached:
                cached = {**cached, "messages": [{"role": "user", "content": UNRESOLVED}]}
            request = placeholder_request(model, {"model": model, **cached}, new_tokenizer)
            if request is not None:
                requests.append(request)
                targets.append((site, "cached"))
        whole = placeholder_request(model, site.args, new_tokenizer)
        if whole is not None:
            requests.append(whole)
            targets.append((site, "input"))
        for position, args in priced_callers(site):
            for part, request in _caller_requests(site, args, model, new_tokenizer):
                requests.append(request)
                targets.append((site, caller_token_key(part, position)))
    if not requests:
        return
    for (site, name), count in zip(targets, counter.count(requests), strict=True):
        site.tokens[name] = count


def _caller_requests(
    site: PromptSite, args: dict[str, Any], model: str, new_tokenizer: bool
) -> list[tuple[str, CountRequest]]:
    """One caller's request (the prompt that caller brings): its prefix and whole input."""
    found: list[tuple[str, CountRequest]] = []
    prefix = prefix_request(replace(site, args=args), model, new_tokenizer)
    if prefix is not None:
        found.append(("prefix", prefix))
    whole = placeholder_request(model, args, new_tokenizer)
    if whole is not None:
        found.append(("input", whole))
    return found


def _estimate_offline(site: PromptSite) -> None:
    placeholder_model = "unknown"
    for name, request in (
        ("prefix", prefix_request(site, placeholder_model, False)),
        ("input", placeholder_request(placeholder_model, site.args, False)),
    ):
        if request is not None:
            site.tokens[name] = TokenCount(estimate_request_tokens(request), "estimate")
