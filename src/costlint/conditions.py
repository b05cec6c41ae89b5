"""Rules without Python: the ``when:`` grammar, the site fields it reads, and message templates.

A condition is data, never code: combinators ``all: [...]``, ``any: [...]``, ``not: {...}``
and leaves ``{field: <name>, <op>: <value>}``. Nothing is evaluated, imported or compiled
from a rule file; string ops are plain substring tests (no regular expressions), and sizes
are bounded so a hostile rule cannot make a run slow.

Three-valued logic: a field the source does not let us know (an unresolved model, a count
that was not made) is *unknown*, and a leaf over it is neither true nor false. ``all`` is
unknown unless some part is false, ``any`` unknown unless some part is true, ``not`` of
unknown is unknown, and a rule fires only when its condition is *true*: unknown values
never satisfy a condition. ``exists`` is the one op that tests knowing itself.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .request import block_text, has_cache_control, prompt_text
from .ruleschema import RuleError
from .site import UNKNOWN, PromptSite

MAX_DEPTH = 8
MAX_NODES = 64
MAX_TEXT = 200  # longest string operand
MAX_CHOICES = 100  # longest in / not_in list
MAX_TEMPLATE = 1000

COMBINATORS = ("all", "any", "not")
OPS = ("equals", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "startswith", "exists")
_OPS_BY_TYPE = {
    "str": ("equals", "in", "not_in", "contains", "startswith", "exists"),
    "int": ("equals", "in", "not_in", "gt", "gte", "lt", "lte", "exists"),
    "number": ("equals", "in", "not_in", "gt", "gte", "lt", "lte", "exists"),
    "bool": ("equals", "exists"),
}


@dataclass(frozen=True)
class SiteField:
    """One typed fact about a site that a ``when:`` leaf or a message may name."""

    name: str
    type: str  # str | int | number | bool
    doc: str
    read: Callable[[PromptSite, Any], Any]  # (site, catalog model or None) -> value or UNKNOWN


def _arg(name: str) -> Callable[[PromptSite, Any], Any]:
    def read(site: PromptSite, model: Any) -> Any:
        del model
        if name not in site.args:
            return UNKNOWN
        return site.args[name]

    return read


def _model_fact(attribute: str) -> Callable[[PromptSite, Any], Any]:
    def read(site: PromptSite, model: Any) -> Any:
        del site
        value = getattr(model, attribute, None) if model is not None else None
        return UNKNOWN if value is None else value

    return read


def _flag_arg(name: str, present: Callable[[Any], bool]) -> Callable[[PromptSite, Any], Any]:
    """A bool from an optional argument: absent is False unless ``**kwargs`` may hide it."""

    def read(site: PromptSite, model: Any) -> Any:
        del model
        if name not in site.args:
            return UNKNOWN if site.opaque_kwargs else False
        value = site.args[name]
        if value is UNKNOWN:
            return UNKNOWN
        return present(value)

    return read


def _thinking_on(value: Any) -> bool:
    if isinstance(value, dict):
        return value.get("type") not in ("disabled", None)
    return value is not None and value is not False


def _stream(site: PromptSite, model: Any) -> Any:
    del model
    if site.kind.endswith("stream"):
        return True
    return _flag_arg("stream", lambda v: v is True)(site, None)


def _system(site: PromptSite, model: Any) -> Any:
    del model
    value = site.args.get("system", site.args.get("system_prompt"))
    if value is None:
        return UNKNOWN if site.opaque_kwargs else ""
    if value is UNKNOWN:
        return UNKNOWN
    return block_text(value)


def _system_chars(site: PromptSite, model: Any) -> Any:
    text = _system(site, model)
    return UNKNOWN if text is UNKNOWN else len(text)


def _tokens(kind: str) -> Callable[[PromptSite, Any], Any]:
    def read(site: PromptSite, model: Any) -> Any:
        del model
        count = site.tokens.get(kind)
        return UNKNOWN if count is None else count.count

    return read


def _model_id(site: PromptSite, model: Any) -> Any:
    del model
    value = site.get("model")
    return str(value) if isinstance(value, str) else UNKNOWN


def _timeout(site: PromptSite, model: Any) -> Any:
    del model
    return UNKNOWN if site.client_timeout is None else site.client_timeout


def _cache_control(site: PromptSite, model: Any) -> Any:
    del model
    if has_cache_control(site):
        return True
    return UNKNOWN if site.opaque_kwargs else False


FIELDS: dict[str, SiteField] = {
    f.name: f
    for f in (
        SiteField("model", "str", "the model id as written (a resolved string)", _model_id),
        SiteField("model.id", "str", "the catalog's canonical id for it", _model_fact("id")),
        SiteField(
            "model.name", "str", "its display name, e.g. Claude Opus 5.5", _model_fact("name")
        ),
        SiteField(
            "model.family", "str", "haiku | sonnet | opus | fable | mythos", _model_fact("family")
        ),
        SiteField("model.tier", "str", "small | mid | top", _model_fact("tier")),
        SiteField(
            "model.status", "str", "active | legacy | deprecated | retired", _model_fact("status")
        ),
        SiteField(
            "model.max_output",
            "int",
            "the model's maximum output tokens",
            _model_fact("max_output"),
        ),
        SiteField(
            "model.min_cacheable",
            "int",
            "its minimum cacheable prefix",
            _model_fact("min_cacheable"),
        ),
        SiteField(
            "model.context_window",
            "int",
            "its context window in tokens",
            _model_fact("context_window"),
        ),
        SiteField("max_tokens", "int", "max_tokens as written", _arg("max_tokens")),
        SiteField("temperature", "number", "temperature as written", _arg("temperature")),
        SiteField("stream", "bool", "a streaming call (messages.stream or stream=True)", _stream),
        SiteField(
            "has_tools", "bool", "a non-empty tools list", _flag_arg("tools", lambda v: bool(v))
        ),
        SiteField(
            "has_thinking", "bool", "extended thinking enabled", _flag_arg("thinking", _thinking_on)
        ),
        SiteField("has_timeout", "bool", "a timeout on the call or client", _timeout),
        SiteField(
            "cache_control",
            "bool",
            "a cache breakpoint anywhere (top-level or a block)",
            _cache_control,
        ),
        SiteField("in_loop", "bool", "the call is inside a loop", lambda s, m: s.in_loop),
        SiteField("repeated", "bool", "inside a function, method or loop", lambda s, m: s.repeated),
        SiteField(
            "frontend",
            "str",
            "python | notebook | jinja | yaml | prompty | dotprompt",
            lambda s, m: s.frontend,
        ),
        SiteField(
            "kind",
            "str",
            "messages.create | messages.stream | yaml-config | template ...",
            lambda s, m: s.kind,
        ),
        SiteField("path", "str", "the file, relative to the run directory", lambda s, m: s.path),
        SiteField("qualname", "str", "the enclosing function or class", lambda s, m: s.qualname),
        SiteField(
            "system", "str", "the system prompt's text ({name} for unresolved parts)", _system
        ),
        SiteField("system_chars", "int", "its length in characters", _system_chars),
        SiteField(
            "prompt",
            "str",
            "system prompt and user turns written in code",
            lambda s, m: prompt_text(s),
        ),
        SiteField(
            "prompt_tokens",
            "int",
            "the whole request's input tokens, when counted",
            _tokens("input"),
        ),
        SiteField(
            "prefix_tokens",
            "int",
            "the stable cacheable prefix's tokens, when counted",
            _tokens("prefix"),
        ),
    )
}


# ---------------------------------------------------------------------------- the grammar


@dataclass(frozen=True)
class Param:
    """A comparison value taken from the rule's ``parameters`` (so projects can tune it)."""

    name: str


@dataclass(frozen=True)
class Leaf:
    field: str
    op: str
    value: Any  # a scalar, a tuple of scalars, or a Param


@dataclass(frozen=True)
class Combined:
    op: str  # all | any | not
    parts: tuple[Condition, ...]


Condition = Leaf | Combined


def parse_condition(raw: Any, where: str, parameters: dict[str, Any]) -> Condition:
    """Validate ``when:``; errors name ``where`` (the rule file) and the key path."""
    counter = [0]
    return _parse(raw, f"{where}: 'when", parameters, 0, counter)


def _parse(raw: Any, key: str, params: dict[str, Any], depth: int, count: list[int]) -> Condition:
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_NODES:
        raise RuleError(
            f"{key}' is too deep or too large (max {MAX_DEPTH} levels, {MAX_NODES} parts)"
        )
    if not isinstance(raw, dict) or not raw:
        raise RuleError(f"{key}' must be a mapping: all / any / not, or field with one op")
    if "field" not in raw:
        if len(raw) != 1 or next(iter(raw)) not in COMBINATORS:
            names = ", ".join(str(k) for k in raw)
            raise RuleError(f"{key}' has {names}: expected one of all, any, not or a field leaf")
        op, body = next(iter(raw.items()))
        if op == "not":
            return Combined("not", (_parse(body, f"{key}.not", params, depth + 1, count),))
        if not isinstance(body, list) or not body:
            raise RuleError(f"{key}.{op}' must be a non-empty list of conditions")
        parts = tuple(
            _parse(item, f"{key}.{op}[{i}]", params, depth + 1, count)
            for i, item in enumerate(body)
        )
        return Combined(op, parts)
    return _leaf(raw, key, params)


def _leaf(raw: dict[str, Any], key: str, params: dict[str, Any]) -> Leaf:
    name = raw["field"]
    spec = FIELDS.get(name) if isinstance(name, str) else None
    if spec is None:
        known = ", ".join(FIELDS)
        raise RuleError(f"{key}.field' {name!r} is not a site field (fields: {known})")
    ops = [k for k in raw if k != "field"]
    if len(ops) != 1:
        raise RuleError(f"{key}' needs exactly one op besides field (ops: {', '.join(OPS)})")
    op = ops[0]
    if op not in OPS:
        raise RuleError(f"{key}.{op}' is not an op (ops: {', '.join(OPS)})")
    if op not in _OPS_BY_TYPE[spec.type]:
        allowed = ", ".join(_OPS_BY_TYPE[spec.type])
        raise RuleError(f"{key}.{op}' does not apply to {spec.type} field {name} (ops: {allowed})")
    return Leaf(name, op, _operand(raw[op], op, spec, f"{key}.{op}", params))


def _operand(value: Any, op: str, spec: SiteField, key: str, params: dict[str, Any]) -> Any:
    if op == "exists":
        if not isinstance(value, bool):
            raise RuleError(f"{key}' must be true or false")
        return value
    if isinstance(value, dict):
        return _param(value, spec, key, params)
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > MAX_CHOICES:
            raise RuleError(f"{key}' must be a list of 1 to {MAX_CHOICES} values")
        return tuple(_scalar(v, spec, f"{key}[{i}]") for i, v in enumerate(value))
    return _scalar(value, spec, key)


def _param(value: dict[str, Any], spec: SiteField, key: str, params: dict[str, Any]) -> Param:
    name = value.get("param")
    if set(value) != {"param"} or not isinstance(name, str):
        raise RuleError(f"{key}' must be a value or {{param: <name>}}")
    if name not in params:
        raise RuleError(f"{key}.param' {name!r} is not in the rule's parameters")
    _scalar(params[name], spec, f"{key}.param")
    return Param(name)


def _scalar(value: Any, spec: SiteField, key: str) -> Any:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = {
        "str": isinstance(value, str) and len(value) <= MAX_TEXT,
        "int": numeric,
        "number": numeric,
        "bool": isinstance(value, bool),
    }[spec.type]
    if not ok:
        extra = f" of at most {MAX_TEXT} characters" if spec.type == "str" else ""
        raise RuleError(f"{key}' must be a {spec.type}{extra} for field {spec.name}")
    return value


# ---------------------------------------------------------------------------- evaluation


class SiteView:
    """The fields of one site, read lazily and once; UNKNOWN where the source does not say."""

    def __init__(self, site: PromptSite, model: Any) -> None:
        self.site = site
        self.model = model
        self._values: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._values:
            value = FIELDS[name].read(self.site, self.model)
            self._values[name] = _typed(value, FIELDS[name].type)
        return self._values[name]


def _typed(value: Any, kind: str) -> Any:
    """The value if it has the field's type (a resolved one), else UNKNOWN."""
    if value is UNKNOWN or value is None:
        return UNKNOWN
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "str":
        return str(value) if isinstance(value, str) else UNKNOWN
    if kind == "int":
        return value if numeric and float(value).is_integer() else UNKNOWN
    if kind == "number":
        return value if numeric else UNKNOWN
    return value if isinstance(value, bool) else UNKNOWN


def evaluate(condition: Condition, view: SiteView, params: dict[str, Any]) -> bool | None:
    """True, False, or None for unknown (see the module docstring)."""
    if isinstance(condition, Leaf):
        return _leaf_value(condition, view, params)
    results = [evaluate(part, view, params) for part in condition.parts]
    if condition.op == "not":
        return None if results[0] is None else not results[0]
    if condition.op == "all":
        if False in results:
            return False
        return None if None in results else True
    if True in results:
        return True
    return None if None in results else False


def _leaf_value(leaf: Leaf, view: SiteView, params: dict[str, Any]) -> bool | None:
    value = view.get(leaf.field)
    if leaf.op == "exists":
        return (value is not UNKNOWN) == leaf.value
    if value is UNKNOWN:
        return None
    operand = params.get(leaf.value.name) if isinstance(leaf.value, Param) else leaf.value
    if leaf.op == "equals":
        return value == operand and isinstance(value, bool) == isinstance(operand, bool)
    if leaf.op in ("in", "not_in"):
        choices = operand if isinstance(operand, (tuple, list)) else (operand,)
        found = any(value == c and isinstance(c, bool) == isinstance(value, bool) for c in choices)
        return found if leaf.op == "in" else not found
    if leaf.op in ("contains", "startswith"):
        if not isinstance(operand, str):
            return None
        return operand in value if leaf.op == "contains" else value.startswith(operand)
    if not isinstance(operand, (int, float)) or isinstance(operand, bool):
        return None
    return {
        "gt": value > operand,
        "gte": value >= operand,
        "lt": value < operand,
        "lte": value <= operand,
    }[leaf.op]


# ---------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class Template:
    """``message:`` / ``fix:`` text with ``{field}`` or ``{parameter}`` substitutions."""

    parts: tuple[tuple[str, str | None], ...]  # (literal, name or None)

    def render(self, view: SiteView, params: dict[str, Any]) -> str:
        out: list[str] = []
        for literal, name in self.parts:
            out.append(literal)
            if name is None:
                continue
            value = params.get(name) if name not in FIELDS else view.get(name)
            out.append("unknown" if value is UNKNOWN or value is None else _show(value))
        return "".join(out)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def parse_template(raw: Any, key: str, parameters: dict[str, Any]) -> Template:
    """Validate a template: every ``{name}`` is a field or a parameter; no format specs."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_TEMPLATE:
        raise RuleError(f"{key}' must be text of 1 to {MAX_TEMPLATE} characters")
    try:
        pieces = list(string.Formatter().parse(raw))
    except ValueError as exc:
        raise RuleError(f"{key}' is not a valid template: {exc} (write {{{{ for a brace)") from None
    parts: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in pieces:
        if name is None:
            parts.append((literal, None))
            continue
        if spec or conversion:
            raise RuleError(f"{key}' {{{name}}}: no format specs or conversions")
        if name not in FIELDS and name not in parameters:
            raise RuleError(f"{key}' {{{name}}} is not a site field or a parameter of the rule")
        parts.append((literal, name))
    return Template(tuple(parts))


# ---------------------------------------------------------------------------- the rule


@dataclass(frozen=True)
class Declared:
    """A rule without Python: ``when:`` condition, ``message:``/``fix:`` templates, ``saving:``
    (the engine runs it). Defined here, not in ``engine``, so that a run whose rules all have
    Python never builds the class."""

    condition: Condition
    message: Template
    fix: Template | None = None
    saving: str | None = None
    source: str = ""  # the parsed definition, for the analysis cache's key
