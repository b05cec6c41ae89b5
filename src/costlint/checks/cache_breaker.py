"""CL006 cache-breaker: per-call content inside or before a cache breakpoint."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import MoveVolatile
from ..site import PromptSite

REMEDIES = (MoveVolatile,)


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    part = site.volatile
    if part is None:
        return
    where = f"{part.path}:{part.line}" if part.path else f"line {part.line}"
    yield Report(
        f"`{part.what}` at {where} sits before the cache breakpoint ({part.reason}, "
        f"in {part.part}): the cached prefix differs on every call, so every call writes the "
        "cache at 1.25x-2x the input price and none reads it",
        fix=(
            f"move `{part.what}` after the last cache_control breakpoint (a later block or "
            "the user turn), or compute it once per session (a date formatted to the day)"
        ),
        tokens=site.tokens.get("prefix") or site.tokens.get("input"),
        remedy=MoveVolatile((part.what,)),
    )
