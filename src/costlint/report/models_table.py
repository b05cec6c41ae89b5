"""`costlint models`: the catalog as a table, with its age."""

from __future__ import annotations

from typing import Any

from ..units import per_mtok

COLUMNS = ("model", "status", "in", "out", "5m write", "1h write", "read", "context", "max out",
           "min cache", "retires")  # fmt: skip


def _price(value: float | None) -> str:
    return per_mtok(value) if value is not None else "-"


def _number(value: int | None) -> str:
    if value is None:
        return "-"
    return f"{value // 1000}k" if value >= 1000 and value % 1000 == 0 else f"{value:,}"


def rows(catalog: Any, show_all: bool) -> list[tuple[str, ...]]:
    result = []
    for model in catalog.models():
        if model.status == "retired" and not show_all:
            continue
        prices = model.prices
        result.append(
            (
                model.id,
                model.status,
                _price(prices.input if prices else None),
                _price(prices.output if prices else None),
                _price(prices.cache_write_5m if prices else None),
                _price(prices.cache_write_1h if prices else None),
                _price(prices.cache_read if prices else None),
                _number(model.context_window),
                _number(model.max_output),
                _number(model.min_cacheable),
                model.retirement
                or (f">= {model.retirement_floor}" if model.retirement_floor else "-"),
            )
        )
    return result


def render_models(catalog: Any, show_all: bool = False) -> str:
    table = [COLUMNS, *rows(catalog, show_all)]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table
    ]
    age = catalog.age_days()
    lines.append("")
    lines.append(
        f"Prices in USD per million tokens. Catalog verified {catalog.verified} ({age} days ago)"
        + (f", prices as of {catalog.prices_as_of}" if catalog.prices_as_of else "")
        + ("" if show_all else "; retired models hidden (--all shows them)")
        + "."
    )
    if age > 60:
        lines.append("Warning: the catalog is more than 60 days old; prices may have changed.")
    return "\n".join(lines) + "\n"
