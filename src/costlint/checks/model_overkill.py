"""CL004 model-overkill: a top-tier model on a simple, short-answer task."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..catalog import id_for_platform
from ..engine import CheckContext, Report
from ..fixes import ModelSwitch
from ..intent import SimpleTask, answer_shape, asks_for_complex_work, simple_task, tool_evidence
from ..request import prompt_text
from ..site import PromptSite
from ..units import per_mtok, ratio

REMEDIES = (ModelSwitch,)


def _every_candidate_top(site: PromptSite, ctx: CheckContext) -> Any:
    """The model to name when every candidate is a known top-tier model (else None): the
    default candidate, or the first."""
    if ctx.catalog is None:
        return None
    infos = []
    for candidate in sorted(site.candidates["model"], key=lambda c: not c.default):
        info = (
            ctx.catalog.resolve(str(candidate.value)) if isinstance(candidate.value, str) else None
        )
        if info is None or getattr(info, "tier", "") != "top":
            return None
        infos.append(info)
    return infos[0] if infos else None


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    several = len(site.candidates.get("model", ())) > 1
    model = _every_candidate_top(site, ctx) if several else ctx.model(site)
    if model is None or getattr(model, "tier", "") != "top" or model.prices is None:
        return
    max_tokens = site.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
        return
    if max_tokens > int(ctx.params.get("max_output_budget", 4096)):
        if answer_shape(prompt_text(site)) is None:
            return  # large output budgets mean long-form work (a short answer's is CL001's)
    if site.opaque_kwargs:
        return
    thinking = site.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        return
    if site.get("tools") is not None:
        task = _tool_task(site)
    else:
        task = simple_task(prompt_text(site))
    if task is None or ctx.catalog is None:
        return
    suggested = ctx.catalog.current(task.suggested_family)
    if suggested is None or suggested.prices is None or suggested.id == model.id:
        return
    price_ratio = ratio(model.prices.input, suggested.prices.input)
    message = (
        f"{model.id} ({model.name}) for {task.name} with max_tokens={max_tokens}: "
        f"{suggested.id} fits this task at 1/{price_ratio.rstrip('x')} of the price per token "
        f"({per_mtok(suggested.prices.input)}/{per_mtok(suggested.prices.output)} vs "
        f"{per_mtok(model.prices.input)}/{per_mtok(model.prices.output)} per MTok in/out)"
    )
    exact = model.prices.input / suggested.prices.input if suggested.prices.input > 0 else None
    target = id_for_platform(suggested, str(site.get("model") or ""))
    fix = f'use model="{target.id}"' + target.display().removeprefix(target.id)
    suggested_id = target.id if target.verified else suggested.id  # an id pricing resolves
    remedy = ModelSwitch(suggested_id, task=task.name, price_ratio=exact)
    yield Report(message, fix=fix, remedy=remedy)


MAX_ROUTING_TOOLS = 3


def _tool_task(site: PromptSite) -> SimpleTask | None:
    """A few small flat-schema tools and no complex instructions: routing or extraction.
    Real agents (many tools, code/file tools, a loop that grows the conversation) are not."""
    evidence = tool_evidence(site.get("tools"), site.get("tool_choice"))
    if evidence is None or not evidence.small_flat or evidence.agentic:
        return None
    if evidence.count > MAX_ROUTING_TOOLS:
        return None
    if site.history is not None and site.history.growing:
        return None  # a multi-step tool loop
    text = prompt_text(site)
    if asks_for_complex_work(text):
        return None
    named = simple_task(text)
    if named is not None:
        return named
    if evidence.forced or evidence.count == 1:
        return SimpleTask("extraction into one small tool call", "haiku")
    return SimpleTask(f"routing between {evidence.count} small tools", "haiku")
