"""`git ls-files` of a folder: the files discovery takes, and which of them git tracks.

Discovery lists a folder's files that git does not ignore, tracked or not; the cache's trust
check asks whether git tracks anything under the cache directory (then the cache came with
the tree and is never read). One ``git ls-files -t`` answers both (each name comes tagged
tracked or untracked), so a run that lists the repository (``check .``, or the importers of
a pre-commit run's files) starts no second ``git`` for the cache directory.
"""

from __future__ import annotations

from pathlib import Path

# The tracked names of the listing of each folder (relative to it), for the cache's trust
# check.
_TRACKED: dict[Path, frozenset[str]] = {}
# Each folder is listed once per process: the replay check, discovery and the importers'
# search of one run ask for the same listing (a new process lists afresh).
_LISTED: dict[Path, list[str] | None] = {}


def ls_files(top: Path) -> list[str] | None:
    """Files under ``top`` that git does not ignore (tracked or not), sorted, relative to
    ``top``; None when git fails or is missing."""
    if top not in _LISTED:
        _LISTED[top] = _listing(top)
    listed = _LISTED[top]
    return None if listed is None else list(listed)


def _listing(top: Path) -> list[str] | None:
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(top), "ls-files", "-z", "-t", "--cached", "--others",
             "--exclude-standard", "--", "."],
            capture_output=True,
            timeout=60,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    names: set[str] = set()
    tracked: set[str] = set()
    for entry in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(entry) < 3:  # "" after the last NUL
            continue
        name = entry[2:]  # "H name": tracked ("H", "S", "M", ...); "? name": not tracked
        names.add(name)
        if entry[0] != "?":
            tracked.add(name)
    _TRACKED[top] = frozenset(tracked)
    return sorted(names)


def tracked_under(directory: Path) -> bool | None:
    """Whether git tracks a file under ``directory``, from a listing this process already
    made of a folder that holds it; None when no listing covers it."""
    for top, tracked in _TRACKED.items():
        try:
            rel = directory.relative_to(top).as_posix()
        except ValueError:
            continue
        if rel == ".":
            return bool(tracked)
        prefix = rel + "/"
        return any(name.startswith(prefix) for name in tracked)
    return None
