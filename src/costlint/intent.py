"""What a prompt asks for, read from its text: a short answer? a simple task? long-form work?

Used by CL001 (how many output tokens the answer needs) and CL004 (whether a cheaper model
fits). Only the resolved, stable text is read; placeholders are ignored. The patterns are
deliberately narrow: a missed finding is cheaper than a false alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .regexfilter import LazyPattern, lazy_compile, may_match

# The patterns are compiled on first use (regexfilter.LazyPattern): a run whose prompts hold
# none of a pattern's words never compiles it.

_FLAGS = re.IGNORECASE

# Answer shapes -> a generous cap (tokens) for the answer they describe.
ANSWER_SHAPES: list[tuple[str, int, LazyPattern]] = [
    (
        "yes/no",
        16,
        lazy_compile(
            r"\b(?:answer|respond|reply|return|output|say|print|decide)\b[^.\n]{0,50}?"
            r"\b(?:yes|true)\s*(?:or|/)\s*(?:no|false)\b"
            r"|\b(?:\"yes\"|'yes'|yes)\s*(?:or|/)\s*(?:\"no\"|'no'|no)\s*(?:only\b|[?:])"
            r"|\bonly\s+[\"']?(?:yes|no)[\"']?\s+or\s+[\"']?(?:yes|no)\b",
            _FLAGS,
        ),
    ),
    ("one word", 16, lazy_compile(r"\b(?:one|single|1)[- ]word\b", _FLAGS)),
    (
        "a number",
        16,
        lazy_compile(
            r"\b(?:only|just)\s+(?:a|the|one)\s+(?:number|integer|digit|score|rating)\b"
            r"|\b(?:return|respond\s+with|reply\s+with|answer\s+with|output)\s+(?:only\s+|just\s+)?"
            r"(?:a|the|one)\s+(?:single\s+)?(?:number|integer|numeric\s+(?:score|value))\b"
            r"|\b(?:number|integer|score)\s+only\b"
            r"|\b(?:score|rate|rating)\b[^.\n]{0,60}\bfrom\s+\d+\s+to\s+\d+\b",
            _FLAGS,
        ),
    ),
    (
        "a label",
        32,
        lazy_compile(
            r"\b(?:only|just)\s+(?:the|a|one)\s+(?:label|category|class|tag|intent|team|department)"
            r"|\b(?:classify|categori[sz]e)\b[^.\n]{0,80}\b(?:into|as)\s+(?:one\s+of|either)\b"
            r"|\brespond\s+with\s+(?:only\s+)?(?:one\s+of|the\s+(?:label|category))\b"
            r"|\b(?:positive|negative)\s*(?:,|or)\s*(?:neutral|negative|positive)\b",
            _FLAGS,
        ),
    ),
    (
        "a choice between two answers",
        16,
        lazy_compile(
            r"\b(?i:respond|answer|reply|output|return|say)\s+(?i:with\s+)?(?i:only\s+|just\s+)?"
            r"(?:\[\[)?[\"']?A[\"']?(?:\]\])?\s*(?:or|/)\s*(?:\[\[)?[\"']?B[\"']?(?:\]\])?(?![\w])"
        ),
    ),
    ("one sentence", 128, lazy_compile(r"\b(?:one|a\s+single|1|single)\s+sentence\b", _FLAGS)),
    (
        "a few sentences",
        256,
        lazy_compile(
            r"\b(?:in|with|using|of|to)\s+(?:two|three|2|3|a\s+couple\s+of)\s+(?:short\s+)?"
            r"sentences\b|\b(?:two|three|2|3)[- ]sentence\s+(?:summary|answer|description)\b",
            _FLAGS,
        ),
    ),
    (
        "a very short answer",
        128,
        lazy_compile(r"\bvery\s+(?:short|brief(?:ly)?|concise(?:ly)?)\b", _FLAGS),
    ),
    (
        "a small fenced JSON answer",
        128,
        lazy_compile(
            r"```json\s*\{\s*\"\w+\"\s*:[^,{}\n]{0,40}(?:,\s*\"\w+\"\s*:[^,{}\n]{0,40})?\s*\}\s*```",
            _FLAGS,
        ),
    ),
    (
        "a small JSON object",
        256,
        lazy_compile(
            r"\bjson\b[^.\n]{0,40}\{\s*\"?\w+\"?\s*(?::[^,}]{0,30})?\s*(?:,\s*\"?\w+\"?\s*"
            r"(?::[^,}]{0,30})?\s*){0,5}\}"
            r"|\bjson\s+only\b|\bonly\s+(?:valid\s+)?json\b",
            _FLAGS,
        ),
    ),
]

SIMPLE_TASKS: list[tuple[str, str, LazyPattern]] = [
    ("sentiment", "haiku", lazy_compile(r"\bsentiment\b", _FLAGS)),
    (
        "classification",
        "haiku",
        lazy_compile(
            r"\b(?:classify|classifier|categori[sz]e|categori[sz]ation|label\s+the)\b", _FLAGS
        ),
    ),
    (
        "extraction",
        "haiku",
        lazy_compile(
            r"\bextract\s+(?:the\s+|a\s+|all\s+)?[\w\s]{0,30}\b(?:field|name|date|email|address|"
            r"amount|number|id|title|entities|entity|values?)\b",
            _FLAGS,
        ),
    ),
    (
        "routing",
        "haiku",
        lazy_compile(r"\b(?:route|routing|which\s+(?:team|queue|department))\b", _FLAGS),
    ),
    ("a yes/no answer", "haiku", ANSWER_SHAPES[0][2]),
    ("a numeric answer", "haiku", ANSWER_SHAPES[2][2]),
    (
        "pairwise judging",
        "sonnet",
        lazy_compile(
            ANSWER_SHAPES[4][2].pattern
            + r"|\b(?i:which\s+(?:response|answer|output|summary|completion)\s+is\s+better)\b"
        ),
    ),
    (
        "transcription",
        "haiku",
        lazy_compile(
            r"\btranscribe\s+(?:the|this|all|every)?\s*(?:typed\s+|printed\s+)?text\b", _FLAGS
        ),
    ),
    (
        "a short JSON list",
        "haiku",
        lazy_compile(
            r"\b(?:give|return|output|generate|list)\s+(?:me\s+)?(?:a\s+)?(?:json\s+)?"
            r"(?:list|array)\s+of\s+(?:\d+|three|five|ten|a\s+few)\b",
            _FLAGS,
        ),
    ),
    ("a very short answer", "haiku", lazy_compile(r"\bvery\s+(?:short|brief(?:ly)?)\b", _FLAGS)),
    (
        "a one-sentence summary",
        "sonnet",
        lazy_compile(
            r"\bsummari[sz]e\b[^.\n]{0,60}\b(?:one|a\s+single|1)\s+sentence\b|\btl;?dr\b", _FLAGS
        ),
    ),
]

# Long-form or multi-step work: never a short answer, never model overkill.
COMPLEX_WORK = lazy_compile(
    r"\bwrite\s+(?:a\s+|an\s+|the\s+)?(?:detailed\s+|long\s+|full\s+)?(?:essay|report|article|"
    r"blog|story|document|code|function|program|proposal)"
    r"|\bexplain\s+(?:why|how|your|the\s+reason)|\bjustify\b|\byour\s+reasoning\b"
    r"|\bstep[- ]by[- ]step\b|\bin\s+detail\b|\bdetailed\s+(?:analysis|explanation|report)"
    r"|\belaborate\b|\b(?:code|design|security|pull\s+request|PR)\s+review"
    r"|\breview\s+(?:the|this)\s+(?:code|diff|pull\s+request|design|architecture|patch)"
    r"|\bdesign\s+(?:a|an|the)\b|\barchitect\b|\brefactor|\bdebug|\bimplement\b"
    r"|\b(?:generate|create|write|produce)\s+(?:a\s+|an\s+)?(?:series|list|set)\s+of\b"
    r"|\bmulti-step\b|\bplan\s+(?:a|the|your)\b|\btranslate\b|\bin\s+depth\b"
    r"|\bcomprehensive\b|\bsupporting\s+rationale\b",
    _FLAGS,
)


# A complex-work phrase that names the INPUT ("the step-by-step plan below") asks for nothing.
_INPUT_BEFORE = lazy_compile(
    r"\b(?:the|this|these|that|following|given|provided|attached|user'?s)\s+(?:\w+\s+){0,2}$",
    _FLAGS,
)
_INPUT_AFTER = lazy_compile(
    r"^[\w\s-]{0,30}?\b(?:below|above|provided|attached|given|follows|in\s+<)", _FLAGS
)


def asks_for_complex_work(text: str) -> bool:
    """Long-form or multi-step work requested, not merely mentioned as the input's kind."""
    if not may_match(COMPLEX_WORK, text):
        return False
    for match in COMPLEX_WORK.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        after = text[match.end() : match.end() + 40]
        if _INPUT_BEFORE.search(before) and _INPUT_AFTER.search(after):
            continue
        return True
    return False


class AnswerShape(NamedTuple):
    name: str
    cap: int  # a generous max_tokens for that answer


class SimpleTask(NamedTuple):
    name: str
    suggested_family: str  # "haiku" or "sonnet"


NEGATION = lazy_compile(r"\b(?:avoid|not|never|don't|do\s+not|without|instead\s+of)\b", _FLAGS)


# A heading that labels an input section ("Sentiment Analysis:" above the data): not a task.
_LABEL_AFTER = lazy_compile(r"^[\w \t-]{0,30}:[ \t]*$", re.MULTILINE)


def _affirmed(text: str, pattern: LazyPattern) -> bool:
    """A match that is not negated just before it ("avoid yes/no questions"), not the label
    of an input section (a line of its own ending in a colon) and not a placeholder's name."""
    if not may_match(pattern, text):
        return False
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        if NEGATION.search(before):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        rest = text[match.end() : line_end if line_end >= 0 else len(text)]
        if not text[line_start : match.start()].strip() and _LABEL_AFTER.match(rest):
            continue
        if text[match.start() - 1 : match.start()] == "{" and rest.startswith("}"):
            continue  # a placeholder's name ({sentiment}), filled with the input
        return True
    return False


# An instruction to answer in JSON ("Return ONLY valid JSON with this structure:"), and a key
# of the JSON template written after it.
_JSON_ANSWER = lazy_compile(
    r"\b(?:return|respond|reply|output|answer|format|structure|schema)\b[^\n]{0,80}\bjson\b",
    _FLAGS,
)
_JSON_KEY = lazy_compile(r'"\w+"\s*:')
MAX_SHORT_JSON_KEYS = 6


def asks_for_large_json(text: str) -> bool:
    """The answer is a JSON template of more keys than a short answer holds, written right
    after an instruction to answer in JSON (a scorecard with feedback per category)."""
    if text.count('":') <= MAX_SHORT_JSON_KEYS or not may_match(_JSON_ANSWER, text):
        return False
    for match in _JSON_ANSWER.finditer(text):
        after = text[match.end() : match.end() + 3000]
        start = after.find("{")
        if 0 <= start <= 300 and len(_JSON_KEY.findall(after, start)) > MAX_SHORT_JSON_KEYS:
            return True
    return False


@lru_cache(maxsize=1024)  # the same system prompt is often sent by many call sites
def answer_shape(text: str) -> AnswerShape | None:
    """The short answer a prompt asks for, or None when it asks for more (or we can't tell)."""
    if not text or asks_for_complex_work(text) or asks_for_large_json(text):
        return None
    for name, cap, pattern in ANSWER_SHAPES:
        if _affirmed(text, pattern):
            return AnswerShape(name, cap)
    return None


@lru_cache(maxsize=1024)
def simple_task(text: str) -> SimpleTask | None:
    """A simple task (classify, sentiment, extract, yes/no, route, one-sentence summary)."""
    if not text or asks_for_complex_work(text):
        return None
    for name, family, pattern in SIMPLE_TASKS:
        if _affirmed(text, pattern):
            return SimpleTask(name, family)
    return None


# -- tools as evidence ----------------------------------------------------------------------------

SCALAR_TYPES = frozenset({"string", "number", "integer", "boolean", "null"})
# String fields that carry free text (their answer can be long), and tools that do real work.
LONG_TEXT_FIELD = lazy_compile(
    r"content|text|code|body|html|markdown|essay|article|report|answer|response|explanation|"
    r"reasoning|summary|message|draft|script|query|command|patch|diff",
    _FLAGS,
)
AGENT_TOOL = lazy_compile(
    r"bash|shell|exec|run|code|python|file|edit|write|read|str_replace|computer|browser|"
    r"terminal|sql|search|fetch|navigate|click|create|delete|update",
    _FLAGS,
)
MAX_SMALL_FIELDS = 6


@dataclass(frozen=True)
class ToolEvidence:
    """What the tools offered to a call say about the answer and the work."""

    count: int
    forced: bool  # tool_choice names a tool, or asks for any tool when there is one
    small_flat: bool  # every tool takes a few scalar fields, none of them free text
    agentic: bool  # code, file, shell, browser or write tools: real multi-step work
    fields: int  # the most fields any tool takes

    @property
    def answer(self) -> AnswerShape | None:
        """The answer is one small tool call when the call forces it or offers one tool."""
        if not self.small_flat or not (self.forced or self.count == 1):
            return None
        return AnswerShape(
            f"one tool call with {self.fields} small field(s)", 64 + 32 * self.fields
        )


def tool_evidence(tools: object, tool_choice: object) -> ToolEvidence | None:
    """None when the tools are not all known (an unresolved list or entry)."""
    if not isinstance(tools, list) or not tools:
        return None
    if not all(isinstance(tool, dict) and isinstance(tool.get("name"), str) for tool in tools):
        return None
    sizes = [_flat_fields(tool) for tool in tools]
    agentic = any(
        AGENT_TOOL.search(str(tool["name"])) or tool.get("type") not in (None, "custom")
        for tool in tools
    )
    forced = isinstance(tool_choice, dict) and (
        tool_choice.get("type") == "tool" or (tool_choice.get("type") == "any" and len(tools) == 1)
    )
    small_flat = all(size is not None for size in sizes)
    fields = max((size or 0 for size in sizes), default=0)
    return ToolEvidence(len(tools), bool(forced), small_flat, bool(agentic), fields)


def _flat_fields(tool: dict) -> int | None:
    """How many scalar, non-free-text fields the tool takes; None when it takes more."""
    schema = tool.get("input_schema")
    if not isinstance(schema, dict):
        return None
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties or len(properties) > MAX_SMALL_FIELDS:
        return None
    for name, spec in properties.items():
        if not isinstance(spec, dict) or not isinstance(name, str):
            return None
        kind = spec.get("type")
        if "enum" in spec:
            continue
        if kind not in SCALAR_TYPES:
            return None
        if kind == "string" and LONG_TEXT_FIELD.search(name):
            return None
    return len(properties)
