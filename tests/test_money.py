"""Money that reads right (issue 16 point 7): tiny amounts and the diff's tolerance."""

from __future__ import annotations

from costlint.diff import SiteRecord, _same
from costlint.price import dollars, money


def test_amounts_under_a_cent_print_as_less_than_a_cent() -> None:
    assert dollars(0.004) == "<$0.01"
    assert dollars(0.000001) == "<$0.01"  # was "$0."
    assert dollars(-0.003) == "-<$0.01"
    assert dollars(0) == "$0"
    assert dollars(0.01) == "$0.010"
    assert dollars(12.5) == "$12.50"


def test_a_site_read_back_from_a_saved_report_is_unchanged() -> None:
    fresh = 0.0123456789
    saved = float(money(fresh))  # what --base-report reads: 6 decimals
    assert saved != fresh
    old = SiteRecord("a.py::f", "a.py", "claude-haiku-5-5", saved)
    new = SiteRecord("a.py::f", "a.py", "claude-haiku-5-5", fresh)
    assert _same(old, new)
    moved = SiteRecord("a.py::f", "a.py", "claude-haiku-5-5", fresh + 0.00001)
    assert not _same(old, moved)
