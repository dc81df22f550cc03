"""The one spelling of an amount of USD that users see (tables, summaries, budget messages).

From a dollar up: two decimals with thousands separators ($12.35, $1,234.50). Below a dollar:
three significant digits with trailing zeros dropped but never fewer than two decimals
($0.50, $0.0146, $0.00384, $0.0027, $0.000013), so a non-zero amount never reads `$0.00`.
"""

from __future__ import annotations

import math


def usd(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "$0.00"
    sign, size = ("-" if value < 0 else ""), abs(value)
    if size >= 0.9995:  # rounds to $1.00 or more
        return f"{sign}${size:,.2f}"
    decimals = 2 - math.floor(math.log10(size))
    text = f"{size:.{decimals}f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{sign}${whole}.{frac.ljust(2, '0')}"
