"""`costlint usage import FILE`: calibrate the usage file from a real month of traffic.

FILE is what the Anthropic Usage and Cost Admin API returns for
``GET /v1/organizations/usage_report/messages`` grouped by model (``group_by[]=model``): a
page ``{"data": [bucket, ...], "has_more": ..., "next_page": ...}`` (or a JSON list of such
pages, for an export fetched page by page), each bucket
``{"starting_at", "ending_at", "results": [{"model", "uncached_input_tokens",
"cache_creation": {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"},
"cache_read_input_tokens", "output_tokens", ...}]}``. costlint never fetches it (no network):
the user does, with an Admin key.

How the calibration works (an approximation, said so in the report and docs):

* Each model's tokens are summed over the buckets and scaled to a month (365.25/12 days)
  from the period the buckets cover.
* The report counts tokens, not requests. A model's calls are derived from its input tokens
  (uncached + cache writes + cache reads): the call sites that use the model (as the code or
  the usage file names it, matched through the catalog) share the month's input tokens in
  proportion to what one call of each sends, with the same number of calls each:
  ``calls = input tokens per month / sum of the sites' input tokens per call``.
* Each of those sites gets that ``calls_per_month`` and the model's output tokens per call
  (``output tokens per month / calls per month / number of sites``), so the projected month
  matches the real one in calls x tokens for every model.
* Sites whose model is not resolved statically, and models with traffic but no call site in
  the scan, are listed and left alone.

The real spread between call sites is unknown (the report is per model, not per call site),
so a model with several call sites gets the same volume on each.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ConfigError
from .price.formulas import SECONDS_PER_MONTH
from .site import PromptSite
from .usage import Usage

MAX_REPORT_BYTES = 50_000_000
INPUT_FIELDS = ("uncached_input_tokens", "cache_read_input_tokens")
CACHE_WRITE_FIELDS = ("ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens")


@dataclass
class ModelTraffic:
    """One model's tokens over the report's period."""

    model: str
    input_tokens: float = 0.0  # uncached + cache writes + cache reads
    output_tokens: float = 0.0


@dataclass
class UsageReport:
    traffic: dict[str, ModelTraffic]
    seconds: float  # the period the buckets cover

    @property
    def month_factor(self) -> float:
        return SECONDS_PER_MONTH / self.seconds


@dataclass(frozen=True)
class SiteCalibration:
    address: str
    model: str
    calls_per_month: float
    output_tokens: int


@dataclass
class Calibration:
    sites: list[SiteCalibration] = field(default_factory=list)
    unmatched_models: list[str] = field(default_factory=list)  # traffic, no call site
    unresolved_sites: list[str] = field(default_factory=list)  # call sites without a model
    models_without_input: list[str] = field(default_factory=list)


def read_usage_report(path: Path) -> UsageReport:
    """The report at ``path``; ConfigError (exit 2) naming what is wrong."""
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise ConfigError(f"{path}: usage report over {MAX_REPORT_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read usage report: {exc}") from None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{path}: not JSON: {exc}") from None
    return parse_usage_report(doc, str(path))


def parse_usage_report(doc: Any, where: str) -> UsageReport:
    pages = doc if isinstance(doc, list) else [doc]
    traffic: dict[str, ModelTraffic] = {}
    starts: list[datetime.datetime] = []
    ends: list[datetime.datetime] = []
    for p, page in enumerate(pages):
        at = f"{where}: page {p}" if isinstance(doc, list) else where
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise ConfigError(
                f"{at}: expected the JSON of /v1/organizations/usage_report/messages "
                '(an object with a "data" list of time buckets)'
            )
        for b, bucket in enumerate(page["data"]):
            here = f"{at}: data[{b}]"
            if not isinstance(bucket, dict):
                raise ConfigError(f"{here}: expected a time bucket object")
            starts.append(_time(bucket.get("starting_at"), f"{here}.starting_at"))
            ends.append(_time(bucket.get("ending_at"), f"{here}.ending_at"))
            results = bucket.get("results")
            if not isinstance(results, list):
                raise ConfigError(f"{here}.results: expected a list")
            for r, result in enumerate(results):
                _add(traffic, result, f"{here}.results[{r}]")
    if not starts:
        raise ConfigError(f"{where}: the report has no time buckets")
    seconds = (max(ends) - min(starts)).total_seconds()
    if seconds <= 0:
        raise ConfigError(f"{where}: the buckets cover no time (ending_at before starting_at)")
    return UsageReport(traffic, seconds)


def _add(traffic: dict[str, ModelTraffic], result: Any, here: str) -> None:
    if not isinstance(result, dict):
        raise ConfigError(f"{here}: expected an object")
    model = result.get("model")
    if not isinstance(model, str) or not model.strip():
        raise ConfigError(
            f"{here}.model: missing: export the report grouped by model (group_by[]=model)"
        )
    entry = traffic.setdefault(model.strip(), ModelTraffic(model.strip()))
    for name in INPUT_FIELDS:
        entry.input_tokens += _count(result.get(name, 0), f"{here}.{name}")
    writes = result.get("cache_creation") or {}
    if not isinstance(writes, dict):
        raise ConfigError(f"{here}.cache_creation: expected an object")
    for name in CACHE_WRITE_FIELDS:
        entry.input_tokens += _count(writes.get(name, 0), f"{here}.cache_creation.{name}")
    entry.output_tokens += _count(result.get("output_tokens", 0), f"{here}.output_tokens")


def _count(value: Any, where: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: expected a non-negative token count, got {value!r}")
    return float(value)


def _time(value: Any, where: str) -> datetime.datetime:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected an RFC 3339 time")
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{where}: expected an RFC 3339 time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def calibrate(
    sites: list[PromptSite], report: UsageReport, usage: Usage, catalog: Any
) -> Calibration:
    """Per call site: calls per month and output tokens that reproduce each model's month."""
    from .price.run import prompt_resolved, workload

    result = Calibration()
    by_model: dict[str, list[tuple[str, float]]] = {}
    seen: set[str] = set()
    for site in sites:
        address = site.repo_address
        if address in seen:
            continue
        seen.add(address)
        site_usage = usage.for_site(site)
        written = site.model if isinstance(site.model, str) else site_usage.model
        info = catalog.resolve(str(written)) if written and catalog is not None else None
        if info is None or not prompt_resolved(site):
            result.unresolved_sites.append(address)
            continue
        by_model.setdefault(info.id, []).append(
            (address, _input_per_call(workload(site, site_usage)))
        )
    for name, traffic in sorted(report.traffic.items()):
        info = catalog.resolve(name) if catalog is not None else None
        key = info.id if info is not None else name
        group = by_model.get(key)
        if not group:
            result.unmatched_models.append(name)
            continue
        monthly_input = traffic.input_tokens * report.month_factor
        per_round = sum(tokens for _, tokens in group)
        if monthly_input <= 0 or per_round <= 0:
            result.models_without_input.append(name)
            continue
        calls = monthly_input / per_round
        output = traffic.output_tokens * report.month_factor / (calls * len(group))
        for address, _ in group:
            result.sites.append(SiteCalibration(address, key, round(calls, 1), round(output)))
    return result


def _input_per_call(work: Any) -> float:
    """Input tokens of an average call: a conversation's turns grow by new + output each."""
    if work.conversation:
        return work.prefix + work.new + (work.turns - 1) / 2 * (work.new + work.output)
    return work.prefix + work.rest


def calibrated_usage(usage: Usage, calibration: Calibration) -> Usage:
    """``usage`` with each calibrated site's calls_per_month and output_tokens set."""
    from dataclasses import replace

    entries = [(key, dict(entry)) for key, entry in usage.entries]
    index = {key: entry for key, entry in entries}
    for site in calibration.sites:
        figures = {"calls_per_month": site.calls_per_month, "output_tokens": site.output_tokens}
        if site.address in index:
            index[site.address].update(figures)
        else:
            entry = dict(figures)
            entries.append((site.address, entry))
            index[site.address] = entry
    return replace(usage, entries=tuple(entries))
