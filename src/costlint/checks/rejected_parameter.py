"""CL011 rejected-parameter: ``temperature``, ``top_p`` or ``top_k`` on a call.

API version 2026-10-21 answers 400 to any of them (any model, default values included) and
anthropic SDK 2.x, which sends that version, raises TypeError on them (facts §13). The
severity follows the project's pinned SDK (sdkpin): an error when it is 2.x, a warning when
it is older or unknown (the call keeps working on API version 2023-06-01).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import RemoveParameters
from ..sdkpin import rejects_sampling_parameters
from ..site import PromptSite

REMEDIES = (RemoveParameters,)
PARAMETERS = ("temperature", "top_p", "top_k")
SDK_FRONTENDS = frozenset({"python", "notebook"})  # calls through the anthropic SDK


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    written = tuple(name for name in PARAMETERS if name in site.args)
    if not written or site.frontend not in SDK_FRONTENDS:
        return
    names = _names(written)
    fail, are, them = ("fail", "are", "them") if len(written) > 1 else ("fails", "is", "it")
    fails = rejects_sampling_parameters(ctx.sdk)
    if fails:
        pinned = ctx.sdk.describe() if ctx.sdk is not None else "anthropic 2.x"
        message = (
            f"{names} {fail} with the pinned SDK ({pinned}): anthropic 2.x raises TypeError on "
            f"{them} and API version 2026-10-21 rejects {them} (400, any model, even at defaults)"
        )
        fix = f"remove {names}, or pin the older API version (anthropic < 2 sends 2023-06-01)"
    else:
        sdk = "the pinned SDK is older" if fails is False else "the pinned SDK is unknown"
        message = (
            f"{names} {fail} on API version 2026-10-21 (400, any model, even at defaults) and "
            f"{are} a TypeError in anthropic 2.x; {sdk}, so the call works while it sends "
            "API version 2023-06-01"
        )
        fix = (
            f"remove {names} before moving to anthropic 2.x, or keep the older API version "
            "pinned (anthropic < 2 sends 2023-06-01)"
        )
    yield Report(
        message,
        fix=fix,
        severity="error" if fails else "warning",
        remedy=RemoveParameters(written),
    )


def _names(written: tuple[str, ...]) -> str:
    quoted = [f"`{name}`" for name in written]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
