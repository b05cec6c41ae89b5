"""CL001 oversized-max-tokens: a short-answer prompt with a huge output cap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine import CheckContext, Report
from ..fixes import OutputCap
from ..intent import answer_shape, asks_for_complex_work, tool_evidence
from ..request import prompt_text
from ..site import PromptSite
from ..units import tokens, usd

REMEDIES = (OutputCap,)


def check(site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    max_tokens = site.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
        return
    if site.opaque_kwargs:
        return
    if _thinking_enabled(site.get("thinking")):
        return  # a thinking budget lives inside max_tokens
    if max_tokens < int(ctx.params.get("min_max_tokens", 1024)):
        return  # a small cap, whatever the answer (asked before reading the prompt's text)
    text = prompt_text(site)
    forced = False
    if site.get("tools") is not None:
        # tool calls need room for their arguments, unless the call forces one small tool
        evidence = tool_evidence(site.get("tools"), site.get("tool_choice"))
        shape = evidence.answer if evidence is not None else None
        if shape is None or asks_for_complex_work(text) or _after_tool_result(site):
            return
        forced = evidence is not None and evidence.forced
    else:
        shape = answer_shape(text)
    if shape is None:
        return
    model = ctx.model(site)
    cap = shape.cap
    note = ""
    if model is not None and getattr(model, "thinking_default", "off") != "off":
        if site.get("thinking") is None and not forced:  # thinking cannot run on a forced tool
            cap += int(ctx.params.get("thinking_allowance", 2048))
            note = f" (leaves {ctx.params.get('thinking_allowance', 2048)} for adaptive thinking)"
    if max_tokens < cap * float(ctx.params.get("ratio", 8)):
        return
    remedy = OutputCap(_round_cap(cap), max_tokens=max_tokens, answer=shape.name)
    worst = _worst_case(model, remedy)
    message = (
        f"max_tokens={tokens(max_tokens)} for a prompt that asks for {shape.name}. "
        f"Claude bills the tokens it generates, not max_tokens, but a runaway or looping answer "
        f"is billed up to the cap: {worst}"
    )
    yield Report(message, fix=f"set max_tokens={remedy.suggested_max_tokens}{note}", remedy=remedy)


def _after_tool_result(site: PromptSite) -> bool:
    """The call sends a tool's result back: its answer is the reply, not the tool call."""
    messages = site.get("messages")
    if not isinstance(messages, list):
        return True  # unknown turns: the answer's shape is not known
    return any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages)


def _thinking_enabled(thinking: Any) -> bool:
    if thinking is None:
        return False
    if isinstance(thinking, dict) and thinking.get("type") == "disabled":
        return False
    return True


def _round_cap(cap: int) -> int:
    """Round up to a number people write (16, 32, 64, ... or a multiple of 256)."""
    power = 16
    while power < cap and power < 512:
        power *= 2
    if power >= cap:
        return power
    return ((cap + 255) // 256) * 256


def _worst_case(model: Any, remedy: OutputCap) -> str:
    now, suggested = remedy.max_tokens or 0, remedy.suggested_max_tokens
    prices = getattr(model, "prices", None) if model is not None else None
    if prices is None:
        return (
            f"worst case {tokens(now)} output tokens per call now, "
            f"{tokens(suggested)} with max_tokens={suggested}."
        )
    now_usd, after_usd = remedy.worst_case(prices.output)
    return (
        f"worst case {usd(now_usd)} of output per call now, {usd(after_usd)} with "
        f"max_tokens={suggested} ({model.id} output at ${prices.output:g}/MTok)."
    )
