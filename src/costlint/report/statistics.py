"""``--statistics``: how many findings each rule has, most first (like ``ruff --statistics``)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any


def counts(findings: list[Any]) -> list[tuple[str, str, int]]:
    """(rule id, rule name, count), most findings first, then by rule id."""
    by_rule = Counter((f.rule, f.name) for f in findings)
    return sorted(((rule, name, n) for (rule, name), n in by_rule.items()),
                  key=lambda row: (-row[2], row[0]))  # fmt: skip


def render_text(findings: list[Any]) -> str:
    rows = counts(findings)
    if not rows:
        return ""
    width = len(str(rows[0][2]))
    return "".join(f"{n:>{width}}\t{rule}\t{name}\n" for rule, name, n in rows)


def render_json(findings: list[Any]) -> str:
    rows = [{"code": rule, "name": name, "count": n} for rule, name, n in counts(findings)]
    return json.dumps(rows, indent=2) + "\n"
