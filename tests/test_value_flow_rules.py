"""Rules, pricing and the per-file cache read candidate sets."""

from __future__ import annotations

import pytest
from helpers import scan

from costlint.price import price_run
from costlint.site import Candidate, Candidates, Origin, PromptSite, Span
from costlint.sitecodec import decode_candidates, encode_candidates

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"
CHOOSER = HEAD + (
    "def ask(q, model={default}):\n"
    "    return client.messages.create(model=model, max_tokens=300,\n"
    '        messages=[{{"role": "user", "content": "Say hi."}}])\n'
    'ask([], "claude-3-opus-20240229")\n'
    'ask([], "claude-3-haiku-20240307")\n'
)


def rules(result, rule):
    return [f for f in result.findings if f.rule == rule]


def test_legacy_rule_fires_once_when_every_candidate_is_old(tmp_path):
    result = scan(tmp_path, {"app.py": CHOOSER.format(default='"claude-3-haiku-20240307"')})
    [finding] = rules(result, "CL009")
    assert "every model this call can use" in finding.message
    assert "claude-3-haiku-20240307" in finding.message  # named by its default
    assert "set at app.py:3" in finding.message  # the default's definition


def test_a_current_default_in_the_set_is_not_a_finding(tmp_path):
    result = scan(tmp_path, {"app.py": CHOOSER.format(default='"claude-sonnet-5-5"')})
    assert not rules(result, "CL009")


def test_overkill_only_when_every_candidate_is_top_tier(tmp_path):
    body = HEAD + (
        "def label(text, model={default}):\n"
        "    return client.messages.create(model=model, max_tokens=5,\n"
        '        system="Classify the sentiment as positive or negative. Reply with one word.",\n'
        '        messages=[{{"role": "user", "content": text}}])\n'
        'label("great", "claude-opus-5-5")\n'
    )
    top = scan(tmp_path / "top", {"app.py": body.format(default='"claude-opus-5-5"')})
    mixed = scan(tmp_path / "mixed", {"app.py": body.format(default='"claude-haiku-5-5"')})
    assert rules(top, "CL004")
    assert not rules(mixed, "CL004")


def test_unknown_literal_candidates_reported_once_each(tmp_path):
    source = HEAD + (
        'MODELS = ["claude-sonnet-5-5", "claude-sonnet-9-latest",\n'
        '          "claude-sonnet-9-latest", "gpt-4o"]\n'
        "for m in MODELS:\n"
        "    client.messages.create(model=m, max_tokens=9, messages=[])\n"
    )
    found = rules(scan(tmp_path, {"app.py": source}), "CL010")
    assert len(found) == 1 and "claude-sonnet-9-latest" in found[0].message


def test_pricing_uses_the_default_candidate(tmp_path):
    result = scan(tmp_path, {"app.py": CHOOSER.format(default='"claude-sonnet-5-5"')})
    [site] = price_run(result).sites
    assert site.unpriced is None and site.model == "claude-sonnet-5-5"


def test_several_candidates_without_default_stay_unpriced_with_the_reason(tmp_path):
    result = scan(tmp_path, {"app.py": CHOOSER.format(default="None")})
    [site] = price_run(result).sites
    assert site.unpriced == (
        "model has several candidates and no default: name one in the usage file"
    )


def test_codec_round_trips_candidates_and_keeps_only_model_ids():
    found = {
        "model": Candidates(
            [
                Candidate("claude-haiku-5-5", Origin("a/b.py", 3), default=True),
                Candidate("claude-opus-5-5", None, overridable=True),
            ]
        ),
        "system": Candidates([Candidate("secret prompt text", Origin("p.py", 1))]),
    }
    back = decode_candidates(encode_candidates(found))
    assert back["model"] == found["model"]
    assert back["system"][0].value == "" and back["system"][0].origin == Origin("p.py", 1)


@pytest.mark.parametrize(
    "forged",
    [
        [["model", []]],  # an empty set
        [["model", [["x", ["a.py", -1], False, False]]]],  # a negative line
        [["model", [["x", None, "yes", False]]]],  # a flag that is not a boolean
        [[3, [["x", None, False, False]]]],  # a name that is not text
        [["model", [["x", None, False]]]],  # a short record
    ],
)
def test_codec_refuses_forged_candidates(forged):
    with pytest.raises((ValueError, TypeError)):
        decode_candidates([[f[0], [_as_encoded(item) for item in f[1]]] for f in forged])


def _as_encoded(item):
    value, *rest = item
    return [{"s": value}, *rest]


def test_cached_site_keeps_its_candidates(tmp_path):
    source = CHOOSER.format(default='"claude-sonnet-5-5"')
    first = scan(tmp_path, {"app.py": source})
    again = scan(tmp_path)
    assert again.sites[0].candidates == first.sites[0].candidates


def test_editing_a_caller_in_another_file_invalidates_the_cached_analysis(tmp_path):
    files = {
        "llm.py": HEAD
        + "def ask(q, model):\n"
        + "    return client.messages.create(model=model, max_tokens=9, messages=q)\n",
        "jobs.py": 'from llm import ask\nask([], "claude-sonnet-5-5")\n',
    }
    current = scan(tmp_path, files)
    assert not rules(current, "CL009")
    edited = scan(tmp_path, {"jobs.py": 'from llm import ask\nask([], "claude-3-opus-20240229")\n'})
    assert rules(edited, "CL009")


def test_site_without_candidates_is_unchanged():
    site = PromptSite(path="a.py", span=Span(1, 1), kind="messages.create")
    assert site.candidates == {}


# -- findings name where to change the value ------------------------------------------------

DEFINED_ELSEWHERE = {
    "app/__init__.py": "",
    "app/settings.py": '# models\nCLASSIFIER_MODEL = "claude-3-opus-20240229"\n',
    "app/llm.py": HEAD + "from app.settings import CLASSIFIER_MODEL\n\n\ndef classify(q):\n"
    "    return client.messages.create(model=CLASSIFIER_MODEL, max_tokens=300,\n"
    '        messages=[{"role": "user", "content": q}])\n',
}


def test_a_finding_about_a_value_defined_elsewhere_carries_its_definition(tmp_path):
    result = scan(tmp_path, DEFINED_ELSEWHERE)
    [finding] = rules(result, "CL009")
    assert finding.to_json()["defined_at"] == {
        "path": "app/settings.py",
        "line": 2,
        "name": "CLASSIFIER_MODEL",
    }


def test_a_finding_about_a_value_written_at_the_call_has_no_separate_definition(tmp_path):
    source = HEAD + (
        'client.messages.create(model="claude-3-opus-20240229", max_tokens=300,\n'
        '    messages=[{"role": "user", "content": "hi"}])\n'
    )
    [finding] = rules(scan(tmp_path, {"app.py": source}), "CL009")
    assert finding.defined_at is None
    assert "defined_at" not in finding.to_json()


def test_sarif_lists_the_definition_under_related_locations(tmp_path):
    from costlint.report.sarif import document

    result = scan(tmp_path, DEFINED_ELSEWHERE)
    results = document(result)["runs"][0]["results"]
    [legacy] = [r for r in results if r["ruleId"] == "CL009"]
    [related] = legacy["relatedLocations"]
    assert related["message"]["text"] == "CLASSIFIER_MODEL defined here"
    location = related["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == (
        "app/settings.py",
        2,
    )


def test_the_definition_survives_the_per_file_cache(tmp_path):
    first = rules(scan(tmp_path, DEFINED_ELSEWHERE), "CL009")[0].defined_at
    replayed = rules(scan(tmp_path), "CL009")[0].defined_at
    assert first == replayed == Origin("app/settings.py", 2, "CLASSIFIER_MODEL")


def test_a_promptfoo_model_gives_one_finding_per_config_line_not_per_prompt(tmp_path):
    config = (
        "prompts:\n  - file://prompts/a.txt\n  - file://prompts/b.txt\n"
        "providers:\n  - id: anthropic:messages:claude-3-opus-20240229\n"
        "  - id: anthropic:messages:claude-3-haiku-20240307\n"
    )
    files = {
        "promptfooconfig.yaml": config,
        "prompts/a.txt": "Be brief about {{question}}\n",
        "prompts/b.txt": "Be thorough about {{question}}\n",
    }
    result = scan(tmp_path, files)
    assert len(result.sites) == 4  # each prompt with each provider
    assert sorted(f.line for f in rules(result, "CL009")) == [5, 6]


def test_an_empty_getenv_default_is_an_unresolved_model_not_an_unknown_one(tmp_path):
    """`os.getenv("CLAUDE_MODEL", "")`: the id is set at run time; no CL010 for '' and the
    site is unpriced because the model is not resolved."""
    source = """
import os
import anthropic
client = anthropic.Anthropic()
MODEL = os.getenv("CLAUDE_MODEL", "")

def ask(question):
    return client.messages.create(model=MODEL, max_tokens=300,
        messages=[{"role": "user", "content": question}])
"""
    result = scan(tmp_path, {"app.py": source})
    assert "CL010" not in [f.rule for f in result.findings]
    (cost,) = result.costs.sites
    assert cost.unpriced is not None and cost.unpriced.startswith("model not resolved")
