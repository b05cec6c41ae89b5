"""Money that reads right (issue 16 point 7): tiny amounts and the diff's tolerance."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import scan

from costlint.cli import main
from costlint.diff import SiteRecord, _same
from costlint.price import dollars, money


def test_amounts_under_a_cent_print_as_less_than_a_cent() -> None:
    assert dollars(0.004) == "<$0.01"
    assert dollars(0.000001) == "<$0.01"  # was "$0."
    assert dollars(-0.003) == "-<$0.01"
    assert dollars(0) == "$0"
    assert dollars(0.01) == "$0.010"
    assert dollars(12.5) == "$12.50"


def test_a_site_read_back_from_a_saved_report_is_unchanged() -> None:
    fresh = 0.0123456789
    saved = float(money(fresh))  # what --base-report reads: 6 decimals
    assert saved != fresh
    old = SiteRecord("a.py::f", "a.py", "claude-haiku-5-5", saved)
    new = SiteRecord("a.py::f", "a.py", "claude-haiku-5-5", fresh)
    assert _same(old, new)
    moved = SiteRecord("a.py::f", "a.py", "claude-haiku-5-5", fresh + 0.00001)
    assert not _same(old, moved)


# ------------------------------------------------------------------ failing calls (point 2)

RETIRED_AND_CURRENT = """
import anthropic
client = anthropic.Anthropic()

def old():
    return client.messages.create(
        model="claude-3-opus-20240229", max_tokens=300,
        messages=[{"role": "user", "content": "Say hi to the team in one line."}],
    )

def fine():
    return client.messages.create(
        model="claude-haiku-5-5", max_tokens=300,
        messages=[{"role": "user", "content": "Say hi to the team in one line."}],
    )
"""


def _offline_project(tmp_path, monkeypatch, name: str, text: str):
    """A one-file project as the current directory, with no API key and no step summary."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def retired_project(tmp_path, monkeypatch):
    return _offline_project(tmp_path, monkeypatch, "app.py", RETIRED_AND_CURRENT)


def _report(*args: str):
    result = CliRunner().invoke(main, ["report", *args, "--tokens", "estimate", "--no-cache"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_call_on_a_retired_model_is_failing_not_spend(retired_project) -> None:
    data = json.loads(_report("--format", "json"))["cost"]
    sites = {s["address"]: s for s in data["call_sites"]}
    old, fine = sites["app.py::old"], sites["app.py::fine"]
    assert old["failing"].startswith("claude-3-opus-20240229 was retired")
    assert old["fix"] == 'use model="claude-opus-5-5"'
    assert old["usd_per_month_now"] is None and old["usd_per_month_saving"] is None
    total = data["total"]
    assert total["failing_call_sites"] == 1 and total["priced_call_sites"] == 1
    assert total["usd_per_month_now"] == fine["usd_per_month_now"]  # nothing from the failing
    assert total["usd_per_month_saving"] == "0.00"  # moving it is not a saving
    text = _report()
    assert "failing now: claude-3-opus-20240229 was retired" in text
    assert "Failing now, not in the totals (1): app.py::old" in text
    markdown = _report("--format", "markdown")
    assert "Failing now (1 call site(s)" in markdown and 'use model="claude-opus-5-5"' in markdown


# ------------------------------------------------------------------ volume by context (point 1)

SCRIPT = """
import anthropic
client = anthropic.Anthropic()

def serve(question):
    return client.messages.create(
        model="claude-haiku-5-5", max_tokens=300,
        messages=[{"role": "user", "content": question}],
    )

if __name__ == "__main__":
    client.messages.create(
        model="claude-haiku-5-5", max_tokens=300,
        messages=[{"role": "user", "content": "Say hi to the team in one line."}],
    )
"""
CELL = (
    "import anthropic\n",
    "client = anthropic.Anthropic()\n",
    "client.messages.create(model='claude-haiku-5-5', max_tokens=300, "
    "messages=[{'role': 'user', 'content': 'Say hi in one line.'}])\n",
)
NOTEBOOK = json.dumps(
    {
        "cells": [{"cell_type": "code", "metadata": {}, "source": list(CELL), "outputs": []}],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
)


@pytest.fixture
def one_shot_project(tmp_path, monkeypatch):
    return _offline_project(tmp_path, monkeypatch, "script.py", SCRIPT)


def test_one_shot_calls_are_priced_per_run_not_monthly(one_shot_project) -> None:
    data = json.loads(_report("--format", "json"))["cost"]
    sites = {s["address"]: s for s in data["call_sites"]}
    main_call, serve = sites["script.py::<module>"], sites["script.py::serve"]
    assert main_call["volume"] == "per_run" and serve["volume"] == "monthly"
    assert main_call["usd_per_run"] is not None and main_call["usd_per_month_now"] is None
    assert main_call["usage"]["calls_per_month"] == 10000  # kept, with its source
    assert main_call["usage"]["sources"]["calls_per_month"] == "built-in default"
    assert data["total"]["usd_per_month_now"] == serve["usd_per_month_now"]
    assert data["total"]["per_run_call_sites"] == 1
    text = _report()
    assert "one-shot call (a script's module level, outside any loop)" in text
    assert "Priced per run, not in the monthly totals (1): script.py::<module>" in text
    assert "| once per run |" in _report("--format", "markdown")


def test_a_usage_volume_makes_a_one_shot_call_monthly(one_shot_project) -> None:
    (one_shot_project / "costlint-usage.yaml").write_text(
        'version: 1\ncall_sites:\n  "script.py::<module>":\n    calls_per_month: 30\n'
    )
    data = json.loads(_report("--format", "json"))["cost"]
    main_call = {s["address"]: s for s in data["call_sites"]}["script.py::<module>"]
    assert main_call["volume"] == "monthly" and main_call["usd_per_month_now"] is not None
    assert data["total"]["priced_call_sites"] == 2


def test_a_notebook_top_level_call_is_per_run(one_shot_project) -> None:
    (one_shot_project / "explore.ipynb").write_text(NOTEBOOK)
    data = json.loads(_report("--format", "json"))["cost"]
    cells = [s for s in data["call_sites"] if s["path"] == "explore.ipynb"]
    assert len(cells) == 1
    assert cells[0]["volume"] == "per_run"
    assert cells[0]["one_shot"] == "a notebook's top level"


def test_a_legacy_model_with_a_same_price_successor_is_info_with_no_saving(tmp_path):
    """Sonnet 5 and its successor Sonnet 5.5 cost the same per token: the finding names the
    successor, is info, and claims no saving (the remedy has no cost model)."""
    source = """
import anthropic
client = anthropic.Anthropic()

def summarise(text):
    return client.messages.create(
        model="claude-sonnet-5", max_tokens=2048,
        messages=[{"role": "user", "content": "Summarise: " + text}],
    )
"""
    result = scan(tmp_path, {"app.py": source})
    (finding,) = [f for f in result.findings if f.rule == "CL009"]
    assert finding.severity == "info"
    assert "superseded by claude-sonnet-5-5" in finding.message
    assert 'use model="claude-sonnet-5-5"' in finding.fix
    cost = result.costs.for_finding(finding)
    assert cost is not None and not cost.billed
