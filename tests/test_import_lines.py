"""Reading a file's import lines tells whether it can bind a name of a module before the file
is parsed; value flow and the pre-commit dependents search use it to skip files that mention
a name but import another thing of that name."""

from __future__ import annotations

from helpers import scan

from costlint.resolve.import_lines import can_bind_from

HOME = ("svc", "llm")  # svc/llm.py


def binds(text: str, name: str | None = "ask", folder=("jobs",), packages=None) -> bool:
    packages = packages or {}
    return can_bind_from(text, name, HOME, folder, lambda parts: packages.get(tuple(parts)))


def test_an_import_of_the_name_or_the_module_binds():
    assert binds("from svc.llm import ask\n")
    assert binds("import svc.llm as llm\n")
    assert binds("from svc import llm\n")
    assert binds("from somewhere import *\n")
    assert binds("from pkg import (\n    other,  # a comment\n    ask,\n)\n")  # may re-export


def test_an_import_of_another_module_of_the_same_last_name_does_not_bind():
    assert not binds("from agents import llm\nfrom agents.llm import Other\n")
    assert not binds("import os\nimport json\n")
    assert not binds("x = 1\n")


def test_a_relative_import_is_read_from_the_file_s_folder():
    assert binds("from .llm import ask\n", folder=("svc",))
    assert binds("from ..svc.llm import thing\n", folder=("jobs",))
    assert not binds("from .llm import ask\n", folder=("other",))  # other/llm.py
    assert not binds("from .. import llm\n", folder=("other", "deep"))  # other/llm


def test_a_relative_import_of_the_name_from_a_package_follows_its_re_export():
    reexporting = {("api",): "from ..svc.llm import ask\n"}
    plain = {("api",): "from .client import ask\n"}
    assert binds("from ..api import ask\n", folder=("jobs",), packages=reexporting)
    assert not binds("from ..api import ask\n", folder=("jobs",), packages=plain)
    assert not binds("from ..api import ask\n", folder=("jobs",))  # api is not a package


def test_any_name_of_the_module_for_dependents():
    assert binds("from svc.llm import MODEL\n", name=None)
    reexporting = {("svc",): "from .llm import MODEL\n"}
    assert binds("from svc import MODEL\n", name=None, packages=reexporting)
    assert not binds("from svc import settings\n", name=None)  # svc/__init__ imports no llm
    assert binds("from . import llm\n", name=None, folder=("svc",))
    assert not binds("from agents.llm import MODEL\n", name=None)


def _library(count: int) -> dict[str, str]:
    """``count`` modules that each define and call a ``make`` of their own, and the one that
    calls svc/llm.py's ``make`` with the model."""
    files = {
        "svc/__init__.py": "",
        "svc/llm.py": "import anthropic\nclient = anthropic.Anthropic()\n"
        "def make(q, model):\n"
        "    return client.messages.create(model=model, max_tokens=9, messages=q)\n",
        "jobs/__init__.py": "",
        "jobs/zz_run.py": 'from svc.llm import make\nmake([], "claude-haiku-5-5")\n',
    }
    for number in range(count):
        files[f"jobs/other_{number:02}.py"] = (
            "from agents import llm\n"
            "def make(q, model):\n    return q\n"
            + "".join(f'make([], "m{number}-{k}")\n' for k in range(3))
        )
    return files


def test_a_caller_past_many_same_named_calls_is_still_found(tmp_path):
    result = scan(tmp_path, _library(40))  # 120 calls named make() that reach another make
    [site] = [s for s in result.sites if s.path == "svc/llm.py"]
    assert [str(c.value) for c in site.candidates["model"]] == ["claude-haiku-5-5"]
    assert not any("calls of make()" in note for note in site.notes)
