"""The handler tables the evaluator dispatches through (node types, call names, methods).

Handlers live in modules by subject (``strings``, ``paths``, ``containers``, ``jinja_calls``);
each is handed the evaluator (``protocol.Evaluator``), so none imports the evaluator.
"""

from __future__ import annotations

import ast

from . import containers, jinja_calls, paths, strings
from .protocol import CallHandler, MethodHandler, NodeHandler
from .values import FileRead, JinjaEnv, JinjaTemplate, PathValue

# Node types the evaluator does not handle itself.
NODE_HANDLERS: dict[type[ast.AST], NodeHandler] = {ast.JoinedStr: strings.joined_str}

# Calls of a plain (canonical) name: ``dict(...)``, ``Path(...)``, ``dedent(...)`` ...
CALL_HANDLERS: dict[str, CallHandler] = {
    "dict": containers.dict_call,
    "list": containers.list_call,
    "tuple": containers.list_call,
    "str": strings.str_call,
    **{name: strings.dedent_call for name in strings.DEDENT},
    **{name: paths.path_call for name in paths.PATH_CLASSES},
    "open": paths.open_call,
    **{name: paths.join_call for name in ("os.path.join", "path.join", "join")},
    **{name: paths.dirname_call for name in ("os.path.dirname", "path.dirname", "dirname")},
    **{name: paths.abspath_call for name in ("os.path.abspath", "os.path.realpath", "abspath")},
}

# Functions of a standard-library module, by (canonical module name, function).
MODULE_FUNCTION_HANDLERS: dict[tuple[str, str], CallHandler] = {
    **{
        (mod, fn): strings.dedent_method for mod in ("textwrap", "inspect") for fn in strings.DEDENT
    },
    ("os.path", "join"): paths.os_path_join,
    ("path", "join"): paths.os_path_join,
    **{
        (mod, fn): paths.os_path_method
        for mod in ("os.path", "path")
        for fn in ("dirname", "abspath", "realpath")
    },
    ("pathlib", "Path"): paths.pathlib_method,
    ("pathlib", "PurePath"): paths.pathlib_method,
}

# Methods of an evaluated receiver, by the receiver's type (checked in order).
METHOD_HANDLERS: tuple[tuple[type | tuple[type, ...], MethodHandler], ...] = (
    ((JinjaEnv, JinjaTemplate), jinja_calls.jinja_method),
    (str, strings.str_method),
    (PathValue, paths.path_method),
    (FileRead, paths.file_method),
    (dict, containers.dict_method),
    (list, containers.list_method),
)


def call_handler(name: str) -> CallHandler | None:
    """The handler for a call of ``name``; any ``<alias>.Path`` is a pathlib class."""
    handler = CALL_HANDLERS.get(name)
    if handler is None and name.endswith(".Path"):
        return paths.path_call
    return handler


jinja_call = jinja_calls.jinja_call
