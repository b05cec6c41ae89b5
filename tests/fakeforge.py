"""Fake GitHub and GitLab comment APIs on 127.0.0.1, for ``costlint comment`` tests.

``FakeForge("github")`` serves ``/repos/OWNER/NAME/issues/N/comments`` (GET pages with a
``Link: <…>; rel="next"`` header, POST) and ``/repos/OWNER/NAME/issues/comments/ID`` (PATCH);
``FakeForge("gitlab")`` serves ``/projects/ID/merge_requests/N/notes`` (GET pages with
``X-Next-Page``, POST) and ``…/notes/ID`` (PUT). Both check the token and keep the comments
in ``comments``; every request is recorded. ``fail_with`` answers every request with an error
whose message echoes the credential received, so tests prove it is redacted.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FORGE_TOKEN = "ghp_fake0123456789-never-print-me"


@dataclass
class Call:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: Any


@dataclass
class FakeForge:
    kind: str  # "github" | "gitlab"
    token: str = FORGE_TOKEN
    page_size: int = 2  # small, so tests page
    comments: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    fail_with: int | None = None
    _next_id: int = 1000

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> FakeForge:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        root = f"http://{host}:{port}"
        return root if self.kind == "github" else f"{root}/api/v4"

    def env(self) -> dict[str, str]:
        if self.kind == "github":
            return {"GITHUB_TOKEN": self.token, "GITHUB_API_URL": self.url}
        return {"GITLAB_TOKEN": self.token, "CI_API_V4_URL": self.url}

    def add(self, body: str) -> dict[str, Any]:
        self._next_id += 1
        comment = {"id": self._next_id, "body": body}
        if self.kind == "github":
            comment["html_url"] = f"https://github.example/pull/1#issuecomment-{self._next_id}"
        self.comments.append(comment)
        return comment

    # -- answers ---------------------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes):
        body = json.loads(raw) if raw else None
        self.calls.append(Call(method, raw_path, headers, body))
        sent = headers.get("authorization", "") or headers.get("private-token", "")
        if self.fail_with is not None:
            return self.fail_with, {"message": f"Bad credentials: {sent}"}, {}
        if sent not in (f"Bearer {self.token}", self.token):
            return 401, {"message": f"Bad credentials: {sent}"}, {}
        parsed = urllib.parse.urlsplit(raw_path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        if self.kind == "github":
            listing = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/\d+/comments", parsed.path)
            one = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", parsed.path)
            edit = "PATCH"
        else:
            listing = re.fullmatch(r"/api/v4/projects/[^/]+/merge_requests/\d+/notes", parsed.path)
            one = re.fullmatch(
                r"/api/v4/projects/[^/]+/merge_requests/\d+/notes/(\d+)", parsed.path
            )
            edit = "PUT"
        if listing and method == "GET":
            return self._page(raw_path, parsed.path, query)
        if listing and method == "POST":
            return 201, self.add(body["body"]), {}
        if one and method == edit:
            for comment in self.comments:
                if comment["id"] == int(one.group(1)):
                    comment["body"] = body["body"]
                    return 200, comment, {}
        return 404, {"message": "Not Found"}, {}

    def _page(self, raw_path: str, path: str, query: dict[str, str]):
        page = int(query.get("page", "1"))
        start = (page - 1) * self.page_size
        items = self.comments[start : start + self.page_size]
        headers: dict[str, str] = {}
        if start + self.page_size < len(self.comments):
            if self.kind == "github":
                query["page"] = str(page + 1)
                host, port = self._server.server_address[:2]
                link = f"http://{host}:{port}{path}?{urllib.parse.urlencode(query)}"
                headers["Link"] = f'<{link}>; rel="next", <{link}>; rel="last"'
            else:
                headers["X-Next-Page"] = str(page + 1)
        elif self.kind == "gitlab":
            headers["X-Next-Page"] = ""
        return 200, items, headers


def _handler(forge: FakeForge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body, extra = forge.answer(self.command, self.path, headers, raw)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler
