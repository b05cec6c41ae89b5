"""The front-end for Jinja2 template files: a template's conversation loops become sites.

Rendering itself (the sandbox, placeholders, includes inside the repository) is the resolver
library's (``resolve.templates``); this module only turns a ``.j2`` file into PromptSites.
A template file that loops over a whole conversation (``{% for turn in history %}``) is a
site of its own, so resent-history (CL003) points at the line of the ``for``. A template that
cannot be rendered (sandbox refusal, missing or self include, syntax error, over a limit) is a
diagnostic; the run goes on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..resolve.project import Project
from ..resolve.templates import RenderError, TemplateRenderer
from ..site import Diagnostic, HistoryInfo, PromptSite, Span
from .result import ExtractResult
from .suppression import suppression

TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")
# A loop over a variable named with one of these words renders a conversation.
HISTORY_WORDS = frozenset({"history", "messages", "conversation", "turns", "chat"})
# Filters that keep every item of the list they are given (others may trim it).
WHOLE_FILTERS = frozenset({"list", "reverse", "sort", "selectattr", "rejectattr", "map", "unique"})
CACHE_MARKER = re.compile(r"cache_control|cache-control", re.IGNORECASE)
_FOR_TAG = re.compile(r"\{%[-+]?\s*for\b")


def renderer_for(project: Project | None, near: Path | None = None) -> TemplateRenderer:
    """The run's renderer (kept on the project), or a fresh one for a project-less call."""
    if project is None:
        project = Project(near.parent if near is not None else Path.cwd())
    return project.templates


# -- the front-end for template files ---------------------------------------------------------
def extract_jinja(
    source: str,
    rel_path: str,
    abs_path: Path,
    project: Project | None,
    frontend: str = "jinja",
    line_offset: int = 0,
) -> ExtractResult:
    """Sites for a template file (its conversation loops) and diagnostics; never raises."""
    result = ExtractResult()
    renderer = renderer_for(project, abs_path)
    try:
        tree = renderer.parse(source, abs_path.name)
    except RenderError as exc:
        result.diagnostics.append(Diagnostic(rel_path, exc.message))
        return result
    if not CACHE_MARKER.search(source):
        result.sites = history_sites(tree, source, rel_path, frontend, line_offset)
    try:
        renderer.render(source=source, dirs=renderer.search_dirs(abs_path.parent))
    except RenderError as exc:
        result.diagnostics.append(Diagnostic(rel_path, exc.message))
    return result


def history_sites(
    tree: Any, source: str, rel_path: str, frontend: str, line_offset: int = 0
) -> list[PromptSite]:
    """One site per ``{% for %}`` over a whole conversation (CL003 reads ``history``)."""
    lines = source.splitlines()
    sites: list[PromptSite] = []
    for ordinal, (line, variable) in enumerate(history_loops(tree)):
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        match = _FOR_TAG.search(text)
        column = match.start() + 1 if match else 1
        sites.append(
            PromptSite(
                path=rel_path,
                span=Span(line + line_offset, column),
                kind="template",
                frontend=frontend,
                qualname=f"for {variable}",
                ordinal=ordinal,
                repeated=True,
                history=HistoryInfo(growing=True, whole=True, variable=variable),
                ignore=suppression(text),
                notes=[f"renders all of `{variable}` on every call"],
            )
        )
    return sites


def history_loops(tree: Any) -> list[tuple[int, str]]:
    """(line, variable) of each loop rendering a whole conversation, outermost first."""
    from jinja2 import nodes

    found: list[tuple[int, str]] = []
    for loop in tree.find_all(nodes.For):
        variable = _whole_conversation(loop.iter)
        if variable and not _windowed_body(loop):
            found.append((loop.lineno, variable))
    return sorted(found)


def _whole_conversation(node: Any) -> str | None:
    """The conversation variable a loop walks whole (not sliced, not through a trimming filter)."""
    from jinja2 import nodes

    if isinstance(node, nodes.Filter):
        return _whole_conversation(node.node) if node.name in WHOLE_FILTERS else None
    if isinstance(node, nodes.Getitem):
        arg = node.arg
        full = isinstance(arg, nodes.Slice) and arg.start is arg.stop is arg.step is None
        return _whole_conversation(node.node) if full else None
    name = _dotted(node)
    if name is None:
        return None
    words = set(re.split(r"[_\W]+", name.rsplit(".", 1)[-1].lower()))
    return name if words & HISTORY_WORDS else None


def _dotted(node: Any) -> str | None:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return str(node.name)
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    return None


def _windowed_body(loop: Any) -> bool:
    """A loop that renders only its last turns (``{% if loop.revindex <= 6 %}``)."""
    from jinja2 import nodes

    for attr in loop.find_all(nodes.Getattr):
        if isinstance(attr.node, nodes.Name) and attr.node.name == "loop":
            if attr.attr in ("revindex", "revindex0"):
                return True
    return False
