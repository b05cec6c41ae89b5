"""Pricing a typed fix: a hand-built finding in, a price out (no extraction, no rule ids)."""

from __future__ import annotations

import pytest

from costlint.catalog import load_catalog
from costlint.fixes import (
    FIX_KINDS,
    Batch,
    Fix,
    HistoryCache,
    ModelSwitch,
    MoveVolatile,
    NoCostModel,
    OutputCap,
    PrefixCache,
)
from costlint.price import FindingCost, price_site
from costlint.price.fixplans import PRICERS
from costlint.price.formulas import PlanChange
from costlint.site import UNKNOWN, Finding, HistoryInfo, PromptSite, Span, TokenCount
from costlint.usage import default_usage

CATALOG = load_catalog()
SONNET = CATALOG.resolve("claude-sonnet-5-5")  # $2 / $10, write 2.5 / 4, read 0.10, min 512
HAIKU = CATALOG.resolve("claude-haiku-5-5")  # $0.10 / $0.50
# A single call: 4,768 prefix + 220 other input tokens, 400 output (the default), 10,000 calls
# a month (the default): $139.76 a month on Sonnet 5.5 (see test_savings.py).
NOW = 139.76


def _call_site() -> PromptSite:
    return PromptSite(
        "app.py",
        Span(3, 1),
        "messages.create",
        args={"model": "claude-sonnet-5-5", "max_tokens": 64_000, "system": "s", "messages": []},
        repeated=True,
        tokens={"input": TokenCount(4988, "api"), "prefix": TokenCount(4768, "api")},
    )


def _chat_site() -> PromptSite:
    """A conversation re-sent whole: S = 12 tokens shown, 10 turns of 200 new + 400 output."""
    return PromptSite(
        "chat.py",
        Span(9, 5),
        "messages.create",
        args={"model": "claude-sonnet-5-5", "max_tokens": 1024, "messages": UNKNOWN},
        history=HistoryInfo(growing=True, whole=True, variable="history"),
        tokens={"input": TokenCount(30, "api"), "prefix": TokenCount(12, "api")},
    )


def _price(site: PromptSite, remedy: Fix, rule: str = "CL999") -> tuple[FindingCost, float]:
    """The finding's cost and the site's saving, with a rule id no code knows."""
    finding = Finding(rule, "made-up", "warning", site.path, 1, 1, "m", site=site, remedy=remedy)
    usage = default_usage().for_site(site)
    site_cost = price_site(site, [finding], usage, CATALOG)
    [cost] = site_cost.findings
    assert cost.finding is finding
    return cost, site_cost.saving or 0.0


def test_the_sites_cost_what_test_savings_computes_by_hand():
    finding_cost, _ = _price(_call_site(), NoCostModel())
    site = price_site(_call_site(), [], default_usage().for_site(_call_site()), CATALOG)
    assert site.now == pytest.approx(NOW) and finding_cost.kind == "none"


def test_model_switch_prices_the_same_work_on_the_suggested_model():
    cost, saving = _price(_call_site(), ModelSwitch("claude-haiku-5-5", task="classification"))
    # (4,988 x 0.10 + 400 x 0.50) x 10,000 / 1e6 = $6.988 a month on Haiku 5.5
    assert cost.kind == "saving" and cost.saving == pytest.approx(NOW - 6.988)
    assert cost.change == PlanChange(model=HAIKU) and cost.detail["tokenizer_factor"] == 1.0
    assert saving == pytest.approx(cost.saving)


def test_model_switch_to_an_unknown_model_is_unpriced():
    cost, saving = _price(_call_site(), ModelSwitch("claude-nope-9"))
    assert cost.kind == "unpriced" and "claude-nope-9" in cost.note and saving == 0


def test_prefix_cache_prices_the_better_ttl():
    cost, saving = _price(_call_site(), PrefixCache(("system",)))
    assert cost.kind == "saving" and cost.detail["ttl"] == "1h"
    assert cost.saving == pytest.approx(90.59, abs=0.01)  # see test_savings.py
    assert cost.change == PlanChange(prefix_cache="1h") and saving == pytest.approx(cost.saving)


def test_history_cache_prices_a_moving_breakpoint():
    cost, saving = _price(_chat_site(), HistoryCache("history"))
    # $98.24 re-sent whole, $56.7836 with a moving breakpoint (see test_savings.py)
    assert cost.kind == "saving" and cost.saving == pytest.approx(98.24 - 56.7836)
    assert cost.change == PlanChange(history="cached") and saving == pytest.approx(cost.saving)


def test_history_cache_on_a_single_call_is_not_a_conversation():
    cost, _ = _price(_call_site(), HistoryCache())
    assert cost.kind == "none" and cost.note == "not priced as a conversation"


def test_output_cap_is_a_worst_case_per_call_not_a_saving():
    cost, saving = _price(_call_site(), OutputCap(64, max_tokens=64_000, answer="a label"))
    assert cost.kind == "worst_case" and cost.saving is None and cost.change is None
    assert cost.detail["worst_case_now"] == pytest.approx(0.64)  # 64,000 x $10 / 1e6
    assert cost.detail["worst_case_after"] == pytest.approx(0.00064)  # 64 x $10 / 1e6
    assert saving == 0  # never in the totals


def test_kinds_without_a_cost_model_are_listed_not_priced():
    cost, saving = _price(_call_site(), NoCostModel(), rule="CL042")
    assert cost.kind == "none" and cost.note == "no cost model for CL042 yet" and saving == 0


def test_moving_a_volatile_part_is_not_priced_where_the_cache_is_not_broken():
    cost, saving = _price(_call_site(), MoveVolatile(("date",)), rule="CL006")
    assert cost.kind == "none" and saving == 0


@pytest.mark.parametrize(
    "remedy", [ModelSwitch("claude-haiku-5-5"), PrefixCache(), HistoryCache(), Batch()]
)
def test_the_price_depends_on_the_fix_not_the_rule(remedy):
    site = _chat_site() if isinstance(remedy, HistoryCache) else _call_site()
    first, _ = _price(site, remedy, rule="CL002")
    second, _ = _price(site, remedy, rule="CL777")
    assert (first.kind, first.saving, first.detail) == (second.kind, second.saving, second.detail)


def test_every_priced_kind_is_a_registered_kind():
    assert set(PRICERS) <= set(FIX_KINDS)
    assert set(PRICERS) == {
        "model-switch",
        "prefix-cache",
        "history-cache",
        "output-cap",
        "batch",
        "move-volatile-after-breakpoint",
        "remove-parameters",  # a "none" with why: the call works on the older API version
    }
