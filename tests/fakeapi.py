"""A fake Anthropic API for tests: ``POST /v1/messages/count_tokens`` on 127.0.0.1.

It answers ``{"input_tokens": N}`` with ``N = FakeAPI.tokens_for(body)`` (deterministic,
so tests can predict it), records every request, tracks how many were in flight at once,
and can be scripted with faults: ``api.push(Fault.overloaded(), ...)`` answers the next
requests with those faults (one each, first in first out); ``api.always = Fault...``
answers every request with one. Like the real API it rejects ``max_tokens`` (400) and a
wrong key (401). The SDK sends the key as ``Authorization: Bearer``; ``x-api-key`` is
accepted too.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

FAKE_KEY = "sk-ant-fake-0123456789-do-not-leak"
COUNT_PATH = "/v1/messages/count_tokens"


def _error(etype: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": etype, "message": message}
    if details is not None:
        error["details"] = details
    return {"type": "error", "error": error, "request_id": "req_fake"}


@dataclass
class Fault:
    """One scripted answer: a status with a JSON body (or raw bytes), after a delay."""

    status: int = 200
    body: Any = None  # JSON-able; None means the normal count answer
    raw: bytes | None = None  # sent as-is instead of ``body``
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def rate_limited(cls, retry_after: str | None = "0") -> Fault:
        headers = {} if retry_after is None else {"retry-after": retry_after}
        return cls(429, _error("rate_limit_error", "Number of requests exceeded"), headers=headers)

    @classmethod
    def rate_limited_ms(cls, milliseconds: int) -> Fault:
        return cls(
            429,
            _error("rate_limit_error", "Number of requests exceeded"),
            headers={"retry-after-ms": str(milliseconds)},
        )

    @classmethod
    def spend_limit(cls) -> Fault:
        details = {"error_code": "enforced_spend_limit_reached"}
        return cls(429, _error("rate_limit_error", "Monthly spend limit reached", details))

    @classmethod
    def overloaded(cls, retry_after: str | None = None) -> Fault:
        headers = {} if retry_after is None else {"retry-after": retry_after}
        return cls(529, _error("overloaded_error", "Overloaded"), headers=headers)

    @classmethod
    def server_error(cls, retry_after: str | None = None) -> Fault:
        headers = {} if retry_after is None else {"retry-after": retry_after}
        return cls(500, _error("api_error", "Internal server error"), headers=headers)

    @classmethod
    def unauthorized(cls) -> Fault:
        return cls(401, _error("authentication_error", "invalid x-api-key"))

    @classmethod
    def forbidden(cls) -> Fault:
        return cls(403, _error("permission_error", "Your API key does not have permission"))

    @classmethod
    def bad_request(cls, message: str = "invalid request") -> Fault:
        return cls(400, _error("invalid_request_error", message))

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls(delay=seconds)

    @classmethod
    def malformed_json(cls) -> Fault:
        return cls(200, raw=b'{"input_tokens": 12')

    @classmethod
    def missing_tokens(cls) -> Fault:
        return cls(200, {"tokens": 12})


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any


class FakeAPI:
    """The server; use as a context manager (or the ``fake_api`` fixture)."""

    def __init__(self, key: str = FAKE_KEY, latency: float = 0.0) -> None:
        self.key = key
        self.latency = latency  # seconds every answer waits
        self.faults: deque[Fault] = deque()
        self.always: Fault | None = None
        self.requests: list[Recorded] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting and inspection ----------------------------------------------------------

    @staticmethod
    def tokens_for(body: Any) -> int:
        """The count the server answers for a parsed request body (model included)."""
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return len(text) // 4 + 1

    def push(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self, key: str | None = None) -> dict[str, str]:
        """An ``env`` mapping for TokenCounter pointing the SDK at this server."""
        return {"ANTHROPIC_API_KEY": key or self.key, "ANTHROPIC_BASE_URL": self.url}

    @property
    def count_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == COUNT_PATH]

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeAPI:
        self._server = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling (called from handler threads) --------------------------------------

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _next_fault(self) -> Fault | None:
        with self._lock:
            if self.faults:
                return self.faults.popleft()
            return self.always

    def _authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("x-api-key") == self.key or (
            headers.get("authorization") == f"Bearer {self.key}"
        )

    def answer(self, path: str, headers: dict[str, str], raw: bytes) -> Fault:
        """Decide the answer to one request (and record it)."""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        with self._lock:
            self.requests.append(Recorded(path, headers, body))
        if path != COUNT_PATH:
            return Fault(404, _error("not_found_error", f"Not found: {path}"))
        if not self._authorized(headers):
            sent = headers.get("x-api-key") or headers.get("authorization", "")
            # Echoes what it got, as some proxies do, so tests prove the key is redacted.
            return Fault(401, _error("authentication_error", f"invalid x-api-key: {sent}"))
        fault = self._next_fault()
        if fault is not None and (fault.status != 200 or fault.raw or fault.body is not None):
            return fault
        delay = fault.delay if fault is not None else 0.0
        return self._count_answer(body, delay)

    def _count_answer(self, body: Any, delay: float) -> Fault:
        if not isinstance(body, dict):
            return Fault(400, _error("invalid_request_error", "body must be a JSON object"))
        if "max_tokens" in body:
            message = "max_tokens: Extra inputs are not permitted"
            return Fault(400, _error("invalid_request_error", message))
        if not isinstance(body.get("model"), str) or not body.get("messages"):
            message = "model and messages: field required"
            return Fault(400, _error("invalid_request_error", message))
        return Fault(200, {"input_tokens": self.tokens_for(body)}, delay=delay)


class _QuietServer(ThreadingHTTPServer):
    """Daemon handler threads; a client that hangs up is not worth a traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _make_handler(api: FakeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real API
        timeout = 10
        # Headers and body in one buffered write, and TCP_NODELAY: otherwise Nagle plus
        # delayed ACK add ~40 ms to every answer and swamp the latency being simulated.
        wbufsize = 64 * 1024
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            api._enter()
            try:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                fault = api.answer(self.path, headers, raw)
                time.sleep(api.latency + fault.delay)
                self._send(fault)
            finally:
                api._leave()

        def do_GET(self) -> None:  # noqa: N802
            api._enter()
            try:
                headers = {k.lower(): v for k, v in self.headers.items()}
                self._send(api.answer(self.path, headers, b""))
            finally:
                api._leave()

        def _send(self, fault: Fault) -> None:
            payload = fault.raw if fault.raw is not None else json.dumps(fault.body).encode()
            try:
                self.send_response(fault.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.send_header("request-id", "req_fake")
                for name, value in fault.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
            except OSError:
                self.close_connection = True  # the client gave up (timeout)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def fake_api() -> Iterator[FakeAPI]:
    """A running FakeAPI, stopped after the test."""
    with FakeAPI() as api:
        yield api
