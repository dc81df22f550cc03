"""PostgreSQL reads the newest rows of a large log through its indexes: the plans of the
commands that must stay fast whatever the log's size (no sort of every row)."""

from __future__ import annotations

import json

import pytest

from agentlog import store
from agentlog.store.postgres import select
from agentlog.store.query import Query

pytestmark = pytest.mark.postgres


def plan_nodes(url: str, query: Query) -> list[str]:
    """The node types of the plan of `query`'s SELECT, as if the log were too large to read
    whole (sequential scans priced out)."""
    from agentlog.store.postgres import connect

    store.open(url).close()
    conn = connect.connect(url)
    try:
        conn.execute("SET enable_seqscan = off")
        sql, params = select.select_sql(query)
        found = conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
    finally:
        conn.close()
    plan = found if isinstance(found, list) else json.loads(found)
    nodes, todo = [], [plan[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node["Node Type"])
        todo.extend(node.get("Plans", []))
    return nodes


def recorder():
    """(statements asked, the real execute, an execute that notes each statement)."""
    import psycopg

    asked, execute = [], psycopg.Connection.execute

    def recording(self, sql, params=None, **kw):
        asked.append((sql, params))
        return execute(self, sql, params, **kw)

    return asked, execute, recording


def test_the_newest_rows_come_from_the_primary_key_read_backwards(pg_url):
    nodes = plan_nodes(pg_url, Query().limit(20))
    assert "Sort" not in nodes and any(n.startswith("Index") for n in nodes)


@pytest.mark.parametrize("keys", [("-total_cost", "-id"), ("total_cost", "id")])
def test_a_list_sorted_by_cost_reads_an_index_in_either_direction(pg_url, keys):
    """The dashboard's cost column, most expensive or cheapest first: an index in order, no
    sort of every row (unknown costs last either way, as on SQLite)."""
    nodes = plan_nodes(pg_url, Query().order_by(*keys).limit(50))
    assert not any("Sort" in n for n in nodes), nodes  # nor an incremental one
    assert any(n.startswith("Index") for n in nodes), nodes


@pytest.mark.parametrize("column", ["duration_ms", "time_to_first_token_ms"])
def test_an_agents_percentiles_step_over_an_index_in_order(pg_url, column, monkeypatch):
    """`report stats` and the agent page on a large log: each percentile of one agent,
    over all time or a period, reads index entries in value order (duration, and the
    streaming rows' time to first token), never a sort, and never the rows themselves."""
    import psycopg

    from agentlog.store.postgres import connect, reports
    from agentlog.timeutil import now_iso

    with store.open(pg_url) as log:
        for ms in (5, 9, 12):
            eid = log.start({"agent_type": "a", "created_at": now_iso()})
            log.finalize(eid, {"status": "success", "duration_ms": ms,
                               "time_to_first_token_ms": ms - 1})
    conn = connect.connect(pg_url)
    conn.execute("VACUUM executions")  # as autovacuum does: index-only scans need it
    month = Query().by_agent("a").narrow("2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "-")
    asked, execute, recording = recorder()
    monkeypatch.setattr(psycopg.Connection, "execute", recording)
    try:
        reports.percentiles(conn, Query().by_agent("a"), column, 3)
        reports.percentiles(conn, month, column, 3)
        monkeypatch.setattr(psycopg.Connection, "execute", execute)
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        for sql, params in asked:
            plan = json.dumps(conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone())
            assert '"Sort"' not in plan and "Index Only Scan" in plan, plan
    finally:
        conn.close()
    assert len(asked) == 6


def test_a_trend_over_a_month_reads_the_daily_totals_not_every_row(pg_url, monkeypatch):
    """`report trend --days 30` on a large log: each local day comes from the daily and
    hourly totals (Berlin's days are 23–25 whole UTC hours); only a part-hour at the end of
    the range reads executions."""
    import psycopg

    from agentlog.store.postgres import connect, reports

    asked, execute, recording = recorder()
    store.open(pg_url).close()
    conn = connect.connect(pg_url)
    monkeypatch.setattr(psycopg.Connection, "execute", recording)
    try:
        rows = reports.trend(conn, Query(zone="Europe/Berlin"), 30).rows
        monkeypatch.setattr(psycopg.Connection, "execute", execute)
        [(sql, params)] = [(q, p) for q, p in asked if "UNION ALL" in str(q)]
        plan = conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
    finally:
        conn.close()
    plan = json.dumps(plan)
    assert len(rows) == 30
    totals = sum(plan.count(f'"Relation Name": "{t}"') for t in ("execution_days",
                                                                  "execution_hours"))
    assert totals >= 30 and plan.count('"Relation Name": "executions"') <= 2, plan
