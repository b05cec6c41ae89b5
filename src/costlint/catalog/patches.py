"""User model files: reading a YAML patch safely and merging its records into the built-in ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .model_info import CatalogError
from .validation import MODEL_KEYS, FieldChecker

_USER_TOP_KEYS = frozenset(("models", "sources"))
_LIST_UNION_KEYS = ("aliases", "sources")


def patch_id(where: str, patch: Any) -> str:
    """The id a patch record names (the record must be a mapping of known keys)."""
    f = FieldChecker(where)
    data = f.mapping(patch, "", MODEL_KEYS)
    return f.text(data.get("id"), "id")  # type: ignore[return-value]


def merge_patch(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Patch semantics: prices deep-merged, aliases/sources extended, the rest replaced."""
    merged = dict(base)
    for key, value in patch.items():
        old = merged.get(key)
        if key == "id":
            continue
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = merge_patch(old, value)
        elif key in _LIST_UNION_KEYS and isinstance(old, list) and isinstance(value, list):
            merged[key] = old + [item for item in value if item not in old]
        else:
            merged[key] = value
    return merged


def read_user_yaml(path: Path) -> dict[str, Any]:
    """Reads and shape-checks a user catalog file (safe YAML loading only)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read model catalog: {exc.strerror or exc}") from exc
    doc = yaml_load(text, path)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise CatalogError(f"{path}: expected a mapping with a 'models' list at the top level")
    for name in doc:
        if name not in _USER_TOP_KEYS:
            raise CatalogError(f"{path}: {name}: unknown key (expected 'models' or 'sources')")
    if not isinstance(doc.get("models", []), list):
        raise CatalogError(f"{path}: models: expected a list of models")
    sources = doc.get("sources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise CatalogError(f"{path}: sources: expected a mapping of name -> URL")
    return doc


def yaml_load(text: str, path: Path) -> Any:
    """Safe, pure-Python YAML loading; ruamel is imported only here, on first use."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise CatalogError(f"{path}: invalid YAML: {exc}") from exc
