"""Autofix: `costlint check --fix` / `--unsafe-fixes` / `--diff` / `--show-fixes`.

``safety`` decides which findings are fixed (safe, unsafe, or not at all) from their typed
fix; ``plan`` turns findings into edits (at the call, or where a value is defined);
``apply`` applies them losslessly with libcst (imported only here); ``session`` loops
plan-apply-check until nothing changes.
"""

from .session import FixOutcome, describe, fix, summary, unified_diff

__all__ = ["FixOutcome", "describe", "fix", "summary", "unified_diff"]
