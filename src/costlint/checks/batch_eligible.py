"""CL005 batch-eligible: a call reached through a loop over independent items in an offline job."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import Batch
from ..site import PromptSite

REMEDIES = (Batch,)


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    reach = site.batch
    if reach is None or site.batched:
        return
    where = (
        f"{reach.path}:{reach.line}"
        if reach.cell is None
        else (f"{reach.path} cell {reach.cell}:{reach.line}")
    )
    yield Report(
        f"reached from the loop over `{reach.loop}` in {where} ({reach.entry}): each item is an "
        "independent request sent at the full price, where the Message Batches API costs half",
        fix=(
            "send the items with client.messages.batches.create(requests=[...]) (one request "
            "per item, each with a custom_id): 50% off input and output, stacking with prompt "
            "caching; results arrive asynchronously, within 24 hours"
        ),
        tokens=site.tokens.get("input"),
        remedy=Batch(),
    )
