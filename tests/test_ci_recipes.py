"""The CI recipes in docs/ci/: their structure, and their costlint commands run for real.

The GitHub recipe uses the Action (action.yml at the repository root): its `run:` steps are
executed by tests/action_runner.py, and the GitLab job's script lines with bash, in a local
two-commit repository whose base branch stands in for the pull request's base, posting the
comment to a fake GitHub or GitLab API on 127.0.0.1 (once, then updating it). What needs the
hosted runner (setup-python, uploading SARIF) is checked for shape only.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from action_runner import ActionRun, base_env, run_action
from fakeforge import FakeForge
from ruamel.yaml import YAML
from test_diff import HAIKU, OPUS, GitRepo, app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ACTION = ROOT / "action.yml"
GITHUB = DOCS / "ci" / "github-actions.yml"
GITLAB = DOCS / "ci" / "gitlab-ci.yml"


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def github_steps() -> list[dict]:
    return load(GITHUB)["jobs"]["costlint"]["steps"]


def action_step() -> dict:
    (found,) = [s for s in github_steps() if "/costlint@" in s.get("uses", "")]
    return found


def action_steps() -> list[dict]:
    return load(ACTION)["runs"]["steps"]


def step(name_part: str) -> dict:
    (found,) = [s for s in action_steps() if name_part in s.get("name", "")]
    return found


# ---------------------------------------------------------------------------- structure


def test_github_workflow_uses_the_action() -> None:
    doc = load(GITHUB)
    assert "pull_request" in doc["on"]
    assert doc["permissions"]["pull-requests"] == "write"
    assert doc["permissions"]["security-events"] == "write"
    steps = github_steps()
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    assert not any("pip install costlint" in s.get("run", "") for s in steps)
    inputs = action_step()["with"]
    assert set(inputs) <= set(load(ACTION)["inputs"])
    assert inputs == {"fail-on-increase": "10%", "comment": True, "sarif": True}


def test_action_structure() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"fail-on-increase", "comment", "sarif", "base"}
    assert action["inputs"]["base"]["default"] == "${{ github.event.pull_request.base.sha }}"
    install = step("Install costlint")
    assert 'pip install --quiet "${{ github.action_path }}"' in install["run"]
    diff = step("Cost diff")
    assert diff["id"] == "diff"
    assert 'costlint diff --base "$COSTLINT_BASE" --format markdown' in diff["run"]
    comment = step("pull request comment")
    assert "costlint comment github" in comment["run"]
    assert "always()" in comment["if"] and "inputs.comment == 'true'" in comment["if"]
    sarif = step("Findings as SARIF")
    assert "costlint check --format sarif" in sarif["run"] and "--exit-zero" in sarif["run"]
    (upload,) = [s for s in action_steps() if "upload-sarif" in s.get("uses", "")]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.sarif == 'true'" in upload["if"]
    fail = action_steps()[-1]
    names = [s.get("name", "") for s in action_steps()]
    assert names.index(fail["name"]) > names.index(comment["name"])  # fail after commenting
    assert fail["if"] == "steps.diff.outputs.exit-code == '1'" and "exit 1" in fail["run"]
    for each in action_steps():  # no expression is pasted into a script, but the action path
        if "run" in each:
            assert "${{" not in each["run"].replace("${{ github.action_path }}", "")


def test_gitlab_job_structure() -> None:
    job = load(GITLAB)["costlint"]
    assert job["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["variables"]["COSTLINT_PIP_SPEC"].startswith("git+https://")
    script = "\n".join(job["script"])
    assert 'python -m pip install "$COSTLINT_PIP_SPEC"' in script
    assert "pip install costlint" not in script
    assert 'costlint diff --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"' in script
    assert "--fail-on-increase 10%" in script and "--output-file costlint.md" in script
    assert "costlint check --format sarif --output-file costlint.sarif --exit-zero" in script
    assert "costlint comment gitlab --body-file costlint.md" in script
    assert job["script"][-1] == 'exit "$status"'
    assert set(job["artifacts"]["paths"]) == {"costlint.md", "costlint.sarif"}
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"


def test_ci_doc_links_the_recipes() -> None:
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    assert "ci/github-actions.yml" in text and "ci/gitlab-ci.yml" in text
    assert "costlint comment github" in text and "action.yml" in text


def test_readme_precommit_rev_resolves() -> None:
    """The README's pre-commit ``rev`` names a commit of this repository with the hooks file."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (rev,) = re.findall(r"^\s+rev:\s*(\S+)", readme, flags=re.MULTILINE)
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, f"rev {rev} does not resolve to a commit with the hooks file"


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
    full = base_env(str(Path(sys.executable).parent))
    full.update(env)
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=full,
        check=False,
    )


def run_recipe_action(repo: GitRepo, forge: FakeForge, tmp_path: Path) -> ActionRun:
    """The recipe's action step, run as the runner would on a pull_request event."""
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    base_sha = repo.git("rev-parse", "main").strip()
    env = base_env(str(Path(sys.executable).parent)) | forge.env()
    env |= {"GITHUB_REPOSITORY": "acme/app", "GITHUB_STEP_SUMMARY": str(temp / "summary.md")}
    github = {
        "action_path": str(ROOT),
        "event.pull_request.base.sha": base_sha,
        "event.pull_request.number": "7",
        "token": forge.token,
    }
    inputs = action_step()["with"]
    return run_action(
        load(ACTION), inputs, github, env, repo.root, temp, skip_run=("Install costlint",)
    )


@pytest.mark.slow
def test_github_recipe_end_to_end(pull_request: tuple[GitRepo, int], tmp_path: Path) -> None:
    """Two pushes to one pull request: the first run posts the comment, the second updates it."""
    repo, expected = pull_request
    with FakeForge("github") as forge:
        forge.add("a reviewer's comment")
        first = run_recipe_action(repo, forge, tmp_path)
        assert first.outputs["diff"]["exit-code"] == str(expected), first.step("Cost diff").stderr
        assert first.step("comment").ran and first.step("comment").returncode == 0
        assert len(forge.comments) == 2
        repo.commit({"notes.txt": "a second push\n"}, "second push")
        second = run_recipe_action(repo, forge, tmp_path)
    assert second.step("comment").returncode == 0, second.step("comment").stderr
    assert "updated comment" in second.step("comment").stderr
    assert len(forge.comments) == 2  # updated, not added
    body = forge.comments[-1]["body"]
    assert body.startswith("<!-- costlint-comment -->") and "`app.py`" in body
    assert ("increased by $" if expected else "decreased by $") in body
    assert forge.token not in "".join(s.stdout + s.stderr for s in first.steps + second.steps)
    # SARIF made and handed to the upload action; the threshold step fails only on a regression
    sarif = Path(second.step("Upload SARIF").with_["sarif_file"])
    assert '"version": "2.1.0"' in sarif.read_text(encoding="utf-8")
    fail = second.step("Fail on the cost threshold")
    assert fail.ran is bool(expected)
    assert second.failed is bool(expected)


@pytest.mark.slow
def test_action_without_comment_or_threshold(
    pull_request: tuple[GitRepo, int], tmp_path: Path
) -> None:
    repo, _ = pull_request
    temp = tmp_path / "t"
    temp.mkdir()
    github = {"action_path": str(ROOT), "event.pull_request.base.sha": "main"}
    env = base_env(str(Path(sys.executable).parent)) | {"GITHUB_REPOSITORY": "acme/app"}
    inputs = {"comment": False, "fail-on-increase": ""}
    done = run_action(load(ACTION), inputs, github, env, repo.root, temp, ("Install costlint",))
    assert done.outputs["diff"]["exit-code"] == "0"
    assert not done.step("comment").ran and not done.step("Upload SARIF").ran
    assert not done.failed


@pytest.mark.slow
def test_gitlab_job_commands(pull_request: tuple[GitRepo, int]) -> None:
    repo, expected = pull_request
    lines = [
        line
        for line in load(GITLAB)["costlint"]["script"]
        if not line.startswith(("python -m pip", "git fetch"))
    ]
    with FakeForge("gitlab") as forge:
        env = {
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            "CI_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_IID": "7",
        } | forge.env()
        for _ in range(2):
            done = bash(repo, "\n".join(lines), env)
            assert done.returncode == expected, done.stderr
    assert (repo.root / "costlint.md").read_text().startswith("<!-- costlint-comment -->")
    assert (repo.root / "costlint.sarif").is_file()
    assert (repo.root / "gl-code-quality-report.json").is_file()
    (note,) = forge.comments  # posted once, then updated
    assert note["body"].startswith("<!-- costlint-comment -->")
    assert [c.method for c in forge.calls if c.method != "GET"] == ["POST", "PUT"]
