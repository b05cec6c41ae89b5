"""The model catalog: prices, limits and lifecycle of Claude models, and model-id resolution.

The catalog is maintained in ``data/models.yaml`` and read at run time from its JSON mirror
``data/models.json`` (parsing YAML with a pure-Python loader costs ~90 ms, too much for a
pre-commit hook). ``python -m costlint.catalog --regenerate`` rewrites the mirror.

Users can add or patch models with their own YAML file (config ``models = "path.yaml"``)::

    models:
      - id: claude-opus-6            # unknown id: a new model (needs at least `family`)
        family: opus
        prices: {input: 4, output: 20}
      - id: claude-haiku-4-5         # known id (any form): patch; `prices` is deep-merged,
        prices: {input: 0.9}         # `aliases`/`sources` are extended, other fields replaced

A new model needs `id` and `family`; unless stated it is `active`, its `tier` follows the
family, and `new_tokenizer` is true (every Claude model since Opus 4.7 uses the newer one).
Missing prices stay unknown (None), never $0.

Only the standard library is imported at module level; ruamel.yaml is imported only to read a
user file or to regenerate the mirror.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
YAML_PATH = DATA_DIR / "models.yaml"
JSON_PATH = DATA_DIR / "models.json"

FAMILY_TIERS = {"opus": "top", "fable": "top", "mythos": "top", "sonnet": "mid", "haiku": "small"}
TIERS = ("top", "mid", "small")
STATUSES = ("active", "legacy", "deprecated", "retired")

_MODEL_KEYS = frozenset(
    {
        "id", "aliases", "platform_ids", "name", "family", "tier", "status", "released",
        "deprecated", "retirement", "retirement_floor", "successor", "new_tokenizer", "prices",
        "context_window", "max_output", "min_cacheable", "notes", "sources", "thinking_default",
    }
)  # fmt: skip
_COST_KEYS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
_PRICE_KEYS = frozenset((*_COST_KEYS, "batch_discount", "long_prompt_tier", "unverified"))
_TIER_KEYS = frozenset((*_COST_KEYS, "above_prompt_tokens"))
_USER_TOP_KEYS = frozenset(("models", "sources"))
_LIST_UNION_KEYS = ("aliases", "sources")

# Bedrock: optional cross-region prefix (us., eu., apac., global., us-gov., ...), then
# "anthropic.", then the model part; the model part may end in a packaging version ("-v1:0",
# "-v2:0", "-v1", optionally ":200k") that does not change which model it is.
_BEDROCK_RE = re.compile(r"^(?:[a-z]{2,6}(?:-[a-z]+)?\.)?anthropic\.(claude-.+)$")
_BEDROCK_VERSION_RE = re.compile(r"-v\d+(?::\d+)?(?::\d+k)?$")
# Vertex AI / Google Cloud: "<name>@<YYYYMMDD>" (Claude 3.5 Sonnet v2 was "...-v2@20241022").
_VERTEX_RE = re.compile(r"^(claude-[a-z0-9-]+?)(?:-v\d+)?@(\d{8})$")
_CLAUDE_SHAPE_RE = re.compile(r"^(?:(?:[a-z]{2,6}(?:-[a-z]+)?\.)?anthropic\.)?claude-[a-z0-9]")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CatalogError(Exception):
    """A catalog file is unreadable or invalid; the message names the file and the key."""


@dataclass(frozen=True)
class Prices:
    """USD per million tokens. A cache price of None means unknown, never free."""

    input: float
    output: float
    cache_write_5m: float | None
    cache_write_1h: float | None
    cache_read: float | None
    batch_discount: float = 0.5
    long_prompt_tier: Prices | None = None
    long_prompt_threshold: int | None = None
    unverified: bool = False

    def for_prompt(self, prompt_tokens: int) -> Prices:
        """The rates a request pays, given its prompt size (input + cache writes + reads)."""
        threshold = self.long_prompt_threshold
        tier = self.long_prompt_tier
        if tier is not None and threshold is not None and prompt_tokens > threshold:
            return tier
        return self


@dataclass(frozen=True)
class ModelInfo:
    """One Claude model as the catalog knows it; dates are ISO strings."""

    id: str
    name: str
    family: str
    tier: str
    status: str
    released: str | None
    deprecated: str | None
    retirement: str | None
    retirement_floor: str | None
    successor: str | None
    new_tokenizer: bool
    prices: Prices | None
    context_window: int | None
    max_output: int | None
    min_cacheable: int | None
    aliases: tuple[str, ...]
    sources: tuple[str, ...]
    platform_ids: tuple[tuple[str, str], ...] = ()
    notes: str | None = None
    thinking_default: str = "off"  # always | on | off: whether output includes thinking unasked

    @property
    def is_top_tier(self) -> bool:
        return self.tier == "top"

    @property
    def is_current(self) -> bool:
        return self.status == "active"


# ---------------------------------------------------------------------------- validation


class _Field:
    """Turns raw values into checked ones; errors carry '<file>: models[i].<key>'."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, message: str) -> CatalogError:
        return CatalogError(f"{self.where}.{key}: {message}" if key else f"{self.where}: {message}")

    def number(self, raw: Any, key: str, optional: bool = False) -> float | None:
        if raw is None and optional:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
            return self._bad(key, "a non-negative number", raw)
        return float(raw)

    def integer(self, raw: Any, key: str, optional: bool = True) -> int | None:
        if raw is None and optional:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
            return self._bad(key, "a positive integer", raw)
        return raw

    def text(self, raw: Any, key: str, optional: bool = False) -> str | None:
        if raw is None and optional:
            return None
        if not isinstance(raw, str) or not raw.strip():
            return self._bad(key, "a non-empty string", raw)
        return raw.strip()

    def choice(self, raw: Any, key: str, choices: Sequence[str]) -> str:
        if raw not in choices:
            return self._bad(key, "one of " + ", ".join(choices), raw)
        return raw

    def flag(self, raw: Any, key: str) -> bool:
        if not isinstance(raw, bool):
            return self._bad(key, "true or false", raw)
        return raw

    def date(self, raw: Any, key: str) -> str | None:
        if raw is None:
            return None
        if isinstance(raw, datetime.datetime):
            return raw.date().isoformat()
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        if isinstance(raw, str) and _ISO_DATE_RE.match(raw.strip()):
            try:
                return datetime.date.fromisoformat(raw.strip()).isoformat()
            except ValueError:
                pass
        return self._bad(key, "a date (YYYY-MM-DD)", raw)

    def strings(self, raw: Any, key: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            return self._bad(key, "a list of strings", raw)
        return tuple(self.text(item, f"{key}[{i}]") for i, item in enumerate(raw))  # type: ignore[misc]

    def string_map(self, raw: Any, key: str) -> tuple[tuple[str, str], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            return self._bad(key, "a mapping of platform -> id", raw)
        return tuple((str(k), self.text(v, f"{key}.{k}")) for k, v in raw.items())  # type: ignore[misc]

    def mapping(self, raw: Any, key: str, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            return self._bad(key, "a mapping", raw)
        for name in raw:
            if name not in allowed:
                raise self.fail(f"{key}.{name}" if key else str(name), "unknown key")
        return raw

    def _bad(self, key: str, expected: str, raw: Any) -> Any:
        if raw is None:
            raise self.fail(key, f"missing (expected {expected})")
        raise self.fail(key, f"expected {expected}, got {raw!r}")


def _parse_tier(f: _Field, raw: Any, base: Prices) -> tuple[Prices, int]:
    key = "prices.long_prompt_tier"
    tier = f.mapping(raw, key, _TIER_KEYS)
    threshold = f.integer(tier.get("above_prompt_tokens"), f"{key}.above_prompt_tokens", False)
    costs = {name: f.number(tier.get(name), f"{key}.{name}", True) for name in _COST_KEYS}
    for name in ("input", "output"):
        costs[name] = f.number(tier.get(name), f"{key}.{name}")
    prices = Prices(
        **costs,  # type: ignore[arg-type]
        batch_discount=base.batch_discount,
        unverified=base.unverified,
    )
    return prices, threshold  # type: ignore[return-value]


def _parse_prices(f: _Field, raw: Any) -> Prices | None:
    if raw is None:
        return None
    data = f.mapping(raw, "prices", _PRICE_KEYS)
    discount = f.number(data.get("batch_discount", 0.5), "prices.batch_discount")
    if discount is not None and discount >= 1:
        raise f.fail("prices.batch_discount", f"expected a fraction below 1, got {discount!r}")
    prices = Prices(
        input=f.number(data.get("input"), "prices.input"),  # type: ignore[arg-type]
        output=f.number(data.get("output"), "prices.output"),  # type: ignore[arg-type]
        cache_write_5m=f.number(data.get("cache_write_5m"), "prices.cache_write_5m", True),
        cache_write_1h=f.number(data.get("cache_write_1h"), "prices.cache_write_1h", True),
        cache_read=f.number(data.get("cache_read"), "prices.cache_read", True),
        batch_discount=discount,  # type: ignore[arg-type]
        unverified=f.flag(data.get("unverified", False), "prices.unverified"),
    )
    if data.get("long_prompt_tier") is None:
        return prices
    tier, threshold = _parse_tier(f, data["long_prompt_tier"], prices)
    return replace(prices, long_prompt_tier=tier, long_prompt_threshold=threshold)


def _parse_model(where: str, raw: Any) -> ModelInfo:
    """Validates one raw model record (JSON or YAML shape) and builds its ModelInfo."""
    f = _Field(where)
    data = f.mapping(raw, "", _MODEL_KEYS)
    model_id = f.text(data.get("id"), "id").lower()  # type: ignore[union-attr]
    family = f.text(data.get("family"), "family").lower()  # type: ignore[union-attr]
    tier = data.get("tier", FAMILY_TIERS.get(family))
    if tier is None:
        raise f.fail("tier", f"missing; needed for a family other than {', '.join(FAMILY_TIERS)}")
    return ModelInfo(
        id=model_id,
        name=f.text(data.get("name", model_id), "name"),  # type: ignore[arg-type]
        family=family,
        tier=f.choice(tier, "tier", TIERS),
        status=f.choice(data.get("status", "active"), "status", STATUSES),
        released=f.date(data.get("released"), "released"),
        deprecated=f.date(data.get("deprecated"), "deprecated"),
        retirement=f.date(data.get("retirement"), "retirement"),
        retirement_floor=f.date(data.get("retirement_floor"), "retirement_floor"),
        successor=f.text(data.get("successor"), "successor", optional=True),
        new_tokenizer=f.flag(data.get("new_tokenizer", True), "new_tokenizer"),
        prices=_parse_prices(f, data.get("prices")),
        context_window=f.integer(data.get("context_window"), "context_window"),
        max_output=f.integer(data.get("max_output"), "max_output"),
        min_cacheable=f.integer(data.get("min_cacheable"), "min_cacheable"),
        aliases=tuple(a.lower() for a in f.strings(data.get("aliases"), "aliases")),
        sources=f.strings(data.get("sources"), "sources"),
        platform_ids=f.string_map(data.get("platform_ids"), "platform_ids"),
        notes=f.text(data.get("notes"), "notes", optional=True),
        thinking_default=f.choice(
            data.get("thinking_default", "off"), "thinking_default", ("always", "on", "off")
        ),
    )


# ---------------------------------------------------------------------------- the catalog


def _bedrock_candidates(key: str) -> Iterator[str]:
    match = _BEDROCK_RE.match(key)
    if match:
        rest = match.group(1)
        yield rest
        unversioned = _BEDROCK_VERSION_RE.sub("", rest)
        if unversioned != rest:
            yield unversioned


def _candidates(key: str) -> Iterator[str]:
    """Exact ids a user-written id may stand for; never a looser or 'closest' match."""
    if "/" in key:  # ARNs, Vertex resource paths, LiteLLM-style "bedrock/..." prefixes
        key = key.rsplit("/", 1)[1]
        yield key
    yield from _bedrock_candidates(key)
    match = _VERTEX_RE.match(key)
    if match:
        yield f"{match.group(1)}-{match.group(2)}"


class Catalog:
    """An immutable set of models with an index from every known id form to its model."""

    def __init__(
        self,
        records: Sequence[tuple[str, dict[str, Any]]],
        verified: datetime.date,
        prices_as_of: datetime.date | None = None,
        sources: dict[str, str] | None = None,
    ) -> None:
        """``records`` pairs each raw model record with where it came from (for errors)."""
        self.verified = verified
        self.prices_as_of = prices_as_of
        self.sources = dict(sources or {})
        self._records = [(where, dict(raw)) for where, raw in records]
        parsed = [_parse_model(where, raw) for where, raw in self._records]
        ids = _index_ids(self._records, parsed)
        self._models = [
            _canonical_successor(where, model, ids)
            for (where, _), model in zip(self._records, parsed, strict=True)
        ]
        by_id = {model.id: model for model in self._models}
        self._index = {key: by_id[model_id] for key, model_id in ids.items()}
        self._current = _pick_current(self._models)

    def resolve(self, model_id: str) -> ModelInfo | None:
        """The model an id names in any form users write; None when unknown."""
        if not isinstance(model_id, str):
            return None
        key = model_id.strip().lower()
        found = self._index.get(key)
        if found is not None or not key:
            return found
        for candidate in _candidates(key):
            found = self._index.get(candidate)
            if found is not None:
                return found
        return None

    def models(self) -> list[ModelInfo]:
        return list(self._models)

    def current(self, family: str) -> ModelInfo | None:
        """The newest active model of a family ("haiku" -> the current Haiku)."""
        return self._current.get(family.strip().lower())

    def age_days(self, today: datetime.date | None = None) -> int:
        """How old the catalog's facts are; reports warn when prices may be stale."""
        return ((today or datetime.date.today()) - self.verified).days

    def looks_like_claude(self, model_id: str) -> bool:
        """Known ids, and unknown ones shaped like Claude ids (claude-..., anthropic.claude-...).

        Lets checks report "unknown Claude model" instead of ignoring a call site.
        """
        if self.resolve(model_id) is not None:
            return True
        if not isinstance(model_id, str):
            return False
        key = model_id.strip().lower().rsplit("/", 1)[-1]
        return bool(_CLAUDE_SHAPE_RE.match(key))

    def patched(self, path: Path) -> Catalog:
        """A new catalog with the models of a user YAML file added or patched in."""
        doc = _read_user_yaml(path)
        records = list(self._records)
        positions = {model.id: i for i, model in enumerate(self._models)}
        for i, patch in enumerate(doc.get("models") or []):
            where = f"{path}: models[{i}]"
            model_id = _patch_id(where, patch)
            known = self.resolve(model_id)
            target = known.id if known is not None else model_id.lower()
            if target in positions:
                pos = positions[target]
                records[pos] = (where, _merge(records[pos][1], patch))
            else:
                positions[target] = len(records)
                records.append((where, patch))
        sources = {**self.sources, **doc.get("sources", {})}
        return Catalog(records, self.verified, self.prices_as_of, sources)


def _index_ids(
    records: Sequence[tuple[str, dict[str, Any]]], models: Sequence[ModelInfo]
) -> dict[str, str]:
    """Maps every id form a model declares (id, aliases, platform ids) to its canonical id."""
    index: dict[str, str] = {}
    for (where, _), model in zip(records, models, strict=True):
        keys = [("id", model.id)]
        keys += [(f"aliases[{i}]", alias) for i, alias in enumerate(model.aliases)]
        keys += [(f"platform_ids.{p}", pid.lower()) for p, pid in model.platform_ids]
        for field, key in keys:
            other = index.setdefault(key, model.id)
            if other != model.id:
                raise CatalogError(f"{where}.{field}: {key!r} already names {other}")
    return index


def _canonical_successor(where: str, model: ModelInfo, ids: dict[str, str]) -> ModelInfo:
    """Successors may be written in any declared form; store the canonical id."""
    if model.successor is None:
        return model
    target = ids.get(model.successor.lower())
    if target is None:
        raise CatalogError(f"{where}.successor: unknown model {model.successor!r}")
    return model if target == model.successor else replace(model, successor=target)


def _pick_current(models: Sequence[ModelInfo]) -> dict[str, ModelInfo]:
    current: dict[str, ModelInfo] = {}
    for model in models:
        best = current.get(model.family)
        newer = best is None or (model.released or "") > (best.released or "")
        if model.is_current and newer:
            current[model.family] = model
    return current


def _patch_id(where: str, patch: Any) -> str:
    f = _Field(where)
    data = f.mapping(patch, "", _MODEL_KEYS)
    return f.text(data.get("id"), "id")  # type: ignore[return-value]


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Patch semantics: prices deep-merged, aliases/sources extended, the rest replaced."""
    merged = dict(base)
    for key, value in patch.items():
        old = merged.get(key)
        if key == "id":
            continue
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = _merge(old, value)
        elif key in _LIST_UNION_KEYS and isinstance(old, list) and isinstance(value, list):
            merged[key] = old + [item for item in value if item not in old]
        else:
            merged[key] = value
    return merged


# ---------------------------------------------------------------------------- loading


def _read_user_yaml(path: Path) -> dict[str, Any]:
    """Reads and shape-checks a user catalog file (safe YAML loading only)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read model catalog: {exc.strerror or exc}") from exc
    doc = _yaml_load(text, path)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise CatalogError(f"{path}: expected a mapping with a 'models' list at the top level")
    for name in doc:
        if name not in _USER_TOP_KEYS:
            raise CatalogError(f"{path}: {name}: unknown key (expected 'models' or 'sources')")
    if not isinstance(doc.get("models", []), list):
        raise CatalogError(f"{path}: models: expected a list of models")
    sources = doc.get("sources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise CatalogError(f"{path}: sources: expected a mapping of name -> URL")
    return doc


def _yaml_load(text: str, path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise CatalogError(f"{path}: invalid YAML: {exc}") from exc


def _jsonable(value: Any) -> Any:
    """YAML values as JSON would hold them (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _parse_doc_date(raw: Any, key: str, where: str) -> datetime.date:
    iso = _Field(where).date(raw, key)
    if iso is None:
        raise CatalogError(f"{where}.{key}: required")
    return datetime.date.fromisoformat(iso)


def catalog_from_document(doc: Any, where: str) -> Catalog:
    """Builds a Catalog from the parsed models.json / models.yaml document."""
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise CatalogError(f"{where}: expected a mapping with a 'models' list")
    verified = _parse_doc_date(doc.get("verified"), "verified", where)
    as_of = doc.get("prices_as_of")
    prices_as_of = None if as_of is None else _parse_doc_date(as_of, "prices_as_of", where)
    records = [(f"{where}: models[{i}]", raw) for i, raw in enumerate(doc["models"])]
    return Catalog(records, verified, prices_as_of, doc.get("sources") or {})


def _builtin() -> Catalog:
    try:
        doc = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{JSON_PATH}: cannot read the built-in catalog: {exc}") from exc
    return catalog_from_document(doc, str(JSON_PATH))


@functools.cache
def _load(extra: Path | None) -> Catalog:
    if extra is None:
        return _builtin()
    return _load(None).patched(extra)


def load_catalog(extra: Path | None = None) -> Catalog:
    """The built-in catalog, plus the user's model file when given; memoised per path."""
    if extra is None:
        return _load(None)
    return _load(Path(extra).expanduser().absolute())


def clear_cache() -> None:
    """Forgets memoised catalogs (tests; a long-running process after a config change)."""
    _load.cache_clear()


# ---------------------------------------------------------------------------- regeneration


def render_json(yaml_path: Path = YAML_PATH) -> str:
    """The exact models.json text for a models.yaml; validates the catalog on the way."""
    doc = _jsonable(_yaml_load(yaml_path.read_text(encoding="utf-8"), yaml_path))
    catalog_from_document(doc, str(yaml_path))
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m costlint.catalog --regenerate | --check``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m costlint.catalog", description="Keep models.json in step with models.yaml."
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--regenerate", action="store_true", help="rewrite models.json")
    group.add_argument("--check", action="store_true", help="exit 1 if models.json is stale")
    args = parser.parse_args(argv)
    try:
        text = render_json()
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    current = JSON_PATH.read_text(encoding="utf-8") if JSON_PATH.exists() else ""
    if args.check:
        if text != current:
            print(f"{JSON_PATH} is out of date: run python -m costlint.catalog --regenerate")
            return 1
        return 0
    if text != current:
        JSON_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {JSON_PATH} ({len(json.loads(text)['models'])} models)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
