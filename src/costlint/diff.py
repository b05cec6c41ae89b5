"""``costlint diff``: the projected monthly cost of two revisions, call site by call site.

Both sides are scanned by the same pipeline with the same config, usage file, catalog and
token mode, so a difference comes from the code alone. Call sites are matched by address
(``path::qualname[#ordinal]``), never by line: an edit that only moves code shifts nothing.
A file renamed in git keeps its sites matched (the base path is mapped to the head path); a
renamed *function* changes the address, so its sites show as one removed and one added.
Findings are matched by their line-independent fingerprint (costlint.fingerprint).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .config import Config, ConfigError
from .fingerprint import fingerprint_at
from .price.money import MONEY_TOLERANCE
from .site import PARSE_ERROR

# dollars: two costs this close are the same (a saved report keeps 6 decimals, so an unchanged
# site read back from it differs from a fresh run by up to half a unit of the last decimal)
EPSILON = MONEY_TOLERANCE


@dataclass(frozen=True)
class SiteRecord:
    """One call site on one side: what the diff needs, from a run or from a saved report."""

    address: str  # repository-relative, with renames already mapped to the head path
    path: str
    model: str | None
    cost: float | None  # USD/month; None when unpriced
    unpriced: str | None = None


@dataclass(frozen=True)
class FindingRecord:
    fingerprint: str
    rule: str
    path: str
    line: int | None
    qualname: str
    message: str


@dataclass(frozen=True)
class Unparsed:
    """A file that does not parse on one side (its repository path, mapped to the head's)."""

    path: str
    message: str
    mentions_claude: bool  # the file names anthropic or Claude: it may hold call sites


@dataclass(frozen=True)
class ParseFailure:
    """A file that does not parse on a side of the diff; its sites are neither added nor
    removed (the side that parses stands in for both). ``blocking``: it has Claude call sites
    on the other side, or mentions anthropic / Claude, so the diff cannot be trusted."""

    path: str
    side: str
    message: str
    blocking: bool


@dataclass
class Side:
    label: str
    sites: dict[str, SiteRecord] = field(default_factory=dict)
    findings: dict[str, FindingRecord] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    unparsed: dict[str, Unparsed] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(s.cost for s in self.sites.values() if s.cost is not None)

    @property
    def unpriced(self) -> list[SiteRecord]:
        return [s for s in self.sites.values() if s.cost is None]


@dataclass(frozen=True)
class SiteChange:
    address: str
    status: str  # added | removed | changed | unchanged
    before: SiteRecord | None
    after: SiteRecord | None

    @property
    def path(self) -> str:
        return (self.after or self.before).path  # type: ignore[union-attr]

    @property
    def delta(self) -> float | None:
        old = self.before.cost if self.before else 0.0
        new = self.after.cost if self.after else 0.0
        if old is None or new is None:
            return None
        return new - old


@dataclass(frozen=True)
class Threshold:
    """``--fail-on-increase``: "10%" (of the base total) or "50" / "$50" (USD per month)."""

    amount: float
    percent: bool

    @classmethod
    def parse(cls, text: str | float | int) -> Threshold:
        raw = str(text).strip()
        percent = raw.endswith("%")
        number = raw.rstrip("%").strip().removeprefix("$").replace(",", "")
        try:
            amount = float(number)
        except ValueError:
            raise ConfigError(
                f"fail-on-increase: {raw!r} is not a percentage ('10%') or dollars ('50')"
            ) from None
        if amount < 0 or amount != amount:
            raise ConfigError(f"fail-on-increase: {raw!r} must not be negative")
        return cls(amount, percent)

    def describe(self) -> str:
        return f"{self.amount:g}%" if self.percent else f"${self.amount:,.2f}/month"

    def exceeded(self, before: float, after: float) -> bool:
        """Strictly over the threshold; any increase from $0 is over a percentage."""
        delta = after - before
        if delta <= EPSILON:
            return False
        if not self.percent:
            return delta > self.amount
        if before <= EPSILON:
            return True
        return delta / before * 100 > self.amount


@dataclass
class CostDiff:
    base: Side
    head: Side
    changes: list[SiteChange]
    introduced: list[FindingRecord]
    fixed: list[FindingRecord]
    threshold: Threshold | None = None
    parse_failures: list[ParseFailure] = field(default_factory=list)

    @property
    def blocking(self) -> list[ParseFailure]:
        """Parse failures that make the comparison untrustworthy (exit 1 unless allowed)."""
        return [failure for failure in self.parse_failures if failure.blocking]

    @property
    def before(self) -> float:
        return self.base.total

    @property
    def after(self) -> float:
        return self.head.total

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def percent(self) -> float | None:
        return self.delta / self.before * 100 if self.before > EPSILON else None

    @property
    def exceeded(self) -> bool:
        return self.threshold is not None and self.threshold.exceeded(self.before, self.after)

    @property
    def moved(self) -> list[SiteChange]:
        """Sites added, removed or changed (what the reports list)."""
        return [c for c in self.changes if c.status != "unchanged"]


# ---------------------------------------------------------------------------- comparing


def compare(base: Side, head: Side, threshold: Threshold | None = None) -> CostDiff:
    failures = _stand_in_for_unparsed(base, head)
    changes: list[SiteChange] = []
    for address in sorted(base.sites.keys() | head.sites.keys()):
        old, new = base.sites.get(address), head.sites.get(address)
        if old is None:
            status = "added"
        elif new is None:
            status = "removed"
        elif _same(old, new):
            status = "unchanged"
        else:
            status = "changed"
        changes.append(SiteChange(address, status, old, new))
    introduced = [f for fp, f in head.findings.items() if fp not in base.findings]
    fixed = [f for fp, f in base.findings.items() if fp not in head.findings]
    return CostDiff(base, head, changes, introduced, fixed, threshold, failures)


def _stand_in_for_unparsed(base: Side, head: Side) -> list[ParseFailure]:
    """For a file that does not parse on one side, copy the other side's sites and findings
    there, so it shows as unchanged instead of all removed (or all added)."""
    failures: list[ParseFailure] = []
    for broken, other in ((base, head), (head, base)):
        for path, unparsed in sorted(broken.unparsed.items()):
            on_other = [key for key, site in other.sites.items() if site.path == path]
            also_broken = other.unparsed.get(path)
            blocking = bool(on_other) or unparsed.mentions_claude
            if also_broken is not None:
                blocking = blocking or also_broken.mentions_claude
            failures.append(ParseFailure(path, broken.label, unparsed.message, blocking))
            if also_broken is not None:
                continue
            for key in [key for key, site in broken.sites.items() if site.path == path]:
                del broken.sites[key]
            for key in [key for key, f in broken.findings.items() if f.path == path]:
                del broken.findings[key]
            broken.sites.update({key: other.sites[key] for key in on_other})
            broken.findings.update({k: f for k, f in other.findings.items() if f.path == path})
    return failures


def _same(old: SiteRecord, new: SiteRecord) -> bool:
    if old.model != new.model or (old.cost is None) != (new.cost is None):
        return False
    return old.cost is None or abs((new.cost or 0.0) - old.cost) <= EPSILON


# ---------------------------------------------------------------------------- sides


CLAUDE_WORDS = re.compile(rb"anthropic|claude", re.IGNORECASE)
MENTION_READ_LIMIT = 5_000_000  # bytes of a file that does not parse read for CLAUDE_WORDS


def side_from_run(
    label: str,
    result: Any,
    renames: dict[str, str] | None = None,
    tree: Path | None = None,
    repo_root: Path | None = None,
) -> Side:
    """A side from a priced pipeline run; ``renames`` maps base paths to head paths.
    ``tree``: where the run's files are (to tell whether a file that does not parse names
    anthropic or Claude), ``repo_root`` the repository root when ``tree`` is inside it."""
    renames = renames or {}
    costs = result.costs
    side = Side(label, assumptions=costs.assumptions.lines())
    for diagnostic in result.diagnostics:
        if diagnostic.kind != PARSE_ERROR:
            continue
        repo_path = _repo_path(diagnostic.path, tree, repo_root)
        path = renames.get(repo_path, repo_path)
        mentions = _mentions_claude(tree / diagnostic.path) if tree is not None else True
        side.unparsed[path] = Unparsed(path, diagnostic.message, mentions)
    for cost in costs.sites:
        old_path = cost.site.repo_path or cost.site.path
        path = renames.get(old_path, old_path)
        address = cost.site.address_at(path)
        reason = f"failing now: {cost.failing}" if cost.failing else cost.unpriced
        side.sites[address] = SiteRecord(address, path, cost.model, cost.now, reason)
    for finding in result.findings:
        old_path = finding.repo_path
        path = renames.get(old_path, old_path)
        key = finding.fingerprint if path == old_path else fingerprint_at(finding, path)
        site = finding.site
        side.findings[key] = FindingRecord(
            key,
            finding.rule,
            path,
            finding.line,
            site.qualname if site is not None else "",
            finding.message,
        )
    return side


def _repo_path(rel: str, tree: Path | None, repo_root: Path | None) -> str:
    if tree is None or repo_root is None:
        return rel
    try:
        return (tree / rel).resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return rel


def _mentions_claude(path: Path) -> bool:
    """Whether the file names anthropic or Claude (unreadable: assume it does)."""
    try:
        with path.open("rb") as handle:
            return bool(CLAUDE_WORDS.search(handle.read(MENTION_READ_LIMIT)))
    except OSError:
        return True


def side_from_report(path: Path, label: str | None = None) -> Side:
    """A side from a saved ``costlint report --format json``."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read base report {path}: {exc}") from None
    cost = payload.get("cost") if isinstance(payload, dict) else None
    if not isinstance(cost, dict) or not isinstance(cost.get("call_sites"), list):
        raise ConfigError(
            f"{path} is not a costlint JSON report with costs "
            "(make it with `costlint report --format json --output-file FILE`)"
        )
    side = Side(
        label or str(path), assumptions=list(cost.get("assumptions", {}).get("statements", []))
    )
    for entry in cost["call_sites"]:
        address = str(entry["address"])
        now = entry.get("usd_per_month_now")
        side.sites[address] = SiteRecord(
            address,
            address.split("::", 1)[0],
            entry.get("model"),
            float(now) if now is not None else None,
            f"failing now: {entry['failing']}" if entry.get("failing") else entry.get("unpriced"),
        )
    for entry in payload.get("findings", []):
        key = entry.get("fingerprint")
        if not key:
            raise ConfigError(
                f"{path}: findings carry no fingerprint; re-create the report with this costlint"
            )
        address = entry.get("address") or ""
        qualname = address.split("::", 1)[1].split("#", 1)[0] if "::" in address else ""
        side.findings[key] = FindingRecord(
            key, entry["rule"], entry["path"], entry.get("line"), qualname, entry["message"]
        )
    return side


# ---------------------------------------------------------------------------- scanning


@dataclass
class ScanRequest:
    """What both sides are scanned with: one config, one usage file, one token mode."""

    config: Config
    usage: Any
    select: list[str] | None = None
    ignore: list[str] | None = None
    tokens: str | None = None
    use_cache: bool = True
    warnings: list[str] = field(default_factory=list)


def scan_tree(
    request: ScanRequest,
    tree: Path,
    label: str,
    renames: dict[str, str] | None = None,
    repo_root: Path | None = None,
    side: str | None = None,
) -> Side:
    """Scan the files under ``tree`` as if it were the repository root (``repo_root``: the
    real root, when ``tree`` is a directory inside it; ``side``: a materialized revision,
    cached apart from the working tree under that name)."""
    from .pipeline import RunOptions, run

    config = request.config
    if tree.resolve() != config.root.resolve():
        cache = config.cache_dir
        cache_dir = (config.root / cache) if cache else config.root / ".costlint_cache"
        if side is not None:
            # Its own entries: a side's cache is keyed with its root, so sharing the working
            # tree's files would make each side replace the other's entries on every diff.
            cache_dir = cache_dir / "sides" / side
        config = replace(config, root=tree, cache_dir=str(cache_dir))
    options = RunOptions(
        cwd=tree,
        select=request.select,
        ignore=request.ignore,
        tokens=request.tokens,
        use_cache=request.use_cache,
        usage=request.usage,
        repo_root=repo_root,
    )
    result = run(config, options)
    request.warnings.extend(w for w in result.warnings if w not in request.warnings)
    return side_from_run(label, result, renames, tree=tree, repo_root=repo_root)


def diff_git(
    request: ScanRequest, cwd: Path, base: str, head: str | None = None
) -> tuple[Side, Side]:
    """Scan ``base`` (and ``head``, default the working tree) of the repository at ``cwd``."""
    from . import gitsource

    root = gitsource.repo_root(cwd)
    base_commit = gitsource.resolve_commit(root, base)
    head_commit = gitsource.resolve_commit(root, head) if head is not None else None
    moved = gitsource.renames(root, base_commit, head_commit)
    limit = request.config.max_file_size or None  # larger files are never read
    with side_directory(root) as tmp:
        base_tree = gitsource.materialize(root, base_commit, tmp / "base", limit)
        base_side = scan_tree(request, base_tree, base, renames=moved, side="base")
        if head_commit is None:
            head_side = scan_tree(request, root, "working tree")
        else:
            head_tree = gitsource.materialize(root, head_commit, tmp / "head", limit)
            head_side = scan_tree(request, head_tree, head or head_commit, side="head")
    return base_side, head_side


@contextmanager
def side_directory(root: Path) -> Iterator[Path]:
    """Where the revisions are written: the same empty directory on every diff of this
    repository by this user, so the cache entries of a side (keyed with its root and the
    paths of the files it read) are found again. Held under a lock; when another diff holds it
    (or locks are unavailable) a fresh temporary directory is used, which only costs speed."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        fcntl = None  # type: ignore[assignment]
    digest = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    stable = Path(tempfile.gettempdir()) / f"costlint-diff-{os.getuid()}-{digest[:16]}"
    handle = None
    if fcntl is not None:
        try:
            stable.mkdir(mode=0o700, exist_ok=True)
            info = stable.stat()
            if info.st_uid == os.getuid() and not stable.is_symlink():
                handle = open(stable / "lock", "a+b")  # noqa: SIM115 - released in finally
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if handle is not None:
                handle.close()
            handle = None
    if handle is None:
        with tempfile.TemporaryDirectory(prefix="costlint-diff-") as tmp:
            yield Path(tmp)
        return
    work = stable / "tree"
    try:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)
        handle.close()
