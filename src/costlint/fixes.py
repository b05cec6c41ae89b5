"""Typed fixes: what a finding proposes to change, with the evidence pricing needs.

A check yields ``Report(message, fix=<display text>, remedy=<a Fix below>)``; the engine
copies the remedy onto ``Finding.remedy`` and ``costlint.price`` prices it by its ``kind``
(never by rule id). Every class is a frozen dataclass with a ``kind`` class constant:

* ``"model-switch"``: ModelSwitch(suggested_model [required], task, price_ratio)
* ``"prefix-cache"``: PrefixCache(prefix_parts)
* ``"history-cache"``: HistoryCache(variable)
* ``"output-cap"``: OutputCap(suggested_max_tokens [required], max_tokens, answer)
* ``"batch"``: Batch()
* ``"move-volatile-after-breakpoint"``: MoveVolatile(parts)
* ``"remove-parameters"``: RemoveParameters(parameters), parameters a newer API rejects
* ``"stream-or-timeout"``: StreamOrTimeout(timeout), a call the SDK's 10-minute guard refuses
* ``"output-limit"``: OutputLimit(max_output), max_tokens above the model's maximum output
* ``"none"``: NoCostModel(), a fix costlint does not price (the default on a Finding)

``FIX_KINDS`` maps each kind string to its class. A rule that names a kind (e.g. a YAML-only
rule's ``saving: <kind>``) builds its fix with ``FIX_KINDS[kind].from_site(site, params)``:
evidence is read from ``params`` (the rule's parameters) under the field's name, then from
the site where the site knows it (``max_tokens``, a growing history's variable), else the
field's default. A required field that is neither given nor known raises ``FixError``.

``fix.to_json()`` and ``fix_from_json(data)`` write and read a fix for the per-file cache;
``fix_from_json`` validates strictly (the cache is untrusted input) and raises ValueError.

Prices are USD per million tokens; ``token_cost`` is the one formula for "tokens at a price",
used by checks (an output cap's per-call worst case, in its message) and by ``costlint.price``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Protocol


class PromptSite(Protocol):
    """What a fix reads from a call site (site.py imports this module: Finding carries a Fix,
    so this module names the site by the two members it uses instead of importing it)."""

    history: Any

    def get(self, name: str, default: Any = None) -> Any: ...


MTOK = 1_000_000


def token_cost(tokens: float, price_per_mtok: float) -> float:
    """USD for ``tokens`` at ``price_per_mtok`` (catalog prices are per million tokens)."""
    return tokens * price_per_mtok / MTOK


EPHEMERAL = '{"type": "ephemeral"}'  # a cache breakpoint with the default 5-minute TTL
EPHEMERAL_1H = '{"type": "ephemeral", "ttl": "1h"}'
_TTL_NAMED = "; the saving assumes the "


def cache_control_fix(block: str, call: str, top_level: bool | None) -> str:
    """A caching fix in the order the project's SDK allows: ``call`` (top-level
    ``cache_control=``, automatic caching) first only when the pinned anthropic SDK has it
    (``top_level`` True); unknown (None): the block-level form first; False: block-level only."""
    if top_level is True:
        return f"{call} (or {block})"
    if top_level is False:
        return f"{block} (the pinned anthropic SDK predates top-level cache_control=)"
    return f"{block} (or, with anthropic >= 2.0, {call})"


def with_cache_ttl(text: str, ttl: str) -> str:
    """The caching fix ``text`` naming the TTL its priced saving assumes ("5m" or "1h")."""
    if _TTL_NAMED in text:
        return text
    if ttl == "1h":
        return text.replace(EPHEMERAL, EPHEMERAL_1H) + _TTL_NAMED + "1-hour TTL"
    return text + _TTL_NAMED + "default 5-minute TTL"


class FixError(ValueError):
    """A fix that cannot be built: required evidence is missing or of the wrong type."""


@dataclass(frozen=True)
class Fix:
    """Base of every typed fix; ``kind`` names it in FIX_KINDS, reports and the cache."""

    kind: ClassVar[str] = ""

    @classmethod
    def from_site(cls, site: PromptSite | None, params: Mapping[str, Any] | None = None) -> Fix:
        """This fix for ``site``, evidence from ``params`` first, then the site, then defaults."""
        given = dict(params or {})
        known = cls._site_evidence(site) if site is not None else {}
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name in given:
                values[spec.name] = given[spec.name]
            elif spec.name in known:
                values[spec.name] = known[spec.name]
        try:
            return fix_from_json({"kind": cls.kind, **values}, partial=True)
        except ValueError as exc:
            raise FixError(f"{cls.kind}: {exc}") from None

    @classmethod
    def _site_evidence(cls, site: PromptSite) -> dict[str, Any]:
        return {}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for spec in fields(self):
            value = getattr(self, spec.name)
            data[spec.name] = list(value) if isinstance(value, tuple) else value
        return data


@dataclass(frozen=True)
class ModelSwitch(Fix):
    """Send the same work to another model (a cheaper fit, or a retired model's successor)."""

    kind: ClassVar[str] = "model-switch"
    suggested_model: str
    task: str = ""  # the simple task the prompt asks for, when that is the reason
    price_ratio: float | None = None  # current input price / suggested (tokenizer-adjusted)


@dataclass(frozen=True)
class PrefixCache(Fix):
    """Put a cache breakpoint at the end of the stable prefix."""

    kind: ClassVar[str] = "prefix-cache"
    prefix_parts: tuple[str, ...] = ()  # which arguments the prefix spans ("system", "tools")


@dataclass(frozen=True)
class HistoryCache(Fix):
    """A moving cache breakpoint on a conversation re-sent whole every turn."""

    kind: ClassVar[str] = "history-cache"
    variable: str = "messages"

    @classmethod
    def _site_evidence(cls, site: PromptSite) -> dict[str, Any]:
        history = site.history
        return {"variable": history.variable} if history is not None and history.variable else {}


@dataclass(frozen=True)
class OutputCap(Fix):
    """Lower max_tokens to what the answer needs; worth a worst case per call, not a saving."""

    kind: ClassVar[str] = "output-cap"
    suggested_max_tokens: int
    max_tokens: int | None = None  # the cap as written
    answer: str = ""  # the answer shape the prompt asks for

    @classmethod
    def _site_evidence(cls, site: PromptSite) -> dict[str, Any]:
        written = site.get("max_tokens")
        if isinstance(written, int) and not isinstance(written, bool) and written >= 0:
            return {"max_tokens": written}
        return {}

    def worst_case(self, output_price: float, max_tokens: int | None = None) -> tuple[float, float]:
        """USD of output per call if the answer runs to the cap: now, and with the fix.

        ``max_tokens`` overrides the cap as written (pricing reads it from the site).
        """
        now = self.max_tokens if max_tokens is None else max_tokens
        if now is None:
            raise FixError("output-cap: max_tokens not known")
        return token_cost(now, output_price), token_cost(self.suggested_max_tokens, output_price)


@dataclass(frozen=True)
class Batch(Fix):
    """Send the calls through the Message Batches API (work that can wait)."""

    kind: ClassVar[str] = "batch"


@dataclass(frozen=True)
class MoveVolatile(Fix):
    """Move content that changes per call after the cache breakpoint."""

    kind: ClassVar[str] = "move-volatile-after-breakpoint"
    parts: tuple[str, ...] = ()  # the volatile parts (names as written)


@dataclass(frozen=True)
class RemoveParameters(Fix):
    """Remove request parameters a newer API version or SDK rejects (the call then works)."""

    kind: ClassVar[str] = "remove-parameters"
    parameters: tuple[str, ...] = ()  # as written on the call


@dataclass(frozen=True)
class StreamOrTimeout(Fix):
    """A non-streaming call the SDK refuses before sending (its 10-minute guard): stream it,
    or pass an explicit timeout. Not priced: the call fails as written."""

    kind: ClassVar[str] = "stream-or-timeout"
    timeout: int | None = None  # seconds: the SDK's own expected duration for max_tokens


@dataclass(frozen=True)
class OutputLimit(Fix):
    """max_tokens above the model's maximum output: the API rejects the request (not priced)."""

    kind: ClassVar[str] = "output-limit"
    max_output: int | None = None


@dataclass(frozen=True)
class NoCostModel(Fix):
    """A fix costlint does not price (a typo to check, a limit to respect)."""

    kind: ClassVar[str] = "none"


FIX_KINDS: dict[str, type[Fix]] = {
    cls.kind: cls
    for cls in (
        ModelSwitch,
        PrefixCache,
        HistoryCache,
        OutputCap,
        Batch,
        MoveVolatile,
        RemoveParameters,
        StreamOrTimeout,
        OutputLimit,
        NoCostModel,
    )
}

# The types a fix field may have, as written in the annotations above, and their checks.
_CHECKS: dict[str, Any] = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "int | None": lambda v: v is None or _CHECKS["int"](v),
    "float | None": lambda v: (
        v is None
        or (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0)
    ),
    "tuple[str, ...]": lambda v: (
        isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v)
    ),
}


def fix_from_json(data: Any, *, partial: bool = False) -> Fix:
    """The fix ``Fix.to_json`` wrote; ValueError on anything else (unknown kind or key,
    a missing key, a value of the wrong type). ``partial``: absent keys take defaults."""
    if not isinstance(data, dict):
        raise ValueError("expected an object")
    kind = data.get("kind")
    cls = FIX_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"unknown fix kind {data.get('kind')!r}")
    specs = {spec.name: spec for spec in fields(cls)}
    unknown = set(data) - set(specs) - {"kind"}
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        if name not in data:
            required = spec.default is MISSING and spec.default_factory is MISSING
            if partial and not required:
                continue
            raise ValueError(f"missing {name}")
        value = data[name]
        if not _CHECKS[str(spec.type)](value):
            raise ValueError(f"{name} has the wrong type")
        if str(spec.type) == "tuple[str, ...]":
            value = tuple(value)
        elif str(spec.type) == "float | None" and value is not None:
            value = float(value)
        values[name] = value
    return cls(**values)
