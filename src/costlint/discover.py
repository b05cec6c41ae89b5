"""Which files to read: the paths given, or the tree under them, honouring .gitignore and config.

Directories are walked without following symlinked directories; a symlinked file is read
only when it points inside the repository root.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_EXCLUDE, Config

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
    return tuple((config.root / d).resolve() for d in config.extra.get("template-dirs", []) or [])


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    rel: str  # relative to the run directory, POSIX separators
    kind: str


class _Ignore:
    """gitignore rules, one spec per directory that has a .gitignore."""

    def __init__(self, root: Path, enabled: bool):
        self.root = root
        self.enabled = enabled
        self.specs: dict[Path, object] = {}

    def load(self, directory: Path) -> None:
        if not self.enabled or directory in self.specs:
            return
        gitignore = directory / ".gitignore"
        spec = None
        if gitignore.is_file():
            try:
                lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            if lines:
                import pathspec

                spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self.specs[directory] = spec

    def ignored(self, path: Path, is_dir: bool) -> bool:
        if not self.enabled:
            return False
        for directory, spec in self.specs.items():
            if spec is None:
                continue
            try:
                rel = path.relative_to(directory).as_posix()
            except ValueError:
                continue
            if is_dir:
                rel += "/"
            if spec.match_file(rel):  # type: ignore[attr-defined]
                return True
        return False


def _excluded(rel: str, name: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        bare = pattern.rstrip("/")
        if name == bare or fnmatch.fnmatch(name, bare):
            return True
        if fnmatch.fnmatch(rel, bare) or rel == bare or rel.startswith(bare + "/"):
            return True
    return False


def discover(
    paths: list[Path],
    config: Config,
    cwd: Path,
    force_exclude: bool = False,
) -> Iterator[SourceFile]:
    """Yield the files to scan, each once, in a stable order."""
    root = config.root
    patterns = [*DEFAULT_EXCLUDE, *(config.exclude or []), *config.extend_exclude]
    user_patterns = [*(config.exclude or []), *config.extend_exclude]
    ignore = _Ignore(root, config.respect_gitignore)
    seen: set[Path] = set()
    templates = _template_dirs(config)
    for given in paths or [cwd]:
        absolute = (cwd / given).absolute() if not given.is_absolute() else given
        if absolute.is_dir():
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


def _walk(
    top: Path,
    root: Path,
    cwd: Path,
    patterns: list[str],
    ignore: _Ignore,
    seen: set[Path],
    templates: tuple[Path, ...] = (),
) -> Iterator[SourceFile]:
    # Load .gitignore files of the directories between the root and the start of the walk.
    if _inside(top, root):
        chain = [top, *top.parents]
        for directory in reversed(chain):
            if _inside(directory, root):
                ignore.load(directory)
    stack = [top]
    while stack:
        directory = stack.pop()
        ignore.load(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            rel_root = _rel(path, root)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                continue
            if _excluded(rel_root, entry.name, patterns):
                continue
            if ignore.ignored(path, is_dir):
                continue
            if is_dir:
                subdirs.append(path)
                continue
            if is_link:
                if not _inside(path, root) or path.resolve().is_dir():
                    continue
            kind = kind_of(path, templates)
            if kind is None or path in seen:
                continue
            try:
                if not entry.is_file():
                    continue
            except OSError:
                continue
            seen.add(path)
            yield SourceFile(path, _rel(path, cwd), kind)
        stack.extend(reversed(subdirs))


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
