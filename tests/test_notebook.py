"""Notebooks: code cells are Python; positions are (cell, line in cell)."""

from __future__ import annotations

import json

from helpers import rules_found, scan


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "source": source.splitlines(keepends=True), "metadata": {}}
                for kind, source in cells
            ],
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
        }
    )


SETUP = "%pip install anthropic\nimport anthropic\nclient = anthropic.Anthropic()\n"
SENTIMENT = (
    "!echo shell line\n"
    "def sentiment(review):\n"
    "    return client.messages.create(model='claude-opus-5-5', max_tokens=10,\n"
    "        system='Classify the sentiment as positive, negative or neutral.',\n"
    "        messages=[{'role': 'user', 'content': review}])\n"
)


def test_finding_position_is_cell_and_line(tmp_path):
    text = notebook(("markdown", "# Title"), ("code", SETUP), ("code", SENTIMENT))
    result = scan(tmp_path, {"nb.ipynb": text})
    assert rules_found(result) == ["CL004"]
    finding = result.findings[0]
    assert (finding.cell, finding.line, finding.column) == (2, 3, 12)
    assert finding.to_json()["cell"] == 2


def test_constants_from_earlier_cells_resolve(tmp_path):
    cells = (
        ("code", SETUP + "MANUAL = 'Always be polite to the customer and cite policy. ' * 200\n"),
        (
            "code",
            "def answer(q):\n"
            "    return client.messages.create(model='claude-sonnet-5-5', max_tokens=500,\n"
            "        system=MANUAL, messages=[{'role': 'user', 'content': q}])\n",
        ),
    )
    result = scan(tmp_path, {"nb.ipynb": notebook(*cells)})
    assert rules_found(result) == ["CL002"]


def test_top_level_cell_call_is_not_repeated(tmp_path):
    cells = (
        ("code", SETUP + "MANUAL = 'Always be polite to the customer and cite policy. ' * 200\n"),
        (
            "code",
            "client.messages.create(model='claude-sonnet-5-5', max_tokens=500,\n"
            "    system=MANUAL, messages=[{'role': 'user', 'content': 'hi'}])\n",
        ),
    )
    result = scan(tmp_path, {"nb.ipynb": notebook(*cells)})
    assert result.findings == []
    assert result.sites and not result.sites[0].repeated


def test_broken_cell_is_skipped_others_still_read(tmp_path):
    text = notebook(("code", SETUP), ("code", "def oops(:\n"), ("code", SENTIMENT))
    result = scan(tmp_path, {"nb.ipynb": text})
    assert rules_found(result) == ["CL004"]
    assert any("cell 1" in d.message for d in result.diagnostics)


def test_truncated_notebook_is_a_diagnostic(tmp_path):
    text = notebook(("code", SETUP))[:40]
    result = scan(tmp_path, {"nb.ipynb": text})
    assert result.sites == []
    assert result.diagnostics and result.diagnostics[0].path == "nb.ipynb"


def test_a_global_read_in_a_function_is_the_binding_live_at_the_cell_that_calls_it(tmp_path):
    cells = [
        ("code", SETUP + 'MODEL = "claude-haiku-5-5"\n'),
        (
            "code",
            "def ask(q):\n"
            "    return client.messages.create(model=MODEL, max_tokens=10,\n"
            "        messages=[{'role': 'user', 'content': q}])\n",
        ),
        ("code", "ask('first question')\n"),
        ("code", 'MODEL = "claude-opus-5-5"  # rebound later, after the only run\n'),
    ]
    [site] = scan(tmp_path, {"nb.ipynb": notebook(*cells)}).sites
    assert site.args["model"] == "claude-haiku-5-5"
    [candidate] = site.candidates["model"]
    assert (candidate.value, candidate.origin.line) == ("claude-haiku-5-5", 4)


def test_a_global_read_by_a_function_run_in_two_cells_takes_both_bindings(tmp_path):
    cells = [
        ("code", SETUP + 'MODEL = "claude-haiku-5-5"\n'),
        (
            "code",
            "def ask(q):\n"
            "    return client.messages.create(model=MODEL, max_tokens=10,\n"
            "        messages=[{'role': 'user', 'content': q}])\n",
        ),
        ("code", "ask('first question')\n"),
        ("code", 'MODEL = "claude-sonnet-5-5"\nask("second question")\n'),
    ]
    [site] = scan(tmp_path, {"nb.ipynb": notebook(*cells)}).sites
    assert sorted(c.value for c in site.candidates["model"]) == [
        "claude-haiku-5-5",
        "claude-sonnet-5-5",
    ]
