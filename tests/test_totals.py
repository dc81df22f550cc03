"""The daily and hourly totals (execution_days, execution_hours): triggers keep them equal to
the rows whoever writes, updates or deletes, and every report read from them says what the
same report says when it reads the rows."""

from __future__ import annotations

import random
import re
import sqlite3
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from reporting import plans_of

from agentlog.errors import QueryError
from agentlog.store.conditions import Present
from agentlog.store.query import Query
from agentlog.store.reports import DIMENSIONS
from agentlog.store.sqlite import db, migrations, reports, rollups, writer

NOW = "2026-11-25T03:17:00.000Z"
KEYS = ("agent_type", "agent_version", "model_id", "chosen_model_id", "tenant_id", "status",
        "error_class", "cache_hit", "fallback_reason", "attempts_count")
SUMMED = ("total_cost", "input_cost", "output_cost", "total_tokens", "duration_ms",
          "time_to_first_token_ms")


def _random_rows(n: int, seed: int = 7) -> list[dict]:
    """Executions over six days before NOW at millisecond times, with every key varying."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 19, tzinfo=timezone.utc)
    out = []
    for _ in range(n):
        at = start + timedelta(milliseconds=rng.randrange(6 * 24 * 3600 * 1000))
        status = rng.choice(("success",) * 6 + ("error", "timeout", "running"))
        priced = status == "success" and rng.random() < 0.8
        cost = rng.uniform(0.00001, 0.3) if priced else None
        model = rng.choice(("gpt-4o-mini", "gpt-4o"))
        out.append({
            "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z",
            "agent_type": rng.choice(("summarize", "classify", "translate")),
            "agent_version": rng.choice(("v1", "v2", None)), "model_id": model,
            "chosen_model_id": rng.choice((model, model, "claude-3-5-haiku")),
            "tenant_id": rng.choice((None, "", "acme", "beta")), "status": status,
            "error_class": {"error": rng.choice(("RateLimitError", "APIError")),
                            "timeout": "Timeout"}.get(status),
            "cache_hit": rng.random() < 0.1, "fallback_reason": rng.choice((None,) * 5 + (
                "rate_limit", "timeout")), "attempts_count": rng.choice((1, 1, 1, 2, 3)),
            "total_cost": cost, "input_cost": cost and cost / 3,
            "output_cost": cost and cost * 2 / 3,
            "total_tokens": rng.randrange(10, 5000) if status != "running" else None,
            "duration_ms": rng.randrange(5, 30000) if status != "running" else None,
            "time_to_first_token_ms": rng.randrange(5, 900) if rng.random() < 0.3 else None,
        })
        out[-1]["deadline_at"] = out[-1]["created_at"]  # a running row left is stale
    return out


def _write(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """As `run` writes: a running row, then its outcome (some rows in one insert)."""
    for i, row in enumerate(rows):
        if i % 5 == 0 and row["status"] != "running":
            writer.insert_final(conn, row)
            continue
        outcome = {k: row[k] for k in ("status", *SUMMED, "error_class", "chosen_model_id",
                                       "fallback_reason", "attempts_count", "cache_hit")}
        execution_id = writer.insert_running(
            conn, {k: v for k, v in row.items() if k not in outcome or k == "chosen_model_id"})
        if row["status"] != "running":
            writer.finalize(conn, execution_id, outcome)


def _expected(conn: sqlite3.Connection, width: int) -> dict:
    """The totals per bucket (the first `width` characters of created_at) summed in Python
    from the rows themselves."""
    out: dict = defaultdict(lambda: [0] * 10)
    cols = ", ".join(("created_at", *KEYS, *SUMMED))
    for row in conn.execute(f"SELECT {cols} FROM executions"):
        at, keys, (cost, in_cost, out_cost, tokens, duration, ttft) = row[0], row[1:11], row[11:]
        sums = out[(at[:width], keys)]
        for i, value in enumerate((1, cost is not None, cost or 0.0, in_cost or 0.0,
                                   out_cost or 0.0, tokens or 0, duration or 0,
                                   duration is not None, ttft or 0, ttft is not None)):
            sums[i] += value
    return {k: _rounded(v) for k, v in out.items()}


def _stored(conn: sqlite3.Connection, table: str) -> dict:
    cols = ", ".join(("bucket", *KEYS, "executions", "priced", "total_cost_sum",
                      "input_cost_sum", "output_cost_sum", "total_tokens_sum", "duration_sum",
                      "timed", "ttft_sum", "ttft_count"))
    return {(r[0], r[1:11]): _rounded(list(r[11:]))
            for r in conn.execute(f"SELECT {cols} FROM {table}")}


def _in_step(conn: sqlite3.Connection) -> bool:
    return (_stored(conn, "execution_days") == _expected(conn, 10)
            and _stored(conn, "execution_hours") == _expected(conn, 13))


def _tables(plans: list[str]) -> set[str]:
    """The tables a report's statements read (SCAN t / SEARCH t in their plans)."""
    return set(re.findall(r"(?:SCAN|SEARCH) (\w+)", " ".join(plans)))


def _rounded(value):
    """Floats to 12 significant digits (sums in another order differ in the last bits);
    lists and dicts throughout."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTLOG_NOW", NOW)
    path = tmp_path / "log.db"
    conn = db.connect(path)
    _write(conn, _random_rows(600))
    yield conn
    conn.close()


def test_the_totals_follow_inserts_outcomes_updates_and_deletes(log):
    assert log.execute("SELECT count(*) FROM execution_hours").fetchone()[0] > 100
    assert _in_step(log)
    # Raw SQL moves rows to another hour, agent and cost, and stale rows are interrupted.
    log.execute("UPDATE executions SET created_at = '2026-11-20T05:00:00.000Z', "
                "agent_type = 'other', total_cost = 1.25 WHERE id % 7 = 0")
    assert writer.interrupt_stale(log, grace=0) > 0
    assert _in_step(log)
    log.execute("DELETE FROM executions WHERE id % 3 = 0")
    assert _in_step(log)
    log.execute("DELETE FROM executions")
    assert log.execute("SELECT count(*) FROM execution_hours").fetchone()[0] == 0
    assert log.execute("SELECT count(*) FROM execution_days").fetchone()[0] == 0


def test_prune_takes_what_it_deletes_out_of_the_totals(log, cli, monkeypatch):
    monkeypatch.setenv("AGENTLOG_DB", log.execute("PRAGMA database_list").fetchone()[2])
    old = "SELECT sum(executions) FROM execution_days WHERE bucket < '2026-11-22'"
    before = log.execute(old).fetchone()[0]
    result = cli("prune", "--older-than", "3d", "--yes")
    assert result.exit_code == 0, result.output
    assert _in_step(log)
    assert log.execute(old).fetchone()[0] < before / 5
    kept = "SELECT DISTINCT error_class FROM execution_hours WHERE bucket < '2026-11-22'"
    assert log.execute(kept).fetchall() == [("Interrupted",)]  # rows that were running


def test_a_combination_without_priced_rows_left_costs_exactly_nothing(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    row = {"agent_type": "a", "created_at": "2026-11-20T10:00:00.000Z", "status": "success"}
    priced = writer.insert_final(conn, {**row, "total_cost": 0.1, "input_cost": 0.03,
                                        "output_cost": 0.07})
    for cost in (0.2, None):
        writer.insert_final(conn, {**row, "total_cost": cost, "input_cost": cost,
                                   "output_cost": cost})
    conn.execute("DELETE FROM executions WHERE total_cost = 0.2")
    conn.execute("DELETE FROM executions WHERE id = ?", (priced,))
    for table in ("execution_days", "execution_hours"):
        assert conn.execute(f"SELECT executions, priced, total_cost_sum, input_cost_sum, "
                            f"output_cost_sum FROM {table}").fetchall() == [(1, 0, 0.0, 0.0, 0.0)]


def test_upgrading_an_older_log_sums_the_rows_it_already_holds(tmp_path):
    path = tmp_path / "log.db"
    conn = db.connect(path)
    _write(conn, _random_rows(200))
    for table in ("execution_days", "execution_hours"):
        for name in ("insert", "update", "delete"):
            conn.execute(f"DROP TRIGGER {table}_{name}")
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM _migrations WHERE name = 'm060_execution_totals'")
    conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION - 1}")
    conn.close()
    conn = db.connect(path)
    assert _in_step(conn)
    writer.insert_final(conn, {"agent_type": "a", "created_at": NOW, "status": "success"})
    assert _in_step(conn)  # and the triggers are back


# --- the reports: from the totals as from the rows ----------------------------------------
ZONES = ("UTC", "Europe/Berlin", "Asia/Kolkata")  # Kolkata: +05:30, no day starts on an hour


def _queries(zone: str):
    q = Query(zone=zone, tenant="acme")
    yield q
    yield q.period("this-week")
    yield q.last_7_days().by_agent("summarize", "translate")
    yield q.since("5h").failed()  # a bound inside an hour
    yield q.between("2026-11-20T07:45:10", "2026-11-23T16:20").by_model("gpt-4o")
    yield q.since("2026-11-21").cached(False).with_fallback()
    yield q.current_tenant().since("40m")  # inside one hour: rows only
    yield q.without_tenant().status("success", "running")


def _both(query: Query, report) -> tuple:
    """The report as it reads the totals, and as it reads the rows only (a condition that
    the totals cannot answer, true of every row)."""
    assert rollups.answers(query)
    rows_only = query.where(Present("id"))
    assert not rollups.answers(rows_only)
    return _rounded(report(query).to_dict()), _rounded(report(rows_only).to_dict())


@pytest.mark.parametrize("zone", ZONES)
def test_cost_reports_from_the_totals_equal_the_rows(log, zone):
    for query in _queries(zone):
        for dimension in DIMENSIONS:
            totals, rows = _both(query, lambda q, d=dimension: reports.cost_by(log, q, d))
            assert totals == rows, (query, dimension)
    assert totals["total"]["executions"] > 0


@pytest.mark.parametrize("zone", ZONES)
def test_summaries_and_split_trends_from_the_totals_equal_the_rows(log, zone):
    for query in _queries(zone):
        totals, rows = _both(query, lambda q: reports.summary(log, q, (50,),
                                                             ("agent", "model", "tenant")))
        assert totals == rows, query
        for split in DIMENSIONS:
            totals, rows = _both(query, lambda q, s=split: reports.trend(log, q, 3, "hour", s))
            assert totals == rows, (query, split)
    assert totals["rows"] and any(r["split"] for r in totals["rows"])


@pytest.mark.parametrize("zone", ZONES)
def test_daily_stats_and_trends_from_the_totals_equal_the_rows(log, zone):
    seen = 0
    for query in _queries(zone):
        for day in ("2026-11-20", "2026-11-22", "2026-11-25"):
            try:
                totals, rows = _both(query, lambda q, d=day: reports.daily(log, q, d))
            except QueryError:  # the day is outside the query's period
                continue
            assert totals == rows, (query, day)
            seen += totals["executions"]
        for agent in ("summarize", "classify"):
            totals, rows = _both(query, lambda q, a=agent: reports.stats(log, q, a))
            assert totals == rows, (query, agent)
        for days, by in ((7, "day"), (3, "hour")):
            totals, rows = _both(query, lambda q, n=days, b=by: reports.trend(log, q, n, b))
            assert totals == rows, (query, days, by)
    assert seen > 0


def test_first_seen_of_a_version_is_the_exact_time_not_its_hour(log):
    stats = reports.stats(log, Query(zone="UTC"), "summarize").to_dict()
    for version in stats["versions"]:
        first = log.execute(
            "SELECT min(created_at) FROM executions WHERE agent_type = 'summarize' "
            "AND agent_version IS ?", (version["version"],)).fetchone()[0]
        assert version["first_seen"] == first and len(first) == 24


def test_a_range_reads_whole_days_then_whole_hours_then_rows_at_its_ends():
    query = Query(zone="UTC").between("2026-11-20T07:45:10", "2026-11-23T16:20")
    assert [(p.source, p.params) for p in rollups.parts(query)] == [
        ("execution_days", ["2026-11-21", "2026-11-23"]),
        ("execution_hours", ["2026-11-20T08", "2026-11-21T00"]),
        ("executions", ["2026-11-20T07:45:10.000Z", "2026-11-20T08:00:00.000Z"]),
        ("execution_hours", ["2026-11-23T00", "2026-11-23T16"]),
        ("executions", ["2026-11-23T16:00:00.000Z", "2026-11-23T16:20:00.000Z"])]


def test_reports_over_whole_days_and_hours_read_the_totals_not_the_rows(log):
    path = Path(log.execute("PRAGMA database_list").fetchone()[2])
    utc, berlin = Query(zone="UTC"), Query(zone="Europe/Berlin")
    for report, tables in (
            (lambda conn: reports.cost_by(conn, utc, "model"), {"execution_days"}),
            (lambda conn: reports.cost_by(conn, utc.this_month(), "agent"), {"execution_days"}),
            (lambda conn: reports.trend(conn, berlin.by_agent("classify"), 30),
             {"execution_hours"}),
            (lambda conn: reports.cost_by(conn, utc.since("30h"), "tenant"),
             {"execution_days", "execution_hours", "executions"})):
        assert _tables(plans_of(path, report)) == tables
    # a filter the totals do not keep (a threshold) reads the rows
    plans = plans_of(path, lambda conn: reports.cost_by(conn, utc.slow(100), "model"))
    assert _tables(plans) == {"executions"}


def test_budget_spend_is_read_from_the_totals_and_equals_the_rows(log):
    from agentlog.store.sqlite import spend

    ranges = [("2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"),  # a month: days only
              ("2026-11-20T07:45:10.123Z", "2026-11-23T16:20:00.000Z"),
              ("2026-11-25T03:05:00.000Z", "2026-11-25T03:10:00.000Z")]
    for start, end in ranges:
        for agent, tenant in ((None, None), ("summarize", None), (None, "acme")):
            rows = log.execute(
                "SELECT total(total_cost) FROM executions WHERE created_at >= ? AND "
                "created_at < ? AND agent_type IS coalesce(?, agent_type) AND "
                "(? IS NULL OR tenant_id = ?)", (start, end, agent, tenant, tenant)).fetchone()
            assert _rounded(spend.spent(log, start, end, agent, tenant)) == _rounded(rows[0])
    assert spend.spent(log, *ranges[0]) > 1
    path = Path(log.execute("PRAGMA database_list").fetchone()[2])
    plans = plans_of(path, lambda conn: spend.spent(conn, *ranges[0], agent="summarize"))
    assert _tables(plans) == {"execution_days"}


def test_random_ranges_split_into_days_hours_and_rows_count_every_row_once(log):
    """Any [since, until) down to the millisecond: the parts cover it exactly once."""
    rng = random.Random(11)
    first = datetime(2026, 11, 18, 20, tzinfo=timezone.utc)
    for _ in range(25):
        a, b = sorted(first + timedelta(milliseconds=rng.randrange(7 * 24 * 3600 * 1000))
                      for _ in range(2))
        query = Query(zone="UTC").between(a, b)
        totals_, rows = _both(query, lambda q: reports.cost_by(log, q, "agent"))
        assert totals_ == rows, (a, b)
        assert totals_["total"]["executions"] == log.execute(
            "SELECT count(*) FROM executions WHERE created_at >= ? AND created_at < ?",
            (query.after, query.before)).fetchone()[0]
