"""Every rule's YAML examples run as tests: a rule cannot ship untested."""

from __future__ import annotations

import pytest
from helpers import scan

from costlint.engine import load_rules

RULES = load_rules()
CASES = [
    pytest.param(rule, kind, index, example, id=f"{rule.id}-{kind}-{index}")
    for rule in RULES
    for kind in ("flag", "pass")
    for index, example in enumerate(rule.examples.get(kind, []))
]


def test_every_rule_has_examples_both_ways():
    for rule in RULES:
        assert rule.examples.get("flag"), f"{rule.id} has no must-flag example"
        assert rule.examples.get("pass"), f"{rule.id} has no must-pass example"


@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES)
def test_rule_example(tmp_path, rule, kind, index, example):
    """A flag example yields exactly its expected findings (line, column, message fragment)."""
    result = scan(tmp_path, example.all_files(), select=[rule.id])
    found = [f for f in result.findings if f.rule == rule.id]
    where = f"{rule.id} {kind} example {index}"
    if kind == "pass":
        assert not found, f"{where} was flagged: {found[0].message}"
        return
    assert found, f"{where} must be flagged; diagnostics={result.diagnostics}"
    assert all(f.path == example.filename for f in found), [f.path for f in found]
    remaining = list(found)
    for expected in example.expect:
        match = next((f for f in remaining if _fits(f, expected)), None)
        assert match is not None, f"{where}: no finding fits {expected}; found " + "; ".join(
            f"{f.line}:{f.column} {f.message}" for f in remaining
        )
        remaining.remove(match)
    for finding in found:  # the typed fix is one the check declares (its REMEDIES)
        assert finding.remedy.kind in rule.remedy_kinds(), finding.remedy
    assert not remaining, f"{where}: unexpected findings " + "; ".join(
        f"{f.line}:{f.column} {f.message}" for f in remaining
    )


def _fits(finding, expected) -> bool:
    return (
        finding.line == expected.line
        and (expected.column is None or finding.column == expected.column)
        and expected.message in finding.message
    )


def test_an_expectation_fits_only_its_line_column_and_message():
    from costlint.ruleschema import Expected
    from costlint.site import Finding

    finding = Finding("CL001", "x", "warning", "example.py", 5, 12, "max_tokens=64,000 for a")
    assert _fits(finding, Expected(5, "max_tokens=64,000", 12))
    assert _fits(finding, Expected(5, "for a"))
    assert not _fits(finding, Expected(6, "max_tokens=64,000", 12))
    assert not _fits(finding, Expected(5, "max_tokens=64,000", 13))
    assert not _fits(finding, Expected(5, "max_tokens=8,192", 12))


def test_every_check_declares_its_fix_kinds():
    for rule in RULES:
        assert rule.remedy_kinds(), f"{rule.id}: costlint.checks.{rule.check} has no REMEDIES"


def test_rules_mirror_is_fresh():
    """rules/rules.json must match the YAML files: run `python -m costlint.engine` after edits."""
    from costlint.engine import MIRROR, _digest, _read_mirror, rules_dir

    folder = rules_dir()
    sources = {path.name: _digest(path) for path in sorted(folder.glob("*.yaml"))}
    assert (folder / MIRROR).is_file()
    assert _read_mirror(folder, sources) is not None, "stale rules.json: python -m costlint.engine"
