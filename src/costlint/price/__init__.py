"""Pricing: the cost model's formulas, what each kind of fix is worth, and a run's cost report.

``formulas`` (tokens x price x volume), ``fixplans`` (fix kind -> pricing function),
``costs`` (the result types), ``run`` (price_run, price_site), ``money`` (formatting).
The formulas are written down in docs/cost-model.md.
"""

from __future__ import annotations

from .costs import Assumptions, CostReport, FindingCost, SiteCost
from .money import dollars, money, percent
from .run import price_run, price_site

__all__ = [
    "Assumptions",
    "CostReport",
    "FindingCost",
    "SiteCost",
    "dollars",
    "money",
    "percent",
    "price_run",
    "price_site",
]
