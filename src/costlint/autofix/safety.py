"""Which fixes costlint applies by itself: safe ones with ``--fix``, unsafe ones (they change
what the program does) only with ``--unsafe-fixes``, and none where the change needs judgement.

Decided by the finding's typed fix (never by rule id):

* safe: a cache breakpoint (``prefix-cache``: same answers, cheaper reads); a retired model
  to the successor the catalog names (``model-switch`` off a retired model: calls to it fail);
* unsafe: any other model switch (another model answers differently), a ``max_tokens`` cap
  (``output-cap``, ``output-limit``: a long answer is cut), a timeout for the SDK's guard
  (``stream-or-timeout``: the call may now run for longer);
* none: batching, moving per-call text, caching a growing conversation, anything unpriced.
"""

from __future__ import annotations

from typing import Any

from ..fixes import ModelSwitch, OutputCap, OutputLimit, PrefixCache, StreamOrTimeout
from ..site import Finding

SAFE, UNSAFE = "safe", "unsafe"

# Fix kind -> how a rule that yields it is fixable, for `costlint explain` and the docs.
KIND_FIXABILITY = {
    PrefixCache.kind: "safe: adds a block-level cache_control breakpoint",
    ModelSwitch.kind: "safe for a retired model (to its successor); unsafe otherwise "
    "(another model answers differently)",
    OutputCap.kind: "unsafe: lowers max_tokens (a longer answer would be cut)",
    OutputLimit.kind: "unsafe: lowers max_tokens to the model's maximum output",
    StreamOrTimeout.kind: "unsafe: adds timeout= (the SDK's expected duration) to the call",
}


def safety(finding: Finding, catalog: Any) -> str | None:
    """SAFE, UNSAFE, or None when costlint does not fix this finding by itself."""
    remedy = finding.remedy
    if isinstance(remedy, PrefixCache):
        return SAFE
    if isinstance(remedy, ModelSwitch):
        return SAFE if replaces_retired(finding, remedy, catalog) else UNSAFE
    if isinstance(remedy, (OutputCap, OutputLimit, StreamOrTimeout)):
        return UNSAFE
    return None


def replaces_retired(finding: Finding, remedy: ModelSwitch, catalog: Any) -> bool:
    """The site's model is retired and the fix names the successor the catalog gives it."""
    site = finding.site
    if site is None or catalog is None:
        return False
    current = catalog.resolve(str(site.get("model")))
    if current is None or current.status != "retired" or current.successor is None:
        return False
    return catalog.resolve(remedy.suggested_model) is catalog.resolve(current.successor)


def describe_fixability(kinds: tuple[str, ...]) -> str:
    """How a rule yielding these fix kinds is fixed by `costlint check --fix`."""
    described = [KIND_FIXABILITY[kind] for kind in kinds if kind in KIND_FIXABILITY]
    if not described:
        return "not fixable automatically: the change needs judgement (the message says what to do)"
    return "; ".join(described)
