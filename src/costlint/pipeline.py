"""Owns every stage: discover -> extract (calling resolve) -> count -> rules -> baseline ->
usage -> price, and returns one typed ``Run`` for the renderers. No stage here knows
about the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .config import Config, ConfigError
from .discover import SourceFile, discover
from .engine import Engine, Rule, load_project_rules, load_rules
from .extraction import (  # noqa: F401 (FileTimeout, extractor_for: re-exported)
    FileTimeout,
    extract_all,
    extractor_for,
    file_cache,
    remember,
    tune_gc,
)
from .sdkpin import SdkPin, find_sdk_pin
from .site import Diagnostic, Finding, PromptSite

if TYPE_CHECKING:
    from .baseline import BaselineApplied
    from .price import CostReport
    from .usage import Usage


@dataclass
class RunOptions:
    paths: list[Path] = field(default_factory=list)
    cwd: Path = field(default_factory=Path.cwd)
    select: list[str] | None = None
    ignore: list[str] | None = None
    force_exclude: bool = False
    tokens: str | None = None  # overrides config
    use_cache: bool = True
    usage_file: Path | None = None  # --usage-file (else the configured or default one)
    usage: Usage | None = None  # a usage already loaded (diff prices both sides with one)
    write_usage: bool = False  # write the usage file listing every site before pricing
    use_baseline: bool = False  # hide findings recorded in a baseline (`check`)
    baseline_file: Path | None = None  # --baseline (else the configured one)
    price: bool = True  # False: findings only (`costlint baseline`)
    # What repository-relative paths are relative to (default: the config's root).
    repo_root: Path | None = None
    # With explicit files (`check FILES`): also check the project files importing them.
    dependents: bool = False
    # Called with (files extracted, files to extract) as extraction goes (a progress bar).
    progress: Callable[[int, int], None] | None = None
    # The files to scan, already discovered for these paths, cwd, force_exclude and repo_root
    # (the replay check's discovery, handed over on a miss); None: discover them.
    sources: list[SourceFile] | None = None


class UsageWritten(NamedTuple):
    path: Path
    sites: int
    new: int


@dataclass
class Run:
    """Everything one run of the pipeline produced, for the renderers."""

    findings: list[Finding]
    diagnostics: list[Diagnostic]
    sites: list[PromptSite]
    files: int
    rules: list[Rule]
    catalog: Any = None
    warnings: list[str] = field(default_factory=list)
    costs: CostReport | None = None
    baseline: BaselineApplied | None = None
    usage_written: UsageWritten | None = None
    # Files checked because they import the given files, and whose call sites depend on them.
    dependents: list[str] = field(default_factory=list)
    sdk: SdkPin | None = None  # the anthropic SDK version the project pins


RunResult = Run  # the name tests and older callers use


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


def validate_selectors(rules: list[Rule], config: Config, options: RunOptions) -> None:
    """An unknown rule id, prefix or name anywhere a selection is made is exit 2, naming it:
    a typo must never turn the check off."""
    from .engine import known_selector

    where = str(config.source or "config")
    places: list[tuple[str, list[str]]] = [
        ("--select", options.select or []),
        ("--ignore", options.ignore or []),
        (f"{where}: 'costlint.select'", config.select or []),
        (f"{where}: 'costlint.ignore'", config.ignore or []),
    ]
    places += [
        (f"{where}: 'costlint.per-file-ignores' for {glob!r}", codes)
        for glob, codes in config.per_file_ignores.items()
    ]
    for place, selectors in places:
        for selector in selectors:
            if selector.strip() and not known_selector(selector, rules):
                raise ConfigError(
                    f"{place}: {selector!r} is not a rule id, prefix or name (see `costlint rules`)"
                )


def unknown_suppressions(sites: list[PromptSite], rules: list[Rule]) -> list[Diagnostic]:
    """A suppression comment naming no rule (a typo hides nothing): one diagnostic per line."""
    from .site import UNKNOWN_SUPPRESSION

    known = {rule.id for rule in rules} | {rule.name.upper() for rule in rules} | {"*"}
    found: dict[tuple[str, int | None, int], Diagnostic] = {}
    for site in sites:
        unknown = sorted((site.ignore or frozenset()) - known)
        if not unknown:
            continue
        line = site.span.line if site.span is not None else None
        where = f"cell {site.cell}, line {line}" if site.cell is not None else f"line {line}"
        names = ", ".join(unknown)
        message = (
            f"{where}: the suppression comment names unknown rule(s) {names}, which suppress "
            "nothing (see `costlint rules`)"
        )
        key = (site.path, line, site.cell if site.cell is not None else -1)
        found.setdefault(key, Diagnostic(site.path, message, UNKNOWN_SUPPRESSION, line))
    return list(found.values())


def load_catalog_for(config: Config) -> Any:
    from .catalog import CatalogError, load_catalog

    try:
        return load_catalog(config.models)
    except CatalogError as exc:
        raise ConfigError(str(exc)) from None


def run(config: Config, options: RunOptions) -> Run:
    """The whole pipeline, with the cyclic GC tuned for it (see budget.GC_THRESHOLDS)."""
    import gc

    previous = tune_gc()
    try:
        return _run(config, options)
    finally:
        gc.set_threshold(*previous)


def _run(config: Config, options: RunOptions) -> Run:
    """Scan, count, check; then hide baselined findings, write the usage file, price."""
    result = scan(config, options)
    baseline_path = _baseline_path(config, options)
    if baseline_path is not None:
        from . import baseline

        known = baseline.load(baseline_path)
        total = len(result.findings)
        result.findings = baseline.filter_new(result.findings, known)
        result.baseline = baseline.BaselineApplied(baseline_path, total - len(result.findings))
    from .price import price_run
    from .usage import default_usage, find_usage, load_usage, usage_target, write_usage

    if options.write_usage:
        target = usage_target(config, options.usage_file, options.cwd)
        existing = load_usage(target) if target.is_file() else default_usage()
        new = write_usage(result.sites, target, existing)
        result.usage_written = UsageWritten(target, len(result.sites), new)
    if options.price:
        usage = options.usage or find_usage(config, options.usage_file, options.cwd)
        result.costs = price_run(result, usage)
    return result


def _baseline_path(config: Config, options: RunOptions) -> Path | None:
    if not options.use_baseline:
        return None
    if options.baseline_file is None and not config.baseline:
        return None
    from . import baseline

    return baseline.resolve_path(options.baseline_file, config, options.cwd)


def scan(config: Config, options: RunOptions) -> Run:
    """Discover, extract, count and check: findings without prices."""
    rules = load_rules()
    if config.rules_dir is not None:
        rules = [*rules, *load_project_rules(config.rules_dir, rules)]
    where = str(config.source or "config")
    validate_rule_options(rules, config.rules, where)
    validate_selectors(rules, config, options)
    catalog = load_catalog_for(config)
    sdk = find_sdk_pin(config.root)
    warnings: list[str] = []
    stale = catalog_age_warning(catalog)
    if stale:
        warnings.append(stale)
    counter = make_counter(config, options, warnings)
    engine = Engine(
        rules,
        select=options.select if options.select is not None else config.select,
        ignore=[*(config.ignore or []), *(options.ignore or [])],
        per_file_ignores=config.per_file_ignores,
        ignores_base=config.ignores_base,
        rule_options=config.rules,
        catalog=catalog,
        sdk=sdk,
    )
    salt = analysis_salt(config, options, engine, counter) if options.use_cache else None
    cache = file_cache(config, options.use_cache, salt)
    sources = options.sources
    if sources is None:
        sources = list(
            discover(options.paths, config, options.cwd, options.force_exclude, options.repo_root)
        )
    # Nominated before the extraction: the project listing this makes also answers the
    # cache's trust check (one `git` process instead of two).
    nominated = _nominated(sources, config, options) if _explicit_files(options) else []
    results = extract_all(
        sources, config, options.cwd, options.use_cache, salt, cache, options.progress
    )
    dependents = _dependents(sources, nominated, config, options) if nominated else []
    sites: list[PromptSite] = []
    fresh: list[PromptSite] = []
    replayed: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    seen: set[Diagnostic] = set()  # each listed once, in the order first met
    for result in [*results, *dependents]:
        sites.extend(result.sites)
        if result.replayed:
            replayed.extend(result.findings)
        else:
            fresh.extend(result.sites)
        for diagnostic in result.diagnostics:
            if diagnostic not in seen:
                seen.add(diagnostic)
                diagnostics.append(diagnostic)
    diagnostics.extend(unknown_suppressions(sites, rules))
    before = len(warnings)
    if fresh:  # sites served from the cache keep their counts
        from .count import count_sites

        count_sites(fresh, catalog, counter)
    findings = engine.run(fresh)
    if options.use_cache:  # counts that fell back to estimates are not kept
        remember(cache, results, findings, analyses=salt is not None and len(warnings) == before)
    if replayed:
        findings = sorted([*findings, *replayed], key=Engine.order)
    run = Run(findings, diagnostics, sites, len(sources), engine.rules, catalog, warnings)
    run.sdk = sdk
    run.dependents = [result.rel for result in dependents]
    return run


def _explicit_files(options: RunOptions) -> bool:
    """`check FILES` (what pre-commit runs): every path names a file."""
    return (
        options.dependents
        and bool(options.paths)
        and all((options.cwd / path).is_file() for path in options.paths)
    )


def _nominated(sources: list[Any], config: Config, options: RunOptions) -> list[Any]:
    """The project files that may import the given ones (a text search, dependents.py)."""
    from .dependents import importers

    return importers(sources, config, options.cwd, options.repo_root)


def _dependents(
    sources: list[Any], candidates: list[Any], config: Config, options: RunOptions
) -> list[Any]:
    """The ``candidates`` (importers of the given files) whose call sites' analysis read one
    of them (extracted afresh: a cached analysis does not say what it read)."""
    given = {str(source.path.resolve()) for source in sources}
    if not candidates:
        return []
    results = extract_all(candidates, config, options.cwd, use_cache=False, keep_reads=True)
    kept = []
    for source, result in zip(candidates, results, strict=True):
        if result.sites and given & set(result.deps or {}):
            result.rel = source.rel
            kept.append(result)
    return kept


def analysis_salt(config: Config, options: RunOptions, engine: Engine, counter: Any) -> str:
    """What a file's cached findings and counts depend on besides its content (filecache)."""
    import hashlib
    import json
    import os

    backend = "estimate"
    if counter.uses_api:
        backend = "api " + os.environ.get("ANTHROPIC_BASE_URL", "")
    models = config.models
    catalog_patch = None
    if models is not None:
        try:
            catalog_patch = hashlib.sha256(Path(models).read_bytes()).hexdigest()
        except OSError:
            catalog_patch = "unreadable"
    settings = {
        "cwd": str(options.cwd.resolve()),
        "tokens": backend,
        "rules": [
            [rule.id, rule.severity, rule.status, rule.points_at, engine.contexts[rule.id].params]
            + ([rule.declared.source] if rule.declared else [])
            for rule in engine.rules
        ],
        "per-file-ignores": [engine.ignores_base, engine.per_file_ignores],
        "catalog": [str(models), catalog_patch],
        "sdk": engine.sdk.describe() if engine.sdk is not None else None,
    }
    return json.dumps(settings, sort_keys=True, default=str)


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
    """--tokens wins over config; in a pre-commit hook "auto" (given or configured, and what
    `costlint count` defaults to) means offline, unless the config says "api"."""
    import os

    mode = options.tokens or config.tokens
    if mode == "auto" and config.tokens != "api" and os.environ.get("PRE_COMMIT"):
        return "estimate"
    return mode


def make_counter(config: Config, options: RunOptions, warnings: list[str]) -> Any:
    from .tokens import TokenCounter

    def warn(message: str) -> None:
        warnings.append(message.removeprefix("costlint: "))

    cache_dir = config.cache_dir
    counter = TokenCounter(
        token_mode(config, options),
        cache_dir=(config.root / cache_dir) if cache_dir else config.root / ".costlint_cache",
        use_cache=options.use_cache,
        time_budget=float(60.0 if config.api_time_budget is None else config.api_time_budget),
        warn=warn,
    )
    if counter.mode == "api" and counter.api_key is None:
        asked = (
            "--tokens api"
            if options.tokens == "api"
            else f"{config.source or 'config'}: 'costlint.tokens' = \"api\""
        )
        raise ConfigError(
            f"{asked} needs ANTHROPIC_API_KEY in the environment; set it, or use --tokens "
            "estimate (offline) or auto (the API only when a key is set)"
        )
    return counter


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
        from .resolve.project import Project
        from .resolve.templates import render_file

        rendered, reason = render_file(Project(config.root).templates, absolute)
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
