"""Start-up of the pre-commit case (`costlint check a.py b.py`): what it does before and what
it leaves unimported. No timings: the modules loaded are what decides the start-up cost."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import CLEAN, WASTE, write

pytestmark = pytest.mark.slow  # runs costlint in subprocesses

ROOT = Path(__file__).resolve().parents[1]


# Needed only to extract a file, run a rule's check or a `when:` condition, count tokens
# afresh or apply a baseline: a two-file run whose files come from the cache must not import
# them.
NOT_FOR_CACHED_FILES = (
    "costlint.resolve",
    "costlint.extract",
    "costlint.checks",
    "costlint.conditions",
    "costlint.count",
    "costlint.tokens.request_shape",
    "costlint.tokens.request_estimate",
    "costlint.estimate",
    "costlint.baseline",
    "jinja2",
    "ruamel",
    "anthropic",
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PRE_COMMIT"] = "1"
    return env


def _imported_by_check(root: Path, *args: str) -> tuple[str, list[str]]:
    code = (
        "import sys; from costlint.cli import main\n"
        f"try:\n    main({list(args)!r})\n"
        "except SystemExit as exit:\n    print('exit', exit.code, file=sys.stderr)\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=_env(), capture_output=True, text=True
    )
    return proc.stderr, proc.stderr.splitlines()


def test_a_cached_two_file_check_leaves_extraction_rules_and_resolver_unimported(tmp_path):
    write(tmp_path, {"a.py": WASTE, "b.py": CLEAN})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "a.py", "b.py"], cwd=tmp_path, check=True)
    args = ("check", "--tokens", "estimate", "a.py", "b.py")
    cold, cold_modules = _imported_by_check(tmp_path, *args)  # fills the cache
    assert "exit 1" in cold, cold
    assert "costlint.extract.python" in cold_modules  # the first run did extract the files
    warm, modules = _imported_by_check(tmp_path, *args)
    assert "exit 1" in warm, warm  # a.py has findings: it was checked
    loaded = [
        m for m in modules if any(m == h or m.startswith(h + ".") for h in NOT_FOR_CACHED_FILES)
    ]
    assert loaded == [], warm


# A pre-commit run on a file that was just edited extracts it (front-end, resolver, checks,
# counting), but needs no other front-end, no output format but text, no autofix, no `diff`,
# no `when:` grammar, no process pool and no network code.
NOT_FOR_AN_EDITED_FILE = (
    "costlint.conditions",
    "costlint.baseline",
    "costlint.autofix",
    "costlint.diff",
    "costlint.extract.notebook",
    "costlint.extract.templates",
    "costlint.extract.yaml_generic",
    "costlint.extract.frontmatter",
    "costlint.report.json",
    "costlint.report.sarif",
    "costlint.report.markdown",
    "jinja2",
    "ruamel",
    "anthropic",
    "multiprocessing",
    "concurrent",
    "socket",
    "ssl",
    "email",
    "http",
    "urllib.request",
    # Nor the other commands' modules, `diff`'s git reader, the API client, the Jinja2
    # sandbox, TOML and .gitignore parsing (the repository has neither file), or textwrap
    # (a `dedent` the file does not call).
    "costlint.settings",
    "costlint.init",
    "costlint.usage_import",
    "costlint.comment",
    "costlint.ruledocs",
    "costlint.catalog.mirror",
    "costlint.report.statistics",
    "costlint.report.models_table",
    "costlint.report.github",
    "costlint.report.gitlab",
    "costlint.report.junit",
    "costlint.report.diff_formats",
    "costlint.report.diff_markdown",
    "costlint.gitsource",
    "costlint.tokens.api_client",
    "costlint.resolve.jinja_sandbox",
    "tomllib",
    "pathspec",
    "textwrap",
    "difflib",
)


def test_a_two_file_check_of_an_edited_file_leaves_other_front_ends_and_formats_unimported(
    tmp_path,
):
    write(tmp_path, {"a.py": WASTE, "b.py": CLEAN})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "a.py", "b.py"], cwd=tmp_path, check=True)
    args = ("check", "--tokens", "estimate", "a.py", "b.py")
    _imported_by_check(tmp_path, *args)  # fills the cache
    (tmp_path / "a.py").write_text(WASTE + "\nEDITED = 1\n")
    edited, modules = _imported_by_check(tmp_path, *args)
    assert "exit 1" in edited, edited
    assert "costlint.extract.python" in modules  # a.py was extracted afresh
    loaded = [
        m for m in modules if any(m == h or m.startswith(h + ".") for h in NOT_FOR_AN_EDITED_FILE)
    ]
    assert loaded == [], edited


def test_a_pre_commit_run_starts_one_git_process_cached_or_edited(tmp_path):
    """The importers' listing of the project also tells the cache whether git tracks it."""
    import shutil

    real_git = shutil.which("git")
    assert real_git is not None
    shims = tmp_path / "shims"
    shims.mkdir()
    log = tmp_path / "git-calls.log"
    shim = shims / "git"
    shim.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real_git}" "$@"\n')
    shim.chmod(0o755)
    repo = tmp_path / "repo"
    write(repo, {"a.py": WASTE, "b.py": CLEAN})
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "a.py", "b.py"], cwd=repo, check=True)
    env = _env()
    env["PATH"] = f"{shims}{os.pathsep}{env.get('PATH', '')}"
    code = "import sys; from costlint.cli import main; main(sys.argv[1:])"
    args = ["check", "--tokens", "estimate", "a.py", "b.py"]
    calls = []
    for edit in ("", "", "\nEDITED = 1\n"):  # the first run fills the cache
        if edit:
            (repo / "a.py").write_text(WASTE + edit)
        log.write_text("")
        done = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=repo, env=env, capture_output=True, text=True
        )
        assert done.returncode == 1, done.stdout + done.stderr
        calls.append(log.read_text().splitlines())
    assert [len(run) for run in calls] == [1, 1, 1], calls
    assert all("ls-files" in run[0] for run in calls), calls


def test_console_script_tunes_the_gc_before_the_command_line_and_freezes_it_at_exit(tmp_path):
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["costlint"] == "costlint.launch:main"
    code = (
        "import gc, sys\n"
        "from costlint import launch\n"
        "early = [m for m in ('click', 'costlint.cli', 'costlint.pipeline') if m in sys.modules]\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'costlint.cli':\n"
        "            print('threshold at cli import', gc.get_threshold(), file=sys.stderr)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Watch())\n"
        "sys.argv = ['costlint', '--version']\n"
        "try:\n    launch.main()\nexcept SystemExit:\n    pass\n"
        "print('imported before main', early, file=sys.stderr)\n"
        "print('frozen at exit', gc.get_freeze_count() > 0, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=_env(), capture_output=True, text=True
    )
    assert "threshold at cli import (100000, 20, 20)" in proc.stderr, proc.stderr
    assert "imported before main []" in proc.stderr, proc.stderr
    assert "costlint, version" in proc.stdout
    # Shutdown's full collections are spared: what is left at exit is frozen.
    assert "frozen at exit True" in proc.stderr, proc.stderr
