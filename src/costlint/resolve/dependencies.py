"""What one file's analysis depended on besides the file itself (for the per-file cache).

A cached result stays valid only while every file it read or looked for is unchanged (or
still absent); a result that also depends on something no file hash covers (the matches of a
glob: a file added later would match) is not cached at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Dependencies(NamedTuple):
    """The files an analysis used (each resolved, absolute), and whether hashes cover it all."""

    files: frozenset[Path] = frozenset()  # read or loaded: modules, prompt files, templates
    looked_for: frozenset[Path] = frozenset()  # module files searched and not found there
    hashable: bool = True  # False: it also used a glob's matches, which no file hash covers

    def paths(self, excluding: Path | None = None) -> list[Path]:
        """Every file read or looked for, sorted, without ``excluding`` (the file itself)."""
        return sorted(path for path in self.files | self.looked_for if path != excluding)


@dataclass
class DependencyLog:
    """Collects one analysis's dependencies while it runs; ``result`` is the value."""

    files: set[Path] = field(default_factory=set)
    looked_for: set[Path] = field(default_factory=set)
    hashable: bool = True

    def read(self, path: Path) -> None:
        self.files.add(path)

    def missed(self, path: Path) -> None:
        self.looked_for.add(path)

    def unhashable(self) -> None:
        self.hashable = False

    def result(self) -> Dependencies:
        return Dependencies(frozenset(self.files), frozenset(self.looked_for), self.hashable)
