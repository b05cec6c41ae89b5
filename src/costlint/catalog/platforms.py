"""Model ids in a cloud platform's own format: what to write on Bedrock or Vertex AI.

A call written with a Bedrock id (``anthropic.claude-...``, optionally behind a cross-region
prefix such as ``us.``) runs on Amazon Bedrock; one written with a Vertex id
(``claude-...@YYYYMMDD``) runs on Google Cloud Vertex AI. A fix for such a call must name the
suggested model in that platform's format: the catalog's ``platform_ids`` where it knows them
(from the reference's model tables, sources in data/models.yaml); otherwise the id derived
by the platform's naming rule, marked unverified (facts §11: Bedrock ``anthropic.<id>`` for
4.6 onward; Google Cloud matches the Claude API id from 4.6 on).

The id form decides, not the client class: on ``AnthropicBedrock`` a first-party id already
fails, and on ``AnthropicVertex`` the ids of current models equal the Claude API ids.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .model_info import ModelInfo

_BEDROCK = re.compile(r"^(?P<region>(?:[a-z]{2,6}(?:-[a-z]+)?\.)?)anthropic\.claude-")
_VERTEX = re.compile(r"^claude-[a-z0-9.-]+@\d{8}$")
PLATFORM_NAMES = {"bedrock": "Bedrock", "vertex": "Vertex AI"}


class PlatformId(NamedTuple):
    """``model``'s id on ``platform`` (None: the Claude API); ``verified`` False when derived
    by the naming rule rather than known to the catalog."""

    id: str
    platform: str | None = None
    verified: bool = True

    def display(self) -> str:
        if self.verified or self.platform is None:
            return self.id
        name = PLATFORM_NAMES.get(self.platform, self.platform)
        return f"{self.id} (unverified: derived from the {name} naming rule, check its model list)"


def platform_of(written: str) -> str | None:
    """The platform a model id as written belongs to: "bedrock", "vertex" or None (the API)."""
    text = written.strip().lower().rsplit("/", 1)[-1]
    if _BEDROCK.match(text):
        return "bedrock"
    if _VERTEX.match(text):
        return "vertex"
    return None


def id_for_platform(model: ModelInfo, written: str) -> PlatformId:
    """``model``'s id in the format of the platform ``written`` uses (the API id if none)."""
    platform = platform_of(written)
    if platform is None:
        return PlatformId(model.id)
    known = dict(model.platform_ids).get(platform)
    if platform == "bedrock":
        region = _BEDROCK.match(written.strip().lower().rsplit("/", 1)[-1])
        prefix = region.group("region") if region else ""
        if known:
            return PlatformId(prefix + known, platform)
        return PlatformId(f"{prefix}anthropic.{model.id}", platform, verified=False)
    if known:
        return PlatformId(known, platform)
    return PlatformId(model.id, platform, verified=False)
