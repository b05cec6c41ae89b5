"""Planning: from a run's findings to the edits that fix them (no file is read here).

A value written at the call is changed at the call. A value defined elsewhere (a constant in
``settings.py``, a parameter default) is changed where it is defined, from the site's
candidate ``Origin``, and only when the value has one candidate and every call site that uses
that definition gets the same fix; otherwise the finding is skipped with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..checks.max_tokens_over_limit import sdk_expected_seconds
from ..estimate import estimate_value_tokens
from ..fixes import ModelSwitch, OutputCap, OutputLimit, PrefixCache, StreamOrTimeout
from ..request import CONFIG_FRONTENDS, has_variable_part
from ..site import UNKNOWN, Finding, PromptSite
from .edits import (
    AddCacheControl,
    Edit,
    Plan,
    ReplaceLiteral,
    ReplaceText,
    Scalar,
    SetArgument,
    Skip,
)
from .model_ids import in_client_format
from .safety import SAFE, UNSAFE, safety

SDK_GUARD_SECONDS = 600  # the SDK refuses a non-streaming call expected to take longer
DEFAULT_CACHE_FLOOR = 1024
# Files a value's definition is changed in: Python, and config files the code loads.
DEFINITION_SUFFIXES = (
    ".py",
    ".yaml",
    ".yml",
    ".json",
)  # tokens: the smallest cacheable prefix when the model is unknown
PART_LABELS = {"system": "system prompt", "tools": "last tool", "document": "first user message"}


def plan_fixes(
    findings: list[Finding], sites: list[PromptSite], catalog: Any, unsafe: bool
) -> Plan:
    """The edits for ``findings`` (unsafe ones only when ``unsafe``), the skipped ones with why."""
    plan = Plan()
    proposed: list[Edit] = []
    for finding in findings:
        level = safety(finding, catalog)
        if level is None or finding.site is None:
            continue
        result = propose(finding, finding.site, catalog, level == SAFE)
        if level == UNSAFE and not unsafe:
            plan.hidden_unsafe += isinstance(result, Edit)
        elif isinstance(result, Skip):
            plan.skipped.append(result)
        else:
            proposed.append(result)
    plan.edits, conflicts = _agree(proposed, _definition_users(sites))
    plan.skipped.extend(conflicts)
    plan.edits = _drop_needless_timeouts(plan.edits, plan.skipped)
    return plan


def _drop_needless_timeouts(edits: list[Edit], skipped: list[Skip]) -> list[Edit]:
    """A timeout is not added to a call whose max_tokens another edit lowers under the SDK's
    10-minute guard: the cap fixes it."""
    capped: set[int] = set()
    for edit in edits:
        new = getattr(edit.action, "new", None)
        caps = isinstance(edit.findings[0].remedy, (OutputCap, OutputLimit))
        if caps and isinstance(new, int) and sdk_expected_seconds(new) <= SDK_GUARD_SECONDS:
            capped.update(id(f.site) for f in edit.findings)
    kept = []
    for edit in edits:
        remedy = edit.findings[0].remedy
        if isinstance(remedy, StreamOrTimeout) and id(edit.findings[0].site) in capped:
            skipped.extend(Skip(f, "the max_tokens cap fixes it") for f in edit.findings)
        else:
            kept.append(edit)
    return kept


def propose(finding: Finding, site: PromptSite, catalog: Any, safe: bool) -> Edit | Skip:
    """The edit that fixes ``finding`` at ``site``, or why there is none."""
    if site.cell is not None or site.frontend == "notebook":
        return Skip(finding, "notebooks are not fixed (fix Python files and YAML model ids only)")
    remedy = finding.remedy
    if isinstance(remedy, ModelSwitch):
        return _model_edit(finding, site, remedy, catalog, safe)
    if isinstance(remedy, OutputCap):
        return _value_edit(finding, site, "max_tokens", remedy.suggested_max_tokens, safe)
    if isinstance(remedy, OutputLimit) and remedy.max_output is not None:
        return _value_edit(finding, site, "max_tokens", remedy.max_output, safe)
    if isinstance(remedy, StreamOrTimeout) and remedy.timeout is not None:
        if site.frontend != "python":
            return Skip(finding, "not a Python call: fix Python files only")
        action = SetArgument(site.span, "timeout", None, remedy.timeout)
        what = f"timeout={remedy.timeout} added (the SDK's expected duration)"
        return Edit(site.repo_path or site.path, action, safe, what, [finding])
    if isinstance(remedy, PrefixCache):
        return _breakpoint(finding, site, catalog, safe)
    return Skip(finding, "no automatic fix for this kind of finding")


def _model_edit(
    finding: Finding, site: PromptSite, remedy: ModelSwitch, catalog: Any, safe: bool
) -> Edit | Skip:
    target = catalog.resolve(remedy.suggested_model) if catalog is not None else None
    if target is None:
        return Skip(finding, f"{remedy.suggested_model} is not in the model catalog")
    if len(site.candidates.get("model", ())) > 1:  # skipped there, with the values
        return _value_edit(finding, site, "model", target.id, safe)
    written = _written(site, "model")
    if not isinstance(written, str):
        return Skip(finding, "the model as written is not known")
    new = in_client_format(written, target)
    if new is None:
        return Skip(finding, f"the catalog has no id for {target.id} in the form {written!r} uses")
    return _value_edit(finding, site, "model", new, safe)


def _written(site: PromptSite, name: str) -> Any:
    candidates = site.candidates.get(name)
    if candidates:
        return candidates[0].value if len(candidates) == 1 else UNKNOWN
    return site.get(name, UNKNOWN)


def _value_edit(
    finding: Finding, site: PromptSite, name: str, new: Scalar, safe: bool
) -> Edit | Skip:
    """``name`` becomes ``new``: where it is defined, at the call, or at a config file's key."""
    candidates = site.candidates.get(name)
    if candidates:
        if len(candidates) > 1:
            shown = ", ".join(repr(c.value) for c in candidates[:4])
            return Skip(finding, f"{name} can take {len(candidates)} values here ({shown})")
        candidate = candidates[0]
        origin = candidate.origin
        if origin is None or not origin.path.endswith(DEFINITION_SUFFIXES):
            return Skip(finding, f"where {name} is defined is not known, or not a file fixed")
        if not isinstance(candidate.value, (str, int)) or isinstance(candidate.value, bool):
            return Skip(finding, f"{name} is not a plain value")
        action: Any = ReplaceLiteral(origin.line, candidate.value, new)
        if not origin.path.endswith(".py"):  # a config file the code loads at run time
            action = ReplaceText(origin.line, 1, str(candidate.value), str(new))
        what = f"{name} {_show(candidate.value)} -> {_show(new)} (where it is defined)"
        return Edit(origin.path, action, safe, what, [finding])
    old = site.get(name, UNKNOWN)
    if not isinstance(old, (str, int)) or isinstance(old, bool) or getattr(old, "holes", 0):
        return Skip(finding, f"{name} is not written as one literal")
    path = site.repo_path or site.path
    if site.frontend == "python":
        action = SetArgument(site.span, name, old, new)
    elif site.frontend in CONFIG_FRONTENDS and name == "model" and name in site.arg_spans:
        span = site.arg_spans[name]
        action = ReplaceText(span.line, span.column, str(old), str(new))
    else:
        return Skip(finding, f"{site.frontend} files are not fixed (Python files and YAML ids)")
    return Edit(path, action, safe, f"{name} {_show(old)} -> {_show(new)}", [finding])


def _show(value: Scalar) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _breakpoint(finding: Finding, site: PromptSite, catalog: Any, safe: bool) -> Edit | Skip:
    """A cache_control on the last block of the request that is the same on every call."""
    if site.frontend != "python":
        return Skip(finding, "not a Python call: fix Python files only")
    model = catalog.resolve(str(site.get("model"))) if catalog is not None else None
    floor = getattr(model, "min_cacheable", None) or DEFAULT_CACHE_FLOOR
    found = last_stable_block(site)
    if found is None:
        return Skip(
            finding,
            "no whole block of the request is the same on every call: move the per-call text "
            "after the stable text, then add cache_control",
        )
    part, index, covered = found
    size = estimate_value_tokens(covered, bool(getattr(model, "new_tokenizer", False)))
    if size < floor:
        return Skip(
            finding,
            f"a breakpoint on the {PART_LABELS[part]} would cache ~{size} tokens, under the "
            f"minimum of {floor}: gather the stable text into one block first",
        )
    action = AddCacheControl(site.span, part, index)
    what = f"cache_control added to the {PART_LABELS[part]}"
    return Edit(site.repo_path or site.path, action, safe, what, [finding])


def last_stable_block(site: PromptSite) -> tuple[str, int | None, list[Any]] | None:
    """(part, block index or None for a plain string, what it caches) for the last block
    that ends a prefix identical on every call (order: tools, system, first user message)."""
    covered: list[Any] = []
    best: tuple[str, int | None, list[Any]] | None = None
    tools = site.get("tools")
    if "tools" in site.args:
        if not isinstance(tools, list) or has_variable_part(tools, too_deep=True):
            return None
        if tools:
            covered.append(tools)
            best = ("tools", len(tools) - 1, list(covered))
    for part, value in (("system", site.get("system")), ("document", _first_user(site))):
        if value is None and part == "system":
            continue
        if isinstance(value, str) and not has_variable_part(value):
            covered.append(str(value))
            best = (part, None, list(covered))
            continue
        if not isinstance(value, list):
            return best
        for index, block in enumerate(value):
            if not isinstance(block, dict) or has_variable_part(block, too_deep=True):
                return best
            covered.append(block)
            best = (part, index, list(covered))
    return best


def _first_user(site: PromptSite) -> Any:
    messages = site.get("messages")
    if not isinstance(messages, list) or not messages:
        return UNKNOWN
    first = messages[0]
    if not isinstance(first, dict) or first.get("role") != "user":
        return UNKNOWN
    return first.get("content", UNKNOWN)


def _definition_users(sites: list[PromptSite]) -> dict[tuple[str, int], set[int]]:
    """(path, line) of each definition a candidate names -> the sites (by id) using it."""
    users: dict[tuple[str, int], set[int]] = defaultdict(set)
    for site in sites:
        for candidates in site.candidates.values():
            for candidate in candidates:
                if candidate.origin is not None:
                    users[(candidate.origin.path, candidate.origin.line)].add(id(site))
    return users


def _agree(
    proposed: list[Edit], users: dict[tuple[str, int], set[int]]
) -> tuple[list[Edit], list[Skip]]:
    """One edit per changed text. At one site, the first fix to a text wins (safe ones first);
    a definition is changed only when every site using it gets the same change."""
    skipped: list[Skip] = []
    per_site: dict[tuple[Any, int], Edit] = {}
    for edit in sorted(proposed, key=lambda e: not e.safe):
        site_id = id(edit.findings[0].site)
        kept = per_site.setdefault((edit.target(), site_id), edit)
        if kept is edit:
            continue
        if kept.action == edit.action:
            kept.findings.extend(edit.findings)
        else:
            skipped.append(Skip(edit.findings[0], f"another fix changes it first ({kept.what})"))
    by_target: dict[Any, list[Edit]] = defaultdict(list)
    for (target, _), edit in per_site.items():
        by_target[target].append(edit)
    edits: list[Edit] = []
    for group in by_target.values():
        reason = _disagreement(group, users)
        if reason is None:
            merged = group[0]
            for other in group[1:]:
                merged.findings.extend(other.findings)
            edits.append(merged)
        else:
            skipped.extend(Skip(f, reason) for edit in group for f in edit.findings)
    edits.sort(key=lambda e: (e.path, e.line))
    return edits, skipped


def _disagreement(group: list[Edit], users: dict[tuple[str, int], set[int]]) -> str | None:
    first = group[0]
    if any(edit.action != first.action for edit in group[1:]):
        wanted = "; ".join(
            f"{e.findings[0].site.address if e.findings[0].site else '?'}: {e.what}" for e in group
        )
        return f"the call sites using {first.path}:{first.line} need different changes ({wanted})"
    if not isinstance(first.action, ReplaceLiteral):
        return None
    fixed = {id(f.site) for edit in group for f in edit.findings}
    others = users.get((first.path, first.action.line), set()) - fixed
    if others:
        return (
            f"{first.path}:{first.action.line} is also used by {len(others)} call site(s) "
            "that do not need this change: change it by hand"
        )
    return None
