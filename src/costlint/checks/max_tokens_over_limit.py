"""CL008 max-tokens-over-limit: max_tokens the API (400) or the SDK (long-request guard) rejects."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import OutputLimit, StreamOrTimeout
from ..site import PromptSite
from ..units import tokens

REMEDIES = (OutputLimit, StreamOrTimeout)  # neither is priced: the call fails as written

# The Python and TypeScript SDKs refuse a non-streaming call whose expected time is over 10
# minutes, computed as 3600 s x max_tokens / 128,000, unless a timeout is set (anthropic
# _base_client._calculate_nonstreaming_timeout); i.e. max_tokens above 21,333.
SDK_NONSTREAMING_LIMIT = 21_333


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    max_tokens = site.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
        return
    model = ctx.model(site)
    limit = getattr(model, "max_output", None) if model is not None else None
    if limit and max_tokens > limit:
        yield Report(
            f"max_tokens={tokens(max_tokens)} is above {model.id}'s maximum output of "
            f"{tokens(limit)} tokens: the API answers 400 invalid_request_error",
            fix=f"set max_tokens to at most {limit}",
            severity="error",
            remedy=OutputLimit(limit),
        )
        return
    guard = int(ctx.params.get("sdk_nonstreaming_limit", SDK_NONSTREAMING_LIMIT))
    if site.frontend not in ("python", "notebook") or not site.kind.endswith("create"):
        return
    if site.get("stream") is True or site.client_timeout is not False:
        return  # streaming, a timeout set, or a client we cannot see
    if max_tokens > guard:
        yield Report(
            f"non-streaming call with max_tokens={tokens(max_tokens)} and no timeout: the SDK "
            f"raises 'Streaming is required for operations that may take longer than 10 "
            f"minutes' before sending (its guard allows up to {tokens(guard)})",
            fix="use client.messages.stream(...) (or stream=True), or pass an explicit timeout=",
            severity="error",
            remedy=StreamOrTimeout(sdk_expected_seconds(max_tokens)),
        )


def sdk_expected_seconds(max_tokens: int) -> int:
    """The SDK's expected duration of a non-streaming call (3600 s x max_tokens / 128,000),
    rounded up: a timeout at least this long lets the call through its guard."""
    return -(-3600 * max_tokens // 128_000)
