"""`costlint report` and the --format / --output-file / --usage-file options, end to end."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import WASTE, write

from costlint.cli import main
from costlint.usage import load_usage

REPO = Path(__file__).resolve().parents[1]

CHAT = """
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


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app/waste.py": WASTE, "app/chat.py": CHAT})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(main, [*args, "--tokens", "estimate", "--no-cache"])


def test_report_examples_shows_costs_savings_and_assumptions(monkeypatch):
    monkeypatch.chdir(REPO)
    result = invoke("report", "examples/")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "examples/support_bot/answer.py::answer_question" in out
    assert "now $" in out and "-> after fixes $" in out
    assert "CL002 uncached-long-prompt: saves $" in out
    assert "CL004 model-overkill: saves $" in out
    assert "CL001 oversized-max-tokens: worst case $" in out
    assert "Total (" in out and "saving $" in out
    assert "Assumptions" in out and "model catalog verified" in out
    assert "10,000* calls/month" in out  # defaults are marked


def test_report_exits_0_with_findings_and_check_exits_1(project):
    assert invoke("report").exit_code == 0
    assert invoke("check").exit_code == 1


def test_check_text_prints_a_savings_line(project):
    out = invoke("check", "app/waste.py").stdout
    lines = out.splitlines()
    assert lines[0].startswith("app/waste.py:7:12: CL002 [uncached-long-prompt]")
    assert lines[2].startswith("    saving: ~$") and "/month with a 1-hour" in lines[2]
    assert "Estimated saving: ~$" in out


def test_usage_file_overrides_and_model(project):
    write(
        project,
        {
            "costlint-usage.yaml": """
                version: 1
                call_sites:
                  "app/chat.py::Chat.send":
                    model: claude-sonnet-5-5
                    calls_per_month: 20000
                  "app/*":
                    output_tokens: 100
            """
        },
    )
    data = json.loads(invoke("report", "--format", "json").stdout)
    sites = {s["address"]: s for s in data["cost"]["call_sites"]}
    chat = sites["app/chat.py::Chat.send"]
    assert chat["unpriced"] is None and chat["conversation"]
    assert chat["usage"]["calls_per_month"] == 20000
    assert chat["usage"]["sources"]["output_tokens"] == "app/*"
    assert sites["app/waste.py::answer"]["output_tokens"] == 100
    assert data["cost"]["assumptions"]["usage_file"].endswith("costlint-usage.yaml")
    cl003 = next(f for f in data["findings"] if f["rule"] == "CL003")
    assert Decimal(cl003["savings"]["usd_per_month"]) > 0


def test_usage_file_option_and_errors_exit_2(project):
    write(project, {"busy.yaml": "defaults:\n  calls_per_month: 1000000\n"})
    busy = json.loads(invoke("report", "--format", "json", "--usage-file", "busy.yaml").stdout)
    quiet = json.loads(invoke("report", "--format", "json").stdout)
    now = Decimal(busy["cost"]["total"]["usd_per_month_now"])
    assert now > 50 * Decimal(quiet["cost"]["total"]["usd_per_month_now"])
    write(project, {"bad.yaml": "defaults:\n  calls_per_mont: 5\n"})
    bad = invoke("report", "--usage-file", "bad.yaml")
    assert bad.exit_code == 2 and "defaults.calls_per_mont" in bad.stderr
    assert invoke("check", "--usage-file", "bad.yaml").exit_code == 2
    missing = invoke("report", "--usage-file", "nope.yaml")
    assert missing.exit_code == 2 and "usage file not found" in missing.stderr


def test_write_usage_then_reload(project):
    result = invoke("report", "--write-usage")
    assert result.exit_code == 0, result.output
    path = project / "costlint-usage.yaml"
    assert "wrote" in result.stderr and path.is_file()
    usage = load_usage(path)
    assert usage.keys() == {"app/waste.py::answer", "app/chat.py::Chat.send"}
    text = path.read_text()
    at = text.index('"app/waste.py::answer":')
    text = text[:at] + text[at:].replace("# calls_per_month: 10000", "calls_per_month: 777", 1)
    path.write_text(text)
    again = invoke("report", "--write-usage")
    assert again.exit_code == 0 and "0 new" in again.stderr
    assert "calls_per_month: 777" in path.read_text()
    assert "777 calls/month" in again.stdout


def test_every_format_for_check_and_report(project):
    for command in ("check", "report"):
        for fmt in ("text", "json", "markdown", "sarif", "github"):
            target = project / "out" / f"{command}.{fmt}"
            result = invoke(command, "--format", fmt, "--output-file", str(target))
            assert result.exit_code == (1 if command == "check" else 0), result.output
            content = target.read_text()
            assert content, (command, fmt)
            if fmt in ("json", "sarif"):
                json.loads(content)
    assert json.loads((project / "out/check.sarif").read_text())["version"] == "2.1.0"
    assert (project / "out/report.markdown").read_text().startswith("<!-- costlint-comment -->")
    assert (project / "out/check.github").read_text().startswith("::warning file=app/")


def test_github_format_writes_the_step_summary(project, monkeypatch):
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = invoke("check", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith("::warning file=app/")
    assert "#### 💰 costlint report" in summary.read_text()


def test_sarif_uris_relative_to_repo_root_from_a_subdirectory(project, monkeypatch):
    monkeypatch.chdir(project / "app")
    doc = json.loads(invoke("check", "--format", "sarif").stdout)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert uris == {"app/waste.py", "app/chat.py"}


def test_unknown_model_is_listed_unpriced_in_the_report(project):
    write(
        project,
        {
            "app/new.py": """
                import anthropic
                client = anthropic.Anthropic()

                def ask(q):
                    return client.messages.create(model="claude-opus-9-9", max_tokens=100,
                        messages=[{"role": "user", "content": q}])
            """
        },
    )
    out = invoke("report").stdout
    assert "app/new.py::ask  (line 6)" in out
    assert "not priced: unknown model 'claude-opus-9-9'" in out
    assert "Not priced, not in the totals (" in out


def test_unwritable_step_summary_is_a_warning(project, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(project / "no" / "such" / "dir" / "s.md"))
    result = invoke("check", "--format", "github")
    assert result.exit_code == 1 and "cannot write GITHUB_STEP_SUMMARY" in result.stderr
