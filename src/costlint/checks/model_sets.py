"""Model findings for a call whose model can take several values (``site.candidates``).

A set is reported once, and only when every candidate the catalog knows qualifies on its own
(one current model in an allow-list of old ids is not a finding): the report of its default
candidate, or of the first that has one, naming the set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..engine import CheckContext, Report
from ..site import Candidates

SHOWN_CANDIDATES = 4  # candidates named in a set's message


def every_candidate(
    candidates: Candidates,
    ctx: CheckContext,
    qualifies: Callable[[Any], bool],
    reports_for: Callable[[str, Any], Iterator[Report]],
    described: str,
) -> Iterator[Report]:
    """One report for a set whose every known model ``qualifies`` (a catalog entry), made by
    ``reports_for(written id, entry)`` and prefixed "every model this call can use is
    ``described`` (the ids)"."""
    if ctx.catalog is None:
        return
    known = []
    for candidate in candidates:
        if isinstance(candidate.value, str):
            info = ctx.catalog.resolve(str(candidate.value))
            if info is not None:
                known.append((candidate, info))
    if not known or not all(qualifies(info) for _, info in known):
        return
    ordered = sorted(known, key=lambda pair: not pair[0].default)
    for candidate, info in ordered:
        reports = list(reports_for(str(candidate.value), info))
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
            f"every model this call can use is {described} ({listed}); {report.message}{where}"
        )
        yield report
        return
