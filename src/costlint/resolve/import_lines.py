"""Whether a file's import statements, read as text, can bind anything from a module.

Value flow looks for the callers of a function among the files that mention its name; on a
large project most of them mean another function of that name. A call of a module-level
function or class defined in module M, found in another file, reaches it only through an
import: of the name itself (``from m import f``, or from a package that re-exports it), of
``*``, or of M or a package above it (``import pkg.m``, ``from pkg import m``). Reading the
import lines of a file's text answers that before the file is parsed. The same test (for
any name of M) tells which files may depend on M (``dependents.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from .callers import MAX_REEXPORT_DEPTH

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)"
    r"|import[ \t]+([^\n#]+))",
    re.MULTILINE,
)
_AS = re.compile(r"\s+as\s+\w+")
_COMMENT = re.compile(r"#[^\n]*")

PackageText = Callable[[list[str]], "str | None"]


class _Question(NamedTuple):
    """Can an import bind ``name`` (any name when None) of the module at ``home``?"""

    name: str | None
    home: tuple[str, ...]
    package_text: PackageText
    depth: int = 0


def can_bind_from(
    text: str,
    name: str | None,
    home_parts: Sequence[str],
    folder_parts: Sequence[str],
    package_text: PackageText,
) -> bool:
    """Whether ``text`` has an import that may bind ``name`` of home, or home itself.

    ``home_parts``: home's path under the project root as parts (folders included: which of
    them is the package root is not known here, so an absolute import matches any run of
    them). ``folder_parts``: the folder of the file ``text`` is read from (a relative import
    starts there). ``package_text``: a folder's ``__init__.py`` text, None when it is not a
    package (only packages re-export, as in ``callers.reaches``). ``name`` None: any name
    of home. Conservative: ``True`` when in doubt.
    """
    question = _Question(name, tuple(home_parts), package_text)
    return _binds(text, list(folder_parts), question)


def _binds(text: str, folder: list[str], question: _Question) -> bool:
    if "import" not in text:
        return False
    for match in _IMPORT.finditer(text):
        dots, source, names, plain = match.groups()
        if plain is not None:  # ``import a.b.c [as x], d``
            modules = (item.strip().split(".") for item in _AS.sub("", plain).split(","))
            if any(_within(parts, question.home) for parts in modules):
                return True
            continue
        listed = _AS.sub("", _COMMENT.sub("", names)).strip().strip("()")
        imported = [item.strip() for item in listed.split(",") if item.strip()]
        if "*" in imported:
            return True
        base = source.split(".") if source else []
        if dots:
            binds = _relative_binds(folder, len(dots) - 1, base, imported, question)
        else:
            binds = _absolute_binds(base, imported, question)
        if binds:
            return True
    return False


def _absolute_binds(base: list[str], imported: list[str], question: _Question) -> bool:
    home, size = question.home, len(base)
    for start in range(len(home) - size + 1):
        if size and list(home[start : start + size]) == base:
            module = list(home[: start + size])  # the folder ``base`` names
            if _from_module(module, imported, question):
                return True
    return question.name in imported  # from a package elsewhere that may re-export it


def _relative_binds(
    folder: list[str], up: int, base: list[str], imported: list[str], question: _Question
) -> bool:
    if up > len(folder):
        return True  # above the project root: cannot tell
    anchor = [*folder[: len(folder) - up], *base]
    if _from_module(anchor, imported, question):
        return True
    return question.name in imported and _reexports(anchor, question)


def _from_module(module: list[str], imported: list[str], question: _Question) -> bool:
    """``from <module> import <imported>``, ``module`` a path from the root: home itself, the
    package or module below it on the way to home, or a package above home that re-exports."""
    home = question.home
    if not (module and _above(module, home)):
        return False
    if len(module) == len(home) or home[len(module)] in imported:
        return True
    if question.name is not None and question.name not in imported:
        return False
    return _reexports(module, question)


def _reexports(anchor: list[str], question: _Question) -> bool:
    """Whether the package at ``anchor`` may re-export the name of home (any name when None;
    followed ``MAX_REEXPORT_DEPTH`` packages deep, as ``callers.reaches`` does)."""
    if question.depth >= MAX_REEXPORT_DEPTH:
        return False
    text = question.package_text(anchor)
    if text is None:
        return False
    return _binds(text, anchor, question._replace(depth=question.depth + 1))


def _above(parts: list[str], home_parts: Sequence[str]) -> bool:
    """Whether ``parts`` is home or a package above it, as a path from the same root."""
    return 0 < len(parts) <= len(home_parts) and list(home_parts[: len(parts)]) == parts


def _within(parts: list[str], home_parts: Sequence[str]) -> bool:
    """Whether ``parts`` is a run of consecutive parts of ``home_parts``."""
    parts = [part for part in parts if part]
    size = len(parts)
    return size > 0 and any(
        list(home_parts[start : start + size]) == parts
        for start in range(len(home_parts) - size + 1)
    )


def module_parts(path: Path, root: Path) -> tuple[str, ...]:
    """A module's path under the project root as parts (``__init__`` dropped)."""
    try:
        relative = path.relative_to(root)  # the caller index's paths are under the root
    except ValueError:
        try:
            relative = path.resolve().relative_to(root.resolve())
        except (ValueError, OSError):
            return (path.stem,)
    return tuple(part for part in relative.with_suffix("").parts if part != "__init__")


def folder_parts(path: Path, root: Path) -> tuple[str, ...]:
    """The parts of the folder ``path`` is in, under the project root."""
    return module_parts(path.parent / "__init__.py", root)


def package_reader(root: Path) -> PackageText:
    """``package_text`` for ``can_bind_from``: a folder's ``__init__.py`` text under ``root``."""

    def package_text(parts: list[str]) -> str | None:
        try:
            return root.joinpath(*parts, "__init__.py").read_text("utf-8-sig", errors="replace")
        except OSError:
            return None

    return package_text
