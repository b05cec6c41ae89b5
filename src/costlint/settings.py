"""``costlint check --show-settings``: the configuration in effect, after defaults and files.

One ``key = value`` line per setting, values as JSON (so lists and tables read as in TOML),
keys as written in ``[tool.costlint]``; a header names the file they came from.
"""

from __future__ import annotations

import json
from typing import Any

from .config import _KEYS, EXTRA_KEYS, Config


def settings(config: Config) -> dict[str, Any]:
    """Every configuration key with its value in effect (None: unset, the stage's default)."""
    values: dict[str, Any] = {}
    for key in _KEYS:
        value = getattr(config, key.replace("-", "_"))
        values[key] = str(value) if key == "models" and value is not None else value
    for key in EXTRA_KEYS:
        values[key] = getattr(config, key.replace("-", "_"))
    return values


def render_settings(config: Config) -> str:
    source = str(config.source) if config.source else "none (built-in defaults)"
    lines = [
        "# costlint settings in effect",
        f"# config file: {source}",
        f"# repository root: {config.root}",
    ]
    for key, value in settings(config).items():
        lines.append(f"{key} = {json.dumps(value, default=str)}")
    return "\n".join(lines) + "\n"
