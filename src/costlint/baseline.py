"""Baselines: adopt costlint on an existing codebase by recording the findings it has today.

``costlint baseline FILE`` writes every current finding; ``costlint check --baseline FILE``
then reports only findings that are not in it. Entries match by fingerprint
(costlint.fingerprint: rule, path, enclosing function, call ordinal and the call's text, no
line number), so code moving up or down a file never brings an old finding back, while
editing the call itself does (its text is part of the fingerprint). The other fields are
there for people reading the file in review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ConfigError
from .fingerprint import VERSION as FINGERPRINT_VERSION
from .site import Finding

VERSION = 1


@dataclass(frozen=True)
class BaselineApplied:
    """What a run's baseline hid (``Run.baseline``)."""

    path: Path
    hidden: int


def entries(findings: list[Finding]) -> list[dict[str, str]]:
    rows = []
    for finding in findings:
        site = finding.site
        rows.append(
            {
                "fingerprint": finding.fingerprint,
                "rule": finding.rule,
                "path": finding.repo_path,
                "qualname": site.qualname if site is not None else "",
                "message": finding.message,
            }
        )
    return sorted(rows, key=lambda r: (r["path"], r["qualname"], r["rule"], r["fingerprint"]))


def render(findings: list[Finding]) -> str:
    doc = {
        "version": VERSION,
        "fingerprint": FINGERPRINT_VERSION,
        "entries": entries(findings),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load(path: Path) -> set[str]:
    """The fingerprints a baseline file holds; ConfigError (exit 2) when it is unusable."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"baseline {path} does not exist (write it with `costlint baseline {path}`)"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise ConfigError(f"{path}: not a costlint baseline (version {VERSION})")
    if doc.get("fingerprint", FINGERPRINT_VERSION) != FINGERPRINT_VERSION:
        raise ConfigError(
            f"{path}: written with fingerprint {doc.get('fingerprint')}, this costlint uses "
            f"{FINGERPRINT_VERSION}; re-create it with `costlint baseline {path}`"
        )
    rows = doc.get("entries")
    if not isinstance(rows, list):
        raise ConfigError(f"{path}: 'entries' must be a list")
    return {
        str(row["fingerprint"]) for row in rows if isinstance(row, dict) and "fingerprint" in row
    }


def filter_new(findings: list[Finding], known: set[str]) -> list[Finding]:
    """The findings whose fingerprint is not in the baseline."""
    return [f for f in findings if f.fingerprint not in known]


def resolve_path(explicit: Path | None, config: Any, cwd: Path) -> Path | None:
    """``--baseline`` (relative to the run directory) or config ``baseline`` (relative to the
    config file)."""
    if explicit is not None:
        return explicit if explicit.is_absolute() else cwd / explicit
    configured = config.baseline
    if not configured:
        return None
    base = config.source.parent if config.source is not None else config.root
    return base / configured
