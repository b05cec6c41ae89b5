"""The command line: click commands that wire the pipeline stages together, nothing else.

Exit codes: 0 clean, 1 findings (or a cost regression over the threshold), 2 usage, config
or internal error. A scanned file that cannot be read is a diagnostic, never exit 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NamedTuple

import click

from . import __version__
from .replay import Prepared, replayable

FORMATS = ("text", "json", "markdown", "sarif", "github", "gitlab", "junit")
SEVERITIES = ("error", "warning", "info")  # most severe first (--fail-on)
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:  # keep click's usage errors at exit 2
        return super().main(*args, **kwargs)


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away


def _quiet_closed_stdout() -> None:
    """The reader (``| head``) closed the pipe: send what is still buffered to /dev/null, so
    the interpreter's final flush does not print a second error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _guard(func: Callable[..., int]) -> Callable[..., None]:
    """Turn config errors into exit 2 with one clear line, and return codes into exits."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from .config import ConfigError

        try:
            code = func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"costlint: error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            sys.exit(130)
        except BrokenPipeError:
            _quiet_closed_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:  # noqa: BLE001 - never a traceback for users
            click.echo(f"costlint: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        sys.exit(code)

    return wrapper


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="costlint")
def main() -> None:
    """costlint: find the patterns that waste money in code that calls the Claude API."""
    from .budget import tune_gc

    tune_gc()  # for the whole short-lived process: pricing and reports run after the scan


def _split(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _emit(text: str, output_file: Path | None) -> None:
    if output_file is None:
        click.echo(text, nl=False)
        return
    output_file.parent.mkdir(parents=True, exist_ok=True)
    output_file.write_text(text, encoding="utf-8")


def _stack(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Several click decorators as one, applied in the order listed (top to bottom)."""

    def apply(func: Any) -> Any:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


TOKENS_CHOICE = click.Choice(("auto", "api", "estimate"))
NO_CACHE_OPTION = click.option(
    "--no-cache", is_flag=True, help="Do not read or write .costlint_cache/."
)
CONFIG_OPTION = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="Config file."
)
USAGE_FILE_OPTION = click.option(
    "--usage-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Usage file with calls/month per call site (default: costlint-usage.yaml).",
)
OUTPUT_FILE_OPTION = click.option(
    "--output-file",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the output to this file instead of stdout.",
)


class ScanChoices(NamedTuple):
    """The rule, config, token and cache options every scanning command shares."""

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    config_path: Path | None
    tokens: str | None
    no_cache: bool
    force_exclude: bool = False


def _scan_choices(*, force_exclude: bool) -> Callable[[Any], Any]:
    """--select, --ignore, --config, [--force-exclude], --tokens and --no-cache, handed to
    the command as one ``choices: ScanChoices`` argument."""
    options = [
        click.option(
            "--select", multiple=True, help="Rule ids, prefixes or names to run (comma list)."
        ),
        click.option("--ignore", multiple=True, help="Rule ids, prefixes or names to skip."),
        CONFIG_OPTION,
    ]
    if force_exclude:
        options.append(
            click.option(
                "--force-exclude",
                is_flag=True,
                help="Apply exclude even to paths named on the command line.",
            )
        )
    options += [
        click.option(
            "--tokens",
            type=TOKENS_CHOICE,
            default=None,
            help="Token counts: API, offline estimate, or auto (API when a key is set).",
        ),
        NO_CACHE_OPTION,
    ]
    names = ScanChoices._fields

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def collect(*args: Any, **kwargs: Any) -> Any:
            picked = {name: kwargs.pop(name) for name in names if name in kwargs}
            return func(*args, choices=ScanChoices(**picked), **kwargs)

        return _stack(*options)(collect)

    return decorate


def _format_option(formats: tuple[str, ...]) -> Callable[[Any], Any]:
    return click.option(
        "--format",
        "--output-format",
        "output_format",
        type=click.Choice(formats),
        default="text",
        help="Output format (--output-format is the same option).",
    )


# The options `check` and `report` share: what to scan, how to count, how to price.
_scan_options = _stack(
    click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
    _format_option(FORMATS),
    OUTPUT_FILE_OPTION,
    _scan_choices(force_exclude=True),
    USAGE_FILE_OPTION,
)


def _run(
    paths: tuple[Path, ...],
    choices: ScanChoices,
    diagnostics_to_stdout: bool = False,
    fail_on: list[str | None] | None = None,
    echo: bool = True,
    prepared: Prepared | None = None,
    **more: Any,
) -> Any:
    """Runs the pipeline (``more``: further RunOptions); prints warnings and diagnostics
    (unless ``echo`` is False: `check --fix` prints those of its last run only).
    ``fail_on``: a list to which the configured ``fail-on`` is appended. ``prepared``: the
    config and discovered files the replay check computed (not loaded or discovered again)."""
    from .config import ConfigError, load_config, search_start
    from .pipeline import RunOptions, run

    cwd = Path.cwd()
    for path in paths:
        if not (cwd / path).exists():
            raise ConfigError(f"path does not exist: {path}")
    if prepared is not None:
        config = prepared.config
        more["sources"] = prepared.sources
    else:
        config = load_config(search_start(cwd, paths), choices.config_path)
    if fail_on is not None:
        fail_on.append(config.fail_on)
    options = RunOptions(
        paths=list(paths),
        cwd=cwd,
        select=_split(choices.select),
        ignore=_split(choices.ignore),
        force_exclude=choices.force_exclude,
        tokens=choices.tokens,
        use_cache=not choices.no_cache,
        **more,
    )
    from .report.progress import progress_for

    bar = progress_for() if options.progress is None else None
    if bar is not None:
        options.progress = bar
    try:
        result = run(config, options)
    finally:
        if bar is not None:
            bar.close()
    if echo:
        _echo_run(result, diagnostics_to_stdout)
    return result


def _echo_run(result: Any, diagnostics_to_stdout: bool = False) -> None:
    for warning in result.warnings:
        click.echo(f"costlint: warning: {warning}", err=True)
    for diagnostic in result.diagnostics:
        click.echo(f"{diagnostic.path}: {diagnostic.message}", err=not diagnostics_to_stdout)


def under_pre_commit() -> bool:
    import os

    return bool(os.environ.get("PRE_COMMIT"))


def _render(
    output_format: str, result: Any, *, command: str, quiet: bool = False, style: Any = None
) -> str:
    """One output format; check and report differ only in text (findings vs call sites)."""
    costs = result.costs
    if output_format in ("gitlab", "junit"):
        from .report import gitlab, junit

        return (gitlab if output_format == "gitlab" else junit).render(result, costs)
    if output_format == "json":
        from .report import json as renderer

        return renderer.render(result, costs)
    if output_format == "markdown":
        from .report import markdown

        return markdown.render(result, costs)
    if output_format == "sarif":
        from .report import sarif

        return sarif.render(result, costs)
    if output_format == "github":
        from .report import github, markdown

        try:
            github.append_step_summary(markdown.render(result, costs))
        except OSError as exc:
            click.echo(f"costlint: warning: cannot write GITHUB_STEP_SUMMARY: {exc}", err=True)
        return github.render(result, costs)
    from .report import text

    if command == "report":
        return text.render_report(result, costs)
    return text.render(result, costs, quiet=quiet, style=style)


@main.command()
@_scan_options
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Report only findings not in this baseline file (see `costlint baseline`).",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default=None,
    help="Lowest severity that makes the run fail (default: info, any finding).",
)
@click.option(
    "--statistics", is_flag=True, help="Print how many findings each rule has, not the findings."
)
@click.option(
    "--color",
    type=click.Choice(("auto", "always", "never")),
    default="auto",
    show_default=True,
    help="Colour and source lines with carets in text output (auto: on a terminal, unless "
    "NO_COLOR is set).",
)
@click.option("--show-settings", is_flag=True, help="Print the resolved configuration and exit.")
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply safe fixes, then report the rest.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff: also apply unsafe fixes (they change what the program does).",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print the unified diff of the fixes and write nothing (exit 1 if there is one).",
)
@click.option(
    "--show-fixes", is_flag=True, help="List each fix (file:line rule what) and each one skipped."
)
@_guard
@replayable("check")  # an unchanged run prints what it printed (replay.py)
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output_file: Path | None,
    choices: ScanChoices,
    usage_file: Path | None,
    exit_zero: bool,
    quiet: bool,
    baseline_file: Path | None,
    fail_on: str | None,
    statistics: bool,
    color: str,
    show_settings: bool,
    apply_fixes: bool = False,
    unsafe_fixes: bool = False,
    show_diff: bool = False,
    show_fixes: bool = False,
    prepared: Prepared | None = None,
) -> int:
    """Lint PATHS (default: the current directory); exit 1 on findings.

    Under pre-commit (PRE_COMMIT set) a file that does not parse also fails the run, and
    its message goes to stdout (pre-commit shows only a failing hook's output).
    """
    if show_settings:
        from .config import load_config, search_start
        from .settings import render_settings

        config = load_config(search_start(Path.cwd(), paths), choices.config_path)
        _emit(render_settings(config), output_file)
        return EXIT_CLEAN
    if statistics and output_format not in ("text", "json"):
        from .config import ConfigError

        raise ConfigError("--statistics works with --format text or json")
    fixing = apply_fixes or show_diff
    if (unsafe_fixes or show_fixes) and not fixing:
        from .config import ConfigError

        raise ConfigError("--unsafe-fixes and --show-fixes work with --fix or --diff")
    pre_commit = under_pre_commit()
    configured: list[str | None] = []
    to_stdout = pre_commit and output_format == "text"

    def scan() -> Any:
        nonlocal prepared
        given, prepared = prepared, None  # the first scan only: `--fix` scans again
        return _run(
            paths,
            choices,
            prepared=given,
            diagnostics_to_stdout=to_stdout,
            fail_on=configured if not configured else None,  # the first scan reads it
            echo=not fixing,
            usage_file=usage_file,
            use_baseline=True,
            baseline_file=baseline_file,
            dependents=True,
        )

    result = scan()
    if fixing:
        outcome = _fix(
            result, scan, paths, choices.config_path, unsafe_fixes, show_diff, show_fixes
        )
        if show_diff:
            return EXIT_FINDINGS if outcome.changes else EXIT_CLEAN
        result = outcome.run
        _echo_run(result, to_stdout)
    if result.dependents and not quiet:
        click.echo(
            f"costlint: also checked {len(result.dependents)} file(s) that import the given "
            f"files: {', '.join(result.dependents)}",
            err=True,
        )
    if result.baseline is not None and result.baseline.hidden and not quiet:
        applied = result.baseline
        click.echo(
            f"costlint: {applied.hidden} finding(s) in baseline {applied.path} not shown", err=True
        )
    if statistics:
        from .report import statistics as stats

        render_stats = stats.render_json if output_format == "json" else stats.render_text
        rendered = render_stats(result.findings)
    else:
        style = None
        if output_format == "text":
            from .report.terminal import PLAIN, terminal_style

            chosen = terminal_style(color, sys.stdout if output_file is None else None)
            style = None if chosen == PLAIN else chosen
        rendered = _render(output_format, result, command="check", quiet=quiet, style=style)
        if style is not None and output_file is None:
            click.echo(rendered, nl=False, color=True)  # click would strip it off a terminal
            rendered = ""
    if rendered or output_file is not None:
        _emit(rendered, output_file)
    if fixing:
        from .autofix import summary

        click.echo(summary(outcome, len(result.findings)), err=output_format != "text")
    if exit_zero:
        return EXIT_CLEAN
    if failing(result.findings, fail_on or configured[0]):
        return EXIT_FINDINGS
    from .site import PARSE_ERROR  # deferred: a replayed run imports nothing of site

    broken = [d.path for d in result.diagnostics if d.kind == PARSE_ERROR]
    if pre_commit and broken:
        click.echo(
            f"costlint: {len(broken)} file(s) do not parse, so their Claude calls were not "
            f"checked: {', '.join(dict.fromkeys(broken))}"
        )
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _fix(
    result: Any,
    rescan: Callable[[], Any],
    paths: tuple[Path, ...],
    config_path: Path | None,
    unsafe: bool,
    diff_only: bool,
    show_fixes: bool,
) -> Any:
    """Apply (or, with ``diff_only``, print the diff of) the fixes for ``result``'s findings."""
    from .autofix import describe, fix, summary
    from .config import load_config, search_start

    root = load_config(search_start(Path.cwd(), paths), config_path).root
    outcome = fix(result, rescan, root, unsafe=unsafe, write=not diff_only)
    if diff_only:
        _echo_run(result)
        click.echo(outcome.diff(), nl=False)
    if show_fixes:
        word = "Would fix" if diff_only else "Fixed"
        for line in describe(outcome, applied_word=word):
            click.echo(line, err=True)
    if diff_only:
        remaining = len(result.findings) - outcome.fixed
        click.echo(summary(outcome, remaining, diff=True), err=True)
    return outcome


def failing(findings: list[Any], fail_on: str | None) -> bool:
    """Whether any finding is at least ``fail_on`` severe (None: any finding fails)."""
    if fail_on is None:
        return bool(findings)
    worst_allowed = SEVERITIES.index(fail_on)
    return any(
        SEVERITIES.index(f.severity) <= worst_allowed for f in findings if f.severity in SEVERITIES
    )


@main.command()
@_scan_options
@click.option(
    "--write-usage",
    is_flag=True,
    help="Write a usage file listing every call site (to --usage-file, the configured "
    "usage-file, or costlint-usage.yaml at the repository root), keeping figures already set.",
)
@_guard
@replayable("report")
def report(
    paths: tuple[Path, ...],
    output_format: str,
    output_file: Path | None,
    choices: ScanChoices,
    usage_file: Path | None,
    write_usage: bool,
    prepared: Prepared | None = None,
) -> int:
    """Projected monthly cost of each call site in PATHS and what each finding's fix saves.

    Exits 0 whatever it finds (2 on a usage or config error): use `check` to gate CI.
    """
    result = _run(paths, choices, prepared=prepared, usage_file=usage_file, write_usage=write_usage)
    written = result.usage_written
    if written is not None:
        click.echo(
            f"costlint: wrote {written.path}: {written.sites} call site(s), {written.new} new",
            err=True,
        )
    _emit(_render(output_format, result, command="report"), output_file)
    return EXIT_CLEAN


@main.command("baseline")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_scan_choices(force_exclude=True)
@_guard
def baseline_command(file: Path, paths: tuple[Path, ...], choices: ScanChoices) -> int:
    """Write FILE: today's findings in PATHS, which `check --baseline FILE` then hides."""
    from . import baseline

    result = _run(paths, choices, price=False)
    _emit(baseline.render(result.findings), file)
    click.echo(f"costlint: wrote {file}: {len(result.findings)} finding(s)", err=True)
    return EXIT_CLEAN


DIFF_FORMATS = ("text", "json", "markdown", "github")


@main.command("diff")
@click.option("--base", "base_ref", help="Git ref to compare against (e.g. origin/main, HEAD~1).")
@click.option("--head", "head_ref", help="Git ref for the new side (default: the working tree).")
@click.option(
    "--base-report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Compare against a saved `costlint report --format json` instead of a git ref.",
)
@click.option(
    "--fail-on-increase",
    help="Exit 1 when monthly cost grows by more than this: '10%' or dollars ('50').",
)
@_format_option(DIFF_FORMATS)
@OUTPUT_FILE_OPTION
@_scan_choices(force_exclude=False)
@USAGE_FILE_OPTION
@click.option(
    "--allow-parse-errors",
    is_flag=True,
    help="Warn, instead of exit 1, when a file with Claude calls does not parse on a side.",
)
@_guard
def diff_command(
    base_ref: str | None,
    head_ref: str | None,
    base_report: Path | None,
    fail_on_increase: str | None,
    output_format: str,
    output_file: Path | None,
    choices: ScanChoices,
    usage_file: Path | None,
    allow_parse_errors: bool,
) -> int:
    """Projected monthly cost of the working tree (or --head) vs a git ref or a saved report.

    Exits 1 when the increase is over --fail-on-increase, or when a file with Claude call
    sites (or naming anthropic / Claude) does not parse on a side (unless
    --allow-parse-errors); 0 otherwise, 2 on an error.
    """
    from .config import ConfigError, load_config
    from .diff import ScanRequest, Threshold, compare, diff_git, scan_tree, side_from_report
    from .gitsource import GitError
    from .usage import find_usage

    if (base_ref is None) == (base_report is None):
        raise ConfigError("diff needs exactly one of --base REF or --base-report FILE")
    cwd = Path.cwd()
    config = load_config(cwd, choices.config_path)
    limit = fail_on_increase or config.fail_on_increase
    threshold = Threshold.parse(limit) if limit not in (None, "") else None
    request = ScanRequest(
        config,
        find_usage(config, usage_file, cwd),
        select=_split(choices.select),
        ignore=_split(choices.ignore),
        tokens=choices.tokens,
        use_cache=not choices.no_cache,
    )
    try:
        if base_ref is not None:
            base, head = diff_git(request, cwd, base_ref, head_ref)
        else:
            if head_ref is not None:
                raise ConfigError("--head works with --base; --base-report compares the tree")
            base = side_from_report(base_report)  # type: ignore[arg-type]
            head = scan_tree(request, cwd, "working tree", repo_root=config.root)
    except GitError as exc:
        raise ConfigError(str(exc)) from None
    for warning in request.warnings:
        click.echo(f"costlint: warning: {warning}", err=True)
    result = compare(base, head, threshold)
    _emit(_render_diff(output_format, result), output_file)
    level = "warning" if allow_parse_errors else "error"
    for failure in result.blocking:
        click.echo(
            f"costlint: {level}: {failure.path} does not parse on {failure.side}, so its call "
            f"sites are counted as unchanged: {failure.message}",
            err=True,
        )
    code = EXIT_FINDINGS if result.blocking and not allow_parse_errors else EXIT_CLEAN
    if result.exceeded and threshold is not None:
        from .report.diff_markdown import headline

        limit = threshold.describe()
        click.echo(f"costlint: {headline(result)}: over --fail-on-increase {limit}", err=True)
        return EXIT_FINDINGS
    return code


def _render_diff(output_format: str, result: Any) -> str:
    from .report import diff_formats, diff_markdown

    if output_format == "markdown":
        return diff_markdown.render(result)
    if output_format == "json":
        return diff_formats.render_json(result)
    if output_format == "github":
        from .report import github

        try:
            github.append_step_summary(diff_markdown.render(result))
        except OSError as exc:
            click.echo(f"costlint: warning: cannot write GITHUB_STEP_SUMMARY: {exc}", err=True)
        return diff_formats.render_github(result)
    return diff_formats.render_text(result)


@main.group("comment")
def comment_group() -> None:
    """Post a Markdown report (e.g. `costlint diff --format markdown`) on a pull request."""


def _comment_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--body-file",
            type=click.Path(path_type=Path, dir_okay=False),
            required=True,
            help="The Markdown to post ('-' reads stdin).",
        ),
        click.option(
            "--behavior",
            type=click.Choice(("update", "new")),
            default="update",
            show_default=True,
            help="update: edit costlint's earlier comment (found by its marker), else create "
            "one; new: always create one.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _post_comment(
    target_for: Callable[[dict[str, str]], Any], body_file: Path, behavior: str
) -> int:
    import os

    from .comment.http import CommentError
    from .comment.post import post

    try:
        if str(body_file) == "-":
            body = sys.stdin.read()
        else:
            body = body_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"costlint: error: cannot read --body-file {body_file}: {exc}", err=True)
        return EXIT_ERROR
    try:
        posted = post(target_for(dict(os.environ)), body, behavior)
    except CommentError as exc:
        click.echo(f"costlint: error: {exc}", err=True)
        return EXIT_ERROR
    where = f": {posted.url}" if posted.url else ""
    click.echo(f"costlint: {posted.action} comment {posted.id}{where}", err=True)
    return EXIT_CLEAN


@comment_group.command("github")
@_comment_options
@click.option("--repo", required=True, help="OWNER/NAME (in Actions: $GITHUB_REPOSITORY).")
@click.option("--pull-request", type=int, required=True, help="The pull request's number.")
@_guard
def comment_github(body_file: Path, behavior: str, repo: str, pull_request: int) -> int:
    """Post or update the comment on a GitHub pull request.

    Token from GITHUB_TOKEN; API root from GITHUB_API_URL (default https://api.github.com).
    """
    from .comment.post import github

    return _post_comment(lambda env: github(repo, pull_request, env), body_file, behavior)


@comment_group.command("gitlab")
@_comment_options
@click.option("--project", required=True, help="Project id or path (in CI: $CI_PROJECT_ID).")
@click.option("--merge-request", type=int, required=True, help="The merge request's IID.")
@_guard
def comment_gitlab(body_file: Path, behavior: str, project: str, merge_request: int) -> int:
    """Post or update the note on a GitLab merge request.

    Token from GITLAB_TOKEN (scope api); API root from CI_API_V4_URL.
    """
    from .comment.post import gitlab

    return _post_comment(lambda env: gitlab(project, merge_request, env), body_file, behavior)


@main.group("usage")
def usage_group() -> None:
    """The usage file: calibrate it from real traffic."""


@usage_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Config file.")
@click.option("--tokens", type=click.Choice(("auto", "api", "estimate")), default=None)
@click.option("--no-cache", is_flag=True, help="Do not read or write .costlint_cache/.")
@click.option(
    "--usage-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The usage file to calibrate (default: the configured one, or costlint-usage.yaml "
    "at the repository root).",
)
@_guard
def usage_import(
    file: Path,
    paths: tuple[Path, ...],
    config_path: Path | None,
    tokens: str | None,
    no_cache: bool,
    usage_file: Path | None,
) -> int:
    """Calibrate the usage file from FILE, a usage report of the Anthropic Admin API
    (/v1/organizations/usage_report/messages grouped by model), for the call sites in PATHS.

    Each model's month of tokens is spread over the call sites using that model, with the
    same number of calls each (an approximation: the report is per model, not per call site).
    Never uses the network: fetch the report yourself. See docs/cost-model.md.
    """
    from .config import load_config, search_start
    from .usage import default_usage, load_usage, usage_target, write_usage
    from .usage_import import calibrate, calibrated_usage, read_usage_report

    report = read_usage_report(file)  # a malformed report stops here, before the scan
    choices = ScanChoices((), (), config_path, tokens, no_cache)
    result = _run(paths, choices, price=False)
    config = load_config(search_start(Path.cwd(), paths), config_path)
    target = usage_target(config, usage_file, Path.cwd())
    usage = load_usage(target) if target.is_file() else default_usage()
    calibration = calibrate(result.sites, report, usage, result.catalog)
    write_usage(result.sites, target, calibrated_usage(usage, calibration))
    days = report.seconds / 86_400
    click.echo(
        f"costlint: calibrated {len(calibration.sites)} call site(s) in {target} from "
        f"{days:,.1f} day(s) of traffic scaled to a month",
        err=True,
    )
    for site in calibration.sites:
        click.echo(
            f"  {site.address}: {site.model}, {site.calls_per_month:,.0f} calls/month, "
            f"{site.output_tokens:,} output tokens/call",
            err=True,
        )
    if calibration.unmatched_models:
        names = ", ".join(calibration.unmatched_models)
        click.echo(f"  traffic with no call site in the scan (left out): {names}", err=True)
    if calibration.unresolved_sites:
        names = ", ".join(calibration.unresolved_sites)
        click.echo(f"  not calibrated (no resolved model or prompt): {names}", err=True)
    if calibration.models_without_input:
        names = ", ".join(calibration.models_without_input)
        click.echo(f"  not calibrated (no input tokens in the report): {names}", err=True)
    return EXIT_CLEAN


@main.command("init")
@click.option("--yaml", "use_yaml", is_flag=True, help="Write .costlint.yaml, not [tool.costlint].")
@_guard
def init_command(use_yaml: bool) -> int:
    """Write a starter configuration and a usage-file skeleton here (never overwrites)."""
    from .init import init_project

    for written in init_project(Path.cwd(), yaml=use_yaml):
        click.echo(f"costlint: wrote {written.path.name}: {written.what}", err=True)
    click.echo("costlint: next: costlint report --write-usage, then edit the figures", err=True)
    return EXIT_CLEAN


@main.command("rules")
@_guard
def rules_command() -> int:
    """List the rules: id, name, severity and what each catches."""
    from .engine import load_rules

    for rule in load_rules():
        preview = (
            " (preview: off unless selected by id or name)" if rule.status == "preview" else ""
        )
        click.echo(f"{rule.id}  {rule.name:<24} {rule.severity:<8} {rule.summary}{preview}")
    return EXIT_CLEAN


@main.command()
@click.argument("rule")
@_guard
def explain(rule: str) -> int:
    """Print one rule's documentation (by id or name)."""
    from .config import ConfigError
    from .engine import load_rules

    for candidate in load_rules():
        if rule.upper() == candidate.id or rule == candidate.name:
            click.echo(render_rule_doc(candidate))
            return EXIT_CLEAN
    raise ConfigError(f"unknown rule: {rule} (see `costlint rules`)")


def render_rule_doc(rule: Any) -> str:
    docs = rule.docs
    sections = [
        f"{rule.id} {rule.name} ({rule.severity}, {rule.category})",
        "",
        rule.summary,
        "",
        "What it does",
        docs["what"].rstrip(),
        "",
        "Why is this bad?",
        docs["why"].rstrip(),
        "",
        "Example",
        docs["example"].rstrip(),
        "",
        "Use instead",
        docs["use_instead"].rstrip(),
    ]
    if docs.get("cost_model"):
        sections += ["", "Cost model", docs["cost_model"].rstrip()]
    from .autofix.safety import describe_fixability

    sections += ["", "Autofix", describe_fixability(rule.remedy_kinds())]
    if rule.parameters:
        sections += ["", "Options"]
        sections += [f"  {key} = {value!r}" for key, value in rule.parameters.items()]
    return "\n".join(sections)


@main.command()
@CONFIG_OPTION
@click.option("--all", "show_all", is_flag=True, help="Include retired models.")
@_guard
def models(config_path: Path | None, show_all: bool) -> int:
    """Print the model catalog: prices per MTok, limits, status, and its age."""
    from .config import load_config
    from .pipeline import load_catalog_for
    from .report.models_table import render_models

    catalog = load_catalog_for(load_config(Path.cwd(), config_path))
    click.echo(render_models(catalog, show_all), nl=False)
    return EXIT_CLEAN


@main.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--model", "model_id", default="claude-sonnet-5-5", show_default=True)
@click.option("--tokens", type=TOKENS_CHOICE, default="auto")
@NO_CACHE_OPTION
@_guard
def count(file: Path, model_id: str, tokens: str, no_cache: bool) -> int:
    """Count the tokens of one prompt file or template (API or estimate, saying which)."""
    from .config import ConfigError, load_config
    from .pipeline import count_file

    config = load_config(Path.cwd())
    result = count_file(file, model_id, tokens, not no_cache, config)
    for warning in result.warnings:
        click.echo(f"costlint: warning: {warning}", err=True)
    if result.count is None:
        raise ConfigError(result.error or f"cannot count {file}")
    click.echo(f"{file}: {result.count.count:,} tokens ({result.count.source}) for {result.model}")
    return EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    main()
