"""CL010 unknown-model: a model id the catalog does not know (never priced as $0)."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import NoCostModel
from ..site import PromptSite

REMEDIES = (NoCostModel,)  # nothing to price: the default remedy


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    model = site.get("model")
    if not isinstance(model, str) or getattr(model, "holes", 0) or ctx.catalog is None:
        return
    if ctx.catalog.resolve(str(model)) is not None:
        return
    verified = getattr(ctx.catalog, "verified", None)
    yield Report(
        f"model {str(model)!r} is not in costlint's model catalog (verified {verified}): "
        "it is reported as unpriced, never as $0",
        fix='check the id for a typo, or add the model with `models = "path.yaml"` in config',
    )
