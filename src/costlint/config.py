"""Reading and validating configuration: ``[tool.costlint]`` or ``.costlint.yaml``.

The nearest ``.costlint.yaml`` or ``pyproject.toml`` with a ``[tool.costlint]`` table,
searching from the folder the given paths share (else the run directory) up to the repository
root, wins. A malformed value is a
``ConfigError`` naming the key (exit 2).

A config file inside the repository is part of what a pull request brings: the paths it names
(``PATH_KEYS``) must resolve inside the repository root, symlinks followed, and the files it
names must be regular files of at most ``NAMED_FILE_LIMIT`` bytes. Paths given on the command
line or by the environment are not limited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Folders no walk of the project's Python files looks into (the caller index's walk, and
# the replay cache's list of what that walk can read), besides hidden ones and virtualenvs.
PROJECT_WALK_SKIPPED_DIRS = frozenset(
    {"node_modules", "__pycache__", "site-packages", "venv", ".venv", "env", "build", "dist"}
)


def project_walk_dirs(folder: str, dirs: list[str]) -> list[str]:
    """The subfolders of ``folder`` (from ``os.walk``) a project walk enters, sorted."""
    import os

    return sorted(
        d
        for d in dirs
        if not d.startswith(".")
        and d not in PROJECT_WALK_SKIPPED_DIRS
        and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
    )


DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    ".costlint_cache",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    "build",
    "dist",
)
TOKEN_MODES = ("auto", "api", "estimate")
FAIL_ON = ("error", "warning", "info")  # `fail-on`: the lowest severity that fails `check`
NAMED_FILE_LIMIT = 5_000_000  # bytes of a file a repository's config names
# key -> what a relative path is relative to ("config": the config file's directory)
PATH_KEYS: dict[str, str] = {
    "models": "config",
    "baseline": "config",
    "usage-file": "config",
    "cache-dir": "root",
    "template-dirs": "root",
}


class ConfigError(Exception):
    """Bad configuration or usage: the CLI exits 2 with this message."""


@dataclass
class Config:
    root: Path
    source: Path | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # see ignores_base
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: str = "auto"
    models: Path | None = None
    rules_dir: Path | None = None  # the project's own when: rules (*.yaml)
    max_file_size: int = 5_000_000
    respect_gitignore: bool = True
    # Settings later stages read (None: not set, the stage's default applies).
    usage_file: str | None = None  # relative to the config file
    baseline: str | None = None  # relative to the config file
    fail_on_increase: str | None = None  # `diff`: "10%" or dollars
    fail_on: str | None = None  # `check`: the lowest severity that fails the run
    template_dirs: list[str] | None = None  # relative to the repository root
    placeholder_tokens: int | None = None
    cache_dir: str | None = None  # relative to the repository root
    api_time_budget: float | None = None  # seconds
    file_time_budget: float | None = None  # seconds
    jobs: int | None = None  # worker processes for extraction

    @property
    def ignores_base(self) -> str:
        """What ``per-file-ignores`` patterns are relative to: the config file's folder, as a
        repository-relative POSIX path ("" at the root, or for a config outside the
        repository), so where costlint runs from never changes what they match."""
        if self.source is None:
            return ""
        try:
            folder = self.source.resolve().parent.relative_to(self.root.resolve())
        except (ValueError, OSError):
            return ""
        return "" if folder == Path(".") else folder.as_posix()


# key -> (kind, attribute)
_KEYS: dict[str, str] = {
    "select": "list",
    "ignore": "list",
    "per-file-ignores": "map-list",
    "exclude": "list",
    "extend-exclude": "list",
    "rules": "map-map",
    "tokens": "str",
    "models": "str",
    "rules-dir": "str",
    "max-file-size": "int",
    "respect-gitignore": "bool",
}
# Keys that later stages read (typed fields of Config); validated for type here.
EXTRA_KEYS: dict[str, str] = {
    "usage-file": "str",
    "baseline": "str",
    "fail-on-increase": "str",
    "fail-on": "str",
    "template-dirs": "list",
    "placeholder-tokens": "int",
    "cache-dir": "str",
    "api-time-budget": "number",
    "file-time-budget": "number",
    "jobs": "int",
}


def find_repo_root(start: Path) -> Path:
    current = start.resolve()
    for candidate in (current, *current.parents):
        if (candidate / ".git").exists():
            return candidate
    return current


def find_config_file(start: Path) -> Path | None:
    current = start.resolve()
    stop = find_repo_root(current)
    for candidate in (current, *current.parents):
        yaml_file = candidate / ".costlint.yaml"
        if yaml_file.is_file():
            return yaml_file
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_costlint_table(pyproject):
            return pyproject
        if candidate == stop:
            break
    return None


def _has_costlint_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "[tool.costlint" in text


def search_start(cwd: Path, paths: list[Path] | tuple[Path, ...]) -> Path:
    """Where the search for the config and the repository root starts: the folder the given
    paths share (a file's own folder) when it is inside a git repository, else the run
    directory. So `check app/` from the repository root, `check` in app/ and `check /repo/app`
    from elsewhere read one config."""
    import os

    if not paths:
        return cwd
    folders = []
    for given in paths:
        absolute = Path(os.path.normpath((cwd / given).absolute()))
        folders.append(absolute if absolute.is_dir() else absolute.parent)
    common = Path(os.path.commonpath(folders))
    return common if (find_repo_root(common) / ".git").exists() else cwd


def load_config(start: Path, explicit: Path | None = None) -> Config:
    path = explicit or find_config_file(start)
    root = find_repo_root(start)
    if path is None:
        return Config(root=root)
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"config file not found: {explicit}")
    table = _read_table(path)
    config = Config(root=root, source=path)
    _apply(config, table, path)
    return config


def _read_table(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if path.suffix in (".yaml", ".yml"):
        from .yamlio import YamlError, load_yaml_text

        try:
            data = load_yaml_text(text, str(path))
        except YamlError as exc:
            raise ConfigError(str(exc)) from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of costlint settings")
        return data
    import tomllib  # only when a TOML config exists

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("costlint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.costlint] must be a table")
    return table


def _apply(config: Config, table: dict[str, Any], path: Path) -> None:
    for key, value in table.items():
        kind = _KEYS.get(key) or EXTRA_KEYS.get(key)
        if kind is None:
            known = ", ".join(sorted([*_KEYS, *EXTRA_KEYS]))
            raise ConfigError(f"{path}: unknown key 'costlint.{key}' (known keys: {known})")
        checked = _check(key, value, kind, path)
        if key == "fail-on" and checked not in FAIL_ON:
            raise ConfigError(f"{path}: 'costlint.fail-on' must be one of {', '.join(FAIL_ON)}")
        if key in PATH_KEYS and _inside(path, config.root):
            _confine(config.root, key, checked, path)
        if key in EXTRA_KEYS:
            setattr(config, key.replace("-", "_"), checked)
            continue
        if key == "tokens" and checked not in TOKEN_MODES:
            raise ConfigError(f"{path}: 'costlint.tokens' must be one of {', '.join(TOKEN_MODES)}")
        if key == "models":
            checked = (path.parent / checked).resolve()
        if key == "rules-dir":
            checked = (path.parent / checked).resolve()
            if not checked.is_dir():
                raise ConfigError(f"{path}: 'costlint.rules-dir' {checked} is not a directory")
        setattr(config, key.replace("-", "_"), checked)


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def _confine(root: Path, key: str, value: str | list[str], path: Path) -> None:
    """Paths a repository's own config names stay inside it; the files are small and regular."""
    base = path.parent if PATH_KEYS[key] == "config" else root
    where = f"{path}: 'costlint.{key}'"
    for named in [value] if isinstance(value, str) else value:
        target = base / named
        if not _inside(target, root):
            raise ConfigError(f"{where} = {named!r} is outside the repository {root}")
        if key in ("cache-dir", "template-dirs"):
            continue
        try:
            stat = target.resolve().stat()
        except OSError:
            continue  # not there (yet): the reader reports a missing file
        import stat as kinds

        if not kinds.S_ISREG(stat.st_mode):
            raise ConfigError(f"{where} = {named!r} is not a regular file")
        if stat.st_size > NAMED_FILE_LIMIT:
            raise ConfigError(
                f"{where} = {named!r} is {stat.st_size:,} bytes, over {NAMED_FILE_LIMIT:,}"
            )


def _check(key: str, value: Any, kind: str, path: Path) -> Any:
    where = f"{path}: 'costlint.{key}'"
    if kind == "list":
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings")
        return list(value)
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where} must be a non-negative integer")
        return value
    if kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where} must be a non-negative number")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false")
        return value
    if kind == "map-list":
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table of glob = [codes]")
        result: dict[str, list[str]] = {}
        for glob, codes in value.items():
            if isinstance(codes, str):
                codes = [codes]
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise ConfigError(f"{where}.{glob} must be a list of rule codes")
            result[str(glob)] = list(codes)
        return result
    if kind == "map-map":
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise ConfigError(
                f"{where} must be a table of rule tables, e.g. [tool.costlint.rules.CL002]"
            )
        return {str(k): dict(v) for k, v in value.items()}
    raise ConfigError(f"{where}: unsupported")  # pragma: no cover
