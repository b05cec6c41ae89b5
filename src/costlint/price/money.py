"""Money and shares as reports print them."""

from __future__ import annotations

MONEY_DECIMALS = 6  # what a saved JSON report keeps (``money``)
# Two amounts that agree to the saved report's precision are the same amount: one unit of its
# last decimal covers the rounding of both sides (diff --base-report compares against it).
MONEY_TOLERANCE = 10.0**-MONEY_DECIMALS


def percent(share: float) -> str:
    """A share as a percentage that never rounds a near-certainty up to 100%."""
    if 0.995 <= share < 1:
        return ">99%"
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def dollars(amount: float) -> str:
    """Dollars for people: cents from $1 up ("$1,234.56"), three digits below ("$0.115"),
    and ``<$0.01`` for any amount under a cent (never "$0." nor a row of zeros)."""
    if abs(amount) >= 1:
        return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"
    if 0 < abs(amount) < 0.01:
        return "<$0.01" if amount > 0 else "-<$0.01"
    from ..units import usd as fmt

    return fmt(amount)


def money(amount: float | None) -> str | None:
    """A decimal string for JSON/SARIF: up to 6 decimals, at least 2 ("12.50", "0.00115")."""
    if amount is None:
        return None
    text = f"{amount:.{MONEY_DECIMALS}f}".rstrip("0")
    whole, _, frac = text.partition(".")
    if whole in ("-0", "") and not frac.strip("0"):
        whole = "0"
    return f"{whole}.{frac.ljust(2, '0')}"
