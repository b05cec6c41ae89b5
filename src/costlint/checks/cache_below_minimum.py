"""CL007 cache-below-minimum: a cache breakpoint on a prefix the model will not cache."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import NoCostModel
from ..site import PromptSite
from ..units import tokens

REMEDIES = (NoCostModel,)  # nothing to price: the default remedy


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    cached = site.tokens.get("cached")
    model = ctx.model(site)
    minimum = getattr(model, "min_cacheable", None) if model is not None else None
    if cached is None or not minimum or cached.count >= minimum:
        return
    message = (
        f"cache_control marks a prefix of ~{tokens(cached.count)} tokens ({cached.source}), "
        f"below the {tokens(minimum)}-token minimum {model.id} caches: the API silently "
        f"processes it uncached (both cache counters read 0), so the breakpoint buys nothing"
    )
    fix = (
        "move the breakpoint after more stable content so the prefix reaches "
        f"{tokens(minimum)} tokens, or remove it"
    )
    yield Report(message, fix=fix, tokens=cached)
