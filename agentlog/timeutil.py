"""Time handling for agentlog: storage format, zones, durations and periods.

Stored times are UTC ISO 8601 strings with milliseconds and a ``Z`` suffix,
e.g. ``2026-11-23T10:00:00.123Z``; they sort correctly as plain strings.
Calendar boundaries (days, weeks, months) are local midnights in a chosen
zone, converted to UTC, so DST days of 23 or 25 hours are handled.

Standard library only: this module is imported by fast read-only commands.

The clock: ``utcnow()`` is the only source of "now". When the environment variable
``AGENTLOG_NOW`` holds a timestamp (e.g. ``2026-11-25T03:00:00Z``), the clock is frozen there,
so that tests and examples of ``--today`` or ``--since 2h`` are reproducible. Never set it for
real use: every execution would be logged at that instant.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone, tzinfo

from agentlog.zones import get_zone

__all__ = [
    "PERIODS",
    "day_bounds",
    "day_buckets",
    "format_local",
    "get_zone",
    "hour_buckets",
    "now_iso",
    "parse_date",
    "parse_duration",
    "parse_iso",
    "parse_point",
    "period_bounds",
    "to_iso",
    "utcnow",
]

UTC = timezone.utc

#: Period names accepted by :func:`period_bounds`.
PERIODS: tuple[str, ...] = (
    "today",
    "yesterday",
    "this-week",
    "this-month",
    "last-7-days",
    "last-30-days",
    "all",
)

_DURATION_HINT = "use e.g. 90m, 2h, 7d, 2w"
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_RE = re.compile(r"(?:\d+[smhdw])+")
_DURATION_PART_RE = re.compile(r"(\d+)([smhdw])")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2})"
    r":(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})"
)


def _build_datetime(m: re.Match[str]) -> datetime:
    """Build a datetime from a _DATETIME_RE/_ISO_RE match (naive if no offset).

    Parsed by hand rather than with fromisoformat, whose accepted forms vary
    between Python versions. Raises ValueError for out-of-range fields.
    """
    tz: tzinfo | None = None
    off = m.group("tz")
    if off is not None:
        if off.upper() == "Z":
            tz = UTC
        else:
            digits = off[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            tz = timezone(-delta if off[0] == "-" else delta)
    return datetime(
        int(m.group("y")),
        int(m.group("mo")),
        int(m.group("d")),
        int(m.group("h")),
        int(m.group("mi")),
        int(m.group("s") or 0),
        int((m.group("f") or "0").ljust(6, "0")),
        tzinfo=tz,
    )


# --- storage format -------------------------------------------------------


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (frozen by ``AGENTLOG_NOW``)."""
    frozen = os.environ.get("AGENTLOG_NOW")
    if frozen:
        try:
            return parse_iso(frozen)
        except ValueError as exc:
            raise ValueError(f"AGENTLOG_NOW: {exc}") from None
    return datetime.now(UTC)


def to_iso(dt: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC.

    Sub-millisecond precision is truncated. Naive datetimes are rejected.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime not allowed: {dt!r}")
    u = dt.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond // 1000:03d}Z"
    )


def now_iso() -> str:
    """Return the current time in storage format."""
    return to_iso(utcnow())


def parse_iso(s: str) -> datetime:
    """Parse a storage-format timestamp (millis optional) to an aware UTC datetime."""
    m = _ISO_RE.fullmatch(s.strip()) if isinstance(s, str) else None
    try:
        if m is None:
            raise ValueError
        dt = _build_datetime(m)
    except ValueError:
        raise ValueError(
            f"invalid timestamp {s!r} (expected e.g. 2026-11-23T10:00:00.123Z)"
        ) from None
    return dt.astimezone(UTC)


def format_local(when: datetime | str, tz: tzinfo | str | None,
                 fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """The one way a time is shown: `when` (a datetime or a stored UTC string) as local time
    in `tz` (a zone, its name, or None for the system's), spelled by strftime's `fmt`."""
    moment = parse_iso(when) if isinstance(when, str) else when
    zone = tz if isinstance(tz, tzinfo) else get_zone(tz)
    return moment.astimezone(zone).strftime(fmt)


def parse_duration(text: str) -> timedelta:
    """Parse ``90s``, ``90m``, ``2h``, ``7d``, ``2w`` or combinations like ``1h30m``."""
    raw = text.strip().lower() if isinstance(text, str) else ""
    if not raw or not _DURATION_RE.fullmatch(raw):
        raise ValueError(f"invalid duration {text!r} ({_DURATION_HINT})")
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART_RE.findall(raw))
    if seconds <= 0:
        raise ValueError(f"invalid duration {text!r}: must be positive ({_DURATION_HINT})")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"invalid duration {text!r}: too large") from None


def _resolve_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)


def _local_today(tz: tzinfo, now: datetime | None) -> date:
    return _resolve_now(now).astimezone(tz).date()


def _local_midnight(d: date, tz: tzinfo) -> datetime:
    """UTC instant at which local calendar day d starts in tz."""
    return datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(UTC)


def parse_point(text: str, tz: tzinfo, now: datetime | None = None) -> datetime:
    """Parse a ``--since/--until`` value to an aware UTC datetime.

    Accepts a date (local midnight in tz), a datetime (local in tz unless it
    has an offset or Z), a duration before now (90m, 2h, 7d, 2w), or the
    words today, yesterday and now.
    """
    raw = text.strip() if isinstance(text, str) else ""
    word = raw.lower()
    if word == "now":
        return _resolve_now(now)
    if word == "today":
        return _local_midnight(_local_today(tz, now), tz)
    if word == "yesterday":
        return _local_midnight(_local_today(tz, now) - timedelta(days=1), tz)
    if _DURATION_RE.fullmatch(word):
        try:
            return _resolve_now(now) - parse_duration(raw)
        except OverflowError:
            raise ValueError(f"invalid duration {text!r}: reaches before year 1") from None
    try:
        if _DATE_RE.fullmatch(raw):
            return _local_midnight(date.fromisoformat(raw), tz)
        m = _DATETIME_RE.fullmatch(raw)
        if m is not None:
            dt = _build_datetime(m)
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=tz)
            return dt.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"invalid date/time {text!r}: {exc}") from None
    raise ValueError(
        f"invalid time {text!r} (use a date like 2026-11-01, a datetime like "
        f"2026-11-01T10:30, a duration like 90m, 2h, 7d, 2w, "
        f"or today, yesterday, now)"
    )


def parse_date(text: str) -> date:
    """Parse a ``YYYY-MM-DD`` calendar date."""
    raw = text.strip() if isinstance(text, str) else ""
    if _DATE_RE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ValueError(f"invalid date {text!r} (use YYYY-MM-DD, e.g. 2026-11-01)")


# --- calendar periods and buckets ----------------------------------------


def day_bounds(d: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """UTC [start, end) of local calendar day d in tz (23-25 hours on DST days)."""
    return _local_midnight(d, tz), _local_midnight(d + timedelta(days=1), tz)


def period_bounds(
    name: str, tz: tzinfo, now: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """UTC [start, end) of a named calendar period; ``all`` gives (None, None).

    Periods: today, yesterday, this-week (Monday start), this-month,
    last-7-days and last-30-days (calendar days including today), all.
    """
    key = name.strip().lower().replace("_", "-") if isinstance(name, str) else ""
    if key == "all":
        return None, None
    if key not in PERIODS:
        raise ValueError(f"unknown period {name!r} (valid: {', '.join(PERIODS)})")
    today = _local_today(tz, now)
    one_day = timedelta(days=1)
    if key == "today":
        return day_bounds(today, tz)
    if key == "yesterday":
        return day_bounds(today - one_day, tz)
    if key == "this-week":
        monday = today - timedelta(days=today.weekday())
        return (
            _local_midnight(monday, tz),
            _local_midnight(monday + timedelta(days=7), tz),
        )
    if key == "this-month":
        first = today.replace(day=1)
        if first.month == 12:
            nxt = date(first.year + 1, 1, 1)
        else:
            nxt = date(first.year, first.month + 1, 1)
        return _local_midnight(first, tz), _local_midnight(nxt, tz)
    days = 7 if key == "last-7-days" else 30
    return (
        _local_midnight(today - timedelta(days=days - 1), tz),
        _local_midnight(today + one_day, tz),
    )


def day_buckets(
    days: int, tz: tzinfo, now: datetime | None = None
) -> list[tuple[date, datetime, datetime]]:
    """The last N local calendar days, oldest first, ending today.

    Each item is (local date, UTC start, UTC end); buckets are contiguous.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    today = _local_today(tz, now)
    out = []
    for back in range(days - 1, -1, -1):
        d = today - timedelta(days=back)
        start, end = day_bounds(d, tz)
        out.append((d, start, end))
    return out


def hour_buckets(
    hours: int, tz: tzinfo, now: datetime | None = None
) -> list[tuple[datetime, datetime, datetime]]:
    """The last N clock hours, oldest first, ending with the current hour.

    Each item is (local start as an aware datetime in tz, for labels;
    UTC start; UTC end). Buckets are contiguous one-hour spans, so on a DST
    change a local hour label may repeat or be skipped.
    """
    if hours < 1:
        raise ValueError(f"hours must be at least 1, got {hours}")
    local = _resolve_now(now).astimezone(tz)
    current = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    hour = timedelta(hours=1)
    out = []
    for back in range(hours - 1, -1, -1):
        start = current - back * hour
        out.append((start.astimezone(tz), start, start + hour))
    return out
