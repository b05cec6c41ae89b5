"""Baselines: `costlint baseline FILE` records today's findings, `check --baseline` hides them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_diff import SONNET, GitRepo, app

pytestmark = pytest.mark.slow  # see README: the fast test subset

WASTE = app(SONNET, repeat=200)  # CL002 (long uncached system prompt) and CL009 (legacy)
NEW_SITE = """

def classify(text: str) -> str:
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=8000,
        system=SYSTEM,
        messages=[{"role": "user", "content": "Label as spam or ham: " + text}],
    ).content[0].text
"""


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.commit({"app.py": WASTE}, "waste")
    return repo


def check_json(repo: GitRepo, *args: str) -> tuple[int, list[dict], str]:
    done = repo.costlint("check", "--format", "json", "--tokens", "estimate", *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)["findings"], done.stderr


def test_baseline_file_shape(repo: GitRepo) -> None:
    done = repo.costlint("baseline", "costlint-baseline.json", "--tokens", "estimate")
    assert done.returncode == 0, done.stderr
    doc = json.loads((repo.root / "costlint-baseline.json").read_text())
    assert doc["version"] == 1 and doc["entries"]
    for entry in doc["entries"]:
        assert set(entry) == {"fingerprint", "rule", "path", "qualname", "message"}
        assert entry["path"] == "app.py" and entry["qualname"] == "answer"
    assert {e["rule"] for e in doc["entries"]} >= {"CL002"}


def test_baseline_hides_old_findings_and_shows_a_new_one_after_lines_shift(
    repo: GitRepo,
) -> None:
    repo.costlint("baseline", "costlint-baseline.json", "--tokens", "estimate")
    code, findings, stderr = check_json(repo, "--baseline", "costlint-baseline.json")
    assert (code, findings) == (0, [])
    assert "in baseline" in stderr
    # an unrelated edit shifts every line down, and a new wasteful call appears
    shifted = "# header\nimport os\nimport re\n\n" + WASTE + NEW_SITE
    repo.write({"app.py": shifted})
    code, findings, _ = check_json(repo, "--baseline", "costlint-baseline.json")
    assert code == 1
    assert findings and {f["address"] for f in findings} == {"app.py::classify"}
    # without the baseline, the old findings are still there
    _, everything, _ = check_json(repo)
    assert {f["address"] for f in everything} == {"app.py::answer", "app.py::classify"}


def test_baseline_from_config_key(repo: GitRepo) -> None:
    repo.costlint("baseline", "ci/baseline.json", "--tokens", "estimate")
    repo.write({".costlint.yaml": "baseline: ci/baseline.json\n"})
    code, findings, _ = check_json(repo)
    assert (code, findings) == (0, [])


def test_editing_the_call_resurfaces_its_finding(repo: GitRepo) -> None:
    """The call's text is in the fingerprint: changing the call is a new finding."""
    repo.costlint("baseline", "b.json", "--tokens", "estimate")
    repo.write({"app.py": WASTE.replace("max_tokens=400", "max_tokens=500")})
    code, findings, _ = check_json(repo, "--baseline", "b.json")
    assert code == 1 and findings


def test_baseline_paths_are_repository_relative_from_a_subdirectory(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit({"svc/app.py": WASTE}, "waste")
    repo.costlint("baseline", "b.json", "--tokens", "estimate")
    sub = GitRepo.__new__(GitRepo)
    sub.root = repo.root / "svc"
    done = sub.costlint("check", "--tokens", "estimate", "--baseline", "../b.json", "app.py")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("not json", "cannot read baseline"),
        ('{"version": 9, "entries": []}', "not a costlint baseline"),
    ],
)
def test_bad_baseline_exits_2(repo: GitRepo, content: str | None, message: str) -> None:
    if content is not None:
        (repo.root / "b.json").write_text(content)
    done = repo.costlint("check", "--baseline", "b.json")
    assert done.returncode == 2 and message in done.stderr
