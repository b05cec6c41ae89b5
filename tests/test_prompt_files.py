"""CL002 counts prompt data files the code reads into the prompt (issue 14, item 4): read at
import or per call, through ``open().read()``, ``Path.read_text()``, a ``with`` block or a
project helper given the file name; only inside the repository."""

from __future__ import annotations

from helpers import scan

FEW_SHOT = "Example: the parcel arrived damaged -> category: shipping. " * 300

LOOP = """

def classify(tickets):
    for ticket in tickets:
        client.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=20,
            system={system},
            messages=[{{"role": "user", "content": ticket}}],
        )
"""

HEAD = """
import os
from pathlib import Path

import anthropic

client = anthropic.Anthropic()
HERE = Path(__file__).parent
PROMPTS = os.path.join(os.path.dirname(__file__), "prompts")
"""


def cl002(tmp_path, code, system, extra_files=None):
    files = {"app.py": HEAD + code + LOOP.format(system=system), "prompts/fewshot.txt": FEW_SHOT}
    files.update(extra_files or {})
    result = scan(tmp_path, files, select=["CL002"])
    return [(f.line, f.message) for f in result.findings]


def test_file_read_at_import_is_counted(tmp_path):
    found = cl002(tmp_path, 'FEW = open("prompts/fewshot.txt").read()\n', "FEW")
    assert len(found) == 1 and "system prompt of ~" in found[0][1]


def test_path_read_text_joined_into_the_prompt_is_counted(tmp_path):
    code = 'FEW = (HERE / "prompts" / "fewshot.txt").read_text()\n'
    assert len(cl002(tmp_path, code, '"Classify the ticket.\\n" + FEW')) == 1


def test_file_read_by_a_helper_given_the_name_is_counted(tmp_path):
    code = """
def load(name):
    with open(os.path.join(PROMPTS, name)) as handle:
        return handle.read()
"""
    assert len(cl002(tmp_path, code, 'load("fewshot.txt")')) == 1


def test_helper_default_argument_names_the_file(tmp_path):
    code = """
def load(name="fewshot.txt"):
    return (HERE / "prompts" / name).read_text()
"""
    assert len(cl002(tmp_path, code, "load()")) == 1


def test_helper_given_a_short_file_is_not_reported(tmp_path):
    code = """
def load(name):
    return (HERE / "prompts" / name).read_text()
"""
    extra = {"prompts/short.txt": "Classify the ticket."}
    assert cl002(tmp_path, code, 'load("short.txt")', extra) == []


def test_helper_given_a_per_call_name_is_not_counted(tmp_path):
    code = """
def load(name):
    return (HERE / "prompts" / name).read_text()
"""
    assert cl002(tmp_path, code, "load(ticket)") == []
