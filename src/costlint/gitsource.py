"""Reading another revision through git, never touching the working tree or the index.

``costlint diff`` scans the base revision as files on disk, so the same pipeline runs on both
sides. The files come from ``git archive REF`` unpacked into a temporary directory (regular
files and directories only: no symlinks, nothing outside the directory). Renames come from
git's own rename detection, so a file moved with ``git mv`` keeps its call sites matched.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path


class GitError(Exception):
    """git is missing, this is not a repository, or a ref does not exist (exit 2)."""


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def repo_root(cwd: Path) -> Path:
    """The top of the working tree that contains ``cwd``."""
    try:
        out = _git(cwd, "rev-parse", "--show-toplevel")
    except GitError:
        raise GitError(f"not a git repository: {cwd} (diff --base needs git history)") from None
    return Path(out.decode("utf-8").strip())


def resolve_commit(root: Path, ref: str) -> str:
    """The commit id ``ref`` names; a clear error when it names nothing."""
    if not ref or ref.startswith("-"):
        raise GitError(f"invalid git ref: {ref!r}")
    try:
        out = _git(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
        )
    except GitError:
        out = b""
    sha = out.decode("utf-8").strip()
    if not sha:
        raise GitError(
            f"git ref {ref!r} does not exist in {root} (in CI, fetch the base branch: "
            "actions/checkout with fetch-depth: 0, or git fetch origin <branch>)"
        )
    return sha


def materialize(root: Path, commit: str, dest: Path) -> Path:
    """Write the tree of ``commit`` under ``dest`` (created); returns ``dest``."""
    data = _git(root, "archive", "--format=tar", commit)
    dest.mkdir(parents=True, exist_ok=True)
    base = dest.resolve()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for member in archive:
            target = (base / member.name).resolve()
            if not target.is_relative_to(base):
                continue
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                if source is None:
                    continue
                with source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
    return dest


def renames(root: Path, base: str, head: str | None = None) -> dict[str, str]:
    """Repository-relative ``base path -> head path`` for files git sees as renamed.

    With no ``head``, the head is the working tree (tracked files, staged or not).
    """
    args = ["diff", "-M", "--name-status", "-z", "--no-ext-diff", base]
    if head is not None:
        args.append(head)
    parts = _git(root, *args).decode("utf-8", "surrogateescape").split("\0")
    mapping: dict[str, str] = {}
    index = 0
    while index < len(parts) and parts[index]:
        status = parts[index]
        if status[:1] in ("R", "C"):
            if status[:1] == "R":
                mapping[parts[index + 1]] = parts[index + 2]
            index += 3
        else:
            index += 2
    return mapping
