"""The project's caller index: which files may call a function, built once per run, and
whether a call found there really reaches it (matched by imports, not by name).

One walk over the project's Python files and notebooks (``wordindex.py``), each file read
once and no text kept: it indexes the Python files by the modules their import statements
name, and every file by the words it holds and the names it uses the way a caller does (a
notebook by its JSON text; it is parsed only when it mentions the name). Extraction builds it
before forking its workers (``share_word_index``), so a large tree is walked once per run;
otherwise it is built on the first question. Both users ask it: value flow (``flow.py``: the
arguments callers pass, in Python files and notebooks) and the caller graph (``callgraph.py``:
the loops and executors around calls, for CL005/CL006; Python files only).
Nothing is parsed by the walk; the users parse only the files the index points them at.

A call in file X found by name is a caller of ``f`` defined in module M only when X is M, or
X imports ``f`` (or ``*``) from M, or calls it as ``m.f`` / ``pkg.m.f`` with ``m`` imported
(``reaches``); imports resolve through the project's module finder (relative imports, the
folders above X), and through a package that re-exports the name. A method is reached by
``obj.f()`` from files that import from M, and by ``self.f()`` also from M's own imports
(a base class calling a method a subclass overrides).

Bounded: files over the project's read limit are skipped, and at most ``MAX_INDEXED_FILES``
Python files and ``MAX_INDEXED_NOTEBOOKS`` notebooks are indexed (see ``wordindex.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from .wordindex import TextScan, WordIndex, read_text, used_names

if TYPE_CHECKING:
    from .project import ModuleInfo, Project

MAX_REEXPORT_DEPTH = 2  # packages followed that re-export a name (``from .core import f``)
WORDS_KEPT = 2_048  # files outside the index whose call-shaped names are kept
IMPORTERS_KEPT = 4_096  # paths of the latest ``importers`` answers kept (all answers together)

_INDEXES: WeakKeyDictionary[Project, CallerIndex] = WeakKeyDictionary()
_SHARED: dict[tuple[Path, int], WordIndex] = {}


def caller_index(project: Project) -> CallerIndex:
    """The run's caller index for ``project`` (built lazily, once per project object)."""
    index = _INDEXES.get(project)
    if index is None:
        index = _INDEXES[project] = CallerIndex(project)
    return index


def share_word_index(root: Path, read_limit: int, jobs: int) -> None:
    """Build the word index of the project at ``root`` now (with ``jobs`` processes), for
    the caller indexes made until ``drop_shared_word_index``: extraction builds it before
    forking its workers, so the walk is made once and the workers share its result."""
    index = WordIndex.build_apart(root, read_limit, jobs)
    if index is not None:
        _SHARED[(root, read_limit)] = index


def drop_shared_word_index(root: Path, read_limit: int) -> None:
    """Forget the shared word index (the workers keep their copies; a later run walks again)."""
    _SHARED.pop((root, read_limit), None)


class CallerIndex:
    """Which project files import a module, mention a name, or use it the way a caller does."""

    def __init__(self, project: Project):
        self.project = project
        self._index: WordIndex | TextScan | None = None
        self._by_name: dict[str, list[Path]] = {}
        self._words: dict[Path, frozenset[str]] = {}
        self._importers: dict[str, list[Path]] = {}  # the latest answers, oldest first
        self._importers_held = 0  # paths in them

    def _load(self) -> WordIndex | TextScan:
        """The shared word index, or else the walk's texts (built on the first question)."""
        index = self._built()
        if index is None:
            index = self._index = TextScan(self.project.root, self.project.read_limit)
        return index

    def _built(self) -> WordIndex | TextScan | None:
        """The index when it is there already (built here, or shared), else None."""
        if self._index is None:
            self._index = _SHARED.get((self.project.root, self.project.read_limit))
        return self._index

    @property
    def truncated(self) -> bool:
        """Whether the walk stopped at ``MAX_INDEXED_FILES``."""
        return self._load().truncated

    # -- questions ---------------------------------------------------------------------------
    def importers(self, module_name: str) -> list[Path]:
        """Project Python files whose import statements name ``module_name`` (not to be
        changed: the caller graph asks again for the same module stems, file after file,
        and the same ``Path`` objects then cost no new object and no new hash)."""
        found = self._importers.get(module_name)
        if found is None:
            found = self._importers[module_name] = self._load().importers(module_name)
            self._importers_held += len(found)
            while self._importers_held > IMPORTERS_KEPT and len(self._importers) > 1:
                oldest = next(iter(self._importers))
                self._importers_held -= len(self._importers.pop(oldest))
        return found

    def importing_any(self, module_names: Iterable[str]) -> Container[Path]:
        """Project Python files whose import statements name any of ``module_names``, asked
        by path (``path in found``): on a large tree, thousands of files for a top package."""
        return self._load().importing_any(module_names)

    def files_calling(self, name: str) -> list[Path]:
        """Files (Python, and notebooks' code) that mention ``name`` as a word (called, or
        passed to ``submit``/``map``)."""
        found = self._by_name.get(name)
        if found is None:
            found = self._by_name[name] = self._load().files_mentioning(name)
        return found

    def may_import(self, path: Path, module_path: Path) -> bool:
        """Whether the file's text names ``module_path``'s module or a package above it (a
        file that does not cannot import from it; checked before parsing a notebook)."""
        try:
            relative = self.project.resolved(module_path).relative_to(self.project.root)
        except (ValueError, OSError):
            return True
        parts = [part for part in relative.with_suffix("").parts if part != "__init__"]
        index = self._load()
        return any(index.names_word(path, part) for part in parts)

    def mentions(self, path: Path, names: set[str]) -> bool:
        """Whether the file's text calls, hands on or subscripts any of ``names``."""
        built = self._built()
        if isinstance(built, WordIndex):
            indexed = built.uses(path, names)
            if indexed is not None:
                return indexed
        words = self._words.get(path)
        if words is None:
            text = built.text_of(path) if isinstance(built, TextScan) else read_text(path)
            if not any(name in text for name in names):
                return False  # not even a substring: the word set is built only when needed
            words = self._words[path] = used_names(text)
            if len(self._words) > WORDS_KEPT:  # memory stays flat on large trees
                self._words.pop(next(iter(self._words)))
        return not names.isdisjoint(words)


TEST_FOLDERS = frozenset({"tests", "test", "testing"})


def is_test_path(path: Path, root: Path, resolve: Callable[[Path], Path] = Path.resolve) -> bool:
    """A test module: ``test_*.py``, ``*_test.py``, ``conftest.py`` or under a tests folder
    of the project (``root``). ``resolve``: ``Path.resolve``, or the run's memo of it
    (``Repository.resolved``: asked for thousands of files on a large tree)."""
    name = path.name
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    try:
        folders = resolve(path).relative_to(resolve(root)).parts[:-1]
    except (ValueError, OSError):
        return False
    return any(part in TEST_FOLDERS for part in folders)


FORWARDERS = {
    # a function passed to these is called with the arguments that follow it
    "partial": 0, "submit": 0, "to_thread": 0, "run_sync": 0, "run_in_threadpool": 0,
    "apply_async": 0, "spawn": 0, "run_in_executor": 1,
    # ... and these call it once per element of the iterables that follow it
    "map": 0, "imap": 0, "imap_unordered": 0, "thread_map": 0, "process_map": 0,
}  # fmt: skip
MAPPERS = frozenset({"map", "imap", "imap_unordered", "thread_map", "process_map"})
EACH = "_costlint_each_"  # a name nothing binds: ``iterable[EACH]`` is any element


def called_as(call: ast.Call, callee: str) -> ast.Call | None:
    """``call`` as a call of ``callee``: itself when it calls it by name, or the call a
    forwarder makes (``executor.submit(f, x)`` is ``f(x)``; ``pool.map(f, xs)`` is ``f(x)``
    for each ``x`` in ``xs``); None when it does not call ``callee``."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == callee:
        return call
    position = FORWARDERS.get(name)
    if position is None or len(call.args) <= position:
        return None
    passed = call.args[position]
    passed_name = passed.attr if isinstance(passed, ast.Attribute) else getattr(passed, "id", "")
    if passed_name != callee:
        return None
    rest = list(call.args[position + 1 :])
    if name in MAPPERS:
        rest = [
            ast.copy_location(
                ast.Subscript(value=arg, slice=ast.Name(id=EACH), ctx=ast.Load()), arg
            )
            for arg in rest
        ]
    keywords = [] if name in MAPPERS else list(call.keywords)
    synthetic = ast.Call(func=passed, args=rest, keywords=keywords)
    return ast.copy_location(synthetic, call)


# -- does a call found by name reach the function? ----------------------------------------------


@dataclass
class ImportMap:
    """What a module's import statements bind, each resolved to a project file where one is
    found (None: outside the project, or not found; then its dotted name is kept)."""

    names: dict[str, list[tuple[Path | None, str, str]]] = field(default_factory=dict)
    modules: dict[str, list[tuple[Path | None, str]]] = field(default_factory=dict)
    stars: list[tuple[Path | None, str]] = field(default_factory=list)


_IMPORT_MAPS: WeakKeyDictionary[ModuleInfo, ImportMap] = WeakKeyDictionary()


def import_map(module: ModuleInfo) -> ImportMap:
    """The module's imports (every ``import``/``from ... import`` in it, nested ones too),
    resolved once per parsed module: local name -> (file, dotted module, original name)."""
    found = _IMPORT_MAPS.get(module)
    if found is not None:
        return found
    found = ImportMap()
    project = module.project
    path = Path(module.path)

    def locate(dotted: str, level: int) -> Path | None:
        if project is None:
            return None
        located = project.find_module(dotted, level, path)
        return project.resolved(located) if located is not None else None

    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                entry = (locate(alias.name, 0), alias.name)
                local = alias.asname or alias.name  # ``import pkg.m``: called as ``pkg.m.f``
                found.modules.setdefault(local, []).append(entry)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            dotted = "." * node.level + base
            source = locate(base, node.level)
            for alias in node.names:
                if alias.name == "*":
                    found.stars.append((source, dotted))
                    continue
                local = alias.asname or alias.name
                found.names.setdefault(local, []).append((source, dotted, alias.name))
                inner = f"{base}.{alias.name}" if base else alias.name
                submodule = locate(inner, node.level)
                if submodule is not None:  # ``from pkg import m``: a module
                    entry = (submodule, f"{dotted}.{alias.name}")
                    found.modules.setdefault(local, []).append(entry)
    _IMPORT_MAPS[module] = found
    return found


def reaches(
    caller: ModuleInfo, func: ast.AST, home: ModuleInfo, name: str, method: bool = False
) -> bool:
    """Whether ``func`` (what a call in ``caller`` calls, or a reference it hands on) can be
    ``name`` defined in ``home``: the rule in the module docstring. ``method``: ``name`` is
    a method, reached through an object (``obj.name()``, ``self.name()``)."""
    if _key(caller) == _key(home):
        return True
    imports = import_map(caller)
    if isinstance(func, ast.Name):
        if method:
            return False
        local = imports.names.get(func.id)
        if local is not None:
            return any(
                _exports(path, dotted, original, home, name) for path, dotted, original in local
            )
        if func.id in caller.module_scope.functions or func.id in caller.module_scope.classes:
            return False  # the caller's own function of that name
        return any(_exports(path, dotted, name, home, name) for path, dotted in imports.stars)
    if not isinstance(func, ast.Attribute):
        return False
    receiver = _dotted(func.value)
    if receiver is not None:
        head, _, rest = receiver.partition(".")
        if receiver in imports.modules:  # ``m.f()`` with ``import pkg.m as m``
            return any(_is_home(path, dotted, home) for path, dotted in imports.modules[receiver])
        if head in imports.modules:  # ``pkg.m.f()`` with ``import pkg``: ``pkg.m`` is home?
            return any(
                _is_home(_locate(caller, f"{dotted}.{rest}"), f"{dotted}.{rest}", home)
                for _path, dotted in imports.modules[head]
            )
    if _imports_from(caller, imports, home):
        return True
    if method and receiver in ("self", "cls"):
        return _imports_from(home, import_map(home), caller)  # a base class in ``caller``
    return False


def _key(module: ModuleInfo) -> Path:
    return real_path(Path(module.path), module.project)


def real_path(path: Path, project: Project | None) -> Path:
    """``path.resolve()``, through the project's memo of resolved folders when there is one
    (``Repository.resolved``: a file costs one ``lstat``, and a recent one none)."""
    return project.resolved(path) if project is not None else path.resolve()


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` as text (None for anything but names and attributes)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _locate(module: ModuleInfo, dotted: str) -> Path | None:
    project = module.project
    if project is None:
        return None
    bare = dotted.lstrip(".")
    found = project.find_module(bare, len(dotted) - len(bare), Path(module.path))
    return project.resolved(found) if found is not None else None


def _is_home(path: Path | None, dotted: str, home: ModuleInfo) -> bool:
    """Whether an import of ``dotted`` (found at ``path``) is the module ``home``: the same
    file, or, when the import is not found in the project (an installed name for a folder
    of it), a dotted name that ends the home module's path (``pkg.core`` for .../pkg/core.py)."""
    if path is not None:
        return path == _key(home)
    parts = [part for part in dotted.split(".") if part]
    home_parts = list(_key(home).with_suffix("").parts)
    if home_parts and home_parts[-1] == "__init__":
        home_parts.pop()
    return bool(parts) and home_parts[-len(parts) :] == parts


def _exports(
    path: Path | None, dotted: str, original: str, home: ModuleInfo, name: str, depth: int = 0
) -> bool:
    """Whether ``from <dotted> import <original>`` (or ``*``) gives ``name`` of ``home``:
    directly, or through a package that imports it from there (``from .core import *``)."""
    if original != name:
        return False
    if _is_home(path, dotted, home):
        return True
    if path is None or depth >= MAX_REEXPORT_DEPTH or home.project is None:
        return False
    if path.name != "__init__.py":
        return False  # only a package's ``__init__`` is followed (what re-exports names)
    middle = home.project.module_at(path)
    if middle is None:
        return False
    imports = import_map(middle)
    return any(
        _exports(p, d, o, home, name, depth + 1) for p, d, o in imports.names.get(name, ())
    ) or any(_exports(p, d, name, home, name, depth + 1) for p, d in imports.stars)


def _imports_from(caller: ModuleInfo, imports: ImportMap, home: ModuleInfo) -> bool:
    """Whether ``caller`` imports anything from ``home`` (a name, ``*``, or the module)."""
    if any(_is_home(path, dotted, home) for entries in imports.modules.values()
           for path, dotted in entries):  # fmt: skip
        return True
    if any(_is_home(path, dotted, home) for path, dotted in imports.stars):
        return True
    return any(
        _exports(path, dotted, original, home, original)
        for entries in imports.names.values()
        for path, dotted, original in entries
    )
