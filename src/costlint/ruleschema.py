"""The schema of a rule's ``examples:``: what each flag example must find, where, and saying what.

Like Fixit's rule tests, a flag example names the line (1-based, in the example's own file),
optionally the column, and a fragment of the message of every finding it expects; the example
test asserts exactly those findings of that rule. One finding is written inline::

    - line: 5
      column: 12
      message: "max_tokens=64,000 for a prompt that asks for yes/no"
      code: |
        ...

several as ``expect: [{line, column?, message}, ...]``. Pass examples carry only code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .config import ConfigError

EXAMPLE_KINDS = ("flag", "pass")
_PASS_KEYS = frozenset({"code", "filename", "files"})
_EXPECT_KEYS = frozenset({"line", "column", "message"})
_FLAG_KEYS = _PASS_KEYS | _EXPECT_KEYS | {"expect"}
DEFAULT_FILENAME = "example.py"


class RuleError(ConfigError):
    """A rule file that cannot be used: exit 2 with a message naming the file and key."""


class Expected(NamedTuple):
    """One finding a flag example must produce."""

    line: int
    message: str
    column: int | None = None


@dataclass(frozen=True)
class Example:
    """A code sample a rule must flag (with ``expect``) or pass (``expect`` empty)."""

    code: str
    filename: str = DEFAULT_FILENAME
    files: dict[str, str] = field(default_factory=dict)
    expect: tuple[Expected, ...] = ()

    def all_files(self) -> dict[str, str]:
        """The example's own file and its companions, name -> text."""
        return {self.filename: self.code, **self.files}


def parse_examples(raw: Any, where: str) -> dict[str, list[Example]]:
    """Validate ``examples:``; ``where`` names the rule file in errors."""
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: 'examples' must be a mapping with 'flag' and 'pass' lists")
    unknown = sorted(str(k) for k in raw if k not in EXAMPLE_KINDS)
    if unknown:
        raise RuleError(f"{where}: 'examples.{unknown[0]}' is not 'flag' or 'pass'")
    result: dict[str, list[Example]] = {}
    for kind in EXAMPLE_KINDS:
        items = raw.get(kind) or []
        if not isinstance(items, list):
            raise RuleError(f"{where}: 'examples.{kind}' must be a list")
        result[kind] = [
            _example(item, f"{where}: 'examples.{kind}[{index}]", kind == "flag")
            for index, item in enumerate(items)
        ]
    return result


def _example(raw: Any, key: str, flag: bool) -> Example:
    if not isinstance(raw, dict):
        raise RuleError(f"{key}' must be a mapping with 'code'")
    allowed = _FLAG_KEYS if flag else _PASS_KEYS
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise RuleError(
            f"{key}.{unknown[0]}' is not allowed here (keys: {', '.join(sorted(allowed))})"
        )
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        raise RuleError(f"{key}.code' must be the example's source text")
    filename = raw.get("filename", DEFAULT_FILENAME)
    if not isinstance(filename, str) or not filename:
        raise RuleError(f"{key}.filename' must be a file name")
    files = raw.get("files") or {}
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise RuleError(f"{key}.files' must map file names to their text")
    expect: tuple[Expected, ...] = ()
    if flag:
        expect = _expectations(raw, key)
    return Example(code=code, filename=filename, files=dict(files), expect=expect)


def _expectations(raw: dict[str, Any], key: str) -> tuple[Expected, ...]:
    inline = any(k in raw for k in _EXPECT_KEYS)
    if "expect" in raw:
        if inline:
            raise RuleError(f"{key}' has both 'expect' and line/column/message: use one form")
        items = raw["expect"]
        if not isinstance(items, list) or not items:
            raise RuleError(f"{key}.expect' must be a non-empty list of {{line, message}}")
        return tuple(_expected(item, f"{key}.expect[{i}]") for i, item in enumerate(items))
    return (_expected(raw, key, inline=True),)


def _expected(raw: Any, key: str, inline: bool = False) -> Expected:
    if not isinstance(raw, dict):
        raise RuleError(f"{key}' must be a mapping with line and message")
    if not inline:
        unknown = sorted(str(k) for k in raw if k not in _EXPECT_KEYS)
        if unknown:
            raise RuleError(f"{key}.{unknown[0]}' is not line, column or message")
    line = raw.get("line")
    if not _positive(line):
        raise RuleError(f"{key}.line' must be the 1-based line of the expected finding")
    column = raw.get("column")
    if column is not None and not _positive(column):
        raise RuleError(f"{key}.column' must be a 1-based column")
    message = raw.get("message")
    if not isinstance(message, str) or not message.strip():
        raise RuleError(f"{key}.message' must be a fragment of the expected finding's message")
    return Expected(line=line, message=message, column=column)


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
