"""One pass of count requests through the SDK: retries, backoff and error classification.

The SDK module is passed in (``ApiRun(client, sdk, ...)``), so importing this module never
imports anthropic.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import socket
import threading
import time
from typing import Any

from .masking import mask_body
from .request_shape import CountRequest

# Keyword arguments `messages.count_tokens` takes by name; other body keys go in extra_body.
_SDK_KWARGS = frozenset(
    {"system", "tools", "messages", "thinking", "tool_choice", "output_config", "cache_control"}
)

INITIAL_BACKOFF = 0.5  # seconds, doubled per retry (same constants as the SDK)
MAX_BACKOFF = 8.0
ATTEMPT_TIMEOUT = 30.0  # one HTTP attempt; always capped by what is left of the time budget
_SPEND_LIMIT_CODE = "enforced_spend_limit_reached"


def _error_field(body: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(body, dict):
            return None
        body = body.get(name)
    return body


def _retry_after(headers: Any) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, then retry-after), or None."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        with contextlib.suppress(ValueError):
            return max(0.0, float(ms) / 1000)
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _backoff(retry: int) -> float:
    """Exponential backoff with jitter: 0.5, 1, 2, 4, 8 s, each minus up to 25%."""
    return min(INITIAL_BACKOFF * 2.0**retry, MAX_BACKOFF) * (1 - 0.25 * random.random())


_REFUSED = ("Connection refused", "[Errno 111]", "[WinError 10061]")
_NO_HOST = (
    "Name or service not known",
    "nodename nor servname",
    "Temporary failure in name resolution",
    "getaddrinfo failed",
    "No address associated with hostname",
    "[Errno -2]",
    "[Errno -3]",
    "[Errno -5]",
)


def _unreachable(err: BaseException) -> str | None:
    """Why the API cannot be reached at all (connection refused, host not found), or None
    for a failure a retry may fix. Looks through the exception's causes."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current)
        if isinstance(current, ConnectionRefusedError) or any(m in text for m in _REFUSED):
            return "connection refused"
        if isinstance(current, socket.gaierror) or any(m in text for m in _NO_HOST):
            return "API host not found (DNS)"
        current = current.__cause__ or current.__context__
    return None


class _Fatal(Exception):
    """The API cannot answer at all: estimate this request and everything left."""


class _Rejected(Exception):
    """The API answered but refused this one request (e.g. 400): estimate it alone."""


class _Retry(Exception):
    """A transient failure; ``delay`` is the server's retry-after when it sent one."""

    def __init__(self, reason: str, delay: float | None) -> None:
        super().__init__(reason)
        self.delay = delay


def _classify_status(err: Any) -> Exception:
    """Map an SDK APIStatusError to _Fatal, _Rejected or _Retry."""
    status = int(getattr(err, "status_code", 0) or 0)
    body = getattr(err, "body", None)
    etype = _error_field(body, "error", "type")
    label = f"{status} {etype}" if isinstance(etype, str) else str(status)
    code = _error_field(body, "error", "details", "error_code")
    message = _error_field(body, "error", "message")
    if status == 429 and code == _SPEND_LIMIT_CODE:
        return _Fatal(f"{label}: spend limit reached")
    if status == 400 and isinstance(message, str) and "usage limit" in message.lower():
        return _Fatal(f"{label}: API usage limit reached")
    if status in (401, 402, 403):
        return _Fatal(label)
    if status in (408, 409, 429) or status >= 500:
        response = getattr(err, "response", None)
        return _Retry(label, _retry_after(getattr(response, "headers", None)))
    return _Rejected(label)


def _input_tokens(result: Any) -> int:
    count = getattr(result, "input_tokens", None)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise _Fatal("malformed response: no input_tokens")
    return count


class ApiRun:
    """State shared by the worker threads of one API pass."""

    def __init__(self, client: Any, sdk: Any, deadline: float, max_retries: int) -> None:
        self.client = client
        self.sdk = sdk
        self.deadline = deadline
        self.max_retries = max_retries
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.fatal: str | None = None
        self.rejected: list[str] = []
        self.attempts = 0
        self.retries = 0

    def fail(self, reason: str) -> None:
        with self.lock:
            if self.fatal is None:
                self.fatal = reason
        self.stop.set()

    def count(self, request: CountRequest) -> int | None:
        """Count one request with retries; None when it must be estimated."""
        try:
            return self._count_with_retries(request)
        except _Fatal as err:
            self.fail(str(err))
        except _Rejected as err:
            with self.lock:
                self.rejected.append(str(err))
        except Exception as err:  # an SDK surprise must not crash the linter
            self.fail(f"unexpected {type(err).__name__}")
        return None

    def _count_with_retries(self, request: CountRequest) -> int | None:
        retry = 0
        while True:
            if self.stop.is_set():
                return None
            try:
                return self._attempt(request)
            except _Retry as err:
                if retry >= self.max_retries:
                    tries = "retry" if retry == 1 else "retries"
                    raise _Fatal(f"{err} after {retry} {tries}") from None
                self._sleep(err.delay if err.delay is not None else _backoff(retry))
                retry += 1
                with self.lock:
                    self.retries += 1

    def _sleep(self, delay: float) -> None:
        """Wait before a retry, but never past the time budget."""
        if time.monotonic() + delay >= self.deadline:
            raise _Fatal("time budget spent waiting to retry")
        self.stop.wait(delay)

    def _attempt(self, request: CountRequest) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _Fatal("time budget spent")
        body = mask_body(request.body)  # no key or password leaves the machine
        kwargs = {k: v for k, v in body.items() if k in _SDK_KWARGS}
        extra = {k: v for k, v in body.items() if k not in _SDK_KWARGS}
        with self.lock:
            self.attempts += 1
        try:
            result = self.client.messages.count_tokens(
                model=request.model,
                **kwargs,
                extra_body=extra or None,
                timeout=min(ATTEMPT_TIMEOUT, remaining),
            )
        except self.sdk.APIStatusError as err:
            raise _classify_status(err) from None
        except self.sdk.APITimeoutError:
            raise _Retry("request timed out", None) from None
        except self.sdk.APIConnectionError as err:
            unreachable = _unreachable(err)
            if unreachable is not None:
                raise _Fatal(unreachable) from None  # no retry would change that
            raise _Retry("connection error", None) from None
        except (ValueError, TypeError, KeyError, self.sdk.APIResponseValidationError) as err:
            raise _Fatal(f"malformed response: {type(err).__name__}") from None
        return _input_tokens(result)
