"""The cost model: each formula of docs/cost-model.md against a hand-computed example."""

from __future__ import annotations

import math

import pytest
from helpers import scan

from costlint.catalog import load_catalog
from costlint.fixes import Fix, HistoryCache, ModelSwitch, OutputCap, PrefixCache
from costlint.price import money, price_run
from costlint.price.fixplans import (
    caching_saving,
    history_saving,
    model_switch_saving,
    price_finding,
    worst_case,
)
from costlint.price.formulas import (
    SECONDS_PER_MONTH,
    WINDOW_EXCHANGES,
    Plan,
    PlanChange,
    Workload,
    apply_changes,
    call_cost,
    conversation_cost,
    hit_rate,
    monthly_cost,
    tokenizer_factor,
)
from costlint.site import Finding
from costlint.usage import parse_usage

CATALOG = load_catalog()
SONNET = CATALOG.resolve("claude-sonnet-5-5")  # $2 / $10, write 2.5 / 4, read 0.10, min 512
OPUS = CATALOG.resolve("claude-opus-5-5")  # $4 / $20
HAIKU = CATALOG.resolve("claude-haiku-5-5")  # $0.10 / $0.50; over 100k prompt: $0.50 / $2.50
SONNET_46 = CATALOG.resolve("claude-sonnet-4-6")  # $3 / $15, old tokenizer


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


def finding(rule: str, remedy: Fix) -> Finding:
    return Finding(rule, "name", "warning", "app.py", 1, 1, "message", remedy=remedy)


def test_catalog_prices_the_examples_rely_on():
    assert (SONNET.prices.input, SONNET.prices.output) == (2.0, 10.0)
    assert (SONNET.prices.cache_write_5m, SONNET.prices.cache_write_1h) == (2.5, 4.0)
    assert SONNET.prices.cache_read == 0.1 and SONNET.min_cacheable == 512
    assert (OPUS.prices.input, OPUS.prices.output) == (4.0, 20.0)
    assert (HAIKU.prices.input, HAIKU.prices.output) == (0.1, 0.5)
    assert HAIKU.prices.long_prompt_threshold == 100_000
    assert (SONNET_46.prices.input, SONNET_46.new_tokenizer) == (3.0, False)


# ---------------------------------------------------------------------------- a single call


def test_single_call_cost():
    # 4,988 x $2 + 400 x $10 = 13,976 per MTok -> $0.013976 per call -> $139.76 a month
    work = Workload(prefix=4768, rest=220, output=400, calls=10_000)
    assert call_cost(work, Plan(SONNET)) == pytest.approx(0.013976)
    assert monthly_cost(work, Plan(SONNET)) == pytest.approx(139.76)


def test_haiku_long_prompt_tier_applies_to_every_token():
    over = Workload(prefix=120_000, rest=0, output=100, calls=1)
    # 120,000 x $0.50 + 100 x $2.50 = 60,250 per MTok
    assert call_cost(over, Plan(HAIKU)) == pytest.approx(0.06025)
    at = Workload(prefix=100_000, rest=0, output=100, calls=1)  # not *over* 100,000
    assert call_cost(at, Plan(HAIKU)) == pytest.approx(0.01005)


# ---------------------------------------------------------------------------- CL002


def test_hit_rate_poisson():
    assert SECONDS_PER_MONTH == 2_629_800
    rate = 10_000 / 2_629_800
    assert hit_rate(10_000, 300) == pytest.approx(1 - math.exp(-rate * 300))
    assert hit_rate(10_000, 300) == pytest.approx(0.68042, abs=1e-5)
    assert hit_rate(100, 300) == pytest.approx(0.011343, abs=1e-6)
    assert hit_rate(100, 3600) == pytest.approx(0.12793, abs=1e-5)
    assert hit_rate(0, 300) == 0


def test_caching_saving_picks_the_better_ttl():
    work = Workload(prefix=4768, rest=220, output=400, calls=10_000)
    cost = caching_saving(finding("CL002", PrefixCache(("system",))), work, Plan(SONNET))
    # 5m: p = 0.68042, price per prefix token 0.31958 x 2.5 + 0.68042 x 0.1 = 0.86699
    #     saving = 10,000 x 4,768 x (2 - 0.86699) / 1e6 = 54.02
    assert cost.detail["alternatives"]["5m"] == pytest.approx(54.02, abs=0.01)
    # 1h: p = 0.9999989 -> ~0.1000044 per token -> 47.68 x 1.8999956 = 90.59
    assert cost.detail["alternatives"]["1h"] == pytest.approx(90.59, abs=0.01)
    assert cost.detail["ttl"] == "1h" and cost.saving == pytest.approx(90.59, abs=0.01)
    assert cost.change == PlanChange(prefix_cache="1h")


def test_caching_at_moderate_volume_prefers_5_minutes():
    # 1,000 calls/month: p5 = 1 - exp(-0.11408) = 0.10781 -> below break-even (0.2174): 5m loses
    # 1h: p = 1 - exp(-1.36893) = 0.74559 -> 0.25441 x 4 + 0.74559 x 0.1 = 1.09220 per token
    work = Workload(prefix=10_000, rest=0, output=0, calls=1_000)
    cost = caching_saving(finding("CL002", PrefixCache(("system",))), work, Plan(SONNET))
    assert cost.detail["alternatives"]["5m"] < 0
    assert cost.detail["ttl"] == "1h"
    assert cost.saving == pytest.approx(1_000 * 10_000 * (2 - 1.09220) / 1e6, abs=0.01)


def test_no_saving_for_a_rarely_called_cached_prompt():
    # 100 calls/month: 1.1% hit within 5 minutes, 12.8% within an hour: writes cost more
    work = Workload(prefix=4768, rest=220, output=400, calls=100)
    cost = caching_saving(finding("CL002", PrefixCache(("system",))), work, Plan(SONNET))
    assert cost.kind == "saving" and cost.saving == 0.0
    assert cost.change is None  # the "after" cost keeps the prompt uncached
    assert cost.detail["alternatives"]["5m"] < 0 and cost.detail["alternatives"]["1h"] < 0
    assert "would cost more" in cost.note


def test_caching_break_even_is_where_the_formula_says():
    # 5m pays when P(hit) > (w - in) / (w - r): (2.5 - 2) / (2.5 - 0.1) = 0.20833 on Sonnet 5.5
    # (its read is 0.05x; at the usual 1.25x / 0.1x it is 0.25 / 1.15 = 0.21739)
    p = (2.5 - 2) / (2.5 - 0.1)
    calls = -math.log(1 - p) * SECONDS_PER_MONTH / 300
    below = Workload(prefix=10_000, rest=0, output=0, calls=calls * 0.99)
    above = Workload(prefix=10_000, rest=0, output=0, calls=calls * 1.01)
    plan = Plan(SONNET)
    saving_below = monthly_cost(below, plan) - monthly_cost(below, Plan(SONNET, "5m"))
    saving_above = monthly_cost(above, plan) - monthly_cost(above, Plan(SONNET, "5m"))
    assert saving_below < 0 < saving_above


# ---------------------------------------------------------------------------- CL003

CHAT = Workload(prefix=12, rest=0, output=400, calls=10_000, turns=10, new=200, conversation=True)


def test_history_resent_whole():
    # I(t) = 212 + 600 (t - 1); sum over 10 turns = 29,120; + 10 x 400 output
    # (29,120 x 2 + 4,000 x 10) / 1e6 = $0.09824 per conversation; 1,000 conversations
    assert conversation_cost(CHAT, Plan(SONNET)) == pytest.approx(0.09824)
    assert monthly_cost(CHAT, Plan(SONNET)) == pytest.approx(98.24)


def test_history_moving_breakpoint():
    # turn 1: 212 < 512 (min cacheable) -> 212 x 2; turn 2 writes 812 x 2.5;
    # turns 3..10 read I(t-1) (sum 23,296) x 0.1 and write 600 x 2.5 each; output 40,000
    expected = (212 * 2 + 812 * 2.5 + 23_296 * 0.1 + 8 * 600 * 2.5 + 40_000) / 1e6
    assert expected == pytest.approx(0.0567836)
    assert conversation_cost(CHAT, Plan(SONNET, history="cached")) == pytest.approx(expected)


def test_history_window():
    # J(t) = 212, 812, 1,412, 2,012, then 2,012 for turns 5..10: 16,520 input tokens
    assert WINDOW_EXCHANGES == 3
    expected = (16_520 * 2 + 40_000) / 1e6
    assert conversation_cost(CHAT, Plan(SONNET, history="window")) == pytest.approx(expected)


def test_history_saving_claims_the_breakpoint_and_shows_the_window():
    cost = history_saving(finding("CL003", HistoryCache("history")), CHAT, Plan(SONNET))
    assert cost.saving == pytest.approx(98.24 - 56.7836)
    assert cost.detail["window"] == pytest.approx(98.24 - 73.04)
    assert cost.detail["conversations_per_month"] == 1_000
    assert "window" in cost.note and cost.change == PlanChange(history="cached")


def test_history_grows_with_the_square_of_the_turns():
    def input_cost(turns: int) -> float:
        work = Workload(0, 0, 0, calls=turns, turns=turns, new=100, conversation=True)
        return conversation_cost(work, Plan(SONNET))

    # output 0, S 0: input = 100 T + 100 T(T-1)/2 = 50 T (T + 1) tokens
    for turns in (1, 2, 10, 50):
        assert input_cost(turns) == pytest.approx(50 * turns * (turns + 1) * 2 / 1e6)


def test_history_one_turn_conversations_claim_no_saving():
    one = Workload(prefix=2000, rest=0, output=100, calls=1000, turns=1, new=50, conversation=True)
    cost = history_saving(finding("CL003", HistoryCache("history")), one, Plan(SONNET))
    assert cost.saving == 0.0 and cost.change is None


def _brute_force(work: Workload, plan: Plan) -> float:
    """Turn by turn, the way the API bills it (the test oracle for the closed form)."""
    total = 0.0
    cached_until = 0.0  # prompt tokens covered by the cache entry written last turn
    minimum = plan.model.min_cacheable or 0
    for turn in range(1, work.turns + 1):
        full = work.prefix + work.new + (turn - 1) * (work.new + work.output)
        if plan.history == "window":
            full = work.prefix + work.new + min(turn - 1, WINDOW_EXCHANGES) * work.growth
        prices = plan.model.prices.for_prompt(full)
        if plan.history == "cached" and full >= minimum:
            read = cached_until
            total += read * prices.cache_read + (full - read) * prices.cache_write_5m
            cached_until = full
        else:
            total += full * prices.input
        total += work.output * prices.output
    return total / 1e6


@pytest.mark.parametrize("history", ["full", "cached", "window"])
@pytest.mark.parametrize(
    ("model", "prefix", "new", "output", "turns"),
    [
        (SONNET, 12, 200, 400, 10),
        (SONNET, 0, 50, 50, 40),  # several turns below the minimum cacheable length
        (SONNET, 3000, 0, 0, 7),  # no growth at all
        (HAIKU, 60_000, 2_000, 3_000, 25),  # crosses Haiku 5.5's 100k long-prompt threshold
        (HAIKU, 150_000, 10, 10, 5),  # over the threshold from turn 1
        (OPUS, 100, 333, 777, 1),
    ],
)
def test_closed_form_matches_turn_by_turn(history, model, prefix, new, output, turns):
    work = Workload(prefix, 0, output, calls=turns, turns=turns, new=new, conversation=True)
    plan = Plan(model, history=history)
    assert conversation_cost(work, plan) == pytest.approx(_brute_force(work, plan), rel=1e-9)


# ---------------------------------------------------------------------------- CL004 / CL009


def test_model_switch_same_tokenizer():
    # (239 x 4 + 10 x 20) x 10,000 / 1e6 = 11.56 -> (239 x 0.1 + 10 x 0.5) x 0.01 = 0.289
    work = Workload(prefix=0, rest=239, output=10, calls=10_000, max_tokens=10)
    cost = model_switch_saving(
        finding("CL004", ModelSwitch("claude-haiku-5-5")), work, Plan(OPUS), CATALOG
    )
    assert monthly_cost(work, Plan(OPUS)) == pytest.approx(11.56)
    assert cost.saving == pytest.approx(11.56 - 0.289)
    assert cost.detail["tokenizer_factor"] == 1.0


def test_model_switch_adjusts_for_the_tokenizer():
    assert tokenizer_factor(False, True) == 1.3
    assert tokenizer_factor(True, False) == pytest.approx(1 / 1.3)
    assert tokenizer_factor(True, True) == 1.0
    # Sonnet 4.6 -> 5.5: 1,000 in / 100 out become 1,300 / 130 tokens
    # 1,000 x 3 + 100 x 15 = 4,500 -> 1,300 x 2 + 130 x 10 = 3,900 (per MTok)
    work = Workload(prefix=0, rest=1000, output=100, calls=1)
    cost = model_switch_saving(
        finding("CL009", ModelSwitch("claude-sonnet-5-5")), work, Plan(SONNET_46), CATALOG
    )
    assert cost.saving == pytest.approx(0.0045 - 0.0039)
    assert cost.detail["tokenizer_factor"] == 1.3
    back, _ = apply_changes(Workload(0, 1300, 130, 1), Plan(SONNET), [PlanChange(model=SONNET_46)])
    assert (back.rest, back.output) == pytest.approx((1000, 100))


def test_model_switch_keeps_output_under_max_tokens():
    work = Workload(prefix=0, rest=100, output=10, calls=1, max_tokens=10)
    scaled, _ = apply_changes(work, Plan(SONNET_46), [PlanChange(model=SONNET)])
    assert scaled.output == 10 and scaled.rest == pytest.approx(130)


def test_model_switch_to_an_unknown_model_is_unpriced():
    cost = price_finding(
        finding("CL009", ModelSwitch("claude-nope-9")),
        Workload(0, 10, 1, 1),
        Plan(SONNET),
        CATALOG,
    )
    assert cost.kind == "unpriced" and cost.saving is None


# ---------------------------------------------------------------------------- CL001


def test_worst_case_per_call():
    work = Workload(prefix=0, rest=255, output=400, calls=10_000, max_tokens=64_000)
    cost = worst_case(finding("CL001", OutputCap(2304, max_tokens=64_000)), work, Plan(HAIKU))
    assert cost.kind == "worst_case" and cost.saving is None and cost.change is None
    assert cost.detail["worst_case_now"] == pytest.approx(0.032)  # 64,000 x $0.50 / 1e6
    assert cost.detail["worst_case_after"] == pytest.approx(0.001152)  # 2,304 x $0.50 / 1e6


CL001_CODE = """
import anthropic
client = anthropic.Anthropic()

def is_spam(text):
    return client.messages.create(
        model="claude-haiku-5-5",
        max_tokens=64000,
        system="Answer yes or no: is this message spam?",
        messages=[{"role": "user", "content": text}],
    )
"""


def test_worst_case_is_never_in_the_totals(tmp_path):
    result = scan(tmp_path, {"app.py": CL001_CODE}, select=["CL001"])
    assert [f.rule for f in result.findings] == ["CL001"]
    report = price_run(result)
    [site] = report.sites
    assert site.now is not None and site.after == site.now
    assert report.total_saving == 0
    assert report.findings[0].kind == "worst_case"


# ---------------------------------------------------------------------------- whole runs

CHAT_CODE = """
import anthropic

class Chat:
    def __init__(self, model="claude-sonnet-5-5"):
        self.client = anthropic.Anthropic()
        self.model = model
        self.history = []

    def send(self, text):
        self.history.append({"role": "user", "content": text})
        reply = self.client.messages.create(model=self.model, max_tokens=2048,
            system="You are terse.", messages=self.history)
        self.history.append({"role": "assistant", "content": reply.content[0].text})
        return reply
"""

UNKNOWN_MODEL = """
import anthropic
client = anthropic.Anthropic()

def ask(q):
    return client.messages.create(model="claude-opus-9-9", max_tokens=100,
        messages=[{"role": "user", "content": q}])
"""

UNRESOLVED_PROMPT = """
import anthropic
from somewhere import build
client = anthropic.Anthropic()

def ask(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=100, messages=build(q))
"""

CACHED = """
import anthropic
client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150

def answer(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=300,
        system=[{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": q}])
"""


def test_unknown_model_is_listed_as_unpriced_never_zero(tmp_path):
    report = price_run(scan(tmp_path, {"app.py": UNKNOWN_MODEL}))
    [site] = report.sites
    assert site.unpriced and "claude-opus-9-9" in site.unpriced
    assert site.now is None and site.after is None and site.saving is None
    assert report.unpriced == [site] and report.priced == []
    assert all(c.kind == "unpriced" and c.saving is None for c in site.findings)


def test_unresolved_prompt_is_unpriced(tmp_path):
    report = price_run(scan(tmp_path, {"app.py": UNRESOLVED_PROMPT}))
    [site] = report.sites
    assert site.unpriced == "prompt not resolved statically"


def test_unresolved_model_priced_from_the_usage_file(tmp_path):
    result = scan(tmp_path, {"chat.py": CHAT_CODE})
    assert "CL003" in [f.rule for f in result.findings]
    assert price_run(result).sites[0].unpriced.startswith("model not resolved")
    usage = parse_usage(
        {"call_sites": {"chat.py::Chat.send": {"model": "claude-sonnet-5-5"}}}, tmp_path / "u"
    )
    report = price_run(result, usage)
    [site] = report.sites
    assert site.model == "claude-sonnet-5-5" and site.conversation
    [cl003] = [c for c in site.findings if c.finding.rule == "CL003"]
    assert cl003.saving > 0 and site.after < site.now


def test_existing_cache_control_is_priced_as_cached(tmp_path):
    report = price_run(scan(tmp_path, {"app.py": CACHED}))
    [site] = report.sites
    assert not site.findings
    work_now = site.now
    uncached = Workload(site.site.tokens["prefix"].count, 0, 300, 10_000)
    assert work_now < monthly_cost(uncached, Plan(SONNET))


def test_site_after_applies_fixes_together():
    work = Workload(prefix=5000, rest=100, output=50, calls=10_000)
    base = Plan(OPUS)
    both_work, both_plan = apply_changes(
        work, base, [PlanChange(model=HAIKU), PlanChange(prefix_cache="1h")]
    )
    both = monthly_cost(both_work, both_plan)
    alone = [
        monthly_cost(work, base) - monthly_cost(*apply_changes(work, base, [fix]))
        for fix in (PlanChange(model=HAIKU), PlanChange(prefix_cache="1h"))
    ]
    together = monthly_cost(work, base) - both
    assert together < sum(alone)  # overlapping savings are not counted twice
    assert together > max(alone)


def test_money_strings():
    assert money(12.5) == "12.50"
    assert money(0.001152) == "0.001152"
    assert money(0.0011525) == "0.001152" or money(0.0011525) == "0.001153"
    assert money(1234) == "1234.00"
    assert money(0) == "0.00"
    assert money(-1e-9) == "0.00"
    assert money(-3.25) == "-3.25"
    assert money(None) is None


LOOP = """
import anthropic
client = anthropic.Anthropic()

def chat():
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=1024,
                                       messages=history)
        history.append({"role": "assistant", "content": reply.content})
"""


def test_conversation_with_nothing_but_history_is_priced(tmp_path):
    report = price_run(scan(tmp_path, {"app.py": LOOP}, select=["CL003"]))
    [site] = report.sites
    assert site.unpriced is None and site.conversation
    # S = 0, u = 200, o = 400, g = 600, T = 10, 1,000 conversations on Sonnet 5.5
    # re-sent: I(t) = 200 + 600 (t - 1), sum 29,000 x 2 + 40,000 = 98,000 -> $98.00 a month
    assert site.now == pytest.approx(98.0)
    # breakpoint: 200 x 2 + 800 x 2.5 + 23,200 x 0.1 + 8 x 600 x 2.5 + 40,000 = 56,720
    [cl003] = site.findings
    assert cl003.saving == pytest.approx(98.0 - 56.72)
    assert site.after == pytest.approx(56.72)
