"""The CI recipes in docs/ci/: their structure, and their costlint commands run for real.

The workflow's own `run:` blocks (and the GitLab job's script lines) are extracted from the
YAML and executed with bash in a local two-commit repository whose base branch stands in for
`origin/<target>`; what needs the hosting platform (posting the comment, uploading SARIF) is
checked for shape only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from test_diff import HAIKU, OPUS, GitRepo, app

DOCS = Path(__file__).resolve().parents[1] / "docs"
GITHUB = DOCS / "ci" / "github-actions.yml"
GITLAB = DOCS / "ci" / "gitlab-ci.yml"


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def github_steps() -> list[dict]:
    return load(GITHUB)["jobs"]["costlint"]["steps"]


def step(name_part: str) -> dict:
    (found,) = [s for s in github_steps() if name_part in s.get("name", "")]
    return found


# ---------------------------------------------------------------------------- structure


def test_github_workflow_structure() -> None:
    doc = load(GITHUB)
    assert "pull_request" in doc["on"]
    assert doc["permissions"]["pull-requests"] == "write"
    assert doc["permissions"]["security-events"] == "write"
    steps = github_steps()
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    assert any("pip install costlint" in s.get("run", "") for s in steps)
    diff = step("Cost diff")
    assert diff["id"] == "diff"
    for part in (
        'costlint diff --base "origin/$GITHUB_BASE_REF"',
        "--format markdown",
        "--output-file costlint.md",
        "--fail-on-increase 10%",
    ):
        assert part in diff["run"]
    comment = step("PR comment")
    assert "<!-- costlint -->" in comment["run"] and "gh api" in comment["run"]
    assert "PATCH" in comment["run"] and "POST" in comment["run"]
    assert "always()" in comment["if"]
    sarif = step("Findings as SARIF")
    assert "costlint check --format sarif --output-file costlint.sarif --exit-zero" in sarif["run"]
    upload = step("Upload SARIF")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "costlint.sarif"
    fail = steps[-1]
    names = [s.get("name", "") for s in steps]
    assert names.index(fail["name"]) > names.index(comment["name"])  # fail after commenting
    assert fail["if"] == "steps.diff.outputs.exit_code == '1'" and "exit 1" in fail["run"]


def test_gitlab_job_structure() -> None:
    job = load(GITLAB)["costlint"]
    assert job["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert job["variables"]["GIT_DEPTH"] == "0"
    script = "\n".join(job["script"])
    assert 'costlint diff --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"' in script
    assert "--fail-on-increase 10%" in script and "--output-file costlint.md" in script
    assert "costlint check --format sarif --output-file costlint.sarif --exit-zero" in script
    assert "<!-- costlint -->" in script and "COSTLINT_GITLAB_TOKEN" in script
    assert "PUT" in script and "POST" in script
    assert job["script"][-1] == 'exit "$status"'
    assert set(job["artifacts"]["paths"]) == {"costlint.md", "costlint.sarif"}


def test_ci_doc_links_the_recipes() -> None:
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    assert "ci/github-actions.yml" in text and "ci/gitlab-ci.yml" in text
    assert "<!-- costlint -->" in text


# ---------------------------------------------------------------------------- running


@pytest.fixture(params=["regression", "improvement"])
def pull_request(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[GitRepo, int]:
    """A repository on a feature branch; `origin/main` is the base it branched from."""
    before, after = (HAIKU, OPUS) if request.param == "regression" else (OPUS, HAIKU)
    repo = GitRepo(tmp_path / "repo")
    repo.commit({"app.py": app(before)}, "base")
    repo.git("update-ref", "refs/remotes/origin/main", "main")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"app.py": app(after)}, "feature")
    return repo, 1 if request.param == "regression" else 0


def bash(repo: GitRepo, script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "GITHUB_"))}
    full["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full.get('PATH', '')}"
    full.update(env)
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=full,
        check=False,
    )


def test_github_workflow_commands(pull_request: tuple[GitRepo, int], tmp_path: Path) -> None:
    repo, expected = pull_request
    output = tmp_path / "github_output"
    env = {"GITHUB_BASE_REF": "main", "GITHUB_OUTPUT": str(output)}
    done = bash(repo, step("Cost diff")["run"], env)
    assert done.returncode == 0, done.stderr  # the step records the code, the last step fails
    assert f"exit_code={expected}" in output.read_text().splitlines()
    markdown = (repo.root / "costlint.md").read_text(encoding="utf-8")
    assert markdown.startswith("<!-- costlint -->") and "`app.py`" in markdown
    assert ("increased by $" if expected else "decreased by $") in markdown
    done = bash(repo, step("Findings as SARIF")["run"], env)
    assert done.returncode == 0, done.stderr
    assert '"version": "2.1.0"' in (repo.root / "costlint.sarif").read_text()
    # the last step's condition, evaluated on what the diff step recorded
    condition = github_steps()[-1]["if"]
    recorded = dict(line.split("=", 1) for line in output.read_text().splitlines())
    wanted = condition.removeprefix("steps.diff.outputs.exit_code == ").strip("'")
    assert (recorded["exit_code"] == wanted) is bool(expected)


def test_gitlab_job_commands(pull_request: tuple[GitRepo, int]) -> None:
    repo, expected = pull_request
    lines = [
        line
        for line in load(GITLAB)["costlint"]["script"]
        if not line.startswith(("python -m pip", "git fetch", "python3 -"))
    ]
    done = bash(repo, "\n".join(lines), {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"})
    assert done.returncode == expected, done.stderr
    assert (repo.root / "costlint.md").read_text().startswith("<!-- costlint -->")
    assert (repo.root / "costlint.sarif").is_file()
