"""Rule ids live in the checks and the rules YAML only: later stages use the typed fix."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "costlint"
RULE_ID = re.compile(r"\bCL\d{3}\b")
# An example of the config syntax in an error message: text for people, not a dispatch.
ALLOWED = {("config.py", "must be a table of rule tables, e.g. [tool.costlint.rules.CL002]")}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def rule_id_literals(path: Path) -> list[str]:
    """The string literals (f-string parts included, docstrings not) that name a rule id."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and RULE_ID.search(node.value)
    ]


def test_no_rule_id_literals_outside_the_checks():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "checks":
            continue
        for text in rule_id_literals(path):
            if (relative.as_posix(), text.strip()) not in ALLOWED:
                found.append(f"{relative}: {text!r}")
    assert not found, "\n".join(found)


def test_the_scan_sees_literals(tmp_path):
    sample = tmp_path / "sample.py"
    code = '"""Docs may say CL001."""\nif rule == "CL001":\n    x = f"({rule}, CL002)"\n'
    sample.write_text(code)
    assert rule_id_literals(sample) == ["CL001", ", CL002)"]


def test_a_files_address_is_decided_in_discovery_only():
    """No module but discovery knows how a path is prefixed or rooted (issue 12): the names
    of that hand-off appear nowhere else."""
    pattern = re.compile(r"path_prefix|source_root")
    found = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "discover.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
