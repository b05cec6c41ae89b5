"""The tree being scanned as a set of files: its root, and reading text files inside it only.

Every file read (or looked for) while a dependency log is open is recorded in it, so the
per-file cache knows what a file's analysis used (see ``dependencies``), with the hash of the
very bytes that were read (``read_digests``): a file edited after it was read must not have
its new content vouch for an analysis of the old.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .dependencies import DependencyLog

PROMPT_FILE_LIMIT = 2_000_000  # bytes read from one prompt file
RESOLVED_FILES_KEPT = 4096  # resolved file paths remembered (folders: all of them)


class Repository:
    """Reads files inside ``root`` (at most ``read_limit`` bytes each), each once per run."""

    def __init__(self, root: Path, read_limit: int = PROMPT_FILE_LIMIT):
        self.root = root.resolve()
        self.read_limit = read_limit
        self._texts: dict[Path, str | None] = {}
        self._read_digests: dict[Path, str] = {}  # sha256 of the bytes read, by resolved path
        self._log: DependencyLog | None = None  # open while one file is analysed
        self._real_dirs: dict[Path, Path] = {}  # folder -> its resolved path
        self._real_files: dict[Path, Path] = {}  # recent files -> their resolved paths

    def resolved(self, path: Path) -> Path:
        """``path.resolve()``, with each folder resolved once per run: a file then costs one
        ``lstat`` (is it a symbolic link?) instead of one per part of its path. A path with
        ``.``/``..`` parts, a relative one or a link goes through ``Path.resolve``."""
        if not path.is_absolute():
            return path.resolve()  # depends on the working folder: not remembered
        known = self._real_files.get(path)
        if known is not None:
            return known
        real = self._resolve_fresh(path)
        if len(self._real_files) >= RESOLVED_FILES_KEPT:
            self._real_files.clear()
        self._real_files[path] = real
        return real

    def _resolve_fresh(self, path: Path) -> Path:
        parent = path.parent
        name = path.name
        if parent == path or name in ("", ".", "..") or ".." in path.parts:
            return path.resolve()
        real_parent = self._real_dirs.get(parent)
        if real_parent is None:
            real_parent = self._real_dirs[parent] = parent.resolve()
        try:
            mode = os.lstat(os.path.join(real_parent, name)).st_mode
        except (OSError, ValueError):
            return path.resolve()  # absent (or unreadable): as ``resolve`` has it
        if stat.S_ISLNK(mode):
            return path.resolve()
        if real_parent == parent:
            return path  # already its resolved form: no second ``Path`` kept for it
        return real_parent / name

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

    @property
    def read_digests(self) -> Mapping[Path, str]:
        """The sha256 of the bytes read from each file this run, by resolved path."""
        return self._read_digests

    def read_bytes(self, key: Path) -> bytes:
        """Read ``key`` (resolved) and remember the hash of exactly these bytes."""
        data = key.read_bytes()
        self._read_digests[key] = hashlib.sha256(data).hexdigest()
        return data

    def read_text_of(self, key: Path) -> str:
        """``key``'s text as ``Path.read_text`` gives it (universal newlines), bytes hashed."""
        text = self.read_bytes(key).decode("utf-8-sig")
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def inside(self, path: Path) -> bool:
        try:
            self.resolved(path).relative_to(self.root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def read_text(self, path: Path) -> str | None:
        """The text of a file inside the root (relative paths: to the root), or None."""
        key = self.resolved(path if path.is_absolute() else self.root / path)
        self.depend_on((key,))
        if key in self._texts:
            return self._texts[key]
        text: str | None = None
        if self.inside(key) and key.is_file():
            try:
                if key.stat().st_size <= self.read_limit:
                    text = self.read_text_of(key)
            except (OSError, UnicodeDecodeError):
                text = None
        self._texts[key] = text
        return text
