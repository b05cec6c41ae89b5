"""Which files to read: the paths given, or the tree under them, honouring .gitignore and config.

Directories are walked without following symlinked directories; a symlinked file is read
only when it points inside the repository root.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .config import DEFAULT_EXCLUDE, Config
from .gitlisting import ls_files

# Suffix -> front-end. Later front-ends register here.
FILE_KINDS: dict[str, str] = {
    ".py": "python",
    ".ipynb": "notebook",
    ".j2": "jinja",
    ".jinja": "jinja",
    ".jinja2": "jinja",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".prompty": "prompty",
    ".prompt": "dotprompt",
}
# Under a configured template-dirs folder, text files of these kinds are Jinja2 templates too.
TEMPLATE_DIR_SUFFIXES = frozenset({".txt", ".md", ".tmpl", ".tpl", ".html", ".xml"})


def kind_of(path: Path, template_dirs: tuple[Path, ...] = ()) -> str | None:
    kind = FILE_KINDS.get(path.suffix.lower())
    if kind is None and template_dirs and path.suffix.lower() in TEMPLATE_DIR_SUFFIXES:
        if any(_inside(path, folder) for folder in template_dirs):
            return "jinja"
    return kind


def _template_dirs(config: Config) -> tuple[Path, ...]:
    return tuple((config.root / d).resolve() for d in config.template_dirs or [])


class SourceFile(NamedTuple):
    """A file to scan, with its identity decided here once for every later stage. (A
    NamedTuple: a frozen dataclass costs ~3 M instructions to build at import.)"""

    path: Path  # absolute
    rel: str  # relative to the run directory, POSIX separators
    kind: str
    repo_rel: str = ""  # relative to the repository root (usage files, baselines, SARIF, diff)


class _Ignore:
    """gitignore rules: a spec per directory that has a .gitignore, applied to its subtree."""

    def __init__(self, root: Path, enabled: bool):
        self.root = root
        self.enabled = enabled
        self._specs: dict[str, object | None] = {}

    def spec(self, directory: str) -> object | None:
        if not self.enabled:
            return None
        if directory not in self._specs:
            self._specs[directory] = _read_gitignore(os.path.join(directory, ".gitignore"))
        return self._specs[directory]

    def chain_for(self, top: Path) -> tuple[tuple[str, object], ...]:
        """The specs that apply at ``top``: those of the root and every directory down to it."""
        if not self.enabled or not _inside(top, self.root):
            return ()
        chain: list[tuple[str, object]] = []
        for directory in [*reversed(top.parents), top]:
            if _inside(directory, self.root) and directory != top:
                spec = self.spec(str(directory))
                if spec is not None:
                    chain.append((str(directory), spec))
        return tuple(chain)


def _read_gitignore(path: str) -> object | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    if not any(line.strip() and not line.startswith("#") for line in lines):
        return None
    import pathspec  # only when a .gitignore exists

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(chain: tuple[tuple[str, object], ...], path: str, is_dir: bool) -> bool:
    for base, spec in chain:
        rel = os.path.relpath(path, base).replace(os.sep, "/") + ("/" if is_dir else "")
        if spec.match_file(rel):  # type: ignore[attr-defined]
            return True
    return False


class _Excluder:
    """``exclude`` patterns, compiled once: bare names, name globs, and root-relative paths."""

    def __init__(self, patterns: list[str]):
        self.names: set[str] = set()
        globs: list[str] = []
        self.paths: list[str] = []
        for pattern in patterns:
            bare = pattern.strip().rstrip("/")
            if not bare:
                continue
            if "/" in bare:
                self.paths.append(bare)
            elif any(ch in bare for ch in "*?["):
                globs.append(fnmatch.translate(bare))
            else:
                self.names.add(bare)
        self.glob = re.compile("|".join(globs)) if globs else None

    def __call__(self, rel: str, name: str) -> bool:
        if name in self.names or (self.glob is not None and self.glob.match(name)):
            return True
        for pattern in self.paths:
            if rel == pattern or rel.startswith(pattern + "/") or fnmatch.fnmatch(rel, pattern):
                return True
        return False


def _excluded(rel: str, name: str, patterns: list[str]) -> bool:
    """For a file named on the command line: any of its path components excluded?"""
    excluded = _Excluder(patterns)
    parts = rel.split("/")
    return any(
        excluded("/".join(parts[: index + 1]), part) for index, part in enumerate(parts)
    ) or excluded(rel, name)


def repo_prefix(repo_root: Path, cwd: Path) -> str:
    """What turns a run-relative path into a repository-relative one: the run directory
    relative to the repository root, with a trailing slash ("" at the root or outside it)."""
    try:
        rel = cwd.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"


def discover(
    paths: list[Path],
    config: Config,
    cwd: Path,
    force_exclude: bool = False,
    repo_root: Path | None = None,
) -> Iterator[SourceFile]:
    """Yield the files to scan, each once, in a stable order.

    ``repo_root`` is what repository-relative paths are relative to (default: the config's
    root; ``diff`` scanning a saved tree names the real repository's root).
    """
    root = repo_root or config.root
    prefix = repo_prefix(root, cwd)
    from_outside = not _inside(cwd, root)
    for source in _discover(paths, config, cwd, force_exclude):
        found = _rel_inside(source.path, root) if from_outside else None
        repo_rel = found or posixpath.normpath(prefix + source.rel)  # "app/../x.py" is "x.py"
        yield SourceFile(source.path, source.rel, source.kind, repo_rel)


def _rel_inside(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` (its folder's symlinks followed, not the file's own),
    None when it lies outside: a run from outside the repository names files as one inside."""
    for candidate in (path, Path(os.path.realpath(path.parent)) / path.name):
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            continue
    return None


def _discover(
    paths: list[Path], config: Config, cwd: Path, force_exclude: bool
) -> Iterator[SourceFile]:
    root = config.root
    patterns = [*DEFAULT_EXCLUDE, *(config.exclude or []), *config.extend_exclude]
    user_patterns = [*(config.exclude or []), *config.extend_exclude]
    ignore = _Ignore(root, config.respect_gitignore)
    seen: set[Path] = set()
    templates = _template_dirs(config)
    for given in paths or [cwd]:
        # normpath, not resolve: "../pkg" must match root-relative excludes, and a symlink
        # given as a path must stay a symlink for the checks below.
        absolute = Path(os.path.normpath((cwd / given).absolute()))
        if absolute.is_dir():
            listed = _git_listing(absolute, root) if config.respect_gitignore else None
            if listed is not None:
                yield from _from_listing(absolute, listed, root, cwd, patterns, seen, templates)
            else:
                yield from _walk(absolute, root, cwd, patterns, ignore, seen, templates)
        elif absolute.is_file():
            kind = kind_of(absolute, templates)
            rel = _rel(absolute, cwd)
            if kind is None or absolute in seen:
                continue
            if force_exclude and _excluded(_rel(absolute, root), absolute.name, user_patterns):
                continue
            if absolute.is_symlink() and not _inside(absolute, root):
                continue
            seen.add(absolute)
            yield SourceFile(absolute, rel, kind)


def _git_listing(top: Path, root: Path) -> list[str] | None:
    """Files under ``top`` that git does not ignore (tracked or not), or None without git.

    git applies every .gitignore (nested, global, info/exclude) in C: on a tree with 23,000
    directories this took 0.1 s where matching the patterns in Python took 2.5 s.
    """
    if not (root / ".git").exists() or not _inside(top, root):
        return None
    return ls_files(top)


def _from_listing(
    top: Path,
    listed: list[str],
    root: Path,
    cwd: Path,
    patterns: list[str],
    seen: set[Path],
    templates: tuple[Path, ...],
) -> Iterator[SourceFile]:
    """The wanted files of a git listing of ``top``, with directory checks done once per
    directory and string paths until a file is taken (2,000 files: 0.23 s -> 0.06 s)."""
    excluded = _Excluder(patterns)
    top_from_root = _rel(top, root)
    top_from_cwd = _rel(top, cwd)
    parts = [] if top_from_root in ("", ".") else top_from_root.split("/")
    top_ok = not any(excluded("/".join(parts[: i + 1]), part) for i, part in enumerate(parts))
    directory_ok: dict[str, bool] = {"": top_ok}

    def usable(directory: str) -> bool:
        """Neither excluded nor a symlink, nor below one that is (``directory``: from top)."""
        known = directory_ok.get(directory)
        if known is None:
            parent, _, name = directory.rpartition("/")
            known = (
                usable(parent)
                and not excluded(_join(top_from_root, directory), name)
                and not os.path.islink(os.path.join(top, directory))
            )
            directory_ok[directory] = known
        return known

    for name in listed:
        if not _wanted_suffix(name, templates):
            continue
        directory, _, base = name.rpartition("/")
        if not usable(directory) or excluded(_join(top_from_root, name), base):
            continue
        path = top / name
        try:
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                if not _inside(path, root) or not path.is_file():
                    continue  # out of the repository, a directory, or dangling
            elif not stat.S_ISREG(mode):
                continue
        except OSError:
            continue
        kind = kind_of(path, templates)
        if kind is None or path in seen:
            continue
        seen.add(path)
        yield SourceFile(path, _join(top_from_cwd, name), kind)


def _join(prefix: str, rel: str) -> str:
    """``prefix/rel`` for POSIX relative paths, where ``prefix`` may be "."."""
    if prefix in ("", "."):
        return rel
    return f"{prefix}/{rel}" if rel else prefix


def _walk(
    top: Path,
    root: Path,
    cwd: Path,
    patterns: list[str],
    ignore: _Ignore,
    seen: set[Path],
    templates: tuple[Path, ...] = (),
) -> Iterator[SourceFile]:
    """Walk ``top`` depth-first in name order; cheap checks (the suffix) come first."""
    excluded = _Excluder(patterns)
    root_text = str(root)
    stack: list[tuple[str, tuple[tuple[str, object], ...]]] = [(str(top), ignore.chain_for(top))]
    while stack:
        directory, chain = stack.pop()
        own = ignore.spec(directory)
        if own is not None:
            chain = (*chain, (directory, own))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        subdirs: list[tuple[str, tuple[tuple[str, object], ...]]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_dir and not _wanted_suffix(entry.name, templates):
                continue
            rel_root = os.path.relpath(entry.path, root_text).replace(os.sep, "/")
            if excluded(rel_root, entry.name) or _ignored(chain, entry.path, is_dir):
                continue
            if is_dir:
                subdirs.append((entry.path, chain))
                continue
            path = Path(entry.path)
            source = _source_file(entry, path, root, cwd, templates, seen)
            if source is not None:
                yield source
        stack.extend(reversed(subdirs))


def _wanted_suffix(name: str, templates: tuple[Path, ...]) -> bool:
    suffix = os.path.splitext(name)[1].lower()
    return suffix in FILE_KINDS or bool(templates and suffix in TEMPLATE_DIR_SUFFIXES)


def _source_file(
    entry: os.DirEntry[str],
    path: Path,
    root: Path,
    cwd: Path,
    templates: tuple[Path, ...],
    seen: set[Path],
) -> SourceFile | None:
    try:
        if entry.is_symlink() and (not _inside(path, root) or path.resolve().is_dir()):
            return None
        if not entry.is_file():
            return None
    except OSError:
        return None
    kind = kind_of(path, templates)
    if kind is None or path in seen:
        return None
    seen.add(path)
    return SourceFile(path, _rel(path, cwd), kind)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return os.path.relpath(path, base).replace(os.sep, "/")
