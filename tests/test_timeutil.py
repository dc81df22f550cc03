"""Tests for agentlog.timeutil: storage format, zones, durations, points in time and dates
(calendar periods and buckets: test_periods.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentlog import timeutil as tu

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
AUCKLAND = ZoneInfo("Pacific/Auckland")
LA = ZoneInfo("America/Los_Angeles")
KOLKATA = ZoneInfo("Asia/Kolkata")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Monday 2026-11-23 10:00 UTC = 11:00 in Berlin (CET, +01:00).
NOW = utc(2026, 11, 23, 10, 0)


# --- storage format -------------------------------------------------------


def test_to_iso_writes_utc_with_millis_and_z():
    assert tu.to_iso(utc(2026, 11, 23, 10, 0, 0, 123456)) == "2026-11-23T10:00:00.123Z"


def test_to_iso_converts_other_zones_to_utc():
    dt = datetime(2026, 11, 23, 11, 0, tzinfo=BERLIN)
    assert tu.to_iso(dt) == "2026-11-23T10:00:00.000Z"


def test_to_iso_rejects_naive_datetime():
    with pytest.raises(ValueError, match="naive"):
        tu.to_iso(datetime(2026, 11, 23, 10, 0))


def test_now_iso_is_current_storage_string():
    before = tu.to_iso(tu.utcnow())
    value = tu.now_iso()
    after = tu.to_iso(tu.utcnow())
    assert before <= value <= after
    assert value.endswith("Z") and len(value) == 24


def test_utcnow_is_aware_utc():
    assert tu.utcnow().utcoffset() == timedelta(0)


def test_parse_iso_accepts_with_and_without_millis():
    assert tu.parse_iso("2026-11-23T10:00:00.123Z") == utc(2026, 11, 23, 10, 0, 0, 123000)
    assert tu.parse_iso("2026-11-23T10:00:00Z") == utc(2026, 11, 23, 10, 0)
    assert tu.parse_iso("2026-11-23T10:00:00Z").tzinfo == UTC


@pytest.mark.parametrize(
    "bad", ["", "yesterday", "2026-11-23", "2026-11-23T10:00:00", "2026-13-01T00:00:00Z"]
)
def test_parse_iso_rejects_non_storage_strings(bad):
    with pytest.raises(ValueError, match="invalid timestamp"):
        tu.parse_iso(bad)


def test_format_local_shows_time_in_display_zone():
    assert tu.format_local("2026-11-23T10:00:00.123Z", BERLIN) == "2026-11-23 11:00:00"
    assert tu.format_local("2026-07-01T10:00:00Z", BERLIN) == "2026-07-01 12:00:00"
    assert tu.format_local("2026-11-23T10:00:00.000Z", LA) == "2026-11-23 02:00:00"


aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, BERLIN, AUCKLAND, LA, KOLKATA]),
)


def _to_millis_utc(dt: datetime) -> datetime:
    u = dt.astimezone(UTC)
    return u.replace(microsecond=u.microsecond // 1000 * 1000)


@given(aware_datetimes)
def test_iso_round_trip_keeps_millisecond_precision(dt):
    text = tu.to_iso(dt)
    assert tu.parse_iso(text) == _to_millis_utc(dt)
    assert tu.to_iso(tu.parse_iso(text)) == text


@given(aware_datetimes, aware_datetimes)
def test_iso_string_order_equals_time_order(a, b):
    ta, tb = _to_millis_utc(a), _to_millis_utc(b)
    sa, sb = tu.to_iso(a), tu.to_iso(b)
    assert (sa < sb) == (ta < tb)
    assert (sa == sb) == (ta == tb)


# --- zones ----------------------------------------------------------------


def test_get_zone_returns_named_iana_zone():
    zone = tu.get_zone("Europe/Berlin")
    assert isinstance(zone, ZoneInfo) and zone.key == "Europe/Berlin"


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime"])
def test_get_zone_rejects_unknown_names(bad):
    with pytest.raises(ValueError) as exc:
        tu.get_zone(bad)
    assert str(exc.value) == f"unknown timezone {bad!r}"


def test_local_zone_follows_tz_env_var(monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    zone = tu.get_zone(None)
    assert isinstance(zone, ZoneInfo) and zone.key == "Pacific/Auckland"
    monkeypatch.setenv("TZ", ":America/Los_Angeles")
    assert tu.get_zone(None).key == "America/Los_Angeles"


def test_local_zone_ignores_invalid_tz_env_var(monkeypatch):
    monkeypatch.setenv("TZ", "Not/AZone")
    zone = tu.get_zone(None)
    assert datetime(2026, 1, 1, tzinfo=zone).utcoffset() is not None


# --- durations ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("1h30m", timedelta(minutes=90)),
        ("1w2d", timedelta(days=9)),
        ("  2H ", timedelta(hours=2)),
        ("0h5m", timedelta(minutes=5)),
    ],
)
def test_parse_duration_accepts_documented_forms(text, expected):
    assert tu.parse_duration(text) == expected


@pytest.mark.parametrize(
    "bad", ["", "   ", "5x", "1.5h", "-5m", "0m", "0h0m", "h", "10", "2 hours", "1h 30m"]
)
def test_parse_duration_rejects_bad_values_naming_them(bad):
    with pytest.raises(ValueError) as exc:
        tu.parse_duration(bad)
    message = str(exc.value)
    assert repr(bad) in message
    assert "90m, 2h, 7d, 2w" in message


def test_parse_duration_error_message_example():
    with pytest.raises(ValueError) as exc:
        tu.parse_duration("5x")
    assert str(exc.value) == "invalid duration '5x' (use e.g. 90m, 2h, 7d, 2w)"


def test_parse_duration_rejects_absurdly_large_values():
    with pytest.raises(ValueError, match="invalid duration"):
        tu.parse_duration("99999999999w")


# --- parse_point ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # date = local midnight (CET in November, CEST in July)
        ("2026-11-01", utc(2026, 10, 31, 23, 0)),
        ("2026-07-01", utc(2026, 6, 30, 22, 0)),
        # local datetimes
        ("2026-11-01T10:30", utc(2026, 11, 1, 9, 30)),
        ("2026-11-01 10:30:00", utc(2026, 11, 1, 9, 30)),
        ("2026-11-01 10:30:15.250", utc(2026, 11, 1, 9, 30, 15, 250000)),
        # explicit offsets and Z win over the display zone
        ("2026-11-01T10:30:00Z", utc(2026, 11, 1, 10, 30)),
        ("2026-11-01T10:30z", utc(2026, 11, 1, 10, 30)),
        ("2026-11-01T10:30:00+05:30", utc(2026, 11, 1, 5, 0)),
        ("2026-11-01 10:30-0800", utc(2026, 11, 1, 18, 30)),
        # durations before now
        ("90m", NOW - timedelta(minutes=90)),
        ("2h", NOW - timedelta(hours=2)),
        ("7d", NOW - timedelta(days=7)),
        ("2w", NOW - timedelta(weeks=2)),
        # words
        ("now", NOW),
        ("today", utc(2026, 11, 22, 23, 0)),
        ("TODAY", utc(2026, 11, 22, 23, 0)),
        ("yesterday", utc(2026, 11, 21, 23, 0)),
        (" 2026-11-01 ", utc(2026, 10, 31, 23, 0)),
    ],
)
def test_parse_point_accepts_each_form(text, expected):
    result = tu.parse_point(text, BERLIN, now=NOW)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "bad",
    ["", "tomorrow", "last week", "2026-13-01", "2026-11-01T25:00", "11/01/2026", "0m", "1.5h"],
)
def test_parse_point_rejects_unknown_values_naming_them(bad):
    with pytest.raises(ValueError) as exc:
        tu.parse_point(bad, BERLIN, now=NOW)
    assert repr(bad) in str(exc.value)


def test_parse_point_generic_error_lists_accepted_forms():
    with pytest.raises(ValueError) as exc:
        tu.parse_point("tomorrow", BERLIN, now=NOW)
    message = str(exc.value)
    for hint in ("2026-11-01", "90m", "today", "yesterday", "now"):
        assert hint in message


def test_parse_point_today_depends_on_display_zone():
    now = utc(2026, 11, 23, 20, 0)  # Auckland: 24th 09:00; Los Angeles: 23rd 12:00
    assert tu.parse_point("today", AUCKLAND, now=now) == utc(2026, 11, 23, 11, 0)
    assert tu.parse_point("today", LA, now=now) == utc(2026, 11, 23, 8, 0)


def test_parse_point_rejects_naive_now():
    with pytest.raises(ValueError, match="aware"):
        tu.parse_point("today", BERLIN, now=datetime(2026, 11, 23))


# --- parse_date / day_bounds ---------------------------------------------


def test_parse_date_accepts_iso_date():
    assert tu.parse_date(" 2026-11-23 ") == date(2026, 11, 23)


@pytest.mark.parametrize("bad", ["", "23/11/2026", "2026-02-30", "today", "2026-11-23T10:00"])
def test_parse_date_rejects_bad_values_naming_them(bad):
    with pytest.raises(ValueError) as exc:
        tu.parse_date(bad)
    assert repr(bad) in str(exc.value)
    assert "YYYY-MM-DD" in str(exc.value)


def test_day_bounds_for_normal_and_dst_days():
    assert tu.day_bounds(date(2026, 11, 23), BERLIN) == (
        utc(2026, 11, 22, 23, 0),
        utc(2026, 11, 23, 23, 0),
    )
    start, end = tu.day_bounds(date(2026, 10, 25), BERLIN)  # clocks go back
    assert end - start == timedelta(hours=25)
    start, end = tu.day_bounds(date(2026, 3, 29), BERLIN)  # clocks go forward
    assert end - start == timedelta(hours=23)


def test_a_posix_tz_rule_is_honoured_not_taken_as_utc(monkeypatch):
    from datetime import datetime, timezone

    from agentlog import timeutil as tu

    monkeypatch.setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
    zone = tu.get_zone(None)
    summer = datetime(2026, 7, 1, 12, tzinfo=timezone.utc).astimezone(zone)
    winter = datetime(2026, 12, 1, 12, tzinfo=timezone.utc).astimezone(zone)
    assert (summer.hour, winter.hour) == (14, 13)
    assert tu.period_bounds("today", zone, datetime(2026, 7, 1, 12, tzinfo=timezone.utc))[0] \
        == datetime(2026, 6, 30, 22, tzinfo=timezone.utc)
    assert str(zone) == "CET-1CEST,M3.5.0,M10.5.0/3"
