"""Prompt-intent heuristics, including the false alarms seen on real repositories."""

from __future__ import annotations

import pytest

from costlint.intent import answer_shape, simple_task


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("Answer yes or no: is this email spam?", "yes/no"),
        ("Is this spam? Yes or no?", "yes/no"),
        ("Respond with only yes or no.", "yes/no"),
        ("Reply with a single word: the language of the text.", "one word"),
        ("Classify the ticket into one of: billing, bug. Respond with only the label.", "a label"),
        ("Rate the answer from 1 to 10. Return only the number.", "a number"),
        ("Summarize the ticket in one sentence.", "one sentence"),
        ("Output JSON only: {category, confidence}", "a small JSON object"),
    ],
)
def test_short_answers(text, shape):
    found = answer_shape(text)
    assert found is not None and found.name == shape


@pytest.mark.parametrize(
    "text",
    [
        # anthropic-cookbook third_party/Deepgram: the prompt forbids yes/no questions
        "Generate thoughtful, open-ended interview questions. Avoid yes/no questions.",
        "Answer yes or no and explain why in detail.",
        "Write a detailed report on the incident.",
        "You are a helpful assistant.",
        "",
    ],
)
def test_not_short_answers(text):
    assert answer_shape(text) is None


def test_simple_tasks_and_suggested_family():
    assert simple_task("Classify the sentiment of this review.").suggested_family == "haiku"
    assert simple_task("Extract the invoice date field.").suggested_family == "haiku"
    assert simple_task("Which team should handle it? Route the ticket.").name == "routing"
    assert simple_task("Summarize the article in one sentence.").suggested_family == "sonnet"
    assert simple_task("Review this pull request and explain how to fix each bug.") is None
    assert simple_task("Design an architecture for the billing service.") is None


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("Return just the number.", "a number"),
        ("Respond with A or B only.", "a choice between two answers"),
        ("Output [[A]] or [[B]].", "a choice between two answers"),
        ("Describe the product in two sentences.", "a few sentences"),
        ("Keep the answer very short.", "a very short answer"),
        (
            'Answer as:\n```json\n{"answer": "...", "confidence": 0.5}\n```',
            "a small fenced JSON answer",
        ),
        ("Check the step-by-step plan below. Answer yes or no.", "yes/no"),
    ],
)
def test_wider_short_answers(text, shape):
    found = answer_shape(text)
    assert found is not None and found.name == shape


@pytest.mark.parametrize(
    "text",
    [
        "Think step by step, then answer yes or no.",
        "Respond with a bulleted list of risks.",
        'Answer as:\n```json\n{"a": 1, "b": 2, "c": 3, "d": 4}\n```',
        "Describe the product in two paragraphs.",
    ],
)
def test_wider_not_short_answers(text):
    assert answer_shape(text) is None


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("Return only the number of people in the photo.", "a numeric answer"),
        ("Which response is better? Output A or B.", "pairwise judging"),
        ("Transcribe the typed text in this image.", "transcription"),
        ("Give me a JSON list of 5 city names.", "a short JSON list"),
    ],
)
def test_wider_simple_tasks(text, task):
    found = simple_task(text)
    assert found is not None and found.name == task


def test_input_described_as_complex_does_not_veto():
    assert simple_task("Classify the detailed report below as spam or not spam.") is not None
    assert simple_task("Classify the ticket, then write a detailed report.") is None


SCORECARD = (
    "Score each category from 0 to 10.\n"
    "Return ONLY valid JSON with this exact structure:\n"
    '{\n  "overall_score": 5,\n'
    '  "opener": {"score": 5, "feedback": "..."},\n'
    '  "closing": {"score": 5, "feedback": "..."},\n'
    '  "best_moment": "...",\n  "biggest_mistake": "..."\n}'
)


def test_a_json_template_of_many_keys_is_not_a_short_answer():
    """A scorecard: the score range alone would read as 'a number', the template asks for
    per-category feedback (seen on a FastAPI sales-coaching app)."""
    assert answer_shape(SCORECARD) is None


def test_json_data_in_the_input_does_not_hide_a_short_answer():
    record = ", ".join(f'"field_{i}": {i}' for i in range(10))
    text = f"Here is the record: {{{record}}}\n"
    text += "Rate the record from 1 to 10. Return only the number."
    found = answer_shape(text)
    assert found is not None and found.name == "a number"
