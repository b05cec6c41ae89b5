"""YAML prompt configs, promptfoo, .prompty and dotprompt files as inputs to the core rules."""

from __future__ import annotations

import time

import pytest
from helpers import scan

from costlint.extract.yaml_compose import MAX_NODES
from costlint.extract.yaml_requests import claude_model, text_with_holes

CONFIG = """\
claude_config:
  model: claude-opus-5-5
  max_tokens: 100000
  system_prompt: |
    You are a support classifier. Output JSON only: {category, confidence}
"""
CORE = ["CL001", "CL002", "CL003", "CL004"]


def _found(result) -> list[tuple[str, str, int]]:
    return sorted((f.rule, f.path, f.line) for f in result.findings)


def test_claude_config_is_cl001_on_max_tokens_and_cl004_on_model(tmp_path):
    result = scan(tmp_path, {"config.yaml": CONFIG}, select=CORE)
    assert _found(result) == [("CL001", "config.yaml", 3), ("CL004", "config.yaml", 2)]
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["CL001"].column == 3 and by_rule["CL004"].column == 3
    assert "claude-haiku" in by_rule["CL004"].fix
    (site,) = result.sites
    assert (site.kind, site.frontend, site.qualname, site.repeated) == (
        "yaml-config",
        "yaml",
        "claude_config",
        True,
    )
    assert site.args["system"].startswith("You are a support classifier.")
    assert not result.diagnostics


def test_python_findings_still_point_at_the_call(tmp_path):
    code = (
        "import anthropic\nclient = anthropic.Anthropic()\n\ndef label(t):\n"
        "    return client.messages.create(\n"  # line 5
        '        model="claude-opus-5-5",\n'
        "        max_tokens=100000,\n"
        '        system="You are a support classifier. Output JSON only: {category, confidence}",\n'
        '        messages=[{"role": "user", "content": t}])\n'
    )
    result = scan(tmp_path, {"app.py": code}, select=CORE)
    assert _found(result) == [("CL001", "app.py", 5), ("CL004", "app.py", 5)]


def test_nested_configs_in_lists_and_other_spellings(tmp_path):
    config = """\
agents:
  - name: router
    llm:
      model: "anthropic/claude-opus-5-5"
      max_tokens: 32000
      prompt: "Route the ticket: which team should handle it? Respond with only the team."
  - name: writer
    llm: {model: claude-sonnet-5-5, max_tokens: 8000, system: Write a detailed report.}
"""
    result = scan(tmp_path, {"agents.yml": config}, select=CORE)
    assert _found(result) == [("CL001", "agents.yml", 5), ("CL004", "agents.yml", 4)]
    assert [s.qualname for s in result.sites] == ["agents[0].llm", "agents[1].llm"]
    router = result.sites[0]
    assert router.args["model"] == "claude-opus-5-5"
    assert router.args["messages"][0]["role"] == "user"


def test_long_config_system_prompt_is_cl002_unless_cached(tmp_path):
    policy = "Refunds are issued within 30 days of purchase when the item is unused. " * 120
    uncached = f"support:\n  model: claude-sonnet-5-5\n  max_tokens: 1024\n  system: {policy}\n"
    cached = (
        "support:\n  model: claude-sonnet-5-5\n  max_tokens: 1024\n"
        "  cache_control: {type: ephemeral}\n"
        f"  system: {policy}\n"
    )
    result = scan(tmp_path, {"a.yaml": uncached, "b.yaml": cached}, select=CORE)
    assert _found(result) == [("CL002", "a.yaml", 2)]


def test_suppression_comment_on_the_key_line(tmp_path):
    config = CONFIG.replace("max_tokens: 100000", "max_tokens: 100000  # costlint: ignore[CL001]")
    result = scan(tmp_path, {"config.yaml": config}, select=CORE)
    assert _found(result) == [("CL004", "config.yaml", 2)]


def test_suppression_comment_on_the_line_that_opens_the_request(tmp_path):
    config = CONFIG.replace("claude_config:", "claude_config:  # costlint: ignore[CL004]")
    result = scan(tmp_path, {"config.yaml": config}, select=CORE)
    assert _found(result) == [("CL001", "config.yaml", 3)]


@pytest.mark.parametrize(
    "text",
    [
        "on: push\njobs:\n  test:\n    env:\n      ANTHROPIC_API_KEY: x\n    steps: [run: make]\n",
        "model: gpt-4o\nmax_tokens: 100000\nsystem: Classify into one of: a, b.\n",
        "dependencies:\n  '@anthropic-ai/claude-agent-sdk': 1.0.0\n",
        "model: claude-opus-5-5\ndescription: no request keys here\n",
        "- just\n- a list\n",
    ],
)
def test_other_yaml_gives_no_sites_and_no_diagnostics(tmp_path, text):
    result = scan(tmp_path, {"x.yaml": text})
    assert result.sites == [] and result.diagnostics == []


def test_invalid_yaml_that_names_a_claude_model_is_a_diagnostic(tmp_path):
    result = scan(tmp_path, {"x.yaml": "model: claude-opus-5-5\n  max_tokens: [1, 2\n"})
    assert result.sites == []
    (diagnostic,) = result.diagnostics
    assert diagnostic.path == "x.yaml" and diagnostic.message.startswith("invalid YAML")


# -- hostile YAML -----------------------------------------------------------------------------
def _billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines += [
        "claude_config:",
        "  model: claude-opus-5-5",
        "  max_tokens: 100",
        f"  system: *a{levels}",
    ]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly(tmp_path):
    started = time.monotonic()
    result = scan(tmp_path, {"bomb.yaml": _billion_laughs()})
    elapsed = time.monotonic() - started
    assert result.sites == []
    (diagnostic,) = result.diagnostics
    assert diagnostic.path == "bomb.yaml"
    assert f"over {MAX_NODES:,} YAML nodes" in diagnostic.message
    assert elapsed < 2, elapsed  # measured ~0.1 s: 9**9 expansions are never made


def test_recursive_alias_and_python_tags_construct_nothing(tmp_path):
    recursive = "loop: &x [1, *x]\nc:\n  model: claude-opus-5-5\n  max_tokens: 10\n"
    tagged = (
        "run: !!python/object/apply:os.system ['touch PWNED']\n"
        "c:\n  model: claude-haiku-4-5\n  max_tokens: 16\n"
        "  system: !!python/object/new:str Answer yes or no.\n"
    )
    result = scan(tmp_path, {"recursive.yaml": recursive, "tagged.yaml": tagged})
    assert not (tmp_path / "PWNED").exists()
    assert [d.path for d in result.diagnostics] == ["recursive.yaml"]
    assert "recursive YAML alias" in result.diagnostics[0].message
    (site,) = result.sites
    assert site.args["system"] == "Answer yes or no."  # read as text, never constructed


def test_shared_config_through_a_merge_key(tmp_path):
    config = """\
defaults: &defaults
  model: claude-opus-5-5
  max_tokens: 100000
classifier:
  <<: *defaults
  system: Classify the sentiment as positive, negative or neutral.
"""
    result = scan(tmp_path, {"c.yaml": config}, select=CORE)
    assert _found(result) == [("CL001", "c.yaml", 3), ("CL004", "c.yaml", 2)]


# -- promptfoo ----------------------------------------------------------------------------------
PROMPTFOO = """\
description: ticket triage
prompts:
  - file://prompts/classify.txt
providers:
  - id: anthropic:messages:claude-opus-5-5
    config:
      max_tokens: 100000
      temperature: 0
  - openai:gpt-4o
tests:
  - vars: {ticket: my card was charged twice}
"""


def test_promptfoo_provider_and_file_prompt(tmp_path):
    files = {
        "evals/promptfooconfig.yaml": PROMPTFOO,
        "evals/prompts/classify.txt": (
            "Classify the ticket into one of: billing, bug, other. Respond with only the label.\n"
            "Ticket: {{ticket}}\n"
        ),
    }
    result = scan(tmp_path, files, select=CORE)
    path = "evals/promptfooconfig.yaml"
    assert _found(result) == [("CL001", path, 7), ("CL004", path, 5)]
    (site,) = result.sites
    assert (site.kind, site.frontend, site.qualname) == ("promptfoo", "yaml", "providers[0]")
    content = site.args["messages"][0]["content"]
    assert content.startswith("Classify the ticket") and content.holes == 1


def test_promptfoo_absolute_glob_reads_nothing_outside_the_project(tmp_path):
    """``file:///...*`` names files outside the repository: never read (no crash either)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Answer yes or no: leaked?\n")
    config = PROMPTFOO.replace("file://prompts/classify.txt", f"file://{outside}/*.txt")
    result = scan(tmp_path / "project", {"promptfooconfig.yaml": config})
    [site] = result.sites
    assert not site.args.get("messages")
    assert "leaked" not in repr(site.args)


def test_promptfoo_inline_prompts_string_providers_and_chat_json(tmp_path):
    config = """\
prompts:
  - "Answer yes or no: is this message spam? {{message}}"
  - file://chat.json
providers:
  - anthropic:messages:claude-haiku-4-5
  - bedrock:us.anthropic.claude-opus-4-1-20250805-v1:0
"""
    chat = '[{"role": "system", "content": "Be terse."}, {"role": "user", "content": "{{q}}"}]'
    result = scan(tmp_path, {"promptfooconfig.yaml": config, "chat.json": chat})
    models = [(s.qualname, s.ordinal, s.args["model"]) for s in result.sites]
    assert models == [
        ("providers[0]", 0, "claude-haiku-4-5"),
        ("providers[0]", 1, "claude-haiku-4-5"),
        ("providers[1]", 0, "us.anthropic.claude-opus-4-1-20250805-v1:0"),
        ("providers[1]", 1, "us.anthropic.claude-opus-4-1-20250805-v1:0"),
    ]
    chat_site = result.sites[1]
    assert chat_site.args["system"] == "Be terse."
    assert chat_site.args["messages"][0]["role"] == "user"


def test_promptfoo_prompt_outside_the_repository_is_not_read(tmp_path):
    (tmp_path / "secret.txt").write_text("Answer yes or no: SECRET")
    config = PROMPTFOO.replace("file://prompts/classify.txt", "file://../secret.txt")
    result = scan(tmp_path / "repo", {"promptfooconfig.yaml": config})
    (site,) = result.sites
    assert "messages" not in site.args
    assert any("not found inside the repository" in d.message for d in result.diagnostics)


# -- .prompty and dotprompt ----------------------------------------------------------------------
PROMPTY = """\
---
name: Billing triage
model:
  api: chat
  configuration:
    type: anthropic
    model: claude-opus-5-5
  parameters:
    max_tokens: 64000
sample:
  question: was I charged twice?
---
system:
You are a support classifier. Answer yes or no: is the message about billing?

{% for item in history %}
{{item.role}}:
{{item.content}}
{% endfor %}

user:
{{question}}
"""


def test_prompty_front_matter_body_and_history_loop(tmp_path):
    result = scan(tmp_path, {"triage.prompty": PROMPTY}, select=CORE)
    assert _found(result) == [
        ("CL001", "triage.prompty", 9),
        ("CL003", "triage.prompty", 16),
        ("CL004", "triage.prompty", 7),
    ]
    request = next(s for s in result.sites if s.kind == "prompty")
    assert request.qualname == "Billing triage"
    assert str(request.args["system"]).startswith("You are a support classifier.")
    assert [m["role"] for m in request.args["messages"]] == ["user"]
    assert request.args["messages"][-1]["content"].holes == 1


def test_prompty_for_another_provider_is_ignored(tmp_path):
    text = PROMPTY.replace("type: anthropic", "type: openai").replace("claude-opus-5-5", "gpt-4o")
    result = scan(tmp_path, {"t.prompty": text.replace("claude", "")})
    assert result.sites == [] and result.diagnostics == []


def test_prompty_with_a_hostile_body_is_a_diagnostic(tmp_path):
    text = PROMPTY.replace("{{question}}", "{{ cycler.__init__.__globals__ }}")
    result = scan(tmp_path, {"t.prompty": text}, select=CORE)
    assert [d.path for d in result.diagnostics] == ["t.prompty"]
    assert "refused by the sandbox" in result.diagnostics[0].message
    assert ("CL004", "t.prompty", 7) not in _found(result)  # no prompt text, no intent


DOTPROMPT = """\
---
model: anthropic/claude-opus-5-5
config:
  maxOutputTokens: 50000
  temperature: 0.1
input:
  schema:
    text: string
---
{{! a Handlebars comment }}
{{role "system"}}
Route the ticket: which team should handle it? Respond with only the team.
{{#if text}}{{role "user"}}
{{text}}{{/if}}
"""


def test_dotprompt_front_matter_and_handlebars_body(tmp_path):
    result = scan(tmp_path, {"route.prompt": DOTPROMPT}, select=CORE)
    assert _found(result) == [("CL001", "route.prompt", 4), ("CL004", "route.prompt", 2)]
    (site,) = result.sites
    assert (site.kind, site.frontend, site.args["model"]) == (
        "dotprompt",
        "dotprompt",
        "claude-opus-5-5",
    )
    assert str(site.args["system"]).startswith("Route the ticket")
    assert "{{" not in str(site.args["system"])
    assert site.args["messages"][0]["content"].holes == 1


def test_dotprompt_for_gemini_is_ignored(tmp_path):
    text = DOTPROMPT.replace("anthropic/claude-opus-5-5", "googleai/gemini-2.5-pro")
    result = scan(tmp_path, {"g.prompt": text})
    assert result.sites == [] and result.diagnostics == []


# -- helpers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("claude-opus-5-5", "claude-opus-5-5"),
        ("anthropic/claude-haiku-4-5", "claude-haiku-4-5"),
        ("vertex_ai/claude-sonnet-4-5", "claude-sonnet-4-5"),
        (
            "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
            "anthropic.claude-3-haiku-20240307-v1:0",
        ),
        ("gpt-4o", None),
        (42, None),
    ],
)
def test_claude_model_ids(value, expected):
    assert claude_model(value) == expected


def test_text_with_holes_marks_template_parts():
    text = text_with_holes("Hi {{ user.name }}{# note #}, {% if x %}see {doc}{% endif %}.", 0)
    assert str(text) == "Hi {user.name}, see {doc}."
    assert (text.holes, text.first_hole) == (2, 3)
    literal = text_with_holes("JSON only: {category, confidence}", 0)
    assert literal.holes == 0


def test_a_finding_listed_once_for_several_prompts_is_worth_all_their_savings(tmp_path):
    """One provider line, two prompts: two call sites, one CL009 finding on the model line,
    whose saving is the sum of both sites' savings (each site keeps its own)."""
    config = """\
prompts:
  - "Answer yes or no: is this message spam? {{message}}"
  - "Translate this sentence into French and explain each word in detail: {{text}}"
providers:
  - anthropic:messages:claude-haiku-4-5
"""
    result = scan(tmp_path, {"promptfooconfig.yaml": config})
    assert len(result.sites) == 2
    (listed,) = [f for f in result.findings if f.rule == "CL009"]
    per_site = [
        c.saving for s in result.costs.sites for c in s.findings if c.finding.rule == "CL009"
    ]
    assert len(per_site) == 2 and all(saving > 0 for saving in per_site)
    cost = result.costs.for_finding(listed)
    assert cost.saving == pytest.approx(sum(per_site))
    assert cost.detail["call_sites"] == 2
