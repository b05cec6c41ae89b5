"""TokenCounter against a fake Anthropic API, through the real SDK (never the internet)."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import fakeapi
import pytest
from fakeapi import FAKE_KEY, FakeAPI, Fault

from costlint.site import UNKNOWN, Str
from costlint.tokens import (
    CountRequest,
    TokenCounter,
    estimate_request_tokens,
    placeholder_request,
)
from costlint.tokens.request_shape import UNRESOLVED

fake_api = fakeapi.fake_api  # the fixture: a running FakeAPI per test

MODEL = "claude-sonnet-4-6"
SRC = str(Path(__file__).resolve().parents[1] / "src")


def make_requests(n: int, model: str = MODEL) -> list[CountRequest]:
    """``n`` distinct, valid requests."""
    out = []
    for i in range(n):
        args = {"system": f"You are assistant number {i}.", "messages": [_user(f"hello {i}")]}
        request = placeholder_request(model, args)
        assert request is not None
        out.append(request)
    return out


def _user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def expected(request: CountRequest) -> int:
    return FakeAPI.tokens_for({"model": request.model, **request.body})


class Warnings(list):
    def __call__(self, message: str) -> None:
        self.append(message)


def counter(api: FakeAPI, tmp_path: Path, **kwargs: Any) -> tuple[TokenCounter, Warnings]:
    warnings = Warnings()
    kwargs.setdefault("env", api.env())
    kwargs.setdefault("cache_dir", tmp_path / "cache")
    kwargs.setdefault("time_budget", 10.0)
    return TokenCounter("api", warn=warnings, **kwargs), warnings


# -- the request ----------------------------------------------------------------------------


def full_args() -> dict[str, Any]:
    return {
        "model": MODEL,
        "max_tokens": 4096,
        "stream": True,
        "temperature": 0.2,
        "metadata": {"user_id": "u1"},
        "stop_sequences": ["END"],
        "system": [
            {"type": "text", "text": "Long policy text.", "cache_control": {"type": "ephemeral"}}
        ],
        "tools": [
            {
                "name": "get_weather",
                "description": "Weather for a city",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
            }
        ],
        "tool_choice": {"type": "auto"},
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "messages": [
            _user(Str("Weather in {city}?", 1, 11)),
            {"role": "assistant", "content": [{"type": "text", "text": "Let me check."}]},
            _user("Thanks"),
        ],
    }


@pytest.mark.slow
def test_request_shape_sent_through_the_sdk(fake_api: FakeAPI, tmp_path: Path) -> None:
    args = full_args()
    request = placeholder_request(MODEL, args)
    assert request is not None
    tc, warnings = counter(fake_api, tmp_path)
    [result] = tc.count([request])

    assert result.source == "api"
    assert result.count == expected(request)
    assert warnings == []
    [sent] = fake_api.count_requests
    assert sent.headers["authorization"] == f"Bearer {FAKE_KEY}"
    body = sent.body
    assert set(body) == {"model", "system", "tools", "tool_choice", "thinking", "messages"}
    assert body["model"] == MODEL
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}  # kept
    assert body["tools"][0]["name"] == "get_weather"
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["messages"][0] == {"role": "user", "content": "Weather in {city}?"}
    for dropped in ("max_tokens", "stream", "temperature", "metadata", "stop_sequences"):
        assert dropped not in body


def test_fake_api_rejects_max_tokens(fake_api: FakeAPI, tmp_path: Path) -> None:
    """The fake behaves like the API: a stray max_tokens is a 400, estimated alone."""
    bad = CountRequest(MODEL, {"messages": [_user("hi")], "max_tokens": 5})
    good = make_requests(1)[0]
    tc, warnings = counter(fake_api, tmp_path, concurrency=1)
    results = tc.count([bad, good])
    assert [r.source for r in results] == ["estimate", "api"]
    assert len(warnings) == 1 and "rejected 1 of 2" in warnings[0]
    assert "400 invalid_request_error" in warnings[0]


def test_placeholders_for_unknown_parts() -> None:
    request = placeholder_request(
        MODEL,
        {
            "system": UNKNOWN,
            "tools": UNKNOWN,
            "thinking": UNKNOWN,
            "messages": [_user(UNKNOWN), UNKNOWN, {"role": "assistant", "content": [UNKNOWN]}],
        },
    )
    assert request is not None
    assert request.body == {
        "messages": [
            {"role": "user", "content": UNRESOLVED},
            {"role": "user", "content": UNRESOLVED},
            {"role": "assistant", "content": [{"type": "text", "text": UNRESOLVED}]},
        ]
    }
    placeholder = [{"role": "user", "content": UNRESOLVED}]
    assert placeholder_request(MODEL, {"messages": UNKNOWN}).body == {"messages": placeholder}
    assert placeholder_request(MODEL, {}).body == {"messages": placeholder}
    assert placeholder_request(MODEL, {"messages": []}).body == {"messages": placeholder}
    half_known = {"thinking": {"type": "enabled", "budget_tokens": UNKNOWN}}
    assert "thinking" not in placeholder_request(MODEL, half_known).body
    assert placeholder_request(UNKNOWN, {"messages": [_user("x")]}) is None
    assert placeholder_request(None, {"messages": [_user("x")]}) is None


def test_unknown_tool_parts_stay_valid() -> None:
    tools = [{"name": UNKNOWN, "description": UNKNOWN, "input_schema": UNKNOWN}, UNKNOWN]
    request = placeholder_request(MODEL, {"tools": tools, "messages": [_user("x")]})
    assert request is not None
    assert request.body["tools"] == [
        {"name": "unresolved", "description": UNRESOLVED, "input_schema": {"type": "object"}}
    ]


def test_placeholder_request_is_accepted_by_the_api(fake_api: FakeAPI, tmp_path: Path) -> None:
    request = placeholder_request(MODEL, {"system": UNKNOWN, "messages": UNKNOWN})
    assert request is not None
    tc, warnings = counter(fake_api, tmp_path)
    [result] = tc.count([request])
    assert (result.source, result.count) == ("api", expected(request))
    assert warnings == []


def test_key_is_canonical() -> None:
    a = CountRequest(MODEL, {"system": "s", "messages": [_user("x")]})
    b = CountRequest(MODEL, {"messages": [{"content": "x", "role": "user"}], "system": "s"})
    c = CountRequest("claude-opus-4-7", a.body)
    assert a.key() == b.key()
    assert a.key() != c.key()
    assert len(a.key()) == 64
    assert len({a, b, c}) == 2


# -- cache and de-duplication -----------------------------------------------------------------


def test_second_run_is_served_from_cache(fake_api: FakeAPI, tmp_path: Path) -> None:
    requests = make_requests(5)
    first, _ = counter(fake_api, tmp_path)
    assert {r.source for r in first.count(requests)} == {"api"}
    assert len(fake_api.count_requests) == 5

    second, warnings = counter(fake_api, tmp_path)
    results = second.count(requests)
    assert len(fake_api.count_requests) == 5  # zero new requests
    assert [r.source for r in results] == ["cache"] * 5
    assert [r.count for r in results] == [expected(r) for r in requests]
    assert second.stats["cache_hits"] == 5 and second.stats["api_requests"] == 0
    assert warnings == []

    cache = tmp_path / "cache"
    assert (cache / ".gitignore").read_text().strip() == "*"
    files = list((cache / "counts").iterdir())
    assert len(files) == 5
    for path in files:
        assert set(json.loads(path.read_text())) == {"input_tokens", "model", "mac"}
        assert "assistant number" not in path.read_text()  # no prompt text


def test_use_cache_false_asks_again(fake_api: FakeAPI, tmp_path: Path) -> None:
    requests = make_requests(3)
    counter(fake_api, tmp_path)[0].count(requests)
    tc, _ = counter(fake_api, tmp_path, use_cache=False)
    assert {r.source for r in tc.count(requests)} == {"api"}
    assert len(fake_api.count_requests) == 6


def test_use_cache_false_writes_nothing(fake_api: FakeAPI, tmp_path: Path) -> None:
    counter(fake_api, tmp_path, use_cache=False)[0].count(make_requests(2))
    assert not (tmp_path / "cache").exists()


def test_corrupt_cache_file_is_ignored(fake_api: FakeAPI, tmp_path: Path) -> None:
    [request] = make_requests(1)
    counts = tmp_path / "cache" / "counts"
    counts.mkdir(parents=True)
    (counts / f"{request.key()}.json").write_text("{not json")
    [result] = counter(fake_api, tmp_path)[0].count([request])
    assert result.source == "api"
    assert json.loads((counts / f"{request.key()}.json").read_text())["input_tokens"] == (
        result.count
    )


def test_identical_requests_counted_once(fake_api: FakeAPI, tmp_path: Path) -> None:
    a, b = make_requests(2)
    a_again = CountRequest(a.model, json.loads(json.dumps(a.body)))
    tc, _ = counter(fake_api, tmp_path)
    results = tc.count([a, b, a_again, a])
    assert len(fake_api.count_requests) == 2
    assert [r.count for r in results] == [expected(a), expected(b), expected(a), expected(a)]
    assert tc.stats["duplicates"] == 2


def test_concurrency_is_bounded(fake_api: FakeAPI, tmp_path: Path) -> None:
    fake_api.latency = 0.05
    tc, _ = counter(fake_api, tmp_path, concurrency=3)
    results = tc.count(make_requests(18))
    assert {r.source for r in results} == {"api"}
    assert 2 <= fake_api.max_in_flight <= 3


# -- retries ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault.rate_limited("0"),
        Fault.rate_limited_ms(10),
        Fault.overloaded(retry_after="0"),  # keep the test fast
        Fault.server_error(retry_after="0"),
        Fault.overloaded(),  # no retry-after: backoff
        Fault.slow(0),  # a no-op fault: the first answer is normal
    ],
    ids=["429-retry-after", "429-retry-after-ms", "529", "500", "529-backoff", "none"],
)
def test_transient_errors_are_retried(fake_api: FakeAPI, tmp_path: Path, fault: Fault) -> None:
    fake_api.push(fault)
    [request] = make_requests(1)
    tc, warnings = counter(fake_api, tmp_path)
    [result] = tc.count([request])
    assert (result.source, result.count) == ("api", expected(request))
    assert warnings == []
    retried = fault.status != 200
    assert len(fake_api.count_requests) == 1 + retried
    assert tc.stats["retries"] == retried


def test_429_without_retry_after_backs_off(fake_api: FakeAPI, tmp_path: Path) -> None:
    fake_api.push(Fault.rate_limited(None))
    tc, warnings = counter(fake_api, tmp_path)
    start = time.monotonic()
    [result] = tc.count(make_requests(1))
    elapsed = time.monotonic() - start
    assert result.source == "api" and warnings == []
    assert 0.3 <= elapsed < 2.0  # first backoff: 0.5 s minus up to 25% jitter


def test_retries_exhausted_fall_back(fake_api: FakeAPI, tmp_path: Path) -> None:
    fake_api.always = Fault.overloaded(retry_after="0")
    tc, warnings = counter(fake_api, tmp_path, concurrency=1, max_retries=2)
    results = tc.count(make_requests(4))
    assert {r.source for r in results} == {"estimate"}
    assert len(fake_api.count_requests) == 3  # one request, two retries, then stop
    assert warnings == [
        "costlint: token counting API unavailable (529 overloaded_error after 2 retries); "
        "using offline estimates for 4 of 4 requests"
    ]


def test_retry_after_past_budget_is_not_slept(fake_api: FakeAPI, tmp_path: Path) -> None:
    fake_api.push(Fault.rate_limited("30"))
    tc, warnings = counter(fake_api, tmp_path, time_budget=1.0, concurrency=1)
    start = time.monotonic()
    [result] = tc.count(make_requests(1))
    assert time.monotonic() - start < 1.0
    assert result.source == "estimate"
    assert len(warnings) == 1 and "time budget" in warnings[0]


# -- the API cannot answer ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault, label",
    [
        (Fault.unauthorized(), "401 authentication_error"),
        (Fault.forbidden(), "403 permission_error"),
    ],
)
def test_auth_errors_fall_back_with_one_warning(
    fake_api: FakeAPI, tmp_path: Path, fault: Fault, label: str
) -> None:
    fake_api.always = fault
    tc, warnings = counter(fake_api, tmp_path)
    results = tc.count(make_requests(10))
    assert {r.source for r in results} == {"estimate"}
    assert [r.count for r in results] == [estimate_request_tokens(r) for r in make_requests(10)]
    sent = len(fake_api.count_requests)
    assert sent <= 10
    # A second call on the same counter: no requests, no second warning.
    tc.count(make_requests(3, model="claude-haiku-4-5"))
    assert len(fake_api.count_requests) == sent
    assert len(warnings) == 1
    assert warnings[0].startswith(f"costlint: token counting API unavailable ({label})")
    assert not (tmp_path / "cache" / "counts").exists() or not any(
        (tmp_path / "cache" / "counts").iterdir()
    )


def test_wrong_key_is_never_shown(
    fake_api: FakeAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "sk-ant-wrong-key-4242-secret"
    caplog.set_level(logging.DEBUG)
    tc, warnings = counter(fake_api, tmp_path, env=fake_api.env(wrong), concurrency=1)
    results = tc.count(make_requests(3))  # the server echoes the wrong key in its 401
    assert {r.source for r in results} == {"estimate"}
    assert len(fake_api.count_requests) == 1
    assert warnings == [
        "costlint: token counting API unavailable (401 authentication_error); "
        "using offline estimates for 3 of 3 requests"
    ]
    assert wrong not in caplog.text


def test_sdk_exception_carrying_the_key_is_contained(
    fake_api: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anthropic.resources.messages.messages as sdk_messages

    def explode(self: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"boom with {FAKE_KEY}")

    monkeypatch.setattr(sdk_messages.Messages, "count_tokens", explode)
    tc, warnings = counter(fake_api, tmp_path)
    results = tc.count(make_requests(2))  # must not raise
    assert {r.source for r in results} == {"estimate"}
    assert len(warnings) == 1 and "unexpected RuntimeError" in warnings[0]
    assert FAKE_KEY not in warnings[0]


def test_key_never_in_cache_or_output(
    fake_api: FakeAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_api.push(Fault.rate_limited("0"), Fault.server_error(retry_after="0"))
    tc, warnings = counter(fake_api, tmp_path, concurrency=1)
    tc.count(make_requests(3))
    fake_api.always = Fault.unauthorized()
    TokenCounter("api", cache_dir=tmp_path / "cache", env=fake_api.env(), warn=warnings).count(
        make_requests(5)
    )
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert FAKE_KEY not in path.read_text()
    assert all(FAKE_KEY not in w for w in warnings)
    assert FAKE_KEY not in repr(tc.stats)
    assert FAKE_KEY not in caplog.text


def test_spend_limit_is_not_retried(fake_api: FakeAPI, tmp_path: Path) -> None:
    fake_api.always = Fault.spend_limit()
    tc, warnings = counter(fake_api, tmp_path, concurrency=1)
    results = tc.count(make_requests(5))
    assert {r.source for r in results} == {"estimate"}
    assert len(fake_api.count_requests) == 1
    assert len(warnings) == 1 and "spend limit" in warnings[0]
    assert "5 of 5 requests" in warnings[0]


@pytest.mark.parametrize("fault", [Fault.malformed_json(), Fault.missing_tokens()])
def test_malformed_answer_falls_back(fake_api: FakeAPI, tmp_path: Path, fault: Fault) -> None:
    fake_api.push(fault)
    tc, warnings = counter(fake_api, tmp_path, concurrency=1)
    results = tc.count(make_requests(3))
    assert {r.source for r in results} == {"estimate"}
    assert len(fake_api.count_requests) == 1
    assert len(warnings) == 1 and "malformed response" in warnings[0]


def test_partial_failure_keeps_api_counts(fake_api: FakeAPI, tmp_path: Path) -> None:
    """Counts made before the failure stay exact; the rest are estimated."""
    fake_api.push(Fault.slow(0), Fault.slow(0), Fault.unauthorized())
    tc, warnings = counter(fake_api, tmp_path, concurrency=1)
    results = tc.count(make_requests(5))
    assert [r.source for r in results] == ["api", "api", "estimate", "estimate", "estimate"]
    assert warnings[0].endswith("using offline estimates for 3 of 5 requests")


def test_slow_api_stops_at_the_time_budget(fake_api: FakeAPI, tmp_path: Path) -> None:
    fake_api.latency = 3.0
    tc, warnings = counter(fake_api, tmp_path, time_budget=0.6, concurrency=4)
    start = time.monotonic()
    results = tc.count(make_requests(12))
    elapsed = time.monotonic() - start
    assert elapsed < 0.6 + 0.6
    assert {r.source for r in results} == {"estimate"}
    assert len(warnings) == 1 and "time budget" in warnings[0]


def test_connection_refused_falls_back(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"ANTHROPIC_API_KEY": FAKE_KEY, "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{port}"}
    warnings = Warnings()
    tc = TokenCounter("api", env=env, cache_dir=tmp_path, warn=warnings, max_retries=1)
    results = tc.count(make_requests(3))
    assert {r.source for r in results} == {"estimate"}
    assert len(warnings) == 1 and "connection refused" in warnings[0]  # no retry: it cannot help
    assert tc.stats.get("retries", 0) == 0


# -- modes ------------------------------------------------------------------------------------


def run_isolated(code: str, env: dict[str, str]) -> str:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    full_env.update(env, PYTHONPATH=SRC)
    done = subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


COUNT_SNIPPET = """
import sys
from costlint.tokens import TokenCounter, placeholder_request
args = {{"messages": [{{"role": "user", "content": "hi"}}]}}
req = placeholder_request("claude-sonnet-4-6", args)
results = TokenCounter({mode!r}, cache_dir=None).count([req, req])
print(sorted({{r.source for r in results}}), "anthropic" in sys.modules)
"""


def test_estimate_mode_never_imports_the_sdk() -> None:
    out = run_isolated(COUNT_SNIPPET.format(mode="estimate"), {"ANTHROPIC_API_KEY": FAKE_KEY})
    assert out.strip() == "['estimate'] False"


def test_auto_mode_without_key_estimates_quietly() -> None:
    out = run_isolated(COUNT_SNIPPET.format(mode="auto"), {})
    assert out.strip() == "['estimate'] False"


def test_api_mode_without_key_warns_once(tmp_path: Path) -> None:
    warnings = Warnings()
    tc = TokenCounter("api", env={}, cache_dir=tmp_path, warn=warnings)
    assert {r.source for r in tc.count(make_requests(2))} == {"estimate"}
    tc.count(make_requests(2))
    assert len(warnings) == 1 and "ANTHROPIC_API_KEY" in warnings[0]


def test_auto_mode_with_key_uses_the_api(fake_api: FakeAPI, tmp_path: Path) -> None:
    tc = TokenCounter("auto", env=fake_api.env(), cache_dir=tmp_path)
    assert {r.source for r in tc.count(make_requests(2))} == {"api"}


def test_bad_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="token mode"):
        TokenCounter("fast")


# -- estimate ---------------------------------------------------------------------------------


def test_estimate_accounts_for_tokenizer_and_tools() -> None:
    args = {"system": "Be brief. " * 50, "messages": [_user("Summarize the report.")]}
    old = placeholder_request(MODEL, args)
    new = placeholder_request("claude-opus-4-7", args, new_tokenizer=True)
    with_tools = placeholder_request(MODEL, {**args, "tools": full_args()["tools"]})
    assert old is not None and new is not None and with_tools is not None
    assert estimate_request_tokens(new) > estimate_request_tokens(old)
    assert estimate_request_tokens(with_tools) > estimate_request_tokens(old) + 250
    tc = TokenCounter("estimate", cache_dir=None)
    [result] = tc.count([old])
    assert result.source == "estimate" and result.count == estimate_request_tokens(old)
