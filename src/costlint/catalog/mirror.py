"""The JSON mirror: keep data/models.json in step with models.yaml (`-m costlint.catalog`)."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .loading import JSON_PATH, YAML_PATH, catalog_from_document
from .model_info import CatalogError
from .patches import yaml_load


def _jsonable(value: Any) -> Any:
    """YAML values as JSON would hold them (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def render_json(yaml_path: Path = YAML_PATH) -> str:
    """The exact models.json text for a models.yaml; validates the catalog on the way."""
    doc = _jsonable(yaml_load(yaml_path.read_text(encoding="utf-8"), yaml_path))
    catalog_from_document(doc, str(yaml_path))
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m costlint.catalog --regenerate | --check``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m costlint.catalog", description="Keep models.json in step with models.yaml."
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--regenerate", action="store_true", help="rewrite models.json")
    group.add_argument("--check", action="store_true", help="exit 1 if models.json is stale")
    args = parser.parse_args(argv)
    try:
        text = render_json()
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    current = JSON_PATH.read_text(encoding="utf-8") if JSON_PATH.exists() else ""
    if args.check:
        if text != current:
            print(f"{JSON_PATH} is out of date: run python -m costlint.catalog --regenerate")
            return 1
        return 0
    if text != current:
        JSON_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {JSON_PATH} ({len(json.loads(text)['models'])} models)")
    return 0
