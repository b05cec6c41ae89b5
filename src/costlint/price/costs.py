"""What pricing returns: a cost per finding, per call site, and for the run, with the
assumptions behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..site import Finding, Origin, PromptSite
from ..usage import SiteUsage
from .formulas import SECONDS_PER_MONTH, PlanChange

OVERLAP_CENT = 0.005  # savings that differ by less than half a cent print the same

TOKEN_SOURCES = {"estimate": "offline estimate", "api": "API count", "cache": "API count (cached)"}
ARRIVALS = (
    "calls arrive as a Poisson process at calls_per_month / seconds per month "
    "(365.25/12 days); a call finds a warm cache when the previous call came within the TTL: "
    "P(hit) = 1 - exp(-rate x TTL)"
)


@dataclass
class FindingCost:
    """What one finding is worth.

    ``kind``: "saving" (a billed saving per month in ``saving``; 0 = no saving), "worst_case"
    (an output cap: per-call worst case in ``detail``, never a saving), "unpriced" (``note`` says
    why), or "none" (no cost model for this rule).
    """

    finding: Finding
    kind: str
    saving: float | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    change: PlanChange | None = None  # what the fix changes in the plan, when priced
    calls_per_month: float | None = None  # the site's volume, for "(at N calls/month)"
    calls_default: bool = False  # that volume is a default, not set for this site
    in_plan: bool = True  # False: another fix of the same parameter is in the site's plan

    @property
    def billed(self) -> bool:
        return self.kind == "saving" and self.saving is not None


class CallerCost(NamedTuple):
    """One caller's share of a site whose prompt its callers bring: where the caller is,
    the input tokens its prompt makes, and what one call costs with it."""

    origin: Origin | None
    input_tokens: float
    per_call: float


@dataclass
class SiteCost:
    site: PromptSite
    address: str  # root-relative, as the usage file keys it
    usage: SiteUsage
    model: str | None = None
    model_written: str | None = None  # as the source (or the usage file) writes it
    token_source: str | None = None
    input_tokens: float | None = None  # per call, or at turn 1 of a conversation
    output_tokens: float | None = None
    conversation: bool = False
    growth: float = 0.0  # tokens the history grows per turn (conversations)
    now: float | None = None
    after: float | None = None
    unpriced: str | None = None
    failing: str | None = None  # why the call fails today (a retired model): not spend
    one_shot: str | None = None  # why it runs once per run (notebook top level, a script)
    per_run: float | None = None  # USD per run of a one-shot call without a monthly volume
    fix: str | None = None  # for a failing call: what makes it work again
    findings: list[FindingCost] = field(default_factory=list)
    # A prompt its function's callers bring: each priced caller, and how many callers'
    # prompts could not be read (then the figures rest on the callers priced).
    callers: list[CallerCost] = field(default_factory=list)
    callers_unresolved: int = 0

    @property
    def per_call_range(self) -> tuple[float, float] | None:
        """The cheapest and dearest caller's cost per call (priced per caller only)."""
        if not self.callers:
            return None
        costs = [caller.per_call for caller in self.callers]
        return min(costs), max(costs)

    @property
    def saving(self) -> float | None:
        if self.now is None or self.after is None:
            return None
        return self.now - self.after

    @property
    def savings_alone(self) -> float:
        """The site's findings' billed savings, each alone, added up."""
        return sum(c.saving or 0.0 for c in self.findings if c.billed and (c.saving or 0) > 0)

    @property
    def overlap(self) -> bool:
        """Whether the findings' savings alone add up to more or less than the joint saving
        (fixes that overlap, or a model switch the plan does not take): then the site's
        joint saving, not the sum, is what the totals count."""
        alone = [c for c in self.findings if c.billed and (c.saving or 0) > 0]
        joint = self.saving
        if len(alone) < 2 or joint is None:
            return False
        return abs(self.savings_alone - joint) >= OVERLAP_CENT

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
    caller_priced_sites: int = 0  # sites priced per caller (their prompt comes from callers)

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
        if self.caller_priced_sites:
            lines.append(
                f"prompts from callers: {self.caller_priced_sites} call site(s) send a prompt "
                "their function's callers bring; each caller's prompt is priced on its own, "
                "and the monthly figure assumes the site's calls split evenly across those "
                "callers (the mean cost per call)"
            )
        return lines


@dataclass
class CostReport:
    sites: list[SiteCost]
    findings: list[FindingCost]
    assumptions: Assumptions

    @property
    def priced(self) -> list[SiteCost]:
        """Sites in the monthly totals: priced, not failing, with a monthly volume."""
        return [
            s for s in self.sites if s.unpriced is None and s.failing is None and s.per_run is None
        ]

    @property
    def per_run(self) -> list[SiteCost]:
        """One-shot calls priced per run: left out of the monthly totals."""
        return [s for s in self.sites if s.per_run is not None]

    @property
    def unpriced(self) -> list[SiteCost]:
        return [s for s in self.sites if s.unpriced is not None and s.failing is None]

    @property
    def failing(self) -> list[SiteCost]:
        """Calls the API rejects today: listed with their fix, never counted as spend."""
        return [s for s in self.sites if s.failing is not None]

    @property
    def total_now(self) -> float:
        return sum(s.now or 0.0 for s in self.priced)

    @property
    def total_after(self) -> float:
        return sum(s.after or 0.0 for s in self.priced)

    @property
    def total_saving(self) -> float:
        return self.total_now - self.total_after

    _index: dict[int, FindingCost] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _indexed: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)

    def for_finding(self, finding: Finding) -> FindingCost | None:
        """The cost of this very finding (by identity), from an index built on first use
        (rebuilt if ``findings`` is replaced or grows)."""
        index = self._index
        state = (id(self.findings), len(self.findings))
        if index is None or self._indexed != state:
            index = {}
            for cost in reversed(self.findings):
                index[id(cost.finding)] = cost  # the first cost of a finding wins
            self._index, self._indexed = index, state
        cost = index.get(id(finding))
        return cost if cost is not None and cost.finding is finding else None
