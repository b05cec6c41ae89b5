"""Safe YAML loading (ruamel.yaml's safe loader; never constructs Python objects)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class YamlError(Exception):
    pass


def load_yaml_text(text: str, name: str = "<yaml>") -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)
    try:
        return yaml.load(text)
    except (YAMLError, ValueError, RecursionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise YamlError(f"{name}: invalid YAML: {first}") from None


def load_yaml_file(path: Path) -> Any:
    return load_yaml_text(path.read_text(encoding="utf-8"), path.name)
