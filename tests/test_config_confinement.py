"""Config stays inside the repository (issue 17, item 4): paths a scanned repository's config
names resolve inside it, the files it names are small regular files; the command line may
point anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from costlint.config import NAMED_FILE_LIMIT, ConfigError, load_config


def _project(root: Path, table: str) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.costlint]\n" + table)
    (root / "app.py").write_text("X = 1\n")
    return root


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('models = "/dev/zero"\n', "models"),
        ('models = "../outside.yaml"\n', "models"),
        ('baseline = "/etc/passwd"\n', "baseline"),
        ('usage-file = "../../usage.yaml"\n', "usage-file"),
        ('cache-dir = "/tmp/elsewhere"\n', "cache-dir"),
        ('template-dirs = ["templates", "/etc"]\n', "template-dirs"),
    ],
)
def test_paths_outside_the_repository_are_refused_naming_the_key(tmp_path, table, key):
    root = _project(tmp_path / "repo", table)
    with pytest.raises(ConfigError, match=f"'costlint.{key}'.*outside the repository"):
        load_config(root)


def test_a_symlink_leading_out_of_the_repository_is_refused(tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("models: []\n")
    root = _project(tmp_path / "repo", 'models = "models.yaml"\n')
    (root / "models.yaml").symlink_to(outside)
    with pytest.raises(ConfigError, match="'costlint.models'.*outside the repository"):
        load_config(root)


def test_a_named_file_over_the_limit_is_refused(tmp_path):
    root = _project(tmp_path / "repo", 'baseline = "big.json"\n')
    with (root / "big.json").open("wb") as handle:
        handle.truncate(NAMED_FILE_LIMIT + 1)
    with pytest.raises(ConfigError, match="'costlint.baseline'.*over"):
        load_config(root)


def test_paths_inside_the_repository_still_work(tmp_path):
    root = _project(
        tmp_path / "repo",
        'models = "conf/models.yaml"\ncache-dir = "build/cache"\ntemplate-dirs = ["t"]\n',
    )
    config = load_config(root)
    assert config.models == (root / "conf" / "models.yaml").resolve()


def test_models_dev_zero_fails_fast_with_exit_2_naming_the_key(tmp_path):
    root = _project(tmp_path / "repo", 'models = "/dev/zero"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "costlint.cli", "check", "--tokens", "estimate"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "costlint.models" in done.stderr
    assert time.monotonic() - started < 30


def test_an_explicit_config_outside_the_repository_may_point_anywhere(tmp_path):
    elsewhere = tmp_path / "ci-config"
    elsewhere.mkdir()
    (elsewhere / "models.yaml").write_text("models: []\n")
    explicit = elsewhere / "pyproject.toml"
    explicit.write_text('[tool.costlint]\nmodels = "models.yaml"\n')
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    assert load_config(root, explicit).models == (elsewhere / "models.yaml").resolve()
