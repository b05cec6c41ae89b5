"""The cost model's formulas: tokens x price x volume, per call and per conversation.

Every formula is written down in docs/cost-model.md and checked against hand-computed
examples in tests/test_savings.py. Catalog prices are USD per million tokens (MTok), so a
cost is ``tokens x price / 1e6`` (``usd``, the same function checks use: fixes.token_cost).

A site is priced as a :class:`Workload` (what it sends, in tokens) under a :class:`Plan`
(which model, which caching). A fix is a :class:`PlanChange`; ``apply_changes`` applies
several together.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from ..fixes import MTOK, token_cost

usd = token_cost  # the one "tokens at a price" formula, shared with the checks

SECONDS_PER_MONTH = 365.25 / 12 * 86_400  # 2,629,800 s: an average month
TTL_SECONDS = {"5m": 300, "1h": 3600}
NEW_TOKENIZER_FACTOR = 1.3  # Claude 4.7+ tokenizer: ~30% more tokens for the same text
WINDOW_EXCHANGES = 3  # the window the resent-history fix suggests: about history[-6:]


def replace(record: Any, /, **changes: Any) -> Any:
    """A copy of ``record`` with ``changes``: ``Workload``, ``Plan`` and ``PlanChange`` are
    NamedTuples (a frozen dataclass costs ~3 M instructions to build at import, and none of
    them uses a dataclass feature); a dataclass (``FindingCost``) goes to dataclasses.replace."""
    if isinstance(record, tuple):
        return record._replace(**changes)
    return dataclasses.replace(record, **changes)


class Unpriced(Exception):
    """Something the model needs is unknown (a price, a model); never priced as $0."""


# ---------------------------------------------------------------------------- formulas


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


class Workload(NamedTuple):
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


class Plan(NamedTuple):
    """How the request is sent: model, prefix caching (None, "5m", "1h"), history handling."""

    model: Any  # catalog.ModelInfo with prices
    prefix_cache: str | None = None
    history: str = "full"  # full | cached (moving breakpoint) | window
    # Per-call content sits inside the cached prefix: every call writes it, none reads it.
    cache_broken: bool = False
    batch: bool = False  # sent through the Message Batches API (catalog batch_discount off)


def monthly_cost(work: Workload, plan: Plan) -> float:
    """USD per month."""
    if work.conversation:
        conversations = work.calls / max(work.turns, 1)
        cost = conversations * conversation_cost(work, plan)
    else:
        cost = work.calls * call_cost(work, plan)
    return cost * (1.0 - _batch_discount(plan)) if plan.batch else cost


def _batch_discount(plan: Plan) -> float:
    """The Batches discount on input and output (and so on cache writes and reads)."""
    discount = getattr(plan.model.prices, "batch_discount", None)
    if discount is None:
        raise Unpriced("the catalog has no batch discount for this model")
    return float(discount)


def _min_cacheable(plan: Plan) -> float:
    return float(getattr(plan.model, "min_cacheable", None) or 0)


def _prefix_price(work: Workload, plan: Plan, prices: Any) -> float:
    """Price per prefix token: input, or the cached average when the prefix is cached."""
    if plan.prefix_cache is None or work.prefix < _min_cacheable(plan):
        return prices.input
    if plan.cache_broken:
        write = write_price(prices, plan.prefix_cache)
        if write is None:
            raise Unpriced("the catalog has no cache prices for this model")
        return write  # every call writes a new entry; none is ever read
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


class PlanChange(NamedTuple):
    """A change a finding's fix makes to the plan (a model, prefix caching, history)."""

    model: Any = None
    prefix_cache: str | None = None
    history: str | None = None
    cache_broken: bool | None = None
    batch: bool | None = None
    # A stable block moved in front of the per-call text: the prefix grows to this many tokens
    # (of the current model's tokenizer) and the rest shrinks by as many.
    moved_prefix: float | None = None


def apply_changes(
    work: Workload, plan: Plan, changes: Iterable[PlanChange]
) -> tuple[Workload, Plan]:
    """The workload and plan with changes applied together (a model switch rescales tokens;
    a moved block is counted first, in the current model's tokens)."""
    changes = list(changes)
    for fix in changes:
        if fix.moved_prefix is not None and fix.moved_prefix > work.prefix:
            moved = min(fix.moved_prefix - work.prefix, work.rest)
            work = replace(work, prefix=work.prefix + moved, rest=work.rest - moved)
    for fix in changes:
        if fix.model is not None and fix.model is not plan.model:
            factor = tokenizer_factor(plan.model.new_tokenizer, fix.model.new_tokenizer)
            work = work.scaled(factor)
            plan = replace(plan, model=fix.model)
        if fix.prefix_cache is not None:
            plan = replace(plan, prefix_cache=fix.prefix_cache)
        if fix.history is not None:
            plan = replace(plan, history=fix.history)
        if fix.cache_broken is not None:
            plan = replace(plan, cache_broken=fix.cache_broken)
        if fix.batch is not None:
            plan = replace(plan, batch=fix.batch)
    return work, plan
