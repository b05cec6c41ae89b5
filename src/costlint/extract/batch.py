"""Batch reach (CL005's fact): is a call reached through a loop over independent items in an
offline job?

The loop is rarely next to the call, so the call's own loops are read first and then its
callers' (``resolve.callers``, up to four levels, across modules and notebook cells): for
loops and comprehensions over a dataset, executor ``map``/``submit``, ``asyncio.gather`` over
items and ``map``-like helpers that are handed the function. A loop counts when its items are
independent (no history grows, no tool/agent turn in it, not a retry of one request) and the
job is offline: script or notebook top level, ``if __name__ == "__main__"``, a CLI command, a
job-named function (evaluate, benchmark, generate, index, backfill...), a progress bar over the
items, or results written to disk. Never for web routes and request handlers, chat/bot and UI
frameworks, interactive input, live inputs (``async for`` over a channel, a queue or a stream:
items arrive while the program runs), moderation, agent loops around the fan-out, or code
that already uses ``messages.batches``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ..resolve.callgraph import CallerSite, caller_graph
from ..resolve.project import ModuleInfo, Project
from ..resolve.syntax import all_nodes, call_name
from ..site import BatchReach
from .loop_dependence import holds_conversation, is_sequential

RETRY_NAMES = re.compile(r"(attempt|retr|tries|try_|backoff)", re.IGNORECASE)
RETRY_BOUND = 10  # ``for _ in range(5)`` around one request is a retry, not a batch
JOB_NAMES = re.compile(
    r"^(main|run|eval|evaluate|evaluation|bench|benchmark|generate|gen|index|backfill|batch|"
    r"infer|inference|predict|label|annotate|judge|score|grade|translate|summari[sz]e|"
    r"embed|classify|extract|run_.*|eval_.*|evaluate_.*|benchmark_.*|generate_.*|gen_.*|"
    r"index_.*|backfill_.*|batch_.*|.*_batch|.*_dataset|.*_all|label_.*|"
    r"annotate_.*|judge_.*|score_.*|.*_eval|.*_benchmark)$",
    re.IGNORECASE,
)
FAN_OUT = re.compile(r"(^|_)(map|imap|imap_unordered|starmap|submit|apply_async|parallel)", re.I)
# Names of live inputs: items arrive one at a time while the program runs (a voice or chat
# session, a message queue, a socket), so they cannot be collected into one batch up front.
LIVE_WORDS = re.compile(
    r"(^|_)(ch|chan|channel|queue|stream|socket|websocket|ws|events|listen|subscribe|"
    r"subscription|receive|recv|incoming|inbox|updates|poll)($|_|s$)",
    re.IGNORECASE,
)
PROGRESS = frozenset({"tqdm", "trange", "track", "progress", "alive_it", "tqdm_notebook"})
WRITERS = frozenset(
    {"dump", "to_csv", "to_json", "to_parquet", "to_jsonl", "write", "writelines", "save",
     "savetxt", "to_excel", "write_text", "dump_json", "save_json", "to_disk"}
)  # fmt: skip
# Modules of servers, chat bots and UIs: code there answers one user at a time.
INTERACTIVE_MODULES = frozenset(
    {"flask", "fastapi", "django", "starlette", "aiohttp", "sanic", "quart", "tornado",
     "litestar", "streamlit", "gradio", "chainlit", "telegram", "aiogram", "telebot",
     "discord", "slack_bolt", "slack_sdk", "websockets", "socketio", "panel", "mesop",
     "ipywidgets", "textual", "prompt_toolkit"}
)  # fmt: skip
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "websocket", "api_route",
     "message_handler", "callback_query_handler", "on_message", "event", "hookimpl"}
)  # fmt: skip
HANDLER_PARAMS = frozenset({"request", "websocket", "update", "interaction", "req"})
AGENT_WORDS = ("stop_reason", "tool_use", "tool_result", "tool_calls")
CLI_DECORATORS = frozenset({"command", "group", "main", "cli"})


class Level(NamedTuple):
    """One step up from the call: the place (the call itself or a caller) and what is around it."""

    module: ModuleInfo
    node: ast.AST
    function: ast.AST | None
    loops: tuple[ast.AST, ...]  # outermost first
    handed_to: ast.Call | None = None


def batch_reach(
    module: ModuleInfo,
    call: ast.Call,
    function: ast.AST | None,
    loops: tuple[ast.AST, ...],
    position: Callable[[int], tuple[int, int | None]],
    history_grows: bool,
) -> BatchReach | None:
    """The loop and offline entry that make ``call`` batch-eligible, or None."""
    project = module.project
    if history_grows or _uses_batches(module):
        return None
    start = Level(module, call, function, loops)
    chains: list[tuple[Level, ...]] = [(start,)]
    if function is not None and project is not None:
        walked = caller_graph(project).walk(module, function)
        if walked:
            chains = [(start, *(_level(site) for site in chain.sites)) for chain in walked]
    for chain in chains:
        found = _judge(chain, project, module, position)
        if found is not None:
            return found
    return None


def _level(site: CallerSite) -> Level:
    return Level(site.module, site.node, site.function, site.loops, site.handed_to)


def _judge(
    chain: tuple[Level, ...],
    project: Project | None,
    own: ModuleInfo,
    position: Callable[[int], tuple[int, int | None]],
) -> BatchReach | None:
    loops = [_batch_loop(level) for level in chain]
    if all(loop is None for loop in loops):
        return None  # no loop over items up the chain (most chains): no function walked
    if any(_interactive(level) for level in chain) or _runs_an_agent(chain[0].function):
        return None
    for index, level in enumerate(chain):
        loop = loops[index]
        if loop is None:
            continue
        if index == 0 and _history_grows_in(loop[0], level.node):
            return None  # a conversation: each turn's request carries the earlier turns
        owner = level.function if level.function is not None else level.module.tree
        if is_sequential(loop[0], level.node, owner) or any(
            holds_conversation(below.module.scopes, below.function) for below in chain[:index]
        ):
            return None  # a chain, a refinement loop, a fallback, a conversation's turns
        outer = chain[index:]
        if _inside_agent_loop(level, loop) or any(
            _agent_loop_around(item) for item in chain[index + 1 :]
        ):
            return None
        entry = _first_entry(outer, level, loop)
        if not entry:
            return None
        node, what = loop
        line = getattr(node, "lineno", 0)
        if level.module is own:
            line, cell = position(line)
        else:
            cell = None
        return BatchReach(
            loop=what,
            path=_relative(level.module.path, project),
            line=line,
            entry=entry,
            cell=cell,
            depth=index,
        )
    return None


def _first_entry(
    levels: tuple[Level, ...], level: Level | None, loop: tuple[ast.AST, str] | None
) -> str:
    for item in levels:
        entry = _offline(item, loop if item is level else None)
        if entry:
            return entry
    return ""


def _relative(path: Path, project: Project | None) -> str:
    if project is None:
        return path.name
    try:
        return project.resolved(path).relative_to(project.root).as_posix()
    except ValueError:
        return path.name


# -- the loop ---------------------------------------------------------------------------------
def _batch_loop(level: Level) -> tuple[ast.AST, str] | None:
    """The innermost loop around this level that goes over independent items."""
    handed = level.handed_to
    if handed is not None and _is_fan_out(handed) and not level.loops:
        items = _items_of_fan_out(handed, level.node)
        if items:
            return handed, items
    for loop in level.loops:  # the outermost: tasks in ``for task in tasks: for _ in n``
        what = _loop_items(loop)
        if what is not None:
            return loop, what
    return None


def _is_fan_out(call: ast.Call) -> bool:
    name = call_name(call.func).rsplit(".", 1)[-1] or getattr(call.func, "attr", "")
    return bool(name) and (name == "map" or bool(FAN_OUT.search(name)))


def _items_of_fan_out(call: ast.Call, handed: ast.AST) -> str:
    others = [arg for arg in call.args if arg is not handed and not _contains(arg, handed)]
    for arg in others:
        text = _source(arg)
        if text:
            return text
    return ""


def _loop_items(loop: ast.AST) -> str | None:
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        if _is_retry(loop.target, loop.iter) or _is_live_input(loop):
            return None
        return _source(_unwrap_progress(loop.iter))
    if isinstance(loop, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        generator = loop.generators[0]
        if _is_retry(generator.target, generator.iter):
            return None
        return _source(_unwrap_progress(generator.iter))
    return None  # while loops poll, retry or run agents: not a loop over items


def _is_retry(target: ast.AST, iterable: ast.AST) -> bool:
    names = [node.id for node in all_nodes(target) if isinstance(node, ast.Name)]
    if any(RETRY_NAMES.search(name) for name in names):
        return True
    if isinstance(iterable, ast.Call) and call_name(iterable.func) == "range" and iterable.args:
        stop = iterable.args[0] if len(iterable.args) == 1 else iterable.args[1]
        if isinstance(stop, ast.Constant) and isinstance(stop.value, int):
            return stop.value <= RETRY_BOUND
        if any(RETRY_NAMES.search(name) for name in _names(stop)):
            return True
    return False


def _is_live_input(loop: ast.For | ast.AsyncFor) -> bool:
    """A loop that waits for items as they arrive, not one over a dataset already at hand: an
    ``async for`` over a channel, queue, stream or socket (anything not wrapped in a progress
    bar), or a ``for`` over an iterable named like one (``events``, ``queue``, ``listen()``)."""
    if isinstance(loop, ast.AsyncFor):
        return not _progress_over(loop)
    return any(LIVE_WORDS.search(name) for name in _names(loop.iter))


def _unwrap_progress(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Call) and node.args:
        name = call_name(node.func).rsplit(".", 1)[-1]
        if name in PROGRESS or name == "enumerate":
            node = node.args[0]
        else:
            break
    return node


# -- never ------------------------------------------------------------------------------------
def _uses_batches(module: ModuleInfo) -> bool:
    for call, _where in module.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
            if func.value.attr == "batches":
                return True
    return False


def _interactive(level: Level) -> bool:
    if _imports_interactive(level.module):
        return True
    function = level.function
    if function is None:
        return False
    if _calls_input(function):
        return True
    name = getattr(function, "name", "").lower()
    if "moderat" in name:
        return True
    for decorator in getattr(function, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS:
            return True
    args = getattr(function, "args", None)
    if args is not None:
        params = {arg.arg for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
        if params & HANDLER_PARAMS:
            return True
    return False


def _imports_interactive(module: ModuleInfo) -> bool:
    """Whether the module imports a server, bot or UI framework: remembered on the module
    (every chain through it asks)."""
    known = getattr(module, "_costlint_interactive", None)
    if known is None:
        roots = {target[0].split(".")[0] for target in module.imports.values()}
        known = bool(roots & INTERACTIVE_MODULES)
        module._costlint_interactive = known  # type: ignore[attr-defined]
    return known


def _history_grows_in(loop: ast.AST, call: ast.AST) -> bool:
    """The loop adds to the object the request's ``messages`` come from
    (``history.append(...)``, ``conversation.add_turn(...)``): the turns depend on each other."""
    if not isinstance(call, ast.Call):
        return False
    messages = next((k.value for k in call.keywords if k.arg == "messages"), None)
    root = messages
    while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
        root = root.func if isinstance(root, ast.Call) else root.value
    if not isinstance(root, ast.Name):
        return False
    for child in all_nodes(loop):
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
            base = child.func.value
            method = child.func.attr
            if isinstance(base, ast.Name) and base.id == root.id:
                if method in ("append", "extend", "insert") or method.startswith("add"):
                    return True
    return False


def _calls_input(node: ast.AST) -> bool:
    """Whether the function reads the terminal (``input()``)."""
    return _function_facts(node)[0]


def _function_facts(function: ast.AST) -> tuple[bool, bool]:
    """Whether ``function`` calls ``input()``, and whether a loop in it runs tool turns: one
    walk for both, remembered on the node (a function is judged once per caller chain)."""
    known = getattr(function, "_costlint_facts", None)
    if known is None:
        calls_input = runs_agent = False
        for node in all_nodes(function):
            if (
                not calls_input
                and isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "input"
            ):
                calls_input = True
            elif (
                not runs_agent
                and isinstance(node, (ast.For, ast.AsyncFor, ast.While))
                and _mentions_agent(node)
            ):
                runs_agent = True
            if calls_input and runs_agent:
                break
        known = (calls_input, runs_agent)
        function._costlint_facts = known  # type: ignore[attr-defined]
    return known


def _inside_agent_loop(level: Level, loop: tuple[ast.AST, str]) -> bool:
    """The loop's own body runs tool turns (reads stop_reason or tool_use blocks)."""
    node = loop[0]
    if node is level.handed_to:
        return False
    return _mentions_agent(node)


def _runs_an_agent(function: ast.AST | None) -> bool:
    """The call's own function loops over tool turns: one step of a multi-step agent task."""
    return function is not None and _function_facts(function)[1]


def _agent_loop_around(level: Level) -> bool:
    """A loop further out whose body is an agent's turn: a Claude call with tool handling."""
    return any(
        isinstance(loop, (ast.For, ast.AsyncFor, ast.While)) and _mentions_agent(loop)
        for loop in level.loops
    )


def _mentions_agent(node: ast.AST) -> bool:
    for child in all_nodes(node):
        if isinstance(child, ast.Constant) and child.value in AGENT_WORDS:
            return True
        if isinstance(child, ast.Attribute) and child.attr in AGENT_WORDS:
            return True
    return False


# -- offline ----------------------------------------------------------------------------------
def _offline(level: Level, loop: tuple[ast.AST, str] | None) -> str:
    """What makes this level part of an offline job ('' when nothing does)."""
    module = level.module
    if level.function is None:
        if _under_main_guard(module, level.node):
            return 'offline: `if __name__ == "__main__"`'
        if module.path.suffix == ".ipynb":
            return "offline: notebook top level"
        return "offline: script top level"
    function = level.function
    name = getattr(function, "name", "")
    for decorator in getattr(function, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        leaf = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if leaf in CLI_DECORATORS:
            return f"offline: CLI command `{name}`"
    if loop is not None and _progress_over(loop[0]):
        return "offline: a progress bar over the items"
    if JOB_NAMES.match(name.lstrip("_")):
        return f"offline: job `{name}`"
    if loop is not None and _writes_results(function):
        return f"offline: `{name}` writes results to disk"
    return ""


def _under_main_guard(module: ModuleInfo, node: ast.AST) -> bool:
    line = getattr(node, "lineno", 0)
    for stmt in module.tree.body:
        if isinstance(stmt, ast.If) and _is_main_test(stmt.test):
            if stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
                return True
    return False


def _is_main_test(test: ast.AST) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _progress_over(loop: ast.AST) -> bool:
    iterable: ast.AST | None = None
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        iterable = loop.iter
    elif isinstance(loop, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        iterable = loop.generators[0].iter
    elif isinstance(loop, ast.Call):
        iterable = loop
    if iterable is None:
        return False
    for child in all_nodes(iterable):
        if isinstance(child, ast.Call) and call_name(child.func).rsplit(".", 1)[-1] in PROGRESS:
            return True
    return False


def _writes_results(function: ast.AST) -> bool:
    for child in all_nodes(function):
        if not isinstance(child, ast.Call):
            continue
        leaf = call_name(child.func).rsplit(".", 1)[-1] or getattr(child.func, "attr", "")
        if leaf in WRITERS:
            return True
        if leaf == "open" and any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value[:1] in "wa"
            for a in child.args[1:2]
        ):
            return True
    return False


# -- small helpers ----------------------------------------------------------------------------
def _source(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - defensive
        return ""
    return text if len(text) <= 60 else text[:57] + "..."


def _names(node: ast.AST) -> list[str]:
    found = [n.id for n in all_nodes(node) if isinstance(n, ast.Name)]
    found += [n.attr for n in all_nodes(node) if isinstance(n, ast.Attribute)]
    return found


def _contains(tree: ast.AST, node: ast.AST) -> bool:
    return any(child is node for child in all_nodes(tree))
