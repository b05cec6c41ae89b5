"""Terminal output: ``path:line:col: <rule> [<name>] message``, plus savings.

``render`` is what ``costlint check`` prints (findings, each with a savings line);
``render_report`` is what ``costlint report`` prints (cost per call site, totals, assumptions).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..price import CostReport, FindingCost, SiteCost, dollars
from ..site import Finding
from ..units import tokens

TOKEN_SOURCES = {"estimate": "estimate", "api": "API count", "cache": "API count, cached"}


def location(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:{finding.line}:{finding.column}"
    return f"{finding.path}:{finding.line}:{finding.column}"


def render(
    result: Any, costs: CostReport | None = None, *, quiet: bool = False, style: Any = None
) -> str:
    """``style`` (report.terminal.Style) adds colour and source lines with carets."""
    lines: list[str] = []
    for finding in result.findings:
        if style is None:
            lines.append(f"{location(finding)}: {finding.rule} [{finding.name}] {finding.message}")
        else:
            from .terminal import source_excerpt

            lines.append(
                f"{style.paint(location(finding), 'path')}: "
                f"{style.paint(finding.rule, finding.severity)} [{finding.name}] {finding.message}"
            )
            lines.extend(source_excerpt(finding, style))
        if finding.fix:
            fix = "fix:" if style is None else style.paint("fix:", "fix")
            lines.append(f"    {fix} {finding.fix}")
        cost = costs.for_finding(finding) if costs is not None else None
        line = savings_line(cost) if cost is not None else None
        if line:
            lines.append(f"    {line}")
    if not quiet:
        if costs is not None and result.findings:
            lines.append(savings_summary(costs))
        lines.append(summary(result))
    return "\n".join(lines) + "\n" if lines else ""


def summary(result: Any) -> str:
    count = len(result.findings)
    if not count:
        return f"No findings in {result.files} file(s) ({len(result.sites)} Claude call site(s))."
    by_rule = Counter(f.rule for f in result.findings)
    detail = ", ".join(f"{rule}: {n}" for rule, n in sorted(by_rule.items()))
    files = len({f.path for f in result.findings})
    noun = "finding" if count == 1 else "findings"
    return f"Found {count} {noun} ({detail}) in {files} of {result.files} file(s)."


# ---------------------------------------------------------------------------- shared pieces


def star(site: SiteCost, name: str) -> str:
    """'*' after a figure that is a default rather than a value set for this call site."""
    return "*" if site.usage.is_default(name) else ""


def per_month(amount: float) -> str:
    return f"{dollars(amount)}/month"


def savings_line(cost: FindingCost) -> str | None:
    """The line ``check`` prints under a finding; None when the rule has no cost model."""
    if cost.kind == "worst_case":
        return cost.note
    if cost.kind == "unpriced":
        return f"saving: not priced: {cost.note}"
    if cost.kind != "saving" or cost.saving is None:
        return None
    usage = _site_calls(cost)
    if cost.saving == 0:
        return f"saving: none: {cost.note}"
    if cost.saving < 0:
        return f"cost: +{per_month(-cost.saving)} with {cost.note}{usage}"
    return f"saving: ~{per_month(cost.saving)} with {cost.note}{usage}"


def _site_calls(cost: FindingCost) -> str:
    if cost.calls_per_month is None:
        return ""
    mark = "*" if cost.calls_default else ""
    sites = cost.detail.get("call_sites", 1)
    across = f" across {sites} call sites" if sites > 1 else ""
    return f" (at {cost.calls_per_month:,.0f}{mark} calls/month{across})"


def savings_summary(costs: CostReport) -> str:
    billed = [c for c in costs.findings if c.billed and (c.saving or 0) > 0]
    unpriced = [c for c in costs.findings if c.kind == "unpriced"]
    text = (
        f"Estimated saving: ~{per_month(costs.total_saving)} across "
        f"{len(costs.priced)} priced call site(s)"
    )
    if costs.assumptions.defaults_used:
        text += " (default usage figures)"
    if unpriced:
        text += f"; {len(unpriced)} finding(s) not priced"
    if billed or unpriced:
        text += ". Assumptions and per-site costs: costlint report"
    return text + "."


def shape(site: SiteCost) -> str:
    """Model, tokens, output and volume of a priced site, defaults marked with *."""
    source = TOKEN_SOURCES.get(site.token_source or "", site.token_source or "unknown")
    usage = site.usage
    calls = f"{usage.calls_per_month:,.0f}{star(site, 'calls_per_month')} calls/month"
    if site.per_run is not None:
        calls = "once per run"
    output = f"{tokens(round(site.output_tokens or 0))}{star(site, 'output_tokens')} output"
    if site.conversation:
        turns = usage.turns_per_conversation
        conversations = usage.calls_per_month / max(turns, 1)
        return (
            f"{site.model} · {tokens(round(site.input_tokens or 0))} input tokens at turn 1 "
            f"+{tokens(round(site.growth))}/turn ({source}) · {output} · "
            f"{turns}{star(site, 'turns_per_conversation')} turns · {calls} "
            f"({conversations:,.0f} conversations)"
        )
    return (
        f"{site.model} · {tokens(round(site.input_tokens or 0))} input tokens/call ({source}) "
        f"· {output} · {calls}"
    )


def finding_effect(cost: FindingCost) -> str:
    """What a finding is worth, for the report's per-finding line."""
    if cost.kind == "worst_case":
        return cost.note.replace("(not a billed saving)", "(not a billed saving, not in totals)")
    if cost.kind == "unpriced":
        return f"not priced: {cost.note}"
    if cost.kind != "saving" or cost.saving is None:
        return cost.note or "no cost estimate"
    if cost.saving == 0:
        return f"no saving: {cost.note}"
    if cost.saving < 0:
        return f"costs {per_month(-cost.saving)} more with {cost.note}"
    return f"saves {per_month(cost.saving)} with {cost.note}"


# ---------------------------------------------------------------------------- report


def render_report(result: Any, costs: CostReport) -> str:
    lines = ["costlint report: projected Claude API spend per call site (USD)", ""]
    if not costs.sites:
        lines.append(f"No Claude call sites in {result.files} file(s).")
    for site in costs.sites:
        lines.extend(_site_block(site))
        lines.append("")
    lines.extend(totals(costs))
    lines += ["", "Assumptions"]
    lines.extend(f"  - {line}" for line in costs.assumptions.lines())
    if costs.assumptions.defaults_used:
        lines.append(
            "  - write a usage file to fill in: costlint report --write-usage "
            "(then edit costlint-usage.yaml)"
        )
    return "\n".join(lines) + "\n"


def _site_block(site: SiteCost) -> list[str]:
    lines = [f"{site.address}  (line {site.site.span.line})"]
    if site.failing is not None:
        lines.append(f"  failing now: {site.failing}; not spend, not in the totals")
        lines.append(f"  fix: {site.fix}")
    elif site.unpriced is not None:
        lines.append(f"  not priced: {site.unpriced}")
    elif site.per_run is not None:
        lines.append(f"  {shape(site)}")
        lines.append(
            f"  one-shot call ({site.one_shot}): {dollars(site.per_run)} per run; not in the "
            "monthly totals (give it calls_per_month in the usage file)"
        )
    else:
        lines.append(f"  {shape(site)}")
        now, after = site.now or 0.0, site.after or 0.0
        if site.saving and abs(site.saving) > 0:
            change = "saves" if site.saving > 0 else "costs more:"
            lines.append(
                f"  now {per_month(now)} -> after fixes {per_month(after)} "
                f"({change} {per_month(abs(site.saving))})"
            )
        else:
            lines.append(f"  now {per_month(now)}")
        if site.callers:
            lines.append(f"  {callers_note(site)}")
    for cost in site.findings:
        lines.append(f"  {cost.finding.rule} {cost.finding.name}: {finding_effect(cost)}")
    if site.overlap:
        lines.append(f"  {overlap_note(site)}")
    return lines


def callers_note(site: SiteCost) -> str:
    """A site priced per caller: how many callers, and their range of cost per call."""
    low, high = (1000 * amount for amount in site.per_call_range or (0.0, 0.0))
    span = dollars(low) if dollars(low) == dollars(high) else f"{dollars(low)}-{dollars(high)}"
    unread = site.callers_unresolved
    left = f"; {unread} more caller(s) bring a prompt costlint cannot read" if unread else ""
    return (
        f"prompt from {len(site.callers)} caller(s): {span} per 1,000 calls; the month "
        f"assumes the calls split evenly across them{left}"
    )


def overlap_note(site: SiteCost) -> str:
    """Why the site's saving is not the sum of its findings' savings."""
    return (
        f"savings overlap: the site saves {per_month(site.saving or 0.0)}, not the sum "
        f"({per_month(site.savings_alone)}); the totals use the joint plan"
    )


def totals(costs: CostReport) -> list[str]:
    now, after, saving = costs.total_now, costs.total_after, costs.total_saving
    share = f" ({saving / now:.0%})" if now > 0 else ""
    lines = [
        f"Total ({len(costs.priced)} priced call site(s)): now {per_month(now)}, "
        f"after fixes {per_month(after)}, saving {per_month(saving)}{share}"
    ]
    worst = [c for s in costs.sites for c in s.worst_cases]
    if worst:
        rules = ", ".join(sorted({c.finding.rule for c in worst}))
        lines.append(
            f"Worst case per call ({rules}, {len(worst)} finding(s)): not billed, not in the totals"
        )
    if costs.per_run:
        names = ", ".join(s.address for s in costs.per_run)
        lines.append(f"Priced per run, not in the monthly totals ({len(costs.per_run)}): {names}")
    if costs.failing:
        names = ", ".join(s.address for s in costs.failing)
        lines.append(f"Failing now, not in the totals ({len(costs.failing)}): {names}")
    if costs.unpriced:
        names = ", ".join(s.address for s in costs.unpriced)
        lines.append(f"Not priced, not in the totals ({len(costs.unpriced)}): {names}")
    return lines
