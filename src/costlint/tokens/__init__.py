"""Token counts for count requests: the request shape, the disk cache, the API and the estimate.

Importing this package never imports the anthropic SDK (only an API pass does). A run whose
files all come from the per-file cache builds a ``TokenCounter`` but counts nothing: the
request shape and the estimator are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .counter import TokenCounter

if TYPE_CHECKING:
    from .request_estimate import estimate_request_tokens
    from .request_shape import CountRequest, placeholder_request

__all__ = ["CountRequest", "TokenCounter", "estimate_request_tokens", "placeholder_request"]

_LAZY = {
    "CountRequest": "request_shape",
    "placeholder_request": "request_shape",
    "estimate_request_tokens": "request_estimate",
}


def __getattr__(name: str) -> Any:
    """The names imported on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
