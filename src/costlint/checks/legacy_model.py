"""CL009 legacy-model: retired, deprecated or legacy models (an info finding when the successor
is not cheaper per token).

Where the model can take several values, the rule fires only when every candidate the
catalog knows is retired, deprecated or legacy (``model_sets``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine import CheckContext, Report
from ..fixes import ModelSwitch, NoCostModel
from ..site import PromptSite
from ..units import per_mtok
from .model_sets import every_candidate
from .successors import cheaper_input, move_to, suggested, switch

REMEDIES = (ModelSwitch, NoCostModel)
OLD_STATUSES = frozenset({"retired", "deprecated", "legacy"})


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    candidates = site.candidates.get("model")
    if candidates is not None and len(candidates) > 1:
        yield from every_candidate(
            candidates,
            ctx,
            lambda info: info.status in OLD_STATUSES,
            lambda written, info: _reports(written, info, ctx),
            "retired, deprecated or legacy",
        )
        return
    model = ctx.model(site)
    if model is None or ctx.catalog is None:
        return
    yield from _reports(str(site.get("model")), model, ctx)


def _reports(written: str, model: Any, ctx: CheckContext) -> Iterator[Report]:
    successor = ctx.catalog.resolve(model.successor) if model.successor else None
    platform = written.lower().startswith(("anthropic.", "us.", "eu.", "apac.", "global."))
    platform = platform or "@" in written
    if model.status == "retired":
        where = " on the Claude API" if platform else ""
        yield Report(
            f"{written} ({model.name}) was retired{_on(model.retirement)}: calls{where} fail"
            + (" (Bedrock and Google Cloud set their own dates)" if platform else ""),
            fix=move_to(successor, written),
            severity="warning" if platform else "error",
            remedy=switch(successor, written),
        )
        return
    if model.status == "deprecated":
        yield Report(
            f"{written} ({model.name}) is deprecated and retires{_on(model.retirement)}; "
            "calls will fail after that",
            fix=move_to(successor, written),
            remedy=switch(successor, written),
        )
        return
    if model.status != "legacy" or successor is None or successor.status != "active":
        return
    yield from _legacy_priced(written, model, successor)


def _legacy_priced(written: str, model: Any, successor: Any) -> Iterator[Report]:
    cheaper = cheaper_input(model, successor)
    if cheaper is None:
        yield _superseded(written, model, successor)
        return
    effective, note = cheaper
    yield Report(
        f"{written} ({model.name}) is a legacy model priced "
        f"{per_mtok(model.prices.input)}/{per_mtok(model.prices.output)} per MTok; "
        f"{successor.id} costs {per_mtok(successor.prices.input)}/"
        f"{per_mtok(successor.prices.output)}, about {effective:.1f}x cheaper{note}",
        fix=move_to(successor, written),
        remedy=ModelSwitch(suggested(successor, written), price_ratio=round(effective, 2)),
    )


def _superseded(written: str, model: Any, successor: Any) -> Report:
    """A legacy model whose successor is not cheaper per token: no saving to claim, but the
    catalog's lifecycle puts legacy models next in line for deprecation."""
    return Report(
        f"{written} ({model.name}) is a legacy model, superseded by {successor.id}"
        f"{_prices(model, successor)}; no saving per token, but legacy models are the next "
        "to be deprecated",
        fix=move_to(successor, written),
        severity="info",
        remedy=NoCostModel(),
    )


def _prices(model: Any, successor: Any) -> str:
    if model.prices is None or successor.prices is None:
        return ""
    old, new = model.prices, successor.prices
    return (
        f" ({per_mtok(new.input)}/{per_mtok(new.output)} per MTok against "
        f"{per_mtok(old.input)}/{per_mtok(old.output)})"
    )


def _on(date: str | None) -> str:
    return f" on {date}" if date else ""
