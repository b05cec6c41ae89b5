"""The pull-request comment for ``costlint diff`` (layout after infracost's cost comment).

Top to bottom: the hidden marker a CI job searches for to update its own comment, a headline
saying whether spend goes up or down and by how much, a before/after/delta table of totals,
the call sites that moved, collapsible findings introduced and fixed, estimate details, the
assumptions, the threshold verdict, and a footer.
"""

from __future__ import annotations

from .. import __version__
from ..diff import CostDiff, SiteChange
from ..price import dollars as usd
from .markdown import cell, code

MARKER = "<!-- costlint -->"
SYMBOLS = {"added": "+", "removed": "-", "changed": "~", "unchanged": " "}


def signed(delta: float | None, before: float | None = None) -> str:
    """ "+$41.00 (+100%)", "-$3.20 (-8%)", "$0.00"; "–" when unknown."""
    if delta is None:
        return "–"
    if abs(delta) < 0.005 and delta == 0:
        return "$0.00"
    text = f"+{usd(delta)}" if delta > 0 else usd(delta)
    if before:
        text += f" ({delta / before * 100:+.0f}%)"
    return text


def headline(diff: CostDiff) -> str:
    delta, share = diff.delta, diff.percent
    pct = f" ({share:+.0f}%)" if share is not None else ""
    if delta > 0.0:
        return f"Projected Claude spend increased by {usd(delta)}/month 📈{pct}"
    if delta < 0.0:
        return f"Projected Claude spend decreased by {usd(-delta)}/month 📉{pct}"
    return f"Projected Claude spend unchanged at {usd(diff.after)}/month"


def render(diff: CostDiff) -> str:
    parts = [MARKER, "#### 💰 costlint diff", f"#### {headline(diff)}", ""]
    parts += parse_failures(diff)
    parts += totals_table(diff)
    parts += site_table(diff)
    parts += findings_details("Findings introduced", diff.introduced)
    parts += findings_details("Findings fixed", diff.fixed)
    parts += estimate_details(diff)
    parts += assumptions_details(diff)
    parts += verdict(diff)
    parts.append(
        f"<sub>This comment is updated when the code changes · costlint {__version__} · "
        "formulas: docs/cost-model.md</sub>"
    )
    return "\n".join(parts) + "\n"


def parse_failures(diff: CostDiff) -> list[str]:
    """Files that do not parse on a side: counted as unchanged, and named so a reader knows."""
    if not diff.parse_failures:
        return []
    lines = ["**⚠️ Files that do not parse (their call sites are counted as unchanged):**", ""]
    for failure in diff.parse_failures:
        mark = " (blocks the diff)" if failure.blocking else ""
        lines.append(
            f"- {code(failure.path)} on {code(failure.side)}{mark}: {cell(failure.message)}"
        )
    return [*lines, ""]


def totals_table(diff: CostDiff) -> list[str]:
    return [
        f"| | Before ({code(diff.base.label)}) | After ({code(diff.head.label)}) | Change |",
        "| --- | ---: | ---: | ---: |",
        f"| Monthly total | {usd(diff.before)} | {usd(diff.after)} | "
        f"{signed(diff.delta, diff.before)} |",
        f"| Call sites | {len(diff.base.sites)} | {len(diff.head.sites)} | "
        f"{len(diff.head.sites) - len(diff.base.sites):+d} |",
        f"| Findings | {len(diff.base.findings)} | {len(diff.head.findings)} | "
        f"+{len(diff.introduced)} new, -{len(diff.fixed)} fixed |",
        "",
    ]


def site_table(diff: CostDiff) -> list[str]:
    moved = sorted(diff.moved, key=lambda c: -abs(c.delta or 0.0))
    if not moved:
        return ["No call site changed cost.", ""]
    rows = [
        "| Changed file | Call site | Model | Before | After | Change |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    rows += [_row(change) for change in moved]
    return [*rows, ""]


def _row(change: SiteChange) -> str:
    before = change.before.cost if change.before else None
    after = change.after.cost if change.after else None
    site = change.address.split("::", 1)[1] if "::" in change.address else change.address
    return (
        f"| {code(change.path)} | {code(site)} ({change.status}) | {cell(_model(change))} | "
        f"{_money(before, change.before is None)} | {_money(after, change.after is None)} | "
        f"{signed(change.delta, before)} |"
    )


def _model(change: SiteChange) -> str:
    old = change.before.model if change.before else None
    new = change.after.model if change.after else None
    if change.before and change.after and old != new:
        return f"{old or 'unknown'} → {new or 'unknown'}"
    return (new if change.after else old) or "unknown"


def _money(amount: float | None, absent: bool) -> str:
    if absent:
        return "–"
    return usd(amount) if amount is not None else "not priced"


def findings_details(title: str, findings: list) -> list[str]:
    if not findings:
        return []
    rows = [
        f"<details><summary>{title} ({len(findings)})</summary>",
        "",
        "| Rule | Location | Message |",
        "| --- | --- | --- |",
    ]
    for f in findings:
        where = f"{f.path}:{f.line}" if f.line else f.path
        rows.append(f"| {f.rule} | {code(where)} | {cell(f.message)} |")
    return [*rows, "", "</details>", ""]


def estimate_details(diff: CostDiff) -> list[str]:
    lines = ["<details><summary>Estimate details</summary>", "", "```diff"]
    lines.append("# ~ changed, + added, - removed")
    for change in diff.moved:
        before = change.before.cost if change.before else None
        after = change.after.cost if change.after else None
        lines.append(
            f"{SYMBOLS[change.status]} {change.address}: {signed(change.delta)} "
            f"({_money(before, change.before is None)} → {_money(after, change.after is None)})"
        )
    unchanged = len(diff.changes) - len(diff.moved)
    lines.append(f"  {unchanged} call site(s) unchanged")
    share = diff.percent
    lines.append(
        f"Amount: {signed(diff.delta)} ({usd(diff.before)} → {usd(diff.after)})"
        + (f"\nPercent: {share:+.0f}%" if share is not None else "")
    )
    unpriced = [s.address for s in diff.head.unpriced]
    if unpriced:
        lines.append(f"Not priced at head ({len(unpriced)}, not in the totals):")
        lines += [f"  {address}" for address in unpriced]
    lines += ["```", "", "</details>", ""]
    return lines


def assumptions_details(diff: CostDiff) -> list[str]:
    lines = ["<details><summary>Assumptions</summary>", ""]
    lines.append("- both sides priced with the same usage file, catalog and token counter")
    lines += [f"- {cell(line)}" for line in diff.head.assumptions]
    lines.append(
        "- call sites match by `path::function[#n]` (git renames followed); a renamed "
        "function shows as one site removed and one added"
    )
    return [*lines, "", "</details>", ""]


def verdict(diff: CostDiff) -> list[str]:
    if diff.threshold is None:
        return []
    limit = diff.threshold.describe()
    if diff.exceeded:
        return [f"❌ **Cost threshold exceeded**: {signed(diff.delta, diff.before)} > {limit}", ""]
    return [f"✅ Cost threshold passed (increase ≤ {limit})", ""]
