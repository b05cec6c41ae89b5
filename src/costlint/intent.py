"""What a prompt asks for, read from its text: a short answer? a simple task? long-form work?

Used by CL001 (how many output tokens the answer needs) and CL004 (whether a cheaper model
fits). Only the resolved, stable text is read; placeholders are ignored. The patterns are
deliberately narrow: a missed finding is cheaper than a false alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_FLAGS = re.IGNORECASE

# Answer shapes -> a generous cap (tokens) for the answer they describe.
ANSWER_SHAPES: list[tuple[str, int, re.Pattern[str]]] = [
    (
        "yes/no",
        16,
        re.compile(
            r"\b(?:answer|respond|reply|return|output|say|print|decide)\b[^.\n]{0,50}?"
            r"\b(?:yes|true)\s*(?:or|/)\s*(?:no|false)\b"
            r"|\b(?:\"yes\"|'yes'|yes)\s*(?:or|/)\s*(?:\"no\"|'no'|no)\s*(?:only\b|[?:])"
            r"|\bonly\s+[\"']?(?:yes|no)[\"']?\s+or\s+[\"']?(?:yes|no)\b",
            _FLAGS,
        ),
    ),
    ("one word", 16, re.compile(r"\b(?:one|single|1)[- ]word\b", _FLAGS)),
    (
        "a number",
        16,
        re.compile(
            r"\b(?:only|just)\s+(?:a|the|one)\s+(?:number|integer|digit|score|rating)\b"
            r"|\b(?:score|rate|rating)\b[^.\n]{0,60}\bfrom\s+\d+\s+to\s+\d+\b",
            _FLAGS,
        ),
    ),
    (
        "a label",
        32,
        re.compile(
            r"\b(?:only|just)\s+(?:the|a|one)\s+(?:label|category|class|tag|intent|team|department)"
            r"|\b(?:classify|categori[sz]e)\b[^.\n]{0,80}\b(?:into|as)\s+(?:one\s+of|either)\b"
            r"|\brespond\s+with\s+(?:only\s+)?(?:one\s+of|the\s+(?:label|category))\b"
            r"|\b(?:positive|negative)\s*(?:,|or)\s*(?:neutral|negative|positive)\b",
            _FLAGS,
        ),
    ),
    ("one sentence", 128, re.compile(r"\b(?:one|a\s+single|1|single)\s+sentence\b", _FLAGS)),
    (
        "a small JSON object",
        256,
        re.compile(
            r"\bjson\b[^.\n]{0,40}\{\s*\"?\w+\"?\s*(?::[^,}]{0,30})?\s*(?:,\s*\"?\w+\"?\s*"
            r"(?::[^,}]{0,30})?\s*){0,5}\}"
            r"|\bjson\s+only\b|\bonly\s+(?:valid\s+)?json\b",
            _FLAGS,
        ),
    ),
]

SIMPLE_TASKS: list[tuple[str, str, re.Pattern[str]]] = [
    ("sentiment", "haiku", re.compile(r"\bsentiment\b", _FLAGS)),
    (
        "classification",
        "haiku",
        re.compile(
            r"\b(?:classify|classifier|categori[sz]e|categori[sz]ation|label\s+the)\b", _FLAGS
        ),
    ),
    (
        "extraction",
        "haiku",
        re.compile(
            r"\bextract\s+(?:the\s+|a\s+|all\s+)?[\w\s]{0,30}\b(?:field|name|date|email|address|"
            r"amount|number|id|title|entities|entity|values?)\b",
            _FLAGS,
        ),
    ),
    (
        "routing",
        "haiku",
        re.compile(r"\b(?:route|routing|which\s+(?:team|queue|department))\b", _FLAGS),
    ),
    ("a yes/no answer", "haiku", ANSWER_SHAPES[0][2]),
    (
        "a one-sentence summary",
        "sonnet",
        re.compile(
            r"\bsummari[sz]e\b[^.\n]{0,60}\b(?:one|a\s+single|1)\s+sentence\b|\btl;?dr\b", _FLAGS
        ),
    ),
]

# Long-form or multi-step work: never a short answer, never model overkill.
COMPLEX_WORK = re.compile(
    r"\bwrite\s+(?:a\s+|an\s+|the\s+)?(?:detailed\s+|long\s+|full\s+)?(?:essay|report|article|"
    r"blog|story|document|code|function|program|proposal)"
    r"|\bexplain\s+(?:why|how|your|the\s+reason)|\bjustify\b|\byour\s+reasoning\b"
    r"|\bstep[- ]by[- ]step\b|\bin\s+detail\b|\bdetailed\s+(?:analysis|explanation|report)"
    r"|\belaborate\b|\b(?:code|design|security|pull\s+request|PR)\s+review"
    r"|\breview\s+(?:the|this)\s+(?:code|diff|pull\s+request|design|architecture|patch)"
    r"|\bdesign\s+(?:a|an|the)\b|\barchitect\b|\brefactor|\bdebug|\bimplement\b"
    r"|\b(?:generate|create|write|produce)\s+(?:a\s+|an\s+)?(?:series|list|set)\s+of\b"
    r"|\bmulti-step\b|\bplan\s+(?:a|the|your)\b|\btranslate\b|\bin\s+depth\b",
    _FLAGS,
)


@dataclass(frozen=True)
class AnswerShape:
    name: str
    cap: int  # a generous max_tokens for that answer


@dataclass(frozen=True)
class SimpleTask:
    name: str
    suggested_family: str  # "haiku" or "sonnet"


NEGATION = re.compile(r"\b(?:avoid|not|never|don't|do\s+not|without|instead\s+of)\b", _FLAGS)


def _affirmed(text: str, pattern: re.Pattern[str]) -> bool:
    """A match that is not negated just before it ("avoid yes/no questions")."""
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        if not NEGATION.search(before):
            return True
    return False


@lru_cache(maxsize=1024)  # the same system prompt is often sent by many call sites
def answer_shape(text: str) -> AnswerShape | None:
    """The short answer a prompt asks for, or None when it asks for more (or we can't tell)."""
    if not text or COMPLEX_WORK.search(text):
        return None
    for name, cap, pattern in ANSWER_SHAPES:
        if _affirmed(text, pattern):
            return AnswerShape(name, cap)
    return None


@lru_cache(maxsize=1024)
def simple_task(text: str) -> SimpleTask | None:
    """A simple task (classify, sentiment, extract, yes/no, route, one-sentence summary)."""
    if not text or COMPLEX_WORK.search(text):
        return None
    for name, family, pattern in SIMPLE_TASKS:
        if _affirmed(text, pattern):
            return SimpleTask(name, family)
    return None
