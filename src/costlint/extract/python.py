"""Python front-end: find Claude API calls with ``ast`` and turn them into PromptSites.

A call is a Claude call when its shape is ``<client>.messages.create|stream|parse(...)``
(optionally ``beta.``, ``with_raw_response``, ``with_options(...)``) and the client is built
from an anthropic client class, or, when the client's origin is out of sight, the
arguments are Claude-shaped. Nothing is imported or executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..request import (
    CALLER_PROMPTS,
    PROMPT_PARTS,
    block_text,
    has_variable_part,
    prompt_known,
)
from ..resolve.evaluator import Resolver
from ..resolve.flow import ValueFlow
from ..resolve.project import ModuleInfo, Project
from ..resolve.scope import Binding, Scope
from ..resolve.syntax import all_nodes, call_name
from ..resolve.values import ClassRef
from ..site import (
    PARSE_ERROR,
    UNKNOWN,
    Candidates,
    Diagnostic,
    HistoryInfo,
    PromptSite,
    Span,
)
from .api_calls import (
    MethodReference,
    called_with,
    dict_entries,
    http_call,
    keywords_as_dict,
    match_batches_call,
    match_completions_call,
    method_reference,
    params_of,
    reference_options,
    retired_beta_base,
)
from .batch import batch_reach
from .kept_history import kept_history
from .result import ExtractResult
from .suppression import PYTHON_COMMENT, suppression
from .volatility import cache_breaker

CLIENT_CLASSES = frozenset(
    {
        "Anthropic",
        "AsyncAnthropic",
        "AnthropicBedrock",
        "AsyncAnthropicBedrock",
        "AnthropicBedrockMantle",
        "AsyncAnthropicBedrockMantle",
        "AnthropicVertex",
        "AsyncAnthropicVertex",
        "AnthropicAWS",
        "AsyncAnthropicAWS",
        "AnthropicFoundry",
        "AsyncAnthropicFoundry",
        "AnthropicGoogleCloud",
        "AsyncAnthropicGoogleCloud",
        "Client",  # anthropic.Client is an alias of Anthropic
        "AsyncClient",
    }
)
METHODS = frozenset({"create", "stream", "parse"})
# SDKs whose clients also have .messages.create (SMS, chat, ...): never a Claude call.
FOREIGN_SDKS = frozenset(
    {
        "openai", "twilio", "cohere", "mistralai", "groq", "google", "vertexai", "vonage",
        "nexmo", "plivo", "sinch", "messagebird", "telnyx", "bandwidth", "slack_sdk",
        "discord", "telegram", "azure", "boto3", "botocore", "together", "fireworks",
        "litellm", "ollama", "huggingface_hub", "replicate", "zhipuai", "dashscope",
    }
)  # fmt: skip
TEST_DOUBLES = ("mock", "fake", "stub", "dummy")
WRAPPERS = frozenset({"with_raw_response", "with_streaming_response"})
GROWTH_METHODS = frozenset({"append", "extend", "insert"})
# Keywords of Anthropic's messages.create that no other SDK's ``.messages.create`` takes: a
# call written with one of them is a Claude request whatever its client's origin.
ANTHROPIC_ONLY_KEYWORDS = frozenset({"cache_control", "betas", "context_management"})
FLOW_ARGUMENTS = ("model", "max_tokens")  # followed as candidate sets with provenance


def extract_python(
    source: str,
    rel_path: str,
    abs_path: Path,
    project: Project | None,
    line_map: list[tuple[int, int]] | None = None,
    frontend: str = "python",
) -> ExtractResult:
    """Parse ``source`` and return the Claude call sites in it (never raises on bad input)."""
    result = ExtractResult()
    try:
        tree = ast.parse(source, filename=rel_path)
    except SyntaxError as exc:
        result.diagnostics.append(syntax_error_diagnostic(exc, source, rel_path))
        return result
    except (ValueError, RecursionError, MemoryError) as exc:
        reason = "too deeply nested" if isinstance(exc, RecursionError) else str(exc)[:80]
        result.diagnostics.append(Diagnostic(rel_path, f"cannot parse: {reason}"))
        return result
    if not _mentions_messages(source):
        # No Claude call can be here: keep the tree for imports, skip the scope analysis.
        if project is not None:
            project.register_tree(abs_path, tree)
        return result
    try:
        module = ModuleInfo(tree, abs_path, project)
    except RecursionError:
        result.diagnostics.append(Diagnostic(rel_path, "cannot analyse: too deeply nested"))
        return result
    result.module = module
    finder = _CallFinder(module, source, rel_path, line_map, frontend)
    try:
        finder.run()
    except RecursionError:
        result.diagnostics.append(Diagnostic(rel_path, "cannot analyse: too deeply nested"))
        return result
    result.sites = finder.sites
    if finder.flow is not None:
        result.diagnostics.extend(
            Diagnostic(rel_path, f"value flow: {note}") for note in finder.flow.notes
        )
    return result


def syntax_error_diagnostic(exc: SyntaxError, source: str, rel_path: str) -> Diagnostic:
    """A ``PARSE_ERROR`` diagnostic, saying when the syntax is newer than this Python."""
    from .newer_syntax import hint

    line = exc.lineno or None
    lines = source.splitlines()
    text = lines[line - 1] if line and 0 < line <= len(lines) else (exc.text or "")
    where = f" (line {line})" if line else ""
    message = f"syntax error{where}: {exc.msg}{hint(exc.msg, text)}"
    return Diagnostic(rel_path, message, PARSE_ERROR, line)


def _mentions_messages(source: str) -> bool:
    """Every call shape we recognise goes through an attribute named ``messages`` or
    ``completions``, or posts to a URL path ending in ``/messages``."""
    return ".messages" in source or "/messages" in source or ".completions" in source


@dataclass
class _Candidate:
    call: ast.Call
    kind: str
    base: ast.AST
    scope: Scope
    function: ast.AST | None
    loops: tuple[ast.AST, ...]
    # Where the site points when not at the call (a batch request's params).
    anchor: ast.AST | None = None
    # A request body (dict expression) read instead of the call's keyword arguments.
    body: ast.AST | None = None
    body_scope: Scope | None = None
    body_line: int | None = None
    batched: bool = False
    completions: bool = False  # legacy Text Completions: prompt / max_tokens_to_sample
    source: ast.AST | None = None  # the call as written (before method-reference rewriting)


class _CallFinder:
    """Walks a module once, collecting candidate calls and list-growth statements."""

    def __init__(
        self,
        module: ModuleInfo,
        source: str,
        rel_path: str,
        line_map: list[tuple[int, int]] | None,
        frontend: str,
    ):
        self.module = module
        self.resolver = Resolver(module)
        self.lines = source.splitlines()
        self.rel_path = rel_path
        self.line_map = line_map
        self.frontend = frontend
        self.imports_anthropic = any(
            target[0].split(".")[0] == "anthropic" for target in module.imports.values()
        )
        self.candidates: list[_Candidate] = []
        # (scope node, variable) -> loops enclosing each growth statement
        self.growth: dict[tuple[int, str], list[tuple[ast.AST, ...]]] = {}
        self.cache_mentions: dict[tuple[int, str], bool] = {}
        # lists rebound to a window of themselves (history = history[-6:] / trim(history))
        self.windows: set[tuple[int, str]] = set()
        self._global_cache: dict[int, frozenset[str]] = {}
        self.sites: list[PromptSite] = []
        self._cache_fn: dict[int, bool] = {}
        self._turn_bound: int | None = None
        self._turn_capped = False
        self._turn_tool = False
        # (scope node, variable) -> helpers the list is passed to (checked lazily for caching)
        self.helper_calls: dict[tuple[int, str], list[tuple[ast.AST, Scope]]] = {}
        # partial(...) calls that a later call of the partial object stands for.
        self.superseded: set[int] = set()
        self.flow: ValueFlow | None = None  # made when a value needs following

    # -- walking ---------------------------------------------------------------------------
    def run(self) -> None:
        # The scope builder walked the tree once and kept every call and assignment.
        for node, where in self.module.assigns:
            self._visit_assign(node, where.scope, where.function, where.loops)
        for call, where in self.module.calls:
            self._visit_call(call, where.scope, where.function, where.loops)
        ordinals: dict[str, int] = {}
        self.candidates = [
            c for c in self.candidates if id(c.source or c.call) not in self.superseded
        ]
        self.candidates.sort(key=lambda c: _position_key(c.anchor or c.call))
        seen_params: set[tuple[int, str]] = set()
        for candidate in self.candidates:
            if candidate.batched and candidate.body is not None:
                shape = (id(candidate.call), ast.dump(candidate.body))
                if shape in seen_params:
                    continue  # one site per distinct params shape
                seen_params.add(shape)
            site = self._build_site(candidate, ordinals)
            if site is not None:
                self.sites.append(site)

    def _visit_call(
        self, call: ast.Call, scope: Scope, function: ast.AST | None, loops: tuple
    ) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in GROWTH_METHODS:
            key = self._variable_key(func.value, scope)
            if key is not None:
                self.growth.setdefault(key, []).append(loops)
                if _contains_cache_control(call):
                    self.cache_mentions[key] = True
        written = call
        passed = _passed_method_call(call)
        if passed is not None:
            call = passed
        matched = match_claude_call(call) or self._resource_alias_call(call, scope)
        if matched is not None:
            kind, base = matched
            self.candidates.append(
                _Candidate(call, kind, base, scope, function, loops, source=written)
            )
        else:
            self.candidates.extend(self._other_api_calls(call, scope, function, loops))
            for position, arg in enumerate(call.args):
                key = self._variable_key(arg, scope)
                if key is not None:
                    self.helper_calls.setdefault(key, []).append((call.func, scope))
                    if self._helper_grows(call.func, scope, position):
                        self.growth.setdefault(key, []).append(loops)

    def _visit_assign(
        self, node: ast.AugAssign | ast.Assign, scope: Scope, function: ast.AST | None, loops
    ) -> None:
        if isinstance(node, ast.AugAssign):
            if isinstance(node.op, ast.Add):
                key = self._variable_key(node.target, scope)
                if key is not None:
                    self.growth.setdefault(key, []).append(loops)
            return
        for target in node.targets:
            root = target
            while isinstance(root, ast.Subscript):
                root = root.value
            if root is not target:
                key = self._variable_key(root, scope)
                if key is not None and _contains_cache_control(node):
                    self.cache_mentions[key] = True
            elif isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.Add):
                key = self._variable_key(target, scope)
                if key is not None and self._same_list(node.value.left, target, scope):
                    self.growth.setdefault(key, []).append(loops)
            elif _windows(node.value, target) or _trimmed_in(function, node.value):
                key = self._variable_key(target, scope)
                if key is not None:
                    self.windows.add(key)

    def _splatted_messages(self, call: ast.Call, scope: Scope) -> ast.AST | None:
        """``create(**params)`` where ``params = {..., "messages": history}`` (a dict literal)."""
        for keyword in call.keywords:
            if keyword.arg is not None or not isinstance(keyword.value, ast.Name):
                continue
            found = self.resolver.binding_of(keyword.value.id, scope, call.lineno)
            value = found[0].value if found is not None else None
            if isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "messages":
                        return item
            if isinstance(value, ast.Call) and call_name(value.func) == "dict":
                for item in value.keywords:
                    if item.arg == "messages":
                        return item.value
        return None

    def _helper_grows(self, func: ast.AST, scope: Scope, position: int) -> bool:
        """A project helper that appends to the list passed at ``position`` (``add(h, msg)``)."""
        fn = self._function_node(func, scope)
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        if params and params[0] in ("self", "cls") and isinstance(func, ast.Attribute):
            params = params[1:]
        if position >= len(params):
            return False
        return _appends_to(fn, params[position])

    def _globals_of(self, function: ast.AST) -> frozenset[str]:
        key = id(function)
        if key not in self._global_cache:
            self._global_cache[key] = _global_names(function)
        return self._global_cache[key]

    def _same_list(self, node: ast.AST, target: ast.AST, scope: Scope) -> bool:
        """``h = h + [...]`` or ``h = earlier + [...]`` where ``earlier = h`` just before."""
        if _refers_to(node, target):
            return True
        if isinstance(node, ast.Name) and isinstance(target, ast.Name):
            found = self.resolver.binding_of(node.id, scope, None)
            value = found[0].value if found is not None else None
            return value is not None and _refers_to(value, target)
        return False

    def _resource_alias_call(self, call: ast.Call, scope: Scope) -> tuple[str, ast.AST] | None:
        """``api = client.beta.messages if betas else client.messages; api.stream(...)``."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in METHODS:
            return None
        if not isinstance(func.value, ast.Name):
            return None
        found = self.resolver.binding_of(func.value.id, scope, call.lineno)
        if found is None or found[0].kind != "assign" or found[0].value is None:
            return None
        value = found[0].value
        options = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
        for option in options:
            fake = ast.Call(func=ast.Attribute(value=option, attr=func.attr), args=[], keywords=[])
            matched = match_claude_call(fake)
            if matched is not None:
                return matched
        return None

    # -- other ways to reach the API -------------------------------------------------------------
    def _other_api_calls(
        self, call: ast.Call, scope: Scope, function: ast.AST | None, loops: tuple
    ) -> list[_Candidate]:
        """Method references, legacy completions, batches and plain HTTP posts."""
        reference = self._reference_call(call, scope)
        if reference is not None:
            synthetic, kind, base = reference
            return [_Candidate(synthetic, kind, base, scope, function, loops, source=call)]
        base = match_completions_call(call)
        if base is not None:
            kind = "completions.create"
            return [_Candidate(call, kind, base, scope, function, loops, completions=True)]
        batches = match_batches_call(call)
        if batches is not None:
            requests = next((k.value for k in call.keywords if k.arg == "requests"), None)
            return self._batch_candidates(call, batches[1], requests, scope, function, loops)
        found = http_call(call, lambda node: self.resolver.value(node, scope, call.lineno))
        if found is None:
            return []
        if found.endpoint == "batches":
            literal = self._literal(found.body, scope, call.lineno)
            requests = dict_entries(literal).get("requests")
            return self._batch_candidates(call, None, requests, scope, function, loops)
        return [_Candidate(call, "http.messages", None, scope, function, loops, body=found.body)]

    def _reference_call(self, call: ast.Call, scope: Scope) -> tuple[ast.Call, str, ast.AST] | None:
        """``getattr(client.messages, "create")(...)``, ``partial(client.messages.create,
        model=M)(...)``, or a name bound to one of those (``fn = a if x else b; fn(...)``)."""
        func = call.func
        if isinstance(func, ast.Call):
            options: list[ast.AST] = [func]
        elif isinstance(func, ast.Name):
            found = self.resolver.binding_of(func.id, scope, call.lineno)
            if found is None or found[0].kind != "assign" or found[0].value is None:
                return None
            options = list(reference_options(found[0].value))
        else:
            return None
        matches: list[tuple[ast.Call, str, ast.AST, MethodReference]] = []
        for option in options:
            reference = method_reference(self._through_alias(option, scope, call.lineno))
            if reference is None:
                continue
            synthetic = called_with(call, reference)
            matched = match_claude_call(synthetic)
            if matched is not None:
                matches.append((synthetic, matched[0], matched[1], reference))
        if not matches:
            return None
        for *_, reference in matches:
            if reference.partial is not None:
                self.superseded.add(id(reference.partial))
        # Branches that differ: a streaming one means the non-streaming guard cannot be claimed.
        chosen = next((m for m in matches if not m[1].endswith("create")), matches[0])
        return chosen[0], chosen[1], chosen[2]

    def _through_alias(self, node: ast.AST, scope: Scope, line: int) -> ast.AST:
        """``m.create`` where ``m = self.c.messages``: the method on what the name stands for
        (``self.c.messages.create``), so a resource kept in a local name still makes a site."""
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            return node
        found = self.resolver.binding_of(node.value.id, scope, line)
        if found is None or found[0].kind != "assign" or found[0].value is None:
            return node
        value = found[0].value
        if not isinstance(value, ast.Attribute):
            return node
        return ast.copy_location(ast.Attribute(value=value, attr=node.attr, ctx=ast.Load()), node)

    def _batch_candidates(
        self,
        call: ast.Call,
        base: ast.AST | None,
        requests: ast.AST | None,
        scope: Scope,
        function: ast.AST | None,
        loops: tuple,
    ) -> list[_Candidate]:
        found = []
        for params, item_scope, line in self._batch_items(requests, scope, call.lineno, 0):
            body = keywords_as_dict(params)
            found.append(
                _Candidate(
                    call, "messages.batches", base, scope, function, loops, anchor=params,
                    body=body, body_scope=item_scope, body_line=line, batched=True,
                )
            )  # fmt: skip
        if not found:  # the requests are built out of sight
            found.append(
                _Candidate(call, "messages.batches", base, scope, function, loops, batched=True)
            )
        return found

    def _batch_items(
        self, node: ast.AST | None, scope: Scope, line: int, depth: int
    ) -> list[tuple[ast.AST, Scope, int]]:
        """The ``params`` of every request a batch's ``requests`` list is built from."""
        if node is None or depth > 4:
            return []
        if isinstance(node, (ast.List, ast.Tuple)):
            items: list[tuple[ast.AST, Scope, int]] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    items += self._batch_items(elt.value, scope, line, depth + 1)
                else:
                    items += self._item_params(elt, scope, line, depth)
            return items
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return self._item_params(node.elt, scope, node.lineno, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._batch_items(node.left, scope, line, depth + 1)
            return left + self._batch_items(node.right, scope, line, depth + 1)
        if not isinstance(node, ast.Name):
            return []
        items = []
        found = self.resolver.binding_of(node.id, scope, line)
        if found is not None and found[0].kind == "assign" and found[0].value is not None:
            items += self._batch_items(found[0].value, found[1], found[0].line, depth + 1)
        key = self._variable_key(node, scope)
        for grown, where in self.module.calls:
            func = grown.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("append", "extend")
                and isinstance(func.value, ast.Name)
                and func.value.id == node.id
                and len(grown.args) == 1
                and self._variable_key(func.value, where.scope) == key
            ):
                if func.attr == "append":
                    items += self._item_params(grown.args[0], where.scope, grown.lineno, depth)
                else:
                    items += self._batch_items(grown.args[0], where.scope, grown.lineno, depth + 1)
        return items

    def _item_params(
        self, item: ast.AST, scope: Scope, line: int, depth: int
    ) -> list[tuple[ast.AST, Scope, int]]:
        params = params_of(item)
        if params is None and isinstance(item, ast.Name) and depth < 4:
            found = self.resolver.binding_of(item.id, scope, line)
            if found is not None and found[0].kind == "assign" and found[0].value is not None:
                return self._item_params(found[0].value, found[1], found[0].line, depth + 1)
        if params is None:
            return []
        return [(params, scope, getattr(params, "lineno", line))]

    def _literal(self, node: ast.AST | None, scope: Scope, line: int) -> ast.AST | None:
        """The dict literal a body is written as (directly or through one variable)."""
        if isinstance(node, ast.Name):
            found = self.resolver.binding_of(node.id, scope, line)
            if found is not None and found[0].kind == "assign":
                node = found[0].value
        return keywords_as_dict(node) if node is not None else None

    def _variable_key(self, node: ast.AST, scope: Scope) -> tuple[int, str] | None:
        """Identify the list a statement touches: (owning scope node, name)."""
        if isinstance(node, ast.Name):
            owner = self._owner_of(node.id, scope)
            return (id(owner.node), node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in ("self", "cls"):
                owner = scope.class_scope if scope.kind == "function" else scope
                if owner is not None:
                    return (id(owner.node), "self." + node.attr)
        return None

    def _owner_of(self, name: str, scope: Scope) -> Scope:
        if scope.kind == "function" and name in self._globals_of(scope.node):
            return self.module.module_scope
        current: Scope | None = scope
        while current is not None:
            if name in current.bindings and current.kind != "class":
                return current
            current = current.parent
        return self.module.module_scope

    # -- building sites ---------------------------------------------------------------------
    def _build_site(self, cand: _Candidate, ordinals: dict[str, int]) -> PromptSite | None:
        call = cand.call
        messages_node: ast.AST | None
        if cand.body is not None or cand.batched or cand.base is None:
            args, spans, opaque, literal = self._body_arguments(cand)
            written = set(literal)
            messages_node = literal.get("messages")
        else:
            args, spans, opaque = self._arguments(call, cand.scope)
            written = {k.arg for k in call.keywords if k.arg is not None}
            messages_node = next((k.value for k in call.keywords if k.arg == "messages"), None)
            if messages_node is None:
                messages_node = self._splatted_messages(call, cand.scope)
        if cand.completions:
            args, spans, written = _completion_as_message(args, spans, written)
        if cand.base is not None:
            origin = client_origin(cand.base, cand.scope, self.resolver, call.lineno)
            if origin == "other":
                return None
            if origin == "unknown" and not self._claude_shaped(args, written):
                return None
        qualname = cand.scope.qualname
        ordinal = ordinals.get(qualname, 0)
        ordinals[qualname] = ordinal + 1
        anchor = cand.anchor or call
        line, cell = self._position(anchor.lineno)
        end_line = anchor.end_lineno or anchor.lineno
        end, _ = self._position(end_line)
        span = Span(line, anchor.col_offset + 1, end, (anchor.end_col_offset or 0) + 1)
        ignore = self._suppression(call.lineno)
        if anchor is not call:
            at_anchor = self._suppression(anchor.lineno)
            if at_anchor is not None:
                ignore = at_anchor | (ignore or frozenset())
        site = PromptSite(
            path=self.rel_path,
            span=span,
            kind=cand.kind,
            frontend=self.frontend,
            cell=cell,
            qualname=qualname,
            ordinal=ordinal,
            args=args,
            opaque_kwargs=opaque,
            arg_spans=spans,
            client_timeout=self._timeout_set(call, cand),
            repeated=cand.function is not None or bool(cand.loops),
            in_loop=bool(cand.loops),
            ignore=ignore,
            batched=cand.batched,
        )
        self._fill_candidates(site, call, cand.scope)
        if messages_node is not None:
            site.history = self._history(messages_node, cand, "cache_control" in args)
        growing = site.history is not None and site.history.growing
        if not growing:
            self._fill_prompt_callers(site, cand)
        moving = site.history is not None and site.history.cached and "cache_control" not in args
        site.volatile = cache_breaker(
            self.resolver, call, cand.scope, cand.loops, self._position, moving, growing
        )
        site.batch = batch_reach(
            self.module, call, cand.function, cand.loops, self._position, growing
        )
        return site

    def _arguments(
        self, call: ast.Call, scope: Scope
    ) -> tuple[dict[str, Any], dict[str, Span], bool]:
        args: dict[str, Any] = {}
        spans: dict[str, Span] = {}
        opaque = False
        for keyword in call.keywords:
            value = self.resolver.value(keyword.value, scope, call.lineno)
            if keyword.arg is None:
                if isinstance(value, dict):
                    args.update(value)
                else:
                    opaque = True
                continue
            args[keyword.arg] = value
            line, _ = self._position(keyword.value.lineno)
            spans[keyword.arg] = Span(line, keyword.value.col_offset + 1)
        return args, spans, opaque

    def _body_arguments(
        self, cand: _Candidate
    ) -> tuple[dict[str, Any], dict[str, Span], bool, dict[str, ast.AST]]:
        """A request written as one dict (an HTTP body, a batch request's params)."""
        if cand.body is None:
            return {}, {}, True, {}
        scope = cand.body_scope or cand.scope
        line = cand.body_line or cand.call.lineno
        value = self.resolver.value(cand.body, scope, line)
        if not isinstance(value, dict):
            return {}, {}, True, {}
        args = {key: item for key, item in value.items() if isinstance(key, str)}
        literal = dict_entries(self._literal(cand.body, scope, line))
        spans: dict[str, Span] = {}
        for name, node in literal.items():
            position, _ = self._position(node.lineno)
            spans[name] = Span(position, node.col_offset + 1)
        return args, spans, False, literal

    def _fill_candidates(self, site: PromptSite, call: ast.Call, scope: Scope) -> None:
        """Every value ``model`` and ``max_tokens`` can take, with where each is written, when
        the value comes from elsewhere or can take several values."""
        for name in FLOW_ARGUMENTS:
            written = next((k.value for k in call.keywords if k.arg == name), None)
            if isinstance(written, ast.Constant):
                continue  # a literal at the call: args says it all
            found: Candidates | None = None
            if written is not None:
                found = self._flow().candidates(written, scope, call.lineno)
            else:
                for keyword in call.keywords:
                    if keyword.arg is None:
                        inner = self._flow().key_candidates(keyword.value, name, scope, call.lineno)
                        found = inner if inner is not None else found
            if not found:
                continue
            start, end = call.lineno, call.end_lineno or call.lineno
            origin = found[0].origin
            here = (
                origin is not None
                and start <= origin.line <= end
                and (origin.path == self._repo_path())
            )
            current = site.args.get(name, UNKNOWN)
            # In a notebook the evaluator reads a global as its last binding; value flow knows
            # the bindings live at the cells that run the function, so it decides.
            in_cells = self.module.path.suffix == ".ipynb" and isinstance(written, ast.Name)
            if (
                in_cells
                or current is UNKNOWN
                or (isinstance(current, str) and getattr(current, "holes", 0))
            ):
                default = found.default() or (found[0] if in_cells and len(found) == 1 else None)
                site.args[name] = default.value if default is not None else UNKNOWN
            if len(found) > 1 or not here:
                site.candidates[name] = self._in_cells(found)

    def _fill_prompt_callers(self, site: PromptSite, cand: _Candidate) -> None:
        """A call in a function whose prompt (system, tools, messages; a legacy ``prompt``)
        comes from the function's parameters: the prompt each caller brings, with where."""
        call, scope = cand.call, cand.scope
        if cand.body is not None or cand.batched or cand.base is None or scope.kind != "function":
            return
        if prompt_known(site.args, site.opaque_kwargs) and not (
            cand.completions and _unknown_turn(site.args.get("messages"))
        ):
            return
        completions = cand.completions

        def read(resolver: Resolver) -> Any:
            return _prompt_parts(resolver, call, scope, completions)

        found = self._flow().prompt_callers(scope, read, _caller_prompt_known, PROMPT_PARTS)
        if found is not None:
            site.candidates[CALLER_PROMPTS] = self._in_cells(found)

    def _in_cells(self, found: Candidates) -> Candidates:
        """In a notebook, origins in the notebook itself as (cell, line within the cell)."""
        if self.line_map is None:
            return found
        own = self._repo_path()
        moved = []
        for candidate in found:
            origin = candidate.origin
            if origin is not None and origin.path == own and origin.cell is None:
                line, cell = self._position(origin.line)
                candidate = replace(candidate, origin=replace(origin, line=line, cell=cell))
            moved.append(candidate)
        return Candidates(moved)

    def _flow(self) -> ValueFlow:
        if self.flow is None:
            self.flow = ValueFlow(self.module)
        return self.flow

    def _repo_path(self) -> str:
        project = self.module.project
        if project is None:
            return Path(self.module.path).name
        try:
            return Path(self.module.path).resolve().relative_to(project.root).as_posix()
        except (ValueError, OSError):
            return Path(self.module.path).name

    def _timeout_set(self, call: ast.Call, cand: _Candidate) -> bool | None:
        """Whether a timeout is given on the call, a with_options() or the client's constructor."""
        if any(k.arg == "timeout" for k in call.keywords):
            return True
        node: ast.AST = call.func
        while isinstance(node, (ast.Attribute, ast.Call)):
            if isinstance(node, ast.Call):
                if any(k.arg == "timeout" for k in node.keywords):
                    return True
                node = node.func
            else:
                node = node.value
        constructor = self._constructor_of(cand.base, cand.scope, call.lineno)
        if constructor is None:
            return None
        node = constructor
        while isinstance(node, (ast.Attribute, ast.Call)):
            if isinstance(node, ast.Call):
                keywords = {k.arg for k in node.keywords}
                if "timeout" in keywords:
                    return True
                if None in keywords:
                    return None  # **options may carry a timeout
                node = node.func
            else:
                node = node.value
        return False

    def _constructor_of(self, base: ast.AST, scope: Scope, line: int) -> ast.Call | None:
        if isinstance(base, ast.Call):
            return base
        value: ast.AST | None = None
        if isinstance(base, ast.Name):
            found = self.resolver.binding_of(base.id, scope, line)
            if found is not None and found[0].kind == "assign":
                value = found[0].value
            elif found is not None and found[0].kind == "import":
                value = self._imported_constructor(base.id)
        elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
            owner = scope.class_scope if scope.kind == "function" else None
            bindings = owner.self_attrs.get(base.attr, []) if owner else []
            if len(bindings) == 1:
                value = bindings[0].value
        return value if isinstance(value, ast.Call) else None

    def _imported_constructor(self, name: str) -> ast.AST | None:
        """``from .client import client``: the value the other module assigns to it."""
        found = self._imported(name)
        if found is None:
            return None
        module, attr = found
        binding = module.module_scope.lookup(attr, None)
        if binding is None or binding.kind != "assign":
            return None
        return binding.value

    def _claude_shaped(self, args: dict[str, Any], written: set[str]) -> bool:
        model = args.get("model")
        if isinstance(model, str) and looks_like_claude_id(model):
            return True
        if written & ANTHROPIC_ONLY_KEYWORDS:
            return True
        has_both = ("max_tokens" in written or "max_tokens" in args) and (
            "messages" in written or "messages" in args
        )
        return has_both and self.imports_anthropic

    def _position(self, line: int) -> tuple[int, int | None]:
        if self.line_map is None:
            return line, None
        if 0 < line <= len(self.line_map):
            cell, cell_line = self.line_map[line - 1]
            return cell_line, cell
        return line, None

    def _suppression(self, line: int) -> frozenset[str] | None:
        if not 0 < line <= len(self.lines):
            return None
        return suppression(self.lines[line - 1], PYTHON_COMMENT)

    # -- history (CL003) ------------------------------------------------------------------------
    def _history(self, node: ast.AST, cand: _Candidate, top_level_cache: bool) -> HistoryInfo:
        info = HistoryInfo(cached=top_level_cache)
        target, whole = _history_target(node)
        if target is None and isinstance(node, ast.List):
            return self._joined_history(node, cand, info)
        if target is None:
            if isinstance(node, (ast.Call, ast.Subscript)):
                info.windowed = True
                inner = _first_variable(node)
                if isinstance(node, ast.Call) and inner is not None:
                    key = self._variable_key(inner, cand.scope)
                    if self._helper_caches(node.func, cand.scope):
                        info.cached = True
                    if key is not None:
                        info.variable = _source_name(inner)
            return info
        info.variable = _source_name(target)
        info.whole = whole
        info.windowed = not whole
        key = self._variable_key(target, cand.scope)
        if key is None:
            return info
        if key in self.windows:
            info.windowed = True
        if self.cache_mentions.get(key) or any(
            self._helper_caches(func, scope) for func, scope in self.helper_calls.get(key, [])
        ):
            info.cached = True
        self._turn_bound = None
        self._turn_capped = False
        self._turn_tool = False
        info.growing = self._grows(key, target, cand)
        info.turn_bound = self._turn_bound
        info.capped = self._turn_capped
        info.tool_loop = self._turn_tool
        if info.tool_loop and isinstance(target, ast.Name):
            info.opening_known = self._opening_known(target, cand)
        if not info.growing and not info.windowed and cand.function is not None:
            kept = kept_history(self.module, self.resolver, target, cand.scope, cand.call.lineno)
            if kept is not None:
                info.growing = True
                info.variable = kept.variable
        return info

    def _opening_known(self, target: ast.Name, cand: _Candidate) -> bool:
        """Whether the list a tool loop grows starts from a value seen whole (its first
        assignment in the function: the task the loop works on)."""
        owner = self._owner_of(target.id, cand.scope)
        first = next((b for b in owner.bindings.get(target.id, []) if b.kind == "assign"), None)
        if first is None or first.value is None:
            return False
        return self._seen_whole(first.value, owner, first.line)

    def _seen_whole(self, node: ast.AST, scope: Any, line: int) -> bool:
        """A value with no part filled in at run time, except lines typed at the terminal
        (a name bound to ``input(...)``): a question typed at a prompt is a short task."""
        if not has_variable_part(self.resolver.value(node, scope, line)):
            return True
        if isinstance(node, ast.Name):
            found = self.resolver.binding_of(node.id, scope, line)
            return found is not None and _typed_line(found[0].value)
        if isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.JoinedStr, ast.FormattedValue)):
            parts = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
            return all(self._seen_whole(part, scope, line) for part in parts)
        return False

    def _joined_history(self, node: ast.List, cand: _Candidate, info: HistoryInfo) -> HistoryInfo:
        """Earlier results kept in a growing list and joined into the prompt text
        (``"\\n".join(answers)`` in an f-string): the conversation re-sent as text."""
        for name in _names_in_text(node):
            lists = [name]
            found = self.resolver.binding_of(name.id, cand.scope, cand.call.lineno)
            value = found[0].value if found is not None else None
            if _is_join(value):
                lists = _joined_names(value)
            for item in lists:
                key = self._variable_key(item, cand.scope)
                if key is None or not self.growth.get(key):
                    continue
                self._turn_bound = None
                self._turn_capped = False
                if key in self.windows or not self._grows(key, item, cand):
                    continue
                info.variable = item.id
                info.growing = info.whole = info.joined = True
                info.turn_bound = self._turn_bound
                info.capped = self._turn_capped
                return info
        return info

    def _grows(self, key: tuple[int, str], target: ast.AST, cand: _Candidate) -> bool:
        growths = self.growth.get(key, [])
        if not growths:
            return False
        if key[1].startswith("self."):
            return cand.function is not None  # every call of the method appends to it
        owner_id = key[0]
        if owner_id == id(self.module.tree) and cand.function is not None:
            return True  # a module-level list appended to by the functions that send it
        call_loops = {id(loop): loop for loop in cand.loops}
        for loops in growths:
            shared = [call_loops[id(loop)] for loop in loops if id(loop) in call_loops]
            if isinstance(target, ast.Name) and len(shared) > 1:
                # An outer loop that starts the list afresh each time round keeps nothing.
                shared = [loop for loop in shared if not _starts_afresh(loop, target.id)]
            if shared:
                self._turn_bound = _shared_bound(shared)
                self._turn_capped = any(_loop_capped(loop) for loop in shared)
                # A tool loop inside a loop that keeps the list across turns is a conversation.
                self._turn_tool = all(_tool_loop(loop) for loop in shared)
                return True
        if cand.function is not None and isinstance(target, ast.Name):
            binding = self.resolver.binding_of(target.id, cand.scope, cand.call.lineno)
            if binding is not None and binding[0].kind == "param":
                return True  # the caller keeps the list and this call appends to it
            if target.id in _parameter_names(cand.function):
                return True  # rebound from the caller's list (h = h + [...]) and handed back
        return False

    def _helper_caches(self, func: ast.AST, scope: Scope) -> bool:
        """A project helper (same module or imported) whose body adds cache_control."""
        fn = self._function_node(func, scope)
        if fn is None:
            return False
        key = id(fn)
        if key not in self._cache_fn:
            self._cache_fn[key] = _contains_cache_control(fn)
        return self._cache_fn[key]

    def _function_node(self, func: ast.AST, scope: Scope) -> ast.AST | None:
        if isinstance(func, ast.Name):
            found = self.resolver.binding_of(func.id, scope, None)
            if found is None:
                return None
            binding, _owner = found
            if binding.kind == "def":
                return binding.value
            if binding.kind == "import":
                return self._imported_function(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in ("self", "cls") and scope.class_scope is not None:
                return scope.class_scope.functions.get(func.attr)
        return None

    def _imported_function(self, name: str) -> ast.AST | None:
        found = self._imported(name)
        return found[0].module_scope.functions.get(found[1]) if found else None

    def _imported(self, name: str) -> tuple[ModuleInfo, str] | None:
        """The project module a ``from X import name`` comes from, and the name there."""
        target = self.module.imports.get(name)
        project = self.module.project
        if target is None or target[1] is None or project is None:
            return None
        path = project.find_module(target[0], target[2], self.module.path)
        module = project.module_at(path) if path else None
        return (module, target[1]) if module is not None else None


def _position_key(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _completion_as_message(
    args: dict[str, Any], spans: dict[str, Span], written: set[str]
) -> tuple[dict[str, Any], dict[str, Span], set[str]]:
    """A legacy Text Completions request read as a Messages one: ``max_tokens_to_sample``
    is its ``max_tokens`` and ``prompt`` its one user turn (for counting and the rules)."""
    args, spans, written = dict(args), dict(spans), set(written)
    for old, new in (("max_tokens_to_sample", "max_tokens"), ("prompt", "messages")):
        if old not in args or new in args:
            continue
        value = args.pop(old)
        args[new] = [{"role": "user", "content": value}] if new == "messages" else value
        if old in spans:
            spans[new] = spans.pop(old)
        if old in written:
            written.discard(old)
            written.add(new)
    return args, spans, written


def _prompt_parts(
    resolver: Resolver, call: ast.Call, scope: Scope, completions: bool
) -> dict[str, Any] | Any:
    """The prompt parts ``call`` sends (PROMPT_PARTS it names, directly or in a ``**``
    mapping, and a top-level ``cache_control``), as ``resolver`` evaluates them; UNKNOWN when
    a ``**`` mapping cannot be read."""
    args: dict[str, Any] = {}
    for keyword in call.keywords:
        value = resolver.value(keyword.value, scope, call.lineno)
        if keyword.arg is not None:
            args[keyword.arg] = value
        elif isinstance(value, dict):
            args.update(value)
        else:
            return UNKNOWN
    if completions:
        args = _completion_as_message(args, {}, set())[0]
        if _unknown_turn(args.get("messages")):
            args["messages"] = UNKNOWN
    return {name: args[name] for name in (*PROMPT_PARTS, "cache_control") if name in args}


def _caller_prompt_known(value: Any) -> bool:
    """A caller's prompt holds some text the source shows, in the system prompt or a user
    turn: turns whose every text is unknown (an assistant prefill aside) are no prompt."""
    if not isinstance(value, dict):
        return False
    if block_text(value.get("system")).strip():
        return True
    messages = value.get("messages")
    if isinstance(messages, str):
        return bool(messages.strip())
    if not isinstance(messages, list):
        return False
    return any(
        isinstance(turn, dict) and turn.get("role") != "assistant" and block_text(turn).strip()
        for turn in messages
    )


def _unknown_turn(messages: Any) -> bool:
    """A legacy completion's ``prompt`` read as one user turn whose text is unknown."""
    if not isinstance(messages, list) or len(messages) != 1:
        return False
    first = messages[0]
    return isinstance(first, dict) and first.get("content") is UNKNOWN


CALL_FORWARDERS = frozenset({"to_thread", "partial", "run_sync", "run_in_threadpool"})


def _passed_method_call(call: ast.Call) -> ast.Call | None:
    """``asyncio.to_thread(client.messages.create, model=...)`` and ``partial(...)`` as a call."""
    name = call_name(call.func).rsplit(".", 1)[-1]
    if name not in CALL_FORWARDERS or not call.args:
        return None
    target = call.args[0]
    if not isinstance(target, ast.Attribute) or target.attr not in METHODS:
        return None
    synthetic = ast.Call(func=target, args=list(call.args[1:]), keywords=list(call.keywords))
    return ast.copy_location(synthetic, call)


def _shared_bound(loops: list[ast.AST]) -> int | None:
    """The turn bound of loops that all enclose the call and the growth: the tightest known
    bound, or None (unbounded) when any of them is unbounded or unknown."""
    bounds = [_loop_bound(loop) for loop in loops]
    if not bounds or None in bounds:
        return None
    return min(bound for bound in bounds if bound is not None)


def _loop_bound(loop: ast.AST) -> int | None:
    """The most iterations a loop can run when its source says so (``range(3)``,
    ``while n < 3``, ``while ... and rounds < 3``); None when unbounded or unknown."""
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        it = loop.iter
        if isinstance(it, ast.Call) and call_name(it.func) == "range" and it.args:
            stop = it.args[0] if len(it.args) == 1 else it.args[1]
            if isinstance(stop, ast.Constant) and isinstance(stop.value, int):
                return stop.value
        if isinstance(it, (ast.List, ast.Tuple)):
            return len(it.elts)
        return None
    if isinstance(loop, ast.While):
        tests = loop.test.values if isinstance(loop.test, ast.BoolOp) else [loop.test]
        if isinstance(loop.test, ast.BoolOp) and not isinstance(loop.test.op, ast.And):
            return None
        bounds = [_compare_bound(test) for test in tests]
        known = [b for b in bounds if b is not None]
        return min(known) if known else None
    return None


def _loop_capped(loop: ast.AST) -> bool:
    """A loop with an iteration limit, even one set at run time: ``range(args.max_loops)``,
    ``while turns < limit``, or ``while True`` with ``if turns >= limit: break``."""
    if _loop_bound(loop) is not None:
        return True
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        it = loop.iter
        return isinstance(it, ast.Call) and call_name(it.func) == "range" and bool(it.args)
    if not isinstance(loop, ast.While):
        return False
    tests = loop.test.values if isinstance(loop.test, ast.BoolOp) else [loop.test]
    counters = _counters(loop)
    if any(_counter_compare(test, counters, (ast.Lt, ast.LtE)) for test in tests):
        return True
    for statement in _own_statements(loop.body):
        if isinstance(statement, ast.If) and _exits(statement.body):
            conds = (
                statement.test.values
                if isinstance(statement.test, ast.BoolOp) and isinstance(statement.test.op, ast.Or)
                else [statement.test]
            )
            if any(_counter_compare(c, counters, (ast.Gt, ast.GtE, ast.Eq)) for c in conds):
                return True
    return False


def _starts_afresh(loop: ast.AST, name: str) -> bool:
    """The loop's own body binds ``name`` to a value that does not use it (``messages =
    [first]``): the list is new on every iteration."""
    for statement in _own_statements(getattr(loop, "body", [])):
        if not isinstance(statement, ast.Assign):
            continue
        targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
        used = {n.id for n in ast.walk(statement.value) if isinstance(n, ast.Name)}
        if name in targets and name not in used:
            return True
    return False


def _typed_line(value: ast.AST | None) -> bool:
    """``input(...)``, possibly with ``.strip()`` and the like after it."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        value = value.func.value
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "input"
    )


def _tool_loop(loop: ast.AST) -> bool:
    """A loop that repeats while the model asks for tools: ``while r.stop_reason ==
    "tool_use"``, a body that stops on ``stop_reason``, a ``while`` that stops once a
    response has no ``tool_use`` block (and reads no user input), or a loop over one
    response's content blocks that answers its tool calls."""
    if isinstance(loop, ast.While) and "stop_reason" in ast.unparse(loop.test):
        return True
    if not isinstance(loop, (ast.While, ast.For, ast.AsyncFor)):
        return False
    for statement in _own_statements(loop.body):
        if isinstance(statement, ast.If) and _exits(statement.body):
            if "stop_reason" in ast.unparse(statement.test):
                return True
    if not _asks_for_tools(loop.body):
        return False
    if isinstance(loop, ast.While):
        return _exits(loop.body) and not _reads_input(loop.body)
    return isinstance(loop.iter, ast.Attribute) and loop.iter.attr == "content"


def _asks_for_tools(body: list[ast.stmt]) -> bool:
    """The body (and loops over content blocks in it, not nested ``while`` loops) tests a
    block or response against ``"tool_use"``."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Constant) and node.value == "tool_use":
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _reads_input(body: list[ast.stmt]) -> bool:
    """The loop body itself asks the user for a line (an interactive chat turn)."""
    for statement in _own_statements(body):
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and call_name(node.func) == "input":
                return True
    return False


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a loop body, into if/try/with blocks but not into nested loops."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from _own_statements(getattr(statement, name, []) or [])
        for handler in getattr(statement, "handlers", []) or []:
            yield from _own_statements(handler.body)


def _counters(loop: ast.While) -> set[str]:
    """Names the loop body counts up (``turns += 1``)."""
    return {
        ast.unparse(s.target)
        for s in _own_statements(loop.body)
        if isinstance(s, ast.AugAssign) and isinstance(s.op, ast.Add)
    }


def _counter_compare(test: ast.AST, counters: set[str], ops: tuple[type, ...]) -> bool:
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ops)
        and ast.unparse(test.left) in counters
    )


def _exits(body: list[ast.stmt]) -> bool:
    return any(isinstance(s, (ast.Break, ast.Return, ast.Raise)) for s in _own_statements(body))


def _compare_bound(test: ast.AST) -> int | None:
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Lt, ast.LtE))
        and isinstance(test.comparators[0], ast.Constant)
        and isinstance(test.comparators[0].value, int)
    ):
        value = test.comparators[0].value
        return value + 1 if isinstance(test.ops[0], ast.LtE) else value
    return None


def match_claude_call(call: ast.Call) -> tuple[str, ast.AST] | None:
    """Match ``<base>[.beta].messages[.with_raw_response].<method>(...)``; return kind, base."""
    node = call.func
    if not isinstance(node, ast.Attribute) or node.attr not in METHODS:
        return None
    method = node.attr
    current = _skip_options(node.value)
    while isinstance(current, ast.Attribute) and current.attr in WRAPPERS:
        current = _skip_options(current.value)
    if not isinstance(current, ast.Attribute) or current.attr != "messages":
        return None
    current = _skip_options(current.value)
    retired = retired_beta_base(current)
    if retired is not None:
        return f"{retired[0]}messages.{method}", retired[1]
    prefix = ""
    if isinstance(current, ast.Attribute) and current.attr == "beta":
        prefix = "beta."
        current = _skip_options(current.value)
    return f"{prefix}messages.{method}", current


def _skip_options(node: ast.AST) -> ast.AST:
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("with_options", "copy")
    ):
        node = node.func.value
    return node


def client_origin(
    node: ast.AST, scope: Scope, resolver: Resolver, line: int, depth: int = 0
) -> str:
    """'claude', 'other' or 'unknown': where the object a call is made on comes from."""
    if depth > 8:
        return "unknown"
    node = _skip_options(node)
    module = resolver.module
    leaf = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    if leaf and any(word in leaf.lower() for word in TEST_DOUBLES):
        return "other"  # a test double standing in for a client
    if isinstance(node, (ast.BoolOp, ast.IfExp)):
        parts = node.values if isinstance(node, ast.BoolOp) else [node.body, node.orelse]
        origins = {client_origin(part, scope, resolver, line, depth + 1) for part in parts}
        if "claude" in origins:
            return "claude"
        return "other" if origins == {"other"} else "unknown"
    if isinstance(node, ast.Call):
        return _constructor_origin(node.func, scope, resolver, line, depth)
    if isinstance(node, ast.Name):
        found = resolver.binding_of(node.id, scope, line)
        if found is None:
            return "unknown"
        binding, owner = found
        return _binding_origin(binding, owner, resolver, depth)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id in ("self", "cls"):
            cls = scope.class_scope if scope.kind == "function" else scope
            if cls is None:
                cls = _annotated_self_class(scope, resolver)
            if cls is None:
                return "unknown"
            origins = [
                _binding_origin(b, _method_scope(module, cls, b.line), resolver, depth)
                for b in cls.self_attrs.get(node.attr, [])
            ]
            class_binding = cls.lookup(node.attr, None)
            if class_binding is not None:
                origins.append(_binding_origin(class_binding, cls, resolver, depth))
            if "claude" in origins:
                return "claude"
            if "other" in origins:
                return "other"
    return "unknown"


def _annotated_self_class(scope: Scope, resolver: Resolver) -> Scope | None:
    """``def __call__(self: Client, ...)`` written outside the class (fastcore's ``@patch``)."""
    args = getattr(scope.node, "args", None)
    if args is None or not args.args or args.args[0].annotation is None:
        return None
    annotation = args.args[0].annotation
    value = resolver.value(annotation, scope.parent or scope, getattr(scope.node, "lineno", 0))
    return value.scope if isinstance(value, ClassRef) else None


def _method_scope(module: ModuleInfo, cls: Scope, line: int) -> Scope:
    for fn in cls.functions.values():
        if fn.lineno <= line <= (getattr(fn, "end_lineno", None) or fn.lineno):
            return module.scopes.get(fn, cls)
    return cls


def _binding_origin(binding: Binding, owner: Scope, resolver: Resolver, depth: int) -> str:
    value = binding.value
    if value is None:
        return "unknown"
    if binding.kind == "param":
        return _annotation_origin(value, resolver)
    if binding.kind in ("assign", "with"):
        if isinstance(value, ast.Call) and call_name(value.func) == "field":
            for keyword in value.keywords:
                if keyword.arg == "default_factory":
                    return _class_name_origin(keyword.value, resolver)
            return "unknown"
        return client_origin(value, owner, resolver, binding.line, depth + 1)
    return "unknown"


def _constructor_origin(
    func: ast.AST, scope: Scope, resolver: Resolver, line: int, depth: int
) -> str:
    origin = _class_name_origin(func, resolver)
    if origin != "unknown":
        return origin
    if isinstance(func, ast.Name):
        found = resolver.binding_of(func.id, scope, line)
        if found and found[0].kind == "def" and isinstance(found[0].value, ast.FunctionDef):
            fn = found[0].value
            fn_scope = resolver.module.scopes.get(fn)
            for stmt in ast.walk(fn):
                if isinstance(stmt, ast.Return) and stmt.value is not None and fn_scope:
                    result = client_origin(stmt.value, fn_scope, resolver, stmt.lineno, depth + 1)
                    if result != "unknown":
                        return result
    return "unknown"


def _class_name_origin(node: ast.AST, resolver: Resolver) -> str:
    """Origin of a class reference such as ``anthropic.Anthropic`` or an imported ``OpenAI``."""
    imports = resolver.module.imports
    if isinstance(node, ast.Name):
        target = imports.get(node.id)
        if target is None:
            return "unknown"
        module_name, attr, _level = target
        if attr is None:
            return "unknown"
        root = module_name.split(".")[0]
        if root == "anthropic":
            return "claude" if attr in CLIENT_CLASSES else "unknown"
        return "other" if root in FOREIGN_SDKS else "unknown"
    dotted = call_name(node)
    if dotted:
        head, _, rest = dotted.partition(".")
        target = imports.get(head)
        if target is not None and target[1] is None:
            full = target[0] + ("." + rest if rest else "")
            root = full.split(".")[0]
            if root == "anthropic":
                return "claude" if full.rsplit(".", 1)[-1] in CLIENT_CLASSES else "unknown"
            return "other" if root in FOREIGN_SDKS else "unknown"
    return "unknown"


def _annotation_origin(node: ast.AST, resolver: Resolver) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        name = node.value.strip().split("[")[0].split(".")[-1].split("|")[0].strip()
        return "claude" if name in CLIENT_CLASSES and name != "Client" else "unknown"
    if isinstance(node, ast.BinOp):
        origins = {
            _annotation_origin(node.left, resolver),
            _annotation_origin(node.right, resolver),
        }
        return "claude" if "claude" in origins else ("other" if "other" in origins else "unknown")
    if isinstance(node, ast.Subscript):
        return _annotation_origin(node.slice, resolver)
    if isinstance(node, ast.Tuple):
        origins = {_annotation_origin(elt, resolver) for elt in node.elts}
        return "claude" if "claude" in origins else "unknown"
    return _class_name_origin(node, resolver)


def looks_like_claude_id(model: str) -> bool:
    text = model.strip().lower()
    return "claude" in text and (
        text.startswith("claude") or ".claude" in text or text.startswith("anthropic")
    )


def _contains_cache_control(node: ast.AST) -> bool:
    for child in all_nodes(node):
        if isinstance(child, ast.Constant) and child.value == "cache_control":
            return True
        if isinstance(child, ast.keyword) and child.arg == "cache_control":
            return True
    return False


def _is_join(node: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
    )


def _joined_names(join: ast.AST) -> list[ast.Name]:
    """The lists a ``sep.join(...)`` reads, leaving out windows (``answers[-3:]``)."""
    names: list[ast.Name] = []
    for arg in getattr(join, "args", []):
        for node in ast.walk(arg):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
                return []
            if isinstance(node, ast.Name):
                names.append(node)
    return names


def _names_in_text(node: ast.List) -> list[ast.Name]:
    """Names interpolated into the text of a literal messages list (f-strings, ``+``, format)."""
    names: list[ast.Name] = []
    for element in node.elts:
        if not isinstance(element, ast.Dict):
            continue
        for key, value in zip(element.keys, element.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "content" and value is not None:
                for inner in ast.walk(value):
                    if isinstance(inner, ast.FormattedValue) and isinstance(inner.value, ast.Name):
                        names.append(inner.value)
                    elif _is_join(inner):
                        names.extend(_joined_names(inner))
    return names


def _parameter_names(function: ast.AST) -> set[str]:
    arguments = getattr(function, "args", None)
    if not isinstance(arguments, ast.arguments):
        return set()
    return {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}


def _appends_to(function: ast.AST, name: str) -> bool:
    """The function's body grows the list it received as ``name`` in place."""
    for node in all_nodes(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in GROWTH_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            return True
        if (
            isinstance(node, ast.AugAssign)
            and isinstance(node.op, ast.Add)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            return True
    return False


SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _global_names(function: ast.AST) -> frozenset[str]:
    """Names a function declares ``global`` (its assignments rebind the module's list).
    ``global`` is a statement, so only statement lists are walked, never expressions."""
    names: set[str] = set()
    body = getattr(function, "body", [])
    if not isinstance(body, list):
        return frozenset()  # a lambda: an expression holds no statement
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Global):
            names.update(node.names)
        elif not isinstance(node, SCOPE_NODES):
            for field in _STATEMENT_LISTS:
                inner = getattr(node, field, None)
                if inner:
                    stack.extend(inner)
    return frozenset(names)


# Fields of statements (and of ``except`` handlers and ``case`` blocks) that hold statements.
_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


WINDOW_HELPER_WORDS = ("trim", "window", "truncat", "summar", "compact", "prune", "last", "recent")


def _windows(value: ast.AST, target: ast.AST) -> bool:
    """``h = h[-6:]`` or ``h = trim_history(h)``: the list rebound to a part of itself."""
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        piece = value.slice
        return _refers_to(value.value, target) and (
            piece.lower is not None or piece.upper is not None
        )
    if isinstance(value, ast.Call):
        name = call_name(value.func).rsplit(".", 1)[-1].lower()
        return any(word in name for word in WINDOW_HELPER_WORDS) and any(
            _refers_to(arg, target) for arg in value.args
        )
    return False


def _trimmed_in(function: ast.AST | None, value: ast.AST) -> bool:
    """``self.history = kept`` inside ``def _trim_history(self)``: a list rebound in a
    function named for windowing (trim, summarize, ...) is a window of itself, whatever
    the new list is built from; rebinding it to an empty list is a reset, not a window."""
    name = getattr(function, "name", "").lower()
    if not name or not any(word in name for word in WINDOW_HELPER_WORDS):
        return False
    return not (isinstance(value, (ast.List, ast.Tuple)) and not value.elts)


def _refers_to(node: ast.AST, target: ast.AST) -> bool:
    """The same name or attribute, whether read or assigned (``ast.dump`` differs by ctx)."""
    try:
        return ast.unparse(node) == ast.unparse(target)
    except (ValueError, RecursionError):  # pragma: no cover - defensive
        return False


def _history_target(node: ast.AST) -> tuple[ast.AST | None, bool]:
    """The list variable passed as messages, and whether it is passed whole."""
    if isinstance(node, ast.Name) or (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    ):
        return node, True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, whole = _history_target(node.left)
        return left, whole
    if isinstance(node, ast.List) and node.elts and isinstance(node.elts[0], ast.Starred):
        return _history_target(node.elts[0].value)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        piece = node.slice
        if piece.lower is None and piece.upper is None and piece.step is None:
            return _history_target(node.value)
        return None, False
    if isinstance(node, ast.Call):
        name = call_name(node.func)
        if name in ("list", "tuple") and len(node.args) == 1:
            return _history_target(node.args[0])
        if isinstance(node.func, ast.Attribute) and node.func.attr == "copy" and not node.args:
            return _history_target(node.func.value)
    return None, False


def _first_variable(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Call):
        for arg in node.args:
            target, _ = _history_target(arg)
            if target is not None:
                return target
        return None
    if isinstance(node, ast.Subscript):
        target, _ = _history_target(node.value)
        return target
    return None


def _source_name(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - defensive
        return "messages"


__all__ = ["ExtractResult", "extract_python", "match_claude_call", "UNKNOWN"]
