"""The duration histograms kept beside the daily/hourly totals: the overview's p50/p95 read
from them are within the stated error of the exact percentiles, on every backend, and the
histograms follow every insert, outcome, update and delete."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from agentlog.store import durations
from agentlog.store.query import Query
from agentlog.store.reports import nearest_rank
from agentlog.store.sqlite import db, migrations, writer

START = datetime(2026, 11, 19, tzinfo=timezone.utc)


def _rows(n: int, seed: int = 3) -> list[dict]:
    """Executions over three days at millisecond times; durations from 0 ms to minutes."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        at = START + timedelta(milliseconds=rng.randrange(3 * 24 * 3600 * 1000))
        out.append({"created_at": at.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{at.microsecond // 1000:03d}Z", "agent_type": rng.choice("ab"),
                    "duration_ms": rng.choice((0, rng.randrange(1, 20), rng.randrange(20, 3000),
                                               int(rng.lognormvariate(8, 1.5))))})
    return out


def _write(log, rows: list[dict]) -> None:
    """As `run` writes: a running row without a duration, then its outcome."""
    for row in rows:
        execution_id = log.start({k: v for k, v in row.items() if k != "duration_ms"})
        log.finalize(execution_id, {"status": "success", "duration_ms": row["duration_ms"]})


def _exact(rows: list[dict], after: str, before: str) -> dict:
    found = sorted(r["duration_ms"] for r in rows if after <= r["created_at"] < before)
    return {f"p{p}": found[nearest_rank(p, len(found)) - 1] if found else None
            for p in (50, 95)}


def _close(estimate: int | None, exact: int | None) -> bool:
    if exact is None or exact < 20:
        return estimate == exact  # every millisecond below 20 is its own bin
    return abs(estimate - exact) <= durations.ERROR * exact


RANGES = [("2026-11-19T00:00:00.000Z", "2026-11-22T00:00:00.000Z"),  # whole days
          ("2026-11-19T07:45:10.250Z", "2026-11-21T16:20:00.000Z"),  # rows at both ends
          ("2026-11-20T23:00:00.000Z", "2026-11-21T23:00:00.000Z"),  # a Berlin day
          ("2026-11-20T10:15:00.000Z", "2026-11-20T10:45:00.000Z")]  # inside one hour


@pytest.mark.parametrize(("after", "before"), RANGES)
def test_overview_percentiles_are_within_the_stated_error_of_the_exact_ones(log, after,
                                                                            before):
    rows = _rows(600)
    _write(log, rows)
    query = Query().narrow(after, before)
    found = log.duration_profile(query, "day")
    exact = _exact(rows, after, before)
    assert found["approximate"] and found["error"] == durations.ERROR
    assert _close(found["p50"], exact["p50"]) and _close(found["p95"], exact["p95"])
    assert log.summary(query).duration["p50"] == exact["p50"]  # `report stats` stays exact
    for piece in found["slices"]:
        next_day = datetime.fromisoformat(piece["start"][:10]) + timedelta(days=1)
        wanted = _exact(rows, piece["start"], min(before, next_day.strftime(
            "%Y-%m-%dT00:00:00.000Z")))
        assert _close(piece["p50"], wanted["p50"]), piece


def test_hourly_slices_cover_a_day_hour_by_hour(log):
    rows = _rows(300)
    _write(log, rows)
    day = Query().narrow("2026-11-20T00:00:00.000Z", "2026-11-21T00:00:00.000Z")
    found = log.duration_profile(day, "hour")
    assert [s["start"][11:13] for s in found["slices"]] == [f"{h:02d}" for h in range(24)]
    hour = found["slices"][5]
    assert _close(hour["p95"], _exact(rows, "2026-11-20T05:00:00.000Z",
                                      "2026-11-20T06:00:00.000Z")["p95"])


def test_a_filtered_query_reads_its_percentiles_from_the_rows(log):
    rows = _rows(300)
    _write(log, rows)
    query = Query().narrow("2026-11-19T00:00:00.000Z", "2026-11-22T00:00:00.000Z")
    found = log.duration_profile(query.by_agent("a"), "day")
    exact = _exact([r for r in rows if r["agent_type"] == "a"], query.after, query.before)
    assert _close(found["p50"], exact["p50"]) and _close(found["p95"], exact["p95"])


def test_pruned_executions_leave_the_percentiles(log):
    rows = _rows(400)
    _write(log, rows)
    cut = "2026-11-20T12:00:00.000Z"
    log.prune(Query().until(cut), top_id=len(rows))
    kept = [r for r in rows if r["created_at"] >= cut]
    query = Query().narrow("2026-11-19T00:00:00.000Z", "2026-11-22T00:00:00.000Z")
    found = log.duration_profile(query, "day")
    exact = _exact(kept, query.after, query.before)
    assert _close(found["p50"], exact["p50"]) and _close(found["p95"], exact["p95"])
    assert [s["p50"] for s in found["slices"]][0] is None  # the 19th is gone


@pytest.mark.postgres
def test_upgrading_a_postgresql_log_fills_the_histograms_from_its_rows(pg_url):
    from agentlog import store
    from agentlog.store.postgres import connect

    rows = _rows(200)
    query = Query().narrow("2026-11-19T00:00:00.000Z", "2026-11-22T00:00:00.000Z")
    with store.open(pg_url) as log:
        _write(log, rows)
        kept = log.duration_profile(query)
    conn = connect.connect(pg_url)
    try:
        with conn.transaction():
            for name in ("insert", "update", "delete"):
                conn.execute(f"DROP TRIGGER execution_durations_{name} ON executions")
            conn.execute("DROP FUNCTION agentlog_durations()")
            conn.execute("DROP TABLE execution_day_durations, execution_hour_durations, "
                         "duration_bins")
            conn.execute("DELETE FROM _migrations WHERE name = 'm080_duration_buckets'")
    finally:
        conn.close()
    with store.open(pg_url) as log:  # a writer's open upgrades the log
        assert log.duration_profile(query) == kept
        slow = [{**r, "duration_ms": 1_000_000} for r in rows[:30]]
        _write(log, slow)  # and the trigger is back: the slow rows move p95
        again = log.duration_profile(query)
    assert again["p95"] == pytest.approx(1_000_000, rel=durations.ERROR)


# --- SQLite: the tables themselves, whoever writes ----------------------------------------
def _bins(conn: sqlite3.Connection, width: int) -> Counter:
    """What the histogram of `width`-character buckets should hold, from the rows."""
    bounds = [lo for (lo,) in conn.execute("SELECT lo FROM duration_bins ORDER BY lo")]
    out: Counter = Counter()
    for at, ms in conn.execute("SELECT created_at, duration_ms FROM executions "
                               "WHERE duration_ms IS NOT NULL"):
        out[at[:width], max(lo for lo in bounds if lo <= ms) if ms >= 0 else 0] += 1
    return out


def _in_step(conn: sqlite3.Connection) -> bool:
    return all(Counter({(b, lo): n for b, lo, n in conn.execute(
        f"SELECT bucket, lo, executions FROM {table}")}) == _bins(conn, width)
        for table, width in (("execution_day_durations", 10), ("execution_hour_durations", 13)))


@pytest.fixture
def conn(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    for row in _rows(300):
        writer.insert_final(conn, {**row, "status": "success"})
    yield conn
    conn.close()


def test_the_histograms_follow_updates_and_deletes_by_any_tool(conn):
    assert _in_step(conn)
    conn.execute("UPDATE executions SET duration_ms = duration_ms * 3 + 1 WHERE id % 5 = 0")
    conn.execute("UPDATE executions SET created_at = '2026-11-18T05:00:00.000Z' "
                 "WHERE id % 7 = 0")
    conn.execute("UPDATE executions SET duration_ms = NULL WHERE id % 11 = 0")
    conn.execute("UPDATE executions SET duration_ms = -5 WHERE id % 13 = 0")  # junk: bin 0
    assert _in_step(conn)
    conn.execute("DELETE FROM executions WHERE id % 3 = 0")
    assert _in_step(conn)
    conn.execute("DELETE FROM executions")
    assert conn.execute("SELECT count(*) FROM execution_hour_durations").fetchone()[0] == 0


def test_upgrading_an_older_log_fills_the_histograms_from_its_rows(tmp_path, conn):
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    for table in ("execution_day_durations", "execution_hour_durations"):
        for name in ("insert", "update", "delete"):
            conn.execute(f"DROP TRIGGER {table}_{name}")
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP TABLE duration_bins")
    conn.execute("DELETE FROM _migrations WHERE name = 'm120_duration_buckets'")
    conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION - 1}")
    conn.close()
    upgraded = db.connect(path)
    try:
        assert _in_step(upgraded)
        writer.insert_final(upgraded, {"agent_type": "a", "status": "success",
                                       "created_at": "2026-11-20T10:00:00.000Z",
                                       "duration_ms": 1234})
        assert _in_step(upgraded)  # and the triggers are back
    finally:
        upgraded.close()


def test_every_bin_is_at_most_five_percent_wide_and_its_estimate_within_the_error(conn):
    bins = conn.execute("SELECT lo, hi FROM duration_bins ORDER BY lo").fetchall()
    assert bins[0] == (0, 1) and all(a[1] == b[0] for a, b in zip(bins, bins[1:], strict=False))
    for lo, hi in bins[1:]:
        assert hi - 1 <= max(lo, lo * 1.05)
        guess = durations.estimate(lo, hi)
        assert all(abs(guess - v) <= durations.ERROR * v for v in (lo, hi - 1))
