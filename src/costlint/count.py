"""The count stage: token counts for the parts of each site the rules and prices need.

Two numbers per site: ``prefix`` (the stable, cacheable prefix: tools, system, leading
document) and ``input`` (the whole request as written, unknown parts as placeholders).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .request import stable_prefix_parts
from .site import UNKNOWN, PromptSite, TokenCount
from .tokens import estimate_tokens, estimate_value_tokens

UNRESOLVED = "{unresolved}"


def _new_tokenizer(site: PromptSite, catalog: Any) -> bool:
    model = site.get("model")
    if catalog is None or not isinstance(model, str):
        return False
    info = catalog.resolve(str(model))
    return bool(getattr(info, "new_tokenizer", False))


def prefix_text(parts: dict[str, Any]) -> str:
    chunks: list[str] = []
    if "tools" in parts:
        chunks.append(json.dumps(_plain(parts["tools"]), ensure_ascii=False, sort_keys=True))
    system = parts.get("system")
    if isinstance(system, list):
        chunks.extend(str(s) for s in system)
    elif isinstance(system, str):
        chunks.append(str(system))
    if parts.get("document"):
        chunks.append(str(parts["document"]))
    return "\n".join(chunks)


def _plain(value: Any) -> Any:
    if value is UNKNOWN:
        return UNRESOLVED
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def estimate_site(site: PromptSite, catalog: Any) -> None:
    """Fill ``site.tokens`` with offline estimates."""
    new = _new_tokenizer(site, catalog)
    parts = stable_prefix_parts(site)
    if parts:
        site.tokens["prefix"] = TokenCount(estimate_tokens(prefix_text(parts), new), "estimate")
    total = 0
    for name in ("system", "tools", "messages"):
        value = site.get(name)
        if value is None:
            continue
        total += estimate_value_tokens(_plain(value), new)
    if total:
        site.tokens["input"] = TokenCount(total, "estimate")


def count_sites(sites: Iterable[PromptSite], catalog: Any) -> None:
    for site in sites:
        estimate_site(site, catalog)
