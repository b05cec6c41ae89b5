"""A project's own YAML-only rules (``rules-dir``): loaded, run, rendered, priced, refused."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import scan, write

from costlint.cli import main
from costlint.config import ConfigError, load_config
from costlint.engine import RuleError, load_project_rules, load_rules

RULE = """
id: ACME001
name: top-tier-long-answer-unstreamed
severity: warning
category: model-choice
summary: a top-tier model asked for a long answer without streaming
parameters:
  cap: 4096
  suggested_model: claude-sonnet-5-5
when:
  all:
    - {field: model.tier, equals: top}
    - {field: max_tokens, gt: {param: cap}}
    - not: {field: stream, equals: true}
message: "{model} ({model.name}) with max_tokens={max_tokens} above {cap}, not streamed"
fix: "use {suggested_model}, or stream the answer"
saving: model-switch
docs:
  what: Finds top-tier models asked for long answers without streaming.
  why: Team policy; long unstreamed answers time out.
  example: client.messages.create(model="claude-opus-5-5", max_tokens=8000, messages=m)
  use_instead: client.messages.create(model="claude-sonnet-5-5", max_tokens=8000, messages=m)
"""

APP = """
import anthropic
client = anthropic.Anthropic()

def write(text):
    return client.messages.create(model="claude-opus-5-5", max_tokens=8000,
                                  system="Write a detailed incident report.",
                                  messages=[{"role": "user", "content": text}])

def streamed(text):
    with client.messages.stream(model="claude-opus-5-5", max_tokens=8000,
                                messages=[{"role": "user", "content": text}]) as s:
        return s.get_final_message()

def small(text):
    return client.messages.create(model="claude-opus-5-5", max_tokens=1000,
                                  messages=[{"role": "user", "content": text}])

def unknown_model(text, model):
    return client.messages.create(model=model, max_tokens=8000,
                                  messages=[{"role": "user", "content": text}])
"""

MESSAGE = "claude-opus-5-5 (Claude Opus 5.5) with max_tokens=8,000 above 4,096, not streamed"


def make_project(root: Path, rule: str = RULE, config: str | None = None) -> Path:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    write(
        root,
        {
            "pyproject.toml": config or '[tool.costlint]\nrules-dir = "costlint-rules"\n',
            "costlint-rules/ACME001.yaml": rule,
            "app.py": APP,
        },
    )
    return root


def test_a_yaml_only_rule_fires_where_its_condition_is_true(tmp_path):
    make_project(tmp_path)
    result = scan(tmp_path)
    acme = [f for f in result.findings if f.rule == "ACME001"]
    assert [(f.line, f.message) for f in acme] == [(6, MESSAGE)]
    assert acme[0].fix == "use claude-sonnet-5-5, or stream the answer"
    assert acme[0].name == "top-tier-long-answer-unstreamed"
    assert acme[0].severity == "warning"


def test_rule_options_from_the_project_config_tune_its_parameters(tmp_path):
    config = (
        '[tool.costlint]\nrules-dir = "costlint-rules"\n[tool.costlint.rules.ACME001]\ncap = 500\n'
    )
    make_project(tmp_path, config=config)
    lines = sorted(f.line for f in scan(tmp_path).findings if f.rule == "ACME001")
    assert lines == [6, 16]  # the 1,000-token call is now above the cap too


def test_the_costlint_yaml_config_takes_rules_dir_relative_to_itself(tmp_path):
    make_project(tmp_path, config="")
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / ".costlint.yaml").write_text("rules-dir: costlint-rules\n", encoding="utf-8")
    config = load_config(tmp_path / "sub")
    assert config.rules_dir == (tmp_path / "costlint-rules").resolve()


def test_a_missing_rules_dir_is_a_config_error_naming_the_key(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.costlint]\nrules-dir = "nope"\n')
    with pytest.raises(ConfigError, match="'costlint.rules-dir'"):
        load_config(tmp_path)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github"])
def test_the_finding_renders_in_every_check_format(tmp_path, monkeypatch, fmt):
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["check", ".", "--format", fmt, "--tokens", "estimate", "--no-cache"]
    )
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "ACME001" in out
    if fmt == "json":
        findings = [f for f in json.loads(out)["findings"] if f["rule"] == "ACME001"]
        assert findings[0]["message"] == MESSAGE and findings[0]["line"] == 6
    elif fmt == "sarif":
        run = json.loads(out)["runs"][0]
        rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
        assert "ACME001" in rule_ids
        hits = [r for r in run["results"] if r["ruleId"] == "ACME001"]
        assert hits[0]["message"]["text"].startswith(MESSAGE)
    elif fmt == "markdown":  # the PR comment's table shows the fix
        assert "use claude-sonnet-5-5, or stream the answer" in out
    else:
        assert MESSAGE in out


def test_the_report_prices_the_model_switch_saving(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", ".", "--tokens", "estimate", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "ACME001 top-tier-long-answer-unstreamed: saves $" in result.stdout


def test_a_project_rule_may_not_name_python_and_nothing_is_imported(tmp_path):
    rule = RULE.replace("saving: model-switch", "check: acme_evil_module")
    make_project(tmp_path, rule=rule)
    with pytest.raises(RuleError, match="'check' is not allowed in a project rule"):
        scan(tmp_path)
    assert "costlint.checks.acme_evil_module" not in sys.modules


def test_the_cli_exits_2_naming_the_file_for_a_bad_project_rule(tmp_path, monkeypatch):
    make_project(tmp_path, rule=RULE.replace("equals: top", "matches: top"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", ".", "--tokens", "estimate", "--no-cache"])
    assert result.exit_code == 2
    assert "ACME001.yaml" in result.stderr and "'when.all[0].matches' is not an op" in result.stderr


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (("id: ACME001", "id: CL001"), "'id' 'CL001' is not letters and 3 digits, not CL"),
        (("id: ACME001", "id: acme1"), "'id' 'acme1'"),
        (("name: top-tier-long-answer-unstreamed", "name: legacy-model"), "built-in rule CL009"),
        (("saving: model-switch", "saving: free-money"), "'saving' 'free-money' is not a fix kind"),
        (("  suggested_model: claude-sonnet-5-5\n", ""), "needs the parameter 'suggested_model'"),
        (("message: ", "mesage: "), "unknown key 'mesage'"),
        (("{cap}, not", "{cap.__class__}, not"), "{cap.__class__} is not a site field"),
        (("{max_tokens}", "{max_tokens!r}"), "no format specs or conversions"),
        (("field: model.tier", "field: model.price"), "'model.price' is not a site field"),
        (("gt: {param: cap}", "gt: {param: limit}"), "'limit' is not in the rule's parameters"),
        (("equals: top", "contains: 3"), "must be a str"),
        (("{field: stream, equals: true}", "{field: stream, gt: 1}"), "does not apply to bool"),
    ],
)
def test_project_rule_validation_names_file_and_key(tmp_path, change, error):
    old, new = change
    assert old in RULE
    folder = tmp_path / "rules"
    write(folder, {"ACME001.yaml": RULE.replace(old, new)})
    with pytest.raises(RuleError) as info:
        load_project_rules(folder, load_rules())
    assert str(folder / "ACME001.yaml") in str(info.value)
    assert error in str(info.value)


def test_two_project_rules_with_one_id_are_refused(tmp_path):
    folder = tmp_path / "rules"
    write(folder, {"a.yaml": RULE, "b.yaml": RULE})
    with pytest.raises(RuleError, match="'ACME001' is also defined in"):
        load_project_rules(folder, load_rules())


def test_a_changed_project_rule_invalidates_cached_findings(tmp_path):
    make_project(tmp_path)
    first = scan(tmp_path)  # cache on
    assert any(f.rule == "ACME001" for f in first.findings)
    edited = RULE.replace("gt: {param: cap}", "gt: 9000")
    (tmp_path / "costlint-rules/ACME001.yaml").write_text(textwrap.dedent(edited))
    second = scan(tmp_path)
    assert not any(f.rule == "ACME001" for f in second.findings)
