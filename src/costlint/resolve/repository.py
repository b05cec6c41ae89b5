"""The tree being scanned as a set of files: its root, and reading text files inside it only.

Every file read (or looked for) while a dependency log is open is recorded in it, so the
per-file cache knows what a file's analysis used (see ``dependencies``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .dependencies import DependencyLog

PROMPT_FILE_LIMIT = 2_000_000  # bytes read from one prompt file


class Repository:
    """Reads files inside ``root`` (at most ``read_limit`` bytes each), each once per run."""

    def __init__(self, root: Path, read_limit: int = PROMPT_FILE_LIMIT):
        self.root = root.resolve()
        self.read_limit = read_limit
        self._texts: dict[Path, str | None] = {}
        self._log: DependencyLog | None = None  # open while one file is analysed

    @contextmanager
    def tracking(self) -> Iterator[DependencyLog]:
        """Record what is read or looked for until the block ends, in the log it yields."""
        previous, self._log = self._log, DependencyLog()
        try:
            yield self._log
        finally:
            self._log = previous

    def depend_on(self, paths: Iterable[Path]) -> None:
        """Files the current analysis used without reading them here (templates Jinja kept)."""
        if self._log is not None:
            for path in paths:
                self._log.read(path)

    def depend_on_missing(self, path: Path) -> None:
        """A file looked for and not found (or not used): one created later would count."""
        if self._log is not None:
            self._log.missed(path)

    def depend_on_unhashable(self) -> None:
        """The current analysis used something no file hash covers (a glob's matches)."""
        if self._log is not None:
            self._log.unhashable()

    def inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def read_text(self, path: Path) -> str | None:
        """The text of a file inside the root (relative paths: to the root), or None."""
        key = path.resolve() if path.is_absolute() else (self.root / path).resolve()
        self.depend_on((key,))
        if key in self._texts:
            return self._texts[key]
        text: str | None = None
        if self.inside(key) and key.is_file():
            try:
                if key.stat().st_size <= self.read_limit:
                    text = key.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = None
        self._texts[key] = text
        return text
