"""Markdown for a pull-request comment or a job summary (layout after infracost's comment).

Top to bottom: a hidden marker (so a bot can find and update its comment), the headline
total, the per-call-site table, collapsible details (savings per finding, unpriced sites,
assumptions), and a footer.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..comment.marker import MARKER  # the one `costlint comment` finds and updates
from ..fixes import OutputCap
from ..price import CostReport, FindingCost, SiteCost
from ..price import dollars as usd
from ..site import PARSE_ERROR
from ..units import tokens
from .text import finding_effect, overlap_note, star


def render(result: Any, costs: CostReport) -> str:
    parts = [MARKER, "#### 💰 costlint report", f"#### {headline(costs)}", ""]
    parts += diagnostics_section(result.diagnostics)
    if costs.sites:
        parts += [*site_table(costs), ""]
        parts += overlap_lines(costs)
        if costs.assumptions.defaults_used:
            parts += [
                r"\* default usage figure, not set for this call site in a usage file "
                "(`costlint report --write-usage`).",
                "",
            ]
    else:
        parts += [f"No Claude call sites in {result.files} file(s).", ""]
    parts += savings_details(costs)
    parts += failing_details(costs)
    parts += unpriced_details(costs)
    parts += assumptions_details(costs)
    parts.append(f"<sub>costlint {__version__} · formulas: docs/cost-model.md</sub>")
    return "\n".join(parts) + "\n"


def headline(costs: CostReport) -> str:
    if not costs.priced:
        unpriced = len(costs.unpriced)
        return (
            f"No call site could be priced ({unpriced} not priced)"
            if unpriced
            else ("No Claude call sites found")
        )
    now, after, saving = costs.total_now, costs.total_after, costs.total_saving
    spend = f"Projected Claude API spend {usd(now)}/month"
    if saving > 0:
        share = f" ({saving / now:.0%})" if now > 0 else ""
        return f"{spend}; fixes save {usd(saving)}/month{share} 📉 → {usd(after)}/month"
    if saving < 0:
        return f"{spend}; the suggested fixes add {usd(-saving)}/month 📈"
    return f"{spend}; no billed savings found"


def site_table(costs: CostReport) -> list[str]:
    rows = [
        "| Call site | Model | Tokens/call in→out | Calls/mo | Now | After | Saving "
        f"| Worst case/call ({worst_case_rules(costs)}) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for site in costs.sites:
        rows.append(_site_row(site))
    total_share = ""
    if costs.total_now > 0:
        total_share = f" ({costs.total_saving / costs.total_now:.0%})"
    rows.append(
        f"| **Total** ({len(costs.priced)} priced) | | | | **{usd(costs.total_now)}** | "
        f"**{usd(costs.total_after)}** | **{usd(costs.total_saving)}**{total_share} | |"
    )
    return rows


def overlap_lines(costs: CostReport) -> list[str]:
    """Sites whose findings' savings do not add up to the site's saving, and why."""
    lines = [f"- {code(s.address)}: {cell(overlap_note(s))}" for s in costs.sites if s.overlap]
    return [*lines, ""] if lines else []


def worst_case_rules(costs: CostReport) -> str:
    """The rules whose worst cases the column shows: those of the worst-case findings, or
    when there are none, every shipped rule whose fix is an output cap."""
    rules = {c.finding.rule for s in costs.sites for c in s.worst_cases}
    if not rules:
        from ..engine import load_rules, rules_with_remedy

        rules = set(rules_with_remedy(load_rules(), OutputCap.kind))
    return ", ".join(sorted(rules))


def _site_row(site: SiteCost) -> str:
    where = code(site.address)
    if site.failing is not None:
        return f"| {where} | {cell(site.model or '?')} | | | failing now: not spend | | | |"
    if site.per_run is not None:
        return (
            f"| {where} | {cell(site.model or '?')} | | once per run | {usd(site.per_run)}/run "
            "(not in totals) | | | |"
        )
    if site.unpriced is not None:
        return (
            f"| {where} | {cell(site.model or '?')} | | | not priced: {cell(site.unpriced)} | | | |"
        )
    usage = site.usage
    inputs = tokens(round(site.input_tokens or 0))
    if site.conversation:
        inputs += f" +{tokens(round(site.growth))}/turn × {usage.turns_per_conversation}"
        inputs += star(site, "turns_per_conversation")
    out = f"{tokens(round(site.output_tokens or 0))}{star(site, 'output_tokens')}"
    calls = f"{usage.calls_per_month:,.0f}{star(site, 'calls_per_month')}"
    worst = "; ".join(
        f"{usd(c.detail['worst_case_now'])} → {usd(c.detail['worst_case_after'])}"
        for c in site.worst_cases
    )
    saving = site.saving or 0.0
    return (
        f"| {where} | {cell(site.model or '?')} | {inputs}→{out} | {cell(calls)} | "
        f"{usd(site.now or 0)} | {usd(site.after or 0)} | {_signed(saving)} | {worst or '–'} |"
    )


def _signed(amount: float) -> str:
    if amount < 0:
        return f"+{usd(-amount)} (costs more)"
    return usd(amount) if amount else "–"


def diagnostics_section(diagnostics: list[Any]) -> list[str]:
    """Files not analysed (a file that does not parse first): shown, never collapsed, since
    their call sites are missing from the totals above."""
    if not diagnostics:
        return []
    ordered = sorted(diagnostics, key=lambda d: d.kind != PARSE_ERROR)
    lines = [f"**⚠️ {len(ordered)} file problem(s): call sites there are not in this report**", ""]
    for diagnostic in ordered:
        where = f"{diagnostic.path}:{diagnostic.line}" if diagnostic.line else diagnostic.path
        lines.append(f"- {code(where)}: {cell(diagnostic.message)}")
    return [*lines, ""]


def savings_details(costs: CostReport) -> list[str]:
    findings = sorted(costs.findings, key=_impact, reverse=True)
    if not findings:
        return []
    # the site totals, not the sum of the rows: fixes on one site can overlap
    total = usd(max(costs.total_saving, 0.0))
    summary = f"Savings available ({len(findings)} finding(s), est. {total}/month)"
    rows = [
        f"<details><summary>{summary}</summary>",
        "",
        "| Rule | Location | What to change | Est. $/mo | How |",
        "| --- | --- | --- | ---: | --- |",
    ]
    for cost in findings:
        f = cost.finding
        amount = usd(cost.saving) if cost.billed and cost.saving else "–"
        rows.append(
            f"| {f.rule} {f.name} | {code(f'{f.path}:{f.line}')} | {cell(f.fix or f.message)} | "
            f"{amount} | {cell(finding_effect(cost))} |"
        )
    return [*rows, "", "</details>", ""]


def _impact(cost: FindingCost) -> float:
    return cost.saving if cost.billed and cost.saving is not None else float("-inf")


def failing_details(costs: CostReport) -> list[str]:
    if not costs.failing:
        return []
    rows = [
        f"<details><summary>Failing now ({len(costs.failing)} call site(s), not spend, "
        "not in the totals)</summary>",
        "",
    ]
    rows += [
        f"- {code(site.address)}: {cell(site.failing or '')}; fix: {cell(site.fix or '')}"
        for site in costs.failing
    ]
    return [*rows, "", "</details>", ""]


def unpriced_details(costs: CostReport) -> list[str]:
    if not costs.unpriced:
        return []
    rows = [
        f"<details><summary>Not priced ({len(costs.unpriced)} call site(s), not in the totals)"
        "</summary>",
        "",
    ]
    rows += [f"- {code(site.address)}: {cell(site.unpriced or '')}" for site in costs.unpriced]
    return [*rows, "", "</details>", ""]


def assumptions_details(costs: CostReport) -> list[str]:
    lines = ["<details><summary>Assumptions</summary>", ""]
    lines += [f"- {cell(line)}" for line in costs.assumptions.lines()]
    return [*lines, "", "</details>", ""]


def cell(text: str) -> str:
    """Plain text safe inside a table cell: no pipes, no raw HTML, one line."""
    text = " ".join(str(text).split())
    return text.replace("|", r"\|").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str) -> str:
    """An inline code span safe inside a table cell."""
    text = " ".join(str(text).split()).replace("|", r"\|")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"
