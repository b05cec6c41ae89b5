"""Config objects real projects share: a settings instance made in one module and imported in
another, the same reached through the module, and members of an ``Enum`` of model ids."""

from __future__ import annotations

from helpers import scan

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"
SETTINGS = (
    "from pydantic_settings import BaseSettings\n"
    "class Settings(BaseSettings):\n"
    '    claude_model: str = "claude-haiku-5-5"\n'
    "settings = Settings()\n"
)


def models(tmp_path, files, path="app.py"):
    """The models the call can use: value flow's candidates, else the evaluator's one value."""
    [site] = [s for s in scan(tmp_path, files).sites if s.path == path]
    if site.candidates.get("model"):
        return sorted(str(c.value) for c in site.candidates["model"])
    value = site.args.get("model")
    return [value] if isinstance(value, str) else []


def app_sending(model: str, imports: str, before: str = "") -> str:
    """A module whose function sends ``model=<model>`` after ``imports`` and ``before``."""
    body = f"    {before}\n" if before else ""
    call = f"    return client.messages.create(model={model}, max_tokens=9, messages=q)\n"
    return HEAD + imports + "def ask(q):\n" + body + call


def test_settings_instance_imported_from_another_module(tmp_path):
    app = app_sending("settings.claude_model", "from config import settings\n")
    assert models(tmp_path, {"config.py": SETTINGS, "app.py": app}) == ["claude-haiku-5-5"]


def test_settings_instance_reached_through_its_module(tmp_path):
    app = app_sending("m", "import config\n", before="m = config.settings.claude_model")
    assert models(tmp_path, {"config.py": SETTINGS, "app.py": app}) == ["claude-haiku-5-5"]


def test_settings_instance_re_exported_by_a_package(tmp_path):
    package = {"core/__init__.py": "from core.config import settings\n", "core/config.py": SETTINGS}
    app = app_sending("settings.claude_model", "from core import settings\n")
    assert models(tmp_path, {**package, "app.py": app}) == ["claude-haiku-5-5"]


def test_imported_name_that_is_not_an_object_stays_unknown(tmp_path):
    config = "from somewhere import load\nsettings = load()\n"
    app = app_sending("settings.claude_model", "from config import settings\n")
    assert models(tmp_path, {"config.py": config, "app.py": app}) == []


def test_enum_member_value(tmp_path):
    app = HEAD + "from enum import Enum\n"
    app += "class Model(str, Enum):\n"
    app += '    FAST = "claude-haiku-5-5"\n'
    app += '    SMART = "claude-opus-5-5"\n'
    app += "def ask(q):\n"
    app += "    return client.messages.create(model=Model.SMART.value, max_tokens=9, messages=q)\n"
    assert models(tmp_path, {"app.py": app}) == ["claude-opus-5-5"]


def test_value_attribute_of_a_plain_class_is_not_an_enum_member(tmp_path):
    app = HEAD + "class Model:\n"
    app += '    SMART = "claude-opus-5-5"\n'
    app += "def ask(q):\n"
    app += "    return client.messages.create(model=Model.SMART.value, max_tokens=9, messages=q)\n"
    assert models(tmp_path, {"app.py": app}) == []
