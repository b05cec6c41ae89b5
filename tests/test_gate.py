"""The gate holds (issue 17): parse errors fail closed, selections are validated, the
pre-commit hook sees dependents and stays offline."""

from __future__ import annotations

import json

import pytest
from helpers import rules_found, scan

from costlint.extract.newer_syntax import hint, newer_syntax
from costlint.extract.notebook import python_lines
from costlint.site import PARSE_ERROR

CALL = (
    "def ask(q):\n"
    "    return client.messages.create(model='claude-opus-5-5', max_tokens=10,\n"
    "        system='Classify the sentiment as positive, negative or neutral.',\n"
    "        messages=[{'role': 'user', 'content': q}])\n"
)
SETUP = "import anthropic\nclient = anthropic.Anthropic()\n"


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "source": s.splitlines(keepends=True), "metadata": {}}
                for s in cells
            ],
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
        }
    )


# ---------------------------------------------------------------- newer syntax


@pytest.mark.parametrize(
    ("message", "line", "needs"),
    [
        ("invalid syntax", "type Vector = list[float]", (3, 12)),
        ("expected '('", "def first[T](items: list[T]) -> T:", (3, 12)),
        ("invalid syntax", "class Box[T]:", (3, 12)),
        ("f-string: unmatched '['", 'x = f"{d["a"]}"', (3, 12)),
        ("invalid syntax", "def f[T = int](x: T) -> T:", (3, 13)),
        ("multiple exception types must be parenthesized", "except ValueError, KeyError:", (3, 14)),
    ],
)
def test_newer_syntax_is_recognised_under_older_python(message, line, needs):
    found = newer_syntax(message, line, running=(3, 11))
    assert found is not None and found.needs == needs


def test_newer_syntax_is_not_claimed_when_the_running_python_has_it():
    assert newer_syntax("invalid syntax", "type X = int", running=(3, 12)) is None
    assert newer_syntax("f-string: unmatched '['", "f'{x['", running=(3, 12)) is None
    assert newer_syntax("invalid syntax", "x = = 1", running=(3, 11)) is None


def test_hint_says_which_python_and_what_to_do():
    text = hint("invalid syntax", "type X = int", running=(3, 11))
    assert "parsed with Python 3.11; this syntax" in text
    assert "needs 3.12+: run costlint with a newer Python" in text


@pytest.mark.skipif(__import__("sys").version_info >= (3, 12), reason="the syntax parses on 3.12+")
def test_type_alias_file_diagnostic_names_the_interpreter(tmp_path):
    result = scan(tmp_path, {"app.py": SETUP + "type Reply = str\n" + CALL})
    [diagnostic] = result.diagnostics
    assert diagnostic.kind == PARSE_ERROR and diagnostic.line == 3
    assert "needs 3.12+: run costlint with a newer Python" in diagnostic.message


def test_syntax_error_diagnostic_is_a_parse_error_with_its_line(tmp_path):
    result = scan(tmp_path, {"bad.py": "import anthropic\nx = (\n"})
    [diagnostic] = result.diagnostics
    assert (diagnostic.kind, diagnostic.line) == (PARSE_ERROR, 2)
    assert "newer Python" not in diagnostic.message


# ---------------------------------------------------------------- notebook shell lines


def test_shell_line_with_backslash_continuation_is_not_a_syntax_error(tmp_path):
    cell = "!pip install \\\n    anthropic \\\n    httpx\n" + SETUP + CALL
    result = scan(tmp_path, {"nb.ipynb": notebook(cell)})
    assert result.diagnostics == []
    assert rules_found(result) == ["CL004"]


def test_shell_line_as_only_body_of_a_block_keeps_the_cell(tmp_path):
    cell = (
        SETUP + "if True:\n    !pip install anthropic\nfor i in range(2):\n    %time x = 1\n" + CALL
    )
    result = scan(tmp_path, {"nb.ipynb": notebook(cell)})
    assert result.diagnostics == []
    assert rules_found(result) == ["CL004"]


def test_non_python_cell_magic_is_blanked_and_python_cell_magic_kept(tmp_path):
    bash = "%%bash\nfor f in *.txt; do echo $f; done\n"
    timed = "%%time\n" + SETUP + CALL
    result = scan(tmp_path, {"nb.ipynb": notebook(bash, timed)})
    assert result.diagnostics == []
    assert rules_found(result) == ["CL004"]


def test_assignment_from_shell_is_blanked_keeping_line_numbers():
    lines = ["files = !ls", "x = 1", "if x:", "    !echo hi", "y = 2"]
    assert python_lines(lines) == ["", "x = 1", "if x:", "    pass", "y = 2"]


def test_broken_notebook_cell_is_a_parse_error_diagnostic(tmp_path):
    result = scan(tmp_path, {"nb.ipynb": notebook(SETUP, "def broken(:\n    pass\n", CALL)})
    [diagnostic] = result.diagnostics
    assert (diagnostic.kind, diagnostic.line) == (PARSE_ERROR, 1)
    assert diagnostic.message.startswith("cell 1: syntax error")


# ---------------------------------------------------------------- fail closed: reports, check


def cli(root, *args, env=None):
    """Run the CLI in ``root`` in this process; returns click's result (stdout, stderr, code)."""
    import os

    from click.testing import CliRunner

    from costlint.cli import main

    clean = {k: None for k in os.environ if k.startswith("ANTHROPIC_") or k == "PRE_COMMIT"}
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, list(args), env={**clean, **(env or {})})
    finally:
        os.chdir(old)


def broken_project(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(SETUP + "x = (\n" + CALL, encoding="utf-8")
    return tmp_path


def test_parse_error_in_markdown_sarif_and_github(tmp_path):
    root = broken_project(tmp_path)
    markdown = cli(root, "check", "--no-cache", "--tokens", "estimate", "--format", "markdown")
    assert "file problem(s)" in markdown.stdout and "`app.py:3`" in markdown.stdout
    sarif = json.loads(cli(root, "check", "--no-cache", "--format", "sarif").stdout)
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    location = note["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app.py"
    assert location["region"]["startLine"] == 3
    github = cli(root, "check", "--no-cache", "--format", "github", env={"GITHUB_STEP_SUMMARY": ""})
    assert "::warning file=app.py,line=3," in github.stdout
    data = json.loads(cli(root, "check", "--no-cache", "--format", "json").stdout)
    assert data["diagnostics"][0]["kind"] == PARSE_ERROR


def test_sarif_without_diagnostics_has_no_invocations(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(SETUP + CALL, encoding="utf-8")
    sarif = json.loads(cli(tmp_path, "check", "--no-cache", "--format", "sarif").stdout)
    assert "invocations" not in sarif["runs"][0]


def test_check_under_pre_commit_fails_on_a_file_that_does_not_parse(tmp_path):
    root = broken_project(tmp_path)
    plain = cli(root, "check", "--no-cache", "app.py")
    assert plain.exit_code == 0 and "syntax error" not in plain.stdout
    hooked = cli(root, "check", "--no-cache", "app.py", env={"PRE_COMMIT": "1"})
    assert hooked.exit_code == 1
    assert "app.py: syntax error (line 3)" in hooked.stdout
    assert "do not parse" in hooked.stdout


def test_fail_on_sets_which_severities_fail(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(SETUP + CALL, encoding="utf-8")  # CL004 is a warning
    assert cli(tmp_path, "check", "--no-cache").exit_code == 1
    assert cli(tmp_path, "check", "--no-cache", "--fail-on", "warning").exit_code == 1
    assert cli(tmp_path, "check", "--no-cache", "--fail-on", "error").exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.costlint]\nfail-on = "error"\n')
    assert cli(tmp_path, "check", "--no-cache").exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.costlint]\nfail-on = "fatal"\n')
    assert cli(tmp_path, "check", "--no-cache").exit_code == 2


# ---------------------------------------------------------------- fail closed: diff


@pytest.fixture
def repo(tmp_path):
    from test_diff import GitRepo

    return GitRepo(tmp_path / "repo")


def test_diff_fails_when_the_head_file_stops_parsing(repo):
    from test_diff import HAIKU, OPUS, app

    repo.commit({"app.py": app(HAIKU), "other.py": app(HAIKU).replace("answer", "other")})
    repo.commit({"app.py": app(OPUS) + "\nx = (\n"}, "opus and a syntax error")
    done = repo.costlint("diff", "--base", "HEAD~1", "--format", "json", "--tokens", "estimate")
    assert done.returncode == 1, done.stderr
    assert "app.py does not parse on HEAD~1" not in done.stderr
    assert "app.py does not parse on working tree" in done.stderr
    data = json.loads(done.stdout)
    assert {s["status"] for s in data["call_sites"]} == {"unchanged"}
    assert float(data["total"]["usd_per_month_delta"]) == 0
    [failure] = data["parse_errors"]
    assert (failure["path"], failure["blocking"]) == ("app.py", True)
    allowed = repo.costlint("diff", "--base", "HEAD~1", "--allow-parse-errors")
    assert allowed.returncode == 0, allowed.stderr
    assert "costlint: warning: app.py does not parse" in allowed.stderr


def test_diff_does_not_blame_the_head_for_a_base_syntax_error(repo):
    from test_diff import HAIKU, app

    repo.commit({"app.py": app(HAIKU) + "\nx = (\n"}, "broken base")
    repo.commit({"app.py": app(HAIKU)}, "fixed")
    done = repo.costlint("diff", "--base", "HEAD~1", "--format", "json", "--tokens", "estimate")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert [s["status"] for s in data["call_sites"]] == ["unchanged"]
    assert data["parse_errors"][0]["side"] == "HEAD~1"


def test_diff_ignores_a_broken_file_without_claude(repo):
    from test_diff import HAIKU, app

    repo.commit({"app.py": app(HAIKU), "util.py": "x = 1\n"})
    repo.commit({"util.py": "x = (\n"}, "broken util")
    done = repo.costlint("diff", "--base", "HEAD~1", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "`util.py` on `working tree`:" in done.stdout


# ---------------------------------------------------------------- selections validated


@pytest.mark.parametrize("selector", ["CL999", "nonsense", "CL02", "CL0001", "C"])
def test_unknown_selector_on_the_command_line_is_exit_2_naming_it(tmp_path, selector):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(SETUP + CALL, encoding="utf-8")
    for option in ("--select", "--ignore"):
        done = cli(tmp_path, "check", "--no-cache", option, selector)
        assert done.exit_code == 2, done.output
        assert f"{option}: {selector!r} is not a rule id, prefix or name" in done.stderr


@pytest.mark.parametrize("selector", ["ALL", "all", "CL", "CL0", "CL00", "CL004", "model-overkill"])
def test_real_selectors_stay_valid(tmp_path, selector):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(SETUP + CALL, encoding="utf-8")
    assert cli(tmp_path, "check", "--no-cache", "--select", selector).exit_code == 1


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('select = ["CL02"]', "'costlint.select': 'CL02'"),
        ('ignore = ["CL999"]', "'costlint.ignore': 'CL999'"),
        ('per-file-ignores = { "tests/*" = ["model-overkil"] }', "'model-overkil'"),
    ],
)
def test_unknown_selector_in_config_is_exit_2_naming_it(tmp_path, table, named):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(SETUP + CALL, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(f"[tool.costlint]\n{table}\n", encoding="utf-8")
    done = cli(tmp_path, "check", "--no-cache")
    assert done.exit_code == 2
    assert named in done.stderr


OPUS_CALL = (
    "def ask(q):\n"
    "    return client.messages.create(model='claude-opus-5-5', max_tokens=10,  {comment}\n"
    "        system='Classify the sentiment as positive, negative or neutral.',\n"
    "        messages=[{{'role': 'user', 'content': q}}])\n"
)


@pytest.mark.parametrize(
    ("comment", "found"),
    [
        ("# noqa: CL004", []),
        ("# noqa: CL004, CL001", []),
        ("# noqa: E501,CL004", []),
        ("# noqa: model-overkill", ["CL004"]),  # noqa takes codes, not names
        ("# noqa", ["CL004"]),  # a bare noqa is ruff's, never costlint's
        ("# noqa: E501", ["CL004"]),
        ("# costlint: ignore[CL004]", []),
    ],
)
def test_noqa_with_costlint_codes_is_an_alias_of_ignore(tmp_path, comment, found):
    result = scan(tmp_path, {"app.py": SETUP + OPUS_CALL.format(comment=comment)})
    assert rules_found(result) == found


def test_unknown_ids_in_suppressions_are_diagnostics_naming_the_line(tmp_path):
    comment = "# costlint: ignore[CL004, CL999]"
    result = scan(tmp_path, {"app.py": SETUP + OPUS_CALL.format(comment=comment)})
    assert rules_found(result) == []
    [diagnostic] = result.diagnostics
    assert diagnostic.kind == "unknown-suppression" and diagnostic.line == 4
    assert "line 4" in diagnostic.message and "CL999" in diagnostic.message
    typo = scan(tmp_path / "b", {"app.py": SETUP + OPUS_CALL.format(comment="# noqa: CL04")})
    assert rules_found(typo) == ["CL004"]
    assert "CL04" in typo.diagnostics[0].message


def test_unused_suppression_is_an_opt_in_preview_rule(tmp_path):
    haiku = OPUS_CALL.replace("opus", "haiku").format(comment="# noqa: CL004")
    files = {"app.py": SETUP + haiku}
    assert rules_found(scan(tmp_path, files)) == []
    assert rules_found(scan(tmp_path, files, select=["ALL"])) == []
    assert rules_found(scan(tmp_path, files, select=["CL01"])) == []
    flagged = scan(tmp_path, files, select=["CL012"])
    assert rules_found(flagged) == ["CL012"]
    assert "CL004" in flagged.findings[0].message
    by_name = scan(tmp_path, files, select=["CL004", "unused-suppression"])
    assert rules_found(by_name) == ["CL012"]
    used = {"app.py": SETUP + OPUS_CALL.format(comment="# noqa: CL004")}
    assert rules_found(scan(tmp_path / "used", used, select=["CL012"])) == []


# ---------------------------------------------------------------- pre-commit sees dependents

LLM = "MODEL = '{model}'\n"
CLASSIFY = (
    "import anthropic\n"
    "from app.llm import MODEL\n"
    "client = anthropic.Anthropic()\n\n"
    "def classify(q):\n"
    "    return client.messages.create(model=MODEL, max_tokens=10,\n"
    "        system='Classify the sentiment as positive, negative or neutral.',\n"
    "        messages=[{'role': 'user', 'content': q}])\n"
)
ROUTER = "from app.classify import classify\n\ndef route(q):\n    return classify(q)\n"


def dependent_project(tmp_path, model):
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "app").mkdir(exist_ok=True)
    files = {
        "app/__init__.py": "",
        "app/llm.py": LLM.format(model=model),
        "app/classify.py": CLASSIFY,
        "app/router.py": ROUTER,
        "app/unrelated.py": SETUP + OPUS_CALL.format(comment=""),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_check_files_reports_findings_in_files_importing_them(tmp_path):
    root = dependent_project(tmp_path, "claude-haiku-5-5")
    assert cli(root, "check", "--no-cache", "app/llm.py").exit_code == 0
    (root / "app/llm.py").write_text(LLM.format(model="claude-opus-5-5"), encoding="utf-8")
    done = cli(root, "check", "--no-cache", "app/llm.py", env={"PRE_COMMIT": "1"})
    assert done.exit_code == 1
    assert "app/classify.py:6:" in done.stdout and "CL004" in done.stdout
    assert "unrelated.py" not in done.stdout  # it does not import the given file
    assert "also checked 1 file(s) that import the given files: app/classify.py" in done.stderr


def test_directories_and_report_do_not_add_dependents(tmp_path):
    root = dependent_project(tmp_path, "claude-opus-5-5")
    assert "classify" not in cli(root, "report", "--no-cache", "app/llm.py").stdout
    scanned = scan(root, paths=["app/llm.py"])
    assert scanned.findings == [] and scanned.dependents == []


def test_pre_commit_keeps_auto_and_count_offline(tmp_path, monkeypatch):
    from costlint.config import Config
    from costlint.pipeline import RunOptions, token_mode

    monkeypatch.setenv("PRE_COMMIT", "1")
    config = Config(root=tmp_path)
    assert token_mode(config, RunOptions(tokens="auto")) == "estimate"
    assert token_mode(config, RunOptions()) == "estimate"
    assert token_mode(Config(root=tmp_path, tokens="api"), RunOptions(tokens="auto")) == "auto"
    assert token_mode(config, RunOptions(tokens="api")) == "api"
    monkeypatch.delenv("PRE_COMMIT")
    assert token_mode(config, RunOptions(tokens="auto")) == "auto"


def test_count_under_pre_commit_never_calls_the_api(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "prompt.txt").write_text("Answer briefly.\n", encoding="utf-8")
    env = {
        "PRE_COMMIT": "1",
        "ANTHROPIC_API_KEY": "sk-test",
        "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
    }
    done = cli(tmp_path, "count", "prompt.txt", "--no-cache", env=env)
    assert done.exit_code == 0, done.output
    assert "(estimate)" in done.stdout
    assert "API" not in done.stderr  # never tried: no "token counting API unavailable"


def test_dependents_are_files_importing_the_given_module_not_a_namesake(tmp_path):
    from costlint.config import Config
    from costlint.dependents import importers
    from costlint.discover import discover

    root = dependent_project(tmp_path, "claude-haiku-5-5")
    (root / "vendor").mkdir()
    (root / "vendor/__init__.py").write_text("", encoding="utf-8")
    (root / "vendor/llm.py").write_text("MODEL = 'x'\n", encoding="utf-8")
    (root / "app/other.py").write_text("from vendor.llm import MODEL\n", encoding="utf-8")
    (root / "app/sibling.py").write_text("from .llm import MODEL\n", encoding="utf-8")
    config = Config(root=root)
    given = list(discover([root / "app/llm.py"], config, root))
    found = sorted(source.rel for source in importers(given, config, root))
    # classify imports app.llm; router imports classify; other imports vendor/llm.py
    assert found == ["app/classify.py", "app/router.py", "app/sibling.py"]
