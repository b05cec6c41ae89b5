"""JSON output: the contract CI scripts rely on (``version`` 1)."""

from __future__ import annotations

import json

VERSION = 1


def payload(result) -> dict:
    return {
        "version": VERSION,
        "findings": [finding.to_json() for finding in result.findings],
        "diagnostics": [diagnostic.to_json() for diagnostic in result.diagnostics],
    }


def render(result) -> str:
    return json.dumps(payload(result), indent=2, ensure_ascii=False) + "\n"
