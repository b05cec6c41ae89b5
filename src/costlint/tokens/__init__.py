"""Token counts for count requests: the request shape, the disk cache, the API and the estimate.

Importing this package never imports the anthropic SDK (only an API pass does).
"""

from .counter import TokenCounter
from .request_estimate import estimate_request_tokens
from .request_shape import CountRequest, placeholder_request

__all__ = ["CountRequest", "TokenCounter", "estimate_request_tokens", "placeholder_request"]
