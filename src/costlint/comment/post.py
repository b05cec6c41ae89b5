"""The shared update-or-create logic and the platforms' endpoints (GitHub, GitLab)."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .http import Client, CommentError
from .marker import MARKER, with_marker

GITHUB_API = "https://api.github.com"
GITHUB_BODY_LIMIT = 65_536  # characters GitHub accepts in a comment
GITLAB_BODY_LIMIT = 1_000_000
PAGE_SIZE = 100
MAX_PAGES = 200  # a safety stop: 20,000 comments
BEHAVIORS = ("update", "new")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class Posted:
    """What was done: ``created`` or ``updated``, and the comment's id and web address."""

    action: str
    id: int | str
    url: str


@dataclass(frozen=True)
class Target:
    """Where comments live on one platform, and how to page through them."""

    client: Client
    list_url: str  # the first page
    create_url: str
    edit_base: str  # a comment is edited at ``{edit_base}/{id}``
    edit_method: str  # PATCH (GitHub) or PUT (GitLab)
    body_limit: int
    pager: str  # "link" (GitHub's Link header) or "x-next-page" (GitLab)
    web_base: str = ""  # GitLab: the merge request's page (notes have no web address)

    def next_page(self, headers: Mapping[str, str]) -> str | None:
        if self.pager == "link":
            match = _NEXT.search(headers.get("link", ""))
            return match.group(1) if match else None
        page = headers.get("x-next-page", "").strip()
        if not page.isdigit():
            return None
        return f"{self.list_url}&page={page}"

    def web_url(self, comment: Mapping[str, object]) -> str:
        if comment.get("html_url"):
            return str(comment["html_url"])
        note = comment.get("id")
        return f"{self.web_base}#note_{note}" if self.web_base and note is not None else ""


def _token(env: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    raise CommentError(f"no token: set {' or '.join(names)}")


def _fit(body: str, limit: int) -> str:
    """The body, cut to the platform's limit with a line saying so."""
    if len(body) <= limit:
        return body
    note = "\n\n… (truncated: the full report is in the job's artifacts or summary)\n"
    return body[: limit - len(note)] + note


def comments(target: Target) -> Iterator[Mapping[str, object]]:
    """Every comment on the pull request, page by page."""
    url: str | None = target.list_url
    for _ in range(MAX_PAGES):
        if url is None:
            return
        answer = target.client.request("GET", url)
        if not isinstance(answer.body, list):
            raise CommentError(f"GET {url}: expected a list of comments")
        yield from (item for item in answer.body if isinstance(item, Mapping))
        url = target.next_page(answer.headers)


def post(target: Target, body: str, behavior: str = "update") -> Posted:
    """Edit costlint's latest earlier comment (``update``) or add a new one."""
    if behavior not in BEHAVIORS:
        raise CommentError(f"unknown behavior {behavior!r} (one of: {', '.join(BEHAVIORS)})")
    text = _fit(with_marker(body), target.body_limit)
    if behavior == "update":
        ours = [c for c in comments(target) if MARKER in str(c.get("body") or "")]
        if ours:
            comment_id = ours[-1].get("id")
            if not isinstance(comment_id, int | str):
                raise CommentError("an earlier costlint comment has no id")
            answer = target.client.request(
                target.edit_method, f"{target.edit_base}/{comment_id}", {"body": text}
            )
            edited = answer.body if isinstance(answer.body, Mapping) else {}
            return Posted("updated", comment_id, target.web_url(edited))
    answer = target.client.request("POST", target.create_url, {"body": text})
    created = answer.body if isinstance(answer.body, Mapping) else {}
    new_id = created.get("id")
    return Posted(
        "created", new_id if isinstance(new_id, int | str) else "", target.web_url(created)
    )


# ---------------------------------------------------------------------------- GitHub


def github(repo: str, pull_request: int, env: Mapping[str, str]) -> Target:
    """The GitHub target: ``GITHUB_TOKEN``, ``GITHUB_API_URL`` (default api.github.com)."""
    if not _REPO.match(repo) or repo.split("/")[0] in (".", ".."):
        raise CommentError(f"bad --repo {repo!r}: expected OWNER/NAME")
    if pull_request < 1:
        raise CommentError("--pull-request must be a positive number")
    token = _token(env, ("GITHUB_TOKEN",))
    api = (env.get("GITHUB_API_URL") or GITHUB_API).rstrip("/")
    client = Client(
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
        token,
    )
    issue = f"{api}/repos/{repo}/issues/{pull_request}/comments"
    return Target(
        client=client,
        list_url=f"{issue}?per_page={PAGE_SIZE}",
        create_url=issue,
        edit_base=f"{api}/repos/{repo}/issues/comments",
        edit_method="PATCH",
        body_limit=GITHUB_BODY_LIMIT,
        pager="link",
    )


# ---------------------------------------------------------------------------- GitLab


def gitlab(project: str, merge_request: int, env: Mapping[str, str]) -> Target:
    """The GitLab target: ``GITLAB_TOKEN`` (a token with api scope), ``CI_API_V4_URL``."""
    if not project.strip():
        raise CommentError("--project is empty: a project id or group/name path")
    if merge_request < 1:
        raise CommentError("--merge-request must be a positive number")
    token = _token(env, ("GITLAB_TOKEN",))
    api = (env.get("CI_API_V4_URL") or "https://gitlab.com/api/v4").rstrip("/")
    quoted = urllib.parse.quote(project.strip(), safe="")
    notes = f"{api}/projects/{quoted}/merge_requests/{merge_request}/notes"
    web = env.get("CI_MERGE_REQUEST_PROJECT_URL", "")
    return Target(
        client=Client({"PRIVATE-TOKEN": token}, token),
        list_url=f"{notes}?per_page={PAGE_SIZE}&sort=asc&order_by=created_at",
        create_url=notes,
        edit_base=notes,
        edit_method="PUT",
        body_limit=GITLAB_BODY_LIMIT,
        pager="x-next-page",
        web_base=f"{web}/-/merge_requests/{merge_request}" if web else "",
    )
