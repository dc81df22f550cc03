"""The one spelling of an amount of USD that users see (tables, summaries, budget messages)."""

from __future__ import annotations

import math


def usd(value: float | None, total: bool = False) -> str:
    """$1.23 for totals and anything from a cent up; enough digits for sub-cent costs."""
    if value is None:
        return "—"
    if total or abs(value) >= 0.01 or value == 0:
        return f"${value:,.2f}"
    digits = max(6, 2 - math.floor(math.log10(abs(value))))  # 3 significant below 1e-6
    return f"${value:.{digits}f}".rstrip("0")
