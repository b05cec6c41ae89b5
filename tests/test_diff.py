"""`costlint diff`: temporary git repositories with real commits, compared side by side."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from costlint.config import ConfigError
from costlint.diff import Side, SiteRecord, Threshold, compare
from costlint.fingerprint import fingerprint_at

pytestmark = pytest.mark.slow  # see README: the fast test subset

APP = """\
import anthropic

client = anthropic.Anthropic()
SYSTEM = "You are the support assistant for Acme. Answer from the policy below. " * {repeat}


def answer(question: str) -> str:
    reply = client.messages.create(
        model="{model}",
        max_tokens=400,
        system=SYSTEM,
        messages=[{{"role": "user", "content": question}}],
    )
    return reply.content[0].text
"""
HAIKU, SONNET, OPUS = "claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-5"
SECOND = """

def summarize(text: str) -> str:
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=300,
        messages=[{"role": "user", "content": text}],
    ).content[0].text
"""


def app(model: str = HAIKU, repeat: int = 40) -> str:
    return APP.format(model=model, repeat=repeat)


class GitRepo:
    """A throwaway repository: write files, commit, run costlint in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")

    def commit(self, files: dict[str, str] | None = None, message: str = "change") -> None:
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def costlint(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        env.pop("GITHUB_STEP_SUMMARY", None)
        return subprocess.run(
            [sys.executable, "-m", "costlint.cli", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    def diff_json(self, *args: str) -> tuple[int, dict]:
        done = self.costlint("diff", "--format", "json", "--tokens", "estimate", *args)
        assert done.returncode in (0, 1), done.stderr
        return done.returncode, json.loads(done.stdout)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def statuses(data: dict) -> dict[str, str]:
    return {s["address"]: s["status"] for s in data["call_sites"]}


# ---------------------------------------------------------------------------- done-when


def test_regression_fails_with_markdown_naming_file_and_delta(repo: GitRepo) -> None:
    repo.commit({"app.py": app(HAIKU)}, "haiku")
    repo.commit({"app.py": app(OPUS)}, "opus")
    done = repo.costlint(
        "diff", "--base", "HEAD~1", "--fail-on-increase", "10%", "--format", "markdown"
    )
    assert done.returncode == 1, done.stderr
    text = done.stdout
    assert text.splitlines()[0] == "<!-- costlint-comment -->"
    assert "increased by $" in text and "📈" in text
    assert "`app.py`" in text and "| +$" in text
    assert "<details>" in text and "Assumptions" in text
    assert "Cost threshold exceeded" in text
    assert "over --fail-on-increase 10%" in done.stderr


def test_reverse_change_passes(repo: GitRepo) -> None:
    repo.commit({"app.py": app(OPUS)}, "opus")
    repo.commit({"app.py": app(HAIKU)}, "haiku")
    done = repo.costlint(
        "diff", "--base", "HEAD~1", "--fail-on-increase", "10%", "--format", "markdown"
    )
    assert done.returncode == 0, done.stderr
    assert "decreased by $" in done.stdout and "📉" in done.stdout
    assert "Cost threshold passed" in done.stdout


# ---------------------------------------------------------------------------- changes


def test_doubled_system_prompt_fails_and_halving_passes(repo: GitRepo) -> None:
    repo.commit({"app.py": app(repeat=40)}, "short")
    repo.write({"app.py": app(repeat=80)})  # the working tree is the head by default
    code, data = repo.diff_json("--base", "HEAD", "--fail-on-increase", "10%")
    assert code == 1
    assert statuses(data) == {"app.py::answer": "changed"}
    assert float(data["total"]["usd_per_month_delta"]) > 0
    repo.commit(message="long")
    repo.write({"app.py": app(repeat=40)})
    code, data = repo.diff_json("--base", "HEAD", "--fail-on-increase", "10%")
    assert code == 0
    assert float(data["total"]["usd_per_month_delta"]) < 0


def test_dollar_threshold_and_config_key(repo: GitRepo) -> None:
    repo.commit({"app.py": app(HAIKU)}, "haiku")
    repo.write({"app.py": app(OPUS)})
    code, data = repo.diff_json("--base", "HEAD", "--fail-on-increase", "100000")
    assert code == 0 and data["threshold"] == {"limit": "$100,000.00/month", "exceeded": False}
    code, _ = repo.diff_json("--base", "HEAD", "--fail-on-increase", "$1")
    assert code == 1
    repo.write({".costlint.yaml": "fail-on-increase: 10%\n"})
    code, _ = repo.diff_json("--base", "HEAD")
    assert code == 1


def test_new_call_site_is_added(repo: GitRepo) -> None:
    repo.commit({"app.py": app()}, "one")
    repo.commit({"app.py": app() + SECOND}, "two")
    code, data = repo.diff_json("--base", "HEAD~1")
    assert code == 0  # no threshold: report only
    assert statuses(data) == {"app.py::answer": "unchanged", "app.py::summarize": "added"}


def test_removed_call_site(repo: GitRepo) -> None:
    repo.commit({"app.py": app() + SECOND}, "two")
    repo.commit({"app.py": app()}, "one")
    code, data = repo.diff_json("--base", "HEAD~1", "--fail-on-increase", "0")
    assert code == 0
    assert statuses(data)["app.py::summarize"] == "removed"
    assert float(data["total"]["usd_per_month_delta"]) < 0


def test_renamed_file_is_matched_not_added_and_removed(repo: GitRepo) -> None:
    repo.commit({"app.py": app()}, "one")
    repo.git("mv", "app.py", "support.py")
    code, data = repo.diff_json("--base", "HEAD", "--fail-on-increase", "0")
    assert code == 0
    assert statuses(data) == {"support.py::answer": "unchanged"}
    assert data["findings_introduced"] == [] and data["findings_fixed"] == []
    repo.commit(message="rename")  # and between two commits
    code, data = repo.diff_json("--base", "HEAD~1", "--head", "HEAD")
    assert statuses(data) == {"support.py::answer": "unchanged"}
    assert data["findings_introduced"] == [] and data["findings_fixed"] == []


def test_renamed_function_shows_as_removed_and_added(repo: GitRepo) -> None:
    """Documented limitation: the address holds the function name."""
    repo.commit({"app.py": app()}, "one")
    repo.write({"app.py": app().replace("def answer", "def reply")})
    code, data = repo.diff_json("--base", "HEAD")
    assert statuses(data) == {"app.py::answer": "removed", "app.py::reply": "added"}
    assert data["total"]["usd_per_month_delta"] == "0.00"


def test_shifted_lines_change_nothing(repo: GitRepo) -> None:
    repo.commit({"app.py": app()}, "one")
    shifted = app().replace("import anthropic\n", "import anthropic\nimport os\nimport re\n\n")
    repo.write({"app.py": "# a header comment\n\n" + shifted})
    code, data = repo.diff_json("--base", "HEAD", "--fail-on-increase", "0%")
    assert code == 0
    assert statuses(data) == {"app.py::answer": "unchanged"}
    assert data["findings_introduced"] == [] and data["findings_fixed"] == []
    done = repo.costlint("diff", "--base", "HEAD", "--format", "markdown")
    assert "No call site changed cost." in done.stdout and "unchanged" in done.stdout


def test_findings_introduced_and_fixed(repo: GitRepo) -> None:
    repo.commit({"app.py": app(SONNET, repeat=2)}, "short prompt")
    repo.write({"app.py": app(SONNET, repeat=200)})  # a long uncached system prompt
    _, data = repo.diff_json("--base", "HEAD")
    assert "CL002" in {f["rule"] for f in data["findings_introduced"]}
    repo.commit(message="long")
    repo.write({"app.py": app(SONNET, repeat=2)})
    _, data = repo.diff_json("--base", "HEAD")
    assert "CL002" in {f["rule"] for f in data["findings_fixed"]}


def test_base_is_read_without_touching_worktree_or_index(repo: GitRepo) -> None:
    repo.commit({"app.py": app(HAIKU)}, "one")
    repo.write({"app.py": app(OPUS)})
    repo.git("add", "app.py")
    before = repo.git("status", "--porcelain"), (repo.root / "app.py").read_text()
    repo.diff_json("--base", "HEAD")
    assert (repo.git("status", "--porcelain"), (repo.root / "app.py").read_text()) == before


# ---------------------------------------------------------------------------- errors


def test_missing_base_ref_exits_2_with_clear_message(repo: GitRepo) -> None:
    repo.commit({"app.py": app()}, "one")
    done = repo.costlint("diff", "--base", "origin/does-not-exist")
    assert done.returncode == 2
    assert "git ref 'origin/does-not-exist' does not exist" in done.stderr
    assert "Traceback" not in done.stderr


def test_not_a_git_repository_exits_2(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(app())
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["GIT_CEILING_DIRECTORIES"] = str(tmp_path.parent)
    done = subprocess.run(
        [sys.executable, "-m", "costlint.cli", "diff", "--base", "HEAD"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and "not a git repository" in done.stderr


def test_usage_errors_exit_2(repo: GitRepo) -> None:
    repo.commit({"app.py": app()}, "one")
    assert repo.costlint("diff").returncode == 2
    done = repo.costlint("diff", "--base", "HEAD", "--fail-on-increase", "lots")
    assert done.returncode == 2 and "fail-on-increase" in done.stderr


# ---------------------------------------------------------------------------- --base-report


def test_base_report_round_trip(repo: GitRepo) -> None:
    repo.commit({"app.py": app(HAIKU)}, "one")
    saved = repo.root / "base.json"
    done = repo.costlint(
        "report", "--format", "json", "--tokens", "estimate", "--output-file", str(saved)
    )
    assert done.returncode == 0, done.stderr
    assert all("fingerprint" in f for f in json.loads(saved.read_text())["findings"])
    # unchanged tree: nothing moves, no finding comes or goes
    code, data = repo.diff_json("--base-report", str(saved), "--fail-on-increase", "0")
    assert code == 0
    assert statuses(data) == {"app.py::answer": "unchanged"}
    assert data["findings_introduced"] == [] and data["findings_fixed"] == []
    # the same answer as diffing against the git ref
    repo.write({"app.py": app(OPUS)})
    code_report, by_report = repo.diff_json(
        "--base-report", str(saved), "--fail-on-increase", "10%"
    )
    code_git, by_git = repo.diff_json("--base", "HEAD", "--fail-on-increase", "10%")
    assert code_report == code_git == 1
    assert by_report["total"] == by_git["total"]
    assert by_report["findings_fixed"] == by_git["findings_fixed"]


def test_base_report_that_is_not_a_report_exits_2(repo: GitRepo) -> None:
    repo.commit({"app.py": app()}, "one")
    (repo.root / "bad.json").write_text('{"version": 1}')
    done = repo.costlint("diff", "--base-report", "bad.json")
    assert done.returncode == 2 and "not a costlint JSON report" in done.stderr


# ---------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "before", "after", "over"),
    [
        ("10%", 100.0, 110.0, False),
        ("10%", 100.0, 110.5, True),
        ("10%", 100.0, 50.0, False),
        ("10%", 0.0, 0.01, True),
        ("50", 100.0, 150.0, False),
        ("$50", 100.0, 150.5, True),
        ("0", 1.0, 1.0, False),
    ],
)
def test_threshold(text: str, before: float, after: float, over: bool) -> None:
    assert Threshold.parse(text).exceeded(before, after) is over


@pytest.mark.parametrize("text", ["ten", "-5%", "%"])
def test_bad_threshold(text: str) -> None:
    with pytest.raises(ConfigError):
        Threshold.parse(text)


def test_compare_totals_skip_unpriced() -> None:
    base = Side("b", {"a.py::f": SiteRecord("a.py::f", "a.py", "m", 10.0)})
    head = Side(
        "h",
        {
            "a.py::f": SiteRecord("a.py::f", "a.py", "m", 12.0),
            "a.py::g": SiteRecord("a.py::g", "a.py", None, None, "model unknown"),
        },
    )
    diff = compare(base, head, Threshold.parse("10%"))
    assert diff.delta == pytest.approx(2.0) and diff.exceeded
    assert [c.status for c in diff.changes] == ["changed", "added"]
    assert diff.changes[1].delta is None


def test_fingerprint_at_another_path_uses_the_stamped_formula(tmp_path: Path) -> None:
    from helpers import scan

    result = scan(tmp_path, {"app.py": app(SONNET, repeat=200)})
    assert result.findings
    for finding in result.findings:
        assert fingerprint_at(finding, finding.path) == finding.fingerprint
        assert fingerprint_at(finding, "moved/app.py") != finding.fingerprint


WARM_DIFF = """
import sys
from costlint import extraction
from costlint.cli import main

extracted = []
real = extraction.Extractor._extract
extraction.Extractor._extract = lambda self, source, data: (
    extracted.append(source.rel) or real(self, source, data)
)
for run in ("cold", "warm"):
    extracted.clear()
    try:
        main(["diff", "--base", "HEAD~1", "--tokens", "estimate", "--format", "json"])
    except SystemExit:
        pass
    print(run, sorted(extracted), file=sys.stderr)
"""


def test_warm_diff_extracts_nothing_again_on_either_side(repo: GitRepo) -> None:
    repo.commit({"app.py": app(SONNET), "other.py": app(HAIKU, 3)}, "base")
    repo.commit({"app.py": app(OPUS)}, "head")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    done = subprocess.run(
        [sys.executable, "-c", WARM_DIFF], cwd=repo.root, capture_output=True, text=True, env=env
    )
    runs = dict(line.split(" ", 1) for line in done.stderr.splitlines() if " [" in line)
    assert runs["cold"] == "['app.py', 'app.py', 'other.py', 'other.py']", done.stderr
    assert runs["warm"] == "[]", done.stderr  # both sides replayed from their own entries
