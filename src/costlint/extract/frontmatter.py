"""Front-matter prompt files: ``.prompty`` and dotprompt ``.prompt``.

* ``.prompty``: front matter ``model.configuration`` / ``model.parameters``, Jinja2 body
  rendered in the sandbox and split on ``system:``/``user:``/``assistant:`` lines;
* dotprompt: front matter ``model`` and ``config.maxOutputTokens``, Handlebars body read as
  text, split on ``{{role "..."}}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..resolve.templates import RenderError
from ..site import UNKNOWN, Diagnostic, PromptSite, Span, Str
from .result import ExtractResult
from .templates import history_sites, renderer_for
from .yaml_compose import YamlDoc, YamlRefused, compose_yaml, node_under, scalar_text
from .yaml_requests import FileContext, claude_model, copy_keys, read_max_tokens, text_with_holes

if TYPE_CHECKING:
    from ..resolve.project import Project

MODEL_KEYS = ("model", "name", "azure_deployment", "deployment", "id")  # prompty configuration

_ROLE_LINE = re.compile(
    r"^[ \t]*#?[ \t]*(system|user|assistant|developer)[ \t]*:[ \t]*$", re.IGNORECASE | re.M
)
_DOTPROMPT_ROLE = re.compile(r"""\{\{\s*role\s+["'](\w+)["']\s*\}\}""")


def extract_prompty(
    source: str, rel_path: str, abs_path: Path, project: Project | None
) -> ExtractResult:
    """A ``.prompty`` file: front matter (model, parameters) and a Jinja2 body."""
    return _front_matter_file(source, rel_path, abs_path, project, _prompty_site)


def extract_dotprompt(
    source: str, rel_path: str, abs_path: Path, project: Project | None
) -> ExtractResult:
    """A dotprompt ``.prompt`` file: front matter (model, config) and a Handlebars body."""

    def build(front: Any, body: str, body_line: int, context: FileContext, result: Any) -> Any:
        return _dotprompt_site(front, body, context)

    return _front_matter_file(source, rel_path, abs_path, project, build)


def _front_matter_file(
    source: str,
    rel_path: str,
    abs_path: Path,
    project: Project | None,
    build: Callable[..., Any],
) -> ExtractResult:
    """Shared by .prompty and .prompt: split the front matter, build the request site."""
    result = ExtractResult()
    parts = _front_matter(source)
    if parts is None or "claude" not in source.lower():
        return result
    front, body, body_line = parts
    context = FileContext(source, rel_path, abs_path, project)
    try:
        site = build(front, body, body_line, context, result)
    except YamlRefused as exc:
        result.diagnostics.append(Diagnostic(rel_path, str(exc)))
        return result
    if site is not None:
        result.sites.insert(0, site)
    result.diagnostics.extend(Diagnostic(rel_path, note) for note in context.problems)
    return result


def _front_matter(source: str) -> tuple[str, str, int] | None:
    """(front matter, body, lines before the body) of a file opening with a ``---`` line."""
    lines = source.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    return None


def _front_doc(front: str) -> YamlDoc | None:
    roots = compose_yaml(front, line_offset=1)
    if not roots:
        return None
    doc = YamlDoc(roots[0], line_offset=1)
    doc.check_size()
    return doc


def _claude_request(doc: YamlDoc, model_entry: Any) -> tuple[dict[str, Any], dict[str, Span]]:
    """(args, spans) holding the Claude model of ``model_entry`` ((key, value) nodes), or
    empty when there is no entry or it names no Claude model."""
    model = claude_model(scalar_text(model_entry[1])) if model_entry else None
    if model_entry is None or model is None:
        return {}, {}
    return {"model": model}, {"model": doc.span(model_entry[0])}


def _prompty_site(
    front: str, body: str, body_line: int, context: FileContext, result: ExtractResult
) -> PromptSite | None:
    doc = _front_doc(front)
    if doc is None:
        return None
    items = doc.mapping(doc.root)
    model_section = doc.mapping(node_under(items, "model"))
    config_items = doc.mapping(node_under(model_section, "configuration"))
    model_entry = next(
        (where[k] for where in (config_items, model_section) for k in MODEL_KEYS if k in where),
        None,
    )
    args, spans = _claude_request(doc, model_entry)
    if not args:
        return None
    parameter_items = doc.mapping(node_under(model_section, "parameters"))
    read_max_tokens(doc, parameter_items, args, spans)
    copy_keys(doc, parameter_items, args, spans)
    _prompty_body(body, body_line, context, args, result)
    return context.site(
        span=Span(1, 1),
        kind="prompty",
        frontend="prompty",
        qualname=scalar_text(node_under(items, "name")) or context.abs_path.stem,
        args=args,
        spans=spans,
    )


def _prompty_body(
    body: str, body_line: int, context: FileContext, args: dict[str, Any], result: ExtractResult
) -> None:
    """Render the Jinja2 body in the sandbox; split it into system and messages by role lines."""
    renderer = renderer_for(context.project, context.abs_path)
    try:
        tree = renderer.parse(body, context.abs_path.name)
        result.sites.extend(history_sites(tree, body, context.rel_path, "prompty", body_line))
        rendered = renderer.render(source=body, dirs=renderer.search_dirs(context.abs_path.parent))
    except RenderError as exc:
        result.diagnostics.append(Diagnostic(context.rel_path, exc.message))
        args["system"] = UNKNOWN
        args["messages"] = UNKNOWN
        return
    sections = _split_roles(rendered.text, _ROLE_LINE, default="system")
    _set_conversation(args, sections, rendered.as_str, assistant="assistant")


def _set_conversation(
    args: dict[str, Any],
    sections: list[tuple[str, str]],
    content_of: Callable[[str], Str],
    assistant: str,
) -> None:
    """``system`` (the system sections joined by newlines) and ``messages`` (the others, as
    user messages unless their role is ``assistant``) from a body's role sections."""
    system: list[Str] = []
    messages: list[dict[str, Any]] = []
    for role, text in sections:
        content = content_of(text.strip("\n"))
        if role == "system":
            system.append(content)
        elif str(content).strip():
            messages.append(
                {"role": "assistant" if role == assistant else "user", "content": content}
            )
    if system:
        args["system"] = Str.concat(_joined(system))
    args["messages"] = messages


def _joined(parts: list[Str]) -> list[str]:
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            out.append("\n")
        out.append(part)
    return out


def _split_roles(text: str, marker: re.Pattern[str], default: str) -> list[tuple[str, str]]:
    """(role, text) sections of a body split on role marker lines (or tags)."""
    sections: list[tuple[str, str]] = []
    role = default
    last = 0
    for match in marker.finditer(text):
        if text[last : match.start()].strip():
            sections.append((role, text[last : match.start()]))
        role = match.group(1).lower()
        last = match.end()
    if text[last:].strip():
        sections.append((role, text[last:]))
    return sections


def _dotprompt_site(front: str, body: str, context: FileContext) -> PromptSite | None:
    doc = _front_doc(front)
    if doc is None:
        return None
    items = doc.mapping(doc.root)
    args, spans = _claude_request(doc, items.get("model"))
    if not args:
        return None
    config = doc.mapping(node_under(items, "config"))
    read_max_tokens(doc, config, args, spans)
    if "tools" in items:
        args["tools"] = UNKNOWN  # tool names only; their definitions live in code
        spans["tools"] = doc.span(items["tools"][0])
    tokens = context.tokens
    sections = _split_roles(body, _DOTPROMPT_ROLE, default="user")
    _set_conversation(args, sections, lambda text: text_with_holes(text, tokens), assistant="model")
    return context.site(
        span=Span(1, 1),
        kind="dotprompt",
        frontend="dotprompt",
        qualname=context.abs_path.stem,
        args=args,
        spans=spans,
    )
