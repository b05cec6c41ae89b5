"""Validation of raw model records (models.json or a user YAML file) into ModelInfo values."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .model_info import (
    FAMILY_TIERS,
    STATUSES,
    TIERS,
    CatalogError,
    ModelInfo,
    Prices,
    lifecycle_status,
)

MODEL_KEYS = frozenset(
    {
        "id", "aliases", "platform_ids", "name", "family", "tier", "status", "released",
        "deprecated", "retirement", "retirement_floor", "successor", "new_tokenizer", "prices",
        "context_window", "max_output", "min_cacheable", "notes", "sources", "thinking_default",
    }
)  # fmt: skip
_COST_KEYS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
_PRICE_KEYS = frozenset((*_COST_KEYS, "batch_discount", "long_prompt_tier", "unverified"))
_TIER_KEYS = frozenset((*_COST_KEYS, "above_prompt_tokens"))
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FieldChecker:
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


def _parse_tier(f: FieldChecker, raw: Any, base: Prices) -> tuple[Prices, int]:
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


def _parse_prices(f: FieldChecker, raw: Any) -> Prices | None:
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


def parse_model(where: str, raw: Any, today: datetime.date | None = None) -> ModelInfo:
    """Validates one raw model record (JSON or YAML shape) and builds its ModelInfo.

    ``status`` is computed from the record's dates on ``today`` (default: the run's date).
    """
    f = FieldChecker(where)
    data = f.mapping(raw, "", MODEL_KEYS)
    model_id = f.text(data.get("id"), "id").lower()  # type: ignore[union-attr]
    family = f.text(data.get("family"), "family").lower()  # type: ignore[union-attr]
    tier = data.get("tier", FAMILY_TIERS.get(family))
    if tier is None:
        raise f.fail("tier", f"missing; needed for a family other than {', '.join(FAMILY_TIERS)}")
    deprecated = f.date(data.get("deprecated"), "deprecated")
    retirement = f.date(data.get("retirement"), "retirement")
    declared = f.choice(data.get("status", "active"), "status", STATUSES)
    status = lifecycle_status(declared, deprecated, retirement, today or datetime.date.today())
    return ModelInfo(
        id=model_id,
        name=f.text(data.get("name", model_id), "name"),  # type: ignore[arg-type]
        family=family,
        tier=f.choice(tier, "tier", TIERS),
        status=status,
        released=f.date(data.get("released"), "released"),
        deprecated=deprecated,
        retirement=retirement,
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
