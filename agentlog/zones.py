"""Time zones by name: IANA keys, the system's zone (TZ, /etc/localtime) and POSIX TZ rules
(`CET-1CEST,M3.5.0,M10.5.0/3`), which zoneinfo does not read."""

from __future__ import annotations

import calendar
import os
import re
import time as _time
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc

def _zone_key_from_path(path: str) -> str | None:
    """Extract an IANA key from a path like ``/usr/share/zoneinfo/Europe/Berlin``."""
    marker = "zoneinfo/"
    idx = path.rfind(marker)
    if idx == -1:
        return None
    return path[idx + len(marker) :] or None


def _try_zone(key: str | None) -> ZoneInfo | None:
    if not key:
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


_POSIX_RULE = re.compile(r"(<[^>]+>|[A-Za-z]{3,})[+-]?\d")  # CET-1CEST,M3.5.0,M10.5.0/3


class PosixZone(tzinfo):
    """A POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`), which zoneinfo cannot read, as the C
    library reads it: its offsets come from _time.localtime under that $TZ."""

    def __init__(self, rule: str):
        self.rule = rule
        _time.tzset()

    def _at(self, timestamp: float) -> _time.struct_time:
        return _time.localtime(timestamp)

    def _local_timestamp(self, dt: datetime) -> float:
        return _time.mktime((dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, 0, 0, -1))

    def utcoffset(self, dt):
        return None if dt is None else \
            timedelta(seconds=self._at(self._local_timestamp(dt)).tm_gmtoff)

    def dst(self, dt):
        if dt is None:
            return None
        return timedelta(hours=1) if self._at(self._local_timestamp(dt)).tm_isdst > 0 \
            else timedelta(0)

    def tzname(self, dt):
        return None if dt is None else self._at(self._local_timestamp(dt)).tm_zone

    def fromutc(self, dt):
        stamp = calendar.timegm(dt.replace(tzinfo=None).timetuple())
        return dt + timedelta(seconds=self._at(stamp).tm_gmtoff)

    def __str__(self) -> str:
        return self.rule

    __repr__ = __str__


def _local_zone() -> tzinfo:
    """Best-effort system zone: TZ env var (an IANA name or a POSIX rule), /etc/localtime,
    then a fixed offset."""
    env = os.environ.get("TZ", "").strip()
    if env:
        key = env[1:] if env.startswith(":") else env
        if key.startswith("/"):
            key = _zone_key_from_path(key) or ""
        zone = _try_zone(key)
        if zone is not None:
            return zone
        if _POSIX_RULE.match(env):
            return PosixZone(env)
    localtime = "/etc/localtime"
    if os.path.exists(localtime):
        zone = _try_zone(_zone_key_from_path(os.path.realpath(localtime)))
        if zone is not None:
            return zone
        try:
            with open("/etc/timezone", encoding="utf-8") as fh:
                zone = _try_zone(fh.read().strip())
        except OSError:
            zone = None
        if zone is not None:
            return zone
        try:
            with open(localtime, "rb") as fh:
                return ZoneInfo.from_file(fh, key="localtime")
        except (OSError, ValueError):
            pass
    fallback = datetime.now().astimezone().tzinfo
    return fallback if fallback is not None else UTC


def get_zone(name: str | None) -> tzinfo:
    """Return the zone for an IANA name; None (or "local") means the system zone.

    Raises ValueError("unknown timezone 'X'") for names that cannot be resolved.
    """
    if name is None or name == "local":
        return _local_zone()
    zone = _try_zone(name.strip()) if isinstance(name, str) else None
    if zone is None:
        raise ValueError(f"unknown timezone {name!r}")
    return zone


# --- durations and points in time ----------------------------------------
