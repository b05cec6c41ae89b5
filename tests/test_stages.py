"""Each stage on its own, its input built by hand: what one stage hands the next."""

from __future__ import annotations

from pathlib import Path

from costlint.catalog import load_catalog
from costlint.config import Config
from costlint.count import count_sites
from costlint.discover import discover
from costlint.engine import Engine, load_rules
from costlint.extract.python import extract_python
from costlint.fingerprint import fingerprint_at
from costlint.price import price_run
from costlint.site import Finding, PromptSite, Span, Str, TokenCount
from costlint.tokens import TokenCounter

CLASSIFIER = """import anthropic
client = anthropic.Anthropic()

def tag(review):
    return client.messages.create(model="claude-opus-5-5", max_tokens=10,
        system="Classify the sentiment as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}])
"""


def classifier_site() -> PromptSite:
    """What the Python front-end hands on for CLASSIFIER, written out by hand."""
    return PromptSite(
        path="app/tag.py",
        span=Span(5, 12, 7, 56),
        kind="messages.create",
        qualname="tag",
        args={
            "model": Str("claude-opus-5-5"),
            "max_tokens": 10,
            "system": Str("Classify the sentiment as positive, negative or neutral."),
            "messages": [{"role": "user", "content": Str.hole("review")}],
        },
        repeated=True,
        repo_path="svc/app/tag.py",
        call_text="client.messages.create(model=...)",
    )


def test_discover_gives_each_file_its_run_and_repository_paths(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc" / "app").mkdir(parents=True)
    (tmp_path / "svc" / "app" / "tag.py").write_text(CLASSIFIER)
    config = Config(root=tmp_path)
    [source] = discover([], config, tmp_path / "svc")
    assert (source.rel, source.repo_rel, source.kind) == ("app/tag.py", "svc/app/tag.py", "python")


def test_extract_turns_source_text_into_a_site() -> None:
    result = extract_python(CLASSIFIER, "app/tag.py", Path("/nowhere/app/tag.py"), None)
    [site] = result.sites
    assert (site.kind, site.qualname, site.span.line) == ("messages.create", "tag", 5)
    assert site.args["model"] == "claude-opus-5-5" and site.args["max_tokens"] == 10
    assert site.repeated


def test_count_fills_tokens_on_a_hand_built_site() -> None:
    site = classifier_site()
    count_sites([site], load_catalog(), TokenCounter("estimate", cache_dir=None))
    assert site.tokens["input"].source == "estimate"
    assert 0 < site.tokens["prefix"].count <= site.tokens["input"].count


def test_rules_turn_a_site_literal_into_a_finding_with_its_fingerprint() -> None:
    engine = Engine(load_rules(), select=["CL004"], catalog=load_catalog())
    [finding] = engine.run([classifier_site()])
    assert (finding.rule, finding.path, finding.line, finding.column) == (
        "CL004",
        "app/tag.py",
        5,
        12,
    )
    assert "claude-opus-5-5" in finding.message and finding.remedy.kind == "model-switch"
    assert finding.fingerprint == fingerprint_at(finding, "svc/app/tag.py")


class _Run:
    """The part of a Run that pricing reads."""

    def __init__(self, sites: list[PromptSite], findings: list[Finding]) -> None:
        self.sites, self.findings, self.catalog = sites, findings, load_catalog()


def test_price_turns_a_finding_into_a_saving() -> None:
    site = classifier_site()
    site.tokens = {"prefix": TokenCount(20, "estimate"), "input": TokenCount(200, "estimate")}
    engine = Engine(load_rules(), select=["CL004"], catalog=load_catalog())
    findings = engine.run([site])
    costs = price_run(_Run([site], findings))
    [site_cost] = costs.sites
    assert site_cost.address == "svc/app/tag.py::tag"  # usage files key on the repository path
    [finding_cost] = costs.findings
    assert finding_cost.billed and finding_cost.saving > 0
    assert site_cost.after < site_cost.now
