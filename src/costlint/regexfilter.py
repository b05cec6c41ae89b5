"""A cheap pre-filter for slow regular expressions: the literal text every match contains.

Python's ``re`` cannot skip ahead to a candidate for a case-insensitive alternation behind
``\\b``, so scanning a prompt of a few thousand characters costs about a millisecond per
pattern, and the intent patterns scan every prompt. Most prompts contain none of a pattern's
words; substring tests on the lowered text say so a hundred times faster. What a match
needs is read from the pattern's own parse, so it cannot drift from the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, NamedTuple

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)

# The only non-ASCII characters that IGNORECASE matches with ASCII ones (dotted and dotless
# i, long s, the Kelvin sign): text holding one of them is not filtered.
ASCII_FOLDS = "\u0130\u0131\u017f\u212a"


class AllOf(NamedTuple):
    """Every part occurs in a match."""

    parts: tuple[Need, ...]


class AnyOf(NamedTuple):
    """At least one part occurs in a match (the alternatives of a branch)."""

    parts: tuple[Need, ...]


# A lower-case ASCII literal that every match contains, or a combination of such.
Need = str | AllOf | AnyOf


class LazyPattern:
    """A regular expression compiled on its first search: ``may_match`` reads what a match
    needs from the source alone, so a pattern whose words no prompt of the run contains is
    never compiled. (Compiling the intent patterns, long case-insensitive alternations, cost
    ~50 M instructions at import: 7% of a pre-commit run on one edited file.)

    ``pattern`` and ``flags`` read as a compiled pattern's do (``flags`` with ``re.UNICODE``
    added, as ``re.compile`` adds it to a str pattern); the source takes no global inline
    flags (``(?i)``), whose effect on ``flags`` only compiling would show (the tests compare
    every intent pattern's with ``re.compile``'s)."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self.flags = flags if flags & re.ASCII else flags | re.UNICODE
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, string: str, *span: int) -> re.Match[str] | None:
        return self.compiled().search(string, *span)

    def match(self, string: str, *span: int) -> re.Match[str] | None:
        return self.compiled().match(string, *span)

    def finditer(self, string: str, *span: int) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(string, *span)

    def __getattr__(self, name: str) -> Any:  # the rest of re.Pattern (sub, findall, ...)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    """``re.compile``, deferred to the first search (see LazyPattern)."""
    return LazyPattern(pattern, flags)


@lru_cache(maxsize=256)
def requirement(pattern: re.Pattern[str] | LazyPattern) -> Need | None:
    """What every match of ``pattern`` contains (compared case-insensitively), read from its
    parse, or None when the pattern can match without any literal."""
    return _required(_parser.parse(pattern.pattern, pattern.flags))


def may_match(pattern: re.Pattern[str] | LazyPattern, text: str) -> bool:
    """False only when ``pattern`` cannot match anywhere in ``text``.

    Text holding one of ``ASCII_FOLDS`` is not filtered: under IGNORECASE those match ASCII
    letters (the Kelvin sign matches ``k``), which a lowered substring test would miss.
    """
    need = requirement(pattern)
    if need is None or not _filterable(text):
        return True
    return _holds(need, _lowered(text))


def _filterable(text: str) -> bool:
    return text.isascii() or not any(fold in text for fold in ASCII_FOLDS)


@lru_cache(maxsize=16)  # one prompt is tested against a dozen patterns in a row
def _lowered(text: str) -> str:
    return text.lower()


def _holds(need: Need, lowered: str) -> bool:
    if isinstance(need, str):
        return need in lowered
    if isinstance(need, AllOf):
        return all(_holds(part, lowered) for part in need.parts)
    return any(_holds(part, lowered) for part in need.parts)


def _required(items: Any) -> Need | None:
    """A run of consecutive literals is one needle; a group, or a repeat of at least once,
    needs what its content needs; a branch needs one of its alternatives' needs (nothing
    when an alternative needs nothing); a sequence needs all its parts' needs."""
    parts: list[Need] = []
    run: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL and arg < 128:
            run.append(chr(arg).lower())
            continue
        if run:
            parts.append("".join(run))
            run = []
        part: Need | None = None
        if op is sre.SUBPATTERN:
            part = _required(arg[-1])
        elif op is sre.ATOMIC_GROUP:
            part = _required(arg)
        elif op is sre.BRANCH:
            alternatives = [_required(branch) for branch in arg[1]]
            if all(alternative is not None for alternative in alternatives):
                part = AnyOf(tuple(alternatives))  # type: ignore[arg-type]
        elif op in _REPEATS and arg[0] >= 1:
            part = _required(arg[2])
        if part is not None:
            parts.append(part)
    if run:
        parts.append("".join(run))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))
