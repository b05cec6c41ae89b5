"""Call sites and findings as JSON for the per-file cache, with every prompt text left out.

A file with call sites is cached as what the later stages need: each site's place, shape and
token counts, and the findings the rules gave. The request arguments keep their structure
(keys, lists, numbers, booleans, which parts are unknown, how many placeholders a string has)
but every string is dropped, except the few that are settings rather than prompt: the model
id, and the values inside ``cache_control`` (``type``, ``ttl``). Pricing reads only those;
the rules, which do read prompt text, are not run again on a cached site.
"""

from __future__ import annotations

import re
from typing import Any

from .site import UNKNOWN, Finding, HistoryInfo, PromptSite, Span, Str, TokenCount

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


def decode_value(data: Any) -> Any:
    if data is None or isinstance(data, (bool, int, float)):
        return data
    if isinstance(data, list):
        return [decode_value(item) for item in data]
    if not isinstance(data, dict):
        raise ValueError("bad cached value")
    if "u" in data:
        return UNKNOWN
    if "s" in data:
        return str(data["s"])
    if "h" in data:
        holes = int(data["h"])
        return Str("", holes, 0) if holes else Str("")
    result: dict[str, Any] = {}
    for index, (key, item) in enumerate(data["d"]):
        result[key if isinstance(key, str) else f"\x00{index}"] = decode_value(item)
    return result


def encode_args(args: dict[str, Any]) -> list[Any]:
    return [[name, encode_value(value, name in KEPT_TOP_LEVEL)] for name, value in args.items()]


def decode_args(data: list[Any]) -> dict[str, Any]:
    return {str(name): decode_value(value) for name, value in data}


# -- sites ----------------------------------------------------------------------------------


def _span(span: Span) -> list[int | None]:
    return [span.line, span.column, span.end_line, span.end_column]


def _unspan(data: list[int | None]) -> Span:
    line, column, end_line, end_column = data
    return Span(int(line or 0), int(column or 0), end_line, end_column)


def _count(count: TokenCount) -> list[Any]:
    return [count.count, count.source]


def _uncount(data: list[Any]) -> TokenCount:
    number, source = data
    # A count the API gave last run is now answered from what was kept, as the count cache does.
    return TokenCount(int(number), "cache" if source == "api" else str(source))


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
        "opaque": site.opaque_kwargs,
        "arg_spans": {name: _span(span) for name, span in site.arg_spans.items()},
        "timeout": site.client_timeout,
        "repeated": site.repeated,
        "in_loop": site.in_loop,
        "history": None if history is None else vars(history).copy(),
        "ignore": None if site.ignore is None else sorted(site.ignore),
        "tokens": {name: _count(count) for name, count in site.tokens.items()},
    }


def decode_site(data: dict[str, Any]) -> PromptSite:
    history = data["history"]
    return PromptSite(
        path=str(data["path"]),
        span=_unspan(data["span"]),
        kind=str(data["kind"]),
        frontend=str(data["frontend"]),
        cell=data["cell"],
        qualname=str(data["qualname"]),
        ordinal=int(data["ordinal"]),
        args=decode_args(data["args"]),
        opaque_kwargs=bool(data["opaque"]),
        arg_spans={str(name): _unspan(span) for name, span in data["arg_spans"].items()},
        client_timeout=data["timeout"],
        repeated=bool(data["repeated"]),
        in_loop=bool(data["in_loop"]),
        history=None if history is None else HistoryInfo(**history),
        ignore=None if data["ignore"] is None else frozenset(data["ignore"]),
        tokens={str(name): _uncount(count) for name, count in data["tokens"].items()},
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
        "data": finding.data,
    }


def decode_finding(data: dict[str, Any], sites: list[PromptSite]) -> Finding:
    site = sites[int(data["site"])]
    tokens = data["tokens"]
    return Finding(
        rule=str(data["rule"]),
        name=str(data["name"]),
        severity=str(data["severity"]),
        path=site.path,
        line=int(data["line"]),
        column=int(data["column"]),
        message=str(data["message"]),
        fix=str(data["fix"]),
        cell=site.cell,
        tokens=None if tokens is None else _uncount(tokens),
        site=site,
        data=dict(data["data"]),
    )


def encode_analysis(sites: list[PromptSite], findings: list[Finding]) -> dict[str, Any]:
    """One file's sites and their findings (in the engine's order); raises Uncacheable."""
    index = {id(site): number for number, site in enumerate(sites)}
    encoded = []
    for finding in findings:
        number = index.get(id(finding.site))
        if number is None or finding.path != finding.site.path:  # type: ignore[union-attr]
            raise Uncacheable("finding of another file's site")
        encoded.append(encode_finding(finding, number))
    return {"sites": [encode_site(site) for site in sites], "findings": encoded}


def decode_analysis(data: dict[str, Any]) -> tuple[list[PromptSite], list[Finding]]:
    sites = [decode_site(item) for item in data["sites"]]
    return sites, [decode_finding(item, sites) for item in data["findings"]]
