"""One plan per call: two fixes that change the model (CL004 and CL009) on one call site."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import write

from costlint.cli import main

OLD_OPUS_SENTIMENT = """
import anthropic

client = anthropic.Anthropic()


def classify(review):
    return client.messages.create(
        model="claude-opus-4-5",
        max_tokens=10,
        system="Classify the sentiment of the review as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}],
    )
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": OLD_OPUS_SENTIMENT})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    result = CliRunner().invoke(main, [*args, "--tokens", "estimate", "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _site(project) -> dict:
    data = json.loads(invoke("report", "--format", "json"))
    (site,) = data["cost"]["call_sites"]
    return site


def test_the_plan_takes_the_cheapest_model_that_fits_the_task(project):
    site = _site(project)
    by_rule = {f["rule"]: f for f in site["findings"]}
    assert by_rule["CL004"]["in_plan"] is True
    assert by_rule["CL009"]["in_plan"] is False
    assert by_rule["CL009"]["savings"]["plan_takes"] == {
        "rule": "CL004",
        "model": "claude-haiku-5-5",
    }
    # the site's saving is CL004's alone (the plan applies one model), not the sum of both
    cl004 = float(by_rule["CL004"]["savings"]["usd_per_month"])
    cl009 = float(by_rule["CL009"]["savings"]["usd_per_month"])
    assert float(site["usd_per_month_saving"]) == pytest.approx(cl004, abs=1e-6)
    assert cl009 > 0 and cl004 > cl009
    assert site["savings_overlap"] is True
    assert float(site["usd_per_month_findings_alone"]) == pytest.approx(cl004 + cl009, abs=2e-6)


def test_the_total_uses_the_joint_plan(project):
    data = json.loads(invoke("report", "--format", "json"))
    site = data["cost"]["call_sites"][0]
    assert data["cost"]["total"]["usd_per_month_saving"] == site["usd_per_month_saving"]


def test_the_legacy_fix_names_the_alternative_the_plan_takes(project):
    out = invoke("check")
    (cl009_fix,) = [line for line in out.splitlines() if 'use model="claude-opus-5-5"' in line]
    assert "claude-haiku-5-5" in cl009_fix and "CL004" in cl009_fix
    assert "plan takes claude-haiku-5-5 (CL004) instead" in out


def test_text_and_markdown_say_the_savings_overlap(project):
    text = invoke("report")
    assert "savings overlap: the site saves $" in text and ", not the sum ($" in text
    markdown = invoke("report", "--format", "markdown")
    assert "savings overlap: the site saves $" in markdown


def test_a_site_with_one_saving_does_not_claim_an_overlap(project):
    write(project, {"app.py": OLD_OPUS_SENTIMENT.replace("claude-opus-4-5", "claude-opus-5-5")})
    site = _site(project)
    assert [f["rule"] for f in site["findings"]] == ["CL004"]
    assert site["savings_overlap"] is False
    assert "savings overlap" not in invoke("report")
