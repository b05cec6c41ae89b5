"""The cache cannot be steered from the repository (issue 17, item 3): entries carry a MAC
under a key kept outside the tree, and a cache directory tracked by git is never read."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import WASTE
from test_diff import GitRepo

from costlint.cachetrust import mac, text_mac, text_verifies, tracked_by_git, verifies
from costlint.filecache import FileCache

OPUS, HAIKU = "claude-opus-5-5", "claude-haiku-5-5"


def _tamper(cache: Path) -> int:
    """What the attack does to committed cache files: Opus becomes Haiku, rule ids change."""
    edited = 0
    for path in cache.rglob("*.json"):
        text = path.read_text()
        forged = text.replace(OPUS, HAIKU).replace('"CL0', '"CL9')
        if forged != text:
            path.write_text(forged)
            edited += 1
    return edited


def _clone(origin: Path, at: Path) -> GitRepo:
    """A fresh clone of ``origin`` at ``at`` (whatever was there is removed first)."""
    if at.exists():
        shutil.rmtree(at)
    at.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(at)], check=True)
    clone = GitRepo.__new__(GitRepo)
    clone.root = at
    clone.git("fetch", "-q", "origin", "base:base")
    return clone


def _outputs(repo: GitRepo) -> tuple[str, str]:
    check = repo.costlint("check", "--format", "json", "--tokens", "estimate")
    diff = repo.costlint("diff", "--base", "base", "--format", "json", "--tokens", "estimate")
    assert check.returncode in (0, 1) and diff.returncode in (0, 1), check.stderr + diff.stderr
    return check.stdout, diff.stdout


ATTACKER_KEY, CI_KEY = "attackers-own-key-" + "a" * 32, "the-ci-key-" + "b" * 32


@pytest.mark.parametrize("ci_key", [CI_KEY, ATTACKER_KEY], ids=["other key", "same key"])
def test_tampered_committed_cache_changes_nothing_in_a_fresh_clone(tmp_path, monkeypatch, ci_key):
    origin = GitRepo(tmp_path / "origin")
    origin.commit({"app.py": WASTE}, "base")
    origin.git("branch", "base")
    origin.commit({"app.py": WASTE.replace("claude-sonnet-5-5", OPUS)}, "expensive call")
    checkout = tmp_path / "ci" / "checkout"  # CI checks out at a predictable path

    monkeypatch.setenv("COSTLINT_CACHE_KEY", ATTACKER_KEY)
    attacker = _clone(origin.root, checkout)
    honest = _outputs(attacker)  # writes .costlint_cache/ under the attacker's key
    assert OPUS in honest[0] and '"CL0' in honest[0]
    assert _tamper(attacker.root / ".costlint_cache") > 0
    attacker.git("add", "-f", ".costlint_cache")
    attacker.git("commit", "-qm", "cache")
    pushed = tmp_path / "pushed"
    subprocess.run(["git", "clone", "-q", "--bare", str(attacker.root), str(pushed)], check=True)

    monkeypatch.setenv("COSTLINT_CACHE_KEY", ci_key)
    ci = _clone(pushed, checkout)
    assert list((ci.root / ".costlint_cache").rglob("*.json"))  # the forged files came along
    assert _outputs(ci) == honest


def test_untracked_entry_under_another_key_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTLINT_CACHE_KEY", "k" * 40)
    cache = FileCache(tmp_path, "salt")
    cache.put("a.py", "key", [], {})
    cache.flush()
    assert cache.get("a.py", "key") is not None
    monkeypatch.setenv("COSTLINT_CACHE_KEY", "other" * 10)
    assert FileCache(tmp_path, "salt").get("a.py", "key") is None


def test_edited_entry_does_not_verify(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTLINT_CACHE_KEY", "k" * 40)
    cache = FileCache(tmp_path, "salt")
    cache.put("a.py", "key", [], {})
    cache.flush()
    shard = next((tmp_path / "files").glob("*.json"))
    data = json.loads(shard.read_text())
    body = json.loads(data["files"]["a.py"]["body"])
    body["diagnostics"] = [{"path": "a.py", "message": "forged"}]
    data["files"]["a.py"]["body"] = json.dumps(body)
    shard.write_text(json.dumps(data))
    assert FileCache(tmp_path, "salt").get("a.py", "key") is None


def test_mac_binds_every_part():
    signature = mac(b"k" * 32, "a", 1)
    assert verifies(b"k" * 32, signature, "a", 1)
    assert not verifies(b"k" * 32, signature, "a", 2)
    assert not verifies(b"x" * 32, signature, "a", 1)
    assert not verifies(b"k" * 32, None, "a", 1)


def test_text_mac_binds_every_text_and_where_it_splits():
    signature = text_mac(b"k" * 32, "salt", "a.py", '{"x":1}')
    assert text_verifies(b"k" * 32, signature, "salt", "a.py", '{"x":1}')
    assert not text_verifies(b"k" * 32, signature, "salt", "a.py", '{"x":2}')
    assert not text_verifies(b"k" * 32, signature, "salt", "b.py", '{"x":1}')
    assert not text_verifies(b"k" * 32, signature, "sal", "ta.py", '{"x":1}')
    assert not text_verifies(b"x" * 32, signature, "salt", "a.py", '{"x":1}')
    assert not text_verifies(b"k" * 32, None, "salt", "a.py", '{"x":1}')


def test_key_file_is_created_private_outside_the_repository(tmp_path, monkeypatch):
    from costlint import cachetrust

    monkeypatch.delenv("COSTLINT_CACHE_KEY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    key = cachetrust.cache_key()
    path = tmp_path / "xdg" / "costlint" / "key"
    assert key and path.is_file() and path.stat().st_mode & 0o777 == 0o600
    assert cachetrust.cache_key() == key


def test_tracked_directory_is_detected(tmp_path):
    repo = GitRepo(tmp_path / "r")
    repo.commit({"cache/x.json": "{}", "other/y.txt": "y"})
    (repo.root / "untracked").mkdir()
    assert tracked_by_git(repo.root / "cache")
    assert not tracked_by_git(repo.root / "untracked")
    assert not tracked_by_git(repo.root / "absent")


# -- a dependency is hashed from the bytes the analysis read --------------------------------
IMPORTER = """
import anthropic
from prompts import SYSTEM
client = anthropic.Anthropic()

def ask(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=64, system=SYSTEM,
                                  messages=[{"role": "user", "content": q}])
"""


def test_dependency_edited_after_it_was_read_keeps_the_hash_of_what_was_read(tmp_path):
    from costlint.config import load_config
    from costlint.discover import SourceFile
    from costlint.extraction import Extractor
    from costlint.filecache import file_digest

    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(IMPORTER)
    prompts = tmp_path / "prompts.py"
    prompts.write_text('SYSTEM = "old prompt"\n')
    old = file_digest(prompts)
    extractor = Extractor(load_config(tmp_path), tmp_path, use_cache=True, analysis_salt="s")
    source = SourceFile(tmp_path / "app.py", "app.py", "python", "app.py")
    data = source.path.read_bytes()
    result = extractor._extract(source, data)  # reads prompts.py
    assert result.sites and result.dependencies is not None
    prompts.write_text('SYSTEM = "an edit landing in between"\n')  # before the hashes
    deps = extractor._hashes(result.dependencies, source)
    assert deps[str(prompts.resolve())] == old != file_digest(prompts)
