"""The cost model: tokens x price x volume, per call site, and what each finding's fix saves.

Every formula is written down in docs/cost-model.md and checked against hand-computed
examples in tests/test_savings.py. Catalog prices are USD per million tokens (MTok), so a
cost is ``tokens x price / 1e6``. Nothing unknown is ever priced as $0: a site whose model
or prompt cannot be resolved is *unpriced* and listed as such.

A site is priced as a :class:`Workload` (what it sends, in tokens) under a :class:`Plan`
(which model, which caching). A finding's fix is a change to the plan; its saving is
``cost(now) - cost(now with that fix alone)``, and a site's "after" cost applies all of its
fixes together (so savings that overlap are not counted twice in the totals).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from .request import has_cache_control, has_variable_part
from .site import UNKNOWN, Finding, PromptSite
from .usage import SiteUsage, Usage, default_usage

MTOK = 1_000_000
SECONDS_PER_MONTH = 365.25 / 12 * 86_400  # 2,629,800 s: an average month
TTL_SECONDS = {"5m": 300, "1h": 3600}
NEW_TOKENIZER_FACTOR = 1.3  # Claude 4.7+ tokenizer: ~30% more tokens for the same text
WINDOW_EXCHANGES = 3  # the window CL003's fix suggests: about history[-6:]
TOKEN_SOURCES = {"estimate": "offline estimate", "api": "API count", "cache": "API count (cached)"}
ARRIVALS = (
    "calls arrive as a Poisson process at calls_per_month / seconds per month "
    "(365.25/12 days); a call finds a warm cache when the previous call came within the TTL: "
    "P(hit) = 1 - exp(-rate x TTL)"
)


class Unpriced(Exception):
    """Something the model needs is unknown (a price, a model); never priced as $0."""


# ---------------------------------------------------------------------------- formulas


def usd(tokens: float, price_per_mtok: float) -> float:
    return tokens * price_per_mtok / MTOK


def hit_rate(calls_per_month: float, ttl_seconds: float) -> float:
    """Share of calls that find the cache warm, under Poisson arrivals.

    The TTL is refreshed by every hit and every write, so a call hits exactly when the gap
    since the previous call is shorter than the TTL: P(gap < TTL) = 1 - exp(-rate * TTL).
    """
    rate = max(calls_per_month, 0.0) / SECONDS_PER_MONTH
    return 1.0 - math.exp(-rate * ttl_seconds)


def tokenizer_factor(from_new: bool, to_new: bool) -> float:
    """Tokens on the target model per token on the current one (same text)."""
    if from_new == to_new:
        return 1.0
    return NEW_TOKENIZER_FACTOR if to_new else 1.0 / NEW_TOKENIZER_FACTOR


def write_price(prices: Any, ttl: str) -> float | None:
    return prices.cache_write_1h if ttl == "1h" else prices.cache_write_5m


def cached_token_price(prices: Any, ttl: str, hit: float) -> float:
    """Average price of a cached prefix token: misses write it, hits read it."""
    write = write_price(prices, ttl)
    if write is None or prices.cache_read is None:
        raise Unpriced("the catalog has no cache prices for this model")
    return (1.0 - hit) * write + hit * prices.cache_read


@dataclass(frozen=True)
class Workload:
    """What a call site sends, in tokens of its current model's tokenizer.

    A single call sends ``prefix + rest`` input tokens and gets ``output`` back. A
    conversation (a history that grows every turn) of ``turns`` turns sends at turn t:
    ``prefix + new + (t - 1) * (new + output)``, where ``prefix`` is what the source shows
    (system prompt, tools) and ``new`` the user's new message.
    """

    prefix: float
    rest: float
    output: float
    calls: float
    turns: int = 1
    new: float = 0.0
    conversation: bool = False
    max_tokens: int | None = None

    def scaled(self, factor: float) -> Workload:
        """The same text counted by another tokenizer (output still capped at max_tokens)."""
        if factor == 1.0:
            return self
        output = self.output * factor
        if self.max_tokens is not None:
            output = min(output, float(self.max_tokens))
        return replace(
            self,
            prefix=self.prefix * factor,
            rest=self.rest * factor,
            new=self.new * factor,
            output=output,
        )

    @property
    def growth(self) -> float:
        """Tokens the history grows by each turn: the user's message and the reply."""
        return self.new + self.output


@dataclass(frozen=True)
class Plan:
    """How the request is sent: model, prefix caching (None, "5m", "1h"), history handling."""

    model: Any  # catalog.ModelInfo with prices
    prefix_cache: str | None = None
    history: str = "full"  # full | cached (moving breakpoint) | window


def monthly_cost(work: Workload, plan: Plan) -> float:
    """USD per month."""
    if work.conversation:
        conversations = work.calls / max(work.turns, 1)
        return conversations * conversation_cost(work, plan)
    return work.calls * call_cost(work, plan)


def _min_cacheable(plan: Plan) -> float:
    return float(getattr(plan.model, "min_cacheable", None) or 0)


def _prefix_price(work: Workload, plan: Plan, prices: Any) -> float:
    """Price per prefix token: input, or the cached average when the prefix is cached."""
    if plan.prefix_cache is None or work.prefix < _min_cacheable(plan):
        return prices.input
    hit = hit_rate(work.calls, TTL_SECONDS[plan.prefix_cache])
    return cached_token_price(prices, plan.prefix_cache, hit)


def call_cost(work: Workload, plan: Plan) -> float:
    """USD per call of a single-turn site.

    cost = S x p_prefix + R x in + o x out, at the rates for a prompt of S + R tokens.
    """
    prices = plan.model.prices.for_prompt(work.prefix + work.rest)
    prefix = work.prefix * _prefix_price(work, plan, prices)
    return (prefix + work.rest * prices.input + work.output * prices.output) / MTOK


def conversation_cost(work: Workload, plan: Plan) -> float:
    """USD per conversation of T turns, in closed form (sums of arithmetic series).

    I(t) = S + u + (t - 1) g is the prompt at turn t with the whole history re-sent.
    * full:   sum_t I(t) x in + T x o x out                              (quadratic in T)
    * cached: a moving breakpoint on the last message; turns before the first cacheable one
              (I(t) < min_cacheable) pay input; turn k writes I(k); every later turn reads
              I(t - 1) and writes the g new tokens
    * window: J(t) = S + u + min(t - 1, W) g, re-sent uncached
    Within each run of turns where the formula and the price tier are fixed, the cost of a
    turn is affine in t, so the run sums to n x (first + last) / 2.
    """
    turns = max(work.turns, 1)
    tiers = plan.model.prices
    breaks = _tier_breaks(work, tiers)
    if plan.history == "window":
        breaks.add(WINDOW_EXCHANGES + 2)  # J(t) is constant from turn W + 1 on
        return _sum_runs(_resent_turn(work, plan, _window_prompt), turns, breaks)
    if plan.history == "cached":
        first = _first_turn(work, _min_cacheable(plan), inclusive=True)
        breaks |= {first, first + 1}
        return _sum_runs(_cached_turn(work, plan, first), turns, breaks)
    return _sum_runs(_resent_turn(work, plan, _prompt), turns, breaks)


def _prompt(work: Workload, turn: int) -> float:
    return work.prefix + work.new + (turn - 1) * work.growth


def _window_prompt(work: Workload, turn: int) -> float:
    return work.prefix + work.new + min(turn - 1, WINDOW_EXCHANGES) * work.growth


def _first_turn(work: Workload, limit: float, inclusive: bool) -> int:
    """The first turn whose full-history prompt reaches ``limit`` (>= or >); 10**9 if never."""
    start = work.prefix + work.new
    if start >= limit if inclusive else start > limit:
        return 1
    if work.growth <= 0:
        return 10**9
    steps = (limit - start) / work.growth
    turn = math.ceil(steps) if inclusive else math.floor(steps) + 1
    return int(turn) + 1


def _tier_breaks(work: Workload, prices: Any) -> set[int]:
    """The turn where the prompt first goes over a long-prompt threshold (Haiku 5.5).

    For a window the prompt stops growing at turn W + 1; a break past that is harmless.
    """
    threshold = prices.long_prompt_threshold
    if prices.long_prompt_tier is None or threshold is None:
        return set()
    return {_first_turn(work, float(threshold), inclusive=False)}


def _resent_turn(
    work: Workload, plan: Plan, prompt_of: Callable[[Workload, int], float]
) -> Callable[[int], float]:
    """Cost of a turn that re-sends its prompt uncached (the prefix may be cached)."""

    def cost(turn: int) -> float:
        prompt = prompt_of(work, turn)
        prices = plan.model.prices.for_prompt(prompt)
        body = work.prefix * _prefix_price(work, plan, prices)
        body += (prompt - work.prefix) * prices.input + work.output * prices.output
        return body / MTOK

    return cost


def _cached_turn(work: Workload, plan: Plan, first: int) -> Callable[[int], float]:
    def cost(turn: int) -> float:
        prompt = _prompt(work, turn)
        prices = plan.model.prices.for_prompt(prompt)
        write = write_price(prices, "5m")
        if turn >= first and (write is None or prices.cache_read is None):
            raise Unpriced("the catalog has no cache prices for this model")
        if turn < first:
            body = prompt * prices.input
        elif turn == first:
            body = prompt * write
        else:
            body = (prompt - work.growth) * prices.cache_read + work.growth * write
        return (body + work.output * prices.output) / MTOK

    return cost


def _sum_runs(cost: Callable[[int], float], turns: int, breaks: Iterable[int]) -> float:
    """Sum cost(1..turns), where cost is affine between consecutive break turns."""
    starts = sorted({1, *(b for b in breaks if 1 < b <= turns)})
    total = 0.0
    for index, start in enumerate(starts):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else turns
        total += (end - start + 1) * (cost(start) + cost(end)) / 2
    return total


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Fix:
    """A change a finding's fix makes to the plan."""

    model: Any = None
    prefix_cache: str | None = None
    history: str | None = None


@dataclass
class FindingCost:
    """What one finding is worth.

    ``kind``: "saving" (a billed saving per month in ``saving``; 0 = no saving), "worst_case"
    (CL001: per-call worst case in ``detail``, never a saving), "unpriced" (``note`` says
    why), or "none" (no cost model for this rule).
    """

    finding: Finding
    kind: str
    saving: float | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    fix: Fix | None = None
    calls_per_month: float | None = None  # the site's volume, for "(at N calls/month)"
    calls_default: bool = False  # that volume is a default, not set for this site

    @property
    def billed(self) -> bool:
        return self.kind == "saving" and self.saving is not None


@dataclass
class SiteCost:
    site: PromptSite
    address: str  # root-relative, as the usage file keys it
    usage: SiteUsage
    model: str | None = None
    token_source: str | None = None
    input_tokens: float | None = None  # per call, or at turn 1 of a conversation
    output_tokens: float | None = None
    conversation: bool = False
    growth: float = 0.0  # tokens the history grows per turn (conversations)
    now: float | None = None
    after: float | None = None
    unpriced: str | None = None
    findings: list[FindingCost] = field(default_factory=list)

    @property
    def saving(self) -> float | None:
        if self.now is None or self.after is None:
            return None
        return self.now - self.after

    @property
    def worst_cases(self) -> list[FindingCost]:
        return [c for c in self.findings if c.kind == "worst_case"]


@dataclass
class Assumptions:
    usage: str  # where the usage figures came from
    usage_file: str | None
    defaults: dict[str, float]
    defaults_used: bool
    catalog_verified: str | None
    prices_as_of: str | None
    catalog_age_days: int | None
    token_sources: dict[str, int]
    seconds_per_month: float = SECONDS_PER_MONTH
    arrivals: str = ARRIVALS

    def lines(self) -> list[str]:
        """Human-readable statements, in the order reports print them."""
        d = self.defaults
        lines = [self.usage + (" (figures marked * are defaults)" if self.defaults_used else "")]
        lines.append(
            f"defaults: {d['calls_per_month']:,.0f} calls/month, {d['output_tokens']:,.0f} "
            f"output tokens per call (capped at max_tokens), {d['turns_per_conversation']:,.0f} "
            f"turns per conversation, {d['new_tokens_per_turn']:,.0f} new tokens per call"
        )
        if self.catalog_verified:
            age = "" if self.catalog_age_days is None else f", {self.catalog_age_days} days ago"
            as_of = f", prices as of {self.prices_as_of}" if self.prices_as_of else ""
            lines.append(f"prices: model catalog verified {self.catalog_verified}{age}{as_of}")
        lines.append("rates: standard API prices in USD (no Batch discount, no data residency)")
        sources = ", ".join(
            f"{TOKEN_SOURCES.get(s, s)} for {n} call site(s)"
            for s, n in sorted(self.token_sources.items())
        )
        lines.append(f"tokens: {sources or 'none counted'}")
        lines.append(f"caching: {self.arrivals}; conversation turns follow within 5 minutes")
        return lines


@dataclass
class CostReport:
    sites: list[SiteCost]
    findings: list[FindingCost]
    assumptions: Assumptions

    @property
    def priced(self) -> list[SiteCost]:
        return [s for s in self.sites if s.unpriced is None]

    @property
    def unpriced(self) -> list[SiteCost]:
        return [s for s in self.sites if s.unpriced is not None]

    @property
    def total_now(self) -> float:
        return sum(s.now or 0.0 for s in self.priced)

    @property
    def total_after(self) -> float:
        return sum(s.after or 0.0 for s in self.priced)

    @property
    def total_saving(self) -> float:
        return self.total_now - self.total_after

    def for_finding(self, finding: Finding) -> FindingCost | None:
        for cost in self.findings:
            if cost.finding is finding:
                return cost
        return None


# ---------------------------------------------------------------------------- pricing a run


def price_run(result: Any, usage: Usage | None = None) -> CostReport:
    """Prices every call site of a RunResult and every finding on it."""
    usage = usage or default_usage()
    catalog = result.catalog
    by_site: dict[int, list[Finding]] = {}
    for finding in result.findings:
        if finding.site is not None:
            by_site.setdefault(id(finding.site), []).append(finding)
    sites = [
        price_site(site, by_site.get(id(site), []), usage.for_site(site), catalog)
        for site in result.sites
    ]
    costs = {id(c.finding): c for s in sites for c in s.findings}
    findings = [
        costs.get(id(f)) or FindingCost(f, "none", note="no call site to price")
        for f in result.findings
    ]
    return CostReport(sites, findings, _assumptions(usage, sites, catalog))


def price_site(
    site: PromptSite,
    findings: list[Finding],
    usage: SiteUsage,
    catalog: Any,
) -> SiteCost:
    cost = SiteCost(site, site.repo_address, usage)
    input_count = site.tokens.get("input")
    cost.token_source = input_count.source if input_count else None
    reason, info = _resolve_model(site, usage, catalog)
    cost.model = info.id if info is not None else _written_model(site, usage)
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
    fixes = [c.fix for c in cost.findings if c.fix is not None]
    try:
        cost.after = monthly_cost(*apply_fixes(work, base, fixes))
    except Unpriced:  # fixes that only price alone (a user catalog missing a cache price)
        cost.after = cost.now  # claim nothing rather than guess
    return cost


def _written_model(site: PromptSite, usage: SiteUsage) -> str | None:
    model = site.model
    if isinstance(model, str):
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
        return f"no prices for {info.id} in the model catalog", None
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
    parts = [site.args[name] for name in ("system", "tools", "messages") if name in site.args]
    return any(part is not UNKNOWN for part in parts) or not parts and not site.opaque_kwargs


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
    variable = any(has_variable_part(site.get(n)) for n in ("system", "tools", "messages"))
    prefix = float(min(prefix_count, input_count))
    rest = float(input_count - prefix) + (usage.new_tokens_per_turn if variable else 0)
    return Workload(prefix, rest, output, usage.calls_per_month, max_tokens=cap)


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
    return Plan(model, prefix_cache=ttl, history=history)


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


def apply_fixes(work: Workload, plan: Plan, fixes: Iterable[Fix]) -> tuple[Workload, Plan]:
    """The workload and plan with fixes applied together (a model switch rescales tokens)."""
    for fix in fixes:
        if fix.model is not None and fix.model is not plan.model:
            factor = tokenizer_factor(plan.model.new_tokenizer, fix.model.new_tokenizer)
            work = work.scaled(factor)
            plan = replace(plan, model=fix.model)
        if fix.prefix_cache is not None:
            plan = replace(plan, prefix_cache=fix.prefix_cache)
        if fix.history is not None:
            plan = replace(plan, history=fix.history)
    return work, plan


# ---------------------------------------------------------------------------- per rule


def price_finding(finding: Finding, work: Workload, plan: Plan, catalog: Any) -> FindingCost:
    """Dispatches on what the finding's fix changes (rule id, or its data)."""
    try:
        if finding.data.get("suggested_model"):
            return model_switch_saving(finding, work, plan, catalog)
        if finding.rule == "CL001":
            return worst_case(finding, work, plan)
        if finding.rule == "CL002":
            return caching_saving(finding, work, plan)
        if finding.rule == "CL003":
            return history_saving(finding, work, plan)
    except Unpriced as exc:
        return FindingCost(finding, "unpriced", note=str(exc))
    return FindingCost(finding, "none", note=f"no cost model for {finding.rule} yet")


def _saving(work: Workload, plan: Plan, fix: Fix) -> float:
    after_work, after_plan = apply_fixes(work, plan, [fix])
    return monthly_cost(work, plan) - monthly_cost(after_work, after_plan)


def caching_saving(finding: Finding, work: Workload, plan: Plan) -> FindingCost:
    """CL002: the better of a 5-minute and a 1-hour cache on the prefix, or no saving."""
    options = {}
    for ttl in ("5m", "1h"):
        options[ttl] = (
            _saving(work, plan, Fix(prefix_cache=ttl)),
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
    return FindingCost(finding, "saving", saving, note, detail, Fix(prefix_cache=ttl))


def history_saving(finding: Finding, work: Workload, plan: Plan) -> FindingCost:
    """CL003: a moving cache breakpoint (claimed) against a window (shown as an alternative)."""
    if not work.conversation:
        return FindingCost(finding, "none", note="not priced as a conversation")
    cached = _saving(work, plan, Fix(history="cached"))
    window = _saving(work, plan, Fix(history="window"))
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
    return FindingCost(finding, "saving", cached, note, detail, Fix(history="cached"))


def model_switch_saving(finding: Finding, work: Workload, plan: Plan, catalog: Any) -> FindingCost:
    """CL004, CL009 and any finding with ``suggested_model``: same work on another model."""
    target_id = str(finding.data["suggested_model"])
    target = catalog.resolve(target_id) if catalog is not None else None
    if target is None or target.prices is None:
        raise Unpriced(f"suggested model {target_id!r} has no prices in the catalog")
    factor = tokenizer_factor(plan.model.new_tokenizer, target.new_tokenizer)
    fix = Fix(model=target)
    saving = _saving(work, plan, fix)
    note = target.id
    if factor != 1.0:
        note += f" (tokenizer: x{factor:.3g} tokens)"
    detail = {"model": target.id, "tokenizer_factor": factor}
    return FindingCost(finding, "saving", saving, note, detail, fix)


def worst_case(finding: Finding, work: Workload, plan: Plan) -> FindingCost:
    """CL001: max_tokens x output price per call, now and with the suggested cap."""
    now_cap = work.max_tokens
    suggested = finding.data.get("suggested_max_tokens")
    if now_cap is None or not isinstance(suggested, int):
        return FindingCost(finding, "none", note="max_tokens not known")
    prices = plan.model.prices.for_prompt(work.prefix + work.rest)
    detail = {
        "max_tokens": now_cap,
        "suggested_max_tokens": suggested,
        "worst_case_now": usd(now_cap, prices.output),
        "worst_case_after": usd(suggested, prices.output),
    }
    note = (
        f"worst case {dollars(detail['worst_case_now'])}/call now, "
        f"{dollars(detail['worst_case_after'])}/call with max_tokens={suggested} "
        "(not a billed saving)"
    )
    return FindingCost(finding, "worst_case", None, note, detail)


def percent(share: float) -> str:
    """A share as a percentage that never rounds a near-certainty up to 100%."""
    if 0.995 <= share < 1:
        return ">99%"
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def dollars(amount: float) -> str:
    """Dollars for people: cents from $1 up ("$1,234.56"), more digits below ("$0.00115")."""
    if abs(amount) >= 1:
        return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"
    from .units import usd as fmt

    return fmt(amount)


# ---------------------------------------------------------------------------- assumptions


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
    )


def money(amount: float | None) -> str | None:
    """A decimal string for JSON/SARIF: up to 6 decimals, at least 2 ("12.50", "0.00115")."""
    if amount is None:
        return None
    text = f"{amount:.6f}".rstrip("0")
    whole, _, frac = text.partition(".")
    if whole in ("-0", "") and not frac.strip("0"):
        whole = "0"
    return f"{whole}.{frac.ljust(2, '0')}"
