"""The word index answers the caller index's questions exactly as the regular expressions over
each file's text did (which files mention a name, import a module, use a name as a caller),
however it was built (one process or several), without keeping the texts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from costlint.resolve import wordindex
from costlint.resolve.callers import _SHARED, CallerIndex, drop_shared_word_index, share_word_index
from costlint.resolve.project import Project
from costlint.resolve.wordindex import TextScan, WordIndex, import_words, used_names, word_runs

PYTHON = {
    "app/core.py": "import os\nfrom .util import helper as h2\n\ndef ask(x):\n    return h2(x)\n",
    "app/util.py": "def helper(v):\n    return v\nTEMPLATE = 'summary.txt.j2'\n",
    "app/run.py": "from app.core import ask\nask(1)\nregistry['ask'](2)\nclass Ask(Base): pass\n",
    "app/numbers.py": "x = 2fa if 0 else ask_more(3)\nprint('über', 'naïve_call' )\n",
    "app/deep.py": "def f():\n    from app.util import (\n  helper,\n    )\n    helper ( 1 )\n",
    "lib/x.py": "# no words of interest here: askew, helpers\n",
}
NOTEBOOK = json.dumps({"cells": [{"cell_type": "code", "source": ["r = ask(3)\\nChat(2)\n"]}]})
NAMES = [
    "ask", "helper", "h2", "Chat", "nChat", "hat", "registry", "summary.txt.j2", "txt", "j2",
    "2fa", "über", "naïve_call", "app", "util", "import", "x", "_", "ask_more", "a.b", "",
]  # fmt: skip
WORD_IN_PYTHON = r"\b{}\b"
WORD_IN_JSON = r"{}\b"
USED = re.compile(r"(?<!def )(?<!class )\b[A-Za-z_]\w*(?=[ \t]*[(,)\[\]])")
IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)|import[ \t]+([^\n#]+))",
    re.MULTILINE,
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel, text in PYTHON.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "explore.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    (tmp_path / "app" / "huge.py").write_text("ask(1)\n" + "#" * 500, encoding="utf-8")
    return tmp_path


def files_by_regex(root: Path, name: str, read_limit: int) -> list[Path]:
    """What the caller index found before: a regex search of every file's text."""
    found = []
    for path in WordIndex(root, read_limit)._walk():
        if path.stat().st_size > read_limit:
            continue
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        template = WORD_IN_JSON if path.suffix == ".ipynb" else WORD_IN_PYTHON
        if name in text and re.search(template.format(re.escape(name)), text):
            found.append(path)
    return found


def test_files_mentioning_a_name_are_the_files_the_regex_finds(tree):
    index = WordIndex.build(tree, read_limit=400)
    for name in NAMES:
        assert index.files_mentioning(name) == files_by_regex(tree, name, 400), name
    assert index.files_mentioning("nChat") == [tree / "nb" / "explore.ipynb"]
    assert tree / "app" / "huge.py" not in index.files_mentioning("ask")  # over the limit


def test_a_parallel_build_gives_the_same_index(tree, monkeypatch):
    monkeypatch.setattr(wordindex, "PARALLEL_FILES", 2)
    alone = WordIndex.build(tree, read_limit=400)
    shared = WordIndex.build(tree, read_limit=400, jobs=3)
    for name in NAMES:
        assert shared.files_mentioning(name) == alone.files_mentioning(name), name
        assert shared.importers(name) == alone.importers(name), name
    assert shared.words.vocabulary == alone.words.vocabulary
    assert shared.notebook_runs.ids == alone.notebook_runs.ids
    assert shared.used.ids == alone.used.ids and shared.ids == alone.ids


def test_importers_and_used_names_are_what_the_regexes_find(tree):
    index = WordIndex.build(tree, read_limit=400)
    for rel, text in PYTHON.items():
        path = tree / rel
        used = set(USED.findall(text))
        assert used_names(text) == used
        for name in NAMES[:-1]:
            assert index.uses(path, {name}) == (name in used), (rel, name)
        words = set()
        for match in IMPORT.finditer(text):
            words.update(re.findall(r"[A-Za-z_]\w*", " ".join(g for g in match.groups() if g)))
        assert import_words(text) == words
    assert index.importers("util") == [tree / "app" / "core.py", tree / "app" / "deep.py"]
    assert index.uses(tree / "app" / "huge.py", {"ask"}) is None  # not read: asked of the file


def test_names_word_in_a_notebook_and_a_python_file(tree):
    index = WordIndex.build(tree, read_limit=400)
    book = tree / "nb" / "explore.ipynb"
    assert index.names_word(book, "nChat") and not index.names_word(book, "Chat")
    assert index.names_word(tree / "app" / "util.py", "summary")
    assert not index.names_word(tree / "app" / "util.py", "summar")
    assert index.names_word(tree / "app" / "huge.py", "ask")  # read again


def test_word_runs_split_ascii_and_unicode_text_like_the_regex():
    for text in ("a.b(c_d)\t1x; é(ü)", "x = 'naïve'  # über\n", "", "_ __ 9"):
        assert word_runs(text) == set(re.findall(r"\w+", text))


def test_the_caller_index_uses_the_shared_word_index_until_it_is_dropped(tree):
    project = Project(tree, read_limit=400)
    share_word_index(project.root, 400, jobs=1)
    try:
        shared = CallerIndex(project)
        assert shared.mentions(tree / "app" / "run.py", {"ask"})  # from the shared index
        assert shared._load() is _SHARED[(project.root, 400)]
    finally:
        drop_shared_word_index(project.root, 400)
    alone = CallerIndex(project)
    assert isinstance(alone._load(), TextScan)
    assert alone.files_calling("ask") == shared.files_calling("ask")
    assert alone.files_calling("ask") == files_by_regex(tree, "ask", 400)


def test_a_folder_that_is_no_project_is_indexed_only_in_part(tmp_path, monkeypatch):
    monkeypatch.setattr(wordindex, "MAX_INDEXED_OUTSIDE_A_PROJECT", 3)
    for number in range(5):
        (tmp_path / f"m{number}.py").write_text("ask(1)\n", encoding="utf-8")
    loose = WordIndex.build(tmp_path, read_limit=400)
    assert loose.truncated and len(loose.files_mentioning("ask")) == 3
    (tmp_path / ".git").mkdir()
    repository = WordIndex.build(tmp_path, read_limit=400)
    assert not repository.truncated and len(repository.files_mentioning("ask")) == 5


def test_a_run_in_one_process_scans_kept_texts_with_the_same_answers(tree):
    index = WordIndex.build(tree, read_limit=400)
    scan = TextScan(tree, read_limit=400)
    for name in NAMES:
        assert scan.files_mentioning(name) == index.files_mentioning(name), name
        assert scan.importers(name) == index.importers(name), name
    for path in (tree / "nb" / "explore.ipynb", tree / "app" / "util.py"):
        for name in ("nChat", "Chat", "summary", "summar", "app"):
            assert scan.names_word(path, name) == index.names_word(path, name), (path, name)
    alone = CallerIndex(Project(tree, read_limit=400))
    assert isinstance(alone._load(), TextScan)  # nothing shared: no word index is built


@pytest.mark.parametrize("kept_bytes", [10_000, 120])
def test_a_scan_that_indexed_its_word_runs_gives_the_same_answers(tree, monkeypatch, kept_bytes):
    monkeypatch.setattr(wordindex, "SCANS_BEFORE_RUNS", 2)
    monkeypatch.setattr(wordindex, "MAX_TEXT_BYTES", kept_bytes)  # 120: some texts re-read
    scan = TextScan(tree, read_limit=400)
    assert any(text is None for text in scan.texts.values()) == (kept_bytes == 120)
    for name in [*NAMES, *NAMES]:  # the first two questions scan, the rest use the runs
        assert scan.files_mentioning(name) == files_by_regex(tree, name, 400), name
    assert scan._runs  # indexed: the later answers came from the word runs


def test_importing_any_holds_the_files_that_import_any_of_the_names(tree):
    index = WordIndex.build(tree, read_limit=400)
    scan = TextScan(tree, read_limit=400)
    names = {"util", "app", "os"}
    expected = {path for name in names for path in index.importers(name)}
    assert expected  # the names are imported
    for answer in (index.importing_any(names), scan.importing_any(names)):
        for path in WordIndex(tree, 400)._walk():
            assert (path in answer) == (path in expected), path
    assert tree / "lib" / "x.py" not in index.importing_any(names)
    assert str(tree / "app" / "core.py") not in index.importing_any(names)  # paths only
