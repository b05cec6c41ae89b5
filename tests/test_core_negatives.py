"""Code that is already right must not be flagged (the negatives issue 2 names)."""

from __future__ import annotations

from helpers import scan

HEAD = """
import anthropic
client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150
"""


def findings(tmp_path, body):
    """Findings of the four core rules (the catalog rules have their own tests)."""
    result = scan(tmp_path, {"app.py": HEAD + body}, select=["CL001", "CL002", "CL003", "CL004"])
    return [f.rule for f in result.findings]


def test_cached_inline_block(tmp_path):
    body = """
def answer(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
        system=[{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": q}])
"""
    assert findings(tmp_path, body) == []


def test_cached_block_in_a_variable_built_by_a_helper(tmp_path):
    body = """
def cached(text):
    return [{"type": "text", "text": text, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]

SYSTEM = cached(MANUAL)

def answer(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=500, system=SYSTEM,
        messages=[{"role": "user", "content": q}])
"""
    assert findings(tmp_path, body) == []


def test_automatic_top_level_caching(tmp_path):
    body = """
def answer(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=500, system=MANUAL,
        cache_control={"type": "ephemeral"}, messages=[{"role": "user", "content": q}])
"""
    assert findings(tmp_path, body) == []


def test_sliding_window_history(tmp_path):
    body = """
def chat():
    history = []
    while True:
        history.append({"role": "user", "content": input()})
        recent = history[-8:]
        reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
                                       messages=recent)
        history.append({"role": "assistant", "content": reply.content})
"""
    assert findings(tmp_path, body) == []


def test_trimming_helper_history(tmp_path):
    body = """
def trim(messages, keep=6):
    return messages[-keep:]

def chat():
    history = []
    for line in open("script.txt"):
        history.append({"role": "user", "content": line})
        reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
                                       messages=trim(history))
        history.append({"role": "assistant", "content": reply.content})
"""
    assert findings(tmp_path, body) == []


def test_haiku_classifier_with_short_prompt(tmp_path):
    body = """
def classify(ticket):
    return client.messages.create(model="claude-haiku-5-5", max_tokens=16,
        system="Classify the ticket into one of: billing, bug, other. Respond with only the label.",
        messages=[{"role": "user", "content": ticket}])
"""
    assert findings(tmp_path, body) == []


def test_sonnet_code_review_with_4096_budget(tmp_path):
    body = """
def review(diff):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=4096,
        system="You are a senior engineer. Review the code change for bugs and style.",
        messages=[{"role": "user", "content": diff}])
"""
    assert findings(tmp_path, body) == []


def test_opus_agent_with_tools_is_not_overkill(tmp_path):
    body = """
TOOLS = [{"name": "lookup", "description": "Look up an order", "input_schema": {"type": "object"}}]

def route(ticket):
    return client.messages.create(model="claude-opus-5-5", max_tokens=512, tools=TOOLS,
        system="Route the ticket to the right team.",
        messages=[{"role": "user", "content": ticket}])
"""
    assert findings(tmp_path, body) == []


def test_one_off_list_is_not_growing_history(tmp_path):
    body = """
def ask(q):
    messages = [{"role": "user", "content": q}]
    messages.append({"role": "assistant", "content": "Sure."})
    messages.append({"role": "user", "content": "Go on."})
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=500, messages=messages)
"""
    assert findings(tmp_path, body) == []


def test_unknown_model_and_unresolved_prompt_do_not_fire(tmp_path):
    body = """
import os

def answer(q, system_prompt):
    return client.messages.create(model=os.environ["MODEL"], max_tokens=64000,
        system=system_prompt, messages=[{"role": "user", "content": q}])
"""
    assert findings(tmp_path, body) == []


def test_global_history_appended_by_function_is_flagged(tmp_path):
    body = """
HISTORY = []

def turn(text):
    HISTORY.append({"role": "user", "content": text})
    reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500, messages=HISTORY)
    HISTORY.append({"role": "assistant", "content": reply.content})
"""
    assert findings(tmp_path, body) == ["CL003"]
