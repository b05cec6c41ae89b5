"""The dependencies of one file's analysis are a value the extraction result carries."""

from __future__ import annotations

from pathlib import Path

from helpers import write

from costlint.config import load_config
from costlint.discover import discover
from costlint.extraction import Extractor
from costlint.resolve.dependencies import Dependencies
from costlint.resolve.project import Project

CALLER = """
import anthropic
from prompts import SYSTEM
from missing_module import OTHER
client = anthropic.Anthropic()
client.messages.create(model="claude-opus-5-5", max_tokens=10, system=SYSTEM + OTHER,
                       messages=[{"role": "user", "content": open("question.txt").read()}])
"""


def extract(root: Path, name: str):
    (root / ".git").mkdir(parents=True, exist_ok=True)
    config = load_config(root)
    extractor = Extractor(config, root, use_cache=True)
    source = next(s for s in discover([], config, root) if s.rel == name)
    return extractor.one(source)


def test_extraction_result_carries_files_read_and_modules_looked_for(tmp_path):
    write(
        tmp_path, {"app.py": CALLER, "prompts.py": 'SYSTEM = "Be brief."\n', "question.txt": "Hi"}
    )
    result = extract(tmp_path, "app.py")
    deps = result.dependencies
    assert isinstance(deps, Dependencies) and deps.hashable
    root = tmp_path.resolve()
    assert {root / "prompts.py", root / "question.txt"} <= deps.files
    assert root / "missing_module.py" in deps.looked_for  # a module created later would count
    assert root / "app.py" not in deps.paths(excluding=root / "app.py")
    assert set(result.deps) == {str(p) for p in deps.paths(excluding=root / "app.py")}
    assert result.deps[str(root / "missing_module.py")] is None  # absent: no hash


def test_a_promptfoo_glob_makes_the_analysis_unhashable_and_uncached(tmp_path):
    write(
        tmp_path,
        {
            "promptfooconfig.yaml": "prompts:\n  - file://prompts/*.txt\n"
            "providers:\n  - anthropic:messages:claude-opus-5-5\n",
            "prompts/a.txt": "Summarise the text.",
        },
    )
    result = extract(tmp_path, "promptfooconfig.yaml")
    assert result.dependencies is not None and not result.dependencies.hashable
    assert (
        result.cache_key is None
    )  # not cached (deps stay recorded: pre-commit's dependents read them)


def test_tracking_records_only_inside_its_block(tmp_path):
    write(tmp_path, {"a.txt": "A", "b.txt": "B"})
    project = Project(tmp_path)
    with project.tracking() as log:
        project.read_text(tmp_path / "a.txt")
    project.read_text(tmp_path / "b.txt")
    assert log.result() == Dependencies(frozenset({(tmp_path / "a.txt").resolve()}))


def test_resolved_paths_match_path_resolve_through_links_and_missing_files(tmp_path):
    """The run's remembered resolution gives what ``Path.resolve`` gives: through a linked
    folder, a linked file, ``..`` parts, a missing file and a relative path."""
    root = tmp_path / "repo"
    write(root, {"pkg/mod.py": "X = 1\n", "elsewhere/real.py": "Y = 2\n"})
    (root / "linked").symlink_to(root / "pkg", target_is_directory=True)
    (root / "pkg" / "alias.py").symlink_to(root / "elsewhere" / "real.py")
    project = Project(root)
    paths = [
        root / "pkg" / "mod.py",
        root / "linked" / "mod.py",
        root / "pkg" / "alias.py",
        root / "linked" / "alias.py",
        root / "pkg" / ".." / "elsewhere" / "real.py",
        root / "pkg" / "missing.py",
        root / "linked" / "missing.py",
        root / "pkg",
        Path("relative") / "x.py",
    ]
    for _ in range(2):  # the second round answers from what the first remembered
        assert [project.resolved(path) for path in paths] == [path.resolve() for path in paths]
    assert project.resolved(root / "linked" / "mod.py") == root.resolve() / "pkg" / "mod.py"
