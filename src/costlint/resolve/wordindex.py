"""The project's word index: which files use which words, from one walk that reads each of
the project's Python files and notebooks once and keeps no text.

The caller index (``callers.py``) asks it three questions, answered exactly as the regular
expressions over each file's text answered them, without keeping or re-scanning texts:

- which files mention a name as a word (``\\bname\\b``; in a notebook's JSON text only its end
  is a word boundary, ``name\\b``, since a name may follow an escape: ``\\nChat(``);
- which Python files' import statements name a module;
- which names a file uses the way a caller uses a function (called, handed on, subscripted).

A name made of word characters matches ``\\bname\\b`` exactly where it is a whole run of word
characters (``\\w+``), so the files holding that run are the answer. Python files keep their
runs that do not start with a digit (numbers are never asked for); notebooks keep every run,
sorted back to front, so the runs that end with a name are found by bisection. Any other name
(``summary.txt.j2``) is answered by reading again the files holding all of its word runs and
searching them as before.

File ids are positions in the walk (sorted folders, then sorted names), so every answer lists
files in the order the walk met them. Each question's id lists live in a few flat buffers
(``Postings``). Extraction builds the index once per run before forking its workers, who share
it: in a child process (``build_apart``), whose own processes each index a run of the files.
A run in one process asks about a few names only, and ``TextScan`` answers it by searching
the kept texts instead, as the caller index did before the word index.
"""

from __future__ import annotations

import os
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import project_walk_dirs

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

MAX_INDEXED_FILES = 20_000  # Python files indexed per project
MAX_INDEXED_NOTEBOOKS = 2_000  # notebooks indexed per project (their JSON text)
# A root that is no project (no repository, no project file: ``costlint check x.py`` in /tmp)
# is a folder of unrelated files: fewer of them are indexed.
MAX_INDEXED_OUTSIDE_A_PROJECT = 2_000
PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", ".costlint.yaml")
NUMBERS_KEPT = 8_192  # words a posting list remembers the number of (the names asked)
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)|import[ \t]+([^\n#]+))",
    re.MULTILINE,
)
_WORD = re.compile(r"[A-Za-z_]\w*")
_RUN = re.compile(r"\w+")
# A name used the way a caller uses a function: called, handed on, subscripted (a registry).
_USED = re.compile(r"(?<!def )(?<!class )\b[A-Za-z_]\w*(?=[ \t]*[(,)\[\]])")
# The same, matched in the reversed text (a search that starts at the bracket runs ~4x faster):
# the bracket, blanks, then the name backwards, whole, not preceded by ``def `` or ``class ``.
_USED_BACKWARDS = re.compile(r"[(,)\[\]][ \t]*(\w*[A-Za-z_])\b(?! fed)(?! ssalc)")
# ASCII text: every character that is not a word character becomes a blank (split is faster
# than the regular expression, and gives the same runs).
_NOT_WORD = {code: " " for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")}


def kept_run(run: str) -> bool:
    """Whether a Python file's word run is indexed (numbers are not)."""
    return not run[0].isdigit()


def word_runs(text: str) -> set[str]:
    """The text's distinct runs of word characters (``\\w+``)."""
    if text.isascii():
        return set(text.translate(_NOT_WORD).split())
    return set(_RUN.findall(text))


def used_names(text: str) -> frozenset[str]:
    """The names a text calls, hands on or subscripts (``_USED``)."""
    return frozenset(name[::-1] for name in _USED_BACKWARDS.findall(text[::-1]))


def import_words(text: str) -> set[str]:
    """The words of the text's import statements (module and imported names): the matches
    of ``_IMPORT.finditer(text)``, found by trying it only at the starts of the lines that
    hold ``import`` (every match starts on such a line), past the end of the last match."""
    names: set[str] = set()
    resume = tried = -1
    at = text.find("import")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        if start >= resume and start != tried:
            tried = start
            match = _IMPORT.match(text, start)
            if match is not None:
                resume = match.end()
                names.update(_WORD.findall(" ".join(part for part in match.groups() if part)))
        at = text.find("import", at + 6)
    return names


def is_project(root: Path) -> bool:
    """Whether ``root`` is a repository or a project's folder (not a folder like /tmp)."""
    return any(os.path.exists(os.path.join(root, marker)) for marker in PROJECT_MARKERS)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""


class Postings:
    """word -> the ids of the files holding it (in walk order), in four flat buffers and no
    object per word: the words sorted and joined by NULs (``vocabulary``), where each word
    starts there (``offsets``), where its ids start in ``ids`` (``starts``), and the ids.
    A few large buffers cost little to hold, to fork and to free."""

    def __init__(self, typecode: str = "i"):
        self.vocabulary = ""
        self.offsets = array("q", [0])
        self.starts = array("q", [0])
        self.ids = array(typecode)
        # word -> its number (None: absent), for the words asked: the same few names are
        # asked about thousands of files, and a binary search slices the vocabulary each step
        self._numbers: dict[str, int | None] = {}

    @classmethod
    def pack(cls, typecode: str, parts: list[_Packed]) -> Postings:
        """Join the slices' postings: each word's ids, slice after slice (so in walk order)."""
        order: dict[str, int] = {}
        for part in parts:
            order.update(dict.fromkeys(part.words, 0))
        words = sorted(order)
        for number, word in enumerate(words):
            order[word] = number
        totals = array("q", bytes(8 * len(words)))
        for part in parts:
            for word, count in zip(part.words, part.counts, strict=True):
                totals[order[word]] += count
        packed = cls(typecode)
        packed.vocabulary = "\0".join(words)
        for word, total in zip(words, totals, strict=True):
            packed.offsets.append(packed.offsets[-1] + len(word) + 1)
            packed.starts.append(packed.starts[-1] + total)
        packed.ids = array(typecode, bytes(packed.ids.itemsize * packed.starts[-1]))
        fill = array("q", packed.starts[:-1])
        target = memoryview(packed.ids)
        for part in parts:
            source = memoryview(part.ids).cast(typecode)
            offset = 0
            for word, count in zip(part.words, part.counts, strict=True):
                number = order[word]
                at = fill[number]
                target[at : at + count] = source[offset : offset + count]
                fill[number] = at + count
                offset += count
        return packed

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def word(self, number: int) -> str:
        return self.vocabulary[self.offsets[number] : self.offsets[number + 1] - 1]

    def lower_bound(self, word: str) -> int:
        """The number of the first word not less than ``word`` (``len(self)``: none)."""
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if self.word(middle) < word:
                low = middle + 1
            else:
                high = middle
        return low

    def _number(self, word: str) -> int | None:
        if word in self._numbers:
            return self._numbers[word]
        number: int | None = self.lower_bound(word)
        if number >= len(self) or self.word(number) != word:
            number = None
        if len(self._numbers) >= NUMBERS_KEPT:
            self._numbers.clear()
        self._numbers[word] = number
        return number

    def ids_of(self, number: int) -> array:
        return self.ids[self.starts[number] : self.starts[number + 1]]

    def get(self, word: str) -> array:
        number = self._number(word)
        return self.ids[:0] if number is None else self.ids_of(number)

    def holds(self, word: str, file: int) -> bool:
        number = self._number(word)
        if number is None:
            return False
        start, end = self.starts[number], self.starts[number + 1]
        at = bisect_left(self.ids, file, start, end)
        return at < end and self.ids[at] == file


@dataclass
class _Packed:
    """One slice's postings, compact to hand from process to process: the words, how many
    ids each has, and all the ids one word after the other."""

    words: list[str]
    counts: array
    ids: bytes

    @classmethod
    def of(cls, postings: dict[str, array]) -> _Packed:
        counts = array("i", [len(ids) for ids in postings.values()])
        return cls(list(postings), counts, b"".join(ids.tobytes() for ids in postings.values()))


@dataclass
class _Slice:
    """What one process found in a run of the walk's files (ids: walk positions)."""

    read: array  # the files read (the others were skipped)
    words: _Packed
    used: _Packed
    imports: _Packed
    notebook_runs: _Packed


def _index_slice(task: tuple[list[str], int, int, str]) -> _Slice:
    names, first, read_limit, typecode = task
    words: dict[str, array] = {}
    used: dict[str, array] = {}
    imports: dict[str, array] = {}
    notebook_runs: dict[str, array] = {}
    read = array("i")
    for number, name in enumerate(names, first):
        path = Path(name)
        try:
            if path.stat().st_size > read_limit:
                continue
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        read.append(number)
        if name.endswith(".ipynb"):
            _post(notebook_runs, {run[::-1] for run in word_runs(text)}, number, typecode)
        else:
            if "import" in text:
                _post(imports, import_words(text), number, typecode)
            runs = word_runs(text)
            _post(words, [run for run in runs if kept_run(run)], number, typecode)
        _post(used, used_names(text), number, typecode)
    return _Slice(
        read, _Packed.of(words), _Packed.of(used), _Packed.of(imports), _Packed.of(notebook_runs)
    )


def _post(postings: dict[str, array], words: Iterable[str], number: int, typecode: str) -> None:
    for word in words:
        ids = postings.get(word)
        if ids is None:
            ids = postings[word] = array(typecode)
        ids.append(number)


PARALLEL_FILES = 400  # files from which the index is built by several processes


@dataclass
class WordIndex:
    """The walk's files (id -> path) and, per word, the ids of the files that use it."""

    root: Path
    read_limit: int
    names: list[str] = field(default_factory=list)  # id -> path, every file walked
    kinds: bytearray = field(default_factory=bytearray)  # id -> 0 skipped, 1 Python, 2 notebook
    ids: dict[str, int] = field(default_factory=dict)  # the files read, by path
    words: Postings = field(default_factory=Postings)  # Python files' word runs
    used: Postings = field(default_factory=Postings)  # names used as a caller does
    imports: Postings = field(default_factory=Postings)  # import statements' words
    notebook_runs: Postings = field(default_factory=Postings)  # every run, reversed
    truncated: bool = False

    # -- the one walk ------------------------------------------------------------------------
    @classmethod
    def build(cls, root: Path, read_limit: int, jobs: int = 1) -> WordIndex:
        """Walk ``root`` and index its files; with ``jobs`` > 1 and enough files, the files
        are read by that many processes (forked), each indexing a run of them."""
        index = cls(root, read_limit)
        names = [str(path) for path in index._walk()]
        typecode = "H" if len(names) < 1 << 16 else "i"
        jobs = max(1, min(jobs, len(names) // (PARALLEL_FILES // 2)))
        step = -(-len(names) // jobs) if names else 1
        tasks = [
            (names[start : start + step], start, read_limit, typecode)
            for start in range(0, len(names), step)
        ]
        if len(tasks) > 1:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(len(tasks)) as pool:
                slices = pool.map(_index_slice, tasks, chunksize=1)
        else:
            slices = [_index_slice(task) for task in tasks]
        index._merge(names, slices, typecode)
        return index

    @classmethod
    def build_apart(cls, root: Path, read_limit: int, jobs: int) -> WordIndex | None:
        """``build`` in a child process, which hands back only the finished index: this
        process then holds the index and nothing of the work that made it (the processes it
        forks next inherit all of its memory). None when the child failed."""
        import multiprocessing
        import pickle

        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        child = context.Process(target=_build_and_send, args=(sending, root, read_limit, jobs))
        child.start()
        sending.close()
        try:
            data = receiving.recv_bytes()
        except (EOFError, OSError):
            data = None
        finally:
            receiving.close()
            child.join()
        return None if data is None else pickle.loads(data)

    def _merge(self, names: list[str], slices: list[_Slice], typecode: str) -> None:
        read = {number for piece in slices for number in piece.read}
        self.kinds = bytearray(
            (2 if name.endswith(".ipynb") else 1) if number in read else 0
            for number, name in enumerate(names)
        )
        self.names = names
        self.ids = {names[number]: number for number in sorted(read)}
        self.words = Postings.pack(typecode, [piece.words for piece in slices])
        self.used = Postings.pack(typecode, [piece.used for piece in slices])
        self.imports = Postings.pack(typecode, [piece.imports for piece in slices])
        self.notebook_runs = Postings.pack(typecode, [piece.notebook_runs for piece in slices])

    def _walk(self) -> list[Path]:
        found: list[Path] = []
        notebooks = 0
        limit = MAX_INDEXED_FILES if is_project(self.root) else MAX_INDEXED_OUTSIDE_A_PROJECT
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = project_walk_dirs(folder, dirs)
            for name in sorted(names):
                if name.endswith(".py"):
                    if len(found) - notebooks >= limit:
                        self.truncated = True
                        return found
                    found.append(Path(folder, name))
                elif name.endswith(".ipynb") and notebooks < MAX_INDEXED_NOTEBOOKS:
                    notebooks += 1
                    found.append(Path(folder, name))
        return found

    # -- questions ---------------------------------------------------------------------------
    def importers(self, module_name: str) -> list[Path]:
        """Python files whose import statements name ``module_name``."""
        return [Path(self.names[number]) for number in self.imports.get(module_name)]

    def importing_any(self, module_names: Iterable[str]) -> FileSet:
        """The Python files whose import statements name any of ``module_names``, as a set
        asked by path (``importers``' files, without a ``Path`` made for each)."""
        numbers: set[int] = set()
        for module_name in module_names:
            numbers.update(self.imports.get(module_name))
        return FileSet(self.ids, numbers)

    def files_mentioning(self, name: str) -> list[Path]:
        """Files that mention ``name`` as a word: ``\\bname\\b`` in a Python file, ``name\\b`` in
        a notebook's JSON text; in walk order."""
        if _RUN.fullmatch(name) is None or not kept_run(name):
            return self._search(name, self._candidates(name))
        numbers: Iterable[int] = self.words.get(name)
        in_notebooks = self._notebooks_ending(name)
        if in_notebooks:
            numbers = sorted(in_notebooks.union(numbers))
        return [Path(self.names[number]) for number in numbers]

    def _notebooks_ending(self, name: str) -> set[int]:
        """Notebooks holding a word run that ends with ``name`` (all word characters)."""
        backwards = name[::-1]
        found: set[int] = set()
        runs = self.notebook_runs
        at = runs.lower_bound(backwards)
        while at < len(runs) and runs.word(at).startswith(backwards):
            found.update(runs.ids_of(at))
            at += 1
        return found

    def _candidates(self, name: str) -> list[int]:
        """Files that may mention ``name`` (not a plain word): a Python file holds each of its
        word runs as a whole run; a notebook each run after the first (the first may be the
        end of a longer run)."""
        runs = _RUN.findall(name)
        python: set[int] | None = None
        for run in runs:
            if kept_run(run):
                holding = set(self.words.get(run))
                python = holding if python is None else python & holding
        if python is None:
            python = {number for number, kind in enumerate(self.kinds) if kind == 1}
        notebooks: set[int] | None = None
        for run in runs[1:]:
            holding = set(self._notebook_run(run))
            notebooks = holding if notebooks is None else notebooks & holding
        if notebooks is None:
            notebooks = {number for number, kind in enumerate(self.kinds) if kind == 2}
        return sorted(python | notebooks)

    def _notebook_run(self, run: str) -> array:
        return self.notebook_runs.get(run[::-1])

    def _search(self, name: str, numbers: list[int]) -> list[Path]:
        """The files among ``numbers`` whose text, read again, mentions ``name``."""
        in_python = re.compile(r"\b" + re.escape(name) + r"\b")
        in_json = re.compile(re.escape(name) + r"\b")
        found: list[Path] = []
        for number in numbers:
            path = Path(self.names[number])
            text = read_text(path)
            pattern = in_json if self.kinds[number] == 2 else in_python
            if name in text and pattern.search(text):
                found.append(path)
        return found

    def names_word(self, path: Path, name: str) -> bool:
        """Whether the file's text holds ``name`` as a word (``\\bname\\b``)."""
        number = self.ids.get(str(path))
        if number is not None and _RUN.fullmatch(name) is not None:
            if self.kinds[number] == 2:
                return number in self._notebook_run(name)
            if kept_run(name):
                return self.words.holds(name, number)
        return re.search(r"\b" + re.escape(name) + r"\b", read_text(path)) is not None

    def uses(self, path: Path, names: set[str]) -> bool | None:
        """Whether the file calls, hands on or subscripts any of ``names`` (None: a file the
        walk did not read)."""
        number = self.ids.get(str(path))
        if number is None:
            return None
        return any(self.used.holds(name, number) for name in names)


class FileSet:
    """Files of a ``WordIndex`` by id, asked by path (``path in files``): a question whose
    answer holds thousands of the tree's files costs no object per file."""

    def __init__(self, ids: dict[str, int], numbers: set[int]):
        self._ids = ids
        self._numbers = numbers

    def __contains__(self, path: object) -> bool:
        number = self._ids.get(str(path)) if isinstance(path, Path) else None
        return number is not None and number in self._numbers

    def __len__(self) -> int:
        return len(self._numbers)


def _build_and_send(sending: Connection, root: Path, read_limit: int, jobs: int) -> None:
    import pickle

    with sending:
        index = WordIndex.build(root, read_limit, jobs)
        sending.send_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))


MAX_TEXT_BYTES = 64_000_000  # texts a ``TextScan`` keeps in memory; the rest are re-read
# Names a ``TextScan`` searches for in every kept text before it indexes the texts' word runs
# (indexing them costs about as much as 60 such searches; a pre-commit run asks a few).
SCANS_BEFORE_RUNS = 16


class TextScan:
    """The same questions answered by searching the files' texts, kept from the same walk
    (one regex search per file per name): cheaper than building a ``WordIndex`` when a run
    asks about a few names only (a pre-commit run in one process); a run that extracts
    many files in worker processes builds the ``WordIndex`` before forking instead.

    A run in one process that asks about many names (one per template file) has the word
    runs of the kept Python texts indexed after ``SCANS_BEFORE_RUNS`` questions; later
    questions then search only the files holding every word run of the name (a file that
    matches ``\\bname\\b`` holds each of them as a whole run), notebooks and texts not kept."""

    def __init__(self, root: Path, read_limit: int):
        self.root = root
        self.truncated = False
        self._scans = 0
        self._runs: dict[str, array] | None = None  # word run -> numbers of Python texts
        self._unindexed: list[int] = []  # notebooks and texts not kept: always searched
        self._paths: list[str] = []  # the texts' paths by number
        self.imports: dict[str, list[Path]] = {}
        self.texts: dict[str, str | None] = {}  # path -> text (None: re-read when asked)
        self.kinds: dict[str, int] = {}
        walk = WordIndex(root, read_limit)
        held = 0
        for path in walk._walk():
            try:
                size = path.stat().st_size
                if size > read_limit:
                    continue
                text = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                continue
            name = str(path)
            self.kinds[name] = 2 if path.suffix == ".ipynb" else 1
            if "import" in text and path.suffix == ".py":
                for word in import_words(text):
                    self.imports.setdefault(word, []).append(path)
            kept = held + size <= MAX_TEXT_BYTES
            held += size if kept else 0
            self.texts[name] = text if kept else None
        self.truncated = walk.truncated

    def importers(self, module_name: str) -> list[Path]:
        return list(self.imports.get(module_name, ()))

    def importing_any(self, module_names: Iterable[str]) -> set[Path]:
        return {path for name in module_names for path in self.imports.get(name, ())}

    def files_mentioning(self, name: str) -> list[Path]:
        in_python = re.compile(r"\b" + re.escape(name) + r"\b")
        in_json = re.compile(re.escape(name) + r"\b")  # see WordIndex.files_mentioning
        found: list[Path] = []
        for path in self._candidates(name):
            text = self.texts[path]
            if text is None:
                text = read_text(Path(path))
            pattern = in_json if self.kinds[path] == 2 else in_python
            if name in text and pattern.search(text):
                found.append(Path(path))
        return found

    def _candidates(self, name: str) -> Iterable[str]:
        """The files (in walk order) whose text may mention ``name``: every file until the
        word runs are indexed, then those holding all of the name's word runs."""
        runs = _RUN.findall(name)
        if not runs:
            return self.texts
        if self._runs is None:
            self._scans += 1
            if self._scans <= SCANS_BEFORE_RUNS:
                return self.texts
            self._index_runs()
        assert self._runs is not None
        numbers: set[int] | None = None
        for run in runs:
            holding = self._runs.get(run, ())
            numbers = set(holding) if numbers is None else numbers.intersection(holding)
        paths = self._paths
        return [paths[number] for number in sorted({*(numbers or ()), *self._unindexed})]

    def _index_runs(self) -> None:
        runs: dict[str, array] = {}
        self._paths = list(self.texts)
        for number, (path, text) in enumerate(self.texts.items()):
            if text is None or self.kinds[path] != 1:
                self._unindexed.append(number)
                continue
            for run in word_runs(text):
                holding = runs.get(run)
                if holding is None:
                    holding = runs[run] = array("I")
                holding.append(number)
        self._runs = runs

    def names_word(self, path: Path, name: str) -> bool:
        text = self.texts.get(str(path))
        if text is None:
            text = read_text(path)
        return re.search(r"\b" + re.escape(name) + r"\b", text) is not None

    def text_of(self, path: Path) -> str:
        text = self.texts.get(str(path))
        return read_text(path) if text is None else text
