"""costlint-usage.yaml: defaults, overrides by address and glob, errors, --write-usage."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import scan

from costlint.config import Config, ConfigError, load_config
from costlint.usage import (
    BUILTIN,
    DEFAULTS,
    FILE_DEFAULT,
    default_usage,
    find_usage,
    load_usage,
    render_usage,
    write_usage,
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


def usage_file(tmp_path: Path, text: str, name: str = "costlint-usage.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_documented_defaults_without_a_file():
    assert DEFAULTS == {
        "calls_per_month": 10_000,
        "output_tokens": 400,
        "turns_per_conversation": 10,
        "new_tokens_per_turn": 200,
    }
    figures = default_usage().for_address("app.py::f", "app.py")
    assert figures.calls_per_month == 10_000 and figures.output_tokens == 400
    assert figures.model is None
    assert all(figures.sources[name] == BUILTIN for name in DEFAULTS)
    assert figures.is_default("calls_per_month")
    assert "defaults" in default_usage().describe()


SAMPLE = """
    version: 1
    defaults:
      calls_per_month: 500
    call_sites:
      "app/*":
        output_tokens: 50
      "app/chat.py::*":
        turns_per_conversation: 4
      "app/chat.py::Chat.send#1":
        calls_per_month: 90000
        model: claude-sonnet-5-5
      scripts:
        calls_per_month: 3
      "app/empty.py::f":
"""


def test_overrides_by_address_and_by_glob(tmp_path):
    usage = load_usage(usage_file(tmp_path, SAMPLE))
    exact = usage.for_address("app/chat.py::Chat.send#1", "app/chat.py")
    assert exact.calls_per_month == 90_000  # exact address beats the file default
    assert exact.output_tokens == 50  # path glob
    assert exact.turns_per_conversation == 4  # address glob
    assert exact.new_tokens_per_turn == 200  # built-in default
    assert exact.model == "claude-sonnet-5-5"
    assert exact.sources["calls_per_month"] == "app/chat.py::Chat.send#1"
    assert exact.sources["output_tokens"] == "app/*"
    assert not exact.is_default("calls_per_month")
    assert exact.is_default("new_tokens_per_turn")

    first = usage.for_address("app/chat.py::Chat.send", "app/chat.py")  # ordinal 0: no #
    assert first.calls_per_month == 500 and first.sources["calls_per_month"] == FILE_DEFAULT
    assert first.model is None and first.is_default("calls_per_month")

    nested = usage.for_address("scripts/tools/run.py::main", "scripts/tools/run.py")
    assert nested.calls_per_month == 3  # a directory key covers everything under it
    assert usage.for_address("other.py::f", "other.py").calls_per_month == 500
    assert usage.for_address("app/empty.py::f", "app/empty.py").output_tokens == 50


def test_site_addresses_match_sites(tmp_path):
    code = """
    import anthropic
    client = anthropic.Anthropic()

    def two(q):
        msgs = [{"role": "user", "content": q}]
        client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=msgs)
        client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=msgs)
    """
    result = scan(tmp_path, {"pkg/mod.py": code})
    assert [s.address for s in result.sites] == ["pkg/mod.py::two", "pkg/mod.py::two#1"]
    usage = load_usage(
        usage_file(tmp_path, 'call_sites:\n  "pkg/mod.py::two#1":\n    calls_per_month: 7\n')
    )
    figures = [usage.for_site(site).calls_per_month for site in result.sites]
    assert figures == [10_000, 7]
    # run from a subdirectory "sub": site paths are run-relative, usage keys root-relative
    nested_run = scan(tmp_path, {"sub/pkg/mod.py": code}, cwd="sub")
    assert nested_run.sites[1].path == "pkg/mod.py"
    text = 'call_sites:\n  "sub/pkg/mod.py::two#1":\n    calls_per_month: 8\n'
    nested = load_usage(usage_file(tmp_path, text, "nested.yaml"))
    assert nested.for_site(nested_run.sites[1]).calls_per_month == 8


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("version: 2\n", "'version'"),
        ("verison: 1\n", "'verison'"),
        ("defaults:\n  calls_per_mont: 5\n", "defaults.calls_per_mont"),
        ("defaults:\n  calls_per_month: -5\n", "defaults.calls_per_month"),
        ("defaults:\n  output_tokens: 1.5\n", "defaults.output_tokens"),
        ("defaults:\n  turns_per_conversation: 0\n", "defaults.turns_per_conversation"),
        ("defaults:\n  model: claude-haiku-5-5\n", "defaults.model"),
        ("defaults: [1]\n", "'defaults'"),
        ('call_sites:\n  "a.py::f":\n    calls: 5\n', "call_sites.a.py::f.calls"),
        ('call_sites:\n  "a.py::f":\n    calls_per_month: x\n', "f.calls_per_month"),
        ('call_sites:\n  "a.py::f": 5\n', "call_sites.a.py::f"),
        ("call_sites: [a]\n", "'call_sites'"),
        ("- just\n- a list\n", "expected a mapping"),
        ("defaults: {calls_per_month: [\n", "invalid YAML"),
    ],
)
def test_errors_name_the_key(tmp_path, text, names):
    path = usage_file(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_usage(path)
    assert names in str(info.value) and str(path) in str(info.value)


def test_empty_file_means_defaults(tmp_path):
    usage = load_usage(usage_file(tmp_path, ""))
    assert usage.for_address("a.py::f", "a.py").calls_per_month == 10_000


def test_finding_the_usage_file(tmp_path):
    (tmp_path / ".git").mkdir()
    config = load_config(tmp_path)
    assert find_usage(config).path is None  # no file: defaults
    usage_file(tmp_path, "defaults:\n  calls_per_month: 1\n")
    assert find_usage(config).path == tmp_path / "costlint-usage.yaml"
    other = usage_file(tmp_path, "defaults:\n  calls_per_month: 2\n", "other.yaml")
    assert find_usage(config, Path("other.yaml"), tmp_path).path == other
    with pytest.raises(ConfigError, match="usage file not found: missing.yaml"):
        find_usage(config, Path("missing.yaml"), tmp_path)


def test_usage_file_from_config_is_relative_to_the_config(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "conf").mkdir()
    usage_file(tmp_path / "conf", "defaults:\n  calls_per_month: 3\n", "usage.yaml")
    config = Config(root=tmp_path, source=tmp_path / "conf" / "pyproject.toml")
    config.usage_file = "usage.yaml"
    assert find_usage(config).defaults["calls_per_month"] == 3
    config.usage_file = "nope.yaml"
    with pytest.raises(ConfigError, match="costlint.usage-file"):
        find_usage(config)


CALLS = {
    "app/answer.py": """
        import anthropic
        client = anthropic.Anthropic()

        def answer(q):
            return client.messages.create(model="claude-sonnet-5-5", max_tokens=100,
                messages=[{"role": "user", "content": q}])
    """,
    "app/chat.py": """
        import anthropic

        class Chat:
            def __init__(self, model):  # the caller chooses; no caller here
                self.client = anthropic.Anthropic()
                self.model = model

            def send(self, messages):
                return self.client.messages.create(
                    model=self.model, max_tokens=9, messages=messages
                )
    """,
}


def test_write_usage_reloads_with_defaults_still_marked(tmp_path):
    result = scan(tmp_path, CALLS)
    path = tmp_path / "costlint-usage.yaml"
    assert write_usage(result.sites, path) == 2
    text = path.read_text()
    assert '"app/answer.py::answer":' in text and '"app/chat.py::Chat.send":' in text
    assert "# calls_per_month: 10000" in text
    assert "# model:" in text  # offered where the model is not resolved
    usage = load_usage(path)
    assert usage.keys() == {"app/answer.py::answer", "app/chat.py::Chat.send"}
    figures = usage.for_site(result.sites[0])
    assert figures.calls_per_month == 10_000 and figures.is_default("calls_per_month")


def test_write_usage_keeps_figures_already_set(tmp_path):
    result = scan(tmp_path, CALLS)
    path = usage_file(
        tmp_path,
        """
        version: 1
        defaults:
          output_tokens: 99
        call_sites:
          "app/answer.py::answer":
            calls_per_month: 123456
          "legacy/*":
            calls_per_month: 1
        """,
    )
    existing = load_usage(path)
    assert write_usage(result.sites, path, existing) == 1  # only Chat.send is new
    usage = load_usage(path)
    assert usage.defaults["output_tokens"] == 99
    assert usage.for_address("app/answer.py::answer", "app/answer.py").calls_per_month == 123456
    assert usage.for_address("legacy/x.py::f", "legacy/x.py").calls_per_month == 1
    assert "app/chat.py::Chat.send" in usage.keys()


def test_render_usage_quotes_keys_safely():
    from costlint.site import PromptSite, Span

    site = PromptSite(path='we"ird: #path.py', span=Span(1, 1), kind="messages.create")
    text, new = render_usage([site])
    assert new == 1
    from costlint.usage import parse_usage
    from costlint.yamlio import load_yaml_text

    usage = parse_usage(load_yaml_text(text), Path("x"))
    assert usage.keys() == {'we"ird: #path.py::<module>'}
