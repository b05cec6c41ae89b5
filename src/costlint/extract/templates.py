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

from ..request import has_cache_control
from ..resolve.project import Project
from ..resolve.templates import RenderError, TemplateRenderer
from ..site import Diagnostic, HistoryInfo, PromptSite, Span
from .result import ExtractResult
from .suppression import suppression
from .template_links import TemplateLink, find_link

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
        rendered = renderer.render(source=source, dirs=renderer.search_dirs(abs_path.parent))
    except RenderError as exc:
        result.diagnostics.append(Diagnostic(rel_path, exc.message))
        return result
    if frontend == "jinja" and line_offset == 0:
        link = find_link(project, abs_path)
        if link is not None:
            result.sites = linked_sites(result.sites, link, rendered.as_str(), rel_path)
    return result


def linked_sites(
    loops: list[PromptSite], link: TemplateLink, text: str, rel_path: str
) -> list[PromptSite]:
    """The template's sites once the call sending it is known: they take that call's model,
    ``max_tokens`` and cache state, and the rendered template as their prompt (counted as
    ``costlint count`` counts the file).

    Reached through a wrapper (the call itself cannot see the text), one site carries the
    whole request for CL001, CL002 and CL004: the first conversation loop, or the template's
    first line when it has none. Sent from the rendering function itself, those rules see the
    text on the call, so the loops only take the model and cache state (for CL003)."""
    sent = link.site
    cached = has_cache_control(sent)
    args: dict[str, Any] = {"messages": [{"role": "user", "content": text}]}
    for name in ("model", "max_tokens"):
        if name in sent.args:
            args[name] = sent.args[name]
    if cached:
        args["cache_control"] = {"type": "ephemeral"}
    candidates = {k: v for k, v in sent.candidates.items() if k in ("model", "max_tokens")}
    note = f"rendered at {link.rendered_at}, sent by {sent.path}:{sent.span.line}"
    for loop in loops:
        loop.args = {k: v for k, v in args.items() if k != "max_tokens"}
        loop.candidates = {k: v for k, v in candidates.items() if k == "model"}
        loop.repeated = False  # CL002 and CL004 are the call's, or the full site's, below
        if loop.history is not None and cached:
            loop.history.cached = True
        loop.notes.append(note)
    if not link.wrapped:
        return loops
    if loops:
        full = loops[0]
        full.args = dict(args)
        full.candidates = dict(candidates)
        full.repeated = sent.repeated
        full.in_loop = sent.in_loop
        return loops
    whole = PromptSite(
        path=rel_path,
        span=Span(1, 1),
        kind="template",
        frontend="jinja",
        qualname="<template>",
        args=args,
        candidates=candidates,
        repeated=sent.repeated,
        in_loop=sent.in_loop,
        notes=[note],
    )
    return [whole]


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
