"""The extract stage over many files: the per-file cache and worker processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import scan, write

from costlint.config import load_config
from costlint.discover import discover
from costlint.extraction import Extractor, cache_salt, extract_all, remember

CALL = """
import anthropic
from prompts import SYSTEM
client = anthropic.Anthropic()

def ask(q):
    return client.messages.create(model="claude-opus-5-5", max_tokens=10, system=SYSTEM,
                                  messages=[{"role": "user", "content": q}])
"""


def make_tree(root: Path, plain_files: int = 30) -> None:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    files = {"app.py": CALL, "prompts.py": 'SYSTEM = "Classify the sentiment of the review."\n'}
    for index in range(plain_files):
        files[f"pkg/mod{index}.py"] = f"def f{index}(x):\n    return x + {index}\n"
    files["pkg/broken.py"] = "def (:\n"
    write(root, files)


def run_extractor(root: Path) -> tuple[Extractor, list]:
    config = load_config(root)
    extractor = Extractor(config, root, use_cache=True)
    sources = list(discover([], config, root))
    results = [extractor.one(source) for source in sources]
    remember(extractor.cache, results)
    return extractor, results


def test_second_run_reuses_site_less_files_and_keeps_no_prompt_text(tmp_path):
    make_tree(tmp_path)
    first, results = run_extractor(tmp_path)
    assert first.cache.hits == 0
    second, again = run_extractor(tmp_path)
    assert second.cache.hits == 32  # 30 plain modules, prompts.py and broken.py
    assert [r.diagnostics for r in again] == [r.diagnostics for r in results]
    assert sum(len(r.sites) for r in again) == 1
    cached = "\n".join(p.read_text() for p in (tmp_path / ".costlint_cache").rglob("*.json"))
    assert "sentiment" not in cached and "Classify" not in cached
    assert "syntax error" in cached  # the broken file's diagnostic is remembered


def test_cache_entry_invalidated_when_a_dependency_changes(tmp_path):
    make_tree(tmp_path, plain_files=0)
    files = {"caller.py": "from helper import make\nclient = make()\nclient.messages\n"}
    write(tmp_path, {**files, "helper.py": "def make():\n    return 1\n"})
    run_extractor(tmp_path)
    write(tmp_path, {"helper.py": "def make():\n    return 2\n"})
    extractor, _ = run_extractor(tmp_path)
    assert extractor.cache.misses >= 1


def test_config_change_changes_the_cache_key(tmp_path):
    make_tree(tmp_path, plain_files=0)
    before = cache_salt(load_config(tmp_path))
    write(tmp_path, {"pyproject.toml": "[tool.costlint]\nplaceholder-tokens = 50\n"})
    assert cache_salt(load_config(tmp_path)) != before


def test_worker_processes_give_the_same_results_as_one_process(tmp_path):
    make_tree(tmp_path, plain_files=40)
    config = load_config(tmp_path)
    sources = list(discover([], config, tmp_path))
    serial = list(extract_all(sources, config, tmp_path, use_cache=False))
    config.jobs = 2
    parallel = list(extract_all(sources, config, tmp_path, use_cache=False))
    assert [r.diagnostics for r in parallel] == [r.diagnostics for r in serial]
    assert [[s.address for s in r.sites] for r in parallel] == [
        [s.address for s in r.sites] for r in serial
    ]
    assert (
        parallel[[s.path for s in sources].index(tmp_path / "app.py")].sites[0].args["system"]
        == "Classify the sentiment of the review."
    )


def tree_sources(tmp_path, jobs):
    """The generated tree of 40 plain files, its config (run with ``jobs``) and its files."""
    make_tree(tmp_path, plain_files=40)
    config = load_config(tmp_path)
    config.jobs = jobs
    return config, list(discover([], config, tmp_path))


def test_results_reach_the_parent_without_what_it_never_reads(tmp_path):
    config, sources = tree_sources(tmp_path, jobs=2)
    results = extract_all(sources, config, tmp_path, use_cache=False)
    assert all(result.dependencies is None for result in results)
    assert all(result.deps is None for result in results)  # no cache: nothing to remember
    dependents = extract_all(sources, config, tmp_path, use_cache=False, keep_reads=True)
    by_path = dict(zip([s.path.name for s in sources], dependents, strict=True))
    # pre-commit's dependents: a file with sites keeps the files its analysis read
    assert str((tmp_path / "prompts.py").resolve()) in by_path["app.py"].deps
    assert by_path["mod0.py"].deps is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_without_cache_or_dependents_hashes_no_file_it_read(tmp_path, monkeypatch, jobs):
    config, sources = tree_sources(tmp_path, jobs=jobs)

    def hashing(*args):
        raise AssertionError("hashed the files an analysis read")

    monkeypatch.setattr(Extractor, "_hashes", hashing)  # the forked workers inherit it
    results = extract_all(sources, config, tmp_path, use_cache=False)
    assert sum(len(result.sites) for result in results) == 1
    with pytest.raises(AssertionError, match="hashed"):
        extract_all(sources, config, tmp_path, use_cache=False, keep_reads=True)


def test_cached_files_keep_their_dependency_hashes_for_remember(tmp_path):
    config, sources = tree_sources(tmp_path, jobs=2)
    results = extract_all(sources, config, tmp_path, use_cache=True)
    assert all(r.deps is not None for r in results if r.cache_key is not None)
    assert sum(r.cache_key is not None for r in results) >= 40


def test_findings_identical_with_and_without_cache(tmp_path):
    make_tree(tmp_path)
    first = scan(tmp_path)
    second = scan(tmp_path)
    assert [json.dumps(f.to_json()) for f in first.findings] == [
        json.dumps(f.to_json()) for f in second.findings
    ]
    assert [f.rule for f in second.findings] == ["CL004"]


def test_python_version_is_part_of_the_cache_key(tmp_path, monkeypatch):
    import sys

    make_tree(tmp_path, plain_files=0)
    before = cache_salt(load_config(tmp_path))
    monkeypatch.setattr(sys, "version_info", (3, 99, 0, "final", 0))
    assert cache_salt(load_config(tmp_path)) != before


@pytest.mark.parametrize("jobs", [1, 2])
def test_modules_are_kept_for_templates_only_when_the_run_extracts_templates(
    tmp_path, monkeypatch, jobs
):
    from costlint.extract import template_links

    log = tmp_path / "kept.log"

    def kept(project, path, rel, text, sites, dependencies):
        if sites:  # what remember_extraction keeps
            with log.open("a") as handle:  # the forked workers write here too
                handle.write(rel + "\n")

    monkeypatch.setattr(template_links, "remember_extraction", kept)
    config, sources = tree_sources(tmp_path, jobs=jobs)
    extract_all(sources, config, tmp_path, use_cache=False)
    assert not log.exists()  # no template in the run: no module kept for one
    write(tmp_path, {"prompts/ask.j2": "Classify: {{ review }}\n"})
    sources = list(discover([], config, tmp_path))
    extract_all(sources, config, tmp_path, use_cache=False)
    assert log.read_text().split() == ["app.py"]
