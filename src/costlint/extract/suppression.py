"""``costlint: ignore`` / ``costlint: ignore[CL001,...]`` comments, for every front-end."""

from __future__ import annotations

import re

PYTHON_COMMENT = re.compile(r"#\s*costlint:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
# Templates and YAML: any comment syntax ({# #}, #) around the marker.
ANY_COMMENT = re.compile(r"costlint:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)


def suppression(line: str, pattern: re.Pattern[str] = ANY_COMMENT) -> frozenset[str] | None:
    """Codes the comment on ``line`` names ({"*"}: all); None without such a comment."""
    match = pattern.search(line)
    if match is None:
        return None
    if match.group(1) is None:
        return frozenset({"*"})
    codes = {c.strip().upper() for c in match.group(1).split(",") if c.strip()}
    return frozenset(codes) or frozenset({"*"})
