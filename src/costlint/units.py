"""Formatting money and token counts the same way everywhere."""

from __future__ import annotations


def usd(amount: float) -> str:
    """Dollars with enough precision to be meaningful for per-call amounts."""
    if amount == 0:
        return "$0"
    if abs(amount) >= 100:
        return f"${amount:,.0f}"
    if abs(amount) >= 1:
        return f"${amount:,.2f}"
    if abs(amount) >= 0.01:
        return f"${amount:.3f}"
    return f"${amount:.5f}".rstrip("0")


def per_mtok(price: float) -> str:
    text = f"{price:.3f}".rstrip("0").rstrip(".")
    return f"${text}"


def tokens(count: int) -> str:
    return f"{count:,}"


def ratio(big: float, small: float) -> str:
    """'40x' style ratio of two prices."""
    if small <= 0:
        return "n/a"
    value = big / small
    return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"
