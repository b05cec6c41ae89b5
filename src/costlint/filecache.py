"""Per-file results kept in ``.costlint_cache/files/`` between runs.

An entry is keyed by the file's path and content, costlint's version and the config that
affects extraction; it also records every other project file the extraction read or looked
for (imported modules, prompt files, templates) with a hash of its content (or that it was
absent), and is used only while those are unchanged. Entries are JSON, never pickle.

A file with no call site (most files of a large tree) is remembered with its diagnostics. A
file with call sites is remembered as its *analysis* (see sitecodec: sites with their token
counts, and their findings, with no prompt text), valid only for the run settings it was made
with (``analysis salt``: rules selected and their options, the model catalog, how tokens are
counted); under other settings the file is extracted again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .site import Diagnostic

FORMAT = 3  # bump when the entry layout changes


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    """The content hash of ``path``; None when it is not a readable file (e.g. absent)."""
    try:
        return _digest(path.read_bytes())
    except OSError:
        return None


@dataclass
class CachedFile:
    diagnostics: list[Diagnostic]
    analysis: dict[str, Any] | None = None  # sitecodec.encode_analysis; None: no call site


class FileCache:
    def __init__(self, directory: Path, salt: str, enabled: bool = True, analysis_salt: str = ""):
        self.directory = directory / "files"
        self.salt = f"{FORMAT}|{__version__}|{salt}"
        self.analysis_salt = _digest(analysis_salt.encode())
        self.enabled = enabled
        self.hits = 0
        self.misses = 0
        self._digests: dict[str, str | None] = {}  # dependency hashes, once per run

    def key(self, rel: str, content: bytes) -> str:
        return _digest(self.salt.encode() + b"\0" + rel.encode() + b"\0" + content)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedFile | None:
        """The file as seen before, or None (not cached, changed, or other run settings)."""
        if not self.enabled:
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            analysis = entry.get("analysis")
            if analysis is not None and analysis.get("salt") != self.analysis_salt:
                self.misses += 1
                return None
            if not self._deps_unchanged(entry.get("deps", {})):
                self.misses += 1
                return None
            diagnostics = [Diagnostic(d["path"], d["message"]) for d in entry["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return CachedFile(diagnostics, analysis)

    def put(
        self,
        key: str,
        diagnostics: list[Diagnostic],
        deps: dict[str, str | None],
        analysis: dict[str, Any] | None = None,
    ) -> None:
        """Remember a file: its diagnostics, and for a file with call sites its analysis."""
        if not self.enabled:
            return
        entry: dict[str, Any] = {"deps": deps, "diagnostics": [d.to_json() for d in diagnostics]}
        if analysis is not None:
            entry["analysis"] = {"salt": self.analysis_salt, **analysis}
        try:
            text = json.dumps(entry, separators=(",", ":"))
        except (TypeError, ValueError):
            return  # something not JSON: the file is extracted again next run
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _ensure_gitignore(self.directory.parent)
            handle, temp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, target)
        except OSError:
            pass  # a read-only or full disk only costs speed

    def digest(self, path: str) -> str | None:
        if path not in self._digests:
            self._digests[path] = file_digest(Path(path))
        return self._digests[path]

    def _deps_unchanged(self, deps: dict[str, str | None]) -> bool:
        return all(self.digest(path) == digest for path, digest in deps.items())


def _ensure_gitignore(directory: Path) -> None:
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("*\n", encoding="utf-8")
