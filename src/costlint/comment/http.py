"""A small JSON-over-HTTP client (urllib) that never lets the token into a message."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

TIMEOUT = 30.0  # seconds per request
MESSAGE_LIMIT = 300  # characters of an API error message quoted back


class CommentError(Exception):
    """Posting failed: the message is safe to print (the token is redacted)."""


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


@dataclass(frozen=True)
class Client:
    """Sends JSON with ``headers`` (which carry the token) and redacts ``secret`` from errors."""

    headers: dict[str, str]
    secret: str

    def redact(self, text: str) -> str:
        return text.replace(self.secret, "***") if self.secret else text

    def request(self, method: str, url: str, body: Any = None) -> Response:
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": "costlint", **self.headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
                raw = answer.read()
                status = answer.status
                got = {name.lower(): value for name, value in answer.headers.items()}
        except urllib.error.HTTPError as exc:
            detail = api_message(exc.read())
            where = f"{method} {url}"
            raise CommentError(self.redact(f"{where}: HTTP {exc.code}{detail}")) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CommentError(self.redact(f"{method} {url}: {reason}")) from None
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            raise CommentError(self.redact(f"{method} {url}: the answer is not JSON")) from None
        return Response(status, parsed, got)


def api_message(raw: bytes) -> str:
    """``": <message>"`` from a GitHub or GitLab error body, or "" when there is none."""
    try:
        body = json.loads(raw)
    except ValueError:
        return ""
    message: Any = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or body.get("error_description")
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            message = f"{message}: {json.dumps(errors)}" if message else json.dumps(errors)
    if message is None:
        return ""
    text = message if isinstance(message, str) else json.dumps(message)
    text = " ".join(text.split())
    return f": {text[:MESSAGE_LIMIT]}"
