"""Stable finding fingerprints, shared by SARIF, baselines and ``costlint diff``.

A fingerprint must survive code moving up or down a file, so it never includes a line or a
column. It is the SHA-256 of:

    rule id, path (POSIX, relative to the repository root), the enclosing qualname,
    the call's ordinal within that qualname, and the call's normalized source text

joined with U+001F. The normalized call text is the call's Python tokens with comments and
all whitespace removed, so reformatting the call does not change it while editing its
arguments does. Where there is no Python source for the call (a notebook cell, a template or
a config file) the text is the call's kind and sorted argument names.

The extraction stage stamps each site's call text once (``stamp_call_text``) from the source
it has already read; the rule engine stamps each finding's fingerprint once. Nothing re-reads
a scanned file after extraction. A cache hit replays the fingerprints kept with the findings
(when the file's repository path is the one they were made at) and normalises a call's text
only when one is asked for at another path (``diff`` across a rename).
"""

from __future__ import annotations

import hashlib
import io
import re
import tokenize
from collections.abc import Iterable

from .site import Finding, PromptSite

VERSION = "v1"
SARIF_KEY = f"costlintFingerprint/{VERSION}"
_SKIP = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
)


# One piece of call source at a time: blanks and comments (dropped), string literals (kept as
# written; the patterns of the tokenize module, a backslash escaping any character), runs of
# characters the tokenizer reads as names, numbers and operators (kept), or anything else.
_PIECE = re.compile(
    r"""(?P<blank>[ \t\f]+|\\\n)
    |(?P<newline>\n)
    |(?P<comment>\#[^\n]*)
    |(?P<string>'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
        |\"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
        |'[^\n'\\]*(?:\\.[^\n'\\]*)*'
        |"[^\n"\\]*(?:\\.[^\n"\\]*)*")
    |(?P<code>(?:[\w+\-*/%@&|^~<>=.,:;()\[\]{}]|!=)+)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_DEPTH = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def _strip_tokens(text: str) -> str | None:
    """What ``normalize_call``'s tokenizer pass gives, without the tokenizer: string literals
    as written, blanks and comments dropped. None for anything it does not mirror exactly
    (characters the tokenizer reports as errors, unterminated strings, unbalanced brackets,
    a second logical line), which then goes through ``tokenize``."""
    out: list[str] = []
    depth = 0
    ended = False  # a newline outside brackets: what follows would need indentation rules
    continued = False  # the text ends in a backslash continuation: the tokenizer fails
    for match in _PIECE.finditer(text):
        kind = match.lastgroup
        if kind == "blank" or kind == "comment":
            continued = match.group() == "\\\n" or (continued and kind == "comment")
            continue
        continued = False
        if kind == "newline":
            ended = ended or (depth == 0 and bool(out))
            continue
        if ended or kind == "other":
            return None
        piece = match.group()
        if kind == "code":
            for char in piece:
                depth += _DEPTH.get(char, 0)
                if depth < 0:
                    return None
        out.append(piece)
    return "".join(out) if depth == 0 and not continued else None


def normalize_call(text: str) -> str:
    """Call source without comments or whitespace (falls back to dropping whitespace)."""
    fast = _strip_tokens(text)
    if fast is not None:
        return fast
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return "".join(tok.string for tok in tokens if tok.type not in _SKIP)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return "".join(text.split())


def call_source(site: PromptSite, lines: list[str]) -> str | None:
    """The call's source text as written, from its span in ``lines``; None when out of range."""
    span = site.span
    end_line = span.end_line or span.line
    if not 1 <= span.line <= end_line <= len(lines):
        return None
    # Columns come from ``ast``: 1-based offsets in UTF-8 bytes.
    chunk = [line.encode("utf-8") for line in lines[span.line - 1 : end_line]]
    if span.end_column is not None:
        chunk[-1] = chunk[-1][: span.end_column - 1]
    chunk[0] = chunk[0][span.column - 1 :]
    return "\n".join(part.decode("utf-8", errors="ignore") for part in chunk)


def shape_text(site: PromptSite) -> str:
    """The stand-in for a call with no Python source: kind and sorted argument names."""
    return f"{site.kind}({','.join(sorted(site.args))})"


def stamp_call_text(sites: Iterable[PromptSite], source_text: str | None) -> None:
    """Give each site its normalized call text, from the file's source where it is Python."""
    lines: list[str] | None = None
    for site in sites:
        text = None
        if source_text is not None and site.cell is None and site.path.endswith(".py"):
            if lines is None:
                lines = source_text.splitlines()
            source = call_source(site, lines)
            text = normalize_call(source) if source is not None else None
        site.call_text = text if text is not None else shape_text(site)


def fingerprint_at(finding: Finding, repo_path: str) -> str:
    """Hex SHA-256 identifying ``finding`` as if its file were at ``repo_path``."""
    site = finding.site
    if site is not None:
        site.load_source()
    parts = [
        finding.rule,
        repo_path,
        site.qualname if site is not None else "",
        str(site.ordinal) if site is not None else "",
        (site.call_text or shape_text(site)) if site is not None else "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def stamp_fingerprints(findings: Iterable[Finding]) -> None:
    """Give each finding its fingerprint (at its repository-relative path)."""
    for finding in findings:
        finding.fingerprint = fingerprint_at(finding, finding.repo_path)
