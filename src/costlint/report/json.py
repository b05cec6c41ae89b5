"""JSON output: the contract CI scripts rely on (``version`` 1).

The finding fields (rule, name, severity, path, line, column, cell, message, fix, tokens) and
``diagnostics`` are the contract; pricing only adds fields: ``address`` and ``savings`` on
each finding and a top-level ``cost`` block. Money is a decimal string ("90.86"), never a
float, so that scripts can sum it exactly; unknown amounts are null, never "0".
"""

from __future__ import annotations

import json
from typing import Any

from ..price import CostReport, FindingCost, SiteCost, money

VERSION = 1
# Keys of FindingCost.detail that hold dollar amounts.
MONEY_KEYS = frozenset({"alternatives", "cached", "window", "worst_case_now", "worst_case_after"})


def payload(result: Any, costs: CostReport | None = None) -> dict[str, Any]:
    findings = []
    for finding in result.findings:
        data = finding.to_json()
        data["fingerprint"] = finding.fingerprint
        cost = costs.for_finding(finding) if costs is not None else None
        if finding.site is not None:
            data["address"] = finding.site.address
        if cost is not None:
            data["savings"] = finding_savings(cost)
        findings.append(data)
    out: dict[str, Any] = {
        "version": VERSION,
        "findings": findings,
        "diagnostics": [diagnostic.to_json() for diagnostic in result.diagnostics],
    }
    if costs is not None:
        out["cost"] = cost_payload(costs)
    return out


def render(result: Any, costs: CostReport | None = None) -> str:
    data = payload(result, costs)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def finding_savings(cost: FindingCost) -> dict[str, Any]:
    """kind: saving | worst_case | unpriced | none; usd_per_month only for a billed saving."""
    data: dict[str, Any] = {
        "kind": cost.kind,
        "usd_per_month": money(cost.saving) if cost.kind == "saving" else None,
        "note": cost.note,
    }
    for key, value in cost.detail.items():
        data[key] = _money_value(value) if key in MONEY_KEYS else value
    return data


def _money_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: money(amount) for key, amount in value.items()}
    return money(value)


def site_payload(site: SiteCost) -> dict[str, Any]:
    usage = site.usage
    return {
        "address": site.address,
        "path": site.site.path,
        "line": site.site.span.line,
        "cell": site.site.cell,
        "model": site.model,
        "input_tokens": _round(site.input_tokens),
        "token_source": site.token_source,
        "output_tokens": _round(site.output_tokens),
        "conversation": site.conversation,
        "growth_per_turn": _round(site.growth) if site.conversation else None,
        "usage": {
            "calls_per_month": usage.calls_per_month,
            "output_tokens": usage.output_tokens,
            "turns_per_conversation": usage.turns_per_conversation,
            "new_tokens_per_turn": usage.new_tokens_per_turn,
            "sources": dict(usage.sources),
        },
        "usd_per_month_now": money(site.now),
        "usd_per_month_after": money(site.after),
        "usd_per_month_saving": money(site.saving),
        "savings_overlap": site.overlap,
        "usd_per_month_findings_alone": money(site.savings_alone) if site.findings else None,
        "unpriced": site.unpriced,
        "failing": site.failing,
        "volume": "per_run" if site.per_run is not None else "monthly",
        "one_shot": site.one_shot,
        "usd_per_run": money(site.per_run),
        "fix": site.fix,
        **_callers(site),
        "findings": [
            {
                "rule": c.finding.rule,
                "line": c.finding.line,
                "savings": finding_savings(c),
                "in_plan": c.in_plan,
            }
            for c in site.findings
        ],
    }


def _callers(site: SiteCost) -> dict[str, Any]:
    """A site priced per caller (its prompt comes from its function's callers): how many
    callers are priced, the range of their cost per call, and each caller."""
    span = site.per_call_range
    if span is None:
        return {}
    return {
        "prompt_callers": len(site.callers),
        "prompt_callers_unresolved": site.callers_unresolved,
        "usd_per_call_range": [money(span[0]), money(span[1])],
        "callers": [
            {
                **(caller.origin.to_json() if caller.origin is not None else {}),
                "input_tokens": _round(caller.input_tokens),
                "usd_per_call": money(caller.per_call),
            }
            for caller in site.callers
        ],
    }


def cost_payload(costs: CostReport) -> dict[str, Any]:
    a = costs.assumptions
    return {
        "currency": "USD",
        "period": "month",
        "total": {
            "usd_per_month_now": money(costs.total_now),
            "usd_per_month_after": money(costs.total_after),
            "usd_per_month_saving": money(costs.total_saving),
            "priced_call_sites": len(costs.priced),
            "unpriced_call_sites": len(costs.unpriced),
            "failing_call_sites": len(costs.failing),
            "per_run_call_sites": len(costs.per_run),
        },
        "call_sites": [site_payload(site) for site in costs.sites],
        "assumptions": {
            "usage_file": a.usage_file,
            "defaults": a.defaults,
            "defaults_used": a.defaults_used,
            "catalog_verified": a.catalog_verified,
            "prices_as_of": a.prices_as_of,
            "token_sources": a.token_sources,
            "seconds_per_month": a.seconds_per_month,
            "arrivals": a.arrivals,
            **({"caller_priced_sites": a.caller_priced_sites} if a.caller_priced_sites else {}),
            "statements": a.lines(),
        },
    }


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)
