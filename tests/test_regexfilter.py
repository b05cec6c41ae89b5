"""The regex pre-filter: needles read from a pattern's parse, and never a missed match."""

from __future__ import annotations

import random
import re

from costlint import intent
from costlint.regexfilter import (
    ASCII_FOLDS,
    AllOf,
    AnyOf,
    LazyPattern,
    lazy_compile,
    may_match,
    requirement,
)

INTENT_PATTERNS = [pattern for _, _, pattern in intent.ANSWER_SHAPES + intent.SIMPLE_TASKS] + [
    intent.COMPLEX_WORK
]


def test_a_sequence_needs_each_of_its_parts_and_a_branch_one_alternative() -> None:
    pattern = re.compile(r"\b(?:answer|reply)\s+(?:yes|no)\b", re.IGNORECASE)
    assert requirement(pattern) == AllOf((AnyOf(("answer", "reply")), AnyOf(("yes", "no"))))


def test_consecutive_literals_are_one_needle() -> None:
    assert requirement(re.compile(r"ab\s+Sentence")) == AllOf(("ab", "sentence"))


def test_an_optional_part_needs_nothing() -> None:
    assert requirement(re.compile(r"(?:maybe)?\d+")) is None


def test_a_branch_with_an_alternative_without_literals_needs_nothing() -> None:
    assert requirement(re.compile(r"word|\d+")) is None


def test_a_match_needs_every_part_of_a_sequence() -> None:
    pattern = re.compile(r"\banswer\b.{0,20}\byes\b", re.IGNORECASE)
    assert not may_match(pattern, "Answer the question below.")
    assert may_match(pattern, "ANSWER: YES")


def test_case_sensitive_literals_are_compared_lowered() -> None:
    pattern = re.compile(r"Answer")
    assert may_match(pattern, "ANSWER? no") and not may_match(pattern, "a question")


def test_text_without_any_needle_cannot_match() -> None:
    pattern = re.compile(r"\bone[- ]word\b", re.IGNORECASE)
    assert not may_match(pattern, "Reply in a sentence.")
    assert may_match(pattern, "Reply in ONE WORD.")


def test_text_with_a_letter_that_folds_to_ascii_is_never_filtered() -> None:
    # Under IGNORECASE the Kelvin sign matches "k": a lowered substring test would miss it.
    pattern = re.compile(r"kind", re.IGNORECASE)
    text = "\u2026 \u212aind"
    assert pattern.search(text) and may_match(pattern, text)


def test_other_non_ascii_text_is_filtered() -> None:
    pattern = re.compile(r"\bone[- ]word\b", re.IGNORECASE)
    assert not may_match(pattern, "{question\u2026\u2026} caf\u00e9")


def test_ascii_folds_are_every_non_ascii_character_ignorecase_matches_with_ascii() -> None:
    ascii_any_case = re.compile(r"[\x00-\x7f]", re.IGNORECASE)
    folds = [chr(c) for c in range(128, 0x110000) if ascii_any_case.match(chr(c))]
    assert "".join(folds) == ASCII_FOLDS


def _phrases() -> list[str]:
    """Words and phrases the intent patterns' matches are made of."""
    return [
        "answer yes or no",
        "Reply with only the label",
        "respond with A or B",
        "one word",
        "in two sentences",
        "very briefly",
        'JSON {"a": 1}',
        "score it from 1 to 10",
        "step by step",
        "classify it as one of",
        "tl;dr",
        "positive, negative",
        "extract the name",
        "which team",
        '```json {"k": 1} ```',
        "return a list of three",
        "summarise in one sentence",
        "write a report",
        "explain why",
        "transcribe the printed text",
        "yes",
        "no",
        "say",
        "return",
        "sentence",
        "json",
        "only",
        "A or B",
        "design",
        "plan",
        "reply",
        "sentiment",
        "label the",
        "route",
    ]


def test_the_filter_never_hides_a_match_of_an_intent_pattern() -> None:
    rng = random.Random(18)
    pieces = _phrases() + [" ", "\n", ".", ",", "the", "data", "{x}", ":"]
    matched = set()
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        if rng.random() < 0.5:
            text = text.upper()
        for pattern in INTENT_PATTERNS:
            if pattern.search(text):
                matched.add(pattern.pattern)
                assert may_match(pattern, text), (pattern.pattern, text)
    assert matched == {pattern.pattern for pattern in INTENT_PATTERNS}  # each one was tried


def _module_patterns() -> list[object]:
    return [value for value in vars(intent).values() if isinstance(value, LazyPattern)]


def test_every_intent_pattern_reads_and_matches_as_its_compiled_form() -> None:
    lazy = _module_patterns() + INTENT_PATTERNS
    assert len({id(pattern) for pattern in lazy}) == 28  # every pattern of the module
    assert all(isinstance(pattern, LazyPattern) for pattern in lazy)
    texts = [
        "Answer yes or no: is the ticket urgent?",
        "Classify the sentiment of the review as positive, negative or neutral.",
        "Write a detailed report, step by step.",
        "Extract the email address. Respond with A or B. json only",
    ]
    for pattern in lazy:
        compiled = re.compile(pattern.pattern, pattern.flags)
        assert pattern.flags == compiled.flags
        for text in texts:
            assert [m.span() for m in pattern.finditer(text)] == [
                m.span() for m in compiled.finditer(text)
            ]
            found, expected = pattern.search(text), compiled.search(text)
            assert (found and found.span()) == (expected and expected.span())


def test_a_lazy_pattern_is_compiled_at_its_first_search_only() -> None:
    pattern = lazy_compile(r"\bsentiment\b", re.IGNORECASE)
    assert pattern._compiled is None
    assert not may_match(pattern, "Summarise the ticket.")  # the pre-filter reads the source
    assert pattern._compiled is None
    assert pattern.search("The SENTIMENT, please").span() == (4, 13)
    assert pattern._compiled is pattern.compiled()
    assert pattern.sub("x", "sentiment") == "x"  # the rest of re.Pattern, through the compiled
