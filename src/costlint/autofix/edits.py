"""The typed values autofix passes between planning and applying: what to change, where, why.

An ``Edit`` names one change to one file (``path``, relative to the project root) and the
findings it fixes. Its ``action`` says what the change is, by what the file must hold for it
to apply (a literal with the old value, a call at a span): the applier re-checks that against
the file and skips the edit, with a reason, when the file says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..site import Finding, Span

Scalar = str | int


@dataclass(frozen=True)
class ReplaceLiteral:
    """The one string or integer literal on ``line`` whose value is ``old`` becomes ``new``
    (a value defined away from the call: a constant, a default)."""

    line: int
    old: Scalar
    new: Scalar


@dataclass(frozen=True)
class SetArgument:
    """At the call spanning ``call``: the keyword ``name``, a literal ``old``, becomes ``new``;
    with ``old`` None the keyword is added (it must be absent, and nothing splatted)."""

    call: Span
    name: str
    old: Scalar | None
    new: Scalar


@dataclass(frozen=True)
class AddCacheControl:
    """A block-level cache breakpoint at the call spanning ``call``, on ``part``: "system",
    "tools" or "document" (the first user message's content). ``index`` None: the value is
    a string, wrapped into a one-block list; else the list literal's block ``index`` gets the
    key."""

    call: Span
    part: str
    index: int | None = None


@dataclass(frozen=True)
class ReplaceText:
    """A config file's scalar at (line, column), written ``old`` (maybe quoted), becomes ``new``."""

    line: int
    column: int
    old: str
    new: str


Action = ReplaceLiteral | SetArgument | AddCacheControl | ReplaceText


@dataclass
class Edit:
    """One change to one file, and the findings it fixes."""

    path: str  # relative to the project root, POSIX
    action: Action
    safe: bool
    what: str  # for people: 'model "a" -> "b"'
    findings: list[Finding] = field(default_factory=list)

    @property
    def line(self) -> int:
        action: Any = self.action
        return action.call.line if hasattr(action, "call") else action.line

    def target(self) -> tuple[Any, ...]:
        """What the edit changes: two edits with one target change the same text."""
        action = self.action
        if isinstance(action, SetArgument):
            return (self.path, "call", action.call.line, action.call.column, action.name)
        if isinstance(action, AddCacheControl):
            return (self.path, "call", action.call.line, action.call.column, "cache_control")
        if isinstance(action, ReplaceText):
            return (self.path, "text", action.line, action.column)
        return (self.path, "literal", action.line, action.old)


@dataclass(frozen=True)
class Skip:
    """A finding with a fix that is not applied, and why."""

    finding: Finding
    reason: str


@dataclass
class Plan:
    """The edits to apply, the fixable findings left alone (and why), and how many more
    findings unsafe fixes would fix."""

    edits: list[Edit] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    hidden_unsafe: int = 0
