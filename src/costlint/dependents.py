"""The project files that import the files a pre-commit run was given (``check FILES``).

A change to ``app/llm.py`` (a model constant) can give ``app/classify.py``, which imports
it, a new finding. So for explicit files, costlint also looks for their importers: Python
files of the project whose import statements name one of the given modules, then the files
importing those, up to ``MAX_DEPTH`` levels and ``MAX_DEPENDENTS`` files. This text search
only nominates candidates; the pipeline extracts them and keeps the call sites of those
whose analysis actually read a given file (``FileResult.deps``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .config import Config
from .discover import SourceFile, discover

MAX_DEPTH = 3  # importers of importers of importers
MAX_DEPENDENTS = 100  # files nominated in all
MAX_PROJECT_FILES = 20_000  # Python files searched for imports
READ_LIMIT = 1_000_000  # bytes of a file searched for import statements

IMPORT_STATEMENT = re.compile(
    r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]*\([^)]*\)|(?:from|import)\b[^\n]*)",
    re.MULTILINE,
)


def module_names(path: Path, root: Path) -> set[str]:
    """The names an import of this file would use last: ``app/llm.py`` -> {"llm"};
    a package's ``__init__.py`` -> its directory's name."""
    try:
        parts = path.resolve().relative_to(root.resolve()).with_suffix("").parts
    except ValueError:
        return set()
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return {parts[-1]} if parts else set()


def _imports(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            text = handle.read(READ_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(match.group(0) for match in IMPORT_STATEMENT.finditer(text))


def importers(
    given: Iterable[SourceFile], config: Config, cwd: Path, repo_root: Path | None = None
) -> list[SourceFile]:
    """Project Python files that import the given ones, transitively and bounded."""
    given = [source for source in given if source.kind == "python"]
    if not given:
        return []
    project: list[SourceFile] = []
    for source in discover([config.root], config, cwd, repo_root=repo_root):
        if source.kind == "python":
            project.append(source)
            if len(project) >= MAX_PROJECT_FILES:
                break
    taken = {source.path.resolve() for source in given}
    root = config.root
    imports: dict[Path, str] = {}
    found: list[SourceFile] = []
    frontier = list(given)
    for _ in range(MAX_DEPTH):
        names = set().union(*(module_names(source.path, config.root) for source in frontier))
        if not names:
            break
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
        homes = [source.path for source in frontier]
        frontier = []
        for source in project:
            key = source.path.resolve()
            if key in taken:
                continue
            if key not in imports:
                imports[key] = _imports(source.path)
            text = imports[key]
            if pattern.search(text) and _imports_one(source.path, text, homes, root):
                taken.add(key)
                frontier.append(source)
                found.append(source)
                if len(found) >= MAX_DEPENDENTS:
                    return found
        if not frontier:
            break
    return found


def _imports_one(path: Path, imports: str, homes: list[Path], root: Path) -> bool:
    """Whether the import lines of ``path`` can bind anything of one of the modules at
    ``homes`` (a name matched by the search above may be another module's of that name)."""
    from .resolve.import_lines import can_bind_from, folder_parts, module_parts, package_reader

    folder = folder_parts(path, root)
    read = package_reader(root)
    return any(
        can_bind_from(imports, None, module_parts(home, root), folder, read) for home in homes
    )
