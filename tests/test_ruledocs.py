"""docs/rules/ is generated from the rule YAML and must be kept fresh."""

from __future__ import annotations

from pathlib import Path

from costlint.engine import load_rules
from costlint.ruledocs import (
    INDEX,
    REGENERATE,
    expected_pages,
    render_rule_page,
    write_docs,
)

GENERATED_MARK = "generated from the rule's YAML"
# This checkout's pages (not the installed package's neighbourhood: CI installs non-editable).
DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def test_docs_rules_pages_are_fresh_and_none_is_missing():
    folder = DOCS
    stale = []
    for name, text in expected_pages().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    assert not stale, f"stale or missing docs/rules pages {stale}: run `{REGENERATE}`"


def test_no_generated_page_is_left_for_a_rule_that_is_gone():
    expected = set(expected_pages())
    leftovers = [
        path.name
        for path in DOCS.glob("*.md")
        if path.name not in expected and GENERATED_MARK in path.read_text(encoding="utf-8")
    ]
    assert not leftovers, f"delete {leftovers} and run `{REGENERATE}`"


def test_a_page_carries_the_yaml_sections_parameters_and_examples():
    rule = next(r for r in load_rules() if r.id == "CL001")
    page = render_rule_page(rule)
    assert page.startswith("<!-- " + GENERATED_MARK)
    assert "# CL001 oversized-max-tokens" in page
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Cost model"):
        assert f"## {heading}\n" in page
    assert "| `ratio` | `8` |" in page and "| `min_max_tokens` | `1024` |" in page
    assert 'Expected: line 3, column 3: "max_tokens=100,000' in page
    assert "### Not flagged (1): `example.py`" in page
    assert "```yaml\nclaude_config:" in page


def test_write_docs_writes_every_page_and_the_index(tmp_path):
    written = write_docs(tmp_path)
    names = {path.name for path in written}
    assert names == {f"{rule.id}.md" for rule in load_rules()} | {INDEX}
    assert "[CL002](CL002.md)" in (tmp_path / INDEX).read_text(encoding="utf-8")
