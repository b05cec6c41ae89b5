"""What a front-end returns for one file: its sites and diagnostics (shared by every front-end)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..resolve.project import ModuleInfo
from ..site import Diagnostic, PromptSite


@dataclass
class ExtractResult:
    sites: list[PromptSite] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    module: ModuleInfo | None = None  # the Python module analysed, when there is one
