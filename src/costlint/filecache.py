"""Per-file results kept in ``.costlint_cache/files/`` between runs.

An entry is keyed by the file's path and content, costlint's version and the config that
affects extraction; it also records every other project file the extraction read or looked
for (imported modules, prompt files, templates) with a hash of its content (or that it was
absent), and is used only while those are unchanged. Entries are JSON, never pickle.

A file with no call site (most files of a large tree) is remembered with its diagnostics. A
file with call sites is remembered as its *analysis* (see sitecodec: sites with their token
counts, and their findings, with no prompt text), valid only for the run settings it was made
with (the analysis salt: rules selected and their options, the model catalog, how tokens are
counted); under other settings the file is extracted again.

Entries live in ``SHARDS`` files chosen by a hash of the file's path, one entry per path:
creating a file per entry cost 0.25-0.7 ms each on the benchmark machine (2,000 files: up to
1.4 s, a third of a cold run), while a two-file pre-commit run still reads only two shards. A
new entry for a path replaces the old one, so the cache does not grow with edits. Shards are
written whole and atomically by the one process that runs the pipeline; when two runs race,
one's entries are lost, which only costs speed.

Every entry carries a MAC (see cachetrust) under a key from outside the repository; an entry
that does not verify is a miss, and a cache directory tracked by git is not used at all. An
entry is ``{"key", "body", "mac"}`` with the body (deps, diagnostics, analysis) kept as JSON
text: the MAC is taken over that text as written, so checking it re-encodes nothing, and a
body is parsed only once its key matches and its MAC verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .cachetrust import cache_key, text_mac, text_verifies, tracked_by_git
from .site import Diagnostic

# Bump when the entry layout changes (5: candidate sets; 6: MACs; 7: defined_at; 8: each
# entry's body kept as its JSON text, the MAC taken over that text).
FORMAT = 8
SHARDS = 64
# When a dict (replay: a run is kept only when every file came from the cache): each path
# served as a hit -> (the cache, its key, the entry's dependencies); a path written -> None.
hit_log: dict[str, tuple[FileCache, str, dict[str, str | None]] | None] | None = None


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
        self.key_bytes = cache_key() if enabled else None
        self.enabled = enabled and self.key_bytes is not None
        self._trusted: bool | None = None  # the directory is not tracked by git (asked once)
        self.hits = 0
        self.misses = 0
        self._digests: dict[str, str | None] = {}  # dependency hashes, once per run
        self._shards: dict[int, dict[str, Any]] = {}
        self._dirty: set[int] = set()

    def key(self, rel: str, content: bytes) -> str:
        return _digest(self.salt.encode() + b"\0" + rel.encode() + b"\0" + content)

    def get(self, rel: str, key: str) -> CachedFile | None:
        """The file as seen before, or None (not cached, changed, or other run settings)."""
        if not self.enabled or not self.trusted():
            return None
        try:
            entry = self._shard(rel).get(rel)
            if not isinstance(entry, dict) or entry.get("key") != key:
                self.misses += 1
                return None
            body = entry.get("body")
            if not isinstance(body, str) or not self._verifies(rel, key, body, entry.get("mac")):
                self.misses += 1
                return None
            data = json.loads(body)
            analysis = data.get("analysis")
            if analysis is not None and analysis.get("salt") != self.analysis_salt:
                self.misses += 1
                return None
            if not self._deps_unchanged(data.get("deps", {})):
                self.misses += 1
                return None
            raw = data["diagnostics"]
            if not all(
                isinstance(d.get("path"), str) and isinstance(d.get("message"), str) for d in raw
            ):
                raise ValueError("damaged diagnostics")
            diagnostics = [Diagnostic.from_json(d) for d in raw]
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            self.misses += 1
            return None
        self.hits += 1
        if hit_log is not None:
            hit_log[rel] = (self, key, data.get("deps", {}))
        return CachedFile(diagnostics, analysis)

    def put(
        self,
        rel: str,
        key: str,
        diagnostics: list[Diagnostic],
        deps: dict[str, str | None],
        analysis: dict[str, Any] | None = None,
    ) -> None:
        """Remember a file (written by ``flush``): its diagnostics, and its analysis if any."""
        if not self.enabled or not self.trusted() or self.key_bytes is None:
            return
        data: dict[str, Any] = {"deps": deps, "diagnostics": [d.to_json() for d in diagnostics]}
        if analysis is not None:
            data["analysis"] = {"salt": self.analysis_salt, **analysis}
        try:
            body = json.dumps(data, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            return  # a value that is not JSON: the file is extracted again next run
        if hit_log is not None:
            hit_log[rel] = None
        number = shard_of(rel)
        self._shard(rel)[rel] = {
            "key": key,
            "body": body,
            "mac": text_mac(self.key_bytes, self.salt, rel, key, body),
        }
        self._dirty.add(number)

    def flush(self) -> int:
        """Write the shards changed by ``put``; returns how many were written."""
        written = 0
        for number in sorted(self._dirty):
            target = self.directory / f"{number:02x}.json"
            temp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            text = json.dumps(self._shards[number], separators=(",", ":"))
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                _ensure_gitignore(self.directory.parent)
                temp.write_text(text, encoding="utf-8")
                os.replace(temp, target)
                written += 1
            except OSError:
                pass  # a read-only or full disk only costs speed
        self._dirty.clear()
        return written

    def trusted(self) -> bool:
        """False when git tracks the cache directory: it came with the tree, never read."""
        if self._trusted is None:
            self._trusted = not tracked_by_git(self.directory.parent)
        return self._trusted

    def _verifies(self, rel: str, key: str, body: str, claimed: Any) -> bool:
        if self.key_bytes is None:
            return False
        return text_verifies(self.key_bytes, claimed, self.salt, rel, key, body)

    def _shard(self, rel: str) -> dict[str, Any]:
        """The entries of ``rel``'s shard by path (read on first use; empty if unusable)."""
        number = shard_of(rel)
        shard = self._shards.get(number)
        if shard is None:
            shard = {"format": self.salt, "files": {}}
            try:
                path = self.directory / f"{number:02x}.json"
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if loaded.get("format") == self.salt and isinstance(loaded.get("files"), dict):
                    shard = loaded  # other versions' and settings' entries are dropped
            except (OSError, ValueError, RecursionError, AttributeError):
                pass  # missing or damaged: start it again
            self._shards[number] = shard
        return shard["files"]

    def digest(self, path: str) -> str | None:
        if path not in self._digests:
            self._digests[path] = file_digest(Path(path))
        return self._digests[path]

    def _deps_unchanged(self, deps: dict[str, str | None]) -> bool:
        return all(self.digest(path) == digest for path, digest in deps.items())


def shard_of(rel: str) -> int:
    return int(hashlib.blake2b(rel.encode(), digest_size=2).hexdigest(), 16) % SHARDS


def _ensure_gitignore(directory: Path) -> None:
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("*\n", encoding="utf-8")
