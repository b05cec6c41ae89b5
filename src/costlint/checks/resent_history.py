"""CL003 resent-history: a growing conversation re-sent whole every turn, uncached."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import HistoryCache
from ..request import has_cache_control
from ..site import PromptSite

REMEDIES = (HistoryCache,)


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    history = site.history
    if history is None or not history.growing or not history.whole:
        return
    if history.windowed or history.cached or has_cache_control(site):
        return
    bound = history.turn_bound
    if bound is not None and bound <= int(ctx.params.get("min_turns", 5)):
        return  # a loop of a few rounds (a capped tool loop): the growth stays small
    name = history.variable or "messages"
    if site.kind == "template":
        yield _template_report(site, name)
        return
    message = (
        f"`{name}` grows every turn and is re-sent whole as messages= with no cache "
        f"breakpoint, window or summary: turn N pays again for all N-1 earlier turns, so a "
        f"conversation's input cost grows with the square of its length"
    )
    fix = (
        'pass cache_control={"type": "ephemeral"} to the call (automatic caching moves the '
        f"breakpoint to the last message each turn), or send a window such as {name}[-6:]"
    )
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
