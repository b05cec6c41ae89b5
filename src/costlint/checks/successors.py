"""Moving a call to its model's successor: the fix text, the remedy, and how much cheaper
the successor is per input token once the newer tokenizer's extra tokens are counted."""

from __future__ import annotations

from typing import Any

from ..catalog import id_for_platform
from ..fixes import Fix, ModelSwitch, NoCostModel

TOKENIZER_FACTOR = 1.3  # newer tokenizer: ~30% more tokens for the same text


def move_to(successor: Any, written: str) -> str:
    """The successor in the format of the platform the call runs on (Bedrock, Vertex)."""
    if successor is None:
        return "move to a current model"
    target = id_for_platform(successor, written)
    return f'use model="{target.id}"' + (
        "" if target.verified else target.display().removeprefix(target.id)
    )


def suggested(successor: Any, written: str) -> str:
    """The id the fix's pricing resolves: the platform id when the catalog knows it."""
    target = id_for_platform(successor, written)
    return target.id if target.verified else successor.id


def switch(successor: Any, written: str) -> Fix:
    return ModelSwitch(suggested(successor, written)) if successor is not None else NoCostModel()


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
