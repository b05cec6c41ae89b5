"""Money and shares as reports print them."""

from __future__ import annotations


def percent(share: float) -> str:
    """A share as a percentage that never rounds a near-certainty up to 100%."""
    if 0.995 <= share < 1:
        return ">99%"
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def dollars(amount: float) -> str:
    """Dollars for people: cents from $1 up ("$1,234.56"), more digits below ("$0.00115")."""
    if abs(amount) >= 1:
        return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"
    from ..units import usd as fmt

    return fmt(amount)


def money(amount: float | None) -> str | None:
    """A decimal string for JSON/SARIF: up to 6 decimals, at least 2 ("12.50", "0.00115")."""
    if amount is None:
        return None
    text = f"{amount:.6f}".rstrip("0")
    whole, _, frac = text.partition(".")
    if whole in ("-0", "") and not frac.strip("0"):
        whole = "0"
    return f"{whole}.{frac.ljust(2, '0')}"
