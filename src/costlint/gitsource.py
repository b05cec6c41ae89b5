"""Reading another revision through git, never touching the working tree or the index.

``costlint diff`` scans the base revision as files on disk, so the same pipeline runs on both
sides. The files are the raw blobs of ``git ls-tree REF``, streamed by ``git cat-file --batch``
into a temporary directory (regular files only: no symlinks, nothing outside the directory; no
LFS smudge or other filter runs; files over max-file-size are never written). Renames come from
git's own rename detection, so a file moved with ``git mv`` keeps its call sites matched.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHUNK = 1 << 20  # bytes copied at a time from git cat-file


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
        raise GitError(f"git ref {ref!r} does not exist in {root} ({missing_ref_hint(root, ref)})")
    return sha


def clone_kind(root: Path) -> list[str]:
    """What about this clone keeps other branches out: "shallow", "single-branch" (or none)."""
    kinds = []
    try:
        if _git(root, "rev-parse", "--is-shallow-repository").strip() == b"true":
            kinds.append("shallow")
    except GitError:
        pass
    try:
        refspecs = _git(root, "config", "--get-all", "remote.origin.fetch").decode().split()
    except GitError:
        refspecs = []  # no origin, or no refspec: nothing to say
    if refspecs and not any("*" in spec for spec in refspecs):
        kinds.append("single-branch")
    return kinds


def missing_ref_hint(root: Path, ref: str) -> str:
    """The command that brings ``ref`` into this clone, for the error that it is missing."""
    branch = ref.removeprefix("origin/").removeprefix("refs/remotes/origin/")
    fetch = f"git fetch --depth=1 origin {branch}:refs/remotes/origin/{branch}"
    kinds = clone_kind(root)
    if kinds:
        return (
            f"this is a {' and '.join(kinds)} clone: run `{fetch}` first, or "
            f"`git fetch --depth=1 origin {branch}` and pass --base FETCH_HEAD"
        )
    return f"in CI, fetch the base branch: actions/checkout with fetch-depth: 0, or `{fetch}`"


def materialize(root: Path, commit: str, dest: Path, size_limit: int | None = None) -> Path:
    """Write the tree of ``commit`` under ``dest`` (created); returns ``dest``.

    Regular files only (no symlinks, no submodules), streamed blob by blob from ``git cat-file
    --batch`` (raw blobs: no LFS smudge or other filter runs), so memory does not grow with
    the tree. A file over ``size_limit`` bytes, which costlint never reads, is written as a
    sparse file of its size (what discovery reports on it stays the same) without its content.
    """
    dest.mkdir(parents=True, exist_ok=True)
    base = dest.resolve()
    wanted: list[tuple[str, Path]] = []
    for mode, oid, size, name in _blobs(root, commit):
        if not mode.startswith("100"):
            continue  # symlink (120000) or submodule (160000)
        target = (base / name).resolve()
        if not target.is_relative_to(base) or target == base:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if size_limit is not None and size > size_limit:
            with target.open("wb") as out:
                out.truncate(size)
            continue
        wanted.append((oid, target))
    if wanted:
        _write_blobs(root, wanted)
    return dest


def _blobs(root: Path, commit: str) -> Iterator[tuple[str, str, int, str]]:
    """(mode, object id, size, path) of every entry in ``commit``'s tree, recursively."""
    listing = _git(root, "ls-tree", "-r", "-z", "--long", "--full-tree", commit)
    for record in listing.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, _, name = record.partition("\t")
        fields = meta.split()
        if len(fields) != 4 or fields[1] != "blob":
            continue
        mode, _, oid, size = fields
        yield mode, oid, int(size) if size.isdigit() else 0, name


def _write_blobs(root: Path, wanted: list[tuple[str, Path]]) -> None:
    """Stream the blobs ``wanted`` (object id, target) from one ``git cat-file --batch``."""
    with tempfile.TemporaryFile() as ids:
        ids.write("".join(f"{oid}\n" for oid, _ in wanted).encode("ascii"))
        ids.seek(0)
        try:
            process = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=root,
                stdin=ids,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        assert process.stdout is not None
        with process:
            for oid, target in wanted:
                header = process.stdout.readline().split()
                if len(header) != 3 or header[0].decode("ascii", "replace") != oid:
                    raise GitError(f"git cat-file: unexpected answer for {oid}")
                remaining = int(header[2])
                with target.open("wb") as out:
                    while remaining:
                        chunk = process.stdout.read(min(remaining, CHUNK))
                        if not chunk:
                            raise GitError("git cat-file: output ended early")
                        out.write(chunk)
                        remaining -= len(chunk)
                process.stdout.read(1)  # the newline after each blob


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
