"""resolve.syntax.all_nodes: the nodes ast.walk gives, for order-free questions."""

from __future__ import annotations

import ast

from costlint.resolve.syntax import all_nodes

SOURCE = """
import anthropic

client = anthropic.Anthropic()


class Agent:
    def run(self, items, *, limit=input()):
        for item in items:
            reply = client.messages.create(model="claude-sonnet-4-5", messages=[item])
            if reply.stop_reason == "tool_use":
                [x for x in reply.content if x.type == "tool_use"]
        return lambda value: value["cache_control"]
"""


def test_all_nodes_holds_every_node_of_ast_walk_but_the_name_context_markers() -> None:
    tree = ast.parse(SOURCE)
    walked = [node for node in ast.walk(tree) if not isinstance(node, ast.expr_context)]
    found = all_nodes(tree)
    assert len(found) == len(walked)
    assert {id(node) for node in found} == {id(node) for node in walked}
    assert not any(isinstance(node, ast.expr_context) for node in found)


def test_all_nodes_starts_at_the_node_asked_and_stays_under_it() -> None:
    tree = ast.parse(SOURCE)
    method = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    found = all_nodes(method)
    assert found[0] is method
    assert {id(node) for node in found} == {
        id(node) for node in ast.walk(method) if not isinstance(node, ast.expr_context)
    }
    assert not any(isinstance(node, ast.ClassDef) for node in found)
