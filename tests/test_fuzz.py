"""Property-based tests: every front-end survives random and broken input.

CI runs a bounded number of examples; a long fuzz run is
``COSTLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import scan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow  # see README: the fast test subset

EXAMPLES = int(os.environ.get("COSTLINT_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SUFFIXES = [".py", ".ipynb", ".j2", ".yaml", ".prompty", ".prompt"]
PY_PIECES = [
    "import anthropic\n", "client = anthropic.Anthropic()\n", "client.messages.create(",
    "model='claude-opus-5-5'", ", max_tokens=", "10", "64000", ", system=", "SYSTEM", "f'{x}'",
    ", messages=", "history", "[", "]", "{", "}", "(", ")", ":", "\n", "    ", "def f(h):\n",
    "while True:\n", "h.append(", "**params", "'cache_control'", "self.", "async ", "await ",
    "with ", " as s:\n", "lambda: ", "yield ", "\t", "\r\n", "'''", '"', "#", "\\",
]  # fmt: skip
YAML_PIECES = [
    "model: claude-opus-5-5\n", "max_tokens: 100000\n", "system_prompt: |\n", "  text\n",
    "a: &a [1, 2]\n", "b: *a\n", "c: &c [*a, *a, *a]\n", "\t", "- ", ": ", "{", "}", "[", "]",
    "---\n", "!!python/object:os.system ''\n", "? ", "|", ">", "'", '"',
]  # fmt: skip
JINJA_PIECES = [
    "{{ x }}", "{% for t in history %}", "{% endfor %}", "{% if a %}", "{% include 'x.j2' %}",
    "{% extends 'base.j2' %}", "{{ cycler.__init__.__globals__ }}", "{#", "#}", "{{", "}}",
    "{%", "%}", "text ", "\n", "{% macro m() %}", "{{ m() }}", "{% raw %}",
]  # fmt: skip


def run_one(name: str, data: bytes) -> None:
    root = Path(tempfile.mkdtemp(prefix="costlint-fuzz-"))
    try:
        (root / name).write_bytes(data)
        result = scan(root)
        for diagnostic in result.diagnostics:
            assert diagnostic.path == name, diagnostic
            assert diagnostic.message
        for finding in result.findings:
            assert finding.path == name
    finally:
        shutil.rmtree(root, ignore_errors=True)


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=2048))
def test_random_bytes(suffix, data):
    run_one("f" + suffix, data)


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), text=st.text(max_size=1024))
def test_random_text(suffix, text):
    run_one("f" + suffix, text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.lists(st.sampled_from(PY_PIECES), max_size=80))
def test_python_like_fragments(pieces):
    run_one("f.py", "".join(pieces).encode())


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "cell_type": st.sampled_from(["code", "markdown", "raw", 3]),
                "source": st.one_of(
                    st.lists(st.sampled_from(PY_PIECES), max_size=30).map("".join),
                    st.lists(st.sampled_from(PY_PIECES), max_size=10),
                    st.integers(),
                ),
            }
        ),
        max_size=6,
    ),
    st.integers(min_value=0, max_value=400),
)
def test_structured_notebooks_and_truncation(cells, cut):
    text = json.dumps({"cells": cells, "nbformat": 4})
    run_one("f.ipynb", text[: len(text) - cut if cut < len(text) else 0].encode())


@FUZZ
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=60))
def test_yaml_like_fragments(pieces):
    run_one("f.yaml", "".join(pieces).encode())


@FUZZ
@given(st.lists(st.sampled_from(JINJA_PIECES), max_size=40))
def test_template_like_fragments(pieces):
    run_one("f.j2", "".join(pieces).encode())
