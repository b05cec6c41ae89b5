"""promptfoo prompt functions read statically, never run (issue 14, item 5)."""

from __future__ import annotations

from helpers import scan

CONFIG = """\
prompts:
  - {prompt}
providers:
  - id: anthropic:messages:claude-opus-5-5
    config:
      max_tokens: 100000
tests:
  - vars: {{ticket: my card was charged twice}}
"""

PROMPTS_PY = """
import sys

RULES = "Classify the ticket into one of: billing, bug, other. Respond with only the label."


def classify(context):
    sys.exit("never run")
    return f"{RULES}\\nTicket: {context['vars']['ticket']}"


def chat(context):
    return [
        {"role": "system", "content": RULES},
        {"role": "user", "content": context["vars"]["ticket"]},
    ]


def branches(context):
    if context["vars"]:
        return "a"
    return "b"
"""

CORE = ["CL001", "CL002", "CL003", "CL004"]


def run(tmp_path, prompt):
    files = {"promptfooconfig.yaml": CONFIG.format(prompt=prompt), "prompts.py": PROMPTS_PY}
    return scan(tmp_path, files, select=CORE)


def test_file_prompt_function_returning_text_is_counted_and_judged(tmp_path):
    result = run(tmp_path, "file://prompts.py:classify")
    (site,) = result.sites
    content = site.args["messages"][0]["content"]
    assert content.startswith("Classify the ticket") and content.holes == 1
    assert sorted(f.rule for f in result.findings) == ["CL001", "CL004"]


def test_bare_prompt_function_returning_a_chat_sets_the_system_prompt(tmp_path):
    result = run(tmp_path, "prompts.py:chat")
    (site,) = result.sites
    assert str(site.args["system"]).startswith("Classify the ticket")
    assert site.args["messages"][0]["role"] == "user"


def test_prompt_function_with_several_returns_is_a_diagnostic(tmp_path):
    result = run(tmp_path, "file://prompts.py:branches")
    (site,) = result.sites
    assert "messages" not in site.args
    assert any("not static" in d.message for d in result.diagnostics)


def test_prompt_function_filling_a_template_by_replace_is_read(tmp_path):
    prompts = '''
import textwrap

LABELS = "billing, bug, other"


def fill(context):
    ticket = context["vars"]["ticket"]
    prompt = textwrap.dedent("""
    Classify the ticket into one of: {{labels}}. Respond with only the label.
    <ticket>{{ticket}}</ticket>
    """).replace("{{labels}}", LABELS).replace("{{ticket}}", ticket)
    return prompt
'''
    config = CONFIG.format(prompt="file://prompts.py:fill")
    result = scan(tmp_path, {"promptfooconfig.yaml": config, "prompts.py": prompts}, select=CORE)
    (site,) = result.sites
    content = site.args["messages"][0]["content"]
    assert "billing, bug, other" in content and content.holes == 1
    assert content.strip().startswith("Classify the ticket")
