"""The catalog's data types: a model's prices, limits and lifecycle, and the catalog error."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

FAMILY_TIERS = {"opus": "top", "fable": "top", "mythos": "top", "sonnet": "mid", "haiku": "small"}
TIERS = ("top", "mid", "small")
STATUSES = ("active", "legacy", "deprecated", "retired")


def lifecycle_status(
    declared: str, deprecated: str | None, retirement: str | None, today: datetime.date
) -> str:
    """A model's status on ``today``, from its dates: a catalog never goes stale on a day.

    Past its retirement date a model is retired; with a retirement date ahead, or past its
    deprecation date, it is deprecated; otherwise the status the catalog declares stands.
    """
    day = today.isoformat()
    if declared == "retired" or (retirement is not None and retirement <= day):
        return "retired"
    if declared == "deprecated" or retirement is not None:
        return "deprecated"
    if deprecated is not None and deprecated <= day:
        return "deprecated"
    return declared


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
