"""``costlint init``: a starter configuration and a usage-file skeleton, never overwriting.

The configuration goes into ``pyproject.toml`` as a ``[tool.costlint]`` table (appended, the
rest of the file untouched) or, with ``--yaml`` or when there is no ``pyproject.toml``, into
``.costlint.yaml``. The usage file is ``costlint-usage.yaml`` with the documented defaults and
no call sites yet (``costlint report --write-usage`` lists them).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .config import ConfigError
from .usage import FILE_NAMES, render_usage

TOML_TABLE = """\

[tool.costlint]
# Rules to run (ids, prefixes or names); all by default. `costlint rules` lists them.
# select = ["CL"]
# ignore = ["CL007"]
# Files and directories to skip, on top of the built-in ones (.venv, node_modules, ...).
extend-exclude = ["tests/fixtures"]
# Token counts: "auto" (the API when ANTHROPIC_API_KEY is set), "api" or "estimate".
tokens = "auto"
# How often each call site runs: `costlint report --write-usage` fills this file in.
usage-file = "costlint-usage.yaml"
# `costlint diff` fails when monthly cost grows by more than this ("10%" or dollars).
fail-on-increase = "10%"

# Per-rule options, e.g.:
# [tool.costlint.rules.CL002]
# min_tokens = 1024
"""

YAML_CONFIG = """\
# costlint configuration (see README: Configuration).
# Rules to run (ids, prefixes or names); all by default. `costlint rules` lists them.
# select: [CL]
# ignore: [CL007]
# Files and directories to skip, on top of the built-in ones (.venv, node_modules, ...).
extend-exclude: [tests/fixtures]
# Token counts: auto (the API when ANTHROPIC_API_KEY is set), api or estimate.
tokens: auto
# How often each call site runs: `costlint report --write-usage` fills this file in.
usage-file: costlint-usage.yaml
# `costlint diff` fails when monthly cost grows by more than this ("10%" or dollars).
fail-on-increase: "10%"
"""


@dataclass(frozen=True)
class Written:
    path: Path
    what: str


def init_project(root: Path, yaml: bool = False) -> list[Written]:
    """Write the starter files under ``root``; ConfigError (nothing written) if any exists."""
    pyproject = root / "pyproject.toml"
    use_yaml = yaml or not pyproject.exists()
    config_path = root / ".costlint.yaml" if use_yaml else pyproject
    usage_path = root / FILE_NAMES[0]
    problems = []
    if use_yaml and config_path.exists():
        problems.append(f"{config_path.name} exists")
    if not use_yaml and _has_table(pyproject):
        problems.append("pyproject.toml already has [tool.costlint]")
    problems += [f"{root / name} exists" for name in FILE_NAMES if (root / name).exists()]
    if problems:
        raise ConfigError(f"init: not overwriting: {'; '.join(problems)}")
    if use_yaml:
        config_path.write_text(YAML_CONFIG, encoding="utf-8")
    else:
        text = pyproject.read_text(encoding="utf-8")
        separator = "" if text.endswith("\n") or not text else "\n"
        pyproject.write_text(text + separator + TOML_TABLE, encoding="utf-8")
    skeleton, _ = render_usage([])
    usage_path.write_text(
        skeleton + '  # "app/summarize.py::summarize_ticket":  # path::function\n'
        "  #   calls_per_month: 250000\n",
        encoding="utf-8",
    )
    what = ".costlint.yaml" if use_yaml else "[tool.costlint] in pyproject.toml"
    return [Written(config_path, what), Written(usage_path, "usage-file skeleton")]


def _has_table(pyproject: Path) -> bool:
    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"init: cannot read {pyproject}: {exc}") from None
    return "costlint" in table.get("tool", {})
