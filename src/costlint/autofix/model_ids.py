"""A model id written the way the client writes it: the Claude API's id, a Bedrock id (with
its cross-region prefix) or a Vertex id, under any ``provider/`` prefix."""

from __future__ import annotations

import re
from typing import Any

_BEDROCK = re.compile(r"^((?:[a-z]{2,6}(?:-[a-z]+)?\.)?)anthropic\.", re.IGNORECASE)


def in_client_format(written: str, model: Any) -> str | None:
    """``model``'s id in the form ``written`` uses; None when the catalog has no id for that
    platform."""
    prefix, slash, rest = written.rpartition("/")
    head = prefix + slash
    platform_ids = dict(getattr(model, "platform_ids", ()) or ())
    bedrock = _BEDROCK.match(rest)
    if bedrock:
        target = platform_ids.get("bedrock")
        return head + bedrock.group(1) + target if target else None
    if "@" in rest:
        target = platform_ids.get("vertex")
        return head + target if target else None
    return head + model.id
