"""Per-file results kept in ``.costlint_cache/files/`` between runs, for files with no call site.

Most files of a large tree have no Claude call; remembering that (and their diagnostics)
skips parsing them again. Files with call sites are extracted on every run, so the cache
never holds prompt text. An entry is keyed by the file's path and content, costlint's
version and the config that affects extraction; it also records every other project file the
extraction read (imported modules, prompt files, templates) with a hash of its content, and
is used only while those are unchanged. Entries are JSON, never pickle.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from . import __version__
from .site import Diagnostic

FORMAT = 2  # bump when the entry layout changes


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return _digest(path.read_bytes())
    except OSError:
        return None


class FileCache:
    def __init__(self, directory: Path, salt: str, enabled: bool = True):
        self.directory = directory / "files"
        self.salt = f"{FORMAT}|{__version__}|{salt}"
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def key(self, rel: str, content: bytes) -> str:
        return _digest(self.salt.encode() + b"\0" + rel.encode() + b"\0" + content)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[Diagnostic] | None:
        """The diagnostics of a site-less file seen before, or None (not cached / changed)."""
        if not self.enabled:
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            if not _deps_unchanged(entry.get("deps", {})):
                self.misses += 1
                return None
            diagnostics = [Diagnostic(d["path"], d["message"]) for d in entry["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return diagnostics

    def put(self, key: str, diagnostics: list[Diagnostic], deps: dict[str, str]) -> None:
        """Remember a file that has no call site (only such files are cached)."""
        if not self.enabled:
            return
        entry = {"deps": deps, "diagnostics": [d.to_json() for d in diagnostics]}
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _ensure_gitignore(self.directory.parent)
            handle, temp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out, separators=(",", ":"))
            os.replace(temp, target)
        except (OSError, TypeError, ValueError):
            pass  # a read-only or full disk only costs speed


def _ensure_gitignore(directory: Path) -> None:
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("*\n", encoding="utf-8")


def _deps_unchanged(deps: dict[str, str]) -> bool:
    return all(file_digest(Path(path)) == digest for path, digest in deps.items())
