"""The extract stage over many files: reading, the per-file cache, time budget, processes.

Small runs (the pre-commit case) stay in one process; from ``PARALLEL_THRESHOLD`` files on,
files are spread over worker processes (one per core, or ``jobs`` in config). Every file
ends in sites, or in a diagnostic naming it; nothing a file contains can stop the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .budget import FileTimeout, tune_gc, within_budget  # noqa: F401 (FileTimeout: re-exported)
from .config import Config
from .discover import SourceFile
from .filecache import CachedFile, FileCache
from .fingerprint import stamp_call_text, stamp_fingerprints
from .site import Diagnostic, Finding, PromptSite
from .sitecodec import Uncacheable, decode_analysis, encode_analysis, fingerprints_made_at

if TYPE_CHECKING:  # the resolver is imported when a file is extracted, not for cache hits
    from .resolve.dependencies import Dependencies
    from .resolve.project import Project

PARALLEL_THRESHOLD = 100  # files to extract; fewer run in one process (forking costs ~0.1 s)
DEFAULT_FILE_BUDGET = 10.0  # seconds one file may take to extract before it is skipped


@dataclass
class FileResult:
    sites: list[PromptSite] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # A cached analysis: the sites already carry their counts, and these are their findings.
    replayed: bool = False
    findings: list[Finding] = field(default_factory=list)
    # For a file extracted now: what ``remember`` caches (sites once counted and checked).
    rel: str = ""
    cache_key: str | None = None
    deps: dict[str, str | None] | None = None  # ``dependencies`` with their hashes
    # What the extraction read or looked for besides the file (None: served, not extracted).
    dependencies: Dependencies | None = None
    # False when the outcome depends on this run's moment (time budget, memory), not the file.
    cacheable: bool = True


def extractor_for(kind: str) -> Callable[..., Any]:
    if kind == "python":
        from .extract.python import extract_python

        return extract_python
    if kind == "notebook":
        from .extract.notebook import extract_notebook

        return extract_notebook
    if kind == "jinja":
        from .extract.templates import extract_jinja

        return extract_jinja
    if kind == "yaml":
        from .extract.yaml_generic import extract_yaml

        return extract_yaml
    if kind == "prompty":
        from .extract.frontmatter import extract_prompty

        return extract_prompty
    if kind == "dotprompt":
        from .extract.frontmatter import extract_dotprompt

        return extract_dotprompt
    raise KeyError(kind)


def decode_source(source: SourceFile, data: bytes) -> tuple[str | None, Diagnostic | None]:
    if b"\x00" in data[:8192]:
        return None, Diagnostic(source.rel, "skipped: binary file")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, Diagnostic(source.rel, f"skipped: not UTF-8 (byte {exc.start})")


def read_bytes(source: SourceFile, limit: int) -> tuple[bytes | None, Diagnostic | None]:
    try:
        size = source.path.stat().st_size
        if limit and size > limit:
            return None, Diagnostic(
                source.rel, f"skipped: {size:,} bytes is over max-file-size ({limit:,})"
            )
        return source.path.read_bytes(), None
    except OSError as exc:
        return None, Diagnostic(source.rel, f"cannot read: {exc.strerror or exc}")


class Extractor:
    """Extracts files one by one with one Project (its module cache is shared by the files)."""

    def __init__(
        self,
        config: Config,
        cwd: Path,
        use_cache: bool,
        analysis_salt: str | None = None,
        cache: FileCache | None = None,
    ):
        self.config = config
        self.cwd = cwd
        budget = config.file_time_budget
        self.budget = float(DEFAULT_FILE_BUDGET if budget is None else budget)
        self.cache = cache if cache is not None else file_cache(config, use_cache, analysis_salt)
        self.replay = analysis_salt is not None
        # Whether a result gets ``deps``: a run that neither caches nor asks for dependents
        # (``--no-cache``) would hash every file an analysis read, only to drop the hashes.
        self.hash_reads = True
        # Whether a Python module's sites are kept for the templates it sends: only a run
        # that extracts Jinja2 templates reads them (a 20,000-file tree without templates
        # kept every module's sites in each worker, ~58 MB in all).
        self.keep_for_templates = True
        self._extracted: list[PromptSite] | None = None  # the last file's, when shareable

    @cached_property
    def project(self) -> Project:
        """The tree's module loader, built for the first file extracted: a run whose files all
        come from the cache never imports the resolver."""
        from .resolve.project import Project

        project = Project(self.config.root, read_limit=max(self.config.max_file_size, 1))
        project.configure_templates(self.config.template_dirs, self.config.placeholder_tokens)
        return project

    def cached(self, source: SourceFile) -> FileResult | None:
        """The result without extracting: a cache hit, or an unreadable file; else None."""
        data, problem = read_bytes(source, self.config.max_file_size)
        if data is None:
            return FileResult(diagnostics=[problem] if problem else [])
        return self._replay(
            source, data, self.cache.get(source.rel, self.cache.key(source.rel, data))
        )

    def _replay(
        self, source: SourceFile, data: bytes, entry: CachedFile | None
    ) -> FileResult | None:
        if entry is None:
            return None
        if entry.analysis is None:
            return FileResult(diagnostics=entry.diagnostics)
        if not self.replay:
            return None
        try:
            sites, findings = decode_analysis(entry.analysis, source.rel)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
            return None  # a damaged entry: extract the file again
        repo_path = source.repo_rel or source.rel
        later = _source_later(sites, source, data)
        for site in sites:
            site.repo_path = repo_path
            site.pending_source = later
        if fingerprints_made_at(entry.analysis) != repo_path or not all(
            finding.fingerprint for finding in findings
        ):
            stamp_fingerprints(findings)
        return FileResult(sites, entry.diagnostics, replayed=True, findings=findings)

    def one(self, source: SourceFile, lookup: bool = True) -> FileResult:
        """The file's result: from the cache when ``lookup`` finds it, else extracted (and
        then carrying its cache key and dependencies for ``remember``)."""
        data, problem = read_bytes(source, self.config.max_file_size)
        if data is None:
            return FileResult(diagnostics=[problem] if problem else [])
        key = self.cache.key(source.rel, data)
        if lookup:
            replayed = self._replay(source, data, self.cache.get(source.rel, key))
            if replayed is not None:
                return replayed
        from .resolve.dependencies import Dependencies

        result = self._extract(source, data)
        dependencies = result.dependencies or Dependencies()
        if self.hash_reads:  # also what pre-commit's dependents read
            result.deps = self._hashes(dependencies, source)
        if self.cache.enabled and dependencies.hashable and result.cacheable:
            result.rel, result.cache_key = source.rel, key
        return result

    def _extract(self, source: SourceFile, data: bytes) -> FileResult:
        from .resolve.dependencies import Dependencies

        text, problem = decode_source(source, data)
        if text is None:
            return FileResult(diagnostics=[problem] if problem else [], dependencies=Dependencies())
        self._extracted = None
        with self.project.tracking() as log:
            result = self._extract_text(source, text)
        result.dependencies = log.result()
        if self._extracted is not None and source.kind == "python" and self.keep_for_templates:
            from .extract.template_links import remember_extraction

            remember_extraction(
                self.project, source.path, source.rel, text, self._extracted, result.dependencies
            )
        return result

    def _extract_text(self, source: SourceFile, text: str) -> FileResult:
        result = FileResult()
        extracted: list[PromptSite] | None = None  # the front-end finished: its sites
        try:
            extractor = extractor_for(source.kind)
            found = within_budget(
                self.budget, extractor, text, source.rel, source.path, self.project
            )
            stamp_identity(found.sites, source, text)
            result.sites.extend(found.sites)
            result.diagnostics.extend(found.diagnostics)
            extracted = found.sites
        except FileTimeout:
            message = f"skipped: over the {self.budget:g}s per-file time budget"
            result.diagnostics.append(Diagnostic(source.rel, message))
            result.cacheable = False  # a loaded machine must not make the skip stick
        except RecursionError:
            result.diagnostics.append(Diagnostic(source.rel, "skipped: too deeply nested"))
        except MemoryError:
            result.diagnostics.append(Diagnostic(source.rel, "skipped: out of memory"))
            result.cacheable = False
        except Exception as exc:  # a front-end bug must not stop the run  # noqa: BLE001
            message = f"internal error: {type(exc).__name__}"
            result.diagnostics.append(Diagnostic(source.rel, message))
        problems = self.project.template_problems(self.cwd)
        result.diagnostics.extend(problems)
        if not problems:  # a template the module sends takes its site from here
            self._extracted = extracted
        return result

    def _hashes(self, dependencies: Dependencies, source: SourceFile) -> dict[str, str | None]:
        """Every other file the extraction read or looked for, with its hash (None: absent):
        of the bytes the analysis read where it read them, not of the file as it is now."""
        own = self.project.resolved(source.path)
        read = self.project.read_digests
        return {
            str(path): read[path] if path in read else self.cache.digest(str(path))
            for path in dependencies.paths(own)
        }


def _source_later(
    sites: list[PromptSite], source: SourceFile, data: bytes
) -> Callable[[PromptSite], None]:
    """What a cache hit stamps only when asked (``PromptSite.load_source``): the call text and
    source lines of every site of the file at once, from the bytes already read."""
    done: list[bool] = []

    def stamp(site: PromptSite) -> None:
        text, _ = decode_source(source, data)
        if not done:
            done.append(True)
            stamp_call_text(sites, text)
            stamp_source_lines(sites, text)
            for other in sites:
                other.pending_source = None
        if not any(site is other for other in sites):  # a copy made before it was asked
            stamp_call_text([site], text)
            stamp_source_lines([site], text)

    return stamp


def stamp_identity(sites: list[PromptSite], source: SourceFile, text: str | None) -> None:
    """Each site's repository-relative path and normalized call text, decided once here
    (and the source lines findings point at, for the terminal's caret display)."""
    for site in sites:
        site.repo_path = source.repo_rel or source.rel
    stamp_call_text(sites, text)
    stamp_source_lines(sites, text)


MAX_SOURCE_LINES = 200  # lines kept per call site for the caret display


def stamp_source_lines(sites: list[PromptSite], text: str | None) -> None:
    """Give each site the file's lines it spans and its arguments' lines (not in notebooks,
    whose line numbers count within a cell of the JSON file)."""
    if text is None:
        return
    lines: list[str] | None = None
    for site in sites:
        if site.cell is not None:
            continue
        if lines is None:
            lines = text.splitlines()
        start = site.span.line
        end = min(site.span.end_line or start, start + MAX_SOURCE_LINES - 1)
        wanted = set(range(start, end + 1)) | {span.line for span in site.arg_spans.values()}
        if site.history is not None and site.history.growth_line:
            wanted.add(site.history.growth_line)
        site.source_lines = {n: lines[n - 1] for n in sorted(wanted) if 1 <= n <= len(lines)}


def file_cache(config: Config, use_cache: bool, analysis_salt: str | None = None) -> FileCache:
    cache_dir = config.cache_dir
    return FileCache(
        config.root / cache_dir if cache_dir else config.root / ".costlint_cache",
        cache_salt(config),
        enabled=use_cache,
        analysis_salt=analysis_salt or "",
    )


def remember(
    cache: FileCache,
    results: list[FileResult],
    findings: Sequence[Finding] = (),
    analyses: bool = False,
) -> int:
    """Cache the freshly extracted files and write the cache; returns how many were kept.

    A file with call sites is kept only with ``analyses`` (its sites counted and checked,
    ``findings`` the run's findings) and when the cache was made with an analysis salt.
    """
    by_site: dict[int, list[Finding]] = {}
    order: dict[int, int] = {}
    for number, finding in enumerate(findings):
        by_site.setdefault(id(finding.site), []).append(finding)
        order[id(finding)] = number
    kept = 0
    for result in results:
        if result.cache_key is None or result.deps is None:
            continue
        analysis = None
        if result.sites:
            if not analyses:
                continue
            own = [f for site in result.sites for f in by_site.get(id(site), [])]
            own.sort(key=lambda finding: order[id(finding)])  # the engine's order
            try:
                analysis = encode_analysis(result.rel, result.sites, own)
            except Uncacheable:
                continue
        cache.put(result.rel, result.cache_key, result.diagnostics, result.deps, analysis)
        kept += 1
    cache.flush()
    return kept


def cache_salt(config: Config) -> str:
    """The config that changes what extraction produces, and the Python whose ``ast`` parses
    (a cache restored in CI may come from another Python: newer syntax parses only there)."""
    import sys

    relevant = {
        "template-dirs": config.template_dirs,
        "placeholder-tokens": config.placeholder_tokens,
    } | {
        "max-file-size": config.max_file_size,
        "root": str(config.root),
        "python": list(sys.version_info[:2]),
    }
    return json.dumps(relevant, sort_keys=True, default=str)


def jobs_for(config: Config, count: int) -> int:
    configured = config.jobs
    if configured is not None:
        return max(1, int(configured))
    if count < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


_WORKER: Extractor | None = None


_KEEP_READS = False  # the worker's ``keep_reads`` (see ``extract_all``)


def _init_worker(
    config: Config,
    cwd: Path,
    use_cache: bool,
    analysis_salt: str | None,
    keep_reads: bool,
    templates: bool,
) -> None:
    global _WORKER, _KEEP_READS
    tune_gc()
    _WORKER = Extractor(config, cwd, use_cache, analysis_salt)
    _WORKER.hash_reads = _WORKER.cache.enabled or keep_reads
    _WORKER.keep_for_templates = templates
    _KEEP_READS = keep_reads


def _work(source: SourceFile) -> FileResult:
    assert _WORKER is not None
    result = _WORKER.one(source, lookup=False)  # the parent looked it up already
    return for_the_parent(result, _KEEP_READS)


def for_the_parent(result: FileResult, keep_reads: bool = False) -> FileResult:
    """The result without what the parent never reads, so that holding every file's result
    (20,000 on a large tree) costs it little: the ``Dependencies`` (``deps`` says the same,
    with hashes), and ``deps`` unless ``remember`` caches the file (it has a cache key) or,
    with ``keep_reads``, pre-commit's dependents ask which files a site's analysis read."""
    result.dependencies = None
    if result.cache_key is None and not (keep_reads and result.sites):
        result.deps = None
    return result


def extract_all(
    sources: list[SourceFile],
    config: Config,
    cwd: Path,
    use_cache: bool,
    analysis_salt: str | None = None,
    cache: FileCache | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_reads: bool = False,
) -> list[FileResult]:
    """Results in the order of ``sources``. Cache hits are served here; only the files that
    need work go to worker processes, and only when there are enough of them. Nothing is
    written to the cache: pass ``cache`` and the results to ``remember`` for that.

    With ``analysis_salt`` (see filecache), files with call sites may come from the cache too
    (``replayed``). ``progress`` is told (files done, files in all) as files finish.
    A result keeps what its analysis read (``deps``) only where the cache keeps the file, or,
    with ``keep_reads``, where it has sites (pre-commit's dependents).
    """
    extractor = Extractor(config, cwd, use_cache, analysis_salt, cache)
    extractor.hash_reads = extractor.cache.enabled or keep_reads
    results: list[FileResult | None] = [
        extractor.cached(source) if use_cache else None for source in sources
    ]
    pending = [index for index, result in enumerate(results) if result is None]
    templates = any(sources[index].kind == "jinja" for index in pending)
    extractor.keep_for_templates = templates
    total = len(sources)
    done = total - len(pending)
    if progress is not None:
        progress(done, total)
    jobs = jobs_for(config, len(pending))
    if jobs <= 1:
        for index in pending:
            result = extractor.one(sources[index], lookup=False)
            results[index] = for_the_parent(result, keep_reads)
            done += 1
            if progress is not None:
                progress(done, total)
    else:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        chunk = max(1, min(32, len(pending) // (jobs * 8) or 1))
        work = [sources[index] for index in pending]
        initargs = (config, cwd, use_cache, analysis_salt, keep_reads, templates)
        _import_front_ends({source.kind for source in work}, templates)
        shared = _share_caller_words(config, work, jobs)
        try:
            with context.Pool(jobs, initializer=_init_worker, initargs=initargs) as pool:
                _drop_caller_words(shared)  # the workers hold their copies now
                for index, result in zip(
                    pending, pool.imap(_work, work, chunksize=chunk), strict=True
                ):
                    results[index] = result
                    done += 1
                    if progress is not None:
                        progress(done, total)
        finally:
            _drop_caller_words(shared)
    return [result for result in results if result is not None]


def _import_front_ends(kinds: set[str], templates: bool) -> None:
    """Import, before forking, what every worker would import for its first file: the
    front-ends of ``kinds``, the resolver, and the Jinja2 sandbox when templates are to be
    extracted. Forked workers inherit the modules, so they are imported once, not per worker."""
    from .resolve import dependencies, project  # noqa: F401

    for kind in sorted(kinds):
        try:
            extractor_for(kind)
        except KeyError:
            continue
    if templates:
        from .resolve import jinja_sandbox  # noqa: F401


CALLER_KINDS = frozenset({"python", "notebook", "jinja"})  # front-ends that ask the caller index


def _share_caller_words(
    config: Config, work: list[SourceFile], jobs: int
) -> tuple[Path, int] | None:
    """Build the project's word index (the caller index's one walk) once, before forking,
    when a file to extract may ask it: each worker would otherwise walk the whole tree."""
    if not any(source.kind in CALLER_KINDS for source in work):
        return None
    from .resolve.callers import share_word_index

    key = (config.root.resolve(), max(config.max_file_size, 1))
    share_word_index(*key, jobs)
    return key


def _drop_caller_words(shared: tuple[Path, int] | None) -> None:
    if shared is not None:
        from .resolve.callers import drop_shared_word_index

        drop_shared_word_index(*shared)
