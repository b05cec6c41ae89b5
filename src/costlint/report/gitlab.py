"""GitLab Code Quality report (``artifacts:reports:codequality``): a JSON array of issues.

Each issue: ``description``, ``check_name`` (the rule id), ``fingerprint`` (the finding's
stable fingerprint, see fingerprint.py; GitLab compares reports by it, so it must be unique
within one report), ``severity`` (info, minor, major, critical, blocker) and
``location.path`` (repository-relative) with ``location.lines.begin``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(result: Any, costs: Any = None) -> str:
    return json.dumps(issues(result.findings), indent=2) + "\n"


def issues(findings: list[Any]) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        fingerprint = finding.fingerprint
        count = seen.get(fingerprint, 0)
        seen[fingerprint] = count + 1
        if count:  # the same rule twice on one call: keep each issue distinct
            fingerprint = hashlib.sha256(f"{fingerprint}#{count}".encode()).hexdigest()
        description = f"{finding.rule} [{finding.name}] {finding.message}"
        if finding.fix:
            description += f" Fix: {finding.fix}"
        out.append(
            {
                "type": "issue",
                "description": description,
                "check_name": finding.rule,
                "categories": ["Performance"],
                "fingerprint": fingerprint,
                "severity": SEVERITIES.get(finding.severity, "minor"),
                "location": {"path": finding.repo_path, "lines": {"begin": finding.line}},
            }
        )
    return out
