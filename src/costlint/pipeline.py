"""Wires the stages together: discover -> extract -> resolve -> count -> rules.

Pricing and reporting sit on top of the ``RunResult`` this returns. No stage here knows
about the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, ConfigError
from .count import count_sites
from .discover import SourceFile, discover
from .engine import Engine, Rule, load_rules
from .resolve import Project
from .site import Diagnostic, Finding, PromptSite

Extractor = Callable[[str, str, Path, Project], Any]


@dataclass
class RunOptions:
    paths: list[Path] = field(default_factory=list)
    cwd: Path = field(default_factory=Path.cwd)
    select: list[str] | None = None
    ignore: list[str] | None = None
    force_exclude: bool = False
    tokens: str | None = None  # overrides config
    use_cache: bool = True


@dataclass
class RunResult:
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    sites: list[PromptSite]
    files: int
    rules: list[Rule]
    catalog: Any = None
    warnings: list[str] = field(default_factory=list)


DEFAULT_FILE_BUDGET = 10.0  # seconds one file may take to extract before it is skipped


class FileTimeout(Exception):
    """A file took longer than its time budget."""


def within_budget(seconds: float, work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)``; FileTimeout after ``seconds`` (SIGALRM: POSIX, main thread only)."""
    import signal
    import threading

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not usable:
        return work(*args)

    def expire(signum: int, frame: Any) -> None:
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def extractor_for(kind: str) -> Extractor:
    if kind == "python":
        from .extract.python import extract_python

        return extract_python
    if kind == "notebook":
        from .extract.notebook import extract_notebook

        return extract_notebook
    if kind == "jinja":
        from .extract.templates import extract_jinja

        return extract_jinja
    if kind in ("yaml", "prompty", "dotprompt"):
        from .extract import yaml_configs

        return yaml_configs.EXTRACTORS[kind]
    raise KeyError(kind)


def read_source(source: SourceFile, limit: int) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or a diagnostic saying why it cannot be read."""
    try:
        size = source.path.stat().st_size
    except OSError as exc:
        return None, Diagnostic(source.rel, f"cannot read: {exc.strerror or exc}")
    if limit and size > limit:
        return None, Diagnostic(
            source.rel, f"skipped: {size:,} bytes is over max-file-size ({limit:,})"
        )
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        return None, Diagnostic(source.rel, f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data[:8192]:
        return None, Diagnostic(source.rel, "skipped: binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, Diagnostic(source.rel, f"skipped: not UTF-8 (byte {exc.start})")
    return text, None


def validate_rule_options(rules: list[Rule], options: dict[str, dict[str, Any]], where: str):
    by_key = {r.id: r for r in rules} | {r.name: r for r in rules}
    for key, values in options.items():
        rule = by_key.get(key) or by_key.get(key.upper())
        if rule is None:
            raise ConfigError(f"{where}: 'costlint.rules.{key}' is not a rule id or name")
        for name, value in values.items():
            if name not in rule.parameters:
                known = ", ".join(sorted(rule.parameters)) or "none"
                raise ConfigError(
                    f"{where}: 'costlint.rules.{key}.{name}' is not a parameter of {rule.id} "
                    f"(parameters: {known})"
                )
            default = rule.parameters[name]
            if isinstance(default, (int, float)) and not isinstance(default, bool):
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise ConfigError(f"{where}: 'costlint.rules.{key}.{name}' must be a number")


def load_catalog_for(config: Config) -> Any:
    from .catalog import CatalogError, load_catalog

    try:
        return load_catalog(config.models)
    except CatalogError as exc:
        raise ConfigError(str(exc)) from None


def run(config: Config, options: RunOptions) -> RunResult:
    rules = load_rules()
    where = str(config.source or "config")
    validate_rule_options(rules, config.rules, where)
    catalog = load_catalog_for(config)
    project = Project(config.root, read_limit=max(config.max_file_size, 1))
    project.configure_templates(config.extra)
    sites: list[PromptSite] = []
    diagnostics: list[Diagnostic] = []
    files = 0
    file_budget = float(config.extra.get("file-time-budget", DEFAULT_FILE_BUDGET))
    for source in discover(options.paths, config, options.cwd, options.force_exclude):
        files += 1
        text, problem = read_source(source, config.max_file_size)
        if problem is not None:
            diagnostics.append(problem)
            continue
        try:
            extractor = extractor_for(source.kind)
            result = within_budget(file_budget, extractor, text, source.rel, source.path, project)
        except FileTimeout:
            diagnostics.append(
                Diagnostic(source.rel, f"skipped: over the {file_budget:g}s per-file time budget")
            )
            continue
        except RecursionError:
            diagnostics.append(Diagnostic(source.rel, "skipped: too deeply nested to analyse"))
            continue
        except MemoryError:
            diagnostics.append(Diagnostic(source.rel, "skipped: out of memory analysing it"))
            continue
        except Exception as exc:  # a front-end bug must not stop the run  # noqa: BLE001
            diagnostics.append(Diagnostic(source.rel, f"internal error: {type(exc).__name__}"))
            continue
        sites.extend(result.sites)
        diagnostics.extend(result.diagnostics)
    diagnostics.extend(d for d in project.template_diagnostics(options.cwd) if d not in diagnostics)
    warnings: list[str] = []
    stale = catalog_age_warning(catalog)
    if stale:
        warnings.append(stale)
    count_sites(sites, catalog, make_counter(config, options, warnings))
    engine = Engine(
        rules,
        select=options.select if options.select is not None else config.select,
        ignore=[*(config.ignore or []), *(options.ignore or [])],
        per_file_ignores=config.per_file_ignores,
        rule_options=config.rules,
        catalog=catalog,
    )
    findings = engine.run(sites)
    return RunResult(findings, diagnostics, sites, files, engine.rules, catalog, warnings)


CATALOG_MAX_AGE_DAYS = 60


def catalog_age_warning(catalog: Any, today: Any = None) -> str | None:
    """One warning when the model catalog's facts are older than 60 days."""
    age = catalog.age_days(today)
    if age <= CATALOG_MAX_AGE_DAYS:
        return None
    return (
        f"the model catalog was verified {age} days ago ({catalog.verified}); prices and "
        'model status may have changed: upgrade costlint or patch it with `models = "..."`'
    )


def token_mode(config: Config, options: RunOptions) -> str:
    """--tokens wins; in a pre-commit hook "auto" means offline unless config says "api"."""
    import os

    if options.tokens:
        return options.tokens
    if config.tokens == "auto" and os.environ.get("PRE_COMMIT"):
        return "estimate"
    return config.tokens


def make_counter(config: Config, options: RunOptions, warnings: list[str]) -> Any:
    from .tokens import TokenCounter

    def warn(message: str) -> None:
        warnings.append(message.removeprefix("costlint: "))

    cache_dir = config.extra.get("cache-dir")
    return TokenCounter(
        token_mode(config, options),
        cache_dir=(config.root / cache_dir) if cache_dir else config.root / ".costlint_cache",
        use_cache=options.use_cache,
        time_budget=float(config.extra.get("api-time-budget", 60.0)),
        warn=warn,
    )


TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")


@dataclass
class CountResult:
    count: Any  # TokenCount | None
    model: str
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def count_file(
    path: Path, model_id: str, mode: str, use_cache: bool, config: Config
) -> CountResult:
    """Tokens of one prompt file or template, as the user message of a request to ``model_id``."""
    from .tokens import placeholder_request

    catalog = load_catalog_for(config)
    info = catalog.resolve(model_id)
    result = CountResult(None, info.id if info else model_id)
    if info is None:
        result.warnings.append(f"model {model_id!r} is not in the catalog; counting as written")
    text, error = _prompt_text(path, config)
    if text is None:
        result.error = error
        return result
    request = placeholder_request(
        result.model,
        {"messages": [{"role": "user", "content": text}]},
        bool(getattr(info, "new_tokenizer", False)),
    )
    options = RunOptions(tokens=mode, use_cache=use_cache)
    counter = make_counter(config, options, result.warnings)
    result.count = counter.count([request])[0] if request is not None else None
    return result


def _prompt_text(path: Path, config: Config) -> tuple[str | None, str | None]:
    absolute = path.resolve()
    if path.suffix.lower() in TEMPLATE_SUFFIXES:
        from .extract.templates import render_file

        rendered, reason = render_file(Project(config.root), absolute)
        if rendered is None:
            return None, f"{path}: {reason}"
        return rendered.as_str(), None
    try:
        size = absolute.stat().st_size
        if size > config.max_file_size:
            return None, f"{path}: {size:,} bytes is over max-file-size"
        return absolute.read_text(encoding="utf-8-sig"), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{path}: cannot read as UTF-8 text ({type(exc).__name__})"
