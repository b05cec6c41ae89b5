"""TokenCounter: each count request from the disk cache, else the API, else the estimate.

The SDK is imported only on the API path: it takes over a second to import.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..site import TokenCount
from .disk_cache import DiskCache

if TYPE_CHECKING:
    from .api_client import ApiRun
    from .request_shape import CountRequest

MODES = ("auto", "api", "estimate")
_GRACE = 0.25  # how long past the deadline we wait for in-flight attempts to report


def _redact(text: str, secret: str | None) -> str:
    """Remove the API key from any text we show (SDK errors may echo request data)."""
    if secret and secret in text:
        return text.replace(secret, "[redacted]")
    return text


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class TokenCounter:
    """Token counts for count requests: disk cache, then the API, then the offline estimate.

    ``mode`` "auto" uses the API when ANTHROPIC_API_KEY is set in ``env``; "api" asks for it
    (warning once and estimating when there is no key); "estimate" touches neither the
    network nor the cache, so its numbers are the same on every machine. ``time_budget`` is
    the total wall time the API may take over this counter's life, counted from its first
    request. Problems are reported through ``warn`` at most once per counter; the API key
    never appears in a warning or in the cache.
    """

    def __init__(
        self,
        mode: str = "auto",
        *,
        cache_dir: Path | None = Path(".costlint_cache"),
        use_cache: bool = True,
        concurrency: int = 8,
        time_budget: float = 60.0,
        env: Mapping[str, str] | None = None,
        warn: Callable[[str], None] | None = None,
        max_retries: int = 4,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"token mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self.cache = DiskCache(Path(cache_dir)) if use_cache and cache_dir is not None else None
        self.concurrency = max(1, int(concurrency))
        self.time_budget = float(time_budget)
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.warn = warn if warn is not None else _stderr
        self.max_retries = max(0, int(max_retries))
        self.stats: dict[str, int] = {
            "api_requests": 0,  # HTTP attempts sent, retries included
            "api_counts": 0,  # distinct requests the API counted
            "retries": 0,
            "cache_hits": 0,
            "estimates": 0,
            "duplicates": 0,  # requests answered by an identical one in the same call
        }
        self._warned = False
        self._api_down: str | None = None  # set once the API failed for good
        self._deadline: float | None = None

    # -- public -------------------------------------------------------------------------------

    @property
    def api_key(self) -> str | None:
        key = (self.env.get("ANTHROPIC_API_KEY") or "").strip()
        return key or None

    @property
    def uses_api(self) -> bool:
        """Whether counts may come from the API (else every count is an estimate)."""
        return self.mode != "estimate" and self.api_key is not None

    def count(self, requests: Sequence[CountRequest]) -> list[TokenCount]:
        """Token counts for ``requests``, in the same order; identical requests counted once."""
        from .request_estimate import estimate_request_tokens  # a run from the cache has none

        unique: dict[str, CountRequest] = {}
        for request in requests:
            unique.setdefault(request.key(), request)
        self.stats["duplicates"] += len(requests) - len(unique)
        results = self._from_cache(unique)
        todo = [req for key, req in unique.items() if key not in results]
        if todo and self._want_api():
            results.update(self._from_api(todo, len(unique)))
        for key, request in unique.items():
            if key not in results:
                results[key] = TokenCount(estimate_request_tokens(request), "estimate")
                self.stats["estimates"] += 1
        return [results[request.key()] for request in requests]

    # -- stages -------------------------------------------------------------------------------

    def _from_cache(self, unique: dict[str, CountRequest]) -> dict[str, TokenCount]:
        found: dict[str, TokenCount] = {}
        if self.cache is None or self.mode == "estimate":
            return found
        for key, request in unique.items():
            count = self.cache.get(request)
            if count is not None:
                found[key] = TokenCount(count, "cache")
        self.stats["cache_hits"] += len(found)
        return found

    def _want_api(self) -> bool:
        if self.mode == "estimate" or self._api_down is not None:
            return False
        if self.api_key is None:
            if self.mode == "api":
                self._warn_once(
                    "costlint: --tokens api needs ANTHROPIC_API_KEY; using offline estimates"
                )
            return False
        return True

    def _from_api(self, todo: list[CountRequest], total: int) -> dict[str, TokenCount]:
        """Count ``todo`` through the API; whatever it cannot count is left out."""
        try:
            import anthropic  # deferred: importing the SDK takes over a second
        except ImportError:
            self._api_failed("the anthropic SDK is not installed", len(todo), total)
            return {}
        from .api_client import ATTEMPT_TIMEOUT, ApiRun  # the API path only (email, socket)

        if self._deadline is None:
            self._deadline = time.monotonic() + self.time_budget
        client = anthropic.Anthropic(
            api_key=self.api_key,
            # Explicit, so a custom ``env`` mapping wins over os.environ inside the SDK.
            base_url=self.env.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com",
            max_retries=0,  # we retry ourselves, within the time budget
            timeout=ATTEMPT_TIMEOUT,
        )
        run = ApiRun(client, anthropic, self._deadline, self.max_retries)
        counts, finished = self._run_pool(run, todo)
        if finished:
            client.close()
        self._record(run, counts, todo, total)
        return {key: TokenCount(n, "api") for key, n in counts.items()}

    def _run_pool(self, run: ApiRun, todo: list[CountRequest]) -> tuple[dict[str, int], bool]:
        """Run the requests, at most ``concurrency`` in flight.

        Threads with the sync client rather than asyncio: the work is I/O bound (the GIL
        is released while waiting), the SDK's httpx client is thread-safe, and count()
        stays a plain function callers can use even inside a running event loop. Every
        attempt's timeout is capped by the deadline, and we stop waiting shortly after it.
        """
        from concurrent.futures import ThreadPoolExecutor, wait  # the API path only

        counts: dict[str, int] = {}
        pool = ThreadPoolExecutor(
            max_workers=min(self.concurrency, len(todo)), thread_name_prefix="costlint-count"
        )
        futures = {pool.submit(run.count, request): request.key() for request in todo}
        timeout = max(0.0, run.deadline - time.monotonic()) + _GRACE
        done, pending = wait(futures, timeout=timeout)
        if pending:
            run.fail("time budget spent")
        pool.shutdown(wait=False, cancel_futures=True)
        for future in done:
            count = future.result()
            if count is not None:
                counts[futures[future]] = count
        return counts, not pending

    def _record(
        self, run: ApiRun, counts: dict[str, int], todo: list[CountRequest], total: int
    ) -> None:
        self.stats["api_requests"] += run.attempts
        self.stats["retries"] += run.retries
        self.stats["api_counts"] += len(counts)
        if self.cache is not None:
            for request in todo:
                if request.key() in counts:
                    self.cache.put(request, counts[request.key()])
        missing = len(todo) - len(counts)
        if run.fatal is not None:
            self._api_failed(run.fatal, missing, total)
        elif run.rejected:
            self._warn_once(
                f"costlint: token counting API rejected {len(run.rejected)} of {total} requests "
                f"({run.rejected[0]}); using offline estimates for them"
            )

    def _api_failed(self, reason: str, missing: int, total: int) -> None:
        self._api_down = reason
        self._warn_once(
            f"costlint: token counting API unavailable ({reason}); "
            f"using offline estimates for {missing} of {total} requests"
        )

    def _warn_once(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            self.warn(_redact(message, self.api_key))
