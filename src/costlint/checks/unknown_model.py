"""CL010 unknown-model: a model id the catalog does not know (never priced as $0).

Where the model can take several values, each candidate written as a Claude-looking literal
that the catalog does not know is reported once (ids of other vendors' models in a shared
allow-list are not this rule's business).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import NoCostModel
from ..site import PromptSite

REMEDIES = (NoCostModel,)  # nothing to price: the default remedy
FIX = 'check the id for a typo, or add the model with `models = "path.yaml"` in config'


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    if ctx.catalog is None:
        return
    candidates = site.candidates.get("model")
    if candidates is not None and len(candidates) > 1:
        yield from _unknown_candidates(site, ctx)
        return
    model = site.get("model")
    if not isinstance(model, str) or getattr(model, "holes", 0) or not model.strip():
        return  # a blank id (an empty getenv default) is set at run time, not a typo
    if ctx.catalog.resolve(str(model)) is not None:
        return
    yield Report(_message(str(model), ctx), fix=FIX)


def _unknown_candidates(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    seen: set[str] = set()
    for candidate in site.candidates["model"]:
        value = candidate.value
        if not isinstance(value, str) or getattr(value, "holes", 0) or str(value) in seen:
            continue
        seen.add(str(value))
        if not _claude_looking(str(value)) or ctx.catalog.resolve(str(value)) is not None:
            continue
        where = ""
        if candidate.origin is not None:
            where = f" (written at {candidate.origin.where})"
        yield Report(_message(str(value), ctx) + where, fix=FIX)


def _message(model: str, ctx: CheckContext) -> str:
    verified = getattr(ctx.catalog, "verified", None)
    return (
        f"model {model!r} is not in costlint's model catalog (verified {verified}): "
        "it is reported as unpriced, never as $0"
    )


def _claude_looking(model: str) -> bool:
    text = model.strip().lower()
    return "claude" in text
