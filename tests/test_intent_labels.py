"""Intent: input-section labels and comprehensive work are not simple tasks (issue 14, item 2)."""

from __future__ import annotations

from costlint.intent import simple_task


def test_a_label_naming_an_input_section_is_not_the_task():
    text = (
        "Ticker: ACME\n\nSentiment Analysis:\n{sentiment}\n\nIndustry Analysis:\n{industry}\n\n"
        "Based on the data, recommend whether to buy, hold, or sell."
    )
    assert simple_task(text) is None


def test_a_comprehensive_analysis_is_not_a_simple_task():
    text = "Classify the risk, then give a comprehensive investment analysis of the company."
    assert simple_task(text) is None


def test_a_sentiment_request_is_still_a_simple_task():
    task = simple_task("What is the sentiment of this review? {review}")
    assert task is not None and task.name == "sentiment"


def test_a_label_with_the_task_on_the_same_line_still_counts():
    task = simple_task("Sentiment: answer positive or negative for: {review}")
    assert task is not None
