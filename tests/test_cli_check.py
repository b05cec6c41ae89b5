"""`costlint check` end to end: exit codes, output contract, config, API counting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fakeapi
import pytest
from helpers import CLEAN, WASTE, write

pytestmark = pytest.mark.slow  # see README: the fast test subset

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
fake_api = fakeapi.fake_api


def costlint(cwd: Path, *args: str, env: dict[str, str] | None = None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "costlint.cli", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    write(tmp_path, files)
    return tmp_path


def test_examples_show_all_four_rules():
    proc = costlint(EXAMPLES.parent, "check", "examples/")
    assert proc.returncode == 1, proc.stderr
    for rule in ("CL001", "CL002", "CL003", "CL004"):
        assert rule in proc.stdout
    assert "examples/support_bot/summarize.py" not in proc.stdout


def test_exit_codes_and_exit_zero(tmp_path):
    root = project(tmp_path, {"waste.py": WASTE, "clean.py": CLEAN})
    assert costlint(root, "check", "clean.py").returncode == 0
    assert costlint(root, "check", "waste.py").returncode == 1
    assert costlint(root, "check", "--exit-zero", "waste.py").returncode == 0
    assert costlint(root, "check", "--ignore", "CL002", "waste.py").returncode == 0
    assert costlint(root, "check", "--select", "uncached-long-prompt").returncode == 1


def test_text_format_line(tmp_path):
    root = project(tmp_path, {"waste.py": WASTE})
    out = costlint(root, "check").stdout
    assert out.startswith("waste.py:7:12: CL002 [uncached-long-prompt] system prompt of ~")


def test_json_contract(tmp_path):
    root = project(tmp_path, {"sub/waste.py": WASTE, "bad.py": "def (:\n"})
    proc = costlint(root, "check", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    [finding] = data["findings"]
    assert set(finding) >= {
        "rule", "name", "severity", "path", "line", "column", "cell", "message", "fix", "tokens",
    }  # fmt: skip
    assert finding["path"] == "sub/waste.py"
    assert (finding["line"], finding["column"], finding["cell"]) == (7, 12, None)
    assert finding["tokens"]["source"] == "estimate"
    assert finding["tokens"]["count"] > 1024
    assert data["diagnostics"] == [
        {
            "path": "bad.py",
            "message": data["diagnostics"][0]["message"],
            "kind": "parse-error",
            "line": 1,
        }
    ]
    assert proc.returncode == 1


def test_output_file(tmp_path):
    root = project(tmp_path, {"waste.py": WASTE})
    costlint(root, "check", "--format", "json", "--output-file", "out/report.json")
    assert json.loads((root / "out/report.json").read_text())["findings"]


def test_bad_scanned_file_never_exit_2(tmp_path):
    root = project(tmp_path, {"bad.py": "def (:\n", "nb.ipynb": "{not json"})
    proc = costlint(root, "check")
    assert proc.returncode == 0
    assert "bad.py" in proc.stderr and "nb.ipynb" in proc.stderr


def test_malformed_config_is_exit_2_naming_the_key(tmp_path):
    root = project(tmp_path, {"pyproject.toml": "[tool.costlint]\nselect = 3\n", "a.py": ""})
    proc = costlint(root, "check")
    assert proc.returncode == 2
    assert "costlint.select" in proc.stderr
    root2 = project(tmp_path / "b", {"pyproject.toml": "[tool.costlint]\nbogus = 1\n"})
    proc2 = costlint(root2, "check")
    assert proc2.returncode == 2 and "costlint.bogus" in proc2.stderr
    root3 = project(
        tmp_path / "c", {"pyproject.toml": "[tool.costlint.rules.CL002]\nmin_tokns = 5\n"}
    )
    proc3 = costlint(root3, "check")
    assert proc3.returncode == 2 and "costlint.rules.CL002.min_tokns" in proc3.stderr


def test_missing_path_is_usage_error(tmp_path):
    root = project(tmp_path, {})
    assert costlint(root, "check", "nope.py").returncode == 2


def test_config_select_ignore_and_per_file_ignores(tmp_path):
    files = {
        "app/waste.py": WASTE,
        "scripts/waste.py": WASTE,
        "pyproject.toml": '[tool.costlint]\nper-file-ignores = { "scripts/*" = ["CL002"] }\n',
    }
    root = project(tmp_path, files)
    out = costlint(root, "check").stdout
    assert "app/waste.py" in out and "scripts/waste.py" not in out


def test_yaml_config_and_rule_parameter(tmp_path):
    files = {"waste.py": WASTE, ".costlint.yaml": "rules:\n  CL002:\n    min_tokens: 100000\n"}
    root = project(tmp_path, files)
    assert costlint(root, "check").returncode == 0


def test_gitignore_and_exclude_are_honoured(tmp_path):
    files = {
        ".gitignore": "generated/\n",
        "generated/waste.py": WASTE,
        "vendor/waste.py": WASTE,
        "pyproject.toml": '[tool.costlint]\nexclude = ["vendor"]\n',
    }
    root = project(tmp_path, files)
    proc = costlint(root, "check")
    assert proc.returncode == 0, proc.stdout


def test_force_exclude_applies_to_named_files(tmp_path):
    files = {"vendor/waste.py": WASTE, "pyproject.toml": '[tool.costlint]\nexclude = ["vendor"]\n'}
    root = project(tmp_path, files)
    assert costlint(root, "check", "vendor/waste.py").returncode == 1
    assert costlint(root, "check", "--force-exclude", "vendor/waste.py").returncode == 0


def test_api_counts_then_cache_then_fallback(tmp_path, fake_api):
    root = project(tmp_path, {"waste.py": WASTE})
    env = fake_api.env()
    first = costlint(root, "check", "--tokens", "api", "--format", "json", env=env)
    finding = json.loads(first.stdout)["findings"][0]
    assert finding["tokens"]["source"] == "api", first.stderr
    sent = len(fake_api.count_requests)
    assert sent >= 1
    assert all("max_tokens" not in r.body for r in fake_api.count_requests)
    second = costlint(root, "check", "--tokens", "api", "--format", "json", env=env)
    assert json.loads(second.stdout)["findings"][0]["tokens"]["source"] == "cache"
    assert len(fake_api.count_requests) == sent  # zero new requests
    assert (root / ".costlint_cache" / ".gitignore").is_file()
    bad_key = costlint(
        root, "check", "--no-cache", "--tokens", "api", "--format", "json",
        env={**env, "ANTHROPIC_API_KEY": "sk-ant-wrong-key-123"},
    )  # fmt: skip
    assert bad_key.returncode == 1
    assert json.loads(bad_key.stdout)["findings"][0]["tokens"]["source"] == "estimate"
    assert bad_key.stderr.count("warning") == 1
    assert "sk-ant-wrong-key-123" not in bad_key.stderr + bad_key.stdout


def test_estimate_mode_never_imports_the_sdk(tmp_path):
    root = project(tmp_path, {"waste.py": WASTE})
    code = (
        "import sys; from costlint.cli import main\n"
        "try:\n    main(['check', '--tokens', 'auto'])\n"
        "except SystemExit:\n    pass\n"
        "print('SDK' if 'anthropic' in sys.modules else 'NOSDK', file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert proc.stderr.strip().endswith("NOSDK"), proc.stderr


def test_check_without_a_key_leaves_the_api_path_unloaded(tmp_path):
    root = project(tmp_path, {"waste.py": WASTE})
    code = (
        "import sys; from costlint.cli import main\n"
        "try:\n    main(['check'])\n"
        "except SystemExit:\n    pass\n"
        "lazy = ('costlint.tokens.api_client', 'concurrent.futures', 'email.utils', 'tempfile')\n"
        "print(sorted(m for m in lazy if m in sys.modules), file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert proc.stderr.strip().endswith("[]"), proc.stderr


def test_warm_check_without_a_toml_config_leaves_toml_and_templates_unloaded(tmp_path):
    root = project(tmp_path, {"waste.py": WASTE})
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    cmd = [sys.executable, "-m", "costlint.cli", "check", "--tokens", "estimate", "waste.py"]
    subprocess.run(cmd, cwd=root, env=env, capture_output=True, check=False)  # fills the cache
    code = (
        "import sys; from costlint.cli import main\n"
        "try:\n    main(['check', '--tokens', 'estimate', 'waste.py'])\n"
        "except SystemExit as exit:\n    print('exit', exit.code, file=sys.stderr)\n"
        "lazy = ('tomllib', 'secrets', 'costlint.resolve.templates')\n"
        "print(sorted(m for m in lazy if m in sys.modules), file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert "exit 1" in proc.stderr, proc.stderr  # the file has findings: it was scanned
    assert proc.stderr.strip().endswith("[]"), proc.stderr


def test_rules_and_explain(tmp_path):
    out = costlint(tmp_path, "rules").stdout
    assert "CL001" in out and "model-overkill" in out
    doc = costlint(tmp_path, "explain", "resent-history").stdout
    assert "Why is this bad?" in doc
    assert costlint(tmp_path, "explain", "CL999").returncode == 2


def test_a_reader_that_goes_away_ends_the_run_quietly():
    """`costlint rules | head`: the pipe closes before costlint writes; no internal error."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "costlint.cli", "rules"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert "internal error" not in stderr
    assert "Traceback" not in stderr
