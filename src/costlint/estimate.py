"""The offline token estimate: a pure function of text, used wherever a size is needed
without the API (placeholder padding, prefix sizes, the count stage's fallback)."""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

# Newer tokenizer (Claude Opus 4.7 and later, Haiku 5.5, Mythos): ~30% more tokens for the
# same text (../shared/reference/claude-cost-facts.md, "Tokenizer").
NEW_TOKENIZER_FACTOR = 1.3

# One token per started 5 ASCII letters, per started 3 digits, per other non-space character:
# counting the matches of this pattern counts those tokens (greedy chunks of a run).
_COUNTED = re.compile(r"[A-Za-z]{1,5}|\d{1,3}|[^\sA-Za-z\d]")
# Whitespace runs of two or more characters (a single space or newline is always free).
_SPACE_RUN = re.compile(r"\s{2,}")


def estimate_tokens(text: str, new_tokenizer: bool = False) -> int:
    """Estimate Claude tokens for ``text`` without the API.

    Words cost one token per started 5 letters, digit runs one per 3 digits, every
    punctuation mark or symbol one token, whitespace runs are free unless longer than one
    newline. Documented in README ("Token estimate") with its measured error.
    """
    if not text:
        return 0
    total = _estimate(text)
    if new_tokenizer:
        total = math.ceil(total * NEW_TOKENIZER_FACTOR)
    return total


@lru_cache(maxsize=4096)  # the same prompt text is estimated by the count stage and checks
def _estimate(text: str) -> int:
    total = len(_COUNTED.findall(text))
    for run in _SPACE_RUN.findall(text):
        if len(run) > 4 or run.count("\n") > 1:
            total += 1
    return total


def estimate_value_tokens(value: Any, new_tokenizer: bool = False) -> int:
    """Estimate tokens of a resolved request part (text, blocks, tool definitions)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return estimate_tokens(value, new_tokenizer)
    if isinstance(value, dict):
        if value.get("type") == "text" and isinstance(value.get("text"), str):
            return estimate_tokens(value["text"], new_tokenizer)
        if "content" in value and "role" in value:
            return 4 + estimate_value_tokens(value["content"], new_tokenizer)
    if isinstance(value, list):
        return sum(estimate_value_tokens(item, new_tokenizer) for item in value)
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return estimate_tokens(text, new_tokenizer)
