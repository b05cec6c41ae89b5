"""Suppression comments, for every front-end.

``costlint: ignore`` (every rule) and ``costlint: ignore[CL001,model-overkill]``; and, for
ruff users, ``# noqa: CL004`` / ``# noqa: CL004, CL001`` as an alias of the second form. A
``noqa`` names codes of several tools: only its ``CL`` codes count, and a bare ``# noqa``
(no codes) never suppresses costlint (ruff's convention for tools with their own codes).
"""

from __future__ import annotations

import re

PYTHON_COMMENT = re.compile(r"#\s*costlint:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
# Templates and YAML: any comment syntax ({# #}, #) around the marker.
ANY_COMMENT = re.compile(r"costlint:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
# ruff's noqa syntax: codes are letters then digits, separated by commas and/or spaces.
NOQA = re.compile(r"#\s*noqa:\s*([A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
OWN_CODE = re.compile(r"^CL\d+$")


def suppression(line: str, pattern: re.Pattern[str] = ANY_COMMENT) -> frozenset[str] | None:
    """Codes the comment on ``line`` names ({"*"}: all); None without such a comment."""
    codes: set[str] = set()
    found = False
    match = pattern.search(line)
    if match is not None:
        found = True
        if match.group(1) is None:
            return frozenset({"*"})
        codes = {c.strip().upper() for c in match.group(1).split(",") if c.strip()}
        if not codes:
            return frozenset({"*"})
    noqa = NOQA.search(line)
    if noqa is not None:
        own = {c.upper() for c in re.split(r"[,\s]+", noqa.group(1)) if OWN_CODE.match(c.upper())}
        if own:
            found = True
            codes |= own
    return frozenset(codes) if found else None
