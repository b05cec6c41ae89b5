"""Moving a call to its model's successor: the fix text, the remedy, and how much cheaper
the successor is per input token once the newer tokenizer's extra tokens are counted."""

from __future__ import annotations

from typing import Any

from ..fixes import Fix, ModelSwitch, NoCostModel

TOKENIZER_FACTOR = 1.3  # newer tokenizer: ~30% more tokens for the same text


def move_to(successor: Any) -> str:
    return f'use model="{successor.id}"' if successor is not None else "move to a current model"


def switch(successor: Any) -> Fix:
    return ModelSwitch(successor.id) if successor is not None else NoCostModel()


def cheaper_input(model: Any, successor: Any) -> tuple[float, str] | None:
    """(how many times cheaper per input token, a note when the tokenizer counts in it), or
    None when the successor is not cheaper or either is unpriced."""
    if model.prices is None or successor.prices is None:
        return None
    if successor.prices.input >= model.prices.input:
        return None
    factor = 1.0
    if successor.new_tokenizer and not model.new_tokenizer:
        factor = TOKENIZER_FACTOR
    effective = model.prices.input / (successor.prices.input * factor)
    if effective <= 1.0:
        return None
    return effective, " after the newer tokenizer's ~30% more tokens" if factor != 1.0 else ""
