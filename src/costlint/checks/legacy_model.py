"""CL009 legacy-model: retired, deprecated, or legacy-priced models with a cheaper successor.

Where the model can take several values (``site.candidates``), the rule fires only when every
candidate the catalog knows is retired, deprecated or legacy: a set with one current model in
it (say, a current default behind an allow-list of old ids) is not a finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..catalog import id_for_platform
from ..engine import CheckContext, Report
from ..fixes import Fix, ModelSwitch, NoCostModel
from ..site import Candidates, PromptSite
from ..units import per_mtok

REMEDIES = (ModelSwitch, NoCostModel)
TOKENIZER_FACTOR = 1.3  # newer tokenizer: ~30% more tokens for the same text


OLD_STATUSES = frozenset({"retired", "deprecated", "legacy"})
SHOWN_CANDIDATES = 4  # candidates named in a set's message


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    candidates = site.candidates.get("model")
    if candidates is not None and len(candidates) > 1:
        yield from _every_candidate(candidates, ctx)
        return
    model = ctx.model(site)
    if model is None or ctx.catalog is None:
        return
    yield from _reports(str(site.get("model")), model, ctx)


def _every_candidate(candidates: Candidates, ctx: CheckContext) -> Iterator[Report]:
    """One finding for a set whose every known model is old (named by its default, or the
    first that would be a finding on its own)."""
    if ctx.catalog is None:
        return
    known = []
    for candidate in candidates:
        if isinstance(candidate.value, str):
            info = ctx.catalog.resolve(str(candidate.value))
            if info is not None:
                known.append((candidate, info))
    if not known or any(info.status not in OLD_STATUSES for _, info in known):
        return
    ordered = sorted(known, key=lambda pair: not pair[0].default)
    for candidate, info in ordered:
        reports = list(_reports(str(candidate.value), info, ctx))
        if not reports:
            continue
        report = reports[0]
        names = [str(c.value) for c, _ in known[:SHOWN_CANDIDATES]]
        more = len(known) - len(names)
        listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
        where = ""
        if candidate.origin is not None:
            where = f" (set at {candidate.origin.where})"
        report.message = (
            f"every model this call can use is retired, deprecated or legacy ({listed}); "
            f"{report.message}{where}"
        )
        yield report
        return


def _reports(written: str, model: Any, ctx: CheckContext) -> Iterator[Report]:
    successor = ctx.catalog.resolve(model.successor) if model.successor else None
    platform = written.lower().startswith(("anthropic.", "us.", "eu.", "apac.", "global."))
    platform = platform or "@" in written
    if model.status == "retired":
        where = " on the Claude API" if platform else ""
        yield Report(
            f"{written} ({model.name}) was retired{_on(model.retirement)}: calls{where} fail"
            + (" (Bedrock and Google Cloud set their own dates)" if platform else ""),
            fix=_move_to(successor, written),
            severity="warning" if platform else "error",
            remedy=_switch(successor, written),
        )
        return
    if model.status == "deprecated":
        yield Report(
            f"{written} ({model.name}) is deprecated and retires{_on(model.retirement)}; "
            "calls will fail after that",
            fix=_move_to(successor, written),
            remedy=_switch(successor, written),
        )
        return
    if model.status != "legacy" or successor is None or successor.status != "active":
        return
    yield from _legacy_priced(written, model, successor)


def _legacy_priced(written: str, model: Any, successor: Any) -> Iterator[Report]:
    if model.prices is None or successor.prices is None:
        return
    if successor.prices.input >= model.prices.input:
        return
    factor = 1.0
    if successor.new_tokenizer and not model.new_tokenizer:
        factor = TOKENIZER_FACTOR
    effective = model.prices.input / (successor.prices.input * factor)
    if effective <= 1.0:
        return
    note = " after the newer tokenizer's ~30% more tokens" if factor != 1.0 else ""
    yield Report(
        f"{written} ({model.name}) is a legacy model priced "
        f"{per_mtok(model.prices.input)}/{per_mtok(model.prices.output)} per MTok; "
        f"{successor.id} costs {per_mtok(successor.prices.input)}/"
        f"{per_mtok(successor.prices.output)}, about {effective:.1f}x cheaper{note}",
        fix=_move_to(successor, written),
        remedy=ModelSwitch(_suggested(successor, written), price_ratio=round(effective, 2)),
    )


def _on(date: str | None) -> str:
    return f" on {date}" if date else ""


def _move_to(successor: Any, written: str) -> str:
    """The successor in the format of the platform the call runs on (Bedrock, Vertex)."""
    if successor is None:
        return "move to a current model"
    target = id_for_platform(successor, written)
    return f'use model="{target.id}"' + (
        "" if target.verified else target.display().removeprefix(target.id)
    )


def _suggested(successor: Any, written: str) -> str:
    """The id the fix's pricing resolves: the platform id when the catalog knows it."""
    target = id_for_platform(successor, written)
    return target.id if target.verified else successor.id


def _switch(successor: Any, written: str) -> Fix:
    return ModelSwitch(_suggested(successor, written)) if successor is not None else NoCostModel()
