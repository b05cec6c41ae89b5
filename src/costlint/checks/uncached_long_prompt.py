"""CL002 uncached-long-prompt: a long stable prefix sent on repeated calls without caching."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import PrefixCache
from ..request import describe_prefix, has_cache_control, stable_prefix_parts
from ..site import PromptSite
from ..units import tokens

REMEDIES = (PrefixCache,)


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    if not site.repeated or site.opaque_kwargs or has_cache_control(site):
        return
    prefix = site.tokens.get("prefix")
    parts = stable_prefix_parts(site)
    if prefix is None or parts is None:
        return
    model = ctx.model(site)
    minimum = getattr(model, "min_cacheable", None) or 0
    threshold = max(int(ctx.params.get("min_tokens", 1024)), minimum)
    if prefix.count < threshold:
        return
    what = describe_prefix(parts)
    read = ""
    prices = getattr(model, "prices", None) if model is not None else None
    if prices is not None and prices.cache_read and prices.input:
        read = (
            f"; cached reads of it would cost {prices.cache_read / prices.input:.3g}x the input "
            f"price on {model.id}"
        )
    message = (
        f"{what} of ~{tokens(prefix.count)} tokens ({prefix.source}) is sent on every call "
        f"without prompt caching{read}"
    )
    fix = (
        'add cache_control={"type": "ephemeral"} to the last block of the stable prefix '
        '(or pass cache_control={"type": "ephemeral"} to the call for automatic caching)'
    )
    yield Report(message, fix=fix, tokens=prefix, remedy=PrefixCache(tuple(sorted(parts))))
