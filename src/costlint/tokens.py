"""Token counts: the offline estimate, the Anthropic token-counting API and a disk cache.

``TokenCounter`` answers each ``CountRequest`` from the disk cache, else the API
(``client.messages.count_tokens``), else the offline estimate, and says which it used.
The SDK is imported only on the API path: it takes over a second to import.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import math
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .estimate import (  # noqa: F401 (re-exported)
    NEW_TOKENIZER_FACTOR,
    estimate_tokens,
    estimate_value_tokens,
)
from .site import UNKNOWN, TokenCount, is_unknown

# --------------------------------------------------------------------------------------------
# Count requests: what is sent to `POST /v1/messages/count_tokens`
# --------------------------------------------------------------------------------------------

UNRESOLVED = "{unresolved}"
"""Placeholder text for a value the source does not let us know (documented in README)."""

# The request keys that change the input token count. Everything else in a call
# (max_tokens, stream, temperature, metadata, stop_sequences, top_p, top_k, timeout,
# extra_*) is output-side or transport and must not reach the endpoint.
BODY_KEYS = ("system", "tools", "messages", "thinking", "tool_choice")

# Keyword arguments `messages.count_tokens` takes by name; other body keys go in extra_body.
_SDK_KWARGS = frozenset(
    {"system", "tools", "messages", "thinking", "tool_choice", "output_config", "cache_control"}
)

# Estimate overheads (old tokenizer; scaled by NEW_TOKENIZER_FACTOR for the new one).
REQUEST_OVERHEAD_TOKENS = 3
# The tool-use system prompt the API adds when tools are present: 286..804 tokens depending
# on model and tool_choice (claude-cost-facts.md, "Tool overhead"); 300 is a middle guess.
TOOLS_OVERHEAD_TOKENS = 300


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class CountRequest:
    """One token-count request: the model id and the JSON body sent with it."""

    model: str
    body: dict[str, Any]
    new_tokenizer: bool = False

    def key(self) -> str:
        """Cache key: sha256 of the model and the canonical JSON body."""
        cached = self.__dict__.get("_key")
        if cached is None:
            text = self.model + "\n" + _canonical_json(self.body)
            cached = hashlib.sha256(text.encode("utf-8")).hexdigest()
            self.__dict__["_key"] = cached  # memo; the dataclass is frozen for callers only
        return cached

    def __hash__(self) -> int:  # the body is a dict, so the generated hash would fail
        return hash(self.key())


def _jsonable(value: Any) -> Any:
    """A plain JSON value: Str -> str, tuples -> lists, unknown parts -> the placeholder."""
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return UNRESOLVED  # UNKNOWN or anything not representable


def _has_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_unknown(v) for v in value)
    return is_unknown(value)


def _text_block(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return _jsonable(value)
    text = str(value) if isinstance(value, str) else UNRESOLVED
    return {"type": "text", "text": text}


def _system_value(system: Any) -> Any:
    """The system prompt as sent, or None to omit it (unknown, empty or not text)."""
    if isinstance(system, str):
        return str(system) or None
    if isinstance(system, list | tuple):
        blocks = [_text_block(block) for block in system]
        return blocks or None
    return None


def _content_value(content: Any) -> Any:
    if isinstance(content, str):
        return str(content)
    if isinstance(content, list | tuple):
        return [_text_block(block) for block in content] or UNRESOLVED
    return UNRESOLVED


def _placeholder_message() -> dict[str, Any]:
    return {"role": "user", "content": UNRESOLVED}


def _messages_value(messages: Any) -> list[dict[str, Any]]:
    """Messages as sent; the API needs at least one, so unknown or empty -> one placeholder."""
    if not isinstance(messages, list | tuple) or not messages:
        return [_placeholder_message()]
    out: list[dict[str, Any]] = []
    for message in messages:
        if not isinstance(message, dict):
            out.append(_placeholder_message())
            continue
        role = message.get("role")
        out.append(
            {
                "role": str(role) if role in ("user", "assistant") else "user",
                "content": _content_value(message.get("content", UNKNOWN)),
            }
        )
    return out


def _tool_value(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool definition; unknown name/schema get values the API accepts."""
    out = _jsonable(tool)
    if not isinstance(tool.get("name"), str):
        out["name"] = "unresolved"  # tool names may not contain braces
    if "input_schema" in tool and not isinstance(tool["input_schema"], dict):
        out["input_schema"] = {"type": "object"}
    return out


def _tools_value(tools: Any) -> list[dict[str, Any]] | None:
    if not isinstance(tools, list | tuple):
        return None
    out = [_tool_value(tool) for tool in tools if isinstance(tool, dict)]
    return out or None


def placeholder_request(
    model: Any, args: dict[str, Any], new_tokenizer: bool = False
) -> CountRequest | None:
    """Build the count request for resolved call arguments; None when the model is unknown.

    Unknown parts become placeholders: system and tools are omitted, a message content
    becomes "{unresolved}", an unknown or missing messages list becomes one "{unresolved}"
    user message. Only BODY_KEYS are kept (never max_tokens or stream).
    """
    if not isinstance(model, str) or is_unknown(model):
        return None
    body: dict[str, Any] = {}
    system = _system_value(args.get("system"))
    if system is not None:
        body["system"] = system
    tools = _tools_value(args.get("tools"))
    if tools is not None:
        body["tools"] = tools
    body["messages"] = _messages_value(args.get("messages"))
    for name in ("thinking", "tool_choice"):
        value = args.get(name)
        # A half-known setting would 400; these barely change the count, so leave them out.
        if isinstance(value, dict) and not _has_unknown(value):
            body[name] = _jsonable(value)
    return CountRequest(model=str(model), body=body, new_tokenizer=new_tokenizer)


def _scaled(tokens: int, new_tokenizer: bool) -> int:
    return math.ceil(tokens * NEW_TOKENIZER_FACTOR) if new_tokenizer else tokens


def estimate_request_tokens(request: CountRequest) -> int:
    """Offline estimate of what count_tokens would return for ``request``.

    Messages carry a small per-message overhead (in estimate_value_tokens); tools add the
    tool-use system prompt the API inserts.
    """
    body, nt = request.body, request.new_tokenizer
    total = _scaled(REQUEST_OVERHEAD_TOKENS, nt)
    total += estimate_value_tokens(body.get("system"), nt)
    total += estimate_value_tokens(body.get("messages"), nt)
    if body.get("tools"):
        total += estimate_value_tokens(body["tools"], nt) + _scaled(TOOLS_OVERHEAD_TOKENS, nt)
    return total


# --------------------------------------------------------------------------------------------
# Disk cache
# --------------------------------------------------------------------------------------------


class _DiskCache:
    """``cache_dir/counts/<key>.json`` holding only {"input_tokens", "model"}."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.counts = root / "counts"
        self._ready = False

    def _path(self, key: str) -> Path:
        return self.counts / f"{key}.json"

    def get(self, request: CountRequest) -> int | None:
        """The cached count, or None when missing or unreadable (a corrupt file is ignored)."""
        try:
            data = json.loads(self._path(request.key()).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("model") != request.model:
            return None
        count = data.get("input_tokens")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return None
        return count

    def put(self, request: CountRequest, count: int) -> None:
        """Write atomically (tmp file + os.replace); a read-only tree just means no cache."""
        try:
            self._ensure_dirs()
            payload = json.dumps({"input_tokens": count, "model": request.model})
            fd, tmp = tempfile.mkstemp(dir=self.counts, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(payload)
                os.replace(tmp, self._path(request.key()))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            pass

    def _ensure_dirs(self) -> None:
        """Create counts/ and a .gitignore of ``*`` so the cache never gets committed."""
        if self._ready:
            return
        self.counts.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        self._ready = True


# --------------------------------------------------------------------------------------------
# API back-end
# --------------------------------------------------------------------------------------------

INITIAL_BACKOFF = 0.5  # seconds, doubled per retry (same constants as the SDK)
MAX_BACKOFF = 8.0
ATTEMPT_TIMEOUT = 30.0  # one HTTP attempt; always capped by what is left of the time budget
_GRACE = 0.25  # how long past the deadline we wait for in-flight attempts to report
_SPEND_LIMIT_CODE = "enforced_spend_limit_reached"


def _redact(text: str, secret: str | None) -> str:
    """Remove the API key from any text we show (SDK errors may echo request data)."""
    if secret and secret in text:
        return text.replace(secret, "[redacted]")
    return text


def _error_field(body: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(body, dict):
            return None
        body = body.get(name)
    return body


def _retry_after(headers: Any) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, then retry-after), or None."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        with contextlib.suppress(ValueError):
            return max(0.0, float(ms) / 1000)
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _backoff(retry: int) -> float:
    """Exponential backoff with jitter: 0.5, 1, 2, 4, 8 s, each minus up to 25%."""
    return min(INITIAL_BACKOFF * 2.0**retry, MAX_BACKOFF) * (1 - 0.25 * random.random())


class _Fatal(Exception):
    """The API cannot answer at all: estimate this request and everything left."""


class _Rejected(Exception):
    """The API answered but refused this one request (e.g. 400): estimate it alone."""


class _Retry(Exception):
    """A transient failure; ``delay`` is the server's retry-after when it sent one."""

    def __init__(self, reason: str, delay: float | None) -> None:
        super().__init__(reason)
        self.delay = delay


def _classify_status(err: Any) -> Exception:
    """Map an SDK APIStatusError to _Fatal, _Rejected or _Retry."""
    status = int(getattr(err, "status_code", 0) or 0)
    body = getattr(err, "body", None)
    etype = _error_field(body, "error", "type")
    label = f"{status} {etype}" if isinstance(etype, str) else str(status)
    code = _error_field(body, "error", "details", "error_code")
    message = _error_field(body, "error", "message")
    if status == 429 and code == _SPEND_LIMIT_CODE:
        return _Fatal(f"{label}: spend limit reached")
    if status == 400 and isinstance(message, str) and "usage limit" in message.lower():
        return _Fatal(f"{label}: API usage limit reached")
    if status in (401, 402, 403):
        return _Fatal(label)
    if status in (408, 409, 429) or status >= 500:
        response = getattr(err, "response", None)
        return _Retry(label, _retry_after(getattr(response, "headers", None)))
    return _Rejected(label)


def _input_tokens(result: Any) -> int:
    count = getattr(result, "input_tokens", None)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise _Fatal("malformed response: no input_tokens")
    return count


class _ApiRun:
    """State shared by the worker threads of one API pass."""

    def __init__(self, client: Any, sdk: Any, deadline: float, max_retries: int) -> None:
        self.client = client
        self.sdk = sdk
        self.deadline = deadline
        self.max_retries = max_retries
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.fatal: str | None = None
        self.rejected: list[str] = []
        self.attempts = 0
        self.retries = 0

    def fail(self, reason: str) -> None:
        with self.lock:
            if self.fatal is None:
                self.fatal = reason
        self.stop.set()

    def count(self, request: CountRequest) -> int | None:
        """Count one request with retries; None when it must be estimated."""
        try:
            return self._count_with_retries(request)
        except _Fatal as err:
            self.fail(str(err))
        except _Rejected as err:
            with self.lock:
                self.rejected.append(str(err))
        except Exception as err:  # an SDK surprise must not crash the linter
            self.fail(f"unexpected {type(err).__name__}")
        return None

    def _count_with_retries(self, request: CountRequest) -> int | None:
        retry = 0
        while True:
            if self.stop.is_set():
                return None
            try:
                return self._attempt(request)
            except _Retry as err:
                if retry >= self.max_retries:
                    tries = "retry" if retry == 1 else "retries"
                    raise _Fatal(f"{err} after {retry} {tries}") from None
                self._sleep(err.delay if err.delay is not None else _backoff(retry))
                retry += 1
                with self.lock:
                    self.retries += 1

    def _sleep(self, delay: float) -> None:
        """Wait before a retry, but never past the time budget."""
        if time.monotonic() + delay >= self.deadline:
            raise _Fatal("time budget spent waiting to retry")
        self.stop.wait(delay)

    def _attempt(self, request: CountRequest) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _Fatal("time budget spent")
        body = request.body
        kwargs = {k: v for k, v in body.items() if k in _SDK_KWARGS}
        extra = {k: v for k, v in body.items() if k not in _SDK_KWARGS}
        with self.lock:
            self.attempts += 1
        try:
            result = self.client.messages.count_tokens(
                model=request.model,
                **kwargs,
                extra_body=extra or None,
                timeout=min(ATTEMPT_TIMEOUT, remaining),
            )
        except self.sdk.APIStatusError as err:
            raise _classify_status(err) from None
        except self.sdk.APITimeoutError:
            raise _Retry("request timed out", None) from None
        except self.sdk.APIConnectionError:
            raise _Retry("connection error", None) from None
        except (ValueError, TypeError, KeyError, self.sdk.APIResponseValidationError) as err:
            raise _Fatal(f"malformed response: {type(err).__name__}") from None
        return _input_tokens(result)


# --------------------------------------------------------------------------------------------
# TokenCounter
# --------------------------------------------------------------------------------------------

MODES = ("auto", "api", "estimate")


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
        self.cache = _DiskCache(Path(cache_dir)) if use_cache and cache_dir is not None else None
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
        if self._deadline is None:
            self._deadline = time.monotonic() + self.time_budget
        client = anthropic.Anthropic(
            api_key=self.api_key,
            # Explicit, so a custom ``env`` mapping wins over os.environ inside the SDK.
            base_url=self.env.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com",
            max_retries=0,  # we retry ourselves, within the time budget
            timeout=ATTEMPT_TIMEOUT,
        )
        run = _ApiRun(client, anthropic, self._deadline, self.max_retries)
        counts, finished = self._run_pool(run, todo)
        if finished:
            client.close()
        self._record(run, counts, todo, total)
        return {key: TokenCount(n, "api") for key, n in counts.items()}

    def _run_pool(self, run: _ApiRun, todo: list[CountRequest]) -> tuple[dict[str, int], bool]:
        """Run the requests, at most ``concurrency`` in flight.

        Threads with the sync client rather than asyncio: the work is I/O bound (the GIL
        is released while waiting), the SDK's httpx client is thread-safe, and count()
        stays a plain function callers can use even inside a running event loop. Every
        attempt's timeout is capped by the deadline, and we stop waiting shortly after it.
        """
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
        self, run: _ApiRun, counts: dict[str, int], todo: list[CountRequest], total: int
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
