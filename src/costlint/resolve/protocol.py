"""The interface handlers are handed: an ``Evaluator`` (what a handler may ask of the resolver)
and the handler signatures, so handler modules never import the evaluator itself."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, Protocol

from .project import ModuleInfo, Project
from .scope import Scope


class Evaluator(Protocol):
    """The resolver of one module, as its handlers see it."""

    module: ModuleInfo
    project: Project | None

    def evaluate(self, node: ast.AST, scope: Scope, line: int, depth: int) -> Any:
        """The value of ``node`` (``UNKNOWN`` when it cannot be known)."""
        ...

    def keywords_into(
        self, result: dict[str, Any], node: ast.Call, scope: Scope, line: int, depth: int
    ) -> Any:
        """``result`` updated with the call's keyword arguments (``UNKNOWN`` for opaque ``**``)."""
        ...

    def module_function(self, module: ModuleInfo, name: str, node: ast.Call, depth: int) -> Any:
        """The value a function of ``module`` returns (``UNKNOWN`` unless one plain return)."""
        ...

    def project_function(
        self, name: str, scope: Scope, line: int
    ) -> tuple[ModuleInfo, ast.AST] | None:
        """The project function ``name`` runs when called at ``line`` (this module or one it
        imports from), or None."""
        ...

    def in_call(
        self,
        module: ModuleInfo,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        node: ast.AST,
        line: int,
        depth: int,
        arguments: tuple[ast.Call, Scope, int] | None = None,
    ) -> Any:
        """The value of ``node`` in ``fn``'s body for one call (its arguments bound)."""
        ...


class NotHandled:
    """Returned by a handler whose preconditions fail: dispatch goes on as if none matched."""


NOT_HANDLED = NotHandled()

# A node type's handler: (evaluator, node, scope, line, depth) -> value.
NodeHandler = Callable[[Evaluator, Any, Scope, int, int], Any]
# A call by its canonical name: (evaluator, name, call, scope, line, depth) -> value or NOT_HANDLED.
CallHandler = Callable[[Evaluator, str, ast.Call, Scope, int, int], Any]
# A method of a value: (evaluator, receiver, method, call, scope, line, depth) -> value.
MethodHandler = Callable[[Evaluator, Any, str, ast.Call, Scope, int, int], Any]
