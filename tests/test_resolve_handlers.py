"""The evaluator dispatches through handler tables; handlers see it only as an Evaluator."""

from __future__ import annotations

import ast
from pathlib import Path

from costlint.resolve import handlers, paths, strings
from costlint.resolve.evaluator import Resolver
from costlint.resolve.project import ModuleInfo, Project
from costlint.site import UNKNOWN


def value_of(source: str, name: str, root: Path) -> object:
    path = root / "mod.py"
    path.write_text(source, encoding="utf-8")
    module = ModuleInfo(ast.parse(source), path, Project(root))
    binding = module.module_scope.lookup(name, None)
    assert binding is not None
    return Resolver(module).value(binding.value, module.module_scope, binding.line)


def test_call_table_names_the_handlers_by_subject():
    assert handlers.call_handler("Path") is paths.path_call
    assert handlers.call_handler("pl.Path") is paths.path_call  # any alias of pathlib.Path
    assert handlers.call_handler("dedent") is strings.dedent_call
    assert handlers.call_handler("make_prompt") is None


def test_handler_whose_precondition_fails_falls_through_to_project_functions(tmp_path):
    # str() with two arguments is not the str handler's: the local function of that name wins
    source = 'def str(a, b):\n    return "local"\nX = str(1, 2)\nY = str("kept")\n'
    assert value_of(source, "X", tmp_path) == "local"
    assert value_of(source, "Y", tmp_path) == "kept"


def test_method_table_dispatches_on_the_receiver_type(tmp_path):
    source = 'import textwrap\nX = textwrap.dedent("  a\\n  b").upper()\nY = {"k": 1}.copy()\n'
    assert value_of(source, "X", tmp_path) == "A\nB"
    assert value_of(source, "Y", tmp_path) == {"k": 1}
    assert value_of("X = [1].pop()\n", "X", tmp_path) is UNKNOWN
