"""The run-level replay cache (replay.py): an unchanged `check` or `report` prints the kept
output without running the pipeline, and every input it rests on invalidates it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CLEAN, WASTE, write
from test_project_rules import make_project

import costlint.pipeline
from costlint import replay
from costlint.cli import main

ROOT = Path(__file__).resolve().parents[1]

# app/ms.py reads a prompt kept outside the scanned folder (a dependency of its cache entry).
READS_PROMPT = """
import anthropic
client = anthropic.Anthropic()
SYSTEM = open("prompts/system.txt").read()

def answer(question):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, system=SYSTEM,
                                  messages=[{"role": "user", "content": question}])
"""
NOTES = "title: release notes\n"  # a scanned file that is no Python (no caller walk sees it)
LONG_PROMPT = "Refunds are issued within 30 days of purchase when the item is unused. " * 150


class Runs:
    """Runs `costlint ARGS` in-process in ``root`` and tells whether the pipeline ran."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch):
        self.root = root
        self.full = 0
        real = costlint.pipeline.run

        def counted(*args, **kwargs):
            self.full += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(costlint.pipeline, "run", counted)
        monkeypatch.chdir(root)
        for name in ("PRE_COMMIT", "NO_COLOR", "CI", *replay.ENV_PRESENCE):
            monkeypatch.delenv(name, raising=False)

    def __call__(self, *args: str, env: dict[str, str] | None = None):
        before = self.full
        result = CliRunner().invoke(main, ["check", *args, "--tokens", "estimate"], env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result, self.full > before

    def kept(self, *args: str, env: dict[str, str] | None = None):
        """Run until the run is kept (cold, then warm), and check the next one is replayed."""
        first, _ = self(*args, env=env)
        self(*args, env=env)
        again, full = self(*args, env=env)
        assert not full, "an unchanged third run is replayed"
        assert (again.stdout, again.stderr, again.output, again.exit_code) == (
            first.stdout,
            first.stderr,
            first.output,  # both streams, in the order they were written
            first.exit_code,
        )
        return first


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runs:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"a.py": WASTE, "b.py": CLEAN, "notes.yaml": NOTES})
    return Runs(tmp_path, monkeypatch)


def test_a_replayed_run_prints_what_the_full_run_printed_on_the_examples(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / ".git").mkdir()
    runs = Runs(tmp_path, monkeypatch)
    for args in ((), ("--format", "json"), ("--format", "sarif"), ("--statistics",)):
        done = [runs("examples", *args) for _ in range(3)]
        assert [full for _, full in done][-1] is False  # the third run is replayed
        first = done[0][0]
        assert first.stdout and first.exit_code == 1
        for result, _ in done[1:]:
            assert (result.stdout, result.stderr, result.output, result.exit_code) == (
                first.stdout,
                first.stderr,
                first.output,
                first.exit_code,
            )


def test_report_is_replayed_too(project):
    def report():
        before = project.full
        result = CliRunner().invoke(main, ["report", "--tokens", "estimate"])
        return result, project.full > before

    first, _ = report()
    report()
    again, full = report()
    assert not full
    assert (again.stdout, again.exit_code) == (first.stdout, first.exit_code)


def test_a_run_is_kept_only_once_the_cache_served_every_file(project):
    runs = project.root / ".costlint_cache" / "runs"
    _, full = project()
    assert full and not runs.exists()  # every file was extracted
    _, full = project()
    assert full and len(list(runs.glob("*.json"))) == 1
    _, full = project()
    assert not full


@pytest.mark.parametrize("name", ["b.py", "notes.yaml"])
def test_editing_a_scanned_file_is_a_full_run(project, name):
    first = project.kept()
    write(project.root, {name: WASTE if name.endswith(".py") else "title: other notes\n"})
    result, full = project()
    assert full
    assert ("b.py:" in result.stdout) == (name == "b.py") and "b.py:" not in first.stdout


@pytest.mark.parametrize("args", [(), ("a.py", "b.py")])
def test_a_miss_loads_the_config_and_discovers_the_files_once(project, monkeypatch, args):
    """The replay check's config and discovery are handed to the run that follows a miss."""
    import costlint.config
    import costlint.discover

    project.kept(*args)
    write(project.root, {"a.py": WASTE + "\nEDITED = 1\n"})
    loads: list[Path] = []
    walks: list[list[Path]] = []
    real_load, real_discover = costlint.config.load_config, costlint.discover.discover

    def load_config(*a, **k):
        loads.append(a[0])
        return real_load(*a, **k)

    def discover(paths, *a, **k):
        walks.append(list(paths))
        return real_discover(paths, *a, **k)

    monkeypatch.setattr(costlint.config, "load_config", load_config)
    monkeypatch.setattr(costlint.discover, "discover", discover)
    monkeypatch.setattr(costlint.pipeline, "discover", discover)
    result, full = project(*args)
    assert full and "a.py:" in result.stdout  # a miss: the edited file was checked
    assert len(loads) == 1
    scanned = [paths for paths in walks if paths != [project.root]]  # the importers' walk
    assert scanned == [[Path(arg) for arg in args]]


def test_a_run_with_no_entry_to_check_discovers_in_the_pipeline(project, monkeypatch):
    seen = []
    real = costlint.pipeline.scan

    def scan(config, options):
        seen.append(options.sources)
        return real(config, options)

    monkeypatch.setattr(costlint.pipeline, "scan", scan)
    result, full = project()
    assert full and seen == [None]  # no kept entry: the replay check did not discover
    project()
    write(project.root, {"a.py": WASTE + "\nEDITED = 1\n"})
    project()
    assert [len(s) if s is not None else None for s in seen] == [None, None, 3]


@pytest.mark.parametrize(
    ("change", "name"),
    [("add", "c.py"), ("add", "more.yaml"), ("remove", "b.py"), ("remove", "notes.yaml")],
)
def test_adding_or_removing_a_file_is_a_full_run(project, change, name):
    first = project.kept()
    if change == "add":
        write(project.root, {name: WASTE if name.endswith(".py") else NOTES})
    else:
        (project.root / name).unlink()
    result, full = project()
    assert full
    assert ("of 4 file(s)" if change == "add" else "of 2 file(s)") in result.stdout
    assert "of 3 file(s)" in first.stdout


def test_a_changed_dependency_outside_the_scanned_folder_is_a_full_run(project):
    write(project.root, {"app/ms.py": READS_PROMPT, "prompts/system.txt": "Be brief."})
    first = project.kept("app")
    assert "CL002" not in first.stdout
    write(project.root, {"prompts/system.txt": LONG_PROMPT})
    result, full = project("app")
    assert full and "CL002" in result.stdout


def test_a_changed_imported_module_is_a_full_run(project):
    write(
        project.root,
        {
            "app/ms.py": WASTE.replace('model="claude-sonnet-5-5"', "model=MODEL").replace(
                "import anthropic", "import anthropic\nfrom shared.models import MODEL"
            ),
            "shared/__init__.py": "",
            "shared/models.py": 'MODEL = "claude-sonnet-5-5"\n',
        },
    )
    first = project.kept("app")
    write(project.root, {"shared/models.py": 'MODEL = "claude-nonexistent-1"\n'})
    result, full = project("app")
    assert full and result.stdout != first.stdout


def test_a_new_caller_in_a_file_outside_the_scanned_folder_is_a_full_run(project):
    write(project.root, {"app/ms.py": WASTE})
    project.kept("app")
    write(project.root, {"scripts/loop.py": "from app.ms import answer\nanswer('x')\n"})
    _, full = project("app")
    assert full


def test_a_config_change_is_a_full_run(project):
    project.kept()
    write(project.root, {"pyproject.toml": '[tool.costlint]\nignore = ["CL002"]\n'})
    result, full = project()
    assert full and "CL002" not in result.stdout


def test_a_project_rule_change_is_a_full_run(project):
    # The rules folder is not scanned: only the run's named inputs see the rule change.
    config = '[tool.costlint]\nrules-dir = "costlint-rules"\nextend-exclude = ["costlint-rules"]\n'
    make_project(project.root, config=config)
    first = project.kept()
    rule = project.root / "costlint-rules" / "ACME001.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("cap: 4096", "cap: 500"))
    result, full = project()
    assert full and result.stdout.count("ACME001") > first.stdout.count("ACME001")


def test_a_change_to_costlints_own_files_is_a_full_run(project, monkeypatch, tmp_path_factory):
    own = tmp_path_factory.mktemp("own") / "module.py"
    own.write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(replay, "_own_files", lambda: [str(own)])
    project.kept()
    own.write_text("A = 22\n", encoding="utf-8")
    _, full = project()
    assert full


def test_the_shipped_rules_and_catalog_are_inputs():
    from costlint.catalog.loading import DATA_DIR
    from costlint.engine import rules_dir

    own = set(replay._own_files())
    shipped = {str(path) for path in rules_dir().iterdir() if path.is_file()}
    assert shipped and shipped <= own
    assert {str(path) for path in DATA_DIR.iterdir() if path.is_file()} <= own
    assert str(Path(replay.__file__).resolve()) in own


def test_another_day_is_a_full_run(project, monkeypatch):
    project.kept()
    monkeypatch.setattr(replay, "_today", lambda: "2099-01-01")
    _, full = project()
    assert full


def test_other_options_are_other_runs(project):
    first = project.kept()
    quiet, full = project("--quiet")
    assert full and quiet.stdout != first.stdout


def test_another_environment_is_another_run(project):
    project.kept()
    _, full = project(env={"PRE_COMMIT": "1"})
    assert full


@pytest.mark.parametrize("damage", ["body", "mac", "garbage", "order"])
def test_a_damaged_or_forged_entry_is_a_full_run(project, damage):
    first = project.kept()
    (entry,) = (project.root / ".costlint_cache" / "runs").glob("*.json")
    if damage == "garbage":
        entry.write_text("{not json", encoding="utf-8")
    else:
        data = json.loads(entry.read_text(encoding="utf-8"))
        body = json.loads(data["body"])
        if damage == "body":
            body["stdout"] = "all clear\n"
            body["order"] = [[1, len("all clear\n")]]
            body["code"] = 0
            data["body"] = json.dumps(body)
        elif damage == "mac":
            data["mac"] = "0" * 64
        else:  # a valid MAC over a damaged layout (the key leaked): still no crash
            from costlint.cachetrust import cache_key, text_mac

            body["order"] = [[1, 10**9]]
            data["body"] = json.dumps(body)
            data["mac"] = text_mac(cache_key(), "replay", entry.stem, data["body"])
        entry.write_text(json.dumps(data), encoding="utf-8")
    result, full = project()
    assert full
    assert (result.stdout, result.exit_code) == (first.stdout, first.exit_code)


def test_a_cache_directory_tracked_by_git_is_not_used(project, monkeypatch):
    monkeypatch.setattr(replay, "_cache_dir", lambda config: config.root / "tracked")
    monkeypatch.setattr("costlint.cachetrust.tracked_by_git", lambda directory: True)
    for _ in range(3):
        _, full = project()
        assert full
    assert not (project.root / "tracked").exists()


@pytest.mark.parametrize("option", ["--no-cache", "--show-settings", "--diff"])
def test_runs_that_write_or_skip_the_cache_are_never_kept(project, option):
    for _ in range(3):
        project(option)
    assert not (project.root / ".costlint_cache" / "runs").exists()


def test_the_output_file_is_written_again_from_the_kept_bytes(project, tmp_path_factory):
    target = tmp_path_factory.mktemp("out") / "deep" / "report.json"
    project.kept("-o", str(target), "--format", "json")
    kept = target.read_bytes()
    shutil.rmtree(target.parent)
    _, full = project("-o", str(target), "--format", "json")
    assert not full and target.read_bytes() == kept and b'"findings"' in kept


def test_stderr_and_stdout_keep_their_order(project):
    write(project.root, {"broken.py": "def (:\n"})
    first = project.kept()  # compares the interleaved output too
    (entry,) = (project.root / ".costlint_cache" / "runs").glob("*.json")
    body = json.loads(json.loads(entry.read_text(encoding="utf-8"))["body"])
    assert [number for number, _ in body["order"]][:2] == [2, 1]  # the diagnostic first
    assert "broken.py" in first.stderr and "a.py:" in first.stdout


def test_check_files_with_importers_is_not_kept(project):
    write(project.root, {"c.py": "from a import answer\nanswer('x')\n"})
    for _ in range(3):
        _, full = project("a.py")
        assert full
    assert not (project.root / ".costlint_cache" / "runs").exists()


def test_check_files_without_importers_is_replayed(project):
    project.kept("a.py", "b.py", env={"PRE_COMMIT": "1"})


def test_a_new_importer_of_the_given_files_is_a_full_run(project):
    project.kept("a.py", "b.py", env={"PRE_COMMIT": "1"})
    write(project.root, {"c.py": "from a import answer\nanswer('x')\n"})
    _, full = project("a.py", "b.py", env={"PRE_COMMIT": "1"})
    assert full


def test_only_the_most_recent_runs_are_kept(project):
    project()  # fills the per-file cache: each run below is kept
    for output_format in ("text", "json", "markdown", "sarif", "gitlab", "junit"):
        project("--format", output_format)
        project("--format", output_format, "--quiet")
    runs = list((project.root / ".costlint_cache" / "runs").glob("*.json"))
    assert len(runs) == replay.KEPT_RUNS


def test_the_project_walk_covers_the_caller_index(tmp_path):
    from costlint.resolve.wordindex import WordIndex

    write(
        tmp_path,
        {"a.py": "", "pkg/b.py": "", "n.ipynb": "{}", ".hidden/c.py": "", "env/d.py": ""},
    )
    walked = {str(path) for path in WordIndex(tmp_path, 1_000_000)._walk()}
    assert walked and walked <= set(replay.project_files(tmp_path))


# Needed only when the pipeline runs: a replayed run must not import them.
NOT_FOR_A_REPLAY = (
    "costlint.pipeline",
    "costlint.extraction",
    "costlint.extract",
    "costlint.filecache",
    "costlint.sitecodec",
    "costlint.site",
    "costlint.fixes",
    "costlint.resolve",
    "costlint.engine",
    "costlint.checks",
    "costlint.count",
    "costlint.tokens",
    "costlint.catalog",
    "costlint.price",
    "costlint.usage",
    "costlint.baseline",
    "costlint.report",
    "jinja2",
    "ruamel",
    "anthropic",
)


@pytest.mark.slow
def test_a_replayed_run_imports_none_of_the_pipeline(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"a.py": WASTE, "b.py": CLEAN})
    code = (
        "import sys; from costlint.cli import main\n"
        "try:\n    main(['check', '--tokens', 'estimate'])\n"
        "except SystemExit as exit:\n    print('exit', exit.code, file=sys.stderr)\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    outputs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        outputs.append(done)
    cold, replayed = outputs[0], outputs[2]
    assert replayed.stdout == cold.stdout and "exit 1" in replayed.stderr
    modules = set(replayed.stderr.splitlines())
    assert "costlint.replay" in modules and "costlint.discover" in modules
    loaded = sorted(
        name
        for name in modules
        for heavy in NOT_FOR_A_REPLAY
        if name == heavy or name.startswith(heavy + ".")
    )
    assert loaded == []
    assert "costlint.pipeline" in set(outputs[1].stderr.splitlines())  # the kept run ran it
