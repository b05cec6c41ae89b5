"""What ``check`` adds on a terminal: colour, and the source line with a caret under each
finding (like ruff). Off when the output is not a terminal or ``NO_COLOR`` is set; the source
line is the one the extraction stage stamped on the call site (no file is re-read here).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, NamedTuple

from ..site import Finding

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
CODES = {
    "path": "\x1b[1m",
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "info": "\x1b[1;36m",
    "dim": "\x1b[2m",
    "caret": "\x1b[1;31m",
    "fix": "\x1b[32m",
}
MAX_WIDTH = 200  # characters of a source line shown


class Style(NamedTuple):
    """Terminal extras: ANSI colour, and source lines with carets. (A NamedTuple: a frozen
    dataclass costs ~3 M instructions to build at import; nothing here needs one.)"""

    color: bool = False
    source: bool = False

    def paint(self, text: str, kind: str) -> str:
        if not self.color or not text:
            return text
        return f"{CODES.get(kind, BOLD)}{text}{RESET}"


PLAIN = Style()


def terminal_style(
    choice: str, stream: IO[str] | None, env: Mapping[str, str] | None = None
) -> Style:
    """``choice`` is --color: ``always``, ``never``, or ``auto`` (a terminal without NO_COLOR)."""
    if choice == "never":
        return PLAIN
    if choice == "always":
        return Style(color=True, source=True)
    env = os.environ if env is None else env
    if env.get("NO_COLOR"):  # any non-empty value (no-color.org)
        return PLAIN
    tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
    return Style(color=tty, source=tty) if tty else PLAIN


def source_excerpt(finding: Finding, style: Style) -> list[str]:
    """``  12 | client.messages.create(`` and a caret under the finding's column; [] when the
    extraction stage had no source line for it (a notebook cell, a line outside the call)."""
    site = finding.site
    if site is not None:
        site.load_source()  # a cache hit reads its lines only for findings that are shown
    if site is None or not site.source_lines:
        return []
    line = site.source_lines.get(finding.line)
    if line is None:
        return []
    text = line.expandtabs(4)[:MAX_WIDTH].rstrip()
    column = char_column(line, finding.column)
    number = str(finding.line)
    gutter = " " * len(number)
    caret = " " * min(column, len(text)) + "^"
    return [
        style.paint(f"  {number} |", "dim") + f" {text}",
        style.paint(f"  {gutter} |", "dim") + " " + style.paint(caret, "caret"),
    ]


def char_column(line: str, column: int) -> int:
    """The 0-based character offset of a 1-based UTF-8 byte column (``ast``'s columns)."""
    prefix = line.encode("utf-8")[: max(column - 1, 0)]
    return len(prefix.decode("utf-8", errors="ignore").expandtabs(4))
