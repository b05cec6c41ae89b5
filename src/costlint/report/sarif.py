"""SARIF 2.1.0 for GitHub code scanning (``github/codeql-action/upload-sarif``).

What GitHub requires and uses: ``$schema``, ``version``, ``runs[].tool.driver`` with ``name``
and ``rules[]`` (``id``, short and full description, ``help``), and ``results[]`` with a
``message.text`` and one physical location whose URI is relative to the repository root.
``partialFingerprints`` come from costlint.fingerprint: they never include a line number, so
moving code does not reopen alerts.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..fingerprint import SARIF_KEY
from ..price import CostReport, money
from ..site import PARSE_ERROR

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/costlint/"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
MAX_TEXT = 1024  # GitHub's limit for short and full descriptions


def render(result: Any, costs: CostReport | None = None) -> str:
    """Locations and addresses are repository-relative, as GitHub resolves them."""
    return json.dumps(document(result, costs), indent=2) + "\n"


def document(result: Any, costs: CostReport | None = None) -> dict[str, Any]:
    rules = list(result.rules)
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = [_result(f, index, costs) for f in result.findings if f.rule in index]
    doc: dict[str, Any] = {
        "$schema": SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "costlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "results": results,
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "repository root"}}},
            }
        ],
    }
    if result.diagnostics:
        doc["runs"][0]["invocations"] = [invocation(result.diagnostics)]
    return doc


def invocation(diagnostics: list[Any]) -> dict[str, Any]:
    """Files not analysed, as tool notifications: the run itself still succeeded."""
    return {
        "executionSuccessful": True,
        "toolExecutionNotifications": [_notification(d) for d in diagnostics],
    }


def _notification(diagnostic: Any) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": diagnostic.path, "uriBaseId": "%SRCROOT%"}
    }
    if diagnostic.line:
        physical["region"] = {"startLine": diagnostic.line}
    return {
        "level": "error" if diagnostic.kind == PARSE_ERROR else "warning",
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": physical}],
        "descriptor": {"id": diagnostic.kind or "file-not-analysed"},
    }


def rule_descriptor(rule: Any) -> dict[str, Any]:
    docs = rule.docs
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _clip(rule.summary)},
        "fullDescription": {"text": _clip(_paragraph(docs.get("what", rule.summary)))},
        "help": {"text": help_text(rule), "markdown": help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"tags": ["cost", rule.category], "precision": "medium"},
    }


def help_text(rule: Any) -> str:
    docs = rule.docs
    sections = [
        ("What it does", docs.get("what")),
        ("Why is this bad?", docs.get("why")),
        ("Example", docs.get("example")),
        ("Use instead", docs.get("use_instead")),
        ("Cost model", docs.get("cost_model")),
    ]
    return "\n\n".join(f"{title}\n{body.strip()}" for title, body in sections if body)


def help_markdown(rule: Any) -> str:
    docs = rule.docs
    parts = [f"**{rule.id} {rule.name}**: {rule.summary}"]
    for title, key in (("What it does", "what"), ("Why is this bad?", "why")):
        if docs.get(key):
            parts.append(f"### {title}\n{docs[key].strip()}")
    for title, key in (("Example", "example"), ("Use instead", "use_instead")):
        if docs.get(key):
            parts.append(f"### {title}\n```python\n{docs[key].rstrip()}\n```")
    if docs.get("cost_model"):
        parts.append(f"### Cost model\n{docs['cost_model'].strip()}")
    return "\n\n".join(parts)


def _result(
    finding: Any,
    index: dict[str, int],
    costs: CostReport | None,
) -> dict[str, Any]:
    cost = costs.for_finding(finding) if costs is not None else None
    text = finding.message.rstrip(".") + "."
    if finding.fix:
        text += f" Fix: {finding.fix}."
    properties: dict[str, Any] = {
        "token_source": finding.tokens.source if finding.tokens else None,
        "token_count": finding.tokens.count if finding.tokens else None,
    }
    if finding.site is not None:
        properties["address"] = finding.site.repo_address
    if cost is not None:
        properties["savings_kind"] = cost.kind
        properties["savings_usd_month"] = money(cost.saving) if cost.kind == "saving" else None
        properties["savings_note"] = cost.note
        if cost.kind == "worst_case":
            properties["worst_case_usd_per_call_now"] = money(cost.detail["worst_case_now"])
            properties["worst_case_usd_per_call_after"] = money(cost.detail["worst_case_after"])
        if cost.billed and cost.saving and cost.saving > 0:
            text += f" Estimated saving: {_usd(cost.saving)}/month."
    if finding.cell is not None:
        properties["cell"] = finding.cell
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": text},
        "locations": [{"physicalLocation": _location(finding)}],
        "partialFingerprints": {SARIF_KEY: finding.fingerprint},
        "properties": properties,
    }
    if finding.defined_at is not None:
        result["relatedLocations"] = [_definition(finding.defined_at)]
    return result


def _definition(origin: Any) -> dict[str, Any]:
    """Where the value a finding is about is defined: the place to change it."""
    what = origin.name or "the value"
    return {
        "id": 1,
        "physicalLocation": {
            "artifactLocation": {"uri": origin.path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(1, origin.line)},
        },
        "message": {"text": f"{what} defined here"},
    }


def _location(finding: Any) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": finding.line, "startColumn": finding.column}
    span = finding.site.span if finding.site is not None else None
    if span is not None and span.line == finding.line and span.end_line:
        region["endLine"] = span.end_line
        if span.end_column:
            region["endColumn"] = span.end_column
    return {
        "artifactLocation": {"uri": finding.repo_path, "uriBaseId": "%SRCROOT%"},
        "region": region,
    }


def _usd(amount: float) -> str:
    from ..price import dollars

    return dollars(amount)


def _paragraph(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str) -> str:
    text = _paragraph(text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
