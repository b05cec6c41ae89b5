"""CL012 unused-suppression (preview): a suppression comment that hides nothing.

When this rule is on, the engine runs every rule a site's comment suppresses, selected or
not, and hands over which of them found something (``ctx.suppression``). A code naming a
rule per-file-ignored for the file is left alone; an unknown code is a diagnostic instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import NoCostModel
from ..site import PromptSite

REMEDIES = (NoCostModel,)


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    codes = site.ignore or frozenset()
    outcome = ctx.suppression
    if "*" in codes:
        if not outcome.fired and outcome.active:
            yield Report(
                "this `costlint: ignore` comment suppresses nothing: no rule finds anything here",
                fix="remove the comment",
            )
        return
    by_code = {rule.id: rule for rule in outcome.active}
    by_code |= {rule.name.upper(): rule for rule in outcome.active}
    unused = sorted({by_code[code].id for code in codes if code in by_code} - set(outcome.fired))
    if unused:
        listed = ", ".join(unused)
        yield Report(
            f"suppression of {listed} is unused: the rule finds nothing at this call",
            fix=f"remove {listed} from the comment",
        )
