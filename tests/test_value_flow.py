"""Values that flow through functions, objects and config become candidate sets with provenance."""

from __future__ import annotations

from helpers import scan

from costlint.site import UNKNOWN

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"


def site_of(tmp_path, files, path="app.py"):
    result = scan(tmp_path, files)
    sites = [s for s in result.sites if s.path == path]
    assert sites, f"no Claude call found; diagnostics={result.diagnostics}"
    return sites[0]


def model_set(site):
    return sorted(str(c.value) for c in site.candidates["model"])


def default_of(site, name="model"):
    chosen = site.candidates[name].default()
    return None if chosen is None else chosen.value


def test_module_constant_names_where_it_is_written(tmp_path):
    source = HEAD + 'MODEL = "claude-sonnet-5-5"\n\ndef ask(q):\n'
    source += "    return client.messages.create(model=MODEL, max_tokens=9, messages=q)\n"
    site = site_of(tmp_path, {"app.py": source})
    [candidate] = site.candidates["model"]
    assert candidate.value == "claude-sonnet-5-5"
    assert (candidate.origin.path, candidate.origin.line) == ("app.py", 3)
    assert site.args["model"] == "claude-sonnet-5-5"


def test_imported_constant_origin_is_the_other_module(tmp_path):
    files = {
        "settings.py": 'FAST = "claude-haiku-5-5"\n',
        "app.py": HEAD + "from settings import FAST\n"
        "client.messages.create(model=FAST, max_tokens=9, messages=[])\n",
    }
    [candidate] = site_of(tmp_path, files).candidates["model"]
    assert (candidate.origin.path, candidate.origin.line) == ("settings.py", 1)


def test_parameter_default_and_same_module_callers(tmp_path):
    source = HEAD + (
        'def ask(q, model="claude-sonnet-5-5"):\n'
        "    return client.messages.create(model=model, max_tokens=9, messages=q)\n"
        'ask([], "claude-haiku-5-5")\n'
        'ask([], model="claude-opus-5-5")\n'
        "ask([])\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-haiku-5-5", "claude-opus-5-5", "claude-sonnet-5-5"]
    assert default_of(site) == "claude-sonnet-5-5"
    assert site.args["model"] == "claude-sonnet-5-5"


def test_callers_in_other_project_modules(tmp_path):
    files = {
        "llm.py": HEAD
        + "def ask(q, model):\n"
        + "    return client.messages.create(model=model, max_tokens=9, messages=q)\n",
        "jobs/run.py": 'from llm import ask\nask([], "claude-3-haiku-20240307")\n',
    }
    site = site_of(tmp_path, files, "llm.py")
    [candidate] = site.candidates["model"]
    assert candidate.value == "claude-3-haiku-20240307"
    assert candidate.origin.path == "jobs/run.py"


def test_method_called_through_self(tmp_path):
    source = HEAD + (
        "class Bot:\n"
        "    def _send(self, q, model):\n"
        "        return client.messages.create(model=model, max_tokens=9, messages=q)\n"
        "    def cheap(self, q):\n"
        '        return self._send(q, "claude-haiku-5-5")\n'
    )
    assert model_set(site_of(tmp_path, {"app.py": source})) == ["claude-haiku-5-5"]


def test_constructor_argument_stored_on_self_with_or_default(tmp_path):
    source = HEAD + (
        "class Chat:\n"
        "    def __init__(self, model=None):\n"
        '        self.model = model or "claude-sonnet-5-5"\n'
        "    def send(self, q):\n"
        "        return client.messages.create(model=self.model, max_tokens=9, messages=q)\n"
        'Chat("claude-3-opus-20240229")\n'
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-3-opus-20240229", "claude-sonnet-5-5"]
    assert default_of(site) == "claude-sonnet-5-5"


def test_tuple_assignment_to_self_attributes(tmp_path):
    source = HEAD + (
        "class Client:\n"
        "    def __init__(self, model):\n"
        "        self.model, self.calls = model, 0\n"
        "    def send(self, q):\n"
        "        return client.messages.create(model=self.model, max_tokens=9, messages=q)\n"
        'Client("claude-haiku-5-5")\n'
    )
    assert model_set(site_of(tmp_path, {"app.py": source})) == ["claude-haiku-5-5"]


def test_settings_object_and_config_on_self(tmp_path):
    source = HEAD + (
        "from dataclasses import dataclass\n"
        "@dataclass\n"
        "class Config:\n"
        '    model: str = "claude-sonnet-5-5"\n'
        "    max_tokens: int = 512\n"
        "class Agent:\n"
        "    def __init__(self):\n"
        '        self.cfg = Config(model="claude-haiku-5-5")\n'
        "    def run(self, q):\n"
        "        return client.messages.create(model=self.cfg.model,\n"
        "            max_tokens=Config().max_tokens, messages=q)\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-haiku-5-5"]
    assert site.args["max_tokens"] == 512


def test_class_level_default(tmp_path):
    source = HEAD + (
        "class Judge:\n"
        '    model = "claude-opus-5-5"\n'
        "    def score(self, q):\n"
        "        return client.messages.create(model=self.model, max_tokens=9, messages=q)\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-opus-5-5"] and site.args["model"] == "claude-opus-5-5"


def test_registry_indexed_by_unknown_key_and_dict_get_default(tmp_path):
    source = HEAD + (
        'MODELS = {"fast": "claude-haiku-5-5", "smart": "claude-opus-5-5"}\n'
        "def ask(tier, q):\n"
        "    client.messages.create(model=MODELS[tier], max_tokens=9, messages=q)\n"
        '    return client.messages.create(model=MODELS.get(tier, "claude-sonnet-5-5"),\n'
        "        max_tokens=9, messages=q)\n"
    )
    result = scan(tmp_path, {"app.py": source})
    indexed, got = result.sites
    assert model_set(indexed) == ["claude-haiku-5-5", "claude-opus-5-5"]
    assert indexed.args["model"] is UNKNOWN  # several values, no default
    assert model_set(got) == ["claude-haiku-5-5", "claude-opus-5-5", "claude-sonnet-5-5"]
    assert default_of(got) == "claude-sonnet-5-5"


def test_registry_held_by_the_object_indexed_in_another_method(tmp_path):
    source = HEAD + (
        "class Agent:\n"
        '    TIERS = {"cheap": "claude-haiku-5-5"}\n'
        '    def __init__(self, variant="smart"):\n'
        '        self.models = {"smart": "claude-opus-5-5", "fast": "claude-sonnet-5-5"}\n'
        '        self.model = self.models.get(variant, "claude-opus-5-5")\n'
        "    def switch(self, variant):\n"
        "        self.model = self.models[variant]\n"
        "    def cheap(self, tier):\n"
        "        return client.messages.create(model=self.TIERS[tier], max_tokens=9, messages=[])\n"
        "    def ask(self, q):\n"
        "        return client.messages.create(model=self.model, max_tokens=9, messages=q)\n"
    )
    cheap, ask = scan(tmp_path, {"app.py": source}).sites
    assert model_set(cheap) == ["claude-haiku-5-5"]
    assert model_set(ask) == ["claude-opus-5-5", "claude-sonnet-5-5"]


def test_registry_held_by_the_object_unknown_when_one_store_is_unknown(tmp_path):
    source = HEAD + (
        "class Agent:\n"
        "    def __init__(self, models):\n"
        '        self.models = {"smart": "claude-opus-5-5"}\n'
        "        if models:\n"
        "            self.models = models\n"
        "    def ask(self, tier, q):\n"
        "        return client.messages.create(model=self.models[tier], max_tokens=9, messages=q)\n"
    )
    [site] = scan(tmp_path, {"app.py": source}).sites
    assert not site.candidates.get("model")


def test_list_iterated_in_a_loop(tmp_path):
    source = HEAD + (
        'JUDGES = ["claude-3-haiku-20240307", "claude-3-opus-20240229"]\n'
        "for judge in JUDGES:\n"
        "    client.messages.create(model=judge, max_tokens=9, messages=[])\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-3-haiku-20240307", "claude-3-opus-20240229"]


def test_membership_guard_narrows_to_the_allow_list(tmp_path):
    source = HEAD + (
        'CLAUDE = ("claude-3-haiku-20240307", "claude-3-opus-20240229")\n'
        'OPENAI = ("gpt-4o",)\n'
        "def judge(model, q):\n"
        "    params = {'model': model, 'messages': q, 'max_tokens': 9}\n"
        "    if model in CLAUDE:\n"
        "        return client.messages.create(**params)\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-3-haiku-20240307", "claude-3-opus-20240229"]


def test_guard_at_the_caller_narrows_the_argument(tmp_path):
    source = HEAD + (
        'CLAUDE = ["claude-3-haiku-20240307"]\n'
        "def complete(model, q):\n"
        "    return client.messages.create(model=model, max_tokens=9, messages=q)\n"
        "def judge(model, q):\n"
        "    if model in CLAUDE:\n"
        "        return complete(model, q)\n"
    )
    assert model_set(site_of(tmp_path, {"app.py": source})) == ["claude-3-haiku-20240307"]


def test_startswith_guard_filters_candidates(tmp_path):
    source = HEAD + (
        "def run(model):\n"
        '    if model.startswith("claude"):\n'
        "        client.messages.create(model=model, max_tokens=9, messages=[])\n"
        'run("gpt-4o")\n'
        'run("claude-haiku-5-5")\n'
    )
    assert model_set(site_of(tmp_path, {"app.py": source})) == ["claude-haiku-5-5"]


def test_literal_annotation_of_a_parameter(tmp_path):
    files = {
        "models.py": 'from typing import Literal\nChatModels = Literal["claude-3-haiku-20240307",'
        ' "claude-sonnet-5-5"]\n',
        "app.py": HEAD
        + "from models import ChatModels\n"
        + "def ask(q, model: ChatModels):\n"
        + "    return client.messages.create(model=model, max_tokens=9, messages=q)\n",
    }
    site = site_of(tmp_path, files)
    assert model_set(site) == ["claude-3-haiku-20240307", "claude-sonnet-5-5"]
    assert site.candidates["model"][0].origin.path == "models.py"


def test_argparse_default_and_choices(tmp_path):
    source = HEAD + (
        "import argparse\n"
        "parser = argparse.ArgumentParser()\n"
        'parser.add_argument("--model", default="claude-haiku-5-5",\n'
        '    choices=["claude-haiku-5-5", "claude-opus-5-5"])\n'
        "args = parser.parse_args()\n"
        "client.messages.create(model=args.model, max_tokens=9, messages=[])\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-haiku-5-5", "claude-opus-5-5"]
    default = site.candidates["model"].default()
    assert default.value == "claude-haiku-5-5" and default.overridable


def test_click_option_default_and_choice(tmp_path):
    source = HEAD + (
        "import click\n"
        "@click.command()\n"
        '@click.option("--model", default="claude-sonnet-5-5",\n'
        '    type=click.Choice(["claude-sonnet-5-5", "claude-3-opus-20240229"]))\n'
        "def main(model):\n"
        "    client.messages.create(model=model, max_tokens=9, messages=[])\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-3-opus-20240229", "claude-sonnet-5-5"]
    assert default_of(site) == "claude-sonnet-5-5"


def test_environment_default_is_an_overridable_default(tmp_path):
    source = HEAD + (
        "import os\n"
        'MODEL = os.getenv("CLAUDE_MODEL", "claude-haiku-5-5")\n'
        'LIMIT = int(os.environ.get("LIMIT", 300))\n'
        "client.messages.create(model=MODEL, max_tokens=LIMIT, messages=[])\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    [candidate] = site.candidates["model"]
    assert candidate.default and candidate.overridable and site.args["model"] == "claude-haiku-5-5"
    assert site.args["max_tokens"] == 300


def test_request_dict_returned_by_a_helper_and_splatted(tmp_path):
    source = HEAD + (
        'def build(model="claude-haiku-5-5"):\n'
        '    return {"model": model, "max_tokens": 700, "messages": []}\n'
        "client.messages.create(**build())\n"
        'client.messages.create(**build("claude-opus-5-5"))\n'
    )
    first, second = scan(tmp_path, {"app.py": source}).sites
    assert first.args["model"] == "claude-haiku-5-5"
    assert second.args["model"] == "claude-opus-5-5"
    assert second.args["max_tokens"] == 700


def test_cast_is_its_value_or_its_literal_type(tmp_path):
    source = HEAD + (
        "import typing\n"
        'Model = typing.Literal["claude-3-haiku-20240307", "claude-3-opus-20240229"]\n'
        "class C:\n"
        "    def __init__(self, config):\n"
        "        self.model = typing.cast(Model, config.model)\n"
        "    def go(self):\n"
        "        client.messages.create(model=self.model, max_tokens=9, messages=[])\n"
        'fixed = typing.cast(str, "claude-haiku-5-5")\n'
        "client.messages.create(model=fixed, max_tokens=9, messages=[])\n"
    )
    typed, fixed = scan(tmp_path, {"app.py": source}).sites
    assert model_set(typed) == ["claude-3-haiku-20240307", "claude-3-opus-20240229"]
    assert model_set(fixed) == ["claude-haiku-5-5"]


def test_list_built_from_dict_keys_sliced_and_indexed(tmp_path):
    source = HEAD + (
        'TYPES = {"claude-opus-5-5": "opus", "claude-haiku-5-5": "haiku", "x": "y"}\n'
        "ALL = list(TYPES)\n"
        "SHOWN = ALL[:2]\n"
        "model = SHOWN[1]\n"
        "client.messages.create(model=model, max_tokens=9, messages=[])\n"
    )
    assert model_set(site_of(tmp_path, {"app.py": source})) == ["claude-haiku-5-5"]


def test_unknown_stays_unknown(tmp_path):
    source = HEAD + (
        "def ask(model, q):\n"
        "    return client.messages.create(model=model, max_tokens=9, messages=q)\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert "model" not in site.candidates and site.args["model"] is UNKNOWN


def test_mutually_recursive_helpers_end(tmp_path):
    source = HEAD + (
        "def a(model):\n"
        "    return b(model)\n"
        "def b(model):\n"
        "    client.messages.create(model=model, max_tokens=9, messages=[])\n"
        "    return a(model)\n"
    )
    site = site_of(tmp_path, {"app.py": source})
    assert "model" not in site.candidates


def test_thousands_of_callers_are_cut_with_a_diagnostic(tmp_path):
    calls = "".join(f'ask("claude-{n}")\n' for n in range(200))
    source = HEAD + (
        "def ask(model):\n"
        "    return client.messages.create(model=model, max_tokens=9, messages=[])\n"
    )
    result = scan(tmp_path, {"app.py": source + calls})
    [site] = result.sites
    assert 0 < len(site.candidates["model"]) <= 32
    assert any("value flow" in d.message for d in result.diagnostics)


def test_name_from_a_star_import_of_a_project_module(tmp_path):
    files = {
        "lib/core.py": 'MODELS = ["claude-opus-5-5", "claude-3-haiku-20240307"]\n',
        "lib/__init__.py": "",
        "app.py": HEAD
        + "from lib.core import *\n"
        + "model = MODELS[1]\n"
        + "client.messages.create(model=model, max_tokens=9, messages=[])\n",
    }
    [candidate] = site_of(tmp_path, files).candidates["model"]
    assert candidate.value == "claude-3-haiku-20240307"
    assert candidate.origin.path == "lib/core.py"


def test_arguments_through_comprehensions_partial_executors_and_map(tmp_path):
    source = HEAD + (
        "import asyncio, functools\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "def ask(model):\n"
        "    return client.messages.create(model=model, max_tokens=9, messages=[])\n"
        '[ask(m) for m in ["claude-3-haiku-20240307"]]\n'
        'functools.partial(ask, "claude-3-opus-20240229")()\n'
        "with ThreadPoolExecutor() as pool:\n"
        '    pool.submit(ask, "claude-opus-4-1-20250805")\n'
        '    list(pool.map(ask, ["claude-3-5-haiku-20241022"]))\n'
        'asyncio.to_thread(ask, "claude-haiku-4-5-20251001")\n'
    )
    assert model_set(site_of(tmp_path, {"app.py": source})) == [
        "claude-3-5-haiku-20241022",
        "claude-3-haiku-20240307",
        "claude-3-opus-20240229",
        "claude-haiku-4-5-20251001",
        "claude-opus-4-1-20250805",
    ]


def test_argparse_namespace_returned_by_a_helper_and_passed_to_a_constructor(tmp_path):
    files = {
        "cli.py": "import argparse\n"
        "def get_args():\n"
        "    parser = argparse.ArgumentParser()\n"
        '    parser.add_argument("--judge-model", default="claude-3-haiku-20240307")\n'
        "    return parser.parse_args()\n",
        "runner.py": HEAD
        + "class Runner:\n"
        + "    def __init__(self, args):\n"
        + "        self.kwargs = {'model': args.judge_model, 'max_tokens': 9}\n"
        + "    def run(self, q):\n"
        + "        return client.messages.create(messages=q, **self.kwargs)\n",
        "main.py": "from cli import get_args\nfrom runner import Runner\n"
        "Runner(get_args()).run([])\n",
    }
    site = site_of(tmp_path, files, "runner.py")
    assert model_set(site) == ["claude-3-haiku-20240307"]


# -- config files read at run time ----------------------------------------------------------

CONFIG_YAML = "# models\nllm:\n  model: claude-haiku-5-5\n  max_tokens: 300\nname: demo\n"


def test_model_from_a_yaml_config_names_the_yaml_line(tmp_path):
    source = HEAD + (
        "import yaml\n"
        'config = yaml.safe_load(open("config.yaml"))\n'
        'client.messages.create(model=config["llm"]["model"], max_tokens=9, messages=[])\n'
    )
    site = site_of(tmp_path, {"app.py": source, "config.yaml": CONFIG_YAML})
    [candidate] = site.candidates["model"]
    assert candidate.value == "claude-haiku-5-5"
    assert (candidate.origin.path, candidate.origin.line) == ("config.yaml", 3)
    assert candidate.overridable


def test_model_from_a_json_config_read_in_a_with_block(tmp_path):
    source = HEAD + (
        "import json\n"
        "def ask(q):\n"
        '    with open("settings.json") as handle:\n'
        "        settings = json.load(handle)\n"
        '    return client.messages.create(model=settings["model"], max_tokens=9, messages=q)\n'
    )
    files = {"app.py": source, "settings.json": '{\n  "model": "claude-sonnet-5-5"\n}\n'}
    [candidate] = site_of(tmp_path, files).candidates["model"]
    assert (candidate.value, candidate.origin.path, candidate.origin.line) == (
        "claude-sonnet-5-5",
        "settings.json",
        2,
    )


def test_a_config_path_outside_the_repository_or_missing_key_stays_unknown(tmp_path):
    source = HEAD + (
        "import yaml\n"
        'config = yaml.safe_load(open("../outside.yaml"))\n'
        'other = yaml.safe_load(open("config.yaml"))\n'
        'client.messages.create(model=config["model"], max_tokens=9, messages=[])\n'
        'client.messages.create(model=other["missing"], max_tokens=9, messages=[])\n'
    )
    (tmp_path / "outside.yaml").write_text("model: claude-haiku-5-5\n")
    project = tmp_path / "project"
    project.mkdir()
    result = scan(project, {"app.py": source, "config.yaml": CONFIG_YAML})
    sites = [s for s in result.sites if s.path == "app.py"]
    assert len(sites) == 2
    assert all(not s.candidates.get("model") for s in sites)
    assert all(s.args["model"] is UNKNOWN for s in sites)


# -- callers through __call__ and asyncio.gather ----------------------------------------------

ASYNC_HEAD = "import asyncio\nimport anthropic\nclient = anthropic.AsyncAnthropic()\n"


def test_an_object_called_through_dunder_call_passes_its_arguments(tmp_path):
    files = {
        "judge.py": ASYNC_HEAD
        + (
            "class Judge:\n"
            "    async def __call__(self, model, q):\n"
            "        return await client.messages.create(model=model, max_tokens=9, messages=q)\n"
        ),
        "run.py": (
            "from judge import Judge\n\n\nclass Runner:\n    def __init__(self):\n"
            "        self.judge = Judge()\n\n    async def go(self):\n"
            '        return await self.judge("claude-haiku-5-5", [])\n\n\n'
            'async def main():\n    judge = Judge()\n    await judge("claude-opus-5-5", [])\n'
        ),
    }
    site = site_of(tmp_path, files, path="judge.py")
    assert model_set(site) == ["claude-haiku-5-5", "claude-opus-5-5"]
    origins = sorted((c.origin.path, c.origin.line) for c in site.candidates["model"])
    assert origins == [("run.py", 9), ("run.py", 14)]


def test_a_function_called_inside_asyncio_gather_is_called_by_it(tmp_path):
    source = ASYNC_HEAD + (
        'MODELS = ["claude-haiku-5-5", "claude-sonnet-5-5"]\n\n\n'
        "async def ask(model, q):\n"
        "    return await client.messages.create(model=model, max_tokens=9, messages=q)\n\n\n"
        "async def main():\n"
        "    await asyncio.gather(*(ask(m, []) for m in MODELS))\n"
        '    await asyncio.gather(ask("claude-opus-5-5", []),\n'
        '                         ask(model="claude-haiku-5-5", q=[]))\n'
    )
    site = site_of(tmp_path, {"app.py": source})
    assert model_set(site) == ["claude-haiku-5-5", "claude-opus-5-5", "claude-sonnet-5-5"]
