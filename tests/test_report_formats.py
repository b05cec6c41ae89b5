"""Every output format: JSON round-trips, Markdown totals, SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import scan

from costlint.fingerprint import SARIF_KEY, fingerprint_at, normalize_call
from costlint.price import price_run
from costlint.report import github, markdown, sarif, text
from costlint.report import json as json_report
from costlint.usage import parse_usage


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


APP = {
    "app/answer.py": """
        import anthropic
        client = anthropic.Anthropic()
        MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150

        def answer(question):
            return client.messages.create(model="claude-sonnet-5-5", max_tokens=1024,
                system=MANUAL, messages=[{"role": "user", "content": question}])
    """,
    "app/sentiment.py": """
        import anthropic
        client = anthropic.Anthropic()

        def tag(review):
            return client.messages.create(model="claude-opus-5-5", max_tokens=10,
                system="Classify the sentiment of the review as positive, negative or neutral.",
                messages=[{"role": "user", "content": review}])
    """,
    "app/triage.py": """
        import anthropic
        client = anthropic.Anthropic()

        def urgent(ticket):
            return client.messages.create(model="claude-haiku-5-5", max_tokens=64000,
                system="Is this urgent? Answer yes or no.",
                messages=[{"role": "user", "content": ticket}])
    """,
    "app/mystery.py": """
        import anthropic
        client = anthropic.Anthropic()

        def ask(q):
            return client.messages.create(model="claude-opus-9-9", max_tokens=100,
                messages=[{"role": "user", "content": q}])
    """,
}


@pytest.fixture
def app(tmp_path):
    result = scan(tmp_path, APP, select=["CL001", "CL002", "CL004"])
    return tmp_path, result, price_run(result)


# ---------------------------------------------------------------------------- json


def test_json_round_trips_and_keeps_the_contract(app):
    _, result, costs = app
    rendered = json_report.render(result, costs)
    data = json.loads(rendered)
    assert data == json.loads(json.dumps(json_report.payload(result, costs)))
    assert data["version"] == 1
    contract = {"rule", "name", "severity", "path", "line", "column", "cell", "message", "fix"}
    for finding in data["findings"]:
        assert contract | {"tokens"} <= set(finding)
        assert finding["savings"]["kind"] in ("saving", "worst_case", "unpriced", "none")
    assert all(set(d) == {"path", "message"} for d in data["diagnostics"])
    by_rule = {f["rule"]: f for f in data["findings"]}
    saving = by_rule["CL002"]["savings"]["usd_per_month"]
    assert isinstance(saving, str) and Decimal(saving) > 0
    assert by_rule["CL001"]["savings"]["usd_per_month"] is None
    assert Decimal(by_rule["CL001"]["savings"]["worst_case_now"]) > 0


def test_json_money_is_decimal_strings_and_unknown_is_null(app):
    _, result, costs = app
    cost = json.loads(json_report.render(result, costs))["cost"]
    total = cost["total"]
    now, after = Decimal(total["usd_per_month_now"]), Decimal(total["usd_per_month_after"])
    assert abs(now - after - Decimal(total["usd_per_month_saving"])) <= Decimal("0.000002")
    sites = {s["address"]: s for s in cost["call_sites"]}
    mystery = sites["app/mystery.py::ask"]
    assert mystery["usd_per_month_now"] is None and "claude-opus-9-9" in mystery["unpriced"]
    assert total["unpriced_call_sites"] == 1 and total["priced_call_sites"] == 3
    answer = sites["app/answer.py::answer"]
    assert answer["usage"]["sources"]["calls_per_month"] == "built-in default"
    assert answer["token_source"] == "estimate"
    assert cost["assumptions"]["catalog_verified"] and cost["assumptions"]["statements"]


def test_json_without_costs_is_the_original_contract(app):
    _, result, _ = app
    data = json.loads(json_report.render(result))
    assert set(data) == {"version", "findings", "diagnostics"}


# ---------------------------------------------------------------------------- markdown


def test_markdown_headline_table_details_assumptions(app):
    _, result, costs = app
    md = markdown.render(result, costs)
    lines = md.splitlines()
    assert lines[0] == markdown.MARKER
    headline = lines[2]
    assert headline.startswith("#### Projected Claude API spend")
    now = text.per_month(costs.total_now).removesuffix("/month")
    assert now in headline and text.per_month(costs.total_saving).removesuffix("/month") in headline
    table_at = lines.index(next(line for line in lines if line.startswith("| Call site")))
    assert table_at > 2  # headline first, then the table
    assert any(line.startswith("| **Total**") for line in lines)
    assert "`app/answer.py::answer`" in md and "not priced" in md
    assert md.index("<details><summary>Savings available") > table_at
    assert md.index("<summary>Assumptions</summary>") > md.index("Savings available")
    assert "model catalog verified" in md and "default usage figure" in md


def test_markdown_worst_case_column_names_the_output_cap_rules(tmp_path, app):
    _, result, costs = app
    header = "| Worst case/call (CL001) |"
    assert any(site.worst_cases for site in costs.sites)
    assert header in markdown.render(result, costs)
    # with no worst-case finding the column still names the rule whose fix caps output
    only_caching = scan(tmp_path / "b", APP, select=["CL002"])
    costs = price_run(only_caching)
    assert not any(site.worst_cases for site in costs.sites)
    assert header in markdown.render(only_caching, costs)


def test_text_report_names_the_rules_of_the_worst_cases(app):
    _, result, costs = app
    assert "Worst case per call (CL001, 1 finding(s))" in text.render_report(result, costs)


def test_markdown_escapes_table_cells():
    assert markdown.cell("a | b <script>\nc") == r"a \| b &lt;script&gt; c"
    assert markdown.code("x|y") == r"`x\|y`"
    assert markdown.code("a`b") == "``a`b``"


def test_markdown_with_no_sites(tmp_path):
    result = scan(tmp_path, {"empty.py": "x = 1\n"})
    md = markdown.render(result, price_run(result))
    assert "No Claude call sites found" in md


# ---------------------------------------------------------------------------- sarif


def check_sarif(doc: dict[str, Any]) -> None:
    """The SARIF 2.1.0 schema's required fields, plus what GitHub code scanning requires."""
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    assert doc["version"] == "2.1.0"
    assert isinstance(doc["runs"], list) and doc["runs"]
    for run in doc["runs"]:
        driver = run["tool"]["driver"]  # run.tool and tool.driver are required
        assert isinstance(driver["name"], str) and driver["name"]  # toolComponent.name
        rule_ids = []
        for rule in driver.get("rules", []):
            assert isinstance(rule["id"], str)  # reportingDescriptor.id
            for key in ("shortDescription", "fullDescription"):
                assert 0 < len(rule[key]["text"]) <= 1024  # multiformatMessageString.text
            assert rule["help"]["text"]
            if "markdown" in rule["help"]:
                assert isinstance(rule["help"]["markdown"], str)
            level = rule.get("defaultConfiguration", {}).get("level", "warning")
            assert level in ("none", "note", "warning", "error")
            rule_ids.append(rule["id"])
        for res in run.get("results", []):
            assert res["message"]["text"]  # result.message (text or id)
            assert res.get("level", "warning") in ("none", "note", "warning", "error")
            if "ruleIndex" in res:
                assert rule_ids[res["ruleIndex"]] == res["ruleId"]
            locations = res["locations"]
            assert 1 <= len(locations) <= 10
            physical = locations[0]["physicalLocation"]
            uri = physical["artifactLocation"]["uri"]
            assert not uri.startswith("/") and "://" not in uri and "\\" not in uri
            region = physical["region"]
            assert region["startLine"] >= 1 and region.get("startColumn", 1) >= 1
            if "endLine" in region:
                assert region["endLine"] >= region["startLine"]
            fingerprints = res.get("partialFingerprints", {})
            assert all(isinstance(v, str) and v for v in fingerprints.values())


def test_sarif_has_the_required_fields(app):
    root, result, costs = app
    doc = json.loads(sarif.render(result, costs))
    check_sarif(doc)
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "costlint" and driver["version"] and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["CL001", "CL002", "CL004"]
    cl002 = driver["rules"][ids.index("CL002")]
    assert cl002["name"] == "uncached-long-prompt"
    assert "Why is this bad?" in cl002["help"]["text"]
    assert "```python" in cl002["help"]["markdown"]
    results = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    res = results["CL002"]
    assert res["level"] == "warning"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/answer.py"
    assert Decimal(res["properties"]["savings_usd_month"]) > 0
    assert res["properties"]["token_source"] == "estimate"
    assert "Estimated saving" in res["message"]["text"]
    assert results["CL001"]["properties"]["savings_usd_month"] is None
    assert SARIF_KEY in res["partialFingerprints"]


def test_sarif_uris_are_relative_to_the_repository_root(tmp_path):
    files = {f"services/bot/{name}": text for name, text in APP.items()}
    result = scan(tmp_path, files, select=["CL001", "CL002", "CL004"], cwd="services/bot")
    assert all(f.path.startswith("app/") for f in result.findings)  # run-relative
    doc = sarif.document(result, result.costs)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert uris and all(uri.startswith("services/bot/app/") for uri in uris)


MOVABLE = """
import anthropic
client = anthropic.Anthropic()
{above}
def tag(review):
    return client.messages.create(model="claude-opus-5-5", max_tokens={cap},
        system="Classify the sentiment of the review as positive, negative or neutral.",
        messages=[{{"role": "user", "content": review}}])
"""


def _fingerprints(tmp_path: Path, above: str, cap: int = 10) -> tuple[list[str], list[int]]:
    result = scan(tmp_path, {"app.py": MOVABLE.format(above=above, cap=cap)}, select=["CL004"])
    doc = sarif.document(result, price_run(result))
    results = doc["runs"][0]["results"]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]
    return [r["partialFingerprints"][SARIF_KEY] for r in results], lines


def test_fingerprints_do_not_depend_on_line_numbers(tmp_path):
    first, lines_first = _fingerprints(tmp_path, "")
    moved, lines_moved = _fingerprints(tmp_path, "\n# a comment\nX = 1\n\n\n")
    assert lines_first != lines_moved and first == moved and len(first) == 1
    edited, _ = _fingerprints(tmp_path, "", cap=12)
    assert edited != first  # editing the call itself is a different finding


def test_fingerprint_normalizes_whitespace_and_comments(tmp_path):
    assert normalize_call("f(a,\n   b)  # note") == normalize_call("f( a, b )")
    result = scan(tmp_path, {"app.py": MOVABLE.format(above="", cap=10)}, select=["CL004"])
    [finding] = result.findings
    with_source = finding.fingerprint
    assert with_source == fingerprint_at(finding, "app.py")  # stamped once, deterministic
    finding.site.call_text = ""  # no Python source: the call's kind and argument names
    assert fingerprint_at(finding, "app.py") != with_source
    assert len(with_source) == 64


# ---------------------------------------------------------------------------- github


def test_github_escaping():
    assert github.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = github.annotation("warning", "50% off\nnow", file="a,b.py", line=3, title="T: x")
    assert line == "::warning file=a%2Cb.py,line=3,title=T%3A x::50%25 off%0Anow"


def test_github_annotations_for_findings(app):
    _, result, costs = app
    out = github.render(result, costs).splitlines()
    assert len(out) == len(result.findings)
    assert all(line.startswith("::warning file=app/") for line in out)
    assert out[0].startswith("::warning file=app/answer.py,line=")  # biggest saving first
    assert ",col=" in out[0] and "title=costlint CL002 (uncached-long-prompt)::" in out[0]
    assert "%0Asaving: ~$" in out[0]


MANY = """
import anthropic
client = anthropic.Anthropic()
{constants}
{functions}
def old(q):
    return client.messages.create(model="claude-3-opus-20240229", max_tokens=900,
        messages=[{{"role": "user", "content": q}}])
"""


def test_github_caps_per_level_sorted_by_dollars(tmp_path):
    constants = "\n".join(
        f'M{i} = "Refunds are issued within 30 days of purchase when unused. " * {100 + 40 * i}'
        for i in range(13)
    )
    functions = "\n".join(
        f"def f{i}(q):\n    return client.messages.create(model='claude-sonnet-5-5', "
        f"max_tokens=900, system=M{i}, messages=[{{'role': 'user', 'content': q}}])\n"
        for i in range(13)
    )
    code = MANY.format(constants=constants, functions=functions)
    result = scan(tmp_path, {"app.py": code}, select=["CL002", "CL009"])
    costs = price_run(result)
    assert sum(f.rule == "CL002" for f in result.findings) == 13
    assert [f.severity for f in result.findings if f.rule == "CL009"] == ["error"]
    out = github.render(result, costs).splitlines()
    errors = [line for line in out if line.startswith("::error ")]
    warnings = [line for line in out if line.startswith("::warning ")]
    notices = [line for line in out if line.startswith("::notice")]
    assert len(errors) == 1 and len(warnings) == github.PER_LEVEL
    assert len(notices) == 1 and "and 3 more costlint findings" in notices[0]
    # the 10 shown are the 10 biggest savings, biggest first: the longest manuals
    shown = [int(line.split(",line=")[1].split(",")[0]) for line in warnings]
    savings = sorted(
        ((costs.for_finding(f).saving, f.line) for f in result.findings if f.rule == "CL002"),
        reverse=True,
    )
    assert shown == [line for _, line in savings[:10]]


def test_github_step_summary_is_appended(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    assert github.append_step_summary("# report", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert github.append_step_summary("# again\n", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text() == "earlier step\n# report\n# again\n"
    assert github.append_step_summary("# x", {}) is None


# ---------------------------------------------------------------------------- text


def test_text_savings_line_under_each_finding(app):
    _, result, costs = app
    out = text.render(result, costs)
    lines = out.splitlines()
    cl002 = next(i for i, line in enumerate(lines) if " CL002 " in line)
    assert lines[cl002 + 1].startswith("    fix: ")
    assert (
        lines[cl002 + 2].startswith("    saving: ~$") and "10,000* calls/month" in lines[cl002 + 2]
    )
    cl001 = next(i for i, line in enumerate(lines) if " CL001 " in line)
    assert "not a billed saving" in lines[cl001 + 2]
    assert lines[-2].startswith("Estimated saving: ~$")
    assert lines[-1].startswith("Found ")
    quiet = text.render(result, costs, quiet=True)
    assert "Found " not in quiet and "Estimated saving" not in quiet


def test_text_no_saving_for_rarely_called_prompt(app):
    root, result, _ = app
    usage = parse_usage({"defaults": {"calls_per_month": 50}}, root / "u.yaml")
    out = text.render(result, price_run(result, usage))
    assert "saving: none: at 50 calls/month too few calls hit a warm cache" in out


def test_text_report_lists_sites_totals_and_assumptions(app):
    _, result, costs = app
    out = text.render_report(result, costs)
    assert "app/answer.py::answer  (line 7)" in out
    assert "claude-sonnet-5-5 · " in out and "(estimate)" in out
    assert "CL002 uncached-long-prompt: saves $" in out
    assert "Total (3 priced call site(s)): now $" in out
    assert "Not priced, not in the totals (1): app/mystery.py::ask" in out
    assert "Assumptions" in out and "built-in defaults" in out


# ---------------------------------------------------------------------------- every rule


def _flag_examples():
    from costlint.engine import load_rules

    for rule in load_rules():
        for index, example in enumerate(rule.examples.get("flag", [])):
            yield pytest.param(rule.id, example, id=f"{rule.id}-{index}")


@pytest.mark.parametrize(("rule_id", "example"), list(_flag_examples()))
def test_every_rule_example_prices_and_renders(tmp_path, rule_id, example):
    result = scan(tmp_path, example.all_files(), select=[rule_id])
    costs = price_run(result)
    assert len(costs.findings) == len(result.findings)
    for cost in costs.findings:
        assert cost.kind in ("saving", "worst_case", "unpriced", "none")
        if cost.kind == "saving":
            assert cost.saving is not None
        if cost.kind == "unpriced":
            assert cost.note and cost.saving is None
    for site in costs.sites:
        not_monthly = site.unpriced or site.failing or site.per_run is not None
        assert (site.now is None) == bool(not_monthly)
    json.loads(json_report.render(result, costs))
    check_sarif(json.loads(sarif.render(result, costs)))
    assert markdown.render(result, costs).startswith(markdown.MARKER)
    github.render(result, costs)
    text.render(result, costs)
    text.render_report(result, costs)


def test_renderers_never_reread_scanned_files(tmp_path):
    """Identity is stamped at extraction: deleting the sources changes no rendered byte."""
    result = scan(tmp_path, {"app.py": MOVABLE.format(above="", cap=10)}, select=["CL004"])
    before = [sarif.render(result, result.costs), json_report.render(result, result.costs)]
    (tmp_path / "app.py").unlink()
    after = [sarif.render(result, result.costs), json_report.render(result, result.costs)]
    assert before == after
    [finding] = result.findings
    assert finding.site.call_text.startswith("client.messages.create(model=")
    assert finding.fingerprint == fingerprint_at(finding, "app.py")
