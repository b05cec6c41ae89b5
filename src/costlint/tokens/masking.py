"""Strings that look like keys or passwords are masked before a count request leaves.

Prompt text sometimes carries a credential (an example config, a pasted log). Counting tokens
needs the text's shape, not its secret: each match is replaced by a stand-in of the same
length drawn from a hash of it, so the count stays close and the secret stays here.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

_PATTERNS = (
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{20,}"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
)
# ``password = hunter22``, ``"api_key": "abc..."``: only the value is masked.
_ASSIGNED = re.compile(
    r"(?i)\b(pass(?:word|wd)?|pwd|secret|token|api[_\-]?key|access[_\-]?key)"
    r"(\"?'?\s*[:=]\s*[\"']?)([^\s\"',;{}]{6,})"
)


def _stand_in(secret: str) -> str:
    digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
    return (digest * (len(secret) // len(digest) + 1))[: len(secret)]


def mask_text(text: str) -> str:
    """``text`` with every key-like or password-like value replaced by its stand-in."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: _stand_in(match.group(0)), text)
    return _ASSIGNED.sub(lambda m: m.group(1) + m.group(2) + _stand_in(m.group(3)), text)


def mask_body(value: Any) -> Any:
    """A copy of a request body (JSON values) with every string masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_body(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_body(item) for key, item in value.items()}
    return value
