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
    filename = example.get("filename", "example.py")
    files = {filename: example["code"]}
    files.update(example.get("files", {}))
    result = scan(tmp_path, files, select=[rule.id])
    found = [f for f in result.findings if f.rule == rule.id]
    if kind == "flag":
        assert found, f"{rule.id} example {index} must be flagged; diagnostics={result.diagnostics}"
        if "message_contains" in example:
            assert example["message_contains"] in found[0].message
        for finding in found:  # the typed fix is one the check declares (its REMEDIES)
            assert finding.remedy.kind in rule.remedy_kinds(), finding.remedy
    else:
        assert not found, f"{rule.id} pass example {index} was flagged: {found[0].message}"


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
