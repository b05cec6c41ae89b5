"""Values read from a YAML or JSON config file at run time, found without running the code.

``yaml.safe_load(open("config.yaml"))["model"]``: when the path is a literal that names a
file inside the repository, the file is read (through the project, so it is a dependency of
the analysis and stays inside the root), parsed with the safe YAML loader of ``yamlio`` (JSON
is YAML) and the value at the keys is returned with the line that writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..yamlio import YamlError, load_yaml_text
from .repository import Repository

MAX_CONFIG_BYTES = 1_000_000  # config files larger than this are not read
CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
LOADERS = frozenset(
    {"yaml.safe_load", "yaml.load", "yaml.full_load", "safe_load", "json.load", "json.loads",
     "load_yaml", "load_json", "yaml.unsafe_load"}
)  # fmt: skip


class _AnyEntry:
    """A key that stands for every entry of a mapping (``endpoints[name]`` for a name the
    code does not fix)."""

    def __repr__(self) -> str:
        return "*"


ANY_ENTRY = _AnyEntry()
MAX_ENTRIES = 64  # entries of one mapping looked at for ``ANY_ENTRY``


@dataclass(frozen=True)
class ConfigValue:
    """A scalar read from a config file, and where it is written."""

    value: str | int | float | bool
    path: Path
    line: int


def config_values(
    project: Repository,
    path_text: str,
    near: Path,
    keys: list[Any],
    where: tuple[tuple[str, str], ...] = (),
) -> list[ConfigValue] | None:
    """The scalars at ``keys`` of the config file ``path_text`` (relative to the repository
    root, else to the directory of ``near``); a list at the keys gives each element. A key
    ``ANY_ENTRY`` stands for every entry of the mapping there, kept only when the entry holds
    each ``where`` pair (``api_type: anthropic``). None when the file is not in the
    repository, not a config file, or has nothing there."""
    path = _locate(project, path_text, near)
    if path is None:
        return None
    text = project.read_text(path)
    if text is None or len(text) > MAX_CONFIG_BYTES:
        return None
    try:
        data = load_yaml_text(text, path.name)
    except YamlError:
        return None
    items = [
        (item, trail)
        for value, trail in _at_keys(data, keys, where)
        for item in (value if isinstance(value, list) else [value])
    ]
    leaf = next((k for k in reversed(keys) if isinstance(k, str)), None)
    found = [
        ConfigValue(item, path, _line_of(text, leaf, item, trail))
        for item, trail in items
        if isinstance(item, (str, int, float, bool))
    ]
    return found or None


def _at_keys(
    data: Any, keys: list[Any], where: tuple[tuple[str, str], ...]
) -> list[tuple[Any, tuple[str, ...]]]:
    """The values at ``keys`` of ``data`` (several where a key is ``ANY_ENTRY``), each with
    the mapping keys above it (an entry's own key in place of ``ANY_ENTRY``)."""
    current: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    for key in keys:
        following: list[tuple[Any, tuple[str, ...]]] = []
        for value, trail in current:
            if key is ANY_ENTRY:
                if isinstance(value, dict):
                    entries = list(value.items())[:MAX_ENTRIES]
                    following.extend(
                        (entry, (*trail, str(name))) for name, entry in entries
                        if _holds(entry, where)
                    )  # fmt: skip
            elif isinstance(value, dict) and key in value:
                following.append((value[key], (*trail, str(key))))
            elif (
                isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value)
            ):
                following.append((value[key], trail))
        current = following
    return current


def _holds(entry: Any, where: tuple[tuple[str, str], ...]) -> bool:
    return isinstance(entry, dict) and all(entry.get(k) == v for k, v in where)


def _locate(project: Repository, path_text: str, near: Path) -> Path | None:
    relative = Path(path_text)
    if relative.suffix.lower() not in CONFIG_SUFFIXES or relative.is_absolute():
        return None
    for base in (project.root, Path(near).resolve().parent):
        candidate = (base / relative).resolve()
        if project.inside(candidate) and candidate.is_file():
            return candidate
    return None


def _line_of(text: str, key: str | None, value: Any, trail: tuple[str, ...] = ()) -> int:
    """The first line that writes ``value`` (under ``key`` when the key is known) after the
    lines that open the mappings of ``trail`` (so the value of the entry it was read from,
    not an equal value of an earlier entry); 1 if none. The safe loader keeps no positions."""
    shown = re.escape(str(value).lower() if isinstance(value, bool) else str(value))
    patterns = []
    if key is not None:
        patterns.append(rf"""["']?{re.escape(key)}["']?\s*:\s*["']?{shown}["']?\s*(,|$|#)""")
    patterns.append(rf"""(^|[\s"'\-\[,]){shown}["']?\s*(,|$|#|\])""")
    lines = text.splitlines()
    start = _opening_line(lines, trail[:-1] if trail and trail[-1] == key else trail)
    for first in dict.fromkeys((start, 0)):
        for pattern in patterns:
            compiled = re.compile(pattern)
            for number, line in enumerate(lines[first:], start=first + 1):
                if compiled.search(line.strip()):
                    return number
    return 1


def _opening_line(lines: list[str], trail: tuple[str, ...]) -> int:
    """The index of the line after the one that opens the innermost mapping of ``trail``
    (each key searched from the previous one's line); 0 when one is not found."""
    start = 0
    for name in trail:
        opening = re.compile(rf"""^\s*(-\s+)?["']?{re.escape(name)}["']?\s*:""")
        found = next(
            (index for index in range(start, len(lines)) if opening.search(lines[index])), None
        )
        if found is None:
            return 0
        start = found + 1
    return start
