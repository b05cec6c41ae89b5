"""The project's caller index: which Python files may call a function, built once per run.

One walk over the project's Python files (the first time any analysis asks "who calls
this"), each file read once: its import statements index the files by the modules they
import, and its text is kept (while the texts fit in memory) to find, per name, the files
that mention it. Both users ask it: value flow (``flow.py``: the arguments callers pass) and
the caller graph (``callgraph.py``: the loops and executors around calls, for CL005/CL006).
Nothing is parsed here; the users parse only the files the index points them at.

Bounded: files over the project's read limit are skipped, at most ``MAX_INDEXED_FILES``
files are indexed, and at most ``MAX_TEXT_BYTES`` of text is kept (the rest is re-read).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from .project import Project

MAX_INDEXED_FILES = 20_000  # Python files indexed per project
MAX_TEXT_BYTES = 64_000_000  # texts kept in memory for the index; the rest are re-read
WORDS_KEPT = 2_048  # files whose call-shaped names are kept
SKIPPED_DIRS = frozenset(
    {
        "node_modules", "__pycache__", "site-packages", "venv", ".venv", "env", "build", "dist",
    }
)  # fmt: skip
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)|import[ \t]+([^\n#]+))",
    re.MULTILINE,
)
_WORD = re.compile(r"[A-Za-z_]\w*")
# A name used the way a caller uses a function: called, handed on, subscripted (a registry).
_USED = re.compile(r"(?<!def )(?<!class )\b[A-Za-z_]\w*(?=[ \t]*[(,)\[\]])")


_INDEXES: WeakKeyDictionary[Project, CallerIndex] = WeakKeyDictionary()


def caller_index(project: Project) -> CallerIndex:
    """The run's caller index for ``project`` (built lazily, once per project object)."""
    index = _INDEXES.get(project)
    if index is None:
        index = _INDEXES[project] = CallerIndex(project)
    return index


class CallerIndex:
    """Which project files import a module, mention a name, or use it the way a caller does."""

    def __init__(self, project: Project):
        self.project = project
        self._files: list[tuple[Path, str | None]] | None = None
        self._importers: dict[str, list[Path]] = {}
        self._by_name: dict[str, list[Path]] = {}
        self._words: dict[Path, frozenset[str]] = {}
        self._texts: dict[Path, str] | None = None  # the kept texts by path, built on first use
        self.truncated = False

    # -- the one walk ------------------------------------------------------------------------
    def _load(self) -> list[tuple[Path, str | None]]:
        if self._files is not None:
            return self._files
        files: list[tuple[Path, str | None]] = []
        held = 0
        for path in self._python_files():
            try:
                size = path.stat().st_size
                if size > self.project.read_limit:
                    continue
                text = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                continue
            if "import" in text:
                self._index_imports(path, text)
            if held + size <= MAX_TEXT_BYTES:
                held += size
                files.append((path, text))
            else:
                files.append((path, None))
        self._files = files
        return files

    def _python_files(self) -> list[Path]:
        found: list[Path] = []
        for folder, dirs, names in os.walk(self.project.root):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d not in SKIPPED_DIRS
                and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
            )
            for name in sorted(names):
                if name.endswith(".py"):
                    if len(found) >= MAX_INDEXED_FILES:
                        self.truncated = True
                        return found
                    found.append(Path(folder, name))
        return found

    def _index_imports(self, path: Path, text: str) -> None:
        names: set[str] = set()
        for match in _IMPORT.finditer(text):
            names.update(_WORD.findall(" ".join(part for part in match.groups() if part)))
        for name in names:
            self._importers.setdefault(name, []).append(path)

    # -- questions ---------------------------------------------------------------------------
    def importers(self, module_name: str) -> list[Path]:
        """Project Python files whose import statements name ``module_name``."""
        self._load()
        return self._importers.get(module_name, [])

    def files_calling(self, name: str) -> list[Path]:
        """Files that mention ``name`` as a word (called, or passed to ``submit``/``map``)."""
        found = self._by_name.get(name)
        if found is not None:
            return found
        pattern = re.compile(r"\b" + re.escape(name) + r"\b")
        found = []
        for path, text in self._load():
            if text is None:
                text = _read(path)
            if name in text and pattern.search(text):
                found.append(path)
        self._by_name[name] = found
        return found

    def mentions(self, path: Path, names: set[str]) -> bool:
        """Whether the file's text calls, hands on or subscripts any of ``names``."""
        words = self._words.get(path)
        if words is None:
            text = self._text_of(path)
            if not any(name in text for name in names):
                return False  # not even a substring: the word set is built only when needed
            words = self._words[path] = frozenset(_USED.findall(text))
            if len(self._words) > WORDS_KEPT:  # memory stays flat on large trees
                self._words.pop(next(iter(self._words)))
        return not names.isdisjoint(words)

    def _text_of(self, path: Path) -> str:
        """The text the index keeps for ``path`` when the walk has run, else read again."""
        if self._files is not None:
            if self._texts is None:
                self._texts = {kept: text for kept, text in self._files if text is not None}
            text = self._texts.get(path)
            if text is not None:
                return text
        return _read(path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""
