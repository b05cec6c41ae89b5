"""The Catalog: an index from every id form users write (aliases, Bedrock, Vertex) to a model."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .model_info import CatalogError, ModelInfo
from .patches import merge_patch, patch_id, read_user_yaml
from .validation import parse_model

# Bedrock: optional cross-region prefix (us., eu., apac., global., us-gov., ...), then
# "anthropic.", then the model part; the model part may end in a packaging version ("-v1:0",
# "-v2:0", "-v1", optionally ":200k") that does not change which model it is.
_BEDROCK_RE = re.compile(r"^(?:[a-z]{2,6}(?:-[a-z]+)?\.)?anthropic\.(claude-.+)$")
_BEDROCK_VERSION_RE = re.compile(r"-v\d+(?::\d+)?(?::\d+k)?$")
# Vertex AI / Google Cloud: "<name>@<YYYYMMDD>" (Claude 3.5 Sonnet v2 was "...-v2@20241022").
_VERTEX_RE = re.compile(r"^(claude-[a-z0-9-]+?)(?:-v\d+)?@(\d{8})$")
_CLAUDE_SHAPE_RE = re.compile(r"^(?:(?:[a-z]{2,6}(?:-[a-z]+)?\.)?anthropic\.)?claude-[a-z0-9]")


def _bedrock_candidates(key: str) -> Iterator[str]:
    match = _BEDROCK_RE.match(key)
    if match:
        rest = match.group(1)
        yield rest
        unversioned = _BEDROCK_VERSION_RE.sub("", rest)
        if unversioned != rest:
            yield unversioned


def _candidates(key: str) -> Iterator[str]:
    """Exact ids a user-written id may stand for; never a looser or 'closest' match."""
    if "/" in key:  # ARNs, Vertex resource paths, LiteLLM-style "bedrock/..." prefixes
        key = key.rsplit("/", 1)[1]
        yield key
    yield from _bedrock_candidates(key)
    match = _VERTEX_RE.match(key)
    if match:
        yield f"{match.group(1)}-{match.group(2)}"


class Catalog:
    """An immutable set of models with an index from every known id form to its model."""

    def __init__(
        self,
        records: Sequence[tuple[str, dict[str, Any]]],
        verified: datetime.date,
        prices_as_of: datetime.date | None = None,
        sources: dict[str, str] | None = None,
        today: datetime.date | None = None,
    ) -> None:
        """``records`` pairs each raw model record with where it came from (for errors);
        statuses are computed from the models' dates on ``today`` (default: the run's date)."""
        self.today = today or datetime.date.today()
        self.verified = verified
        self.prices_as_of = prices_as_of
        self.sources = dict(sources or {})
        self._records = [(where, dict(raw)) for where, raw in records]
        parsed = [parse_model(where, raw, self.today) for where, raw in self._records]
        ids = _index_ids(self._records, parsed)
        self._models = [
            _canonical_successor(where, model, ids)
            for (where, _), model in zip(self._records, parsed, strict=True)
        ]
        by_id = {model.id: model for model in self._models}
        self._index = {key: by_id[model_id] for key, model_id in ids.items()}
        self._current = _pick_current(self._models)

    def resolve(self, model_id: str) -> ModelInfo | None:
        """The model an id names in any form users write; None when unknown."""
        if not isinstance(model_id, str):
            return None
        key = model_id.strip().lower()
        found = self._index.get(key)
        if found is not None or not key:
            return found
        for candidate in _candidates(key):
            found = self._index.get(candidate)
            if found is not None:
                return found
        return None

    def models(self) -> list[ModelInfo]:
        return list(self._models)

    def current(self, family: str) -> ModelInfo | None:
        """The newest active model of a family ("haiku" -> the current Haiku)."""
        return self._current.get(family.strip().lower())

    def age_days(self, today: datetime.date | None = None) -> int:
        """How old the catalog's facts are; reports warn when prices may be stale."""
        return ((today or datetime.date.today()) - self.verified).days

    def looks_like_claude(self, model_id: str) -> bool:
        """Known ids, and unknown ones shaped like Claude ids (claude-..., anthropic.claude-...).

        Lets checks report "unknown Claude model" instead of ignoring a call site.
        """
        if self.resolve(model_id) is not None:
            return True
        if not isinstance(model_id, str):
            return False
        key = model_id.strip().lower().rsplit("/", 1)[-1]
        return bool(_CLAUDE_SHAPE_RE.match(key))

    def patched(self, path: Path) -> Catalog:
        """A new catalog with the models of a user YAML file added or patched in."""
        doc = read_user_yaml(path)
        records = list(self._records)
        positions = {model.id: i for i, model in enumerate(self._models)}
        for i, patch in enumerate(doc.get("models") or []):
            where = f"{path}: models[{i}]"
            model_id = patch_id(where, patch)
            known = self.resolve(model_id)
            target = known.id if known is not None else model_id.lower()
            if target in positions:
                pos = positions[target]
                records[pos] = (where, merge_patch(records[pos][1], patch))
            else:
                positions[target] = len(records)
                records.append((where, patch))
        sources = {**self.sources, **doc.get("sources", {})}
        return Catalog(records, self.verified, self.prices_as_of, sources, self.today)


def _index_ids(
    records: Sequence[tuple[str, dict[str, Any]]], models: Sequence[ModelInfo]
) -> dict[str, str]:
    """Maps every id form a model declares (id, aliases, platform ids) to its canonical id."""
    index: dict[str, str] = {}
    for (where, _), model in zip(records, models, strict=True):
        keys = [("id", model.id)]
        keys += [(f"aliases[{i}]", alias) for i, alias in enumerate(model.aliases)]
        keys += [(f"platform_ids.{p}", pid.lower()) for p, pid in model.platform_ids]
        for field, key in keys:
            other = index.setdefault(key, model.id)
            if other != model.id:
                raise CatalogError(f"{where}.{field}: {key!r} already names {other}")
    return index


def _canonical_successor(where: str, model: ModelInfo, ids: dict[str, str]) -> ModelInfo:
    """Successors may be written in any declared form; store the canonical id."""
    if model.successor is None:
        return model
    target = ids.get(model.successor.lower())
    if target is None:
        raise CatalogError(f"{where}.successor: unknown model {model.successor!r}")
    return model if target == model.successor else replace(model, successor=target)


def _pick_current(models: Sequence[ModelInfo]) -> dict[str, ModelInfo]:
    current: dict[str, ModelInfo] = {}
    for model in models:
        best = current.get(model.family)
        newer = best is None or (model.released or "") > (best.released or "")
        if model.is_current and newer:
            current[model.family] = model
    return current
