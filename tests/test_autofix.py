"""`costlint check --fix / --unsafe-fixes / --diff / --show-fixes`: each fix applied to a small
fixture, then the check run again to see the finding gone; gating, idempotency, fixing a
value where it is defined, and skipping when its uses disagree."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write

from costlint.autofix.apply import apply_edits, edit_python
from costlint.autofix.edits import Edit, ReplaceLiteral, SetArgument
from costlint.autofix.model_ids import in_client_format
from costlint.catalog import load_catalog
from costlint.cli import main
from costlint.site import Finding, Span

LONG = "Refunds are issued within 30 days of purchase when the item is unused. " * 150

CACHE_STRING = f'''
import anthropic
client = anthropic.Anthropic()
MANUAL = "{LONG}"

def answer(question):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, system=MANUAL,
                                  messages=[{{"role": "user", "content": question}}])
'''

CACHE_BLOCKS = f'''
import anthropic
client = anthropic.Anthropic()
MANUAL = "{LONG}"

def answer(question):
    return client.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        system=[
            {{"type": "text", "text": "You answer refund questions."}},
            {{
                "type": "text",
                "text": MANUAL,  # the policy
            }},
        ],
        messages=[{{"role": "user", "content": question}}],
    )
'''

RETIRED = """
import anthropic
client = anthropic.Anthropic()

def summarize(text):
    return client.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=2000,
                                  messages=[{"role": "user",
                                             "content": f"Write an essay on {text}"}])
"""

BEDROCK = """
from anthropic import AnthropicBedrock
client = AnthropicBedrock()

def summarize(text):
    return client.messages.create(model="us.anthropic.claude-sonnet-4-20250514-v1:0",
                                  max_tokens=2000,
                                  messages=[{"role": "user",
                                             "content": f"Write an essay on {text}"}])
"""

YES_NO = """
import anthropic
client = anthropic.Anthropic()

def is_spam(text):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=20000,
                                  messages=[{"role": "user",
                                             "content": f"Answer yes or no: is this spam? {text}"}])
"""

OVERKILL = """
import anthropic
client = anthropic.Anthropic()

def sentiment(text):
    return client.messages.create(model="claude-opus-5-5", max_tokens=300,
                                  messages=[{"role": "user",
                                             "content": f"Classify the sentiment of: {text}"}])
"""

GUARD = """
import anthropic
client = anthropic.Anthropic()

def report(text):
    return client.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=64000,
        messages=[{"role": "user", "content": f"Write a detailed long-form report on {text}"}],
    )
"""

SETTINGS = """\
# Models used across the app.
MODEL = "claude-3-5-sonnet-20241022"  # pinned
"""

USES_SETTINGS = """
import anthropic
from settings import MODEL
client = anthropic.Anthropic()

def summarize(text):
    return client.messages.create(model=MODEL, max_tokens=2000,
                                  messages=[{"role": "user",
                                             "content": f"Write an essay on {text}"}])
"""

TOP_SETTINGS = """\
MODEL = "claude-opus-5-5"
"""

SIMPLE_USE = """
import anthropic
from settings import MODEL
client = anthropic.Anthropic()

def sentiment(text):
    return client.messages.create(model=MODEL, max_tokens=300,
                                  messages=[{"role": "user",
                                             "content": f"Classify the sentiment of: {text}"}])
"""

COMPLEX_USE = """
import anthropic
from settings import MODEL
client = anthropic.Anthropic()

def plan(text):
    return client.messages.create(model=MODEL, max_tokens=8000,
                                  messages=[{"role": "user",
                                             "content": f"Design a migration plan for {text}"}])
"""


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True, exist_ok=True)
    write(tmp_path, files)
    return tmp_path


def costlint(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(root)
    for name in [n for n in os.environ if n.startswith("ANTHROPIC_")]:
        monkeypatch.delenv(name)
    result = CliRunner().invoke(main, [*args, "--tokens", "estimate", "--no-cache"])
    return result


def rules(root: Path, monkeypatch: pytest.MonkeyPatch, *paths: str) -> list[str]:
    result = costlint(root, "check", "--format", "json", *paths, monkeypatch=monkeypatch)
    import json

    return sorted(f["rule"] for f in json.loads(result.stdout)["findings"])


def snapshot(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(root.glob("*.py"))}


def test_cache_control_wraps_a_string_system_prompt(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": CACHE_STRING})
    assert "CL002" in rules(root, monkeypatch)
    result = costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    text = (root / "app.py").read_text()
    assert (
        'system=[{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],' in text
    )
    assert "Fixed 1 finding(s)" in result.stdout
    assert "CL002" not in rules(root, monkeypatch)
    compile(text, "app.py", "exec")


def test_cache_control_goes_on_the_last_system_block_in_its_layout(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": CACHE_BLOCKS})
    costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    text = (root / "app.py").read_text()
    assert (
        '                "text": MANUAL,  # the policy\n'
        '                "cache_control": {"type": "ephemeral"},\n'
        "            },\n"
    ) in text
    assert '{"type": "text", "text": "You answer refund questions."},' in text
    assert "CL002" not in rules(root, monkeypatch)


def test_a_retired_model_moves_to_its_successor_as_a_safe_fix(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": RETIRED})
    assert rules(root, monkeypatch) == ["CL009"]
    result = costlint(root, "check", "--fix", "--show-fixes", monkeypatch=monkeypatch)
    assert 'model="claude-sonnet-5-5"' in (root / "app.py").read_text()
    assert 'app.py:6 CL009 model "claude-3-5-sonnet-20241022" -> "claude-sonnet-5-5"' in (
        result.stderr
    )
    assert rules(root, monkeypatch) == []


def test_a_bedrock_id_stays_a_bedrock_id_with_its_region_prefix(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": BEDROCK})
    assert rules(root, monkeypatch) == ["CL009"]
    costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    assert 'model="us.anthropic.claude-sonnet-5-5",' in (root / "app.py").read_text()
    assert rules(root, monkeypatch) == []


def test_client_id_formats():
    catalog = load_catalog(None)
    sonnet = catalog.resolve("claude-sonnet-5-5")
    assert in_client_format("claude-3-5-sonnet-latest", sonnet) == "claude-sonnet-5-5"
    assert in_client_format("claude-sonnet-4@20250514", sonnet) == "claude-sonnet-5-5"
    assert (
        in_client_format("bedrock/anthropic.claude-sonnet-4-20250514-v1:0", sonnet)
        == "bedrock/anthropic.claude-sonnet-5-5"
    )
    mythos = catalog.resolve("claude-mythos-5-1")
    assert in_client_format("claude-mythos-preview@20260101", mythos) is None  # no vertex id


def test_a_max_tokens_cap_is_unsafe_and_needs_unsafe_fixes(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": YES_NO})
    before = snapshot(root)
    result = costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    assert snapshot(root) == before
    assert "1 hidden fix(es) can be enabled with the `--unsafe-fixes` option." in result.stdout
    assert result.exit_code == 1
    result = costlint(root, "check", "--fix", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert "max_tokens=2304," in (root / "app.py").read_text()  # 16 + room to think
    assert result.exit_code == 0, result.output
    assert rules(root, monkeypatch) == []


def test_a_top_tier_model_switch_is_unsafe(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": OVERKILL})
    assert rules(root, monkeypatch) == ["CL004"]
    costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    assert 'model="claude-opus-5-5"' in (root / "app.py").read_text()
    costlint(root, "check", "--fix", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert 'model="claude-haiku-5-5"' in (root / "app.py").read_text()
    assert rules(root, monkeypatch) == []


def test_the_sdk_guard_gets_a_timeout_as_an_unsafe_fix(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": GUARD})
    assert rules(root, monkeypatch) == ["CL008"]
    costlint(root, "check", "--fix", "--unsafe-fixes", monkeypatch=monkeypatch)
    text = (root / "app.py").read_text()
    assert (
        '        messages=[{"role": "user", "content": f"Write a detailed long-form report on '
        '{text}"}],\n        timeout=1800,\n    )\n'
    ) in text
    assert rules(root, monkeypatch) == []


def test_a_second_fix_changes_nothing(tmp_path, monkeypatch):
    root = project(
        tmp_path,
        {"a.py": CACHE_STRING, "b.py": RETIRED, "c.py": YES_NO, "d.py": OVERKILL, "e.py": GUARD},
    )
    costlint(root, "check", "--fix", "--unsafe-fixes", monkeypatch=monkeypatch)
    fixed = snapshot(root)
    assert fixed != {}
    result = costlint(root, "check", "--fix", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert snapshot(root) == fixed
    assert "Fixed 0 finding(s)" in result.stdout
    diff = costlint(root, "check", "--diff", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert diff.stdout == "" and diff.exit_code == 0


def test_diff_prints_the_fixes_and_writes_nothing(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": RETIRED})
    before = snapshot(root)
    result = costlint(root, "check", "--diff", monkeypatch=monkeypatch)
    assert snapshot(root) == before
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/app.py\n+++ b/app.py\n")
    assert '-    return client.messages.create(model="claude-3-5-sonnet-20241022"' in result.stdout
    assert '+    return client.messages.create(model="claude-sonnet-5-5"' in result.stdout
    assert "Would fix 1 finding(s)" in result.stderr


def test_a_value_defined_elsewhere_is_fixed_where_it_is_defined(tmp_path, monkeypatch):
    root = project(tmp_path, {"settings.py": SETTINGS, "app.py": USES_SETTINGS})
    assert rules(root, monkeypatch) == ["CL009"]
    call_before = (root / "app.py").read_text()
    costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    assert (root / "app.py").read_text() == call_before
    assert (root / "settings.py").read_text() == (
        '# Models used across the app.\nMODEL = "claude-sonnet-5-5"  # pinned\n'
    )
    assert rules(root, monkeypatch) == []


def test_one_definition_used_by_two_agreeing_sites_is_changed_once(tmp_path, monkeypatch):
    second = USES_SETTINGS.replace("def summarize", "def summarize_again")
    root = project(tmp_path, {"settings.py": SETTINGS, "app.py": USES_SETTINGS, "more.py": second})
    assert rules(root, monkeypatch) == ["CL009", "CL009"]
    result = costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    assert 'MODEL = "claude-sonnet-5-5"' in (root / "settings.py").read_text()
    assert "Fixed 2 finding(s) (0 remaining)." in result.stdout


def test_a_definition_whose_uses_disagree_is_skipped_with_the_reason(tmp_path, monkeypatch):
    root = project(
        tmp_path,
        {"settings.py": TOP_SETTINGS, "simple.py": SIMPLE_USE, "complex.py": COMPLEX_USE},
    )
    assert rules(root, monkeypatch) == ["CL004"]
    before = snapshot(root)
    result = costlint(
        root, "check", "--fix", "--unsafe-fixes", "--show-fixes", monkeypatch=monkeypatch
    )
    assert snapshot(root) == before
    assert "simple.py:7 CL004 settings.py:1 is also used by 1 call site(s)" in result.stderr
    assert "Fixed 0 finding(s) (1 remaining)." in result.stdout


def test_a_yaml_model_id_is_fixed_in_place(tmp_path, monkeypatch):
    config = (
        "# bot\nclaude_config:\n  model: 'claude-3-haiku-20240307'   # old one\n"
        "  max_tokens: 300\n  system_prompt: Write a detailed analysis of the ticket.\n"
    )
    root = project(tmp_path, {"config.yaml": config})
    assert rules(root, monkeypatch) == ["CL009"]
    costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    assert (root / "config.yaml").read_text() == config.replace(
        "claude-3-haiku-20240307", "claude-haiku-5-5"
    )
    assert rules(root, monkeypatch) == []


ODD = '''\
# -*- coding: utf-8 -*-
"""Módulo with odd formatting."""
import anthropic   # the SDK
client = anthropic.Anthropic( )

def  ask (q) :  # two spaces
    # a comment before the call
    r = client.messages.create( model = "claude-3-5-sonnet-20241022" ,   # retired
        max_tokens=(2000),  # parenthesised
        messages = [ { "role" : "user" , "content" : f"Write an essay on {q}" } ] ,  # tail
    )
    return r  ;  # trailing semicolon
x = [1,
     2 ,3]   # unrelated
'''


def test_edits_are_lossless_around_comments_and_odd_formatting(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": ODD})
    (root / "app.py").write_text(ODD)  # exactly, not dedented
    costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    after = (root / "app.py").read_text()
    assert after == ODD.replace("claude-3-5-sonnet-20241022", "claude-sonnet-5-5")
    assert rules(root, monkeypatch) == []


def _finding() -> Finding:
    return Finding("CL009", "legacy-model", "error", "app.py", 2, 1, "m")


def test_an_edit_that_would_not_parse_is_refused(monkeypatch):
    source = 'X = "claude-3-5-sonnet-20241022"\n'
    edit = Edit(
        "app.py", ReplaceLiteral(1, "claude-3-5-sonnet-20241022", "claude-sonnet-5-5"), True, "m"
    )
    edit.findings.append(_finding())
    after, done, _ = edit_python(source, [edit])
    assert done and after == 'X = "claude-sonnet-5-5"\n'

    import costlint.autofix.apply as applier

    monkeypatch.setattr(applier, "python_parses", lambda text: False)
    after, done, skipped = edit_python(source, [edit])
    assert after == source and done == []
    assert "would not parse" in skipped[0].reason


def test_an_edit_that_no_longer_fits_the_file_is_skipped(tmp_path):
    (tmp_path / "app.py").write_text("import anthropic\nx = 1\n")
    action = SetArgument(Span(2, 5, 2, 40), "timeout", None, 1800)
    edit = Edit("app.py", action, False, "timeout", [_finding()])
    applied = apply_edits(tmp_path, [edit])
    assert applied.changes == []
    assert "not where the scan saw it" in applied.skipped[0].reason


def test_unsafe_fixes_and_show_fixes_need_fix_or_diff(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": RETIRED})
    result = costlint(root, "check", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "work with --fix or --diff" in result.output


def test_check_without_fix_does_not_import_libcst(tmp_path):
    root = project(tmp_path, {"app.py": RETIRED})
    code = textwrap.dedent(
        """
        import sys
        from costlint.cli import main
        try:
            main(["check", "--tokens", "estimate", "--no-cache", "."])
        except SystemExit:
            pass
        print("libcst" in sys.modules)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env=env
    )
    assert proc.stdout.strip().splitlines()[-1] == "False", proc.stderr


def test_explain_says_whether_a_rule_is_fixable(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert "Autofix\nsafe: adds a block-level cache_control" in (
        runner.invoke(main, ["explain", "CL002"]).output
    )
    assert "unsafe: lowers max_tokens" in runner.invoke(main, ["explain", "CL001"]).output
    assert "not fixable automatically" in runner.invoke(main, ["explain", "CL005"]).output


def test_a_notebook_is_not_edited_and_the_skip_says_why(tmp_path, monkeypatch):
    import json

    cell = RETIRED.strip().splitlines(keepends=True)
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": []}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    root = project(tmp_path, {})
    (root / "nb.ipynb").write_text(json.dumps(notebook))
    assert rules(root, monkeypatch) == ["CL009"]
    before = (root / "nb.ipynb").read_text()
    result = costlint(root, "check", "--fix", "--show-fixes", monkeypatch=monkeypatch)
    assert (root / "nb.ipynb").read_text() == before
    assert "CL009 notebooks are not fixed" in result.stderr


TWO_MODELS = """
import anthropic
client = anthropic.Anthropic()

def summarize(text, fast=False):
    model = "claude-3-haiku-20240307" if fast else "claude-3-5-sonnet-20241022"
    return client.messages.create(model=model, max_tokens=2000,
                                  messages=[{"role": "user",
                                             "content": f"Write an essay on {text}"}])
"""


def test_a_model_with_several_values_is_skipped_with_the_values(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": TWO_MODELS})
    assert rules(root, monkeypatch) == ["CL009"]
    before = snapshot(root)
    result = costlint(
        root, "check", "--fix", "--unsafe-fixes", "--show-fixes", monkeypatch=monkeypatch
    )
    assert snapshot(root) == before
    assert "CL009 model can take 2 values here" in result.stderr


def test_a_promptfoo_provider_keeps_its_prefix(tmp_path, monkeypatch):
    config = (
        'prompts:\n  - "Write an essay about {{topic}}"\nproviders:\n'
        "  - anthropic:messages:claude-3-haiku-20240307  # cheap one\n"
    )
    root = project(tmp_path, {"promptfooconfig.yaml": config})
    assert rules(root, monkeypatch) == ["CL009"]
    costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    assert (root / "promptfooconfig.yaml").read_text() == config.replace(
        "claude-3-haiku-20240307", "claude-haiku-5-5"
    )


FROM_JSON = """
import json
import anthropic
client = anthropic.Anthropic()

def summarize(text):
    with open("settings.json") as handle:
        settings = json.load(handle)
    return client.messages.create(model=settings["model"], max_tokens=2000,
                                  messages=[{"role": "user",
                                             "content": f"Write an essay on {text}"}])
"""

FROM_YAML = FROM_JSON.replace("import json", "import yaml").replace(
    'with open("settings.json") as handle:\n        settings = json.load(handle)',
    'settings = yaml.safe_load(open("settings.yaml"))',
)


@pytest.mark.parametrize(
    ("name", "code", "config"),
    [
        ("settings.json", FROM_JSON, '{\n  "model": "claude-3-5-sonnet-20241022",\n  "n": 1\n}\n'),
        ("settings.yaml", FROM_YAML, "# app\nmodel: claude-3-5-sonnet-20241022  # pinned\n"),
    ],
)
def test_a_model_read_from_a_config_file_is_fixed_in_that_file(
    tmp_path, monkeypatch, name, code, config
):
    root = project(tmp_path, {"app.py": code, name: config})
    assert rules(root, monkeypatch) == ["CL009"]
    call_before = (root / "app.py").read_text()
    costlint(root, "check", "--fix", monkeypatch=monkeypatch)
    assert (root / "app.py").read_text() == call_before
    assert (root / name).read_text() == config.replace(
        "claude-3-5-sonnet-20241022", "claude-sonnet-5-5"
    )
    assert rules(root, monkeypatch) == []


def test_the_summary_is_printed_with_exit_zero_and_on_stderr_for_json(tmp_path, monkeypatch):
    root = project(tmp_path, {"app.py": YES_NO})
    result = costlint(root, "check", "--fix", "--exit-zero", monkeypatch=monkeypatch)
    assert result.exit_code == 0
    assert "Fixed 0 finding(s) (1 remaining). 1 hidden fix(es)" in result.stdout
    result = costlint(root, "check", "--fix", "--format", "json", monkeypatch=monkeypatch)
    assert "Fixed 0 finding(s)" in result.stderr and "Fixed" not in result.stdout
