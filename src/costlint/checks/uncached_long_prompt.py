"""CL002 uncached-long-prompt: a long stable prefix sent on repeated calls without caching."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..engine import CheckContext, Report
from ..estimate import estimate_tokens
from ..fixes import EPHEMERAL, PrefixCache, cache_control_fix
from ..request import (
    CALLER_PROMPTS,
    caller_token_key,
    describe_prefix,
    has_cache_control,
    has_variable_part,
    late_stable_block,
    priced_callers,
    stable_prefix_parts,
)
from ..sdkpin import supports_top_level_cache_control
from ..site import PromptSite, TokenCount
from ..units import tokens

REMEDIES = (PrefixCache,)


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    if not site.repeated or has_cache_control(site):
        return
    if site.opaque_kwargs and not site.candidates.get(CALLER_PROMPTS):
        return
    prefix = site.tokens.get("prefix")
    parts = stable_prefix_parts(site)
    model = ctx.model(site)
    minimum = getattr(model, "min_cacheable", None) or 0
    threshold = max(int(ctx.params.get("min_tokens", 1024)), minimum)
    brought = ""
    if site.opaque_kwargs or prefix is None or parts is None or prefix.count < threshold:
        largest = _largest_caller_prefix(site)
        if largest is None or largest[1].count < threshold:
            yield from _late_block(site, threshold, getattr(model, "new_tokenizer", False))
            return
        site, prefix, brought = largest
        parts = stable_prefix_parts(site) or {}
    what = describe_prefix(parts)
    read = ""
    prices = getattr(model, "prices", None) if model is not None else None
    if prices is not None and prices.cache_read and prices.input:
        read = (
            f"; cached reads of it would cost {prices.cache_read / prices.input:.3g}x the input "
            f"price on {model.id}"
        )
    message = (
        f"{what} of ~{tokens(prefix.count)} tokens ({prefix.source}){brought} is sent on every "
        f"call without prompt caching{read}"
    )
    fix = _cache_fix(has_variable_part(site.args.get("messages")), ctx)
    yield Report(message, fix=fix, tokens=prefix, remedy=PrefixCache(tuple(sorted(parts))))


def _largest_caller_prefix(site: PromptSite) -> tuple[PromptSite, TokenCount, str] | None:
    """A wrapper whose callers bring the prompt: the site as its caller with the largest
    counted stable prefix sends it (callers that cache it aside), that count, and where that
    caller is."""
    counted = [
        (count, position, args)
        for position, args in priced_callers(site)
        if (count := site.tokens.get(caller_token_key("prefix", position))) is not None
        and not has_cache_control(replace(site, args=args))
    ]
    if not counted:
        return None
    count, position, args = max(counted, key=lambda item: item[0].count)
    origin = site.candidates[CALLER_PROMPTS][position].origin
    where = f" from {origin.where}" if origin is not None else ""
    return replace(site, args=args), count, f", the largest a caller brings{where},"


def _cache_fix(per_call_messages: bool, ctx: CheckContext) -> str:
    """Top-level (automatic) caching puts the breakpoint on the last block: it saves only when
    the messages are the same on every call, never when a per-call message ends the request."""
    block = f"add cache_control={EPHEMERAL} to the last block of the stable prefix"
    if per_call_messages:
        return (
            f"{block} (not a top-level cache_control=: automatic caching would put the "
            "breakpoint on the per-call message, which no later call reads)"
        )
    call = f"pass cache_control={EPHEMERAL} to the call for automatic caching"
    return cache_control_fix(block, call, supports_top_level_cache_control(ctx.sdk))


def _late_block(site: PromptSite, threshold: int, new_tokenizer: bool) -> Iterator[Report]:
    """A large stable block after the per-call text: cacheable once moved before it."""
    found = late_stable_block(site)
    if found is None:
        return
    part, text = found
    count = estimate_tokens(text, bool(new_tokenizer))
    if count < threshold:
        return
    where = "system prompt" if part == "system" else "first user message"
    message = (
        f"a stable block of ~{tokens(count)} tokens in the {where} comes after per-call text, "
        f"so it cannot be cached where it is and is sent at the full input price on every call"
    )
    fix = (
        "move it before the per-call text (or into the system prompt) and put "
        f"cache_control={EPHEMERAL} on it"
    )
    counted = TokenCount(count, "estimate")
    yield Report(message, fix=fix, tokens=counted, remedy=PrefixCache((part,)))
