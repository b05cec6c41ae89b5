"""Fixes that work as printed: the cache fix names the TTL its saving assumes, leads with
top-level cache_control= only for an SDK that has it, and cloud clients get their own ids."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import write

from costlint.cli import main
from costlint.fixes import cache_control_fix, with_cache_ttl

MANUAL_APP = """
import anthropic

client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 120


def answer(question):
    return client.messages.create(
        model="claude-sonnet-5-5", max_tokens=1024, system=MANUAL,
        messages=[{"role": "user", "content": question}],
    )
"""

CHAT = """
import anthropic

class Chat:
    def __init__(self):
        self.client = anthropic.Anthropic()
        self.history = []

    def send(self, text):
        self.history.append({"role": "user", "content": text})
        reply = self.client.messages.create(model="claude-sonnet-5-5", max_tokens=2048,
            system="You are terse.", messages=self.history)
        self.history.append({"role": "assistant", "content": reply.content[0].text})
        return reply
"""

STATIC_APP = """
import anthropic

client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 120


def refund_rules():
    return client.messages.create(
        model="claude-sonnet-5-5", max_tokens=1024, system=MANUAL,
        messages=[{"role": "user", "content": "List the refund rules as bullets."}],
    )
"""

TOP = 'pass cache_control={"type": "ephemeral"'
BLOCK = 'add cache_control={"type": "ephemeral"'


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": MANUAL_APP, "chat.py": CHAT})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fixes(*args: str) -> dict[str, str]:
    result = CliRunner().invoke(
        main, ["check", "--format", "json", "--tokens", "estimate", "--no-cache", *args]
    )
    assert result.exit_code in (0, 1), result.output
    return {f["rule"]: f["fix"] for f in json.loads(result.stdout)["findings"]}


def usage(root, calls: int) -> None:
    (root / "costlint-usage.yaml").write_text(
        f"defaults:\n  calls_per_month: {calls}\n  output_tokens: 400\n"
    )


def test_the_cache_fix_names_the_1h_ttl_when_the_saving_assumes_it(project):
    usage(project, 10_000)  # a call every ~4 minutes: the 1-hour cache pays best
    fix = fixes()["CL002"]
    assert '{"type": "ephemeral", "ttl": "1h"}' in fix
    assert fix.endswith("the saving assumes the 1-hour TTL")


def test_the_cache_fix_names_the_5m_ttl_when_the_saving_assumes_it(project):
    usage(project, 2_000_000)  # many calls a minute: the 5-minute cache is as warm and cheaper
    fix = fixes()["CL002"]
    assert '"ttl"' not in fix
    assert fix.endswith("the saving assumes the default 5-minute TTL")


@pytest.mark.parametrize(
    ("requirements", "first", "mentions_top_level"),
    [
        (None, BLOCK, True),  # unknown SDK: block-level first, top-level as the alternative
        ("anthropic>=0.30\n", BLOCK, True),  # a floor below 2.0 without a ceiling: unknown
        ("anthropic==2.3.0\n", TOP, True),
        ("anthropic==0.49.0\n", BLOCK, False),
    ],
)
def test_top_level_cache_control_leads_only_when_the_pinned_sdk_has_it(
    project, requirements, first, mentions_top_level
):
    if requirements is not None:
        (project / "requirements.txt").write_text(requirements)
    (project / "app.py").write_text(STATIC_APP)  # the same request on every call
    fix = fixes()["CL002"]
    assert fix.startswith(first)
    assert (TOP in fix) is mentions_top_level
    history_fix = fixes()["CL003"]
    assert history_fix.startswith("pass" if first == TOP else "put")


@pytest.mark.parametrize("requirements", [None, "anthropic==2.3.0\n"])
def test_top_level_caching_is_never_offered_when_a_per_call_message_ends_the_request(
    project, requirements
):
    """Automatic caching would put the breakpoint on the per-call question: nothing reads it."""
    if requirements is not None:
        (project / "requirements.txt").write_text(requirements)
    fix = fixes()["CL002"]
    assert fix.startswith(BLOCK)
    assert TOP not in fix and "per-call message" in fix


def test_fix_helpers():
    assert cache_control_fix("b", "c", True) == "c (or b)"
    assert cache_control_fix("b", "c", None).startswith("b (or, with anthropic >= 2.0, c")
    assert cache_control_fix("BLOCK", "CALL", False).startswith("BLOCK (the pinned")
    assert "CALL" not in cache_control_fix("BLOCK", "CALL", False)
    once = with_cache_ttl('x={"type": "ephemeral"}', "1h")
    assert with_cache_ttl(once, "1h") == once  # pricing twice names the TTL once


CLOUD = """
import anthropic

bedrock = anthropic.AnthropicBedrock()
vertex = anthropic.AnthropicVertex(region="us-east5", project_id="p")


def classify(review):
    return bedrock.messages.create(
        model="us.anthropic.claude-opus-4-5-20251101-v1:0",
        max_tokens=10,
        system="Classify the sentiment of the review as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}],
    )


def summarize(text):
    return vertex.messages.create(
        model="claude-sonnet-4@20250514",
        max_tokens=300,
        messages=[{"role": "user", "content": text}],
    )
"""


def test_cloud_clients_get_ids_in_their_own_format(project):
    write(project, {"app.py": CLOUD, "chat.py": ""})
    result = CliRunner().invoke(
        main, ["check", "--format", "json", "--tokens", "estimate", "--no-cache"]
    )
    found = {(f["rule"], f["line"]): f["fix"] for f in json.loads(result.stdout)["findings"]}
    # Bedrock: the catalog's Bedrock id, behind the call's cross-region prefix
    assert found[("CL004", 9)] == 'use model="us.anthropic.claude-haiku-5-5"'
    assert found[("CL009", 9)].startswith('use model="us.anthropic.claude-opus-5-5"')
    assert "us.anthropic.claude-haiku-5-5" in found[("CL009", 9)]  # the joint plan's pick
    # Vertex AI: current models have the Claude API id there
    assert found[("CL009", 18)] == 'use model="claude-sonnet-5-5"'


def test_an_id_the_catalog_does_not_know_for_the_platform_is_marked_unverified():
    from costlint.catalog import id_for_platform, load_catalog, platform_of

    catalog = load_catalog()
    fable = catalog.resolve("claude-fable-5-2")  # no platform ids in the catalog
    target = id_for_platform(fable, "anthropic.claude-opus-4-1-20250805-v1:0")
    assert (target.id, target.verified) == ("anthropic.claude-fable-5-2", False)
    assert "unverified" in target.display()
    haiku = catalog.resolve("claude-haiku-5-5")
    assert id_for_platform(haiku, "claude-opus-4-1@20250805").id == "claude-haiku-5-5"
    assert id_for_platform(haiku, "claude-opus-4-1").id == "claude-haiku-5-5"
    assert platform_of("eu.anthropic.claude-sonnet-4-6") == "bedrock"
    assert platform_of("claude-sonnet-4-6") is None


LATE_BLOCK = """
import anthropic

client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 300


def answer(question):
    return client.messages.create(
        model="claude-sonnet-5-5", max_tokens=1024,
        messages=[{"role": "user", "content": f"Question: {question}\\n\\nManual:\\n{MANUAL}"}],
    )
"""


def test_a_late_stable_block_is_priced_moved_in_front_and_cached(project):
    write(project, {"app.py": LATE_BLOCK, "chat.py": ""})
    result = CliRunner().invoke(
        main, ["report", "--format", "json", "--tokens", "estimate", "--no-cache"]
    )
    (site,) = json.loads(result.stdout)["cost"]["call_sites"]
    (finding,) = [f for f in site["findings"] if f["rule"] == "CL002"]
    saving = float(finding["savings"]["usd_per_month"])
    assert saving > 0 and "moved before the per-call text" in finding["savings"]["note"]
    # the site's joint plan applies the same move: its saving is the finding's
    assert float(site["usd_per_month_saving"]) == pytest.approx(saving, abs=1e-6)
    # and most of the input is the block: the saving is most of the input cost
    assert saving > 0.5 * float(site["usd_per_month_now"]) * 0.5
