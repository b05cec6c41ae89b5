"""Jinja2 template rendering for the resolver and the front-ends: one renderer per run.

Templates are parsed with Jinja2 and rendered only in a sandbox (``jinja_sandbox``, imported on
first use so ``costlint check`` starts fast). A variable the caller does not supply renders
as a ``{name}`` placeholder standing for about ``placeholder-tokens`` tokens (default 16): the
result is a ``Str`` whose holes count the placeholders, so the stable (cacheable) prefix stops
at the first part that varies. ``include``/``extends``/``import`` load only files inside the
repository, from the configured ``template-dirs`` and the folders around the template. A
template that cannot be rendered raises ``RenderError`` (its message is the diagnostic text).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..site import UNKNOWN, Diagnostic, Str
from .repository import Repository

DEFAULT_PLACEHOLDER_TOKENS = 16
MAX_RENDER_CHARS = 4_000_000
RENDER_SECONDS = 2.0
MEMORY_HEADROOM = 512 * 1024 * 1024


class RenderError(Exception):
    """A template that cannot be rendered; ``message`` is the diagnostic text."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TemplateOptions:
    placeholder_tokens: int = DEFAULT_PLACEHOLDER_TOKENS
    template_dirs: tuple[Path, ...] = ()  # absolute
    max_chars: int = MAX_RENDER_CHARS
    seconds: float = RENDER_SECONDS
    memory_headroom: int = MEMORY_HEADROOM

    @classmethod
    def from_settings(
        cls, root: Path, template_dirs: list[str] | None, placeholder_tokens: int | None
    ) -> TemplateOptions:
        """From the ``template-dirs`` (relative to the root) and ``placeholder-tokens`` settings."""
        tokens = DEFAULT_PLACEHOLDER_TOKENS if placeholder_tokens is None else placeholder_tokens
        dirs = tuple((root / d).resolve() for d in template_dirs or [])
        return cls(placeholder_tokens=int(tokens), template_dirs=dirs)


def placeholder_text(name: str, tokens: int) -> str:
    """``{name}``, padded with ``…`` so the offline estimate counts about ``tokens`` tokens."""
    from ..estimate import estimate_tokens

    name = re.sub(r"[\s{}]+", "_", name or "value")
    base = "{" + name + "}"
    pad = max(0, tokens - estimate_tokens(base))
    return "{" + name + "\u2026" * pad + "}"


@dataclass
class Rendered:
    """A render: text with placeholder markers, and the name behind each marker."""

    text: str
    names: list[str]
    placeholder_tokens: int = DEFAULT_PLACEHOLDER_TOKENS

    @property
    def varying(self) -> list[str]:
        """The variables that vary between renders, each once, in order of appearance."""
        return list(dict.fromkeys(self.names))

    def as_str(self, text: str | None = None) -> Str:
        """``text`` (default: the whole render) with markers turned into placeholders."""
        from .jinja_sandbox import MARKER

        source = self.text if text is None else text
        parts: list[str] = []
        last = 0
        for match in MARKER.finditer(source):
            parts.append(_strip_markers(source[last : match.start()]))
            index = int(match.group(1))
            name = self.names[index] if index < len(self.names) else "value"
            parts.append(Str(placeholder_text(name, self.placeholder_tokens), 1, 0))
            last = match.end()
        parts.append(_strip_markers(source[last:]))
        return Str.concat(parts)


def _strip_markers(text: str) -> str:
    """Drop marker pieces a filter cut in half (``|truncate`` on a placeholder)."""
    return re.sub("[\ue000\ue001]", "", text) if "\ue000" in text or "\ue001" in text else text


@dataclass
class _Problem:
    where: Path | None
    message: str


@dataclass
class TemplateRenderer:
    """Renders templates for one run: one sandbox per search path, results cached."""

    project: Repository
    options: TemplateOptions = field(default_factory=TemplateOptions)
    problems: list[_Problem] = field(default_factory=list)
    _envs: dict[Any, Any] = field(default_factory=dict)
    _cache: dict[str, Rendered | RenderError] = field(default_factory=dict)
    _compiled: dict[Any, Any] = field(default_factory=dict)  # template code, for every sandbox
    _parsed: dict[str, Any] = field(default_factory=dict)  # trees parse() made, for one compile
    loaded: set[Path] = field(default_factory=set)  # every template file looked for

    # -- environments ------------------------------------------------------------------------
    def environment(self, dirs: tuple[Path, ...], mapping: dict[str, str] | None = None) -> Any:
        key = (dirs, tuple(sorted((mapping or {}).items())))
        env = self._envs.get(key)
        if env is None:
            from .jinja_sandbox import RepoLoader, make_environment

            loader = RepoLoader(dirs, self._load, mapping)
            env = make_environment(loader, self._compiled, self._parsed)
            self._envs[key] = env
        return env

    def _load(self, path: Path) -> str | None:
        self.loaded.add(path)
        return self.project.read_text(path)

    def _depend_on_loaded(self) -> None:
        """Jinja keeps loaded templates, so a later render may read no file at all: every
        file these environments have looked for counts as read (per-file cache deps)."""
        self.project.depend_on(self.loaded)

    def search_dirs(self, near: Path | None, extra: tuple[Path, ...] = ()) -> tuple[Path, ...]:
        """Where includes are looked up: ``extra``, template-dirs, then ``near`` up to the root."""
        dirs: list[Path] = [*extra, *self.options.template_dirs]
        root = self.project.root
        current = self.project.resolved(near) if near is not None else None
        while current is not None and self.project.inside(current):
            dirs.append(current)
            if current == root:
                break
            current = current.parent
        dirs.append(root)
        return tuple(dict.fromkeys(d for d in dirs if self.project.inside(d)))

    # -- rendering ---------------------------------------------------------------------------
    def render(
        self,
        *,
        source: str | None = None,
        name: str | None = None,
        dirs: tuple[Path, ...] = (),
        mapping: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> Rendered:
        """Render inline ``source`` or the template ``name``; raises ``RenderError``."""
        values = plain_values(values or {})
        identity = [source, name, [str(d) for d in dirs], mapping, values]
        key = hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()
        cached = self._cache.get(key)
        if cached is None:
            cached = self._render(source, name, dirs, mapping, values)
            self._cache[key] = cached
        self._depend_on_loaded()
        if isinstance(cached, RenderError):
            raise cached
        return cached

    def _render(
        self,
        source: str | None,
        name: str | None,
        dirs: tuple[Path, ...],
        mapping: dict[str, str] | None,
        values: dict[str, Any],
    ) -> Rendered | RenderError:
        from .jinja_sandbox import render

        options = self.options
        try:
            text, names = render(
                self.environment(dirs, mapping),
                source=source,
                name=name,
                values=values,
                max_chars=options.max_chars,
                seconds=options.seconds,
                memory_headroom=options.memory_headroom,
            )
        except Exception as exc:  # every failure of a scanned template is a diagnostic
            _pass_through(exc)
            return RenderError(describe_failure(exc))
        return Rendered(text, names, options.placeholder_tokens)

    def parse(self, source: str, name: str | None = None) -> Any:
        """The template's Jinja2 AST; raises ``RenderError`` on a syntax error. The first
        compile of ``source`` that follows uses this tree (and may edit it): read it before
        rendering the source."""
        env = self.environment(())
        try:
            tree = env.parse(source, name=name)
        except Exception as exc:
            _pass_through(exc)
            raise RenderError(describe_failure(exc)) from None
        self._parsed[source] = tree
        return tree

    def note(self, where: Path | None, message: str) -> None:
        """Remember a render failure met while resolving code (reported as a diagnostic)."""
        problem = _Problem(where, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def diagnostics(self, cwd: Path) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for problem in self.problems:
            where = problem.where or self.project.root
            try:
                rel = where.relative_to(cwd).as_posix()
            except ValueError:
                rel = os.path.relpath(where, cwd).replace(os.sep, "/")
            out.append(Diagnostic(rel, problem.message))
        return out


def _pass_through(exc: BaseException) -> None:
    """Re-raise what the run raises on its own (the per-file time budget's alarm)."""
    from ..budget import FileTimeout

    if isinstance(exc, FileTimeout):
        raise exc


def describe_failure(exc: BaseException) -> str:
    """One line saying why a template could not be rendered."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    from .jinja_sandbox import OutsideRepository, RenderTimeout, RenderTooLarge

    if isinstance(exc, SecurityError):
        return f"template refused by the sandbox (nothing was run): {_first_line(exc)}"
    if isinstance(exc, OutsideRepository):
        return f"template include {exc.name!r} refused: outside the repository"
    if isinstance(exc, TemplateNotFound):
        return f"template include not found: {exc.name!r} (looked inside the repository only)"
    if isinstance(exc, TemplateSyntaxError):
        where = f" in {Path(exc.filename).name}" if exc.filename else ""
        return f"template syntax error{where} (line {exc.lineno}): {exc.message}"
    if isinstance(exc, RecursionError):
        return (
            "cannot render template: recursion too deep "
            "(a template that includes itself, or a macro that calls itself?)"
        )
    if isinstance(exc, RenderTimeout | RenderTooLarge):
        return f"cannot render template: {_first_line(exc)}"
    if isinstance(exc, MemoryError):
        return "cannot render template: over the memory limit"
    return f"cannot render template: {type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def plain_values(values: dict[str, Any]) -> dict[str, Any]:
    """Render values that are fully known; the rest are left out (they become placeholders)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        plain = _plain(value, 0)
        if plain is not UNKNOWN and isinstance(key, str):
            out[key] = plain
    return out


def _plain(value: Any, depth: int) -> Any:
    if depth > 20 or value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, str):
        return UNKNOWN if getattr(value, "holes", 0) else str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        items = [_plain(item, depth + 1) for item in value]
        return UNKNOWN if any(item is UNKNOWN for item in items) else items
    if isinstance(value, dict):
        pairs = {str(k): _plain(v, depth + 1) for k, v in value.items()}
        return UNKNOWN if any(v is UNKNOWN for v in pairs.values()) else pairs
    return UNKNOWN


def render_linked(
    renderer: TemplateRenderer,
    *,
    source: str | None,
    name: str | None,
    dirs: tuple[Path, ...],
    mapping: dict[str, str] | None,
    values: dict[str, Any],
    caller: Path,
) -> Any:
    """The rendered text of a template a Python call renders, or UNKNOWN (noted) on failure."""
    search = dirs if name is not None else renderer.search_dirs(caller.parent, dirs)
    try:
        rendered = renderer.render(
            source=source, name=name, dirs=search, mapping=mapping, values=values
        )
    except RenderError as exc:
        label = f"template {name!r}" if name else "inline template"
        renderer.note(caller, f"{label}: {exc.message}")
        return UNKNOWN
    return rendered.as_str()


def render_file(renderer: TemplateRenderer, path: Path) -> tuple[Rendered | None, str | None]:
    """Render one template file with placeholders (for ``costlint count``): result or reason."""
    text = renderer.project.read_text(path)
    if text is None:
        return None, "cannot read the file (outside the repository, missing or too big)"
    try:
        return renderer.render(source=text, dirs=renderer.search_dirs(path.parent)), None
    except RenderError as exc:
        return None, exc.message
