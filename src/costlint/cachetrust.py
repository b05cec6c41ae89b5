"""Why a cache entry can be believed: a MAC under a key the scanned repository cannot reach.

A pull request controls every file in its tree, the cache directory included. Entries are
therefore authenticated with an HMAC key kept outside the repository: ``COSTLINT_CACHE_KEY``
from the environment (CI), else a random key in the user's cache directory
(``$XDG_CACHE_HOME/costlint/key`` or ``~/.cache/costlint/key``, created 0600 on first use).
An entry whose MAC does not verify is a miss. A cache directory tracked by git came with the
tree, so it is never read (git is asked once per directory and run, unless the run's listing
of the repository already said: ``gitlisting``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from .gitlisting import tracked_under

KEY_ENV = "COSTLINT_CACHE_KEY"


def key_file() -> Path:
    """Where the user's key lives (outside any repository)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "costlint" / "key"


@cache
def _key_for(from_env: str | None, path: str) -> bytes | None:
    if from_env:
        return from_env.encode("utf-8")
    target = Path(path)
    try:
        return _read_key(target)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(os.urandom(32).hex())  # as secrets.token_hex, without its imports
    except FileExistsError:
        pass  # another run created it first
    except OSError:
        return None  # no writable cache directory: no cache
    try:
        return _read_key(target)
    except OSError:
        return None


def _read_key(path: Path) -> bytes | None:
    text = path.read_text(encoding="ascii", errors="replace").strip()
    return text.encode("ascii", "replace") if len(text) >= 32 else None


def cache_key() -> bytes | None:
    """The MAC key, or None when there is none (then nothing is cached)."""
    return _key_for(os.environ.get(KEY_ENV), str(key_file()))


def mac(key: bytes, *parts: Any) -> str:
    """The MAC of ``parts`` (JSON values) under ``key``."""
    message = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def verifies(key: bytes, claimed: Any, *parts: Any) -> bool:
    return isinstance(claimed, str) and hmac.compare_digest(claimed, mac(key, *parts))


def text_mac(key: bytes, *parts: str) -> str:
    """The MAC of texts as they are (joined with NUL): for an entry kept as its JSON text,
    which is then checked before it is parsed, with no re-encoding."""
    return hmac.digest(key, "\0".join(parts).encode("utf-8"), "sha256").hex()  # one C call


def text_verifies(key: bytes, claimed: Any, *parts: str) -> bool:
    return isinstance(claimed, str) and hmac.compare_digest(claimed, text_mac(key, *parts))


def tracked_by_git(directory: Path) -> bool:
    """True when git tracks any file under ``directory`` (then it came with the tree)."""
    known = tracked_under(directory)  # the run's listing of the repository, when it made one
    return _asked_git(directory) if known is None else known


@cache
def _asked_git(directory: Path) -> bool:
    import subprocess  # deferred: only a cache directory without a key file needs git

    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--", "."],
            cwd=directory,
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False  # no directory yet, or no git: nothing can be tracked there
    return done.returncode == 0 and bool(done.stdout.strip(b"\0"))
