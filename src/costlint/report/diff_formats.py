"""``costlint diff`` as terminal text, JSON (money as decimal strings) and GitHub annotations."""

from __future__ import annotations

import json
from typing import Any

from ..diff import CostDiff, FindingRecord, SiteChange
from ..price import dollars as usd
from ..price import money
from .diff_markdown import SYMBOLS, headline, signed
from .github import annotation

VERSION = 1


def render_text(diff: CostDiff) -> str:
    lines = [
        f"{headline(diff)}",
        f"  before ({diff.base.label}): {usd(diff.before)}/month",
        f"  after  ({diff.head.label}): {usd(diff.after)}/month",
        f"  change: {signed(diff.delta, diff.before)}",
    ]
    for failure in diff.parse_failures:
        blocking = "; blocks the diff" if failure.blocking else ""
        lines.append(
            f"  does not parse on {failure.side}: {failure.path}{blocking} ({failure.message})"
        )
    if diff.moved:
        lines.append("")
    for change in diff.moved:
        lines.append(f"{SYMBOLS[change.status]} {change.address}: {signed(change.delta)}")
    for title, findings in (("introduced", diff.introduced), ("fixed", diff.fixed)):
        if findings:
            lines += ["", f"findings {title}:"]
            lines += [f"  {f.path}:{f.line or 0}: {f.rule} {f.message}" for f in findings]
    if diff.threshold is not None:
        state = "exceeded" if diff.exceeded else "passed"
        lines += ["", f"threshold {diff.threshold.describe()}: {state}"]
    return "\n".join(lines) + "\n"


def payload(diff: CostDiff) -> dict[str, Any]:
    return {
        "version": VERSION,
        "currency": "USD",
        "period": "month",
        "base": diff.base.label,
        "head": diff.head.label,
        "total": {
            "usd_per_month_before": money(diff.before),
            "usd_per_month_after": money(diff.after),
            "usd_per_month_delta": money(diff.delta),
            "percent": None if diff.percent is None else round(diff.percent, 2),
        },
        "threshold": None
        if diff.threshold is None
        else {"limit": diff.threshold.describe(), "exceeded": diff.exceeded},
        "call_sites": [_site(change) for change in diff.changes],
        "findings_introduced": [_finding(f) for f in diff.introduced],
        "findings_fixed": [_finding(f) for f in diff.fixed],
        "parse_errors": [
            {"path": f.path, "side": f.side, "message": f.message, "blocking": f.blocking}
            for f in diff.parse_failures
        ],
        "assumptions": diff.head.assumptions,
    }


def render_json(diff: CostDiff) -> str:
    return json.dumps(payload(diff), indent=2, ensure_ascii=False) + "\n"


def _site(change: SiteChange) -> dict[str, Any]:
    return {
        "address": change.address,
        "path": change.path,
        "status": change.status,
        "model_before": change.before.model if change.before else None,
        "model_after": change.after.model if change.after else None,
        "usd_per_month_before": money(change.before.cost) if change.before else None,
        "usd_per_month_after": money(change.after.cost) if change.after else None,
        "usd_per_month_delta": money(change.delta),
    }


def _finding(finding: FindingRecord) -> dict[str, Any]:
    return {
        "fingerprint": finding.fingerprint,
        "rule": finding.rule,
        "path": finding.path,
        "line": finding.line,
        "qualname": finding.qualname,
        "message": finding.message,
    }


def render_github(diff: CostDiff) -> str:
    """One annotation for the total, one per introduced finding; details in the summary."""
    level = "error" if diff.exceeded else "notice"
    lines = [annotation(level, headline(diff), title="costlint diff")]
    for failure in diff.parse_failures[:9]:
        lines.append(
            annotation(
                "error" if failure.blocking else "warning",
                f"does not parse on {failure.side}: {failure.message}",
                file=failure.path,
                title="costlint diff: file not analysed",
            )
        )
    for f in diff.introduced[:9]:
        lines.append(
            annotation(
                "warning",
                f"{f.rule} {f.message}",
                file=f.path,
                line=f.line or 1,
                title=f"costlint {f.rule} (new)",
            )
        )
    return "\n".join(lines) + "\n"
