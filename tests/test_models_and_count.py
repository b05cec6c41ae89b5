"""`costlint models`, `costlint count`, the catalog-age warning, and catalog rules end to end."""

from __future__ import annotations

import datetime
import json

import fakeapi
import pytest
from click.testing import CliRunner
from helpers import scan

from costlint.catalog import load_catalog
from costlint.cli import main
from costlint.pipeline import catalog_age_warning

fake_api = fakeapi.fake_api


def test_models_table_lists_current_models_and_age(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["models"]).output
    assert "claude-opus-5-5" in out and "$4" in out and "$20" in out
    assert "claude-opus-4-1-20250805" not in out  # retired: hidden by default
    assert "verified 2026-11-21" in out
    assert "claude-opus-4-1-20250805" in CliRunner().invoke(main, ["models", "--all"]).output


def test_catalog_age_warning_after_60_days():
    catalog = load_catalog()
    verified = catalog.verified
    assert catalog_age_warning(catalog, verified + datetime.timedelta(days=60)) is None
    warning = catalog_age_warning(catalog, verified + datetime.timedelta(days=61))
    assert warning and "61 days" in warning


@pytest.mark.slow
def test_count_estimate_and_api(tmp_path, monkeypatch, fake_api):
    (tmp_path / ".git").mkdir()
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("You are a careful assistant. " * 50)
    monkeypatch.chdir(tmp_path)
    for key in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    runner = CliRunner()
    estimate = runner.invoke(main, ["count", "prompt.txt", "--model", "claude-haiku-4-5"])
    assert estimate.exit_code == 0
    assert "(estimate) for claude-haiku-4-5-20251001" in estimate.output
    api = runner.invoke(main, ["count", "prompt.txt", "--tokens", "api"], env=fake_api.env())
    assert api.exit_code == 0, api.output
    assert "(api) for claude-sonnet-5-5" in api.output
    [sent] = fake_api.count_requests
    assert sent.body["model"] == "claude-sonnet-5-5"
    assert "max_tokens" not in sent.body
    expected = fakeapi.FakeAPI.tokens_for(sent.body)
    assert f"{expected:,} tokens (api)" in api.output


def test_count_missing_file_is_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["count", "nope.txt"]).exit_code == 2


def test_catalog_rules_do_not_fire_on_current_models(tmp_path):
    source = """
import anthropic
client = anthropic.Anthropic()

def ask(msgs):
    for model in ("claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-1"):
        pass
    client.messages.create(model="claude-opus-5-5", max_tokens=4096, messages=msgs)
    client.messages.create(model="claude-sonnet-5-5", max_tokens=8192, messages=msgs)
    client.messages.create(model="claude-haiku-5-5", max_tokens=2048, messages=msgs)
    client.messages.create(model="anthropic.claude-opus-5-5", max_tokens=2048, messages=msgs)
"""
    result = scan(tmp_path, {"app.py": source}, select=["CL007", "CL008", "CL009", "CL010"])
    assert result.findings == []


def test_retired_model_is_an_error_and_platform_id_a_warning(tmp_path):
    source = """
import anthropic
client = anthropic.Anthropic()
bedrock = anthropic.AnthropicBedrock()

def ask(msgs):
    client.messages.create(model="claude-3-5-haiku-latest", max_tokens=100, messages=msgs)
    bedrock.messages.create(model="anthropic.claude-opus-4-1-20250805-v1:0", max_tokens=100,
                            messages=msgs)
"""
    result = scan(tmp_path, {"app.py": source}, select=["CL009"])
    assert [(f.rule, f.severity) for f in result.findings] == [
        ("CL009", "error"),
        ("CL009", "warning"),
    ]
    assert "claude-haiku-5-5" in result.findings[0].fix


def test_legacy_price_ratio_accounts_for_tokenizer(tmp_path):
    source = """
import anthropic
client = anthropic.Anthropic()

def ask(msgs):
    client.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=msgs)
"""
    [finding] = scan(tmp_path, {"app.py": source}, select=["CL009"]).findings
    # Haiku 4.5 $1 input vs Haiku 5.5 $0.10 with ~30% more tokens: 1 / (0.1 * 1.3) = 7.7x
    assert finding.remedy.price_ratio == 7.69
    assert "7.7x cheaper" in finding.message


def test_user_models_file_makes_an_unknown_model_known(tmp_path):
    files = {
        "app.py": (
            "import anthropic\nclient = anthropic.Anthropic()\n"
            "def ask(m):\n"
            "    client.messages.create(model='claude-opus-6', max_tokens=100, messages=m)\n"
        ),
        "models.yaml": (
            "models:\n  - id: claude-opus-6\n    family: opus\n    prices: {input: 3, output: 15}\n"
        ),
    }
    assert [f.rule for f in scan(tmp_path, files, select=["CL010"]).findings] == ["CL010"]
    files["pyproject.toml"] = '[tool.costlint]\nmodels = "models.yaml"\n'
    assert scan(tmp_path, files, select=["CL010"]).findings == []


@pytest.mark.slow
def test_cache_below_minimum_uses_api_counts_when_available(tmp_path, fake_api, monkeypatch):
    source = """
import anthropic
client = anthropic.Anthropic()

def ask(q):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=300,
        system=[{"type": "text", "text": "Be terse.", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": q}])
"""
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    proc = CliRunner().invoke(
        main, ["check", "--tokens", "api", "--select", "CL007", "--format", "json"],
        env=fake_api.env(),
    )  # fmt: skip
    finding = json.loads(proc.output)["findings"][0]
    assert finding["rule"] == "CL007"
    assert finding["tokens"]["source"] == "api"


def test_sdk_guard_sees_a_client_imported_from_another_module(tmp_path):
    files = {
        "client.py": "import anthropic\nclient = anthropic.Anthropic()\n",
        "app.py": (
            "from client import client\n\n"
            "def write(msgs):\n"
            "    return client.messages.create(model='claude-opus-5-5', max_tokens=64000,\n"
            "                                  messages=msgs)\n"
        ),
    }
    [finding] = scan(tmp_path, files, select=["CL008"]).findings
    assert "Streaming is required" in finding.message
    files["client.py"] = "import anthropic\nclient = anthropic.Anthropic(timeout=900)\n"
    assert scan(tmp_path / "b", files, select=["CL008"]).findings == []
