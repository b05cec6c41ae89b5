"""Fix plans: what each kind of typed fix is worth, as a change to a site's cost plan.

``PRICERS`` maps a fix kind (``costlint.fixes.FIX_KINDS``) to a function that turns a finding's
fix into a :class:`FindingCost`: a billed saving per month (the fix as a ``PlanChange``), a
worst case per call, or why it is not priced. Nothing here knows rule ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..fixes import (
    Batch,
    HistoryCache,
    ModelSwitch,
    MoveVolatile,
    OutputCap,
    PrefixCache,
    RemoveParameters,
)
from ..site import Finding
from .costs import FindingCost
from .formulas import (
    TTL_SECONDS,
    WINDOW_EXCHANGES,
    Plan,
    PlanChange,
    Unpriced,
    Workload,
    apply_changes,
    hit_rate,
    monthly_cost,
    tokenizer_factor,
)
from .money import dollars, percent

Pricer = Callable[[Finding, Workload, Plan, Any], FindingCost]


def price_finding(finding: Finding, work: Workload, plan: Plan, catalog: Any) -> FindingCost:
    """What the finding's fix is worth on this site: dispatches on the fix's kind."""
    pricer = PRICERS.get(finding.remedy.kind, no_cost_model)
    try:
        return pricer(finding, work, plan, catalog)
    except Unpriced as exc:
        return FindingCost(finding, "unpriced", note=str(exc))


def _saving(work: Workload, plan: Plan, change: PlanChange) -> float:
    after_work, after_plan = apply_changes(work, plan, [change])
    return monthly_cost(work, plan) - monthly_cost(after_work, after_plan)


def no_cost_model(finding: Finding, work: Workload, plan: Plan, catalog: Any) -> FindingCost:
    """A fix kind without a cost model (yet): listed, never priced."""
    return FindingCost(finding, "none", note=f"no cost model for {finding.rule} yet")


def caching_saving(
    finding: Finding, work: Workload, plan: Plan, catalog: Any = None
) -> FindingCost:
    """PrefixCache: the better of a 5-minute and a 1-hour cache on the prefix, or no saving.

    A finding about a large stable block after the per-call text (its token count above the
    site's stable prefix) is priced as that block moved in front and cached, as its fix says.
    """
    block = finding.tokens.count if finding.tokens is not None else 0
    moved = float(block) if not work.conversation and block > work.prefix else None
    options = {}
    for ttl in ("5m", "1h"):
        options[ttl] = (
            _saving(work, plan, PlanChange(prefix_cache=ttl, moved_prefix=moved)),
            hit_rate(work.calls, TTL_SECONDS[ttl]),
        )
    ttl = max(options, key=lambda key: options[key][0])
    saving, hit = options[ttl]
    detail = {
        "ttl": ttl,
        "hit_rate": hit,
        "alternatives": {key: value[0] for key, value in options.items()},
    }
    if saving <= 0:
        note = (
            f"at {work.calls:,.0f} calls/month too few calls hit a warm cache "
            f"({percent(options['5m'][1])} within 5 minutes, {percent(options['1h'][1])} within "
            "an hour): cache writes would cost more than the hits save"
        )
        return FindingCost(finding, "saving", 0.0, note, detail)
    label = "a 5-minute" if ttl == "5m" else 'a 1-hour ("ttl": "1h")'
    note = f"{label} cache; {percent(hit)} of calls hit a warm cache"
    if moved is not None:
        note += f" (the ~{moved:,.0f}-token block moved before the per-call text)"
    change = PlanChange(prefix_cache=ttl, moved_prefix=moved)
    return FindingCost(finding, "saving", saving, note, detail, change)


def history_saving(
    finding: Finding, work: Workload, plan: Plan, catalog: Any = None
) -> FindingCost:
    """HistoryCache: a moving cache breakpoint (claimed) against a window (an alternative)."""
    if not work.conversation:
        return FindingCost(finding, "none", note="not priced as a conversation")
    cached = _saving(work, plan, PlanChange(history="cached"))
    window = _saving(work, plan, PlanChange(history="window"))
    detail = {
        "turns": work.turns,
        "conversations_per_month": work.calls / max(work.turns, 1),
        "cached": cached,
        "window": window,
        "window_exchanges": WINDOW_EXCHANGES,
    }
    shape = f"{work.turns}-turn conversations"
    alt = f"; a window of the last {WINDOW_EXCHANGES} exchanges saves ~{dollars(window)}"
    if cached <= 0:
        note = f"a cache breakpoint does not pay over {shape}{alt if window > 0 else ''}"
        return FindingCost(finding, "saving", 0.0, note, detail)
    note = f"a moving cache breakpoint over {shape}" + (alt if window > 0 else "")
    return FindingCost(finding, "saving", cached, note, detail, PlanChange(history="cached"))


def model_switch_saving(finding: Finding, work: Workload, plan: Plan, catalog: Any) -> FindingCost:
    """ModelSwitch: the same work on the suggested model (its tokenizer may count more)."""
    remedy = finding.remedy
    assert isinstance(remedy, ModelSwitch)
    target_id = remedy.suggested_model
    target = catalog.resolve(target_id) if catalog is not None else None
    if target is None or target.prices is None:
        raise Unpriced(f"suggested model {target_id!r} has no prices in the catalog")
    factor = tokenizer_factor(plan.model.new_tokenizer, target.new_tokenizer)
    change = PlanChange(model=target)
    saving = _saving(work, plan, change)
    note = target.id
    if factor != 1.0:
        note += f" (tokenizer: x{factor:.3g} tokens)"
    detail = {"model": target.id, "tokenizer_factor": factor}
    return FindingCost(finding, "saving", saving, note, detail, change)


def worst_case(finding: Finding, work: Workload, plan: Plan, catalog: Any = None) -> FindingCost:
    """OutputCap: max_tokens x output price per call, now and with the suggested cap."""
    remedy = finding.remedy
    assert isinstance(remedy, OutputCap)
    now_cap = work.max_tokens
    if now_cap is None:
        return FindingCost(finding, "none", note="max_tokens not known")
    prices = plan.model.prices.for_prompt(work.prefix + work.rest)
    now, after = remedy.worst_case(prices.output, max_tokens=now_cap)
    suggested = remedy.suggested_max_tokens
    detail = {
        "max_tokens": now_cap,
        "suggested_max_tokens": suggested,
        "worst_case_now": now,
        "worst_case_after": after,
    }
    note = (
        f"worst case {dollars(now)}/call now, "
        f"{dollars(after)}/call with max_tokens={suggested} "
        "(not a billed saving)"
    )
    return FindingCost(finding, "worst_case", None, note, detail)


def batch_saving(finding: Finding, work: Workload, plan: Plan, catalog: Any = None) -> FindingCost:
    """Batch: the same requests through the Message Batches API, caching kept (it stacks)."""
    change = PlanChange(batch=True)
    saving = _saving(work, plan, change)
    discount = getattr(plan.model.prices, "batch_discount", None) or 0.0
    note = (
        f"the Message Batches API at {percent(discount)} off input and output "
        "(results within 24 hours)"
    )
    return FindingCost(finding, "saving", saving, note, {"batch_discount": discount}, change)


def volatile_saving(
    finding: Finding, work: Workload, plan: Plan, catalog: Any = None
) -> FindingCost:
    """MoveVolatile: now every call writes the prefix and none reads it; after, the stable
    part is cached and read (the hit-rate model) and the volatile part is plain input."""
    if plan.prefix_cache is None or not plan.cache_broken:
        return FindingCost(finding, "none", note="the request's cache is not priced as broken")
    change = PlanChange(cache_broken=False)
    saving = _saving(work, plan, change)
    hit = hit_rate(work.calls, TTL_SECONDS[plan.prefix_cache])
    detail = {"ttl": plan.prefix_cache, "hit_rate": hit}
    note = (
        f"the per-call part after the breakpoint: {percent(hit)} of calls read the cache "
        "instead of every call writing it"
    )
    return FindingCost(finding, "saving", max(saving, 0.0), note, detail, change)


PRICERS: dict[str, Pricer] = {
    ModelSwitch.kind: model_switch_saving,
    PrefixCache.kind: caching_saving,
    HistoryCache.kind: history_saving,
    OutputCap.kind: worst_case,
    Batch.kind: batch_saving,
    MoveVolatile.kind: volatile_saving,
    RemoveParameters.kind: lambda finding, work, plan, catalog: FindingCost(
        finding, "none", note="the call works while the SDK sends API version 2023-06-01"
    ),
    # none has no cost model: no_cost_model
}
