"""Formats and habits: --format gitlab / junit, --output-format, --statistics, colour and the
source line with a caret (from the extraction stage, cached runs included), the progress bar,
`costlint init`, --show-settings, and the configuration's JSON Schema."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from helpers import write

from costlint.cli import main
from costlint.config import _KEYS, EXTRA_KEYS, ConfigError, load_config
from costlint.init import init_project
from costlint.pipeline import RunOptions, run
from costlint.report.progress import ProgressBar, progress_for
from costlint.report.terminal import PLAIN, Style, char_column, terminal_style

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "docs" / "costlint.schema.json"

TWO = """
import anthropic
client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150

def answer(question):
    return client.messages.create(  # zebra
        model="claude-sonnet-5-5", max_tokens=1024, system=MANUAL,
        messages=[{"role": "user", "content": question}])

def label(text):
    return client.messages.create(model="claude-opus-5-5", max_tokens=10,
        system="Classify the sentiment as positive or negative. Answer with one word.",
        messages=[{"role": "user", "content": text}])
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"app.py": TWO})
    monkeypatch.chdir(tmp_path)
    for name in ("ANTHROPIC_API_KEY", "NO_COLOR", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def cli(*args: str, env: dict[str, str] | None = None, color: bool = False):
    return CliRunner().invoke(main, list(args), env=env, color=color)


def findings_count(project: Path) -> int:
    return len(run(load_config(project), RunOptions(cwd=project, use_cache=False)).findings)


# ---------------------------------------------------------------------------- formats


def test_gitlab_code_quality_report(project: Path) -> None:
    done = cli("check", "--format", "gitlab", "--no-cache")
    assert done.exit_code == 1
    issues = json.loads(done.output)
    sarif = json.loads(cli("check", "--format", "sarif", "--no-cache").output)
    fingerprints = [r["partialFingerprints"] for r in sarif["runs"][0]["results"]]
    assert len(issues) == findings_count(project) >= 2
    for issue, sarif_print in zip(issues, fingerprints, strict=True):
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"].startswith("CL")
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "app.py"
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["fingerprint"] in sarif_print.values()  # finding.fingerprint
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_gitlab_fingerprints_stay_unique_for_a_repeated_rule() -> None:
    from types import SimpleNamespace

    from costlint.report.gitlab import issues

    same = SimpleNamespace(
        fingerprint="f" * 64, rule="CL001", name="n", message="m", fix="", severity="warning",
        repo_path="a.py", line=3,
    )  # fmt: skip
    found = issues([same, same])
    assert found[0]["fingerprint"] == "f" * 64
    assert found[1]["fingerprint"] != found[0]["fingerprint"]


def test_junit_has_one_failing_case_per_finding(project: Path) -> None:
    done = cli("check", "--output-format", "junit", "--no-cache")
    assert done.exit_code == 1
    suite = ET.fromstring(done.output).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == findings_count(project) == int(suite.get("failures", "-1"))
    for case in cases:
        assert case.get("classname", "").startswith("costlint.CL")
        assert case.get("file") == "app.py" and case.find("failure") is not None


def test_junit_without_findings_is_one_passing_case(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"plain.py": "print('no Claude here')\n"})
    monkeypatch.chdir(tmp_path)
    done = cli("check", "--format", "junit", "--no-cache")
    assert done.exit_code == 0
    suite = ET.fromstring(done.output).find("testsuite")
    (case,) = suite.findall("testcase")
    assert case.find("failure") is None and suite.get("failures") == "0"


def test_output_format_is_an_alias_of_format(project: Path) -> None:
    by_alias = cli("check", "--output-format", "json", "--no-cache").output
    assert by_alias == cli("check", "--format", "json", "--no-cache").output
    diff_help = cli("diff", "--help").output
    assert "--output-format" in diff_help


def test_statistics_counts_per_rule(project: Path) -> None:
    done = cli("check", "--statistics", "--no-cache")
    assert done.exit_code == 1
    rows = [line.split("\t") for line in done.output.splitlines()]
    found = run(load_config(project), RunOptions(cwd=project, use_cache=False)).findings
    expected = {f.rule: sum(1 for g in found if g.rule == f.rule) for f in found}
    assert {rule: int(n.strip()) for n, rule, _ in rows} == expected
    as_json = json.loads(cli("check", "--statistics", "--format", "json", "--no-cache").output)
    assert {row["code"]: row["count"] for row in as_json} == expected
    refused = cli("check", "--statistics", "--format", "sarif")
    assert refused.exit_code == 2 and "--statistics works with" in refused.output


# ---------------------------------------------------------------------------- terminal


def test_plain_output_unchanged_off_a_terminal(project: Path) -> None:
    plain = cli("check", "--no-cache").output
    assert "\x1b[" not in plain and " | " not in plain
    assert plain == cli("check", "--no-cache", "--color", "never").output


@pytest.mark.parametrize("cached", [False, True])
def test_colour_and_caret_under_each_finding(project: Path, cached: bool) -> None:
    args = ["check", "--color", "always"]
    if cached:
        cli(*args)  # fills the per-file cache; the next run replays it
        cache_text = "".join(
            p.read_text(errors="ignore") for p in (project / ".costlint_cache").rglob("*")
            if p.is_file()
        )  # fmt: skip
        assert cache_text and "zebra" not in cache_text  # source lines are never cached
    else:
        args.append("--no-cache")
    done = cli(*args, color=True)
    assert done.exit_code == 1
    assert "\x1b[1;33mCL002\x1b[0m" in done.output  # warning colour
    lines = done.output.splitlines()
    source = [i for i, line in enumerate(lines) if "zebra" in line]
    assert source, done.output
    caret_line = lines[source[0] + 1]
    assert "^" in caret_line
    plain_source = lines[source[0]].replace("\x1b[2m", "").replace("\x1b[0m", "")
    plain_caret = caret_line.replace("\x1b[2m", "").replace("\x1b[1;31m", "").replace("\x1b[0m", "")
    # the caret sits under the column the finding names (the call, `client.messages.create`)
    assert plain_source[plain_caret.index("^") :].startswith("client.messages.create(")


def test_no_color_turns_terminal_extras_off() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert terminal_style("auto", Tty(), {}) == Style(color=True, source=True)
    assert terminal_style("auto", Tty(), {"NO_COLOR": "1"}) == PLAIN
    assert terminal_style("auto", io.StringIO(), {}) == PLAIN
    assert terminal_style("never", Tty(), {}) == PLAIN
    assert progress_for(Tty(), {}) is not None
    assert progress_for(Tty(), {"NO_COLOR": "1"}) is None
    assert progress_for(io.StringIO(), {}) is None


def test_char_column_counts_characters_not_bytes() -> None:
    line = 'x = "é"; client.messages.create('
    byte_column = len('x = "é"; '.encode()) + 1
    assert char_column(line, byte_column) == line.index("client")


def test_progress_is_reported_and_drawn(project: Path) -> None:
    write(project, {f"pkg/m{n}.py": "VALUE = 1\n" for n in range(5)})
    seen: list[tuple[int, int]] = []
    options = RunOptions(cwd=project, use_cache=False, progress=lambda d, t: seen.append((d, t)))
    run(load_config(project), options)
    assert seen[-1] == (6, 6) and [d for d, _ in seen] == sorted(d for d, _ in seen)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = ProgressBar(stream, min_files=3)
    for done in range(7):
        bar(done, 6)
    bar.close()
    assert "costlint: scanning" in stream.getvalue() and "6/6" in stream.getvalue()
    quiet = Tty()
    small = ProgressBar(quiet, min_files=100)
    small(1, 6)
    small.close()
    assert quiet.getvalue() == ""


# ---------------------------------------------------------------------------- init, settings


def test_init_appends_the_table_and_refuses_to_overwrite(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "demo"  # keep this comment\n', encoding="utf-8")
    init_project(tmp_path)
    text = pyproject.read_text(encoding="utf-8")
    assert text.startswith('[project]\nname = "demo"  # keep this comment\n')
    assert "costlint" in tomllib.loads(text)["tool"]
    (tmp_path / ".git").mkdir()
    config = load_config(tmp_path)  # the starter table is valid configuration
    assert config.usage_file == "costlint-usage.yaml"
    from costlint.usage import load_usage

    usage = load_usage(tmp_path / "costlint-usage.yaml")
    assert usage.entries == ()
    before = pyproject.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="not overwriting"):
        init_project(tmp_path)
    assert pyproject.read_text(encoding="utf-8") == before


def test_init_writes_yaml_without_pyproject(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    done = cli("init")
    assert done.exit_code == 0, done.output
    assert (tmp_path / ".costlint.yaml").is_file()
    assert load_config(tmp_path).tokens == "auto"
    again = cli("init")
    assert again.exit_code == 2 and "not overwriting" in again.output


def test_show_settings_prints_the_resolved_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.costlint]\nignore = ["CL007"]\njobs = 2\n', encoding="utf-8"
    )
    done = cli("check", "--show-settings")
    assert done.exit_code == 0
    assert f"# config file: {project / 'pyproject.toml'}" in done.output
    values = dict(
        line.split(" = ", 1) for line in done.output.splitlines() if not line.startswith("#")
    )
    assert json.loads(values["ignore"]) == ["CL007"] and json.loads(values["jobs"]) == 2
    assert set(values) == set(_KEYS) | set(EXTRA_KEYS)


# ---------------------------------------------------------------------------- schema

KIND_TYPES = {
    "str": "string",
    "int": "integer",
    "number": "number",
    "bool": "boolean",
    "map-list": "object",
    "map-map": "object",
}


def test_schema_matches_the_keys_config_accepts() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    properties = schema["properties"]
    accepted = {**_KEYS, **EXTRA_KEYS}
    assert set(properties) == set(accepted)
    for key, kind in accepted.items():
        spec = properties[key]
        if kind == "list":
            assert spec == {**spec, "$ref": "#/definitions/stringList"}, key
        else:
            assert spec["type"] == KIND_TYPES[kind], key
        assert spec["description"], key
    assert properties["tokens"]["enum"] == ["auto", "api", "estimate"]
