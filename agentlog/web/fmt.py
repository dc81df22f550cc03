"""How the templates spell numbers, money, times and links (filters of the Jinja2 env)."""

from __future__ import annotations

import calendar
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Undefined

from agentlog.money import usd
from agentlog.timeutil import format_local, get_zone

HERE = Path(__file__).parent


def _missing(value) -> bool:
    """None, or a key a stored JSON object does not have (older rows lack newer keys)."""
    return value is None or isinstance(value, Undefined)


def money(value) -> str:
    return "–" if _missing(value) else usd(value)


def number(value) -> str:
    if _missing(value):
        return "–"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)


def pct(value) -> str:
    return "–" if _missing(value) else f"{value:.1%}"


def ms(value) -> str:
    if _missing(value):
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def change(value) -> str:
    if _missing(value):
        return ""
    return "±0%" if abs(value) < 0.005 else f"{value:+.0%}"


def local(value, zone=None, spelled: str = "%Y-%m-%d %H:%M:%S") -> str:
    return "–" if _missing(value) or not value else format_local(value, zone, spelled)


def kpi(item: dict) -> str:
    key, value = item["key"], item["value"]
    if key in ("success_rate", "cache_hit_rate", "fallback_rate"):
        return pct(value)
    if key == "total_cost":
        return money(value)
    return ms(value) if key in ("p50", "p95") else number(value)


def pretty(value) -> str:
    """JSON indented; a string that holds JSON (tool arguments as the model sent them) too."""
    import json

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


FILTERS = {"money": money, "number": number, "pct": pct, "ms": ms, "change": change,
           "local": local, "kpi": kpi, "pretty": pretty}


def linker(request):
    """`link(sort='-cost', after=None)`: this page's URL with some parameters replaced (None
    drops one); `link(path='/export/csv')` keeps the parameters on another path."""

    def link(path: str | None = None, changes: dict | None = None, **more) -> str:
        changes = {**(changes or {}), **more}
        keep = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
        keep += [(k, str(v)) for k, v in changes.items() if v is not None]
        return (path or request.url.path) + ("?" + urlencode(keep) if keep else "")

    return link


def projected(row: dict, now: datetime, timezone: str | None) -> float | None:
    """Month-end spend of a monthly budget at the rate so far (None for a daily one)."""
    if row["period"] != "monthly":
        return None
    local_now = now.astimezone(get_zone(timezone))
    days = calendar.monthrange(local_now.year, local_now.month)[1]
    elapsed = (local_now.day - 1) + (local_now.hour * 3600 + local_now.minute * 60) / 86400
    return row["spent"] * days / elapsed if elapsed > 0 else None
