"""Pricing a run: every call site's monthly cost now and after its fixes, every finding's worth.

Nothing unknown is ever priced as $0: a site whose model or prompt cannot be resolved is
*unpriced* and listed as such. A finding's saving is ``cost(now) - cost(now with that fix
alone)``; a site's "after" cost applies all of its fixes together (so savings that overlap
are not counted twice in the totals).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..catalog import platform_of
from ..fixes import ModelSwitch, PrefixCache, RemoveParameters, with_cache_ttl
from ..request import (
    CALLER_PROMPTS,
    PROMPT_PARTS,
    caller_token_key,
    has_cache_control,
    has_variable_part,
    priced_callers,
    prompt_known,
)
from ..sdkpin import SdkPin, rejects_sampling_parameters
from ..site import UNKNOWN, Finding, PromptSite
from ..usage import SiteUsage, Usage, default_usage
from .costs import Assumptions, CallerCost, CostReport, FindingCost, SiteCost
from .fixplans import price_finding
from .formulas import (  # replace: dataclasses.replace, for the NamedTuples too
    Plan,
    PlanChange,
    Unpriced,
    Workload,
    apply_changes,
    monthly_cost,
    replace,
)


def price_run(result: Any, usage: Usage | None = None) -> CostReport:
    """Prices every call site of a RunResult and every finding on it."""
    usage = usage or default_usage()
    catalog = result.catalog
    by_site: dict[int, list[Finding]] = {}
    for finding in result.findings:
        for each in (finding, *finding.folded):
            if each.site is not None:
                by_site.setdefault(id(each.site), []).append(each)
    sdk = getattr(result, "sdk", None)
    sites = [
        price_site(site, by_site.get(id(site), []), usage.for_site(site), catalog, sdk)
        for site in result.sites
    ]
    costs = {id(c.finding): c for s in sites for c in s.findings}
    findings = [
        _with_folded(costs.get(id(f)), [costs.get(id(d)) for d in f.folded])
        or FindingCost(f, "none", note="no call site to price")
        for f in result.findings
    ]
    return CostReport(sites, findings, _assumptions(usage, sites, catalog))


def _with_folded(cost: FindingCost | None, folded: list[FindingCost | None]) -> FindingCost | None:
    """A finding listed once for several call sites is worth the billed savings of all of
    them (a promptfoo model line used by every prompt). Each site's own figures are left as
    they are; the listed finding gets a copy with the sum."""
    billed = [c for c in folded if c is not None and c.billed]
    if cost is None or not cost.billed or not billed:
        return cost
    calls = cost.calls_per_month
    if calls is not None and all(c.calls_per_month is not None for c in billed):
        calls += sum(c.calls_per_month or 0.0 for c in billed)
    else:
        calls = None
    return replace(
        cost,
        saving=(cost.saving or 0.0) + sum(c.saving or 0.0 for c in billed),
        calls_per_month=calls,
        detail={**cost.detail, "call_sites": 1 + len(billed)},
    )


def price_site(
    site: PromptSite,
    findings: list[Finding],
    usage: SiteUsage,
    catalog: Any,
    sdk: SdkPin | None = None,
) -> SiteCost:
    cost = SiteCost(site, site.repo_address, usage)
    input_count = site.tokens.get("input")
    cost.token_source = input_count.source if input_count else None
    reason, info = _resolve_model(site, usage, catalog)
    cost.model = info.id if info is not None else _written_model(site, usage)
    cost.model_written = _written_model(site, usage)
    if info is not None and info.status == "retired":
        return _failing(cost, info, findings)
    rejected = _rejected_now(findings, sdk)
    if rejected is not None:
        return _rejected(cost, rejected, findings, sdk)
    callers = site.candidates.get(CALLER_PROMPTS)
    if reason is None and callers:
        works = caller_workloads(site, usage)
        if works:
            return _per_caller(cost, site, works, findings, usage, catalog, info)
        reason = (
            f"prompt not resolved statically: none of the {len(callers)} caller(s) of "
            f"{site.qualname.rsplit('.', 1)[-1]}() passes a prompt costlint can read"
        )
    if reason is None and not prompt_resolved(site):
        reason = "prompt not resolved statically"
    if reason is not None:
        cost.unpriced = reason
        cost.findings = [FindingCost(f, "unpriced", note=reason) for f in findings]
        return cost
    work = workload(site, usage)
    base = current_plan(site, info)
    cost.conversation = work.conversation
    cost.input_tokens = work.prefix + (work.new if work.conversation else work.rest)
    cost.output_tokens = work.output
    cost.growth = work.growth if work.conversation else 0.0
    cost.one_shot = one_shot_context(site)
    if cost.one_shot is not None and usage.is_default("calls_per_month"):
        return _per_run(cost, work, base, findings, catalog)
    try:
        cost.now = monthly_cost(work, base)
    except Unpriced as exc:
        cost.unpriced = str(exc)
        cost.findings = [FindingCost(f, "unpriced", note=str(exc)) for f in findings]
        return cost
    cost.findings = [price_finding(f, work, base, catalog) for f in findings]
    for finding_cost in cost.findings:
        finding_cost.calls_per_month = usage.calls_per_month
        finding_cost.calls_default = usage.is_default("calls_per_month")
    name_cache_ttl(cost.findings)
    changes = one_plan(cost.findings)
    try:
        cost.after = monthly_cost(*apply_changes(work, base, changes))
    except Unpriced:  # fixes that only price alone (a user catalog missing a cache price)
        cost.after = cost.now  # claim nothing rather than guess
    return cost


def _per_caller(
    cost: SiteCost,
    site: PromptSite,
    works: list[tuple[int, Workload]],
    findings: list[Finding],
    usage: SiteUsage,
    catalog: Any,
    info: Any,
) -> SiteCost:
    """A site whose prompt its function's callers bring: each caller's prompt priced on its
    own at an even share of the site's calls (so the month is the mean cost per call times
    the calls); each finding is worth the sum of its savings over the callers."""
    base = current_plan(site, info)
    found = site.candidates.get(CALLER_PROMPTS) or ()
    cost.callers_unresolved = sum(1 for c in found if not isinstance(c.value, dict))
    first = site.tokens.get(caller_token_key("input", works[0][0]))
    cost.token_source = first.source if first is not None else None
    cost.output_tokens = works[0][1].output
    cost.input_tokens = sum(w.prefix + w.rest for _, w in works) / len(works)
    per_caller: list[list[FindingCost]] = []
    now = after = 0.0
    try:
        for position, work in works:
            caller_now = monthly_cost(work, base)
            costs = [price_finding(f, work, base, catalog) for f in findings]
            changes = one_plan(costs)
            try:
                caller_after = monthly_cost(*apply_changes(work, base, changes))
            except Unpriced:
                caller_after = caller_now
            now += caller_now
            after += caller_after
            per_caller.append(costs)
            origin = found[position].origin if position < len(found) else None
            per_call = caller_now / work.calls if work.calls else 0.0
            cost.callers.append(CallerCost(origin, work.prefix + work.rest, per_call))
    except Unpriced as exc:
        cost.callers = []
        cost.unpriced = str(exc)
        cost.findings = [FindingCost(f, "unpriced", note=str(exc)) for f in findings]
        return cost
    cost.now, cost.after = now, after
    cost.findings = [_summed([c[i] for c in per_caller]) for i in range(len(findings))]
    for finding_cost in cost.findings:
        finding_cost.calls_per_month = usage.calls_per_month
        finding_cost.calls_default = usage.is_default("calls_per_month")
    name_cache_ttl(cost.findings)
    return cost


def _summed(costs: list[FindingCost]) -> FindingCost:
    """One finding priced on each caller's share: the first caller's figures, with the
    saving summed over the callers (a billed saving only when every caller bills one)."""
    first = costs[0]
    if not all(c.billed for c in costs):
        return first
    return replace(first, saving=sum(c.saving or 0.0 for c in costs))


def caller_workloads(site: PromptSite, usage: SiteUsage) -> list[tuple[int, Workload]]:
    """Each priced caller's workload (by its position among the callers), at an even share
    of the site's calls; callers without a count are left out."""
    counted = []
    for position, args in priced_callers(site):
        whole = site.tokens.get(caller_token_key("input", position))
        if whole is None:
            continue
        prefix = site.tokens.get(caller_token_key("prefix", position))
        variable = any(has_variable_part(args.get(n)) for n in PROMPT_PARTS)
        counted.append((position, whole.count, prefix.count if prefix else 0, variable))
    shares = len(counted)
    return [
        (position, _one_call(site, usage, whole, prefix, variable, usage.calls_per_month / shares))
        for position, whole, prefix, variable in counted
    ]


def _one_call(
    site: PromptSite, usage: SiteUsage, input_count: int, prefix_count: int, variable: bool,
    calls: float,
) -> Workload:  # fmt: skip
    """A single call's workload: the stable prefix, the rest (plus the per-call text when a
    part is filled in at run time) and the output, capped at max_tokens."""
    max_tokens = site.get("max_tokens")
    cap = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else None
    output = float(usage.output_tokens if cap is None else min(usage.output_tokens, cap))
    prefix = float(min(prefix_count, input_count))
    rest = float(input_count - prefix) + (usage.new_tokens_per_turn if variable else 0)
    return Workload(prefix, rest, output, calls, max_tokens=cap)


def name_cache_ttl(findings: list[FindingCost]) -> None:
    """A prefix-cache fix names the TTL its saving assumes (the one the formula chose), so
    the fix as printed is the fix as priced."""
    for cost in findings:
        ttl = cost.detail.get("ttl")
        if cost.finding.remedy.kind == PrefixCache.kind and ttl in ("5m", "1h"):
            if cost.change is not None:  # no saving: no TTL to name
                cost.finding.fix = with_cache_ttl(cost.finding.fix, ttl)


def one_plan(findings: list[FindingCost]) -> list[PlanChange]:
    """The site's after-fix plan: at most one change per parameter.

    Several fixes may change the model (a smaller model that fits the task, the newer model
    of the family). Each is worth the same work on a current model, so the plan takes the one
    that leaves the site cheapest (the largest saving alone: the cheapest current model that
    fits); the others keep their saving alone and say which fix the plan takes instead.
    """
    switches = [c for c in findings if c.change is not None and c.change.model is not None]
    chosen = max(switches, key=lambda c: c.saving or 0.0, default=None)
    for cost in switches:
        cost.in_plan = cost is chosen
        if chosen is None or cost is chosen:
            continue
        remedy = chosen.finding.remedy
        model = remedy.suggested_model if isinstance(remedy, ModelSwitch) else ""
        model = model or chosen.change.model.id  # type: ignore[union-attr]
        cost.detail["plan_takes"] = {"rule": chosen.finding.rule, "model": model}
        cost.note += f"; the site's plan takes {model} ({chosen.finding.rule}) instead"
        _mention_alternative(cost.finding, chosen.finding, model)
    return [c.change for c in findings if c.change is not None and c.in_plan]


def _mention_alternative(finding: Finding, chosen: Finding, model: str) -> None:
    """A fix the plan does not take names the one it does, so the two fixes agree."""
    tail = f" (or {model}, cheaper here: {chosen.rule} {chosen.name}; the cost plan takes it)"
    if tail not in finding.fix:
        finding.fix = (finding.fix or f'use model="{model}"') + tail


def one_shot_context(site: PromptSite) -> str | None:
    """Why a call runs once when its code runs (None: it runs per request, at volume).

    A call at a notebook's top level runs when someone runs the notebook; a call at a
    script's module level (including ``if __name__ == "__main__":``) outside any loop runs
    once per run of the script. Neither has a monthly volume unless the usage file says so.
    """
    if site.repeated or site.in_loop:
        return None
    if site.history is not None and site.history.growing:
        return None  # a history that grows is a conversation: called turn after turn
    if site.frontend == "notebook":
        return "a notebook's top level"
    if site.frontend == "python" and site.qualname == "<module>":
        return "a script's module level, outside any loop"
    return None


def _per_run(
    cost: SiteCost, work: Workload, plan: Plan, findings: list[Finding], catalog: Any
) -> SiteCost:
    """A one-shot call: one call (one conversation) per run, not in the monthly totals."""
    once = replace(work, calls=float(work.turns if work.conversation else 1))
    try:
        cost.per_run = monthly_cost(once, plan)
    except Unpriced as exc:
        cost.unpriced = str(exc)
        cost.findings = [FindingCost(f, "unpriced", note=str(exc)) for f in findings]
        return cost
    note = (
        f"one-shot call ({cost.one_shot}): priced per run, no monthly saving; set its "
        "calls_per_month in the usage file to price its fixes"
    )
    priced = [price_finding(f, once, plan, catalog) for f in findings]
    cost.findings = [
        c if c.kind in ("worst_case", "unpriced") else FindingCost(c.finding, "none", note=note)
        for c in priced
    ]
    return cost


def _failing(cost: SiteCost, info: Any, findings: list[Finding]) -> SiteCost:
    """A call on a retired model fails today: no spend now, so no saving from fixing it."""
    when = f" on {info.retirement}" if info.retirement else ""
    cost.failing = f"{info.id} was retired{when}: the API rejects the call"
    if platform_of(cost.model_written or "") is not None:
        cost.failing = (
            f"{info.id} was retired on the Claude API{when}: taken as failing (Bedrock and "
            "Google Cloud set their own dates: check yours)"
        )
    fixes = [f.fix for f in findings if isinstance(f.remedy, ModelSwitch) and f.fix]
    successor = f'use model="{info.successor}"' if info.successor else "move to a current model"
    cost.fix = fixes[0] if fixes else successor
    note = "the call fails now (retired model): not spend, no saving counted"
    cost.findings = [FindingCost(f, "none", note=note) for f in findings]
    return cost


def _rejected_now(findings: list[Finding], sdk: SdkPin | None) -> Finding | None:
    """A finding whose parameters the pinned SDK rejects (anthropic 2.x): the call fails now.
    With an older or unknown SDK the call still works (API version 2023-06-01): priced."""
    if rejects_sampling_parameters(sdk) is not True:
        return None
    return next((f for f in findings if isinstance(f.remedy, RemoveParameters)), None)


def _rejected(
    cost: SiteCost, finding: Finding, findings: list[Finding], sdk: SdkPin | None
) -> SiteCost:
    remedy = finding.remedy
    names = ", ".join(remedy.parameters) if isinstance(remedy, RemoveParameters) else ""
    pinned = sdk.describe() if sdk is not None else "anthropic 2.x"
    cost.failing = f"{names} rejected: {pinned} raises TypeError (API version 2026-10-21: 400)"
    cost.fix = finding.fix
    note = "the call fails now (rejected parameter): not spend, no saving counted"
    cost.findings = [FindingCost(f, "none", note=note) for f in findings]
    return cost


def _written_model(site: PromptSite, usage: SiteUsage) -> str | None:
    """The model id the source (else the usage file) names; a blank one (the empty default
    of ``os.getenv("MODEL", "")``) names nothing: the id is set at run time."""
    model = site.model
    if isinstance(model, str) and model.strip():
        return str(model)
    return usage.model


def _resolve_model(site: PromptSite, usage: SiteUsage, catalog: Any) -> tuple[str | None, Any]:
    model = _written_model(site, usage)
    if model is None and len(site.candidates.get("model", ())) > 1:
        # The default candidate is already in ``args``; without one the usage file must name it.
        return "model has several candidates and no default: name one in the usage file", None
    if model is None:
        return (
            "model not resolved statically (name it with `model:` for this call site in the "
            "usage file)",
            None,
        )
    info = catalog.resolve(model) if catalog is not None else None
    if info is None:
        return f"unknown model {model!r} (not in the model catalog)", None
    if info.prices is None:
        return f"price unknown: {info.id} is a known model without prices in the catalog", None
    return None, info


def prompt_resolved(site: PromptSite) -> bool:
    """Whether there is a prompt to price: some known text, or a growing conversation.

    A conversation is priced from what the source shows (maybe nothing: S = 0) plus the
    usage figures for each turn, so an unknown ``messages`` list does not stop it.
    """
    if site.history is not None and site.history.growing:
        return True
    if "input" not in site.tokens:
        return False
    return prompt_known(site.args, site.opaque_kwargs)


def workload(site: PromptSite, usage: SiteUsage) -> Workload:
    """The tokens a site sends per call (or per turn), from its counts and the usage figures."""
    input_count = site.tokens["input"].count if "input" in site.tokens else 0
    prefix_count = site.tokens["prefix"].count if "prefix" in site.tokens else 0
    max_tokens = site.get("max_tokens")
    cap = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else None
    output = float(usage.output_tokens if cap is None else min(usage.output_tokens, cap))
    history = site.history
    if history is not None and history.growing:
        # S is what the source shows besides the history; an unknown messages value is
        # counted as a placeholder, so then only the stable prefix (system, tools) counts.
        shown = prefix_count if site.get("messages") is UNKNOWN else input_count
        return Workload(
            prefix=float(shown),
            rest=0.0,
            output=output,
            calls=usage.calls_per_month,
            turns=usage.turns_per_conversation,
            new=float(usage.new_tokens_per_turn),
            conversation=True,
            max_tokens=cap,
        )
    variable = any(has_variable_part(site.get(n)) for n in PROMPT_PARTS)
    return _one_call(site, usage, input_count, prefix_count, variable, usage.calls_per_month)


def current_plan(site: PromptSite, model: Any) -> Plan:
    """The plan as written: existing cache_control and history handling are priced as such."""
    cached = has_cache_control(site)
    ttl = ("1h" if _mentions_1h(site.args) else "5m") if cached else None
    history = "full"
    if site.history is not None and site.history.growing:
        if site.history.cached or cached:
            history = "cached"
        elif site.history.windowed:
            history = "window"
    broken = cached and site.volatile is not None  # CL006: the cache is written, never read
    return Plan(model, prefix_cache=ttl, history=history, cache_broken=broken)


def _mentions_1h(value: Any, depth: int = 0) -> bool:
    if depth > 12:
        return False
    if isinstance(value, dict):
        if value.get("ttl") == "1h":
            return True
        return any(_mentions_1h(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_mentions_1h(v, depth + 1) for v in value)
    return False


def _assumptions(usage: Usage, sites: list[SiteCost], catalog: Any) -> Assumptions:
    sources = Counter(s.token_source for s in sites if s.token_source)
    defaults_used = any(
        s.usage.is_default(name) for s in sites for name in ("calls_per_month", "output_tokens")
    )
    verified = getattr(catalog, "verified", None)
    as_of = getattr(catalog, "prices_as_of", None)
    age = catalog.age_days() if verified is not None else None
    return Assumptions(
        usage=usage.describe(),
        usage_file=str(usage.path) if usage.path else None,
        defaults=dict(usage.defaults),
        defaults_used=defaults_used,
        catalog_verified=verified.isoformat() if verified else None,
        prices_as_of=as_of.isoformat() if as_of else None,
        catalog_age_days=age,
        token_sources=dict(sources),
        caller_priced_sites=sum(1 for s in sites if s.callers and s.unpriced is None),
    )
