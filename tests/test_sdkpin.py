"""sdkpin: the anthropic SDK version a project pins, from its dependency files."""

from __future__ import annotations

import json
import os

import pytest

from costlint.sdkpin import (
    MAX_FILE_BYTES,
    SdkPin,
    find_sdk_pin,
    rejects_sampling_parameters,
    supports_top_level_cache_control,
)


def pin_of(tmp_path, name: str, text: str) -> SdkPin | None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return find_sdk_pin(tmp_path)


@pytest.mark.parametrize(
    ("line", "version", "exact", "supports"),
    [
        ("anthropic==0.40.0", "0.40.0", True, False),
        ("anthropic[bedrock]>=2.3  # the new client", "2.3", False, True),
        ("anthropic>=0.30", "0.30", False, None),  # a floor below 2, no ceiling: unknown
        ("anthropic>=0.30,<1", "0.30", False, False),
        ("anthropic ~= 2.1 ; python_version >= '3.9'", "2.1", False, True),
        ("anthropic==1.*", "1", False, False),
        ("anthropic", None, False, None),
    ],
)
def test_requirements_lines(tmp_path, line, version, exact, supports):
    pin = pin_of(tmp_path, "requirements.txt", f"requests==2.31\n# a comment\n{line}\n")
    assert pin is not None
    assert (pin.version, pin.exact, pin.source) == (version, exact, "requirements.txt")
    assert supports_top_level_cache_control(pin) is supports


def test_requirements_variants_and_subfolder(tmp_path):
    assert pin_of(tmp_path, "requirements-dev.txt", "anthropic>=2.0\n").source == (
        "requirements-dev.txt"
    )
    other = tmp_path / "b"
    assert pin_of(other, "requirements/base.txt", "-r extra.txt\nAnthropic==2.14.0\n") == SdkPin(
        "2.14.0", True, "requirements/base.txt"
    )


def test_pep621_and_optional_dependencies(tmp_path):
    text = '[project]\nname = "x"\ndependencies = ["httpx"]\n'
    text += '[project.optional-dependencies]\nllm = ["anthropic>=2.2,<3"]\n'
    pin = pin_of(tmp_path, "pyproject.toml", text)
    assert pin == SdkPin("2.2", False, "pyproject.toml", "3")
    assert rejects_sampling_parameters(pin) is True


@pytest.mark.parametrize(
    ("spec", "version", "supports"),
    [
        ('"^0.40"', "0.40", False),
        ('"^2.1"', "2.1", True),
        ('{version = "~1.5", extras = ["bedrock"]}', "1.5", False),
        ('"*"', None, None),
    ],
)
def test_poetry_dependencies(tmp_path, spec, version, supports):
    text = f'[tool.poetry.dependencies]\npython = "^3.11"\nanthropic = {spec}\n'
    pin = pin_of(tmp_path, "pyproject.toml", text)
    assert pin is not None and pin.version == version
    assert supports_top_level_cache_control(pin) is supports


def test_lock_files_win_over_declarations(tmp_path):
    (tmp_path / "requirements.txt").write_text("anthropic>=0.30\n")
    lock = '[[package]]\nname = "httpx"\nversion = "0.27.0"\n\n'
    lock += '[[package]]\nname = "anthropic"\nversion = "2.14.0"\n'
    pin = pin_of(tmp_path, "uv.lock", lock)
    assert pin == SdkPin("2.14.0", True, "uv.lock")


def test_poetry_lock_and_pipfile_lock(tmp_path):
    pin = pin_of(
        tmp_path / "p", "poetry.lock", '[[package]]\nname = "anthropic"\nversion = "0.49.0"\n'
    )
    assert pin == SdkPin("0.49.0", True, "poetry.lock")
    assert supports_top_level_cache_control(pin) is False
    data = {"_meta": {}, "default": {"anthropic": {"version": "==2.0.1"}}}
    pin = pin_of(tmp_path / "q", "Pipfile.lock", json.dumps(data))
    assert pin == SdkPin("2.0.1", True, "Pipfile.lock")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", "[project\ndependencies = ["),
        ("poetry.lock", "[[package]]\nname = 3\n"),
        ("Pipfile.lock", "{not json"),
        ("Pipfile.lock", '["a list"]'),
        ("uv.lock", "\x00\xff binary"),
        ("pyproject.toml", '[tool]\npoetry = "not a table"\n'),
    ],
)
def test_bad_files_are_skipped_not_errors(tmp_path, name, text):
    (tmp_path / "requirements.txt").write_text("anthropic==2.1.0\n")
    assert pin_of(tmp_path, name, text) == SdkPin("2.1.0", True, "requirements.txt")


def test_no_files_or_no_anthropic_is_none(tmp_path):
    assert find_sdk_pin(tmp_path) is None
    assert pin_of(tmp_path, "requirements.txt", "openai==1.0\n") is None
    assert supports_top_level_cache_control(None) is None
    assert rejects_sampling_parameters(None) is None


def test_oversized_file_is_not_read(tmp_path):
    big = "anthropic==2.1.0\n" + "#" * (MAX_FILE_BYTES + 1)
    assert pin_of(tmp_path, "requirements.txt", big) is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_symlink_out_of_the_root_is_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("anthropic==2.1.0\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "requirements.txt").symlink_to(outside)
    assert find_sdk_pin(root) is None


def test_a_lock_file_reads_the_sdk_table_among_many_packages(tmp_path):
    others = "".join(
        f'[[package]]\nname = "pkg{n}"\nversion = "1.{n}"\n[package.dependencies]\nx = "*"\n\n'
        for n in range(300)
    )
    lock = others + '[[package]]\nname = "anthropic"\nversion = "2.3.1"\n\n' + others
    assert pin_of(tmp_path, "uv.lock", lock) == SdkPin("2.3.1", True, "uv.lock")
    assert pin_of(tmp_path / "none", "uv.lock", others) is None
