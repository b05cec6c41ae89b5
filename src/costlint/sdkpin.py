"""The `anthropic` Python SDK version a project pins, read from its dependency files.

What a fix may suggest depends on the SDK the project runs: top-level ``cache_control=``
(automatic caching) and the 2026-10-21 API version (which rejects ``temperature``, ``top_p``
and ``top_k``) come with SDK 2.x. ``find_sdk_pin(root)`` reads, in the repository root only,
the lock files first (an exact version) and then the declarations (a range's lower bound):

    poetry.lock, uv.lock, Pipfile.lock, pyproject.toml (PEP 621 and Poetry),
    requirements*.txt and requirements/*.txt

Files are parsed, never executed or imported; each is read only if it is a regular file inside
the root (symlinks resolved) of at most ``MAX_FILE_BYTES``; a file that is unreadable or
malformed is skipped, never an error. None when no file names ``anthropic``.

Which SDK release added top-level ``cache_control=`` is not stated in the fact sheet (it is
described with SDK 2.x, 2026-11-28): costlint takes ``>= 2.0`` as supporting it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

MAX_FILE_BYTES = 5_000_000
PACKAGE = "anthropic"
TOP_LEVEL_CACHE_CONTROL_SINCE = (2, 0)  # not stated in the facts: taken as SDK 2.0
SAMPLING_PARAMETERS_REJECTED_SINCE = (2, 0)  # SDK 2.0.0 (2026-10-21): TypeError, API 2026-10-21

_VERSION = re.compile(r"\d+(?:\.\d+)*")
# PEP 508: name, optional extras, then the specifiers (and an optional "; marker").
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


class SdkPin(NamedTuple):
    """The pinned SDK: ``version`` is exact (a lock file, ``==``) or a range's lower bound;
    ``below`` is the range's exclusive upper bound when one is written (``<2``, ``^1.3``).
    (A NamedTuple: no dataclass feature is used, and a frozen dataclass costs ~3 M
    instructions to build at import; never written to JSON or the cache, only described.)"""

    version: str | None
    exact: bool
    source: str  # the file it came from, relative to the repository root
    below: str | None = None

    def describe(self) -> str:
        if self.version is None and self.below is None:
            return f"anthropic (unpinned) in {self.source}"
        if self.exact:
            return f"anthropic {self.version} in {self.source}"
        parts = [f">={self.version}"] if self.version else []
        parts += [f"<{self.below}"] if self.below else []
        return f"anthropic {','.join(parts)} in {self.source}"


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    match = _VERSION.search(text or "")
    if match is None:
        return None
    return tuple(int(part) for part in match.group(0).split("."))


def pinned_at_least(pin: SdkPin | None, since: tuple[int, ...]) -> bool | None:
    """Whether the pinned SDK is at least ``since``: True when its lowest allowed version is,
    False when every allowed version is below it, None when unknown (no pin, or a range
    across it)."""
    if pin is None:
        return None
    low = version_tuple(pin.version)
    if low is not None and low >= since:
        return True
    if pin.exact and low is not None:
        return False
    high = version_tuple(pin.below)
    if high is not None and high <= since:
        return False
    return None


def supports_top_level_cache_control(pin: SdkPin | None) -> bool | None:
    """Whether ``messages.create(cache_control=...)`` exists in the pinned SDK (None: unknown)."""
    return pinned_at_least(pin, TOP_LEVEL_CACHE_CONTROL_SINCE)


def rejects_sampling_parameters(pin: SdkPin | None) -> bool | None:
    """Whether the pinned SDK fails on ``temperature``/``top_p``/``top_k`` (None: unknown)."""
    return pinned_at_least(pin, SAMPLING_PARAMETERS_REJECTED_SINCE)


def find_sdk_pin(root: Path) -> SdkPin | None:
    """The first pin of ``anthropic`` in the root's dependency files (lock files first)."""
    for name, reader in _READERS:
        for path in _files(root, name):
            text = _read(root, path)
            if text is None:
                continue
            try:
                pin = reader(text, path.relative_to(root).as_posix())
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
                continue  # a malformed file is skipped, never an error
            if pin is not None:
                return pin
    return None


def _files(root: Path, pattern: str) -> Iterator[Path]:
    try:
        yield from sorted(root.glob(pattern))
    except OSError:
        return


def _read(root: Path, path: Path) -> str | None:
    try:
        real = path.resolve()
        if not real.is_relative_to(root.resolve()) or not real.is_file():
            return None
        if real.stat().st_size > MAX_FILE_BYTES:
            return None
        return real.read_text(encoding="utf-8", errors="replace")
    except (OSError, RuntimeError):
        return None


# ---------------------------------------------------------------------------- lock files


def _locked(packages: Any, source: str) -> SdkPin | None:
    if not isinstance(packages, list):
        return None
    for package in packages:
        if isinstance(package, dict) and _normal(package.get("name")) == PACKAGE:
            version = package.get("version")
            if isinstance(version, str) and version_tuple(version) is not None:
                return SdkPin(version, True, source)
    return None


_PACKAGE_TABLE = re.compile(r"^\[\[package\]\][ \t]*$", re.MULTILINE)
_NAMED_PACKAGE = re.compile(r"""^name\s*=\s*["']anthropic["']\s*$""", re.MULTILINE | re.IGNORECASE)


def _poetry_or_uv_lock(text: str, source: str) -> SdkPin | None:
    """Only the lock's ``[[package]]`` tables that name the SDK are parsed (a large project's
    lock file is megabytes of TOML, and the pure-Python parser took over a second)."""
    import tomllib  # only when a lock file exists

    tables = [
        "[[package]]" + table for table in _PACKAGE_TABLE.split(text)[1:]
        if _NAMED_PACKAGE.search(table)
    ]  # fmt: skip
    return _locked(tomllib.loads("\n".join(tables)).get("package"), source) if tables else None


def _pipfile_lock(text: str, source: str) -> SdkPin | None:
    data = json.loads(text)
    if not isinstance(data, dict):
        return None
    for section in ("default", "develop"):
        packages = data.get(section)
        entry = packages.get(PACKAGE) if isinstance(packages, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            return _from_specifiers(entry["version"], source)
    return None


# ---------------------------------------------------------------------------- declarations


def _pyproject(text: str, source: str) -> SdkPin | None:
    import tomllib  # only when a pyproject.toml exists

    data = tomllib.loads(text)
    project = data.get("project")
    if isinstance(project, dict):
        declared = list(_strings(project.get("dependencies")))
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for group in optional.values():
                declared.extend(_strings(group))
        for line in declared:
            pin = _requirement(line, source)
            if pin is not None:
                return pin
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        groups = poetry.get("group")
        if isinstance(groups, dict):
            tables += [g.get("dependencies") for g in groups.values() if isinstance(g, dict)]
        for table in tables:
            if not isinstance(table, dict):
                continue
            for name, spec in table.items():
                if _normal(name) != PACKAGE:
                    continue
                if isinstance(spec, dict):
                    spec = spec.get("version", "*")
                if isinstance(spec, str):
                    return _from_specifiers(spec, source, poetry=True)
    return None


def _requirements(text: str, source: str) -> SdkPin | None:
    for raw in text.splitlines()[:10_000]:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        pin = _requirement(line, source)
        if pin is not None:
            return pin
    return None


def _requirement(line: str, source: str) -> SdkPin | None:
    """A PEP 508 line naming anthropic (``anthropic[bedrock]>=0.40,<1; python_version>'3'``)."""
    match = _REQUIREMENT.match(line.split(";", 1)[0])
    if match is None or _normal(match.group(1)) != PACKAGE:
        return None
    specifiers = match.group(3).strip()
    if specifiers.startswith("@"):
        return SdkPin(None, False, source)  # a URL: no version to read
    return _from_specifiers(specifiers.strip("()"), source)


_SPECIFIER = re.compile(r"(===|==|~=|>=|<=|!=|\^|~|>|<)?\s*(\d[\w.*+!-]*|\*)")


def _from_specifiers(text: str, source: str, poetry: bool = False) -> SdkPin:
    """``==1.2``, ``>=0.40,<1``, ``~=2.1``, ``==1.*``; Poetry's ``^0.40``, ``~0.40``, ``0.40.1``."""
    if "||" in text:
        return SdkPin(None, False, source)  # alternatives: no one lower bound
    low: str | None = None
    below: str | None = None
    exact = False
    for op, version in _SPECIFIER.findall(text[:200]):
        op = op or ("==" if poetry else "")
        if version == "*" or op == "!=" or version_tuple(version) is None:
            continue
        if version.endswith(".*"):  # ==1.* allows 1.x
            prefix = version[:-2]
            if op == "==":
                low, below = prefix, _next_release(prefix, drop_last=False)
            continue
        if op in ("==", "==="):
            low, exact = version, True
        elif op in (">=", ">", "~=", "~"):
            low = version
            if op == "~=":
                below = _next_release(version, drop_last=True)
            elif op == "~":
                below = _next_release(version, drop_last=len(version.split(".")) > 2)
        elif op == "^":
            low, below = version, _caret_bound(version)
        elif op in ("<", "<="):
            below = _bump_last(version) if op == "<=" else version
    return SdkPin(low, exact, source, below)


def _next_release(version: str, drop_last: bool) -> str | None:
    numbers = list(version_tuple(version) or ())
    if drop_last and len(numbers) > 1:
        numbers = numbers[:-1]
    if not numbers:
        return None
    numbers[-1] += 1
    return ".".join(map(str, numbers))


def _caret_bound(version: str) -> str | None:
    """Poetry's ``^``: the next release of the first non-zero part (``^0.40`` -> ``<0.41``)."""
    numbers = list(version_tuple(version) or ())
    for index, number in enumerate(numbers):
        if number != 0 or index == len(numbers) - 1:
            return ".".join(map(str, [*numbers[:index], number + 1]))
    return None


def _bump_last(version: str) -> str:
    numbers = list(version_tuple(version) or (0,))
    return ".".join(map(str, [*numbers, 1]))  # <=1.9 allows 1.9 and below: < 1.9.1


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))


def _normal(name: Any) -> str:
    return re.sub(r"[-_.]+", "-", name).lower() if isinstance(name, str) else ""


_READERS: tuple[tuple[str, Callable[[str, str], SdkPin | None]], ...] = (
    ("poetry.lock", _poetry_or_uv_lock),
    ("uv.lock", _poetry_or_uv_lock),
    ("Pipfile.lock", _pipfile_lock),
    ("pyproject.toml", _pyproject),
    ("requirements*.txt", _requirements),
    ("requirements/*.txt", _requirements),
)
