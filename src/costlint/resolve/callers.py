"""Who calls a function: a per-project index of call expressions by the name they call.

Built lazily (the first time a value flows into a parameter) by reading every Python file
under the project root once; the files that mention ``name(`` are found per name, and a file
is parsed only when a function it may call is asked about. Bounded: files over the read limit
are skipped, and at most ``MAX_FILES`` files are indexed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .project import ModuleInfo, Project
    from .scope import Scope

MAX_FILES = 5_000  # Python files indexed per project
SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "env", ".tox", ".nox",
        "site-packages", "__pycache__", "build", "dist", ".costlint_cache", ".mypy_cache",
        ".pytest_cache", ".ruff_cache",
    }
)  # fmt: skip
MAX_TEXT_BYTES = 64_000_000  # texts kept in memory for the index; the rest are re-read


@dataclass(frozen=True)
class CallerSite:
    """One call of a function by name: the call, and where it sits."""

    module: ModuleInfo
    call: ast.Call
    scope: Scope


class CallerIndex:
    """Which project files mention a call of a name (textually), found on demand."""

    def __init__(self, project: Project):
        self.project = project
        self._files: list[tuple[Path, str | None]] | None = None
        self._by_name: dict[str, list[Path]] = {}
        self.truncated = False

    def _load(self) -> list[tuple[Path, str | None]]:
        """Every Python file under the root, with its text while the texts fit in memory."""
        files: list[tuple[Path, str | None]] = []
        held = 0
        for path in _python_files(self.project.root):
            if len(files) >= MAX_FILES:
                self.truncated = True
                break
            try:
                size = path.stat().st_size
                if size > self.project.read_limit:
                    continue
                text = None
                if held + size <= MAX_TEXT_BYTES:
                    text = path.read_text(encoding="utf-8", errors="replace")
                    held += size
            except OSError:
                continue
            files.append((path, text))
        return files

    def files_calling(self, name: str) -> list[Path]:
        """Files that mention ``name`` (called, or passed to ``submit``/``map``/``partial``)."""
        found = self._by_name.get(name)
        if found is not None:
            return found
        if self._files is None:
            self._files = self._load()
        pattern = re.compile(r"\b" + re.escape(name) + r"\b")
        found = []
        for path, text in self._files:
            if text is None:
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
            if name in text and pattern.search(text):
                found.append(path)
        self._by_name[name] = found
        return found


def _python_files(root: Path) -> Iterator[Path]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name in SKIPPED_DIRS or entry.is_symlink():
                continue
            if entry.is_dir():
                stack.append(entry)
            elif entry.suffix == ".py":
                yield entry
