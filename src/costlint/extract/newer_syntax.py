"""Is a syntax error really syntax newer than the running Python? Say so, and what to do.

``ast.parse(..., feature_version=...)`` only refuses syntax *older* interpreters lack; it
cannot parse syntax the running one does not know. So a failing parse is matched against a
small, documented set of recognisable patterns, each tied to the version that added it:

- 3.12 (PEP 695): ``type X = ...`` aliases, ``def f[T](...)`` / ``class C[T]:`` generics;
- 3.12 (PEP 701): f-string errors (nested same quotes, backslashes or comments inside the
  braces), recognised by the interpreter's own ``f-string: ...`` message before 3.12;
- 3.13 (PEP 696): type parameter defaults ``[T = int]``;
- 3.14 (PEP 758, PEP 750): ``except A, B:`` without brackets, template strings ``t"..."``.

A pattern counts only when the running Python is older than the version it needs, so on a
new interpreter the ordinary syntax error is reported.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

_NAME = r"[A-Za-z_]\w*"


@dataclass(frozen=True)
class NewerSyntax:
    needs: tuple[int, int]
    what: str


_LINE_PATTERNS: tuple[tuple[re.Pattern[str], NewerSyntax], ...] = (
    (
        re.compile(rf"^\s*type\s+{_NAME}\s*(\[[^\]]*\])?\s*="),
        NewerSyntax((3, 12), "a `type` alias statement"),
    ),
    (
        re.compile(rf"^\s*(async\s+)?def\s+{_NAME}\s*\[[^\]]*=[^\]]*\]"),
        NewerSyntax((3, 13), "a type parameter default"),
    ),
    (
        re.compile(rf"^\s*class\s+{_NAME}\s*\[[^\]]*=[^\]]*\]"),
        NewerSyntax((3, 13), "a type parameter default"),
    ),
    (
        re.compile(rf"^\s*(async\s+)?def\s+{_NAME}\s*\["),
        NewerSyntax((3, 12), "a generic function (PEP 695)"),
    ),
    (re.compile(rf"^\s*class\s+{_NAME}\s*\["), NewerSyntax((3, 12), "a generic class (PEP 695)")),
    (
        re.compile(r"^\s*except\*?\s+[^\s(:][^:(]*,[^:]*:"),
        NewerSyntax((3, 14), "`except A, B:` without brackets"),
    ),
    (
        re.compile(r"""(^|[^\w.'"])[tT][rR]?(\"|')"""),
        NewerSyntax((3, 14), "a template string (t-string)"),
    ),
)


def newer_syntax(
    message: str, line_text: str, running: tuple[int, int] | None = None
) -> NewerSyntax | None:
    """The newer syntax this error most likely is, or None (an ordinary syntax error)."""
    running = running or (sys.version_info[0], sys.version_info[1])
    if message.startswith("f-string") and running < (3, 12):
        return NewerSyntax((3, 12), "an f-string that needs PEP 701")
    for pattern, found in _LINE_PATTERNS:
        if found.needs > running and pattern.search(line_text):
            return found
    return None


def hint(message: str, line_text: str, running: tuple[int, int] | None = None) -> str:
    """The sentence to add to a syntax error's diagnostic ("" when it is not newer syntax)."""
    running = running or (sys.version_info[0], sys.version_info[1])
    found = newer_syntax(message, line_text, running)
    if found is None:
        return ""
    major, minor = found.needs
    return (
        f"; parsed with Python {running[0]}.{running[1]}; this syntax ({found.what}) needs "
        f"{major}.{minor}+: run costlint with a newer Python"
    )
