"""Dispatch registries: functions filed in a module dict by a decorator, and the calls that
reach them through that dict.

``@register_api("anthropic")`` on ``chat_anthropic``, where ``register_api(key)`` returns a
decorator that does ``REGISTRY[key] = func``, files the function under ``"anthropic"``. A call
``REGISTRY[settings["api_type"]](**kwargs)`` (or ``f = REGISTRY[...]; f(**kwargs)``) reaches it
only when the key expression equals ``"anthropic"``: value flow follows such calls as callers,
with that equality as a constraint on the dict the key is read from.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

from .project import ModuleInfo
from .scope import Scope


class Registration(NamedTuple):
    """``fn`` is filed in the module-level dict ``registry`` under ``key``."""

    registry: str
    key: str


class RegistryCall(NamedTuple):
    """A call through a registry: ``call`` in ``scope``, the key expression it indexes with."""

    call: ast.Call
    scope: Scope
    key: ast.AST


def registrations(fn: ast.AST, module: ModuleInfo) -> list[Registration]:
    """The registries ``fn``'s decorators file it in (decorator factories of ``module``)."""
    found: list[Registration] = []
    for decorator in getattr(fn, "decorator_list", []):
        if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Name):
            continue
        if not decorator.args:
            continue
        key = decorator.args[0]
        if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            continue
        factory = module.module_scope.functions.get(decorator.func.id)
        registry = _stored_into(factory, module) if factory is not None else None
        if registry is not None:
            found.append(Registration(registry, key.value))
    return found


def _stored_into(factory: ast.AST, module: ModuleInfo) -> str | None:
    """The module-level dict a decorator factory stores into, indexed by its first parameter."""
    args = getattr(factory, "args", None)
    if args is None or not args.args:
        return None
    key_param = args.args[0].arg
    for node in ast.walk(factory):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and isinstance(target.slice, ast.Name)
                and target.slice.id == key_param
                and module.module_scope.lookup(target.value.id, None) is not None
            ):
                return target.value.id
    return None


def registry_calls(module: ModuleInfo, registry: str) -> Iterator[RegistryCall]:
    """Calls in ``module`` of an entry of ``registry``: ``registry[k](...)``, or a name bound
    to ``registry[k]`` in the calling scope and then called."""
    for call, where in module.calls:
        func = call.func
        if _indexes(func, registry):
            assert isinstance(func, ast.Subscript)
            yield RegistryCall(call, where.scope, func.slice)
        elif isinstance(func, ast.Name):
            binding = where.scope.lookup(func.id, call.lineno)
            if binding is None or binding.kind != "assign":
                continue
            if _indexes(binding.value, registry):
                assert isinstance(binding.value, ast.Subscript)
                yield RegistryCall(call, where.scope, binding.value.slice)


def _indexes(node: ast.AST | None, registry: str) -> bool:
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == registry
        and not isinstance(node.slice, ast.Slice)
    )


def key_constraint(key: ast.AST, value: str) -> tuple[str, str] | None:
    """``d["api_type"]`` used as the registry key that selects ``value``: the entry key it
    constrains (``("api_type", value)``), or None when the key is not read from a dict."""
    if (
        isinstance(key, ast.Subscript)
        and isinstance(key.slice, ast.Constant)
        and isinstance(key.slice.value, str)
    ):
        return key.slice.value, value
    return None
