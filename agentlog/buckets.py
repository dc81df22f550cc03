"""Contiguous local calendar units (hours, days, Monday weeks, months) covering a time range:
the rows of `report trend`. Each bucket is (local label, UTC start, UTC end)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from agentlog.timeutil import UTC, _local_midnight, _resolve_now

UNITS = ("hour", "day", "week", "month")


def _first_day(d: date, unit: str) -> date:
    if unit == "week":
        return d - timedelta(days=d.weekday())
    return d.replace(day=1) if unit == "month" else d


def _step(d: date, unit: str, n: int = 1) -> date:
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(weeks=n)
    months = d.year * 12 + d.month - 1 + n
    return date(months // 12, months % 12 + 1, 1)


class TooMany(ValueError):
    """More buckets than a report draws."""


def covering(unit: str, tz: tzinfo, count: int, since: datetime | None = None,
             until: datetime | None = None, now: datetime | None = None,
             limit: int = 1000) -> list[tuple]:
    """The units from the one holding `since` to the one holding the last instant before
    `until` (or now, whichever is earlier); without `since`, the last `count` of them.
    Hours step in UTC, so on a DST change a local label may repeat or be skipped."""
    now = _resolve_now(now)
    last = min(until - timedelta(microseconds=1), now) if until else now
    if unit == "hour":
        end = last.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        start = (since.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
                 if since else end - timedelta(hours=count - 1))
        n = int((end - start) / timedelta(hours=1)) + 1
        if n > limit:
            raise TooMany(f"{n:,} hours")
        return [((start + timedelta(hours=i)).astimezone(tz), start + timedelta(hours=i),
                 start + timedelta(hours=i + 1)) for i in range(max(n, 0))]
    final = _first_day(last.astimezone(tz).date(), unit)
    first = _first_day(since.astimezone(tz).date(), unit) if since else \
        _step(final, unit, -(count - 1))
    out = []
    while first <= final:
        if len(out) == limit:
            raise TooMany(f"more than {limit:,} {unit}s")
        following = _step(first, unit)
        out.append((first, _local_midnight(first, tz), _local_midnight(following, tz)))
        first = following
    return out
