"""Callers are matched by imports, not by name; notebooks are searched for callers; a global
read in a notebook's function is the binding live at the cell that runs it (prompt text too)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from helpers import scan, write

from costlint.resolve.callgraph import caller_graph
from costlint.resolve.project import Project

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"
LOOP = HEAD + (
    "def sampling_loop(q, model):\n"
    "    return client.messages.create(model=model, max_tokens=9, messages=q)\n"
)


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "source": c.splitlines(keepends=True), "metadata": {}}
                for c in cells
            ],
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
        }
    )


def models_at(result, path):
    [site] = [s for s in result.sites if s.path == path]
    return sorted(str(c.value) for c in site.candidates.get("model", ())), site


# -- 1. callers matched by imports ------------------------------------------------------------


def test_a_same_named_function_of_another_sub_project_is_not_called(tmp_path):
    files = {
        "demo_a/pyproject.toml": "",
        "demo_a/demo_a/loop.py": LOOP,
        "demo_a/scripts/run_loop.py": "from demo_a.loop import sampling_loop\n"
        'sampling_loop([], model="claude-3-haiku-20240307")\n',
        "demo_b/pyproject.toml": "",
        "demo_b/demo_b/loop.py": LOOP,
        "demo_b/demo_b/app.py": "from demo_b.loop import sampling_loop\n"
        'sampling_loop([], "claude-opus-5-5")\n',
    }
    result = scan(tmp_path, files)
    found_a, _ = models_at(result, "demo_a/demo_a/loop.py")
    found_b, site_b = models_at(result, "demo_b/demo_b/loop.py")
    assert found_a == ["claude-3-haiku-20240307"]
    assert found_b == ["claude-opus-5-5"]
    assert site_b.candidates["model"][0].origin.path == "demo_b/demo_b/app.py"


def test_module_attribute_calls_resolve_the_module(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/llm.py": LOOP,
        "pkg/other.py": "def sampling_loop(q, model):\n    return None\n",
        "jobs/plain.py": 'import pkg.llm\npkg.llm.sampling_loop([], "claude-haiku-5-5")\n',
        "jobs/alias.py": 'from pkg import llm\nllm.sampling_loop([], "claude-sonnet-5-5")\n',
        "jobs/wrong.py": 'from pkg import other\nother.sampling_loop([], "claude-opus-5-5")\n',
    }
    found, _ = models_at(scan(tmp_path, files), "pkg/llm.py")
    assert found == ["claude-haiku-5-5", "claude-sonnet-5-5"]


def test_a_package_that_re_exports_the_function_reaches_it(tmp_path):
    files = {
        "pkg/__init__.py": "from .core import sampling_loop\n",
        "pkg/core.py": LOOP,
        "app.py": 'from pkg import sampling_loop\nsampling_loop([], "claude-haiku-5-5")\n',
        "unrelated.py": "def sampling_loop(q, model):\n    return q\n"
        'sampling_loop([], "claude-opus-5-5")\n',
    }
    found, _ = models_at(scan(tmp_path, files), "pkg/core.py")
    assert found == ["claude-haiku-5-5"]


def test_a_relative_import_reaches_the_sibling_module(tmp_path):
    files = {
        "svc/__init__.py": "",
        "svc/llm.py": LOOP,
        "svc/jobs.py": 'from .llm import sampling_loop\nsampling_loop([], "claude-haiku-5-5")\n',
        "other/__init__.py": "",
        "other/llm.py": LOOP,
    }
    result = scan(tmp_path, files)
    assert models_at(result, "svc/llm.py")[0] == ["claude-haiku-5-5"]
    assert models_at(result, "other/llm.py")[0] == []


BOT = HEAD + (
    "class Bot:\n"
    "    def ask(self, q, model):\n"
    "        return client.messages.create(model=model, max_tokens=9, messages=q)\n"
)


def test_a_method_is_called_from_files_that_import_its_module(tmp_path):
    files = {
        "bots/__init__.py": "",
        "bots/core.py": BOT,
        "use.py": 'from bots.core import Bot\nBot().ask([], "claude-haiku-5-5")\n',
        "stranger.py": "import json\n"
        "class Cache:\n"
        "    def ask(self, q, model):\n"
        "        return json.dumps(q)\n"
        'Cache().ask([], "claude-opus-5-5")\n',
    }
    found, _ = models_at(scan(tmp_path, files), "bots/core.py")
    assert found == ["claude-haiku-5-5"]


def test_a_constructor_through_an_imported_class_name(tmp_path):
    files = {
        "a/pyproject.toml": "",
        "a/agent.py": HEAD + "class Agent:\n"
        "    def __init__(self, model):\n"
        "        self.model = model\n"
        "    def run(self, q):\n"
        "        return client.messages.create(model=self.model, max_tokens=9, messages=q)\n",
        "a/main.py": 'from agent import Agent\nAgent("claude-haiku-5-5").run([])\n',
        "b/pyproject.toml": "",
        "b/agent.py": "class Agent:\n    def __init__(self, model):\n        self.model = model\n",
        "b/main.py": 'from agent import Agent\nAgent("claude-opus-5-5")\n',
    }
    found, _ = models_at(scan(tmp_path, files), "a/agent.py")
    assert found == ["claude-haiku-5-5"]


def test_the_caller_graph_keeps_only_calls_whose_imports_reach_the_function(tmp_path):
    write(
        tmp_path,
        {
            "one/pyproject.toml": "",
            "one/work.py": "def step(x):\n    return x\n",
            "one/run.py": "from work import step\nfor x in range(3):\n    step(x)\n",
            "two/pyproject.toml": "",
            "two/work.py": "def step(x):\n    return x\n",
            "two/run.py": "from work import step\nstep(1)\n",
        },
    )
    project = Project(tmp_path.resolve())
    module = project.module_at(tmp_path / "one" / "work.py")
    function = next(n for n in ast.walk(module.tree) if isinstance(n, ast.FunctionDef))
    callers = caller_graph(project).callers_of(module, function)
    assert [(Path(s.path).relative_to(tmp_path.resolve()).as_posix(), s.line) for s in callers] == [
        ("one/run.py", 3)
    ]
    assert callers[0].loops  # the loop around the call is seen


def test_the_caller_graph_keeps_the_answers_asked_last_and_forgets_the_oldest(
    tmp_path, monkeypatch
):
    from costlint.resolve import callgraph

    monkeypatch.setattr(callgraph, "MEMO_SIZE", 2)
    names = ["a", "b", "c"]
    files = {f"m_{n}.py": f"def {n}(x):\n    return x\n" for n in names}
    files["run.py"] = "".join(f"from m_{n} import {n}\n{n}(1)\n" for n in names)
    write(tmp_path, files)
    project = Project(tmp_path.resolve())
    graph = caller_graph(project)

    def ask(name: str) -> list[int]:
        module = project.module_at(tmp_path / f"m_{name}.py")
        function = module.module_scope.functions[name]
        return [site.line for site in graph.callers_of(module, function)]

    assert [ask(n) for n in names] == [[2], [4], [6]]
    assert sorted(key[2] for key in graph._memo) == ["b", "c"]  # "a" was asked first
    assert ask("b") == [4]  # from the memo, which now holds "b" as the newest
    assert ask("a") == [2]  # asked again, the same answer
    assert sorted(key[2] for key in graph._memo) == ["a", "b"]


def test_a_caller_reached_through_a_linked_file_is_the_file_it_links_to(tmp_path):
    write(
        tmp_path,
        {
            "work.py": "def step(x):\n    return x\n",
            "jobs/run.py": "from work import step\nstep(1)\n",
        },
    )
    (tmp_path / "alias_run.py").symlink_to(tmp_path / "jobs" / "run.py")
    project = Project(tmp_path.resolve())
    module = project.module_at(tmp_path / "work.py")
    callers = caller_graph(project).callers_of(module, module.module_scope.functions["step"])
    assert [Path(s.path).relative_to(tmp_path.resolve()).as_posix() for s in callers] == [
        "jobs/run.py"
    ]  # once, as the file it is


# -- 2. callers in notebooks ------------------------------------------------------------------

CHAT = HEAD + (
    "class Chat:\n"
    "    def __init__(self, model):\n"
    "        self.model = model\n"
    "    def __call__(self, q):\n"
    "        return client.messages.create(model=self.model, max_tokens=9, messages=q)\n"
)


def test_a_notebook_that_star_imports_the_library_is_a_caller(tmp_path):
    files = {
        "lib/__init__.py": "",
        "lib/core.py": CHAT + 'models = ["claude-3-haiku-20240307", "claude-sonnet-5-5"]\n',
        "nbs/demo.ipynb": notebook(
            "from lib.core import *\n",
            "model = models[0]\n",
            "chat = Chat(model)\n",
            'model = "claude-opus-5-5"  # rebound after the only call\n',
        ),
    }
    found, site = models_at(scan(tmp_path, files), "lib/core.py")
    assert found == ["claude-3-haiku-20240307"]
    [candidate] = site.candidates["model"]
    assert candidate.origin.path == "lib/core.py"  # the element of ``models`` read in cell 1
    assert site.args["model"] == "claude-3-haiku-20240307"


def test_a_notebook_argument_is_named_by_its_cell_and_line(tmp_path):
    files = {
        "lib/__init__.py": "",
        "lib/core.py": CHAT,
        "nbs/demo.ipynb": notebook(
            "from lib.core import Chat\n",
            '# the model\nMODEL = "claude-3-haiku-20240307"\n',
            "chat = Chat(MODEL)\n",
        ),
    }
    _, site = models_at(scan(tmp_path, files), "lib/core.py")
    [candidate] = site.candidates["model"]
    assert (candidate.origin.path, candidate.origin.cell, candidate.origin.line) == (
        "nbs/demo.ipynb",
        1,
        2,
    )


def test_a_notebook_that_does_not_parse_is_skipped(tmp_path):
    files = {
        "lib/__init__.py": "",
        "lib/core.py": CHAT,
        "nbs/broken.ipynb": '{"cells": [ Chat("claude-opus-5-5")',
        "nbs/good.ipynb": notebook("from lib.core import Chat\n", 'Chat("claude-haiku-5-5")\n'),
    }
    result = scan(tmp_path, files)
    assert models_at(result, "lib/core.py")[0] == ["claude-haiku-5-5"]


def test_a_notebook_of_another_library_is_not_a_caller(tmp_path):
    files = {
        "lib/__init__.py": "",
        "lib/core.py": CHAT,
        "elsewhere/__init__.py": "",
        "elsewhere/chat.py": "class Chat:\n    def __init__(self, model):\n        pass\n",
        "nbs/demo.ipynb": notebook(
            "from elsewhere.chat import Chat\n", 'Chat("claude-opus-5-5")\n'
        ),
    }
    assert models_at(scan(tmp_path, files), "lib/core.py")[0] == []


# -- 3. notebook prompt text in execution order -----------------------------------------------

SETUP = "import anthropic\nclient = anthropic.Anthropic()\n"
SUMMARIZE = (
    "def summarize(text):\n"
    "    final = prompt.replace('[TEXT]', text)\n"
    "    return client.messages.create(model='claude-haiku-5-5', max_tokens=99,\n"
    "        system=system, messages=[{'role': 'user', 'content': final}])\n"
)


def test_prompt_text_read_in_a_function_is_the_one_live_when_a_cell_runs_it(tmp_path):
    cells = [
        SETUP,
        'system = "Short system."\nprompt = "Summarize: [TEXT]"\n',
        SUMMARIZE,
        "summarize('call one')\n",
        "summarize('call two')\n",
        'system = "A much longer system prompt, rewritten later."\n'
        'prompt = "A rewritten prompt with many more words: [TEXT]"\n',
    ]
    [site] = scan(tmp_path, {"nb.ipynb": notebook(*cells)}).sites
    assert str(site.args["system"]) == "Short system."
    assert "Summarize:" in str(site.args["messages"][0]["content"])
    assert "rewritten" not in str(site.args["messages"][0]["content"])


def test_a_function_run_through_another_function_reads_the_running_cell(tmp_path):
    cells = [
        SETUP,
        'system = "First system."\nprompt = "First: [TEXT]"\n',
        SUMMARIZE,
        "def batch(items):\n    return [summarize(i) for i in items]\n",
        "batch(['a', 'b'])\n",
        'system = "Second system."\nprompt = "Second: [TEXT]"\n',
    ]
    [site] = scan(tmp_path, {"nb.ipynb": notebook(*cells)}).sites
    assert str(site.args["system"]) == "First system."


def test_a_function_no_cell_runs_reads_the_last_binding(tmp_path):
    cells = [
        SETUP,
        'system = "First system."\nprompt = "First: [TEXT]"\n',
        SUMMARIZE,
        'system = "Second system."\nprompt = "Second: [TEXT]"\n',
    ]
    [site] = scan(tmp_path, {"nb.ipynb": notebook(*cells)}).sites
    assert str(site.args["system"]) == "Second system."


def test_a_subclass_passes_the_model_to_its_base_through_super_init(tmp_path):
    files = {
        "lib/__init__.py": "",
        "lib/core.py": "import anthropic\n"
        "class Client:\n"
        "    def __init__(self, model):\n"
        "        self.model = model\n",
        "lib/asink.py": "import anthropic\n"
        "from .core import *\n"
        "class AsyncClient(Client):\n"
        "    def __init__(self, model):\n"
        "        super().__init__(model)\n"
        "        self.c = anthropic.AsyncAnthropic()\n"
        "    async def ask(self, q):\n"
        "        return await self.c.messages.create(model=self.model, max_tokens=9, messages=q)\n",
        "nbs/demo.ipynb": notebook(
            "from lib.asink import *\n", 'client = AsyncClient("claude-3-haiku-20240307")\n'
        ),
    }
    found, site = models_at(scan(tmp_path, files), "lib/asink.py")
    assert found == ["claude-3-haiku-20240307"]
    assert site.candidates["model"][0].origin.cell == 1


def test_a_sub_project_with_a_src_layout_is_a_root_for_its_scripts(tmp_path):
    files = {}
    for name, model in (("tool_a", "claude-haiku-5-5"), ("tool_b", "claude-opus-5-5")):
        files[f"{name}/pyproject.toml"] = f"[project]\nname = '{name}'\n"
        files[f"{name}/src/common/__init__.py"] = ""
        files[f"{name}/src/common/loop.py"] = LOOP
        files[f"{name}/scripts/run_loop.py"] = (
            f'from common.loop import sampling_loop\nsampling_loop([], "{model}")\n'
        )
    result = scan(tmp_path, files)
    found, site = models_at(result, "tool_a/src/common/loop.py")
    assert found == ["claude-haiku-5-5"]
    assert site.candidates["model"][0].origin.path == "tool_a/scripts/run_loop.py"
    assert models_at(result, "tool_b/src/common/loop.py")[0] == ["claude-opus-5-5"]


def test_a_call_after_the_function_is_redefined_runs_the_new_definition(tmp_path):
    second = SUMMARIZE.replace("max_tokens=99", "max_tokens=77")
    cells = [
        SETUP,
        'system = "First system."\nprompt = "First: [TEXT]"\n',
        SUMMARIZE,
        "summarize('one')\n",
        second,
        'system = "Second system."\nprompt = "Second: [TEXT]"\n',
        "summarize('two')\n",
    ]
    sites = scan(tmp_path, {"nb.ipynb": notebook(*cells)}).sites
    by_cap = {site.args["max_tokens"]: str(site.args["system"]) for site in sites}
    assert by_cap == {99: "First system.", 77: "Second system."}


def test_a_tests_argument_is_not_a_candidate_for_the_code_it_tests(tmp_path):
    """A test calls the loop with a fixture model; the application calls it with the real
    one. Only the application's value is a candidate."""
    loop = """
import anthropic
client = anthropic.Anthropic()

def sampling_loop(model, question):
    return client.messages.create(model=model, max_tokens=300,
        messages=[{"role": "user", "content": question}])
"""
    app = """
from demo.loop import sampling_loop
sampling_loop("claude-haiku-5-5", "Hello")
"""
    test = """
from demo.loop import sampling_loop
def test_loop():
    sampling_loop("test-model", "Hello")
"""
    files = {"demo/__init__.py": "", "demo/loop.py": loop, "demo/app.py": app}
    files["tests/test_loop.py"] = test
    result = scan(tmp_path, files)
    (site,) = [s for s in result.sites if s.path.endswith("loop.py")]
    assert site.args["model"] == "claude-haiku-5-5"
    assert "CL010" not in [f.rule for f in result.findings]
