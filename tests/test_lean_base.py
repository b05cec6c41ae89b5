"""``diff`` reads the base lean (issue 17, items 5 and 7): blobs streamed from git without
filters, large files never written, and a missing base ref says which command brings it."""

from __future__ import annotations

import subprocess

from helpers import WASTE
from test_diff import GitRepo

from costlint import gitsource


def test_large_binary_is_never_written_and_small_files_are(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.write({"app.py": WASTE, "prompts/system.txt": "Be brief.\n"})
    with (repo.root / "model.bin").open("wb") as handle:
        handle.write(b"\0binary" * 300_000)  # 2.1 MB, over the limit below
    repo.commit(message="base")
    commit = gitsource.resolve_commit(repo.root, "HEAD")
    dest = gitsource.materialize(repo.root, commit, tmp_path / "base", size_limit=1_000_000)
    assert (dest / "app.py").read_text() == (repo.root / "app.py").read_text()
    assert (dest / "prompts" / "system.txt").read_text() == "Be brief.\n"
    binary = dest / "model.bin"
    assert binary.stat().st_size == 2_100_000  # discovery sees its size...
    assert binary.stat().st_blocks * 512 < 100_000  # ...but its content was never written


def test_no_filter_runs_on_the_base(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    marker = tmp_path / "smudge-ran"
    repo.git("config", "filter.evil.smudge", f"touch {marker}; cat")
    repo.git("config", "filter.evil.clean", "cat")
    repo.git("config", "filter.evil.required", "true")
    repo.write({".gitattributes": "*.py filter=evil\n", "app.py": WASTE})
    repo.commit(message="base")
    commit = gitsource.resolve_commit(repo.root, "HEAD")
    dest = gitsource.materialize(repo.root, commit, tmp_path / "base")
    assert (dest / "app.py").read_text() == (repo.root / "app.py").read_text()
    assert not marker.exists()


def test_symlinks_are_not_written(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.write({"app.py": WASTE})
    (repo.root / "link.py").symlink_to("/etc/passwd")
    repo.commit(message="base")
    dest = gitsource.materialize(
        repo.root, gitsource.resolve_commit(repo.root, "HEAD"), tmp_path / "b"
    )
    assert (dest / "app.py").is_file() and not (dest / "link.py").exists()


def test_missing_base_in_a_shallow_single_branch_clone_prints_the_fetch_command(tmp_path):
    origin = GitRepo(tmp_path / "origin")
    origin.commit({"app.py": WASTE}, "base")
    origin.git("checkout", "-q", "-b", "feature")
    origin.commit({"other.py": "X = 1\n"}, "feature")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth=1", "--branch", "feature", f"file://{origin.root}",
         str(clone)],
        check=True,
    )  # fmt: skip
    ci = GitRepo.__new__(GitRepo)
    ci.root = clone
    done = ci.costlint("diff", "--base", "origin/main", "--tokens", "estimate")
    assert done.returncode == 2
    assert "shallow and single-branch clone" in done.stderr
    assert "git fetch --depth=1 origin main:refs/remotes/origin/main" in done.stderr
    assert "--base FETCH_HEAD" in done.stderr
    subprocess.run(
        ["git", "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main"],
        cwd=clone, check=True,
    )  # fmt: skip
    assert ci.costlint("diff", "--base", "origin/main", "--tokens", "estimate").returncode in (0, 1)
