"""The offline token estimate: a pure function of text, used wherever a size is needed
without the API (placeholder padding, prefix sizes, the count stage's fallback)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Newer tokenizer (Claude Opus 4.7 and later, Haiku 5.5, Mythos): ~30% more tokens for the
# same text (../shared/reference/claude-cost-facts.md, "Tokenizer").
NEW_TOKENIZER_FACTOR = 1.3

_PIECE = re.compile(r"[A-Za-z]+|\d+|\s+|[^\sA-Za-z\d]")


def estimate_tokens(text: str, new_tokenizer: bool = False) -> int:
    """Estimate Claude tokens for ``text`` without the API.

    Words cost one token per started 5 letters, digit runs one per 3 digits, every
    punctuation mark or symbol one token, whitespace runs are free unless longer than one
    newline. Documented in README ("Token estimate") with its measured error.
    """
    if not text:
        return 0
    total = 0
    for piece in _PIECE.findall(text):
        first = piece[0]
        if first.isalpha():
            total += math.ceil(len(piece) / 5)
        elif first.isdigit():
            total += math.ceil(len(piece) / 3)
        elif first.isspace():
            if piece.count("\n") > 1 or len(piece) > 4:
                total += 1
        else:
            total += 1
    if new_tokenizer:
        total = math.ceil(total * NEW_TOKENIZER_FACTOR)
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
