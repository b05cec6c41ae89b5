"""`costlint usage import FILE`: calibrating the usage file from an Admin API usage report."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import write

from costlint.cli import main
from costlint.price.formulas import SECONDS_PER_MONTH
from costlint.usage import load_usage

APP = """
import anthropic

client = anthropic.Anthropic()


def summarize(text):
    return client.messages.create(
        model="claude-sonnet-5-5", max_tokens=2048,
        system="Summarize the text in three sentences.",
        messages=[{"role": "user", "content": text}],
    )


def translate(text):
    return client.messages.create(
        model="claude-sonnet-5-5", max_tokens=2048,
        system="Translate the text into French.",
        messages=[{"role": "user", "content": text}],
    )


def classify(text):
    return client.messages.create(
        model="claude-haiku-5-5", max_tokens=5,
        system="Answer yes or no: is this spam?",
        messages=[{"role": "user", "content": text}],
    )
"""


def bucket(day: int, *results: dict) -> dict:
    return {
        "starting_at": f"2026-10-{day:02d}T00:00:00Z",
        "ending_at": f"2026-10-{day + 1:02d}T00:00:00Z",
        "results": list(results),
    }


def result(model: str, uncached: int, output: int, read: int = 0, write5m: int = 0) -> dict:
    return {
        "uncached_input_tokens": uncached,
        "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": write5m},
        "cache_read_input_tokens": read,
        "output_tokens": output,
        "server_tool_use": {"web_search_requests": 0},
        "api_key_id": None,
        "workspace_id": None,
        "model": model,
        "service_tier": "standard",
        "context_window": "0-200k",
    }


def page(*buckets: dict) -> dict:
    return {"data": list(buckets), "has_more": False, "next_page": None}


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": APP})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_import(project, report, *extra: str):
    path = project / "report.json"
    path.write_text(report if isinstance(report, str) else json.dumps(report))
    return CliRunner().invoke(
        main, ["usage", "import", str(path), "--tokens", "estimate", "--no-cache", *extra]
    )


def report_json(project) -> dict:
    out = CliRunner().invoke(main, ["report", "--format", "json", "--tokens", "estimate"])
    assert out.exit_code == 0, out.output
    return {s["address"]: s for s in json.loads(out.stdout)["cost"]["call_sites"]}


def test_each_models_month_is_matched_over_its_call_sites(project):
    # two days of traffic: sonnet 3M input (1M of them cache reads + writes) and 0.9M output;
    # haiku 80k input, 2k output; a model with no call site in the code
    report = page(
        bucket(
            1,
            result("claude-sonnet-5-5", 1_000_000, 450_000, read=400_000, write5m=100_000),
            result("claude-haiku-5-5", 40_000, 1_000),
        ),
        bucket(
            2,
            result("claude-sonnet-5-5", 1_000_000, 450_000, read=500_000),
            result("claude-haiku-5-5", 40_000, 1_000),
            result("claude-opus-5-5", 5, 5),
        ),
    )
    done = run_import(project, report)
    assert done.exit_code == 0, done.output
    assert "calibrated 3 call site(s)" in done.stderr
    assert "claude-opus-5-5" in done.stderr  # traffic with no call site, left out
    usage = load_usage(project / "costlint-usage.yaml")
    sites = report_json(project)
    month = SECONDS_PER_MONTH / (2 * 86_400)
    for addresses, real_in, real_out in [
        (["app.py::summarize", "app.py::translate"], 3_000_000, 900_000),  # claude-sonnet-5-5
        (["app.py::classify"], 80_000, 2_000),  # claude-haiku-5-5
    ]:
        projected_in = projected_out = 0.0
        calls = set()
        for address in addresses:
            figures = usage.for_address(address, "app.py")
            assert figures.sources["calls_per_month"] == address  # set for the site itself
            calls.add(figures.calls_per_month)
            projected_in += figures.calls_per_month * sites[address]["input_tokens"]
            projected_out += figures.calls_per_month * figures.output_tokens
        assert len(calls) == 1  # the same number of calls on each site of a model
        assert projected_in == pytest.approx(real_in * month, rel=0.01)
        # output_tokens is a whole number per call: off by at most half a token per call
        rounding = 0.5 * calls.pop() * len(addresses)
        assert projected_out == pytest.approx(real_out * month, abs=rounding)
    assert sites["app.py::classify"]["usage"]["sources"]["calls_per_month"] == "app.py::classify"


def test_figures_already_in_the_usage_file_are_kept(project):
    (project / "costlint-usage.yaml").write_text(
        'version: 1\ncall_sites:\n  "app.py::summarize":\n    turns_per_conversation: 4\n'
        '  "scripts/*":\n    calls_per_month: 30\n'
    )
    done = run_import(project, page(bucket(1, result("claude-haiku-5-5", 40_000, 1_000))))
    assert done.exit_code == 0, done.output
    usage = load_usage(project / "costlint-usage.yaml")
    assert usage.for_address("app.py::summarize", "app.py").turns_per_conversation == 4
    assert usage.for_address("scripts/x.py::f", "scripts/x.py").calls_per_month == 30
    assert usage.for_address("app.py::classify", "app.py").sources["calls_per_month"] == (
        "app.py::classify"
    )


def test_a_list_of_pages_is_one_report(project):
    pages = [
        {**page(bucket(1, result("claude-haiku-5-5", 40_000, 1_000))), "has_more": True},
        page(bucket(2, result("claude-haiku-5-5", 40_000, 1_000))),
    ]
    done = run_import(project, pages)
    assert done.exit_code == 0, done.output
    assert "2.0 day(s)" in done.stderr


@pytest.mark.parametrize(
    ("report", "says"),
    [
        ("{not json", "not JSON"),
        ('{"results": []}', '"data" list'),
        (
            page({"starting_at": "yesterday", "ending_at": "2026-10-02T00:00:00Z", "results": []}),
            "starting_at",
        ),
        (
            page(bucket(1, {**result("claude-haiku-5-5", 1, 1), "output_tokens": -3})),
            "output_tokens",
        ),
        (
            page(bucket(1, {k: v for k, v in result("x", 1, 1).items() if k != "model"})),
            "group_by[]=model",
        ),
        (page(), "no time buckets"),
        ([1, 2], "page 0"),
    ],
)
def test_a_malformed_report_is_exit_2_with_a_clear_error(project, report, says):
    done = run_import(project, report)
    assert done.exit_code == 2
    assert says in done.stderr and "Traceback" not in done.output
    assert not (project / "costlint-usage.yaml").exists()  # nothing written


def test_a_missing_report_is_exit_2(project):
    done = CliRunner().invoke(main, ["usage", "import", "nope.json"])
    assert done.exit_code == 2 and "cannot read usage report" in done.stderr
