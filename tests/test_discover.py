"""Which files are scanned: with git (git's own ignore rules) and without it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import write

from costlint.config import load_config
from costlint.discover import discover

FILES = {
    ".gitignore": "generated/\n*.tmp.py\n",
    "app/main.py": "x = 1\n",
    "app/.gitignore": "local_*.py\n",
    "app/local_secret.py": "x = 1\n",
    "generated/out.py": "x = 1\n",
    "scratch.tmp.py": "x = 1\n",
    "vendor/lib.py": "x = 1\n",
    "notes.txt": "not a source file\n",
    "nb/analysis.ipynb": "{}",
    "pyproject.toml": '[tool.costlint]\nexclude = ["vendor"]\n',
}
EXPECTED = ["app/main.py", "nb/analysis.ipynb"]


def scanned(root: Path) -> list[str]:
    return sorted(source.rel for source in discover([], load_config(root), root))


@pytest.mark.parametrize("with_git", [True, False], ids=["git-repo", "plain-dir"])
def test_gitignore_nested_gitignore_exclude_and_kinds(tmp_path, with_git):
    write(tmp_path, FILES)
    if with_git:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
        subprocess.run(["git", "-C", str(tmp_path), "add", "app/main.py"], check=True)
    else:
        (tmp_path / ".git").mkdir()
    assert scanned(tmp_path) == EXPECTED


def test_untracked_and_tracked_files_both_scanned_in_git(tmp_path):
    write(tmp_path, {"a.py": "x = 1\n", "b.py": "x = 2\n"})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "a.py"], check=True)
    (tmp_path / "deleted.py").write_text("x\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "deleted.py"], check=True)
    (tmp_path / "deleted.py").unlink()  # tracked but gone from disk: skipped
    assert scanned(tmp_path) == ["a.py", "b.py"]


def test_symlinked_directory_not_followed_in_git(tmp_path):
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    write(outside, {"secret.py": "x = 1\n"})
    write(root, {"real.py": "x = 1\n"})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "link.py").symlink_to(outside / "secret.py")
    assert scanned(root) == ["real.py"]


def test_respect_gitignore_false_reads_ignored_files(tmp_path):
    write(tmp_path, {".gitignore": "gen/\n", "gen/a.py": "x = 1\n"})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, {"pyproject.toml": "[tool.costlint]\nrespect-gitignore = false\n"})
    assert scanned(tmp_path) == ["gen/a.py"]


NESTED = {
    "pkg/a.py": "x = 1\n",
    "pkg/gen/b.py": "x = 1\n",
    "pkg/sub/build/c.py": "x = 1\n",
    "pkg/sub/d_pb2.py": "x = 1\n",
    "pkg/sub/deep/e.py": "x = 1\n",
    "pkg/sub/deep/f.ipynb": "{}",
    "other/g.py": "x = 1\n",
    "pyproject.toml": '[tool.costlint]\nexclude = ["pkg/gen", "*_pb2.py", "build"]\n',
}


@pytest.mark.parametrize("with_git", [True, False], ids=["git-repo", "plain-dir"])
def test_subdirectory_from_another_cwd_same_with_and_without_git(tmp_path, with_git):
    write(tmp_path, NESTED)
    (tmp_path / "pkg" / "sub" / "alias.py").symlink_to(tmp_path / "pkg" / "a.py")
    if with_git:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    else:
        (tmp_path / ".git").mkdir()
    config = load_config(tmp_path)
    cwd = tmp_path / "other"
    found = sorted(s.rel for s in discover([Path("../pkg")], config, cwd))
    assert found == [
        "../pkg/a.py",
        "../pkg/sub/alias.py",  # a symlink to a file inside the repository is read
        "../pkg/sub/deep/e.py",
        "../pkg/sub/deep/f.ipynb",
    ]
    assert list(discover([Path("../pkg/gen")], config, cwd)) == []  # an excluded directory
