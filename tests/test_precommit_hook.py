"""The `costlint` pre-commit hook, run by pre-commit itself (`pre-commit try-repo`).

try-repo installs this repository's hook into pre-commit's cache (a virtualenv with
`pip install` of this project), so the first run takes a while; PRE_COMMIT_HOME is one
temporary directory for the whole session so the hook installs once.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_diff import GitRepo

pytestmark = pytest.mark.slow  # see README: the fast test subset

PROJECT = Path(__file__).resolve().parents[1]
WASTE = """\
import anthropic

client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150


def answer(question):
    return client.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        system=MANUAL,
        messages=[{"role": "user", "content": question}],
    )
"""
CLEAN = """\
import anthropic

client = anthropic.Anthropic()


def answer(question):
    return client.messages.create(
        model="claude-haiku-5-5",
        max_tokens=300,
        system="You answer billing questions briefly.",
        messages=[{"role": "user", "content": question}],
    )
"""


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (PROJECT / ".git").exists():
        pytest.skip("try-repo needs this project as a git repository")
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "user-repo")
    repo.commit({"waste.py": WASTE, "clean.py": CLEAN, "notes.prompty": "hello\n"}, "files")
    return repo


def try_repo(repo: GitRepo, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "costlint", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )


def test_wasteful_file_fails_the_hook(project: GitRepo, pre_commit_home: Path) -> None:
    done = try_repo(project, pre_commit_home, "--files", "waste.py")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Failed" in output and "CL002" in output and "waste.py" in output


def test_clean_file_passes_the_hook(project: GitRepo, pre_commit_home: Path) -> None:
    done = try_repo(project, pre_commit_home, "--files", "clean.py", "notes.prompty")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Passed" in output


def test_hook_definition() -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "costlint" and hook["language"] == "python"
    assert hook["entry"] == "costlint check --force-exclude"
    assert hook["require_serial"] is True
    assert {"python", "jupyter", "jinja", "yaml", "markdown", "plain-text"} <= set(hook["types_or"])


@pytest.mark.parametrize(
    ("name", "selected"),
    [
        ("app.py", True),
        ("nb.ipynb", True),
        ("prompt.j2", True),
        ("prompts/system.jinja2", True),
        ("config.yaml", True),
        ("config.yml", True),
        ("README.md", True),
        ("prompt.txt", True),
        ("chat.prompty", True),
        ("summary.prompt", True),
        ("logo.png", False),
        ("Makefile", False),
        ("data.csv", False),
    ],
)
def test_hook_selects_the_files_costlint_reads(tmp_path: Path, name: str, selected: bool) -> None:
    """The same filter pre-commit applies: files regex AND any of types_or (identify tags)."""
    from identify.identify import tags_from_path

    hook = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())[0]
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" if name.endswith(".png") else b"text\n")
    tags = tags_from_path(str(path))
    chosen = bool(re.search(hook["files"], name)) and bool(tags & set(hook["types_or"]))
    assert chosen is selected
