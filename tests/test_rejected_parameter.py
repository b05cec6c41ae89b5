"""CL011 rejected-parameter: severity from the pinned SDK, and "failing now" in pricing."""

from __future__ import annotations

import pytest
from helpers import scan

from costlint.price import price_run

SAMPLED = """
import anthropic
client = anthropic.Anthropic()


def summarize(text):
    return client.messages.create(
        model="claude-sonnet-5-5", max_tokens=512, temperature=0.0, top_k=5,
        messages=[{"role": "user", "content": text}],
    )
"""


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


@pytest.mark.parametrize(
    ("pins", "severity", "failing"),
    [
        ({}, "warning", False),  # no pin: the call works on API version 2023-06-01
        ({"requirements.txt": "anthropic>=0.40\n"}, "warning", False),  # could be either
        ({"requirements.txt": "anthropic==0.75.0\n"}, "warning", False),
        ({"requirements.txt": "anthropic>=2.0\n"}, "error", True),
        ({"uv.lock": '[[package]]\nname = "anthropic"\nversion = "2.14.0"\n'}, "error", True),
    ],
)
def test_severity_and_failing_follow_the_pinned_sdk(tmp_path, pins, severity, failing):
    result = scan(tmp_path, {"app.py": SAMPLED, **pins})
    (finding,) = [f for f in result.findings if f.rule == "CL011"]
    assert finding.severity == severity
    assert "`temperature` and `top_k`" in finding.message  # default values count too
    assert finding.fix.startswith("remove `temperature` and `top_k`")
    assert "2023-06-01" in finding.fix  # or pin the older API version
    costs = price_run(result)
    (site,) = costs.sites
    if failing:
        assert site.failing is not None and "temperature, top_k rejected" in site.failing
        assert site.fix == finding.fix
        assert costs.failing == [site] and costs.total_now == 0
    else:
        assert site.failing is None and site.now is not None and site.now > 0
        assert costs.priced == [site]


def test_a_call_without_sampling_parameters_is_not_flagged(tmp_path):
    clean = SAMPLED.replace("temperature=0.0, top_k=5,", "")
    result = scan(tmp_path, {"app.py": clean, "requirements.txt": "anthropic==2.1\n"})
    assert [f.rule for f in result.findings if f.rule == "CL011"] == []


def test_the_pin_is_part_of_the_cached_analysis(tmp_path):
    """A cached finding must not keep the severity of a pin that changed since."""
    from costlint.config import load_config
    from costlint.pipeline import RunOptions, run

    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(SAMPLED)
    options = RunOptions(cwd=tmp_path, use_cache=True)
    first = run(load_config(tmp_path), options)
    assert [f.severity for f in first.findings if f.rule == "CL011"] == ["warning"]
    (tmp_path / "requirements.txt").write_text("anthropic==2.2.0\n")
    second = run(load_config(tmp_path), options)
    assert [f.severity for f in second.findings if f.rule == "CL011"] == ["error"]
