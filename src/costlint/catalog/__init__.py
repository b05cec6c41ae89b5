"""The model catalog: prices, limits and lifecycle of Claude models, and model-id resolution.

The catalog is maintained in ``data/models.yaml`` and read at run time from its JSON mirror
``data/models.json`` (parsing YAML with a pure-Python loader costs ~90 ms, too much for a
pre-commit hook). ``python -m costlint.catalog --regenerate`` rewrites the mirror.

One module per job: ``model_info`` (data types), ``validation`` (raw records -> ModelInfo),
``resolution`` (the Catalog and id forms), ``patches`` (user YAML files), ``loading`` and
``mirror`` (models.json), ``platforms`` (a model's Bedrock / Vertex id for a fix).

Users can add or patch models with their own YAML file (config ``models = "path.yaml"``)::

    models:
      - id: claude-opus-6            # unknown id: a new model (needs at least `family`)
        family: opus
        prices: {input: 4, output: 20}
      - id: claude-haiku-4-5         # known id (any form): patch; `prices` is deep-merged,
        prices: {input: 0.9}         # `aliases`/`sources` are extended, other fields replaced

A new model needs `id` and `family`; unless stated it is `active`, its `tier` follows the
family, and `new_tokenizer` is true (every Claude model since Opus 4.7 uses the newer one).
Missing prices stay unknown (None), never $0.

Only the standard library is imported at module level; ruamel.yaml is imported only to read a
user file or to regenerate the mirror.
"""

from .loading import (
    DATA_DIR,
    JSON_PATH,
    YAML_PATH,
    catalog_from_document,
    clear_cache,
    load_catalog,
)
from .model_info import FAMILY_TIERS, STATUSES, TIERS, CatalogError, ModelInfo, Prices
from .platforms import PlatformId, id_for_platform, platform_of
from .resolution import Catalog

__all__ = [
    "DATA_DIR",
    "FAMILY_TIERS",
    "JSON_PATH",
    "STATUSES",
    "TIERS",
    "YAML_PATH",
    "Catalog",
    "CatalogError",
    "ModelInfo",
    "PlatformId",
    "Prices",
    "catalog_from_document",
    "clear_cache",
    "id_for_platform",
    "load_catalog",
    "platform_of",
]
