"""The run-level replay cache: a `check` or `report` whose every input is unchanged prints
the output of the run that was kept, and exits with its code, without running the pipeline.

A warm run still imports the pipeline, decodes every cached file and prices and renders it
all again; that is most of a warm run once the files come from the per-file cache
(filecache). This module keeps, per distinct command (``RunKey``: the command, every option's
value, the run directory, the environment variables costlint reads, the terminals), the last
output with what it rested on (``Inputs``), and replays it while all of that is unchanged:

- today's date (retirement and deprecation, the catalog's age), the Python and the installed
  distributions, costlint's own files (source, shipped rules, model catalog: their sizes and
  modification times, as Python checks its bytecode caches);
- the configuration as loaded, and every file it names or costlint looks for besides the
  scanned ones: the usage and baseline files, the catalog patch, the project's rules, the
  dependency files the SDK pin is read from;
- the discovered files (so discovery runs) and every file's content; the files each per-file
  cache entry depended on, with their hashes; every Python file and notebook of the project
  (a new caller in a file no entry depended on invalidates, which the per-file cache does not
  see); and for `check FILES` the project's Python files its importer search reads.

A run is kept only when the per-file cache served every scanned file (so a replay is what
that warm run prints), no cache entry was written, and for `check FILES` no importer was
nominated (those are extracted afresh every run). `--fix`, `--diff`, `--no-cache`,
`--show-settings`, `report --write-usage` and `--format github` (it appends to the step
summary) are never kept or replayed. Stdout and stderr are kept apart, with the order of
their writes; a run's `--output-file` is kept as bytes and written again.

Entries live in ``<cache dir>/runs/``, one per run key, at most ``KEPT_RUNS``; each carries a
MAC under the per-file cache's key (cachetrust), and a cache directory tracked by git is not
used. Anything unreadable, damaged or forged is a miss: the run goes on as if never kept.
This module imports nothing of the pipeline; a replayed run loads the config, discovers the
files and hashes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config
    from .discover import SourceFile

FORMAT = 1  # bump when an entry's layout or what it rests on changes
KEPT_RUNS = 8  # entries kept per cache directory (the most recently written)
RUNS_DIR = "runs"
# Read by costlint (or by what decides how output looks): their values are part of the key.
ENV_READ = (
    "PRE_COMMIT",
    "CI",
    "NO_COLOR",
    "TERM",
    "COLUMNS",
    "LINES",
    "ANTHROPIC_BASE_URL",
    "GITHUB_STEP_SUMMARY",
    "XDG_CACHE_HOME",
    "PYTHONIOENCODING",
)
ENV_PRESENCE = ("ANTHROPIC_API_KEY",)  # only whether it is set: a key never enters an entry
# Options after which the run must really run (it writes files, or reads no cache).
NEVER_REPLAYED = ("apply_fixes", "show_diff", "show_settings", "write_usage")
SDK_PIN_FILES = (  # sdkpin._READERS' patterns, under the repository root
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pyproject.toml",
    "requirements*.txt",
    "requirements/*.txt",
)
USAGE_FILE_NAMES = ("costlint-usage.yaml", "costlint-usage.yml")
PACKAGE = Path(__file__).resolve().parent


class Prepared:
    """What the replay check computed before it missed, handed to the run so that it is not
    done twice: the config as loaded (as `check` and `report` load it) and, when the check got
    as far as discovery, the discovered files (discovery with the run's paths, directory and
    ``--force-exclude``, and no other repository root). A plain class: it is defined on the
    replayed path, where a NamedTuple's or dataclass's generated code would cost start-up."""

    __slots__ = ("config", "sources")

    def __init__(self, config: Config, sources: list[SourceFile] | None) -> None:
        self.config = config
        self.sources = sources


def replayable(command: str) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Serve ``command`` from a kept run when it can; else run it (with ``prepared=``: what
    the check computed), and keep its output when it qualifies. Wrapped inside cli's error
    guard: a failing run raises, and is not kept."""

    def decorate(func: Callable[..., int]) -> Callable[..., int]:
        @wraps(func)
        def run(*args: Any, **params: Any) -> int:
            session = Session.open(command, params)
            if session is None:
                return func(*args, **params)
            code = session.serve()
            if code is not None:
                return code
            with session.recording():
                code = func(*args, prepared=session.prepared(), **params)
            session.keep(code)
            return code

        return run

    return decorate


def _today() -> str:
    """Today, as the model catalog reads it (retirement, deprecation, the catalog's age)."""
    import datetime

    return datetime.date.today().isoformat()


def digest_file(path: str) -> str | None:
    """sha256 of the file's bytes, as the per-file cache hashes dependencies (None: absent)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


class Digests:
    """Each path's hash, computed once per run."""

    def __init__(self) -> None:
        self._known: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        if path not in self._known:
            self._known[path] = digest_file(path)
        return self._known[path]


class Session:
    """One invocation of a replayable command: its key, where its entry lives, and what it
    rests on (computed before the run, compared again before the output is kept)."""

    def __init__(self, command: str, params: dict[str, Any], config: Any, key_bytes: bytes):
        self.command = command
        self.params = params
        self.config = config
        self.cwd = Path.cwd()
        self.key_bytes = key_bytes
        self.digests = Digests()
        self.name = hashlib.sha256(self.run_key().encode()).hexdigest()
        self.directory = _cache_dir(config) / RUNS_DIR
        self.before = self.light_inputs()
        self._chunks: list[tuple[int, str]] = []
        self._hits: dict[str, Any] | None = None
        self._discovered: list[Any] | None = None  # discovery before the run, if it got there

    @classmethod
    def open(cls, command: str, params: dict[str, Any]) -> Session | None:
        """The session, or None when this run is never replayed (or anything is amiss)."""
        try:
            return cls._open(command, params)
        except Exception:  # noqa: BLE001 - the run goes on without replay
            return None

    @classmethod
    def _open(cls, command: str, params: dict[str, Any]) -> Session | None:
        choices = params.get("choices")
        if choices is None or choices.no_cache:
            return None
        if any(params.get(name) for name in NEVER_REPLAYED):
            return None
        if params.get("output_format") == "github" or not _utf8_streams():
            return None
        cwd = Path.cwd()
        paths = params.get("paths") or ()
        if not all((cwd / path).exists() for path in paths):
            return None  # the run says which one is missing
        from .cachetrust import cache_key
        from .config import ConfigError, load_config, search_start

        try:
            config = load_config(search_start(cwd, paths), choices.config_path)
        except ConfigError:
            return None
        key_bytes = cache_key()
        if key_bytes is None:
            return None
        return cls(command, params, config, key_bytes)

    def prepared(self) -> Prepared:
        """The config and the discovered files, for the run that follows a miss."""
        found = self._discovered
        return Prepared(self.config, None if found is None else list(found))

    def _untracked(self) -> bool:
        """The cache directory is not tracked by git (asked only once an entry is to be
        served or written: by then the run's listing of the repository usually answers)."""
        from .cachetrust import tracked_by_git

        return not tracked_by_git(_cache_dir(self.config))

    # -- what the run rests on ---------------------------------------------------------------
    def run_key(self) -> str:
        """What tells distinct runs apart: each has its own entry."""
        env = os.environ
        streams = [sys.stdout, sys.stderr]
        ttys = [bool(getattr(stream, "isatty", lambda: False)()) for stream in streams]
        size = None
        if any(ttys):
            import shutil

            size = tuple(shutil.get_terminal_size())
        key = {
            "format": FORMAT,
            "command": self.command,
            "params": self.params,
            "argv": sys.argv[1:],
            "cwd": str(self.cwd),
            "env": {name: env.get(name) for name in ENV_READ},
            "set": {name: bool((env.get(name) or "").strip()) for name in ENV_PRESENCE},
            "ttys": ttys,
            "terminal": size,
            "encodings": [getattr(stream, "encoding", None) for stream in streams],
            "python": [sys.version, sys.executable],
        }
        return json.dumps(key, sort_keys=True, default=repr)

    def light_inputs(self) -> dict[str, Any]:
        """Everything but the scanned tree: the date, costlint and the installed packages,
        the config as loaded and the files besides the scanned ones a run reads."""
        config = self.config
        return {
            "today": _today(),
            "config": repr(config),
            "distributions": _distributions(),
            "costlint": _stamps(_own_files()),
            "files": {path: self.digests(path) for path in self._named_files()},
        }

    def _named_files(self) -> list[str]:
        """Files a run reads or looks for besides the scanned ones (absent ones too)."""
        config, cwd, params = self.config, self.cwd, self.params
        base = config.source.parent if config.source is not None else config.root
        named: list[Path] = [config.root / name for name in USAGE_FILE_NAMES]
        for given, configured in (
            (params.get("usage_file"), config.usage_file),
            (params.get("baseline_file"), config.baseline),
        ):
            if given is not None:
                named.append(given if given.is_absolute() else cwd / given)
            if configured:
                named.append(base / configured)
        for extra in (config.source, config.models):
            if extra is not None:
                named.append(Path(extra))
        if config.rules_dir is not None:
            named.extend(sorted(Path(config.rules_dir).glob("*.yaml")))
            named.append(Path(config.rules_dir))
        for pattern in SDK_PIN_FILES:
            named.extend(sorted(config.root.glob(pattern)))
            if "*" not in pattern:
                named.append(config.root / pattern)
        return sorted({str(path) for path in named})

    def tree_inputs(self, sources: list[Any] | None = None) -> dict[str, Any]:
        """The scanned files (discovery runs unless given its result) with their contents, and
        the project's Python files and notebooks (callers); for `check FILES`, the files the
        importer search reads."""
        if sources is None:
            sources = self.sources()
        return {
            "sources": [self.source_row(source) for source in sources],
            "project": self.project(),
        }

    def sources(self) -> list[Any]:
        from .discover import discover

        paths = list(self.params.get("paths") or ())
        force_exclude = self.params["choices"].force_exclude
        return list(discover(paths, self.config, self.cwd, force_exclude))

    def source_row(self, source: Any) -> list[Any]:
        return [source.rel, source.kind, str(source.path), source.repo_rel, self.content(source)]

    def project(self) -> dict[str, str | None]:
        from .discover import discover

        root = self.config.root
        found = {path: self.digests(path) for path in project_files(root)}
        if self.explicit():
            for source in discover([root], self.config, self.cwd):
                if source.kind == "python":
                    found[str(source.path)] = self.digests(str(source.path))
        return found

    def content(self, source: Any) -> str | None:
        """The file's hash, or its size when the run skips it as over ``max-file-size``."""
        limit = self.config.max_file_size
        path = str(source.path)
        try:
            size = os.stat(path).st_size
        except OSError:
            return None
        if limit and size > limit:
            return f"size {size}"
        return self.digests(path)

    def _fits(self, source: Any) -> bool:
        """Whether the run reads the file (not skipped as over ``max-file-size``)."""
        content = self.content(source)
        return content is None or not content.startswith("size ")

    def explicit(self) -> bool:
        """`check FILES`: the run also checks the importers of the given files."""
        paths = self.params.get("paths") or ()
        return (
            self.command == "check"
            and bool(paths)
            and all((self.cwd / path).is_file() for path in paths)
        )

    # -- serving -----------------------------------------------------------------------------
    def serve(self) -> int | None:
        """Print the kept run and give its exit code; None when there is none or it is stale."""
        try:
            body = self._load()
            if body is None or not self._still_valid(body) or not self._untracked():
                return None
            pieces = _pieces(body)
            code = body["code"]
            if not isinstance(code, int):
                return None
            output = body["output_file"]
            if output is not None:
                target = self.params["output_file"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(bytes.fromhex(output))
        except Exception:  # noqa: BLE001 - a damaged entry (or an unwritable file) is a miss
            return None
        for number, text in pieces:
            stream = sys.stdout if number == 1 else sys.stderr
            stream.write(text)
            stream.flush()
        return code

    def _load(self) -> dict[str, Any] | None:
        from .cachetrust import text_verifies

        try:
            entry = json.loads((self.directory / f"{self.name}.json").read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(entry, dict):
            return None
        body = entry.get("body")
        if not isinstance(body, str):
            return None
        if not text_verifies(self.key_bytes, entry.get("mac"), "replay", self.name, body):
            return None
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        return data

    def _still_valid(self, body: dict[str, Any]) -> bool:
        """Cheapest first: the file list before any file is hashed, then the scanned files in
        order (an edit is usually there), then the cached entries' dependencies, the project."""
        if body["light"] != self.before:
            return False
        kept = body["tree"]["sources"]
        sources = self.sources()
        self._discovered = list(sources)  # the run takes these on a miss (prepared)
        if len(kept) != len(sources):
            return False
        pairs = list(zip(sources, kept, strict=True))
        for source, row in pairs:
            if row[:4] != [source.rel, source.kind, str(source.path), source.repo_rel]:
                return False
        if any(row[4] != self.content(source) for source, row in pairs):
            return False
        deps = body["deps"]
        if not isinstance(deps, dict):
            return False
        if any(self.digests(path) != digest for path, digest in deps.items()):
            return False
        return body["tree"]["project"] == self.project()

    # -- keeping -----------------------------------------------------------------------------
    @contextmanager
    def recording(self) -> Iterator[None]:
        """Run the command with its output teed and the per-file cache's hits logged."""
        from . import filecache

        hits: dict[str, Any] = {}
        streams = sys.stdout, sys.stderr
        previous_log = filecache.hit_log
        filecache.hit_log = hits
        sys.stdout = _Tee(streams[0], 1, self._chunks)  # type: ignore[assignment]
        sys.stderr = _Tee(streams[1], 2, self._chunks)  # type: ignore[assignment]
        try:
            yield
            self._hits = hits
        finally:
            sys.stdout, sys.stderr = streams
            filecache.hit_log = previous_log

    def keep(self, code: Any) -> None:
        """Write the entry when the run qualifies (never raises)."""
        try:
            body = self._entry(code)
            if body is not None:
                self._write(body)
        except Exception:  # noqa: BLE001 - not keeping a run only costs speed
            return

    def _entry(self, code: Any) -> dict[str, Any] | None:
        hits = self._hits
        if not isinstance(code, int) or isinstance(code, bool) or hits is None:
            return None
        if any(hit is None for hit in hits.values()):
            return None  # an entry was written: some file was extracted this run
        self.digests = Digests()  # after the run: read everything again
        if self.light_inputs() != self.before:
            return None  # something changed while it ran
        sources = self.sources()
        if any(source.rel not in hits and self._fits(source) for source in sources):
            return None  # extracted (or unreadable) this run: not kept
        tree = self.tree_inputs(sources)
        deps: dict[str, str | None] = {}
        for rel, _kind, path, _repo_rel, content in tree["sources"]:
            if content is not None and content.startswith("size "):
                continue  # skipped as too big: its size says what the run printed
            hit = hits.get(rel)
            if hit is None or content is None:
                return None  # extracted (or written) this run, or unreadable: not kept
            cache, key, entry_deps = hit
            data = _read(path)
            if data is None or cache.key(rel, data) != key:
                return None  # the run saw other bytes than the file holds now
            deps.update(entry_deps)
        if self.explicit() and self._nominates_importers():
            return None
        if not self._untracked():
            return None
        output = None
        target = self.params.get("output_file")
        if target is not None:
            data = _read(str(target))
            if data is None:
                return None
            output = data.hex()
        stdout = "".join(text for number, text in self._chunks if number == 1)
        stderr = "".join(text for number, text in self._chunks if number == 2)
        return {
            "format": FORMAT,
            "light": self.before,
            "deps": deps,
            "tree": tree,
            "stdout": stdout,
            "stderr": stderr,
            "order": [[number, len(text)] for number, text in self._chunks],
            "output_file": output,
            "code": code,
        }

    def _nominates_importers(self) -> bool:
        """Whether `check FILES` found importers to check (extracted afresh each run)."""
        from .dependents import importers
        from .discover import discover

        given = list(discover(list(self.params["paths"]), self.config, self.cwd))
        return bool(importers(given, self.config, self.cwd))

    def _write(self, body: dict[str, Any]) -> None:
        from .cachetrust import text_mac

        text = json.dumps(body, separators=(",", ":"), sort_keys=True)
        entry = {"body": text, "mac": text_mac(self.key_bytes, "replay", self.name, text)}
        self.directory.mkdir(parents=True, exist_ok=True)
        marker = self.directory.parent / ".gitignore"
        if not marker.exists():
            marker.write_text("*\n", encoding="utf-8")
        target = self.directory / f"{self.name}.json"
        temp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(entry, separators=(",", ":")), encoding="utf-8")
        os.replace(temp, target)
        prune(self.directory)


def _pieces(body: dict[str, Any]) -> list[tuple[int, str]]:
    """The kept writes in their order: (1 for stdout or 2 for stderr, text)."""
    texts = {1: body["stdout"], 2: body["stderr"]}
    at = {1: 0, 2: 0}
    pieces = []
    for number, length in body["order"]:
        text = texts[number][at[number] : at[number] + length]
        if not isinstance(text, str) or len(text) != length:
            raise ValueError("damaged entry")
        pieces.append((number, text))
        at[number] += length
    if at[1] != len(texts[1]) or at[2] != len(texts[2]):
        raise ValueError("damaged entry")
    return pieces


def prune(directory: Path, keep: int = KEPT_RUNS) -> None:
    """Remove all but the ``keep`` most recently written entries."""
    entries = []
    for path in directory.glob("*.json"):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[keep:]:
        try:
            path.unlink()
        except OSError:
            pass


class _Tee:
    """A text stream that writes through to ``stream`` and notes what was written."""

    def __init__(self, stream: Any, number: int, chunks: list[tuple[int, str]]):
        self._stream = stream
        self._number = number
        self._chunks = chunks

    def write(self, text: str) -> int:
        written = self._stream.write(text)  # raises for bytes, as a text stream does
        if text:
            self._chunks.append((self._number, text))
        return written

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # writes must come through ``write`` to be noted
            raise AttributeError(name)
        return getattr(self._stream, name)


def _utf8_streams() -> bool:
    """Output is kept as text: replayed through streams that encode it the same way."""
    import codecs

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        try:
            if encoding is None or codecs.lookup(encoding).name != "utf-8":
                return False
        except LookupError:
            return False
    return True


def _cache_dir(config: Any) -> Path:
    """The per-file cache's directory (extraction.file_cache), which holds ``runs/``."""
    return config.root / (config.cache_dir or ".costlint_cache")


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _own_files() -> list[str]:
    """costlint's source and data files, and the shipped rules (engine.rules_dir)."""
    rules = PACKAGE / "rules"
    if not rules.is_dir():
        rules = PACKAGE.parents[1] / "rules"
    found: list[str] = []
    for top in (PACKAGE, rules):
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            found.extend(os.path.join(folder, name) for name in sorted(names))
    return found


def _stamps(paths: list[str]) -> dict[str, list[int] | None]:
    """Each file's size and modification time: what Python itself trusts to tell whether a
    module's cached bytecode is stale (hashing costlint's ~160 files would cost more)."""
    stamps: dict[str, list[int] | None] = {}
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            stamps[path] = None
            continue
        stamps[path] = [info.st_size, info.st_mtime_ns]
    return stamps


def _distributions() -> list[str]:
    """The installed distributions with their versions (``*.dist-info`` names)."""
    found: list[str] = []
    for entry in sys.path:
        if "site-packages" not in entry and "dist-packages" not in entry:
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        found.extend(f"{entry}/{name}" for name in names if name.endswith(".dist-info"))
    return sorted(found)


def project_files(root: Path) -> list[str]:
    """The project's Python files and notebooks, as the caller index walks them (a superset:
    no limits): a file that starts calling a scanned function invalidates a kept run."""
    from .config import project_walk_dirs

    found: list[str] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = project_walk_dirs(folder, dirs)
        found.extend(
            os.path.join(folder, name) for name in sorted(names) if name.endswith((".py", ".ipynb"))
        )
    return found
