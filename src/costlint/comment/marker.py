"""The hidden marker that tells costlint's own comment apart from everyone else's."""

from __future__ import annotations

MARKER = "<!-- costlint-comment -->"


def with_marker(body: str) -> str:
    """``body`` with the marker as its first line (unchanged when it already has it)."""
    if MARKER in body:
        return body
    return f"{MARKER}\n{body}"
