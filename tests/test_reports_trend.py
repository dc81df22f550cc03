"""`report trend`: one row per local day or hour, zero-filled, across a month boundary and the
end of summer time in Berlin (2026-10-25, a day of 25 hours)."""

from __future__ import annotations

import pytest
from pgserver import BACKENDS
from reporting import plans_of, report_json, seeded
from seeding import seed

BERLIN = "settings: {timezone: Europe/Berlin}\n"
ROWS = [
    # Oct 24 23:59:59.999 CEST (UTC+2)
    dict(created_at="2026-10-24T21:59:59.999Z", agent_type="a", status="success",
         total_cost=0.25, duration_ms=100),
    # Oct 25 00:00 CEST: the first instant of the long day
    dict(created_at="2026-10-24T22:00:00.000Z", agent_type="a", status="error",
         duration_ms=300),
    # Oct 25 02:30 CEST and, an hour later, 02:30 CET again: the repeated hour
    dict(created_at="2026-10-25T00:30:00.000Z", agent_type="b", status="success",
         total_cost=0.5, duration_ms=200),
    dict(created_at="2026-10-25T01:30:00.000Z", agent_type="a", status="timeout",
         duration_ms=400),
    # Oct 25 23:30 CET (UTC+1): still Oct 25, though a fixed +2 offset would say Oct 26
    dict(created_at="2026-10-25T22:30:00.000Z", agent_type="a", status="success",
         total_cost=0.125, duration_ms=600),
    # Oct 31 23:59:59.999 CET, then Nov 1 00:30 CET (still Oct 31 in UTC)
    dict(created_at="2026-10-31T22:59:59.999Z", agent_type="b", status="success",
         total_cost=1.0, duration_ms=1000),
    dict(created_at="2026-10-31T23:30:00.000Z", agent_type="a", status="success",
         total_cost=2.0, duration_ms=2000),
]


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    return seeded(tmp_path_factory, ROWS)


@pytest.fixture(params=BACKENDS)
def trend(request, cli, log_file, monkeypatch, write_agents):
    """`report trend ARGS --json` in Berlin, with the clock frozen at `now`, on each backend
    (on PostgreSQL too, whole days come from the daily totals, the rest from the rows)."""
    where = log_file
    if request.param == "postgresql":
        where = request.getfixturevalue("pg_url")
        seed(where, ROWS)
    monkeypatch.setenv("AGENTLOG_DB", str(where))
    config = str(write_agents(BERLIN))

    def run(*args: str, now: str = "2026-11-02T12:00:00.000Z") -> dict:
        monkeypatch.setenv("AGENTLOG_NOW", now)
        return report_json(cli, "trend", *args, "-c", config)

    return run


def table(d: dict) -> list[tuple]:
    return [(r["start"], r["executions"], r["failed"]) for r in d["rows"]]


def test_days_are_local_calendar_days_zero_filled_across_dst_and_month_end(trend):
    d = trend("--days", "10")
    assert (d["by"], d["timezone"]) == ("day", "Europe/Berlin")
    assert table(d) == [
        ("2026-10-24", 1, 0), ("2026-10-25", 4, 2), ("2026-10-26", 0, 0),
        ("2026-10-27", 0, 0), ("2026-10-28", 0, 0), ("2026-10-29", 0, 0),
        ("2026-10-30", 0, 0), ("2026-10-31", 1, 0), ("2026-11-01", 1, 0),
        ("2026-11-02", 0, 0)]


def test_each_day_sums_cost_and_averages_duration(trend):
    rows = {r["start"]: r for r in trend("--days", "10")["rows"]}
    assert rows["2026-10-25"]["total_cost"] == 0.625
    assert rows["2026-10-25"]["avg_duration_ms"] == 375.0
    assert (rows["2026-10-31"]["total_cost"], rows["2026-11-01"]["total_cost"]) == (1.0, 2.0)
    assert rows["2026-10-26"] == {"start": "2026-10-26", "executions": 0, "failed": 0,
                                  "total_cost": 0.0, "avg_duration_ms": None}


def test_default_is_the_last_seven_days_oldest_first(trend):
    starts = [r["start"] for r in trend()["rows"]]
    assert starts == ["2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31",
                      "2026-11-01", "2026-11-02"]


def test_trend_takes_the_filters(trend):
    d = trend("--days", "10", "--agent", "a", "--successful")
    assert [r["executions"] for r in d["rows"]] == [1, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    d = trend("--days", "10", "--since", "2026-10-25T02:00")
    assert [r["executions"] for r in d["rows"][:2]] == [0, 3]


def test_by_hour_keeps_the_repeated_hour_of_the_dst_change_apart(trend):
    d = trend("--by", "hour", "--days", "1", now="2026-10-25T02:30:00.000Z")
    assert d["by"] == "hour"
    assert len(d["rows"]) == 24  # the last 24 clock hours, ending with the current one
    assert table(d)[-3:] == [("2026-10-25T02:00+02:00", 1, 0),
                             ("2026-10-25T02:00+01:00", 1, 1),
                             ("2026-10-25T03:00+01:00", 0, 0)]
    assert table(d)[0] == ("2026-10-24T05:00+02:00", 0, 0)


def test_by_hour_defaults_to_the_last_48_hours(trend):
    rows = trend("--by", "hour", now="2026-10-25T02:30:00.000Z")["rows"]
    assert len(rows) == 48
    assert sum(r["executions"] for r in rows) == 4


def test_a_long_trend_is_split_into_several_statements(trend):
    d = trend("--days", "450")
    assert len(d["rows"]) == 450
    assert sum(r["executions"] for r in d["rows"]) == len(ROWS)
    assert d["rows"][-1]["start"] == "2026-11-02"


def test_trend_reads_one_range_of_hourly_totals_or_covering_index_per_bucket(log_file):
    from agentlog.store.query import Query
    from agentlog.store.sqlite import reports

    berlin = Query(zone="Europe/Berlin")
    for query in (berlin, berlin.by_agent("a")):
        [plan] = plans_of(log_file, lambda conn, q=query: reports.trend(conn, q, 30))
        assert plan.count("SEARCH execution_hours USING PRIMARY KEY") == 30, plan
        assert "TEMP B-TREE" not in plan
    for query in (berlin.slow(0), berlin.by_agent("a").slow(0)):  # only rows know durations
        [plan] = plans_of(log_file, lambda conn, q=query: reports.trend(conn, q, 30))
        assert plan.count("COVERING INDEX idx_report_") == 30, plan
        assert "TEMP B-TREE" not in plan
