"""The project loader: finds the modules a file imports, parses them once, keeps a few.

Modules are looked up inside the repository only (never imported); a lookup that finds
nothing is a dependency too (a module created there later would be found).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from ..site import Diagnostic
from .notebooks import LineMap, notebook_module_source
from .repository import PROMPT_FILE_LIMIT, Repository
from .scope import ModuleScopes

if TYPE_CHECKING:  # the renderer is built on first use: most runs render no template
    from .templates import TemplateRenderer

MODULE_CACHE_SIZE = 64  # analysed modules kept for cross-module resolution


class ModuleInfo(ModuleScopes):
    """A parsed module of the project with its scopes, built once per file."""

    def __init__(
        self, tree: ast.Module, path: Path, project: Project | None, line_map: LineMap | None = None
    ):
        self.path = path
        self.project = project
        self.line_map = line_map  # a notebook read by value flow: joined line -> (cell, line)
        super().__init__(tree)


class Project(Repository):
    """The tree being scanned: its root, and parsed modules for cross-module resolution."""

    def __init__(self, root: Path, read_limit: int = PROMPT_FILE_LIMIT):
        super().__init__(root, read_limit)
        self._modules: dict[Path, ModuleInfo | None] = {}
        self._src_layouts: dict[Path, Path | None] = {}
        self._templates: TemplateRenderer | None = None
        self._template_settings: tuple[list[str] | None, int | None] = (None, None)

    def register(self, path: Path, module: ModuleInfo) -> None:
        self._remember(self.resolved(path), module)

    def register_tree(self, path: Path, tree: ast.Module) -> None:
        """A module without Claude calls: not kept (memory); re-parsed if something imports it."""
        del path, tree

    def _remember(self, key: Path, module: ModuleInfo | None) -> None:
        """Bounded cache of analysed modules, so memory stays flat on large trees."""
        self._modules[key] = module
        if len(self._modules) > MODULE_CACHE_SIZE:
            self._modules.pop(next(iter(self._modules)))

    def module_at(self, path: Path) -> ModuleInfo | None:
        key = self.resolved(path)
        self.depend_on((key,))
        if key not in self._modules:
            self._modules[key] = None  # guards against import cycles
            self._remember(key, self._parse(key))
        return self._modules.get(key)

    def _parse(self, path: Path) -> ModuleInfo | None:
        if not self.inside(path) or not path.is_file():
            return None
        try:
            if path.stat().st_size > self.read_limit:
                return None
            source = self.read_text_of(path)
            line_map = None
            if path.suffix == ".ipynb":  # a notebook that calls project code (value flow)
                joined = notebook_module_source(source)
                if joined is None:
                    return None
                source, line_map = joined
            tree = ast.parse(source, filename=str(path))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return ModuleInfo(tree, path, self, line_map)

    def find_module(self, name: str, level: int, from_file: Path) -> Path | None:
        """Locate ``name`` (dotted; relative when level > 0) as a file in the project."""
        parts = [p for p in name.split(".") if p]
        if level:
            base = from_file.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = [self.root, self.root / "src"]
            parent = from_file.parent
            while self.inside(parent):
                bases.append(parent)
                src_layout = self._src_layout(parent)
                if src_layout is not None:  # a sub-project with a src/ layout
                    bases.append(src_layout)
                if parent == self.root:
                    break
                parent = parent.parent
        for base in bases:
            candidate = base.joinpath(*parts) if parts else base
            for option in (candidate.with_suffix(".py"), candidate / "__init__.py"):
                if parts and option == candidate.with_suffix(".py") and not candidate.name:
                    continue
                if option.is_file() and self.inside(option):
                    return option
                self.depend_on_missing(option)  # a module created here later would shadow
        return None

    def _src_layout(self, folder: Path) -> Path | None:
        """``folder/src`` when ``folder`` is a sub-project (its own pyproject.toml, setup.py
        or setup.cfg) laid out with its packages under ``src/``; looked up once per folder."""
        if folder in self._src_layouts:
            return self._src_layouts[folder]
        found = None
        if folder != self.root and (folder / "src").is_dir():
            markers = ("pyproject.toml", "setup.py", "setup.cfg")
            if any((folder / marker).is_file() for marker in markers):
                found = folder / "src"
        self._src_layouts[folder] = found
        return found

    # -- Jinja2 templates (see templates.py) --------------------------------------------------
    def configure_templates(
        self, template_dirs: list[str] | None, placeholder_tokens: int | None
    ) -> None:
        """Template settings from config (``placeholder-tokens``, ``template-dirs``)."""
        self._templates = None
        self._template_settings = (template_dirs, placeholder_tokens)

    @property
    def templates(self) -> TemplateRenderer:
        """The run's ``TemplateRenderer`` (default settings unless configured)."""
        if self._templates is None:
            from .templates import TemplateOptions, TemplateRenderer

            dirs, tokens = self._template_settings
            self._templates = TemplateRenderer(
                self, TemplateOptions.from_settings(self.root, dirs, tokens)
            )
        return self._templates

    def template_problems(self, cwd: Path) -> list[Diagnostic]:
        """Templates that code rendered since the last call but that could not be rendered,
        as diagnostics (and forgotten, so each file reports its own)."""
        renderer = self._templates
        if renderer is None or not renderer.problems:
            return []
        found = renderer.diagnostics(cwd)
        renderer.problems.clear()
        return found
