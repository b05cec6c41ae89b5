"""The disk cache of API token counts, one small JSON file per count request.

Each count carries a MAC over its request key, model and count under a key from outside the
repository (see cachetrust): a count edited, moved to another request's file or written by
someone without the key is a miss; a cache directory tracked by git is not used at all.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..cachetrust import cache_key, mac, tracked_by_git, verifies

if TYPE_CHECKING:
    from .request_shape import CountRequest


class DiskCache:
    """``cache_dir/counts/<key>.json`` holding only {"input_tokens", "model", "mac"}."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.counts = root / "counts"
        self._ready = False
        self._key: bytes | None = None
        self._usable: bool | None = None

    def usable(self) -> bool:
        """A MAC key exists and git does not track the directory (asked once)."""
        if self._usable is None:
            self._key = cache_key()
            self._usable = self._key is not None and not tracked_by_git(self.root)
        return self._usable

    def _path(self, key: str) -> Path:
        return self.counts / f"{key}.json"

    def get(self, request: CountRequest) -> int | None:
        """The cached count, or None when missing or unreadable (a corrupt file is ignored)."""
        if not self.usable() or self._key is None:
            return None
        try:
            data = json.loads(self._path(request.key()).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("model") != request.model:
            return None
        count = data.get("input_tokens")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return None
        if not verifies(self._key, data.get("mac"), request.key(), request.model, count):
            return None
        return count

    def put(self, request: CountRequest, count: int) -> None:
        """Write atomically (tmp file + os.replace); a read-only tree just means no cache."""
        if not self.usable() or self._key is None:
            return
        try:
            self._ensure_dirs()
            signature = mac(self._key, request.key(), request.model, count)
            payload = json.dumps({"input_tokens": count, "model": request.model, "mac": signature})
            import tempfile  # writes only: shutil, lzma and friends come with it

            fd, tmp = tempfile.mkstemp(dir=self.counts, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(payload)
                os.replace(tmp, self._path(request.key()))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            pass

    def _ensure_dirs(self) -> None:
        """Create counts/ and a .gitignore of ``*`` so the cache never gets committed."""
        if self._ready:
            return
        self.counts.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        self._ready = True
