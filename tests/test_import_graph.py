"""The import graph of src/costlint: no cycles between modules, and every import goes down the
stage layering (docs: the layer table below, from the project's layering rules).

Built with ``ast`` from the source (nothing is imported): every ``import`` counts, including
ones inside functions and ``TYPE_CHECKING`` blocks; relative imports are resolved; an import
of a package means its ``__init__``; ``from pkg import name`` means ``pkg`` and, when ``name``
is a submodule, ``pkg.name`` too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "costlint"

# Lowest first; a module may import only from its own layer or a lower one. A name stands for
# the module and everything under it (``costlint.resolve`` covers ``costlint.resolve.*``).
LAYERS: dict[str, int] = {
    # 0: foundation
    "costlint": 0,  # the package's __init__ (its version)
    "costlint.site": 0,
    "costlint.units": 0,
    "costlint.yamlio": 0,
    "costlint.estimate": 0,
    "costlint.budget": 0,
    "costlint.fixes": 0,
    "costlint.intent": 0,
    "costlint.regexfilter": 0,
    "costlint.request": 0,
    "costlint.cachetrust": 0,
    "costlint.gitlisting": 0,  # one `git ls-files -t`: discovery's listing and the cache's trust
    "costlint.fingerprint": 0,  # not in the layering notes: imports only site
    # 1
    "costlint.config": 1,
    "costlint.settings": 1,  # the resolved configuration as text (--show-settings)
    "costlint.comment": 1,  # posting a comment on a pull/merge request (no costlint imports)
    "costlint.catalog": 1,
    "costlint.gitsource": 1,
    "costlint.sdkpin": 1,  # the anthropic SDK version the project pins (beside config)
    # 2: the resolver library
    "costlint.resolve": 2,
    # 3
    "costlint.discover": 3,
    "costlint.dependents": 3,  # the importers of given files (pre-commit)
    # 4: front-ends and the extract stage
    "costlint.extract": 4,
    "costlint.extraction": 4,
    "costlint.filecache": 4,
    "costlint.sitecodec": 4,
    "costlint.replay": 4,  # the run-level replay cache (beside the per-file cache)
    # 5: counting
    "costlint.tokens": 5,
    "costlint.count": 5,
    # 6: rules
    "costlint.engine": 6,
    "costlint.checks": 6,
    "costlint.conditions": 6,  # the when: grammar of rules without Python
    "costlint.ruleschema": 6,  # the rule examples' schema and RuleError
    "costlint.ruledocs": 6,  # docs/rules/ pages generated from the rule YAML
    # 7: after the rules: baseline filtering, usage, pricing
    "costlint.baseline": 7,
    "costlint.price": 7,
    "costlint.usage": 7,
    "costlint.usage_import": 7,  # `costlint usage import`: calibrate from an Admin API report
    "costlint.init": 7,  # `costlint init`: a starter config and usage file
    # 8
    "costlint.pipeline": 8,
    # 9
    "costlint.diff": 9,
    "costlint.autofix": 9,  # check --fix: reads findings and sites, edits files (libcst, lazily)
    # 10
    "costlint.report": 10,
    # 11: nothing imports it
    "costlint.cli": 11,
    "costlint.launch": 11,  # the console script: tunes the GC, then imports cli
}


def module_files() -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package ``__init__``), for every module of the package."""
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def imported_modules(name: str, path: Path, is_package: bool, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {target for target in targets if target in known and target != name}


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {
        name: imported_modules(name, path, is_package, known)
        for name, (path, is_package) in files.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            if pending:
                child = pending.pop()
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def layer_of(module: str) -> int | None:
    """The layer of the longest table entry that is ``module`` or a package above it."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        layer = LAYERS.get(".".join(parts[:end]))
        if layer is not None:
            return layer
    return None


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    found: list[str] = []
    for module, targets in sorted(graph.items()):
        own = layer_of(module)
        for target in sorted(targets):
            other = layer_of(target)
            if own is not None and other is not None and other > own:
                found.append(f"{module} (layer {own}) imports {target} (layer {other})")
    return found


def test_the_graph_sees_every_kind_of_import():
    graph = import_graph()
    # a module-level relative import, a lazy one inside a function, a package's __init__
    assert "costlint.site" in graph["costlint.extraction"]
    assert "costlint.extract.python" in graph["costlint.extraction"]  # inside extractor_for
    assert "costlint" in graph["costlint.filecache"]  # from . import __version__
    assert "costlint.resolve.containers" in graph["costlint.resolve.handlers"]


def test_cycle_finder_reports_a_cycle_and_ignores_a_chain():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles_between_modules():
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_every_module_has_a_layer():
    missing = sorted(name for name in import_graph() if layer_of(name) is None)
    assert missing == [], f"modules missing from LAYERS: {missing}"


@pytest.mark.parametrize(
    ("module", "layer"),
    [("costlint.resolve.evaluator", 2), ("costlint.extract.python", 4), ("costlint.cli", 11)],
)
def test_layer_of_uses_the_closest_package(module, layer):
    assert layer_of(module) == layer


def test_layer_check_flags_an_upward_import():
    graph = {"costlint.resolve.evaluator": {"costlint.extract.python"}}
    assert layer_violations(graph) == [
        "costlint.resolve.evaluator (layer 2) imports costlint.extract.python (layer 4)"
    ]


def test_imports_go_down_the_layers():
    found = layer_violations(import_graph())
    assert found == [], "imports up the layering:\n" + "\n".join(found)


def test_the_resolver_library_imports_no_front_end():
    graph = import_graph()
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.startswith("costlint.resolve")
        for target in targets
        if (layer_of(target) or 0) > 2
    )
    assert upward == []
