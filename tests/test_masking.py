"""Strings that look like keys or passwords in prompt text are masked before a count request
leaves the machine (issue 17, item 7)."""

from __future__ import annotations

import time

import anthropic

from costlint.tokens.api_client import ApiRun
from costlint.tokens.masking import mask_body, mask_text
from costlint.tokens.request_shape import CountRequest

KEY = "sk-ant-api03-" + "Q7xw9" * 12
AWS = "AKIAIOSFODNN7EXAMPLE"


def test_keys_and_passwords_are_replaced_by_same_length_stand_ins():
    text = f"Use {KEY} and {AWS}. The db password: hunter2secret, then reply."
    masked = mask_text(text)
    assert KEY not in masked and AWS not in masked and "hunter2secret" not in masked
    assert len(masked) == len(text)
    assert masked.startswith("Use ") and masked.endswith(", then reply.")
    assert "password: " in masked


def test_ordinary_prompt_text_is_unchanged():
    text = "Summarize the ticket {ticket} in two sentences. Token budget: be brief."
    assert mask_text(text) == text


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.messages = self

    def count_tokens(self, **kwargs):
        self.sent.append(kwargs)
        return type("Result", (), {"input_tokens": 42})()


def test_the_request_that_leaves_carries_no_secret():
    body = {
        "system": f"api_key={KEY}",
        "messages": [{"role": "user", "content": [{"type": "text", "text": f"key {AWS}"}]}],
    }
    client = _Recorder()
    run = ApiRun(client, anthropic, time.monotonic() + 60, max_retries=0)
    assert run.count(CountRequest("claude-sonnet-5-5", body)) == 42
    sent = repr(client.sent)
    assert KEY not in sent and AWS not in sent
    assert body["system"] == f"api_key={KEY}"  # the local request is untouched
    assert mask_body(body) != body
