"""The offline estimate of what count_tokens would return for a whole count request."""

from __future__ import annotations

import math

from ..estimate import NEW_TOKENIZER_FACTOR, estimate_value_tokens
from .request_shape import CountRequest

# Estimate overheads (old tokenizer; scaled by NEW_TOKENIZER_FACTOR for the new one).
REQUEST_OVERHEAD_TOKENS = 3
# The tool-use system prompt the API adds when tools are present: 286..804 tokens depending
# on model and tool_choice (claude-cost-facts.md, "Tool overhead"); 300 is a middle guess.
TOOLS_OVERHEAD_TOKENS = 300


def _scaled(tokens: int, new_tokenizer: bool) -> int:
    return math.ceil(tokens * NEW_TOKENIZER_FACTOR) if new_tokenizer else tokens


def estimate_request_tokens(request: CountRequest) -> int:
    """Offline estimate of what count_tokens would return for ``request``.

    Messages carry a small per-message overhead (in estimate_value_tokens); tools add the
    tool-use system prompt the API inserts.
    """
    body, nt = request.body, request.new_tokenizer
    total = _scaled(REQUEST_OVERHEAD_TOKENS, nt)
    total += estimate_value_tokens(body.get("system"), nt)
    total += estimate_value_tokens(body.get("messages"), nt)
    if body.get("tools"):
        total += estimate_value_tokens(body["tools"], nt) + _scaled(TOOLS_OVERHEAD_TOKENS, nt)
    return total
