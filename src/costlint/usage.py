"""The usage file, ``costlint-usage.yaml``: how often each call site runs and what it sends.

Static analysis sees what a request contains, never how often it is made. Like infracost's
usage file, this file supplies the volume and shape the cost model needs::

    version: 1
    defaults:                        # any call site without an entry of its own
      calls_per_month: 10000
      output_tokens: 400
      turns_per_conversation: 10
      new_tokens_per_turn: 200
    call_sites:
      "app/summarize.py::summarize_ticket":      # path::function (relative to the repo root)
        calls_per_month: 250000
      "app/chat.py::Chat.send#1":               # the second call in Chat.send
        model: claude-sonnet-5-5                 # when the code does not name the model
      "scripts/*":                               # a path glob (* also matches /)
        calls_per_month: 30

Precedence, lowest first: built-in defaults, the file's ``defaults``, path globs and address
globs in file order, then an exact address. Every value remembers where it came from, so
reports can mark the figures that are defaults.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, ConfigError
from .site import PromptSite

VERSION = 1
FILE_NAMES = ("costlint-usage.yaml", "costlint-usage.yml")

# The documented defaults (docs/cost-model.md): used when no usage file says otherwise.
DEFAULTS: dict[str, float] = {
    "calls_per_month": 10_000,
    "output_tokens": 400,
    "turns_per_conversation": 10,
    "new_tokens_per_turn": 200,
}
FIELD_HELP = {
    "calls_per_month": "requests per month (for a conversation: one per turn)",
    "output_tokens": "tokens generated per call (billed), not max_tokens",
    "turns_per_conversation": "turns per conversation, for call sites whose history grows",
    "new_tokens_per_turn": "tokens each call adds that the source does not show (user input)",
    "model": "model id, for a call site whose model the code does not name statically",
}
SITE_KEYS = (*DEFAULTS, "model")
TOP_KEYS = ("version", "defaults", "call_sites")
BUILTIN = "built-in default"
FILE_DEFAULT = "usage file defaults"
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class SiteUsage:
    """The usage figures for one call site, each with where it came from."""

    calls_per_month: float
    output_tokens: int
    turns_per_conversation: int
    new_tokens_per_turn: int
    model: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)

    def is_default(self, name: str) -> bool:
        """True when the figure is not specific to this call site (reports mark it with *)."""
        return self.sources.get(name, BUILTIN) in (BUILTIN, FILE_DEFAULT)


@dataclass(frozen=True)
class Usage:
    """A loaded usage file (or the built-in defaults when ``path`` is None)."""

    path: Path | None = None
    defaults: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULTS))
    file_defaults: frozenset[str] = frozenset()  # which defaults the file itself set
    entries: tuple[tuple[str, Mapping[str, Any]], ...] = ()

    def for_site(self, site: PromptSite) -> SiteUsage:
        """Usage for a site, keyed by its repository-relative address."""
        return self.for_address(site.repo_address, site.repo_path or site.path)

    def for_address(self, address: str, path: str) -> SiteUsage:
        values: dict[str, Any] = dict(self.defaults)
        sources = {
            name: FILE_DEFAULT if name in self.file_defaults else BUILTIN for name in DEFAULTS
        }
        for key, entry in self._matching(address, path):
            for name, value in entry.items():
                values[name] = value
                sources[name] = key
        return SiteUsage(
            calls_per_month=float(values["calls_per_month"]),
            output_tokens=int(values["output_tokens"]),
            turns_per_conversation=int(values["turns_per_conversation"]),
            new_tokens_per_turn=int(values["new_tokens_per_turn"]),
            model=values.get("model"),
            sources=sources,
        )

    def _matching(self, address: str, path: str) -> list[tuple[str, Mapping[str, Any]]]:
        path_globs, address_globs, exact = [], [], []
        for key, entry in self.entries:
            if "::" in key:
                if key == address:
                    exact.append((key, entry))
                elif _is_glob(key) and fnmatch.fnmatchcase(address, key):
                    address_globs.append((key, entry))
            elif _path_matches(key, path):
                path_globs.append((key, entry))
        return [*path_globs, *address_globs, *exact]

    def keys(self) -> set[str]:
        return {key for key, _ in self.entries}

    def describe(self) -> str:
        """One line for the assumptions: where the figures came from."""
        if self.path is None:
            return "no usage file: built-in defaults for every call site"
        return f"usage file {self.path}"


def _is_glob(key: str) -> bool:
    return any(char in _GLOB_CHARS for char in key)


def _path_matches(key: str, path: str) -> bool:
    bare = key.rstrip("/")
    return fnmatch.fnmatchcase(path, key) or path == bare or path.startswith(bare + "/")


# ---------------------------------------------------------------------------- loading


def default_usage() -> Usage:
    return Usage()


def load_usage(path: Path) -> Usage:
    """Reads and validates a usage file; any problem is a ConfigError naming the key."""
    from .yamlio import YamlError, load_yaml_text

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read usage file: {exc}") from None
    try:
        doc = load_yaml_text(text, str(path))
    except YamlError as exc:
        raise ConfigError(str(exc)) from None
    return parse_usage(doc, path)


def parse_usage(doc: Any, path: Path) -> Usage:
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping with version, defaults and call_sites")
    for key in doc:
        if key not in TOP_KEYS:
            raise ConfigError(f"{path}: '{key}': unknown key (known keys: {', '.join(TOP_KEYS)})")
    version = doc.get("version", VERSION)
    if version != VERSION:
        raise ConfigError(f"{path}: 'version': expected {VERSION}, got {version!r}")
    raw_defaults = doc.get("defaults") or {}
    if not isinstance(raw_defaults, dict):
        raise ConfigError(f"{path}: 'defaults': expected a mapping")
    if "model" in raw_defaults:
        raise ConfigError(f"{path}: 'defaults.model': set model per call site, not as a default")
    checked = _check_entry(raw_defaults, f"{path}: 'defaults", allowed=tuple(DEFAULTS))
    defaults = {**DEFAULTS, **checked}
    raw_sites = doc.get("call_sites") or {}
    if not isinstance(raw_sites, dict):
        raise ConfigError(f"{path}: 'call_sites': expected a mapping of address -> figures")
    entries = []
    for key, raw in raw_sites.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f"{path}: 'call_sites': keys must be addresses or path globs")
        entry = _check_entry(raw or {}, f"{path}: 'call_sites.{key}", allowed=SITE_KEYS)
        entries.append((key.strip(), entry))
    return Usage(path, defaults, frozenset(checked), tuple(entries))


def _check_entry(raw: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}': expected a mapping of {', '.join(allowed)}")
    checked: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in allowed:
            raise ConfigError(f"{where}.{name}': unknown key (known keys: {', '.join(allowed)})")
        checked[name] = _check_value(name, value, f"{where}.{name}'")
    return checked


def _check_value(name: str, value: Any, where: str) -> Any:
    if name == "model":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: expected a model id")
        return value.strip()
    if name == "calls_per_month":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{where}: expected a non-negative number, got {value!r}")
        return value
    minimum = 1 if name == "turns_per_conversation" else 0
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = "a positive integer" if minimum else "a non-negative integer"
        raise ConfigError(f"{where}: expected {kind}, got {value!r}")
    return value


def find_usage(config: Config, explicit: Path | None = None, cwd: Path | None = None) -> Usage:
    """The usage file in effect: ``--usage-file``, config ``usage-file``, or the root's file."""
    path = locate_usage(config, explicit, cwd)
    if path is None:
        return default_usage()
    return load_usage(path)


def usage_target(config: Config, explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """The usage file in effect, existing or not: ``--usage-file`` (relative to the run
    directory), config ``usage-file`` (relative to the config file), an existing
    ``costlint-usage.y(a)ml`` at the repository root, else ``costlint-usage.yaml`` there."""
    if explicit is not None:
        return explicit if explicit.is_absolute() else (cwd or Path.cwd()) / explicit
    configured = config.usage_file
    if configured:
        base = config.source.parent if config.source is not None else config.root
        return base / configured
    for name in FILE_NAMES:
        candidate = config.root / name
        if candidate.is_file():
            return candidate
    return config.root / FILE_NAMES[0]


def locate_usage(
    config: Config, explicit: Path | None = None, cwd: Path | None = None
) -> Path | None:
    """The usage file to read, or None for the built-in defaults; a usage file that was
    asked for (option or config) and is missing is an error."""
    path = usage_target(config, explicit, cwd)
    if path.is_file():
        return path
    if explicit is not None:
        raise ConfigError(f"usage file not found: {explicit}")
    if config.usage_file:
        where = config.source or "config"
        raise ConfigError(f"{where}: 'costlint.usage-file': {path} not found")
    return None


# ---------------------------------------------------------------------------- writing

HEADER = """\
# costlint usage file: how often each Claude call site runs, for `costlint report`.
# A figure not set under a call site comes from `defaults`; reports mark those with *.
# Call sites are keyed by address: path::function (relative to the repository root), with
# #n for the (n+1)-th call in the same function. A key may also be a path glob ("scripts/*").
# Uncomment and fill in the figures you know. Docs: docs/cost-model.md
"""


def render_usage(sites: Iterable[PromptSite], usage: Usage | None = None) -> tuple[str, int]:
    """A usage file listing every call site; returns (text, how many sites were new).

    Figures an existing file set are kept (uncommented); the others are written as commented
    defaults so that reports keep marking them as defaults until someone fills them in.
    """
    usage = usage or default_usage()
    existing = dict(usage.entries)
    lines = [HEADER.rstrip("\n"), f"version: {VERSION}", "defaults:"]
    for name in DEFAULTS:
        lines.append(_line(f"  {name}: {_scalar(usage.defaults[name])}", FIELD_HELP[name]))
    lines.append("call_sites:")
    written: set[str] = set()
    new = 0
    for site in sites:
        address = site.repo_address
        if address in written:
            continue
        written.add(address)
        model = site.model if isinstance(site.model, str) else "model not resolved"
        lines.append(_line(f"  {_key(address)}:", f"line {site.span.line}, {model}"))
        entry = existing.get(address)
        if entry is None:
            new += 1
        lines.extend(_entry_lines(entry or {}, usage, model_known=isinstance(site.model, str)))
    for key, entry in usage.entries:  # globs and addresses no longer in the scan
        if key not in written:
            lines.append(_line(f"  {_key(key)}:", "kept from the existing file"))
            lines.extend(_entry_lines(entry, usage, model_known=True))
    return "\n".join(lines) + "\n", new


def _entry_lines(entry: Mapping[str, Any], usage: Usage, model_known: bool) -> list[str]:
    lines = []
    for name in DEFAULTS:
        if name in entry:
            lines.append(f"    {name}: {_scalar(entry[name])}")
        else:
            lines.append(f"    # {name}: {_scalar(usage.defaults[name])}")
    if "model" in entry:
        lines.append(f"    model: {_scalar(entry['model'])}")
    elif not model_known:
        lines.append(f"    # model: {FIELD_HELP['model']}")
    return lines


def write_usage(sites: Iterable[PromptSite], path: Path, usage: Usage | None = None) -> int:
    """Writes (or rewrites, keeping the figures already set) a usage file; returns new sites."""
    text, new = render_usage(sites, usage)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return new


def _line(text: str, comment: str) -> str:
    return f"{text:<40} # {comment}"


def _key(key: str) -> str:
    return json.dumps(key)  # a JSON string is a valid YAML double-quoted scalar


def _scalar(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)
