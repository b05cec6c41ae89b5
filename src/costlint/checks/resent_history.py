"""CL003 resent-history: a growing conversation re-sent whole every turn, uncached."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import EPHEMERAL, HistoryCache, cache_control_fix
from ..request import caches_messages, has_variable_part, history_tokens
from ..sdkpin import supports_top_level_cache_control
from ..site import PromptSite

REMEDIES = (HistoryCache,)
REQUEST_PARTS = ("tools", "system")  # what a tool loop re-sends besides its own rounds


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    history = site.history
    if history is None or not history.growing or not history.whole:
        return
    if history.windowed or history.cached or caches_messages(site):
        return
    bound = history.turn_bound
    if bound is not None and bound <= int(ctx.params.get("min_turns", 5)):
        return  # a loop of a few rounds (a capped tool loop): the growth stays small
    if bound is None and history.capped:
        return  # a per-task tool loop with an iteration limit; its resent prefix is CL002's
    if not history.joined and site.kind != "template" and _too_small_to_cache(site, ctx, bound):
        return  # caching would save nothing: the history never reaches the cacheable minimum
    name = history.variable or "messages"
    if history.joined:
        yield _joined_report(site, name)
        return
    if site.kind == "template":
        yield _template_report(site, name)
        return
    message = (
        f"`{name}` grows every turn and is re-sent whole as messages= with no cache "
        f"breakpoint, window or summary: turn N pays again for all N-1 earlier turns, so a "
        f"conversation's input cost grows with the square of its length"
    )
    cache = cache_control_fix(
        f"put cache_control={EPHEMERAL} on the last block of the newest message each turn",
        f"pass cache_control={EPHEMERAL} to the call (automatic caching moves the breakpoint "
        "to the last message each turn)",
        supports_top_level_cache_control(ctx.sdk),
    )
    fix = f"{cache}, or send a window such as {name}[-6:]"
    yield Report(message, fix=fix, tokens=site.tokens.get("input"), remedy=HistoryCache(name))


def _template_report(site: PromptSite, name: str) -> Report:
    """A template that renders the whole conversation into the prompt on every call."""
    message = (
        f"the template renders all of `{name}` into the prompt on every call, with no cache "
        f"breakpoint or window: turn N pays again for all N-1 earlier turns, so a "
        f"conversation's input cost grows with the square of its length"
    )
    fix = (
        f"render a window (`{{% for turn in {name}[-6:] %}}`), or send the turns as messages "
        'with cache_control={"type": "ephemeral"} on the call'
    )
    return Report(message, fix=fix, tokens=site.tokens.get("input"), remedy=HistoryCache(name))


def _joined_report(site: PromptSite, name: str) -> Report:
    """Earlier results kept in a list and joined into the prompt of every call."""
    message = (
        f"`{name}` collects every earlier result and is joined into the prompt of each call, "
        f"with no window or summary: call N pays again for all N-1 earlier results, so the "
        f"input cost grows with the square of the number of calls"
    )
    fix = f"join a window such as {name}[-5:] or a running summary, and cache the stable part"
    return Report(message, fix=fix, tokens=site.tokens.get("input"), remedy=HistoryCache(name))


def _too_small_to_cache(site: PromptSite, ctx: CheckContext, bound: int | None) -> bool:
    """The history at the default turn count (or the loop's bound) stays under the model's
    minimum cacheable length."""
    model = ctx.model(site)
    minimum = getattr(model, "min_cacheable", None) if model is not None else None
    if not minimum:
        return False
    if site.history is not None and site.history.tool_loop:
        # One task's tool rounds: each adds a tool call and its result, not a user's turn.
        # Only a task, tools and system prompt seen whole can be called small.
        if not site.history.opening_known:
            return False
        if any(has_variable_part(site.args.get(part)) for part in REQUEST_PARTS):
            return False
        turns = bound if bound is not None else int(ctx.params.get("tool_rounds", 3))
        per_round = int(ctx.params.get("tool_round_tokens", 150))
        return history_tokens(site, turns, per_round, 0) < int(minimum)
    turns = bound if bound is not None else int(ctx.params.get("turns", 10))
    new = int(ctx.params.get("new_tokens_per_turn", 200))
    output = int(ctx.params.get("output_tokens", 400))
    return history_tokens(site, turns, new, output) < int(minimum)
