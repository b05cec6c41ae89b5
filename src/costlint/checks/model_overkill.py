"""CL004 model-overkill: a top-tier model on a simple, short-answer task."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import CheckContext, Report
from ..fixes import ModelSwitch
from ..intent import answer_shape, simple_task
from ..request import prompt_text
from ..site import PromptSite
from ..units import per_mtok, ratio

REMEDIES = (ModelSwitch,)


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    model = ctx.model(site)
    if model is None or getattr(model, "tier", "") != "top" or model.prices is None:
        return
    max_tokens = site.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
        return
    if max_tokens > int(ctx.params.get("max_output_budget", 1024)):
        if answer_shape(prompt_text(site)) is None:
            return  # large output budgets mean long-form work (a short answer's is CL001's)
    if site.opaque_kwargs or site.get("tools") is not None:
        return  # agents with tools are multi-step work
    thinking = site.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        return
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
    remedy = ModelSwitch(suggested.id, task=task.name, price_ratio=exact)
    yield Report(message, fix=f'use model="{suggested.id}"', remedy=remedy)
