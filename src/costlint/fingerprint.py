"""Stable finding fingerprints, shared by SARIF, baselines and ``costlint diff``.

A fingerprint must survive code moving up or down a file, so it never includes a line or a
column. It is the SHA-256 of:

    rule id, path (POSIX, relative to the repository root), the enclosing qualname,
    the call's ordinal within that qualname, and the call's normalized source text

joined with U+001F. The normalized call text is the call's Python tokens with comments and
all whitespace removed, so reformatting the call does not change it while editing its
arguments does. When the source cannot be read (a notebook cell, a deleted file) the text
falls back to the call's kind and sorted argument names; pass the same ``root`` on both sides
of a comparison.
"""

from __future__ import annotations

import hashlib
import io
import tokenize
from pathlib import Path

from .site import Finding, PromptSite

VERSION = "v1"
SARIF_KEY = f"costlintFingerprint/{VERSION}"
_SKIP = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
)


def normalize_call(text: str) -> str:
    """Call source without comments or whitespace (falls back to dropping whitespace)."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return "".join(tok.string for tok in tokens if tok.type not in _SKIP)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return "".join(text.split())


def call_source(site: PromptSite, root: Path | None) -> str | None:
    """The call's source text as written, from its span; None when it cannot be read."""
    if root is None or site.cell is not None or not site.path.endswith(".py"):
        return None
    span = site.span
    try:
        lines = (root / site.path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    end_line = span.end_line or span.line
    if not 1 <= span.line <= end_line <= len(lines):
        return None
    # Columns come from ``ast``: 1-based offsets in UTF-8 bytes.
    chunk = [line.encode("utf-8") for line in lines[span.line - 1 : end_line]]
    if span.end_column is not None:
        chunk[-1] = chunk[-1][: span.end_column - 1]
    chunk[0] = chunk[0][span.column - 1 :]
    return "\n".join(part.decode("utf-8", errors="ignore") for part in chunk)


def call_text(site: PromptSite | None, root: Path | None = None) -> str:
    """The normalized call text that goes into a fingerprint."""
    if site is None:
        return ""
    source = call_source(site, root)
    if source is not None:
        return normalize_call(source)
    return f"{site.kind}({','.join(sorted(site.args))})"


def fingerprint(finding: Finding, root: Path | None = None, path_prefix: str = "") -> str:
    """Hex SHA-256 identifying a finding independently of its line number.

    ``root`` is the directory the finding's path is relative to (to read the call's source);
    ``path_prefix`` makes that path relative to the repository root when the run was not
    started there.
    """
    site = finding.site
    parts = [
        finding.rule,
        path_prefix + finding.path,
        site.qualname if site is not None else "",
        str(site.ordinal) if site is not None else "",
        call_text(site, root),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
