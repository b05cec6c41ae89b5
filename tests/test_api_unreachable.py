"""A refused connection or a failed DNS lookup falls back to the estimate at once (issue 17,
item 7): no retry can help, so none is made."""

from __future__ import annotations

import socket
import time

import anthropic
import pytest

from costlint.tokens.api_client import ApiRun
from costlint.tokens.request_shape import CountRequest


class _Client:
    def __init__(self, cause: BaseException) -> None:
        self.calls = 0
        self.cause = cause
        self.messages = self

    def count_tokens(self, **kwargs):
        self.calls += 1
        error = anthropic.APIConnectionError(request=None)  # type: ignore[arg-type]
        raise error from self.cause


@pytest.mark.parametrize(
    ("cause", "reason"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (socket.gaierror(-2, "Name or service not known"), "DNS"),
        (OSError("[Errno -3] Temporary failure in name resolution"), "DNS"),
    ],
)
def test_unreachable_api_is_not_retried(cause, reason):
    client = _Client(cause)
    run = ApiRun(client, anthropic, time.monotonic() + 60, max_retries=4)
    started = time.monotonic()
    request = CountRequest("claude-sonnet-5-5", {"messages": [{"role": "user", "content": "hi"}]})
    assert run.count(request) is None
    assert client.calls == 1 and run.retries == 0
    assert run.fatal is not None and reason in run.fatal
    assert time.monotonic() - started < 1


def test_other_connection_errors_are_still_retried():
    client = _Client(ConnectionResetError("connection reset by peer"))
    run = ApiRun(client, anthropic, time.monotonic() + 60, max_retries=1)
    request = CountRequest("claude-sonnet-5-5", {"messages": []})
    assert run.count(request) is None
    assert client.calls == 2 and run.retries == 1
