"""`costlint comment github|gitlab`: post once, then update (found by the marker, across
pages), or always add with --behavior new; the token never appears in any output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fakeforge import FORGE_TOKEN, FakeForge

from costlint.cli import main
from costlint.comment import MARKER, with_marker
from costlint.comment.http import api_message

KINDS = ["github", "gitlab"]


def command(kind: str, body: Path, *more: str) -> list[str]:
    if kind == "github":
        return ["comment", "github", "--body-file", str(body), "--repo", "acme/app",
                "--pull-request", "7", *more]  # fmt: skip
    return ["comment", "gitlab", "--body-file", str(body), "--project", "acme/app",
            "--merge-request", "7", *more]  # fmt: skip


def run(args: list[str], env: dict[str, str]):
    blank = {"GITHUB_TOKEN": None, "GITLAB_TOKEN": None, "GITHUB_API_URL": None}
    return CliRunner().invoke(main, args, env={**blank, **env})


@pytest.fixture
def body(tmp_path: Path) -> Path:
    path = tmp_path / "costlint.md"
    path.write_text(f"{MARKER}\n#### costlint diff\nfirst\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_posts_once_then_updates_in_place(kind: str, body: Path) -> None:
    with FakeForge(kind) as forge:
        for n in range(3):
            forge.add(f"someone else's comment {n}")  # two pages before ours
        done = run(command(kind, body), forge.env())
        assert done.exit_code == 0, done.output
        assert "created comment" in done.output
        assert len(forge.comments) == 4
        forge.add("a later human comment")  # ours is now on page 2 of 3
        body.write_text(f"{MARKER}\nsecond\n", encoding="utf-8")
        done = run(command(kind, body), forge.env())
        assert done.exit_code == 0, done.output
        assert "updated comment 1004" in done.output
    assert len(forge.comments) == 5
    ours = [c for c in forge.comments if MARKER in c["body"]]
    assert [c["body"] for c in ours] == [f"{MARKER}\nsecond\n"]
    pages = [c.path for c in forge.calls if c.method == "GET"]
    assert any("page=2" in path for path in pages) and any("page=3" in path for path in pages)
    edit = "PATCH" if kind == "github" else "PUT"
    assert [c.method for c in forge.calls if c.method != "GET"] == ["POST", edit]


@pytest.mark.parametrize("kind", KINDS)
def test_behavior_new_always_adds(kind: str, body: Path) -> None:
    with FakeForge(kind) as forge:
        for _ in range(2):
            done = run(command(kind, body, "--behavior", "new"), forge.env())
            assert done.exit_code == 0, done.output
    assert len(forge.comments) == 2
    assert not [c for c in forge.calls if c.method == "GET"]  # no need to look


def test_body_without_marker_gets_it(tmp_path: Path) -> None:
    plain = tmp_path / "plain.md"
    plain.write_text("hello\n", encoding="utf-8")
    with FakeForge("github") as forge:
        assert run(command("github", plain), forge.env()).exit_code == 0
        assert run(command("github", plain), forge.env()).exit_code == 0
    assert [c["body"] for c in forge.comments] == [f"{MARKER}\nhello\n"]
    assert with_marker(f"{MARKER}\nx") == f"{MARKER}\nx"


def test_github_sends_the_token_and_api_headers(body: Path) -> None:
    with FakeForge("github") as forge:
        run(command("github", body), forge.env())
    (post,) = [c for c in forge.calls if c.method == "POST"]
    assert post.path == "/repos/acme/app/issues/7/comments"
    assert post.headers["authorization"] == f"Bearer {FORGE_TOKEN}"
    assert post.headers["accept"] == "application/vnd.github+json"


def test_gitlab_quotes_a_project_path(body: Path) -> None:
    with FakeForge("gitlab") as forge:
        run(command("gitlab", body), forge.env())
    (post,) = [c for c in forge.calls if c.method == "POST"]
    assert post.path == "/api/v4/projects/acme%2Fapp/merge_requests/7/notes"
    assert post.headers["private-token"] == FORGE_TOKEN


@pytest.mark.parametrize("kind", KINDS)
def test_missing_token_is_a_clear_error(kind: str, body: Path) -> None:
    done = run(command(kind, body), {})
    assert done.exit_code == 2
    assert f"no token: set {kind.upper()}_TOKEN" in done.output


@pytest.mark.parametrize("repo", ["acme", "acme/app/extra", "../x", "a b/c"])
def test_bad_repo_is_a_clear_error(repo: str, body: Path) -> None:
    args = ["comment", "github", "--body-file", str(body), "--repo", repo, "--pull-request", "1"]
    done = run(args, {"GITHUB_TOKEN": FORGE_TOKEN})
    assert done.exit_code == 2
    assert "bad --repo" in done.output and "OWNER/NAME" in done.output


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [401, 403, 404, 500])
def test_http_error_shows_status_and_message_not_the_token(
    kind: str, status: int, body: Path
) -> None:
    with FakeForge(kind) as forge:
        forge.fail_with = status
        done = run(command(kind, body), forge.env())
    assert done.exit_code == 2
    assert f"HTTP {status}: Bad credentials" in done.output
    assert FORGE_TOKEN not in done.output
    assert "***" in done.output  # the echoed credential, redacted


def test_wrong_token_is_rejected_without_echoing_it(body: Path) -> None:
    with FakeForge("github") as forge:
        env = forge.env() | {"GITHUB_TOKEN": "ghp_wrong-token-also-secret"}
        done = run(command("github", body), env)
    assert done.exit_code == 2 and "HTTP 401" in done.output
    assert "ghp_wrong-token-also-secret" not in done.output


def test_unreachable_api_is_a_clear_error(body: Path) -> None:
    env = {"GITHUB_TOKEN": FORGE_TOKEN, "GITHUB_API_URL": "http://127.0.0.1:9"}
    done = run(command("github", body), env)
    assert done.exit_code == 2
    assert "costlint: error: GET http://127.0.0.1:9/repos/acme/app/issues/7/comments" in done.output
    assert "Traceback" not in done.output


def test_unreadable_body_file_is_exit_2(tmp_path: Path) -> None:
    done = run(command("github", tmp_path / "missing.md"), {"GITHUB_TOKEN": FORGE_TOKEN})
    assert done.exit_code == 2 and "cannot read --body-file" in done.output


def test_api_message_reads_github_and_gitlab_errors() -> None:
    assert api_message(b'{"message": "Validation Failed", "errors": [{"code": "x"}]}') == (
        ': Validation Failed: [{"code": "x"}]'
    )
    assert api_message(b'{"message": {"body": ["is too long"]}}') == ': {"body": ["is too long"]}'
    assert api_message(b"<html>") == ""


def test_long_body_is_cut_to_githubs_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text("x" * 70_000, encoding="utf-8")
    with FakeForge("github") as forge:
        assert run(command("github", big), forge.env()).exit_code == 0
    (comment,) = forge.comments
    assert len(comment["body"]) <= 65_536 and "truncated" in comment["body"]
