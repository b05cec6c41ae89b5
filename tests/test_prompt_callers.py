"""Prompts that come from callers: a wrapper sends the call, its callers bring the prompt.

Each caller's prompt is a candidate with where the caller is; the site is counted and priced
per caller (an even share of the calls each), and stays unpriced when no caller's prompt can
be read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import fakeapi
import pytest
from click.testing import CliRunner
from helpers import scan, write

from costlint.cli import main
from costlint.request import CALLER_PROMPTS, MAX_PRICED_CALLERS, block_text
from costlint.resolve.flow import MAX_CALLERS
from costlint.site import UNKNOWN

fake_api = fakeapi.fake_api

WRAPPER = """
import anthropic
client = anthropic.Anthropic()
MODEL = "claude-sonnet-5-5"

def chat(messages, system=None):
    params = {"model": MODEL, "max_tokens": 300, "messages": messages}
    if system:
        params["system"] = system
    return client.messages.create(**params).content[0].text
"""

CALLERS = """
def grade(answer):
    return chat([{"role": "user", "content": f"Grade this answer from 1 to 10: {answer}"}])

def summarize(text):
    return chat([{"role": "user", "content": text}], system="You write one-line summaries.")

def translate(text):
    note = "Translate the text below into French, keeping names and numbers as written. " * 8
    return chat([{"role": "user", "content": note + text}])
"""


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


def only_site(result, path="app.py"):
    [site] = [s for s in result.sites if s.path == path]
    return site


def report(root: Path, monkeypatch) -> dict:
    monkeypatch.chdir(root)
    out = CliRunner().invoke(
        main, ["report", "--format", "json", "--tokens", "estimate", "--no-cache"]
    )
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def site_entry(data: dict, address: str) -> dict:
    [entry] = [s for s in data["cost"]["call_sites"] if s["address"] == address]
    return entry


def user_text(value) -> str:
    return block_text(value["messages"])


def test_each_caller_in_the_module_brings_its_prompt(tmp_path):
    site = only_site(scan(tmp_path, {"app.py": WRAPPER + CALLERS}))
    callers = site.candidates[CALLER_PROMPTS]
    assert [c.origin.line for c in callers] == [13, 16, 20]
    assert all(c.origin.path == "app.py" for c in callers)
    assert user_text(callers[0].value).startswith("Grade this answer from 1 to 10: {answer}")
    assert callers[1].value["system"] == "You write one-line summaries."
    assert callers[0].value.get("system") is None  # not passed: the default, not sent
    assert site.args["messages"] is UNKNOWN  # the call as written is unchanged
    assert {f"input@{i}" for i in range(3)} <= set(site.tokens)


def test_priced_per_caller_with_the_mean_cost_per_call(tmp_path, monkeypatch):
    write(tmp_path, {"app.py": WRAPPER + CALLERS})
    (tmp_path / ".git").mkdir()
    data = report(tmp_path, monkeypatch)
    entry = site_entry(data, "app.py::chat")
    assert entry["unpriced"] is None
    assert entry["prompt_callers"] == 3 and entry["prompt_callers_unresolved"] == 0
    per_call = [Decimal(c["usd_per_call"]) for c in entry["callers"]]
    low, high = (Decimal(x) for x in entry["usd_per_call_range"])
    assert (low, high) == (min(per_call), max(per_call)) and low < high
    calls = Decimal(entry["usage"]["calls_per_month"])
    mean = sum(per_call) / len(per_call)
    assert abs(Decimal(entry["usd_per_month_now"]) - mean * calls) < Decimal("0.001")
    assert [c["line"] for c in entry["callers"]] == [13, 16, 20]
    assert data["cost"]["assumptions"]["caller_priced_sites"] == 1
    assert any("split evenly" in line for line in data["cost"]["assumptions"]["statements"])


def test_the_text_report_shows_callers_and_the_assumption(tmp_path, monkeypatch):
    write(tmp_path, {"app.py": WRAPPER + CALLERS})
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["report", "--tokens", "estimate", "--no-cache"]).stdout
    assert "prompt from 3 caller(s): $" in out and "per 1,000 calls" in out
    assert "prompts from callers: 1 call site(s)" in out


def test_callers_in_other_modules(tmp_path):
    files = {
        "llm.py": WRAPPER,
        "jobs/review.py": "from llm import chat\n" + CALLERS,
        "other.py": "def chat(messages):\n    return messages\n\nchat([{'role': 'user'}])\n",
    }
    site = only_site(scan(tmp_path, files), "llm.py")
    callers = site.candidates[CALLER_PROMPTS]
    assert [(c.origin.path, c.origin.line) for c in callers] == [
        ("jobs/review.py", 4), ("jobs/review.py", 7), ("jobs/review.py", 11),
    ]  # fmt: skip


def test_a_list_helper_fills_the_callers_messages(tmp_path):
    source = (
        WRAPPER
        + """
def add_user_message(messages, text):
    messages.append({"role": "user", "content": text})

def classify(ticket):
    messages = []
    add_user_message(messages, "Classify this support ticket as billing or technical.")
    add_user_message(messages, ticket)
    return chat(messages)
"""
    )
    site = only_site(scan(tmp_path, {"app.py": source}))
    [caller] = site.candidates[CALLER_PROMPTS]
    sent = caller.value["messages"]
    assert sent[0]["content"] == "Classify this support ticket as billing or technical."
    assert sent[1]["content"] is UNKNOWN  # the ticket: filled in at run time
    assert caller.origin.line == 19


def test_notebook_callers_are_named_by_cell(tmp_path):
    cells = [
        "import anthropic\nclient = anthropic.Anthropic()\n",
        'def chat(messages):\n    return client.messages.create(model="claude-haiku-5-5",'
        " max_tokens=200, messages=messages)\n",
        'reply = chat([{"role": "user", "content": "Name three rivers in France."}])\n',
        "def quiz(topic):\n"
        '    return chat([{"role": "user", "content": f"Write a quiz about {topic}."}])\n',
    ]
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": text,
                "outputs": [],
                "execution_count": None,
            }
            for text in cells
        ],  # fmt: skip
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    site = only_site(scan(tmp_path), "nb.ipynb")
    callers = site.candidates[CALLER_PROMPTS]
    assert [(c.origin.cell, c.origin.line) for c in callers] == [
        (2, 1),
        (3, 2),
    ]  # cells count from 0
    assert user_text(callers[0].value) == "Name three rivers in France."


def test_a_caller_passing_its_parameter_on_is_followed_to_its_callers(tmp_path):
    source = (
        WRAPPER
        + """
def relay(messages):
    return chat(messages)

def main():
    return relay([{"role": "user", "content": "Say hello in Japanese."}])
"""
    )
    site = only_site(scan(tmp_path, {"app.py": source}))
    [caller] = site.candidates[CALLER_PROMPTS]
    assert user_text(caller.value) == "Say hello in Japanese."
    assert caller.origin.line == 16  # where the prompt is written: relay's caller


def test_callers_whose_prompt_is_unknown_leave_the_site_unpriced(tmp_path, monkeypatch):
    source = WRAPPER + "\ndef run(conversation):\n    return chat(conversation.turns)\n"
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": source})
    entry = site_entry(report(tmp_path, monkeypatch), "app.py::chat")
    assert entry["usd_per_month_now"] is None
    assert "none of the 1 caller(s) of chat()" in entry["unpriced"]
    assert "prompt_callers" not in entry


def test_an_unread_caller_is_counted_but_not_priced(tmp_path, monkeypatch):
    source = WRAPPER + CALLERS + "\ndef run(conversation):\n    return chat(conversation.turns)\n"
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": source})
    entry = site_entry(report(tmp_path, monkeypatch), "app.py::chat")
    assert entry["prompt_callers"] == 3 and entry["prompt_callers_unresolved"] == 1


def test_over_the_caller_bound(tmp_path, monkeypatch):
    calls = "".join(
        f'def ask{i}():\n    return chat([{{"role": "user", "content": "Question {i}?"}}])\n'
        for i in range(MAX_CALLERS + 6)
    )
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": WRAPPER + calls})
    result = scan(tmp_path)
    site = only_site(result)
    assert len(site.candidates[CALLER_PROMPTS]) == MAX_CALLERS
    assert any("more than 32 calls of chat()" in d.message for d in result.diagnostics)
    entry = site_entry(report(tmp_path, monkeypatch), "app.py::chat")
    assert entry["prompt_callers"] == MAX_PRICED_CALLERS  # counts per site are bounded


def test_cached_run_prices_the_same(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": WRAPPER + CALLERS})
    monkeypatch.chdir(tmp_path)
    runs = [
        CliRunner().invoke(main, ["report", "--format", "json", "--tokens", "estimate"])
        for _ in range(2)
    ]
    first, second = (site_entry(json.loads(r.stdout), "app.py::chat") for r in runs)
    assert (tmp_path / ".costlint_cache").is_dir()
    assert first["usd_per_month_now"] == second["usd_per_month_now"] is not None
    assert first["callers"] == second["callers"]


def test_api_counts_each_callers_prompt(tmp_path, fake_api):
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": WRAPPER + CALLERS})
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(fake_api.env())
    proc = subprocess.run(
        [sys.executable, "-m", "costlint.cli", "report", "--format", "json", "--tokens", "api",
         "--no-cache"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    entry = site_entry(json.loads(proc.stdout), "app.py::chat")
    assert entry["token_source"] == "api", proc.stderr
    bodies = [json.dumps(r.body) for r in fake_api.count_requests]
    assert any("Grade this answer" in body for body in bodies)
    assert any("You write one-line summaries." in body for body in bodies)
    assert all("max_tokens" not in r.body for r in fake_api.count_requests)


def test_a_helper_that_unwraps_sdk_messages_keeps_plain_text(tmp_path):
    """``m.content if isinstance(m, Message) else m`` on a text is the text; a conditional on
    anything else stays unknown (and such a caller is not priced on an empty shell)."""
    source = (
        WRAPPER
        + """
from anthropic.types import Message

def add_user_message(messages, message):
    messages.append({"role": "user",
                     "content": message.content if isinstance(message, Message) else message})

def plain():
    messages = []
    add_user_message(messages, "List three prime numbers.")
    return chat(messages)

def branchy(flag):
    messages = [{"role": "user", "content": "Yes." if flag else "No."}]
    return chat(messages)
"""
    )
    site = only_site(scan(tmp_path, {"app.py": source}))
    plain, branchy = site.candidates[CALLER_PROMPTS]
    assert plain.value["messages"] == [{"role": "user", "content": "List three prime numbers."}]
    assert branchy.value is UNKNOWN


def test_an_assistant_prefill_alone_is_no_prompt(tmp_path):
    source = (
        WRAPPER
        + """
def extract(document):
    messages = [{"role": "user", "content": document.text},
                {"role": "assistant", "content": "```json"}]
    return chat(messages)
"""
    )
    site = only_site(scan(tmp_path, {"app.py": source}))
    [caller] = site.candidates[CALLER_PROMPTS]
    assert caller.value is UNKNOWN


KWARGS_WRAPPER = """
import anthropic
client = anthropic.Anthropic()

def ask(model="claude-sonnet-5-5", **kwargs):
    return client.messages.create(model=model, max_tokens=300, **kwargs).content[0].text

def grade(answer):
    return ask(messages=[{"role": "user", "content": f"Grade this answer from 1 to 10: {answer}"}])

def summarize(text, **options):
    turn = {"role": "user", "content": text}
    return ask(system="You write one-line summaries.", messages=[turn], **options)

def tune(text):
    turn = {"role": "user", "content": "Say it shorter: " + text}
    return ask(temperature=0.2, **{"messages": [turn]})
"""


def test_callers_fill_a_kwargs_wrapper(tmp_path):
    site = only_site(scan(tmp_path, {"app.py": KWARGS_WRAPPER}))
    callers = site.candidates[CALLER_PROMPTS]
    assert [c.origin.line for c in callers] == [9, 13, 17]
    assert user_text(callers[0].value).startswith("Grade this answer from 1 to 10:")
    assert callers[1].value["system"] == "You write one-line summaries."
    assert user_text(callers[2].value).startswith("Say it shorter: ")


def test_a_kwargs_caller_that_passes_no_prompt_is_an_unknown_caller(tmp_path):
    source = KWARGS_WRAPPER.split("def grade")[0] + "ask(temperature=0.5)\nask(**settings())\n"
    site = only_site(scan(tmp_path, {"app.py": source}))
    callers = site.candidates[CALLER_PROMPTS]
    assert [(c.origin.line, c.value) for c in callers] == [(8, UNKNOWN), (9, UNKNOWN)]


LONG_SYSTEM_CALLER = """
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150

def support(question):
    return chat([{"role": "user", "content": question}], system=MANUAL)

def small(question):
    return chat([{"role": "user", "content": question}], system="Answer briefly.")
"""


def test_cl002_judges_the_largest_prompt_a_caller_brings(tmp_path):
    result = scan(tmp_path, {"app.py": WRAPPER + LONG_SYSTEM_CALLER})
    [finding] = [f for f in result.findings if f.rule == "CL002"]
    assert finding.path == "app.py" and finding.line == 10  # the wrapper's call
    assert "the largest a caller brings from app.py:15" in finding.message
    assert "system prompt of ~" in finding.message


def test_cl002_stays_quiet_when_every_callers_prompt_is_short(tmp_path):
    short = LONG_SYSTEM_CALLER.replace("* 150", "* 2")
    result = scan(tmp_path, {"app.py": WRAPPER + short})
    assert CALLER_PROMPTS in only_site(result).candidates
    assert "CL002" not in {f.rule for f in result.findings}


def test_the_cl002_saving_of_a_caller_priced_site_counts_only_the_long_caller(
    tmp_path, monkeypatch
):
    write(tmp_path, {"app.py": WRAPPER + LONG_SYSTEM_CALLER})
    (tmp_path / ".git").mkdir()
    entry = site_entry(report(tmp_path, monkeypatch), "app.py::chat")
    [cl002] = [f for f in entry["findings"] if f["rule"] == "CL002"]
    saved = Decimal(cl002["savings"]["usd_per_month"])
    [long_caller] = [c for c in entry["callers"] if c["line"] == 15]
    calls = Decimal(entry["usage"]["calls_per_month"]) / 2  # an even share per caller
    assert 0 < saved < Decimal(long_caller["usd_per_call"]) * calls


RETRYING_MODEL = """
import anthropic

MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150


class Model:
    def __init__(self, model="claude-sonnet-5-5"):
        self.client = anthropic.Anthropic()
        self.model = model

    def _create(self, **kwargs):
        return self.client.messages.create(model=self.model, **kwargs)

    def call(self, **kwargs):
        for _ in range(3):
            try:
                return self._create(**kwargs)
            except anthropic.APIError:
                continue

    def answer(self, question):
        turn = {"role": "user", "content": question}
        return self.call(max_tokens=800, system=MANUAL, messages=[turn])
"""


def test_cl002_through_two_kwargs_hops_of_methods(tmp_path):
    result = scan(tmp_path, {"app.py": RETRYING_MODEL})
    site = only_site(result)
    assert site.opaque_kwargs  # the call as written passes **kwargs
    [caller] = site.candidates[CALLER_PROMPTS]
    assert caller.origin.line == 24
    [finding] = [f for f in result.findings if f.rule == "CL002"]
    assert finding.line == 13 and "the largest a caller brings from app.py:24" in finding.message


def test_cl002_skips_a_caller_that_caches_its_prompt(tmp_path):
    cached = RETRYING_MODEL.replace(
        "messages=[turn])", 'messages=[turn], cache_control={"type": "ephemeral"})'
    )
    result = scan(tmp_path, {"app.py": cached})
    assert CALLER_PROMPTS in only_site(result).candidates
    assert "CL002" not in {f.rule for f in result.findings}
