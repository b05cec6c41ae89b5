"""Value flow through dispatch registries, ``**`` splats, config helpers and config mappings
read entry by entry (issue 13, round narrowing)."""

from __future__ import annotations

from helpers import scan

from costlint.site import UNKNOWN

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"


def site_at(tmp_path, files, path):
    result = scan(tmp_path, files)
    return sorted((s for s in result.sites if s.path == path), key=lambda s: s.span.line)


def models(site):
    return sorted(str(c.value) for c in site.candidates.get("model", ()))


REGISTRY = HEAD + (
    "REGISTRY = {}\n"
    "def register(kind):\n"
    "    def decorator(func):\n"
    "        REGISTRY[kind] = func\n"
    "        return func\n"
    "    return decorator\n"
    '@register("claude")\n'
    "def ask_claude(model, messages, max_tokens, **rest):\n"
    "    return client.messages.create(model=model, max_tokens=max_tokens, messages=messages)\n"
    '@register("claude_thinking")\n'
    "def ask_thinking(model, messages, max_tokens, **rest):\n"
    "    return client.messages.create(model=model, max_tokens=max_tokens, messages=messages)\n"
    "def load(path):\n"
    "    import yaml\n"
    "    with open(path) as handle:\n"
    "        data = yaml.safe_load(handle)\n"
    "    return data\n"
)
RUN = (
    "import argparse\n"
    "from concurrent.futures import ThreadPoolExecutor\n"
    "from backends import REGISTRY, load\n"
    "def answer(question, settings):\n"
    '    func = REGISTRY[settings["kind"]]\n'
    '    kwargs = settings | {"messages": [question]}\n'
    "    return func(**kwargs)\n"
    "parser = argparse.ArgumentParser()\n"
    'parser.add_argument("--endpoints", default="conf/endpoints.yaml")\n'
    "args = parser.parse_args()\n"
    "endpoints = load(args.endpoints)\n"
    'for name in ["a", "b"]:\n'
    "    with ThreadPoolExecutor() as pool:\n"
    "        pool.submit(answer, 'q', endpoints[name])\n"
)
ENDPOINTS = (
    "fast:\n"
    "  model: claude-haiku-5-5\n"
    "  max_tokens: 512\n"
    "  kind: claude\n"
    "deep:\n"
    "  model: claude-opus-5-5\n"
    "  max_tokens: 20000\n"
    "  kind: claude_thinking\n"
    "other:\n"
    "  model: gpt-9\n"
    "  kind: openai\n"
)


def test_a_decorator_registry_called_with_a_splat_takes_the_config_entries_of_its_key(tmp_path):
    files = {
        "backends.py": REGISTRY,
        "run.py": RUN,
        "conf/endpoints.yaml": ENDPOINTS,
    }
    plain, thinking = site_at(tmp_path, files, "backends.py")
    assert models(plain) == ["claude-haiku-5-5"]
    assert plain.args["model"] == "claude-haiku-5-5"
    assert plain.args["max_tokens"] == 512
    [candidate] = plain.candidates["model"]
    assert (candidate.origin.path, candidate.origin.line) == ("conf/endpoints.yaml", 2)
    assert candidate.overridable
    assert models(thinking) == ["claude-opus-5-5"]
    assert thinking.args["max_tokens"] == 20000


def test_an_entry_s_value_is_placed_at_that_entry_not_an_earlier_equal_one(tmp_path):
    endpoints = ENDPOINTS.replace("max_tokens: 512", "max_tokens: 20000")  # both entries
    files = {"backends.py": REGISTRY, "run.py": RUN, "conf/endpoints.yaml": endpoints}
    plain, thinking = site_at(tmp_path, files, "backends.py")
    [mine] = plain.candidates["max_tokens"]
    [theirs] = thinking.candidates["max_tokens"]
    assert (mine.origin.line, theirs.origin.line) == (3, 7)  # fast's line, then deep's


def test_an_argparse_default_naming_a_missing_file_stays_unknown(tmp_path):
    files = {"backends.py": REGISTRY, "run.py": RUN}
    plain, _ = site_at(tmp_path, files, "backends.py")
    assert not plain.candidates.get("model")
    assert plain.args["model"] is UNKNOWN


def test_a_registry_key_not_read_from_the_dict_keeps_every_entry(tmp_path):
    run = RUN.replace('REGISTRY[settings["kind"]]', "REGISTRY[pick()]")
    files = {"backends.py": REGISTRY, "run.py": run, "conf/endpoints.yaml": ENDPOINTS}
    plain, _ = site_at(tmp_path, files, "backends.py")
    assert models(plain) == ["claude-haiku-5-5", "claude-opus-5-5", "gpt-9"]


def test_kwargs_passed_on_to_the_api_take_the_callers_keywords(tmp_path):
    source = HEAD + (
        "def with_retry(client: anthropic.Client, *args, **kwargs):\n"
        "    while True:\n"
        "        try:\n"
        "            return client.messages.create(*args, **kwargs)\n"
        "        except Exception:\n"
        "            pass\n"
        "def ask(q):\n"
        '    return with_retry(client, model="claude-haiku-5-5", max_tokens=700, messages=q)\n'
    )
    [site] = site_at(tmp_path, {"app.py": source}, "app.py")
    assert models(site) == ["claude-haiku-5-5"]
    assert site.args["max_tokens"] == 700


def test_an_attribute_set_on_a_local_object_is_its_default_and_a_cast_keeps_the_literal(tmp_path):
    source = HEAD + (
        "import typing\n"
        "from typing import Literal\n"
        'Model = Literal["claude-haiku-5-5", "claude-opus-5-5"]\n'
        'DEFAULT = "claude-sonnet-5-5"\n'
        "class Config:\n"
        "    def __init__(self, model=None):\n"
        "        self.model = model\n"
        "class Llm:\n"
        "    def __init__(self, config=None):\n"
        "        if config is None:\n"
        "            config = Config()\n"
        "        if config.model is None:\n"
        "            config.model = DEFAULT\n"
        "        self.model = typing.cast(Model, config.model)\n"
        "    def ask(self, q):\n"
        "        return client.messages.create(model=self.model, max_tokens=9, messages=q)\n"
    )
    [site] = site_at(tmp_path, {"app.py": source}, "app.py")
    assert models(site) == ["claude-haiku-5-5", "claude-opus-5-5", "claude-sonnet-5-5"]
    default = site.candidates["model"].default()
    assert (default.value, default.origin.line) == ("claude-sonnet-5-5", 6)
    assert site.args["model"] == "claude-sonnet-5-5"


def test_an_attribute_set_unconditionally_replaces_what_the_object_held(tmp_path):
    source = HEAD + (
        "class Config:\n"
        '    model = "claude-haiku-5-5"\n'
        "def ask(q):\n"
        "    config = Config()\n"
        '    config.model = "claude-opus-5-5"\n'
        "    return client.messages.create(model=config.model, max_tokens=9, messages=q)\n"
    )
    [site] = site_at(tmp_path, {"app.py": source}, "app.py")
    assert site.args["model"] == "claude-opus-5-5"
    assert models(site) == ["claude-opus-5-5"]


RECORDS = (
    "from dataclasses import dataclass\n"
    "from enum import Enum\n"
    "class Style(Enum):\n"
    '    Chat = "Chat"\n'
    '    Legacy = "Legacy"\n'
    '    Other = "Other"\n'
    "@dataclass\n"
    "class Model:\n"
    "    name: str\n"
    "    style: Style\n"
    "MODELS = [\n"
    '    Model("claude-haiku-5-5", Style.Chat),\n'
    '    Model("claude-opus-5-5", Style.Chat),\n'
    '    Model("claude-2", Style.Legacy),\n'
    '    Model("gpt-9", Style.Other),\n'
    "]\n"
    "STORE = {m.name: m for m in MODELS}\n"
)
RUNNER = HEAD + (
    "class Runner:\n"
    "    def __init__(self, args, model):\n"
    '        self.kwargs = {"model": args.model, "max_tokens": 300}\n'
    "    def run(self, q):\n"
    "        return client.messages.create(messages=q, **self.kwargs)\n"
)
MAIN = (
    "import argparse\n"
    "from records import STORE, Style\n"
    "from runner import Runner\n"
    "def build(args, model):\n"
    "    if model.style in [Style.Chat]:\n"
    "        return Runner(args, model)\n"
    "    return None\n"
    "def get_args():\n"
    "    parser = argparse.ArgumentParser()\n"
    '    parser.add_argument("--model", default="gpt-9")\n'
    "    return parser.parse_args()\n"
    "def main():\n"
    "    args = get_args()\n"
    "    model = STORE[args.model]\n"
    "    build(args, model)\n"
)


def test_an_option_looked_up_in_a_record_registry_takes_the_records_the_dispatch_selects(
    tmp_path,
):
    files = {"records.py": RECORDS, "runner.py": RUNNER, "main.py": MAIN}
    [site] = site_at(tmp_path, files, "runner.py")
    assert models(site) == ["claude-haiku-5-5", "claude-opus-5-5"]
    [first, _] = sorted(site.candidates["model"], key=lambda c: c.origin.line)
    assert (first.origin.path, first.origin.line) == ("records.py", 12)
    assert site.args["model"] is UNKNOWN  # the option's default is not among them


def test_without_a_dispatch_guard_every_record_key_is_a_candidate_and_the_default_leads(
    tmp_path,
):
    main = MAIN.replace("    if model.style in [Style.Chat]:\n        return", "    return")
    files = {"records.py": RECORDS, "runner.py": RUNNER, "main.py": main}
    [site] = site_at(tmp_path, files, "runner.py")
    assert models(site) == ["claude-2", "claude-haiku-5-5", "claude-opus-5-5", "gpt-9"]
    assert site.args["model"] == "gpt-9"


def test_a_registry_key_no_config_entry_holds_leaves_the_model_unknown_not_empty(tmp_path):
    endpoints = ENDPOINTS.replace("kind: claude\n", "kind: other\n").replace(
        "kind: claude_thinking\n", "kind: other\n"
    )
    files = {"backends.py": REGISTRY, "run.py": RUN, "conf/endpoints.yaml": endpoints}
    plain, _ = site_at(tmp_path, files, "backends.py")
    assert not plain.candidates.get("model")
    assert plain.args["model"] is UNKNOWN


def test_kwargs_handed_round_in_a_cycle_end_without_a_value(tmp_path):
    source = HEAD + (
        "def first(client: anthropic.Client, **kwargs):\n"
        "    second(client, **kwargs)\n"
        "    return client.messages.create(**kwargs)\n"
        "def second(client, **kwargs):\n"
        "    return first(client, **kwargs)\n"
    )
    [site] = site_at(tmp_path, {"app.py": source}, "app.py")
    assert not site.candidates.get("model")


def test_a_dispatch_guard_no_record_passes_leaves_the_option_to_argparse(tmp_path):
    main = MAIN.replace("[Style.Chat]", "[Style.Missing]")
    files = {"records.py": RECORDS, "runner.py": RUNNER, "main.py": main}
    [site] = site_at(tmp_path, files, "runner.py")
    assert models(site) == ["gpt-9"]  # the argparse default, as without a registry
