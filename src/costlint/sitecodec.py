"""Call sites and findings as JSON for the per-file cache, with every prompt text left out.

A file with call sites is cached as what the later stages need: each site's place, shape and
token counts, and the findings the rules gave. The request arguments keep their structure
(keys, lists, numbers, booleans, which parts are unknown, how many placeholders a string has)
but every string is dropped, except the few that are settings rather than prompt: the model
id (also in each candidate set), and the values inside ``cache_control`` (``type``, ``ttl``).
Pricing reads only those;
the rules, which do read prompt text, are not run again on a cached site.
"""

from __future__ import annotations

import re
from dataclasses import fields
from functools import cache
from typing import Any

from .fixes import fix_from_json
from .site import (
    UNKNOWN,
    BatchReach,
    Candidate,
    Candidates,
    Finding,
    HistoryInfo,
    Origin,
    PromptSite,
    Span,
    Str,
    TokenCount,
    VolatilePart,
)

KEPT_TOP_LEVEL = frozenset({"model", "service_tier"})  # settings, never prompt text
KEPT_UNDER = frozenset({"cache_control", "ttl"})  # ... and these keys anywhere below
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}")
MAX_DEPTH = 40


class Uncacheable(Exception):
    """A site or finding this codec cannot write faithfully: the file is just not cached."""


# -- request arguments ----------------------------------------------------------------------


def encode_value(value: Any, keep: bool = False, depth: int = 0) -> Any:
    """``value`` as JSON; strings become ``{"h": holes}`` unless ``keep`` (then ``{"s": text}``)."""
    if depth > MAX_DEPTH:
        raise Uncacheable("nested too deeply")
    if value is UNKNOWN:
        return {"u": 1}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if keep:
            return {"s": str(value)}
        return {"h": int(getattr(value, "holes", 0))}
    if isinstance(value, (list, tuple)):
        return [encode_value(item, keep, depth + 1) for item in value]
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            plain = isinstance(key, str) and _PLAIN_KEY.fullmatch(key) is not None
            pairs.append(
                [key if plain else None, encode_value(item, keep or key in KEPT_UNDER, depth + 1)]
            )
        return {"d": pairs}
    # Other resolved objects (paths, module references) are neither unknown nor placeholders:
    # an empty string stands for them the same way in every later stage.
    return {"h": 0}


def decode_value(data: Any, depth: int = 0) -> Any:
    """The value ``encode_value`` wrote; ValueError on anything else (a damaged or forged
    entry: the cache sits in the scanned tree, so it is read as untrusted input)."""
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    if data is None or isinstance(data, (bool, int, float)):
        return data
    if isinstance(data, list):
        return [decode_value(item, depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError("bad cached value")
    if "u" in data:
        return UNKNOWN
    if "s" in data:
        return _text(data["s"])
    if "h" in data:
        holes = _count_of(data["h"])
        return Str("", holes, 0) if holes else Str("")
    result: dict[str, Any] = {}
    for index, (key, item) in enumerate(_list(data["d"])):
        if key is not None:
            _text(key)
        result[key if key is not None else f"\x00{index}"] = decode_value(item, depth + 1)
    return result


def encode_args(args: dict[str, Any]) -> list[Any]:
    return [[name, encode_value(value, name in KEPT_TOP_LEVEL)] for name, value in args.items()]


def decode_args(data: list[Any]) -> dict[str, Any]:
    return {_text(name): decode_value(value) for name, value in _list(data)}


def encode_candidates(candidates: dict[str, Candidates]) -> list[Any]:
    """Each argument's candidate set: value (strings kept only for settings such as the model
    id), where it is written, and its two flags."""
    encoded = []
    for name, found in candidates.items():
        items = []
        for candidate in found:
            origin = candidate.origin
            items.append(
                [
                    encode_value(candidate.value, name in KEPT_TOP_LEVEL),
                    _origin(origin),
                    candidate.default,
                    candidate.overridable,
                ]
            )
        encoded.append([name, items])
    return encoded


def decode_candidates(data: Any) -> dict[str, Candidates]:
    result: dict[str, Candidates] = {}
    for name, items in _list(data):
        found = []
        for item in _list(items):
            value, origin, default, overridable = _list(item)
            where = _unorigin(origin)
            found.append(
                Candidate(
                    decode_value(value), where, bool(_flag(default)), bool(_flag(overridable))
                )
            )
        if not found:
            raise ValueError("an empty candidate set")
        result[_text(name)] = Candidates(found)
    return result


def _origin(origin: Origin | None) -> list[Any] | None:
    if origin is None:
        return None
    if origin.cell is not None:
        return [origin.path, origin.line, origin.name, origin.cell]
    return [origin.path, origin.line, origin.name] if origin.name else [origin.path, origin.line]


def _unorigin(data: Any) -> Origin | None:
    if data is None:
        return None
    parts = _list(data)
    if len(parts) not in (2, 3, 4):
        raise ValueError("an origin is [path, line], [path, line, name] or [.., name, cell]")
    name = _text(parts[2]) if len(parts) >= 3 else ""
    cell = _count_of(parts[3]) if len(parts) == 4 else None
    return Origin(_text(parts[0]), _count_of(parts[1]), name, cell)


# -- strict readers: each raises ValueError for a value of the wrong type ---------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _number(value: Any, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("expected an integer")
    return value


def _count_of(value: Any) -> int:
    number = _number(value)
    assert number is not None
    if number < 0:
        raise ValueError("expected a count")
    return number


def _flag(value: Any, optional: bool = False) -> bool | None:
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("expected an object")
    return value


# -- sites ----------------------------------------------------------------------------------


def _span(span: Span) -> list[int | None]:
    return [span.line, span.column, span.end_line, span.end_column]


def _unspan(data: Any) -> Span:
    if type(data) is list and len(data) == 4:  # the common shape, checked without calls
        line, column, end_line, end_column = data
        if (
            type(line) is int
            and type(column) is int
            and line >= 0
            and column >= 0
            and (end_line is None or type(end_line) is int)
            and (end_column is None or type(end_column) is int)
        ):
            return Span(line, column, end_line, end_column)
    line, column, end_line, end_column = _list(data)
    return Span(
        _count_of(line),
        _count_of(column),
        _number(end_line, optional=True),
        _number(end_column, optional=True),
    )


def _count(count: TokenCount) -> list[Any]:
    return [count.count, count.source]


def _uncount(data: Any) -> TokenCount:
    number, source = _list(data)
    if source not in ("api", "cache", "estimate"):
        raise ValueError("unknown count source")
    # A count the API gave last run is now answered from what was kept, as the count cache does.
    return TokenCount(_count_of(number), "cache" if source == "api" else source)


@cache
def _history_fields() -> tuple[tuple[str, str, Any], ...]:
    """Each field of HistoryInfo: its name, what its values are (by its default), the default."""
    found = []
    for item in fields(HistoryInfo):
        if isinstance(item.default, bool):
            what = "flag"
        elif isinstance(item.default, str):
            what = "text"
        else:
            what = "number"
        found.append((item.name, what, item.default))
    return tuple(found)


@cache
def _fact_fields(kind: type) -> tuple[tuple[str, str, Any], ...]:
    """Each field of a fact dataclass: ``line`` and ``depth`` are counts, ``cell`` a number,
    the rest text."""
    found = []
    for item in fields(kind):
        if item.name in ("line", "depth"):
            what = "count"
        elif item.name == "cell":
            what = "number"
        else:
            what = "text"
        found.append((item.name, what, item.default))
    return tuple(found)


def _checked(what: str, value: Any) -> Any:
    if what == "flag":
        return _flag(value)
    if what == "text":
        return _text(value)
    if what == "count":
        return _count_of(value)
    return _number(value, optional=True)


def _history(data: Any) -> HistoryInfo | None:
    if data is None:
        return None
    values = _mapping(data)
    checked = {
        name: _checked(what, values.get(name, default)) for name, what, default in _history_fields()
    }
    return HistoryInfo(**checked)


def _fact(kind: Any, data: Any) -> Any:
    """A frozen fact dataclass (text and number fields only) from an untrusted mapping."""
    if data is None:
        return None
    values = _mapping(data)
    checked: dict[str, Any] = {}
    for name, what, default in _fact_fields(kind):
        checked[name] = _checked(what, values[name] if name in values else default)
    return kind(**checked)


def encode_site(site: PromptSite) -> dict[str, Any]:
    history = site.history
    return {
        "path": site.path,
        "span": _span(site.span),
        "kind": site.kind,
        "frontend": site.frontend,
        "cell": site.cell,
        "qualname": site.qualname,
        "ordinal": site.ordinal,
        "args": encode_args(site.args),
        "candidates": encode_candidates(site.candidates),
        "opaque": site.opaque_kwargs,
        "arg_spans": {name: _span(span) for name, span in site.arg_spans.items()},
        "timeout": site.client_timeout,
        "repeated": site.repeated,
        "in_loop": site.in_loop,
        "batched": site.batched,
        "history": None if history is None else vars(history).copy(),
        "batch": None if site.batch is None else vars(site.batch).copy(),
        "volatile": None if site.volatile is None else vars(site.volatile).copy(),
        "ignore": None if site.ignore is None else sorted(site.ignore),
        "tokens": {name: _count(count) for name, count in site.tokens.items()},
    }


def decode_site(data: Any, path: str) -> PromptSite:
    """A site of the file at ``path`` (the entry's own path, which is not trusted)."""
    data = _mapping(data)
    if data["path"] != path:
        raise ValueError("a site of another file")
    ignore = data["ignore"]
    return PromptSite(
        path=path,
        span=_unspan(data["span"]),
        kind=_text(data["kind"]),
        frontend=_text(data["frontend"]),
        cell=_number(data["cell"], optional=True),
        qualname=_text(data["qualname"]),
        ordinal=_count_of(data["ordinal"]),
        args=decode_args(data["args"]),
        candidates=decode_candidates(data["candidates"]),
        opaque_kwargs=bool(_flag(data["opaque"])),
        arg_spans={_text(k): _unspan(v) for k, v in _mapping(data["arg_spans"]).items()},
        client_timeout=_flag(data["timeout"], optional=True),
        repeated=bool(_flag(data["repeated"])),
        in_loop=bool(_flag(data["in_loop"])),
        batched=bool(_flag(data["batched"])),
        history=_history(data["history"]),
        batch=_fact(BatchReach, data.get("batch")),
        volatile=_fact(VolatilePart, data.get("volatile")),
        ignore=None if ignore is None else frozenset(_text(code) for code in _list(ignore)),
        tokens={_text(k): _uncount(v) for k, v in _mapping(data["tokens"]).items()},
    )


# -- findings -------------------------------------------------------------------------------


def encode_finding(finding: Finding, site_index: int) -> dict[str, Any]:
    """A finding of the site at ``site_index`` (its message names code and models, not prompt)."""
    return {
        "site": site_index,
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "fix": finding.fix,
        "tokens": None if finding.tokens is None else _count(finding.tokens),
        "remedy": finding.remedy.to_json(),
        "defined_at": _origin(finding.defined_at),
        "fingerprint": finding.fingerprint,
    }


def decode_finding(data: Any, sites: list[PromptSite]) -> Finding:
    data = _mapping(data)
    site = sites[_count_of(data["site"])]
    tokens = data["tokens"]
    severity = _text(data["severity"])
    if severity not in ("error", "warning", "info"):
        raise ValueError("unknown severity")
    return Finding(
        rule=_text(data["rule"]),
        name=_text(data["name"]),
        severity=severity,
        path=site.path,
        line=_count_of(data["line"]),
        column=_count_of(data["column"]),
        message=_text(data["message"]),
        fix=_text(data["fix"]),
        cell=site.cell,
        tokens=None if tokens is None else _uncount(tokens),
        site=site,
        remedy=fix_from_json(data["remedy"]),
        defined_at=_unorigin(data["defined_at"]),
        fingerprint=_text(data.get("fingerprint", "")),
    )


def encode_analysis(path: str, sites: list[PromptSite], findings: list[Finding]) -> dict[str, Any]:
    """The sites of the file at ``path`` and their findings (in the engine's order); raises
    Uncacheable for what could not be read back the same."""
    if any(site.path != path for site in sites):
        raise Uncacheable("a site reported under another path")
    index = {id(site): number for number, site in enumerate(sites)}
    encoded = []
    for finding in findings:
        number = index.get(id(finding.site))
        if number is None or finding.path != finding.site.path:  # type: ignore[union-attr]
            raise Uncacheable("finding of another file's site")
        encoded.append(encode_finding(finding, number))
    # The repository path the fingerprints were made at: a hit under another one remakes them.
    repo_path = sites[0].repo_path if sites else ""
    return {
        "sites": [encode_site(site) for site in sites],
        "findings": encoded,
        "repo_path": repo_path,
    }


def fingerprints_made_at(data: Any) -> str:
    """The repository path an analysis's finding fingerprints were made at ("" if unknown)."""
    found = _mapping(data).get("repo_path", "")
    return found if isinstance(found, str) else ""


def decode_analysis(data: Any, path: str) -> tuple[list[PromptSite], list[Finding]]:
    """The sites and findings of the file at ``path``; ValueError (or KeyError, IndexError)
    when the entry is damaged or forged, so the caller extracts the file instead."""
    data = _mapping(data)
    sites = [decode_site(item, path) for item in _list(data["sites"])]
    return sites, [decode_finding(item, sites) for item in _list(data["findings"])]
