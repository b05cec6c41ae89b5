"""The when: grammar: three-valued evaluation over typed site fields, and safe templates."""

from __future__ import annotations

import pytest

from costlint.catalog import load_catalog
from costlint.conditions import (
    FIELDS,
    MAX_DEPTH,
    SiteView,
    evaluate,
    parse_condition,
    parse_template,
)
from costlint.ruleschema import RuleError
from costlint.site import UNKNOWN, PromptSite, Span, TokenCount


def site(**args) -> PromptSite:
    s = PromptSite(path="a.py", span=Span(3, 5), kind="messages.create", args=args)
    s.tokens["input"] = TokenCount(1500, "estimate")
    return s


def view(s: PromptSite) -> SiteView:
    model = s.get("model")
    return SiteView(s, load_catalog().resolve(model) if isinstance(model, str) else None)


def holds(when, s, params=None):
    return evaluate(parse_condition(when, "r.yaml", params or {}), view(s), params or {})


OPUS = site(model="claude-opus-5-5", max_tokens=8000, system="Answer in JSON.")


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({"field": "model.tier", "equals": "top"}, True),
        ({"field": "model.family", "in": ["haiku", "sonnet"]}, False),
        ({"field": "model.status", "not_in": ["retired"]}, True),
        ({"field": "max_tokens", "gt": 4096}, True),
        ({"field": "max_tokens", "lte": 4096}, False),
        ({"field": "system", "contains": "JSON"}, True),
        ({"field": "model", "startswith": "claude-opus"}, True),
        ({"field": "system_chars", "equals": 15}, True),
        ({"field": "prompt_tokens", "gte": 1500}, True),
        ({"field": "has_tools", "equals": False}, True),
        ({"field": "stream", "equals": True}, False),
        ({"any": [{"field": "stream", "equals": True}, {"field": "max_tokens", "gt": 1}]}, True),
        ({"not": {"field": "model.tier", "equals": "top"}}, False),
    ],
)
def test_leaves_and_combinators(when, expected):
    assert holds(when, OPUS) is expected


def test_unknown_values_never_satisfy_a_condition():
    unresolved = site(model=UNKNOWN, max_tokens=UNKNOWN)
    tier = {"field": "model.tier", "equals": "top"}
    assert holds(tier, unresolved) is None
    assert holds({"not": tier}, unresolved) is None  # not of unknown stays unknown
    assert (
        holds({"all": [tier, {"field": "kind", "equals": "messages.create"}]}, unresolved) is None
    )
    assert holds({"all": [tier, {"field": "kind", "equals": "x"}]}, unresolved) is False
    assert holds({"any": [tier, {"field": "kind", "equals": "messages.create"}]}, unresolved)
    assert holds({"field": "max_tokens", "exists": False}, unresolved) is True
    assert holds({"field": "prefix_tokens", "exists": True}, unresolved) is False  # not counted


def test_a_bool_never_equals_a_number():
    assert holds({"field": "max_tokens", "equals": 1}, site(max_tokens=True)) is None


def test_params_are_read_at_evaluation_time():
    when = {"field": "max_tokens", "gt": {"param": "cap"}}
    assert holds(when, OPUS, {"cap": 9000}) is False
    assert holds(when, OPUS, {"cap": 100}) is True


@pytest.mark.parametrize(
    ("when", "error"),
    [
        ({"field": "max_tokens", "regex": ".*"}, "'when.regex' is not an op"),
        ({"field": "nope", "equals": 1}, "'when.field' 'nope' is not a site field"),
        ({"field": "max_tokens", "gt": 1, "lt": 9}, "needs exactly one op"),
        ({"field": "model", "gt": 3}, "'when.gt' does not apply to str field model"),
        ({"field": "model", "contains": "x" * 201}, "at most 200 characters"),
        ({"field": "model", "in": []}, "'when.in' must be a list of 1 to 100 values"),
        ({"every": []}, "expected one of all, any, not"),
        ({"all": []}, "'when.all' must be a non-empty list"),
        ({"all": [{"field": "stream", "exists": "yes"}]}, "'when.all[0].exists' must be true"),
        ([], "'when' must be a mapping"),
    ],
)
def test_grammar_errors_name_the_file_and_key(when, error):
    with pytest.raises(RuleError) as info:
        parse_condition(when, "r.yaml", {})
    assert str(info.value).startswith("r.yaml: ") and error in str(info.value)


def test_depth_is_bounded():
    when: dict = {"field": "stream", "equals": True}
    for _ in range(MAX_DEPTH + 1):
        when = {"not": when}
    with pytest.raises(RuleError, match="too deep or too large"):
        parse_condition(when, "r.yaml", {})


def test_templates_substitute_fields_and_params_without_attribute_access():
    template = parse_template(
        "{model} ({model.tier}) max_tokens={max_tokens}, cap {cap}", "k", {"cap": 4096}
    )
    assert template.render(view(OPUS), {"cap": 4096}) == (
        "claude-opus-5-5 (top) max_tokens=8,000, cap 4,096"
    )
    unresolved = site(model=UNKNOWN)
    assert parse_template("{model.tier}", "k", {}).render(view(unresolved), {}) == "unknown"
    for bad in ("{model.__class__}", "{model[0]}", "{max_tokens:>10}", "{max_tokens!r}", "{"):
        with pytest.raises(RuleError):
            parse_template(bad, "k", {})


def test_every_field_is_documented_in_writing_rules():
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "rules" / "writing-rules.md"
    text = page.read_text(encoding="utf-8")
    missing = [name for name in FIELDS if f"`{name}`" not in text]
    assert not missing, f"document these fields in docs/rules/writing-rules.md: {missing}"
