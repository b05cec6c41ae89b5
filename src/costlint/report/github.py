"""GitHub Actions workflow commands: ``::warning file=…,line=…,col=…,title=…::message``.

GitHub shows at most 10 annotations of each level per step, so findings are sorted by the
money they are worth and cut at 10 per level; a final ``::notice`` says how many were left
out. When ``GITHUB_STEP_SUMMARY`` is set, the Markdown report is appended to that file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..price import CostReport, FindingCost
from ..site import PARSE_ERROR
from .text import savings_line

PER_LEVEL = 10  # annotations GitHub shows per level per step (actions/toolkit #734)
LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, **properties: Any) -> str:
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    head = f"::{level} {props}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def render(result: Any, costs: CostReport | None = None) -> str:
    ordered = sorted(result.findings, key=lambda f: _impact(costs, f), reverse=True)
    shown: dict[str, list[str]] = {level: [] for level in LEVELS.values()}
    shown["warning"] = [_diagnostic_annotation(d) for d in _parse_errors_first(result)]
    hidden = 0
    for finding in ordered:
        level = LEVELS.get(finding.severity, "warning")
        if len(shown[level]) >= PER_LEVEL:
            hidden += 1
            continue
        shown[level].append(_finding_annotation(finding, level, costs))
    if hidden and len(shown["notice"]) >= PER_LEVEL:  # leave room for the "and K more" notice
        shown["notice"].pop()
        hidden += 1
    lines = [line for level in ("error", "warning", "notice") for line in shown[level]]
    if hidden:
        noun = "finding" if hidden == 1 else "findings"
        lines.append(
            annotation(
                "notice",
                f"…and {hidden} more costlint {noun} not shown as annotations (GitHub shows "
                f"{PER_LEVEL} per level per step); see the job summary or the SARIF report.",
                title="costlint",
            )
        )
    return "\n".join(lines) + "\n" if lines else ""


def _parse_errors_first(result: Any) -> list[Any]:
    diagnostics = getattr(result, "diagnostics", None) or []
    return sorted(diagnostics, key=lambda d: d.kind != PARSE_ERROR)[:PER_LEVEL]


def _diagnostic_annotation(diagnostic: Any) -> str:
    """A file not analysed: its call sites are missing from this run's findings and totals."""
    return annotation(
        "warning",
        f"{diagnostic.message} (costlint did not analyse this file)",
        file=diagnostic.path,
        line=diagnostic.line,
        title="costlint: file not analysed",
    )


def _finding_annotation(finding: Any, level: str, costs: CostReport | None) -> str:
    message = finding.message
    if finding.fix:
        message += f"\nfix: {finding.fix}"
    cost = costs.for_finding(finding) if costs is not None else None
    line = savings_line(cost) if cost is not None else None
    if line:
        message += f"\n{line}"
    span = finding.site.span if finding.site is not None else None
    same_line = span is not None and span.line == finding.line
    return annotation(
        level,
        message,
        file=finding.path,
        line=finding.line,
        endLine=span.end_line if same_line and span is not None else None,
        col=finding.column,
        title=f"costlint {finding.rule} ({finding.name})",
    )


def _impact(costs: CostReport | None, finding: Any) -> tuple[float, float]:
    """Billed saving first; a worst case per call (an output cap) breaks ties among the rest."""
    cost: FindingCost | None = costs.for_finding(finding) if costs is not None else None
    if cost is None:
        return (0.0, 0.0)
    if cost.billed and cost.saving is not None:
        return (cost.saving, 0.0)
    if cost.kind == "worst_case":
        return (0.0, cost.detail["worst_case_now"] - cost.detail["worst_case_after"])
    return (0.0, -1.0)


def append_step_summary(markdown: str, env: Mapping[str, str] | None = None) -> Path | None:
    """Appends to $GITHUB_STEP_SUMMARY when set; returns the file written, if any."""
    target = (env if env is not None else os.environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return path
