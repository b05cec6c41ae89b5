"""Small helpers shared by the tests: run costlint on files written into a temp dir."""

from __future__ import annotations

import textwrap
from pathlib import Path

from costlint.config import load_config
from costlint.pipeline import RunOptions, RunResult, run

# A call site every rule set flags (CL002): a long manual sent uncached on every call.
WASTE = """
import anthropic
client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150

def answer(question):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, system=MANUAL,
                                  messages=[{"role": "user", "content": question}])
"""

# A call with nothing to flag: a small cap, a small current model, a short prompt.
CLEAN = """
import anthropic
client = anthropic.Anthropic()

def answer(question):
    return client.messages.create(model="claude-haiku-5-5", max_tokens=300,
                                  system="You answer billing questions briefly.",
                                  messages=[{"role": "user", "content": question}])
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def scan(
    root: Path, files: dict[str, str] | None = None, select=None, paths=None, cwd: str = ""
) -> RunResult:
    """Write ``files`` under ``root`` (a fresh git-less project) and run the pipeline there
    (or in its subdirectory ``cwd``)."""
    (root / ".git").mkdir(parents=True, exist_ok=True)  # marks the project root
    if files:
        write(root, files)
    run_dir = root / cwd
    config = load_config(run_dir)
    options = RunOptions(paths=[Path(p) for p in (paths or [])], cwd=run_dir, select=select)
    return run(config, options)


def rules_found(result: RunResult) -> list[str]:
    return [f.rule for f in result.findings]
