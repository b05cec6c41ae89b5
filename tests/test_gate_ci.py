"""The gate's CI ergonomics (issue 17, item 7) through the real CLI: `--tokens api` without a
key is a usage error, the hook's explicit `--tokens auto` stays offline, and results do not
depend on where costlint runs from (per-file-ignores are relative to the config file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fakeapi
import pytest
from helpers import WASTE, write

pytestmark = pytest.mark.slow  # subprocess runs

fake_api = fakeapi.fake_api


def costlint(cwd: Path, *args: str, env: dict[str, str] | None = None):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_") and k != "PRE_COMMIT"
    }
    return subprocess.run(
        [sys.executable, "-m", "costlint.cli", *args],
        cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


# ---------------------------------------------------------------- --tokens api without a key


@pytest.mark.parametrize("command", [["check"], ["report"], ["count", "prompt.txt"]])
def test_tokens_api_without_a_key_is_exit_2_naming_the_option(tmp_path, command):
    write(tmp_path, {".git/HEAD": "", "waste.py": WASTE, "prompt.txt": "Answer briefly.\n"})
    done = costlint(tmp_path, *command, "--tokens", "api", "--no-cache")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "costlint: error: --tokens api needs ANTHROPIC_API_KEY" in done.stderr
    assert done.stdout == ""


def test_a_blank_key_is_no_key(tmp_path):
    write(tmp_path, {".git/HEAD": "", "waste.py": WASTE})
    done = costlint(tmp_path, "check", "--tokens", "api", env={"ANTHROPIC_API_KEY": "  "})
    assert done.returncode == 2 and "needs ANTHROPIC_API_KEY" in done.stderr


def test_configured_tokens_api_without_a_key_is_exit_2_naming_the_config(tmp_path):
    config = '[tool.costlint]\ntokens = "api"\n'
    write(tmp_path, {".git/HEAD": "", "waste.py": WASTE, "pyproject.toml": config})
    done = costlint(tmp_path, "check")
    assert done.returncode == 2
    assert "pyproject.toml: 'costlint.tokens' = \"api\" needs ANTHROPIC_API_KEY" in done.stderr
    assert costlint(tmp_path, "check", "--tokens", "estimate").returncode == 1


def test_diff_with_tokens_api_and_no_key_is_exit_2(tmp_path):
    from test_diff import HAIKU, GitRepo, app

    repo = GitRepo(tmp_path / "repo")
    repo.commit({"app.py": app(HAIKU)})
    done = costlint(repo.root, "diff", "--base", "HEAD", "--tokens", "api")
    assert done.returncode == 2 and "--tokens api needs ANTHROPIC_API_KEY" in done.stderr


def test_tokens_api_with_a_key_still_counts_through_the_api(tmp_path, fake_api):
    write(tmp_path, {".git/HEAD": "", "waste.py": WASTE})
    done = costlint(tmp_path, "check", "--tokens", "api", "--format", "json", env=fake_api.env())
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"][0]["tokens"]["source"] == "api"


def test_explicit_tokens_auto_under_pre_commit_sends_nothing(tmp_path, fake_api):
    write(tmp_path, {".git/HEAD": "", "waste.py": WASTE})
    env = {**fake_api.env(), "PRE_COMMIT": "1"}
    done = costlint(tmp_path, "check", "--tokens", "auto", "--format", "json", env=env)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"][0]["tokens"]["source"] == "estimate"
    assert fake_api.count_requests == []
    asked = costlint(tmp_path, "check", "--tokens", "api", "--format", "json", env=env)
    assert json.loads(asked.stdout)["findings"][0]["tokens"]["source"] == "api"
    assert fake_api.count_requests  # the control: this server is reachable


# ---------------------------------------------------------------- the run directory does not matter


def _repo(root: Path, config_folder: str) -> Path:
    """A repository with the same wasteful call in app/ and scripts/ under ``config_folder``,
    whose config ignores CL002 in its scripts/ (a pattern relative to the config file)."""
    base = f"{config_folder}/" if config_folder else ""
    config = '[tool.costlint]\nper-file-ignores = { "scripts/*" = ["CL002"] }\n'
    files = {
        ".git/HEAD": "",
        f"{base}pyproject.toml": config,
        f"{base}app/waste.py": WASTE,
        f"{base}scripts/waste.py": WASTE,
        f"{base}scripts/nested/waste.py": WASTE.replace("answer", "nested"),
    }
    write(root, files)
    return root


def _identity(done: subprocess.CompletedProcess[str], cwd: Path) -> list[tuple[object, ...]]:
    """Each finding as the file it names (absolute), its rule, line and fingerprint."""
    assert done.returncode == 1, done.stderr
    return sorted(
        ((cwd / f["path"]).resolve(), f["rule"], f["line"], f["fingerprint"])
        for f in json.loads(done.stdout)["findings"]
    )


def _sarif_uris(done: subprocess.CompletedProcess[str]) -> list[str]:
    results = json.loads(done.stdout)["runs"][0]["results"]
    return sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)


@pytest.mark.parametrize("config_folder", ["", "svc"], ids=["config at root", "config in svc/"])
def test_findings_paths_and_fingerprints_do_not_depend_on_the_run_directory(
    tmp_path, config_folder
):
    repo = _repo(tmp_path / "repo", config_folder)
    project = repo / config_folder
    runs = {  # where it runs from: the arguments that name the same project
        "project folder": (project, []),
        "a subdirectory, naming the project": (project / "app", [".."]),
        "the repository root": (repo, [config_folder or "."]),
        "outside, a relative path": (tmp_path, [os.path.relpath(project, tmp_path)]),
        "outside, an absolute path": (Path("/"), [str(project)]),
    }
    seen = {}
    for name, (cwd, paths) in runs.items():
        json_run = costlint(cwd, "check", "--no-cache", "--format", "json", *paths)
        sarif_run = costlint(cwd, "check", "--no-cache", "--format", "sarif", *paths)
        seen[name] = (_identity(json_run, cwd), _sarif_uris(sarif_run))
    expected = seen["project folder"]
    prefix = f"{config_folder}/" if config_folder else ""
    assert expected[1] == [f"{prefix}app/waste.py"]  # scripts/ and scripts/nested/ ignored
    assert [finding[0] for finding in expected[0]] == [(project / "app/waste.py").resolve()]
    for name, result in seen.items():
        assert result == expected, name


def test_per_file_ignores_in_a_subdirectory_run_still_match(tmp_path):
    repo = _repo(tmp_path / "repo", "")
    inside = costlint(repo / "scripts", "check", "--no-cache", "--format", "json")
    assert inside.returncode == 0, inside.stdout  # scripts/* is relative to the config file
    assert json.loads(inside.stdout)["findings"] == []
    named = costlint(repo / "scripts", "check", "--no-cache", "waste.py")
    assert named.returncode == 0, named.stdout


def test_a_pattern_relative_to_the_run_directory_does_not_match(tmp_path):
    """Relative to the config file, not to where costlint runs: in svc/ a "scripts/*" pattern
    of the root config does not reach svc/scripts/."""
    config = '[tool.costlint]\nper-file-ignores = { "scripts/*" = ["CL002"] }\n'
    files = {".git/HEAD": "", "pyproject.toml": config, "svc/scripts/waste.py": WASTE}
    write(tmp_path, files)
    done = costlint(tmp_path / "svc", "check", "--no-cache", "--format", "json")
    assert done.returncode == 1
    assert [f["path"] for f in json.loads(done.stdout)["findings"]] == ["scripts/waste.py"]
