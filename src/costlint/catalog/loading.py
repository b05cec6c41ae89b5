"""Loading the built-in catalog from data/models.json (plus a user file), memoised per path."""

from __future__ import annotations

import datetime
import functools
import json
from pathlib import Path
from typing import Any

from .model_info import CatalogError
from .resolution import Catalog
from .validation import FieldChecker

DATA_DIR = Path(__file__).parent.parent / "data"
YAML_PATH = DATA_DIR / "models.yaml"
JSON_PATH = DATA_DIR / "models.json"


def _parse_doc_date(raw: Any, key: str, where: str) -> datetime.date:
    iso = FieldChecker(where).date(raw, key)
    if iso is None:
        raise CatalogError(f"{where}.{key}: required")
    return datetime.date.fromisoformat(iso)


def catalog_from_document(doc: Any, where: str, today: datetime.date | None = None) -> Catalog:
    """Builds a Catalog from the parsed models.json / models.yaml document; model statuses
    follow their dates on ``today`` (default: the run's date)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise CatalogError(f"{where}: expected a mapping with a 'models' list")
    verified = _parse_doc_date(doc.get("verified"), "verified", where)
    as_of = doc.get("prices_as_of")
    prices_as_of = None if as_of is None else _parse_doc_date(as_of, "prices_as_of", where)
    records = [(f"{where}: models[{i}]", raw) for i, raw in enumerate(doc["models"])]
    return Catalog(records, verified, prices_as_of, doc.get("sources") or {}, today)


def _builtin() -> Catalog:
    try:
        doc = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{JSON_PATH}: cannot read the built-in catalog: {exc}") from exc
    return catalog_from_document(doc, str(JSON_PATH))


@functools.cache
def _load(extra: Path | None) -> Catalog:
    if extra is None:
        return _builtin()
    return _load(None).patched(extra)


def load_catalog(extra: Path | None = None) -> Catalog:
    """The built-in catalog, plus the user's model file when given; memoised per path."""
    if extra is None:
        return _load(None)
    return _load(Path(extra).expanduser().absolute())


def clear_cache() -> None:
    """Forgets memoised catalogs (tests; a long-running process after a config change)."""
    _load.cache_clear()
