"""One `check --fix` (or `--diff`): plan, apply, write, check again, until nothing changes.

Fixes can unlock others (a retired model replaced, then a cheaper one suggested), so like
ruff's fixer this loops: the run after the last pass has no fix left to apply, which makes a
second ``--fix`` change nothing. ``--diff`` plans and applies once, in memory.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .apply import FileChange, apply_edits, write_changes
from .edits import Edit, Skip
from .plan import plan_fixes

MAX_PASSES = 4


@dataclass
class FixOutcome:
    run: Any  # the pipeline's Run after the fixes (the one to report)
    applied: list[Edit] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    hidden_unsafe: int = 0
    changes: list[FileChange] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        """Findings fixed (one edit can fix several: every use of one constant)."""
        return sum(len(edit.findings) for edit in self.applied)

    def diff(self) -> str:
        return unified_diff(self.changes)


def fix(
    first: Any, rescan: Callable[[], Any], root: Path, *, unsafe: bool, write: bool
) -> FixOutcome:
    """Fix ``first``'s findings under ``root``; ``rescan`` runs the check again after a
    pass that wrote files. ``write`` False: one pass, nothing written (--diff)."""
    outcome = FixOutcome(first)
    run = first
    for _ in range(MAX_PASSES if write else 1):
        plan = plan_fixes(run.findings, run.sites, run.catalog, unsafe)
        applied = apply_edits(root, plan.edits)
        outcome.skipped = plan.skipped + applied.skipped
        outcome.hidden_unsafe = plan.hidden_unsafe
        outcome.applied += applied.edits
        _merge(outcome.changes, applied.changes)
        if not write or not applied.changes:
            break
        write_changes(root, applied.changes)
        run = outcome.run = rescan()
    else:
        if write:  # what is left to report after the last pass
            plan = plan_fixes(run.findings, run.sites, run.catalog, unsafe)
            outcome.skipped, outcome.hidden_unsafe = plan.skipped, plan.hidden_unsafe
    return outcome


def _merge(changes: list[FileChange], new: list[FileChange]) -> None:
    """Keep one change per file: the first pass's text before, the last pass's after."""
    by_path = {change.path: change for change in changes}
    for change in new:
        known = by_path.get(change.path)
        if known is None:
            changes.append(change)
            by_path[change.path] = change
        else:
            known.after = change.after
            known.edits += change.edits


def unified_diff(changes: list[FileChange]) -> str:
    parts: list[str] = []
    for change in sorted(changes, key=lambda c: c.path):
        parts.extend(
            difflib.unified_diff(
                change.before.splitlines(keepends=True),
                change.after.splitlines(keepends=True),
                fromfile=f"a/{change.path}",
                tofile=f"b/{change.path}",
            )
        )
    return "".join(parts)


def describe(outcome: FixOutcome, *, applied_word: str = "Fixed") -> list[str]:
    """--show-fixes: each fix as ``file:line rule what``, then the skipped ones and why."""
    lines: list[str] = []
    if outcome.applied:
        lines.append(f"{applied_word} {outcome.fixed} finding(s):")
        for edit in sorted(outcome.applied, key=lambda e: (e.path, e.line)):
            rules = ", ".join(dict.fromkeys(f.rule for f in edit.findings))
            kind = "" if edit.safe else " (unsafe)"
            lines.append(f"  {edit.path}:{edit.line} {rules} {edit.what}{kind}")
            for finding in edit.findings:
                if finding.repo_path != edit.path or finding.line != edit.line:
                    lines.append(f"    for {finding.repo_path}:{finding.line}")
    if outcome.skipped:
        lines.append(f"Not fixed ({len(outcome.skipped)}):")
        for skip in outcome.skipped:
            found = skip.finding
            lines.append(f"  {found.repo_path}:{found.line} {found.rule} {skip.reason}")
    return lines


def summary(outcome: FixOutcome, remaining: int, *, diff: bool = False) -> str:
    """The ruff-like closing lines."""
    verb = "Would fix" if diff else "Fixed"
    text = f"{verb} {outcome.fixed} finding(s) ({remaining} remaining)."
    if outcome.hidden_unsafe:
        text += (
            f" {outcome.hidden_unsafe} hidden fix(es) can be enabled with the "
            "`--unsafe-fixes` option."
        )
    return text
