"""Hostile and broken input: every case ends in a diagnostic naming the file, never a crash."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from helpers import scan

import costlint.extraction as extraction
from costlint.site import UNKNOWN

FINDING = """
import anthropic
client = anthropic.Anthropic()

def sentiment(review):
    return client.messages.create(model="claude-opus-5-5", max_tokens=10,
        system="Classify the sentiment as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}])
"""


def diagnostics_for(result, path: str) -> list[str]:
    return [d.message for d in result.diagnostics if d.path == path]


def test_nesting_thousands_deep(tmp_path):
    files = {
        "parens.py": "x = " + "(" * 5000 + ")" * 5000 + "\n",
        "binop.py": "x = " + "+".join(["1"] * 200_000) + "\n",
        "real.py": FINDING,
    }
    result = scan(tmp_path, files)
    assert diagnostics_for(result, "parens.py")
    assert diagnostics_for(result, "binop.py")
    assert [f.rule for f in result.findings] == ["CL004"]


def test_deeply_nested_calls_in_a_claude_argument(tmp_path):
    nested = "f(" * 90 + "'x'" + ")" * 90
    source = FINDING.replace('"Classify the sentiment as positive, negative or neutral."', nested)
    result = scan(tmp_path, {"deep.py": source})
    assert len(result.sites) == 1  # resolution gives up at its depth limit, no crash


def test_huge_python_file_over_the_size_limit(tmp_path):
    big = tmp_path / "huge.py"
    big.parent.mkdir(parents=True, exist_ok=True)
    with big.open("w") as fh:
        line = "x = 'padding padding padding padding padding padding padding padding'\n"
        fh.write(line * (50_000_000 // len(line) + 1))
    result = scan(tmp_path, {"real.py": FINDING})
    [message] = diagnostics_for(result, "huge.py")
    assert "max-file-size" in message
    assert [f.rule for f in result.findings] == ["CL004"]


def test_size_limit_is_configurable(tmp_path):
    files = {"real.py": FINDING, "pyproject.toml": "[tool.costlint]\nmax-file-size = 100\n"}
    result = scan(tmp_path, files)
    assert result.findings == []
    assert "max-file-size" in diagnostics_for(result, "real.py")[0]


def test_twenty_megabyte_prompt_file_is_not_read_past_the_limit(tmp_path):
    (tmp_path / "prompts").mkdir(parents=True)
    (tmp_path / "prompts" / "big.txt").write_text("word " * 4_000_000)
    source = FINDING.replace(
        '"Classify the sentiment as positive, negative or neutral."',
        'open("prompts/big.txt").read()',
    )
    started = time.monotonic()
    result = scan(tmp_path, {"app.py": source})
    assert time.monotonic() - started < 10
    assert len(result.sites) == 1
    assert result.sites[0].args["system"] is UNKNOWN


def test_binary_invalid_utf8_bom_and_crlf(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "binary.py").write_bytes(os.urandom(2048) + b"\x00")
    (tmp_path / "latin1.py").write_bytes(b"x = '\xff\xfe caf\xe9'\n")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + FINDING.encode())
    (tmp_path / "crlf.py").write_bytes(FINDING.replace("\n", "\r\n").encode())
    (tmp_path / "binary.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = scan(tmp_path)
    assert "binary" in diagnostics_for(result, "binary.py")[0]
    assert "UTF-8" in diagnostics_for(result, "latin1.py")[0]
    assert diagnostics_for(result, "binary.ipynb")
    found = sorted((f.path, f.line) for f in result.findings)
    assert found == [("bom.py", 6), ("crlf.py", 6)]


def test_symlink_loop_and_symlinks_out_of_the_repository(tmp_path):
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(FINDING)
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "loop").symlink_to(root / "pkg", target_is_directory=True)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    (root / "escape.py").symlink_to(outside / "secret.py")
    (root / "real.py").write_text(FINDING)
    result = scan(root)
    assert [f.path for f in result.findings] == ["real.py"]


def _slow_for_slow_py(real):
    """An ``extractor_for`` whose extractor takes 30 s on ``slow.py`` (past any test budget)."""

    def slow_for(kind):
        extract = real(kind)

        def slow(text, rel, path, project):
            if rel == "slow.py":
                time.sleep(30)
            return extract(text, rel, path, project)

        return slow

    return slow_for


def test_per_file_time_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(extraction, "extractor_for", _slow_for_slow_py(extraction.extractor_for))
    files = {
        "slow.py": "x = 1\n",
        "real.py": FINDING,
        "pyproject.toml": "[tool.costlint]\nfile-time-budget = 0.5\n",
    }
    started = time.monotonic()
    result = scan(tmp_path, files)
    assert time.monotonic() - started < 5
    assert "time budget" in diagnostics_for(result, "slow.py")[0]
    assert [f.rule for f in result.findings] == ["CL004"]


def test_a_time_budget_skip_is_not_cached(tmp_path, monkeypatch):
    """The skip says how loaded the machine was, not what the file holds: the next run retries."""
    slow_for = _slow_for_slow_py(extraction.extractor_for)
    files = {"slow.py": FINDING, "pyproject.toml": "[tool.costlint]\nfile-time-budget = 0.5\n"}
    with monkeypatch.context() as patched:
        patched.setattr(extraction, "extractor_for", slow_for)
        first = scan(tmp_path, files)
    assert "time budget" in diagnostics_for(first, "slow.py")[0]
    again = scan(tmp_path)
    assert not diagnostics_for(again, "slow.py")
    assert [f.rule for f in again.findings] == ["CL004"]


@pytest.mark.parametrize(
    "text",
    [
        '{"cells": [{"cell_type": "code", "source": ',  # truncated
        '{"cells": "nope"}',
        '{"cells": [{"cell_type": "code", "source": 5}]}',
        "[]",
        json.dumps({"cells": [{"cell_type": "code", "source": ["def f(:\n"]}]}),
    ],
)
def test_broken_notebooks(tmp_path, text):
    result = scan(tmp_path, {"nb.ipynb": text, "real.py": FINDING})
    assert [f.rule for f in result.findings] == ["CL004"]
    assert all(d.path == "nb.ipynb" for d in result.diagnostics)


def test_scanned_code_is_never_executed(tmp_path):
    marker = tmp_path / "executed"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    files = {
        "evil.py": payload + FINDING,
        "evil.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": payload}]}),
        "prompts.py": payload + "SYSTEM = 'x'\n",
        "app.py": "from prompts import SYSTEM\n" + FINDING,
    }
    scan(tmp_path, files)
    assert not Path(marker).exists()


def test_one_folder_with_every_hostile_input_and_one_real_finding(tmp_path):
    """Issue 7's done-when: all hostile files together, within seconds, nothing executed."""
    root = tmp_path / "repo"
    marker = tmp_path / "executed"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(FINDING)
    (root / ".git").mkdir(parents=True)
    (root / "templates").mkdir()
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    files = {
        "real.py": FINDING,
        "evil.py": payload,
        "parens.py": "x = " + "(" * 5000 + ")" * 5000 + "\n",
        "binop.py": "x = " + "+".join(["1"] * 200_000) + "\n",
        "broken.py": "def (:\n",
        "nb.ipynb": '{"cells": [{"cell_type": "code", "source": ',
        "bomb.yaml": "model: claude-opus-5-5\nmax_tokens: 10\n"
        + 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n"
            for i in range(9)
        ),
        "tabs.yaml": "model:\tclaude-opus-5-5\n\t- [\n",
        "templates/evil.j2": "{{ cycler.__init__.__globals__.os.system('touch "
        + str(marker)
        + "') }}",
        "templates/self.j2": "{% include 'self.j2' %}",
        "templates/escape.j2": "{% include '../../outside/secret.py' %}",
        "templates/unbalanced.j2": "{% for x in y %}{{ x ",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    big = root / "huge.py"
    with big.open("w") as fh:
        fh.write("x = 1\n" * (50_000_000 // 6 + 1))
    (root / "binary.py").write_bytes(os.urandom(4096) + b"\x00")
    (root / "latin1.py").write_bytes(b"x = 'caf\xe9'\n")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    started = time.monotonic()
    result = scan(root)
    elapsed = time.monotonic() - started
    assert elapsed < 20, elapsed
    assert [(f.path, f.rule) for f in result.findings if f.path.endswith(".py")] == [
        ("real.py", "CL004")
    ]
    assert not marker.exists()
    named = {d.path for d in result.diagnostics}
    for bad in ("parens.py", "binop.py", "broken.py", "nb.ipynb", "huge.py", "binary.py"):
        assert bad in named, (bad, result.diagnostics)
