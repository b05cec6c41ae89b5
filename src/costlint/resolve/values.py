"""What the evaluator turns expressions into, besides plain Python values and ``Str``.

Paths, open files, project modules and classes, and the Jinja2 objects a module builds
(environments, loaders, templates) are kept as these values until something reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from .scope import Scope

if TYPE_CHECKING:
    from .project import ModuleInfo


@dataclass
class PathValue:
    """A filesystem path computed from the source (``Path(__file__).parent / "x.txt"``)."""

    path: PurePath


@dataclass
class ModuleRef:
    """A module of the project, imported by name."""

    module: ModuleInfo


@dataclass
class FileRead:
    """An open file handle (``open(p)``) whose ``.read()`` is the file's text."""

    path: PathValue


@dataclass
class ClassRef:
    """A class of the project, by its scope."""

    scope: Scope


@dataclass
class JinjaLoader:
    """A jinja2 loader in the source: the folders it reads, or its in-memory templates."""

    dirs: tuple[Path, ...] = ()
    mapping: dict[str, str] | None = None


@dataclass
class JinjaEnv:
    """A jinja2 ``Environment``; ``loader`` is None when its loader cannot be resolved."""

    loader: JinjaLoader | None


@dataclass
class JinjaTemplate:
    """A jinja2 template: inline ``source``, or ``name`` to load through ``loader``."""

    source: str | None = None
    name: str | None = None
    loader: JinjaLoader | None = None
