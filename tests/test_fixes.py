"""Typed fixes: the registry, building a fix from a site, and the cache's JSON form."""

from __future__ import annotations

import ast
import json
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from costlint.fixes import (
    FIX_KINDS,
    Batch,
    FixError,
    HistoryCache,
    ModelSwitch,
    MoveVolatile,
    NoCostModel,
    OutputCap,
    OutputLimit,
    PrefixCache,
    RemoveParameters,
    StreamOrTimeout,
    fix_from_json,
    token_cost,
)
from costlint.site import Finding, HistoryInfo, PromptSite, Span

SRC = Path(__file__).resolve().parents[1] / "src" / "costlint"
EXAMPLES = [
    ModelSwitch("claude-haiku-5-5", task="classification", price_ratio=40.0),
    PrefixCache(("system", "tools")),
    HistoryCache("self.history"),
    OutputCap(64, max_tokens=64_000, answer="a yes/no answer"),
    Batch(),
    MoveVolatile(("today",)),
    RemoveParameters(("temperature", "top_p")),
    StreamOrTimeout(1800),
    OutputLimit(64_000),
    NoCostModel(),
]


def _site(**args) -> PromptSite:
    return PromptSite("app.py", Span(3, 1), "messages.create", args=args)


def test_registry_names_every_kind_once():
    assert sorted(FIX_KINDS) == sorted(
        [
            "model-switch",
            "prefix-cache",
            "history-cache",
            "output-cap",
            "batch",
            "move-volatile-after-breakpoint",
            "remove-parameters",
            "stream-or-timeout",
            "output-limit",
            "none",
        ]
    )
    assert {type(fix) for fix in EXAMPLES} == set(FIX_KINDS.values())
    for kind, cls in FIX_KINDS.items():
        assert cls.kind == kind


@pytest.mark.parametrize("fix", EXAMPLES, ids=lambda fix: fix.kind)
def test_every_fix_round_trips_through_json(fix):
    text = json.dumps(fix.to_json())
    assert json.loads(text)["kind"] == fix.kind
    assert fix_from_json(json.loads(text)) == fix


def test_fixes_are_frozen():
    with pytest.raises(FrozenInstanceError):
        EXAMPLES[0].suggested_model = "other"  # type: ignore[misc]


def test_a_finding_without_a_fix_carries_no_cost_model():
    finding = Finding("CL010", "unknown-model", "warning", "app.py", 1, 1, "message")
    assert finding.remedy == NoCostModel() and finding.remedy.kind == "none"


def test_from_site_takes_params_then_the_site_then_defaults():
    site = _site(max_tokens=8000)
    assert OutputCap.from_site(site, {"suggested_max_tokens": 64}) == OutputCap(64, 8000, "")
    given = OutputCap.from_site(site, {"suggested_max_tokens": 64, "max_tokens": 100})
    assert given.max_tokens == 100
    assert ModelSwitch.from_site(site, {"suggested_model": "m"}) == ModelSwitch("m")
    site.history = HistoryInfo(growing=True, whole=True, variable="chat")
    assert HistoryCache.from_site(site) == HistoryCache("chat")
    assert HistoryCache.from_site(_site()) == HistoryCache("messages")


@pytest.mark.parametrize(
    "cls",
    [PrefixCache, HistoryCache, Batch, MoveVolatile, StreamOrTimeout, OutputLimit, NoCostModel],
)
def test_kinds_without_required_evidence_build_from_a_site_alone(cls):
    fix = cls.from_site(_site(), {})
    assert isinstance(fix, cls) and fix == cls()


@pytest.mark.parametrize(
    ("cls", "params"),
    [
        (OutputCap, {}),  # the suggested cap is required
        (ModelSwitch, {}),  # so is the suggested model
        (OutputCap, {"suggested_max_tokens": "64"}),
        (ModelSwitch, {"suggested_model": "m", "price_ratio": "40x"}),
    ],
)
def test_from_site_refuses_missing_or_mistyped_evidence(cls, params):
    with pytest.raises(FixError, match=cls.kind):
        cls.from_site(_site(), params)


def test_from_site_ignores_params_that_are_not_evidence():
    # a rule's other parameters (thresholds) sit beside the fix's evidence
    assert PrefixCache.from_site(_site(), {"min_tokens": 1024}) == PrefixCache()


def test_worst_case_is_tokens_at_the_output_price():
    cap = OutputCap(2304, max_tokens=64_000)
    now, after = cap.worst_case(0.5)
    assert now == pytest.approx(0.032) and after == pytest.approx(0.001152)
    assert (now, after) == (token_cost(64_000, 0.5), token_cost(2304, 0.5))
    assert cap.worst_case(0.5, max_tokens=1000)[0] == pytest.approx(0.0005)
    with pytest.raises(FixError):
        OutputCap(64).worst_case(0.5)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_fixes_is_foundation_and_checks_do_no_dollar_arithmetic():
    # site.py imports fixes.py (a Finding carries a Fix): fixes.py imports no costlint module
    assert {name for name in _imports(SRC / "fixes.py") if name.startswith(".")} == set()
    for check in (SRC / "checks").glob("*.py"):
        assert "1_000_000" not in check.read_text(), check.name
        assert not {n for n in _imports(check) if "price" in n}, check.name
