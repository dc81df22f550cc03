"""Calendar periods and report buckets in the configured zone: today, this week, this month,
the last N days, and days and hours across DST changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

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


# --- period_bounds --------------------------------------------------------


def test_today_and_yesterday_in_berlin():
    assert tu.period_bounds("today", BERLIN, now=NOW) == (
        utc(2026, 11, 22, 23, 0),
        utc(2026, 11, 23, 23, 0),
    )
    assert tu.period_bounds("yesterday", BERLIN, now=NOW) == (
        utc(2026, 11, 21, 23, 0),
        utc(2026, 11, 22, 23, 0),
    )


def test_today_differs_between_auckland_and_los_angeles():
    now = utc(2026, 11, 23, 20, 0)
    # Auckland (NZDT, +13): already Tuesday the 24th.
    assert tu.period_bounds("today", AUCKLAND, now=now) == (
        utc(2026, 11, 23, 11, 0),
        utc(2026, 11, 24, 11, 0),
    )
    # Los Angeles (PST, -8): still Monday the 23rd.
    assert tu.period_bounds("today", LA, now=now) == (
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 24, 8, 0),
    )


def test_today_in_los_angeles_evening_is_yesterday_in_utc():
    now = utc(2026, 11, 24, 5, 0)  # 2026-11-23 21:00 in Los Angeles
    assert tu.period_bounds("today", LA, now=now) == (
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 24, 8, 0),
    )


def test_this_week_on_sunday_night_starts_previous_monday():
    now = datetime(2026, 11, 29, 23, 30, tzinfo=BERLIN)  # Sunday 23:30 local
    assert tu.period_bounds("this-week", BERLIN, now=now) == (
        utc(2026, 11, 22, 23, 0),  # Monday 2026-11-23 00:00 local
        utc(2026, 11, 29, 23, 0),  # Monday 2026-11-30 00:00 local
    )


def test_this_week_just_after_monday_midnight_starts_that_monday():
    now = datetime(2026, 11, 30, 0, 10, tzinfo=BERLIN)  # Monday 00:10 local (Sunday in UTC)
    assert now.astimezone(UTC).weekday() == 6
    assert tu.period_bounds("this-week", BERLIN, now=now) == (
        utc(2026, 11, 29, 23, 0),
        utc(2026, 12, 6, 23, 0),
    )


def test_this_week_spanning_dst_end_is_one_hour_longer():
    now = datetime(2026, 10, 22, 12, 0, tzinfo=BERLIN)
    start, end = tu.period_bounds("this-week", BERLIN, now=now)
    assert start == utc(2026, 10, 18, 22, 0)  # Monday 00:00 CEST
    assert end == utc(2026, 10, 25, 23, 0)  # Monday 00:00 CET
    assert end - start == timedelta(days=7, hours=1)


def test_this_month_uses_local_month_not_utc_month():
    now = utc(2026, 12, 1, 5, 0)  # still 2026-11-30 21:00 in Los Angeles
    assert tu.period_bounds("this-month", LA, now=now) == (
        utc(2026, 11, 1, 7, 0),  # Nov 1 00:00 PDT (DST ends later that night)
        utc(2026, 12, 1, 8, 0),  # Dec 1 00:00 PST
    )
    now = utc(2026, 11, 30, 23, 30)  # already 2026-12-01 00:30 in Berlin
    assert tu.period_bounds("this-month", BERLIN, now=now) == (
        utc(2026, 11, 30, 23, 0),
        utc(2026, 12, 31, 23, 0),
    )


def test_this_month_in_december_ends_at_new_year():
    now = utc(2026, 12, 15, 12, 0)
    assert tu.period_bounds("this-month", UTC, now=now) == (
        utc(2026, 12, 1),
        utc(2027, 1, 1),
    )


def test_last_7_days_covers_seven_calendar_days_including_today():
    start, end = tu.period_bounds("last-7-days", BERLIN, now=NOW)
    assert start == utc(2026, 11, 16, 23, 0)  # 2026-11-17 00:00 local
    assert end == utc(2026, 11, 23, 23, 0)  # end of today
    assert end - start == timedelta(days=7)


def test_last_30_days_starts_at_local_midnight_30_days_back_across_dst():
    start, end = tu.period_bounds("last-30-days", BERLIN, now=NOW)
    assert start == utc(2026, 10, 24, 22, 0)  # 2026-10-25 00:00 CEST
    assert end == utc(2026, 11, 23, 23, 0)
    assert end - start == timedelta(days=30, hours=1)


def test_period_names_are_forgiving_about_case_and_underscores():
    assert tu.period_bounds("This_Week", BERLIN, now=NOW) == tu.period_bounds(
        "this-week", BERLIN, now=NOW
    )


def test_period_all_is_unbounded():
    assert tu.period_bounds("all", BERLIN, now=NOW) == (None, None)


def test_unknown_period_lists_valid_names():
    with pytest.raises(ValueError) as exc:
        tu.period_bounds("fortnight", BERLIN, now=NOW)
    message = str(exc.value)
    assert "'fortnight'" in message
    for name in tu.PERIODS:
        assert name in message


# --- buckets --------------------------------------------------------------


def _assert_contiguous(buckets):
    for (_, _, end), (_, start, _) in zip(buckets[:-1], buckets[1:], strict=True):
        assert end == start


def test_day_buckets_across_dst_end_has_a_25_hour_day():
    now = utc(2026, 10, 27, 12, 0)
    buckets = tu.day_buckets(5, BERLIN, now=now)
    assert [d for d, _, _ in buckets] == [date(2026, 10, day) for day in range(23, 28)]
    lengths = {d.day: end - start for d, start, end in buckets}
    assert lengths[25] == timedelta(hours=25)
    assert all(lengths[day] == timedelta(hours=24) for day in (23, 24, 26, 27))
    assert buckets[2][1] == utc(2026, 10, 24, 22, 0)
    assert buckets[2][2] == utc(2026, 10, 25, 23, 0)
    _assert_contiguous(buckets)
    assert buckets[-1][1] <= now < buckets[-1][2]


def test_day_buckets_across_dst_start_has_a_23_hour_day():
    now = utc(2026, 3, 30, 12, 0)
    buckets = tu.day_buckets(3, BERLIN, now=now)
    lengths = [end - start for _, start, end in buckets]
    assert lengths == [timedelta(hours=24), timedelta(hours=23), timedelta(hours=24)]


def test_day_buckets_across_month_and_year_boundaries():
    now = utc(2026, 12, 2, 9, 0)
    assert [d for d, _, _ in tu.day_buckets(4, BERLIN, now=now)] == [
        date(2026, 11, 29),
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 2),
    ]
    now = utc(2027, 1, 1, 12, 0)
    assert [d for d, _, _ in tu.day_buckets(3, UTC, now=now)] == [
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
    ]


def test_day_buckets_end_with_local_today_not_utc_today():
    now = utc(2026, 11, 23, 20, 0)  # Auckland: 24th
    assert tu.day_buckets(1, AUCKLAND, now=now)[0][0] == date(2026, 11, 24)
    assert tu.day_buckets(1, LA, now=now)[0][0] == date(2026, 11, 23)


def test_day_buckets_rejects_non_positive_count():
    with pytest.raises(ValueError):
        tu.day_buckets(0, BERLIN, now=NOW)


@pytest.mark.parametrize("hours", [1, 6, 24, 48])
def test_hour_buckets_count_and_end_with_current_hour(hours):
    now = utc(2026, 11, 23, 10, 42, 7)
    buckets = tu.hour_buckets(hours, BERLIN, now=now)
    assert len(buckets) == hours
    assert all(end - start == timedelta(hours=1) for _, start, end in buckets)
    _assert_contiguous(buckets)
    label, start, end = buckets[-1]
    assert start == utc(2026, 11, 23, 10, 0)
    assert start <= now < end
    assert (label.hour, label.minute) == (11, 0)  # local Berlin hour


def test_hour_buckets_follow_local_hours_in_half_hour_zones():
    now = utc(2026, 11, 23, 10, 50)  # 16:20 in Kolkata (+05:30)
    label, start, end = tu.hour_buckets(1, KOLKATA, now=now)[0]
    assert (label.hour, label.minute) == (16, 0)
    assert start == utc(2026, 11, 23, 10, 30)
    assert end == utc(2026, 11, 23, 11, 30)


def test_hour_buckets_repeat_local_hour_when_clocks_go_back():
    now = utc(2026, 10, 25, 3, 30)  # 04:30 CET, after 03:00 CEST -> 02:00 CET
    buckets = tu.hour_buckets(5, BERLIN, now=now)
    assert [label.hour for label, _, _ in buckets] == [1, 2, 2, 3, 4]
    assert [start for _, start, _ in buckets] == [
        utc(2026, 10, 24, 23),
        utc(2026, 10, 25, 0),
        utc(2026, 10, 25, 1),
        utc(2026, 10, 25, 2),
        utc(2026, 10, 25, 3),
    ]


def test_hour_buckets_rejects_non_positive_count():
    with pytest.raises(ValueError):
        tu.hour_buckets(0, BERLIN, now=NOW)
