"""Terminal output: ``path:line:col: CL002 [uncached-long-prompt] message``."""

from __future__ import annotations

from collections import Counter

from ..site import Finding


def location(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:{finding.line}:{finding.column}"
    return f"{finding.path}:{finding.line}:{finding.column}"


def render(result) -> str:
    lines: list[str] = []
    for finding in result.findings:
        lines.append(f"{location(finding)}: {finding.rule} [{finding.name}] {finding.message}")
        if finding.fix:
            lines.append(f"    fix: {finding.fix}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result) -> str:
    count = len(result.findings)
    if not count:
        return f"No findings in {result.files} file(s) ({len(result.sites)} Claude call site(s))."
    by_rule = Counter(f.rule for f in result.findings)
    detail = ", ".join(f"{rule}: {n}" for rule, n in sorted(by_rule.items()))
    files = len({f.path for f in result.findings})
    noun = "finding" if count == 1 else "findings"
    return f"Found {count} {noun} ({detail}) in {files} of {result.files} file(s)."
