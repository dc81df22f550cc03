"""A log of ten executions placed around day, week and month boundaries of three zones.

The clock is frozen at NOW (AGENTLOG_NOW): Wednesday 2026-11-25 03:00 UTC, which is
Wednesday 04:00 in Berlin (UTC+1) but still Tuesday 19:00 in Los Angeles (UTC-8).
Rows are written through the Log (a running row, then finalize), as `run` does.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pgserver import BACKENDS

from agentlog import store

NOW = "2026-11-25T03:00:00.000Z"

ROWS: list[dict] = [
    # 1 · today in UTC, Berlin and LA
    dict(created_at="2026-11-25T02:30:00.000Z", agent_type="summarize", model_id="gpt-4o-mini",
         status="success", input_tokens=200, output_tokens=100, total_tokens=300,
         total_cost=0.002, duration_ms=800, streaming=True, tenant_id="acme",
         metadata={"team": "docs", "priority": 1},
         user_prompt="Summarize the quarterly report", response="- revenue grew"),
    # 2 · UTC yesterday (Tue 23:30), Berlin today (Wed 00:30), LA today (Tue 15:30); fell back
    dict(created_at="2026-11-24T23:30:00.000Z", agent_type="classify", model_id="gpt-4o-mini",
         chosen_model_id="claude-3-5-haiku", status="success", fallback_reason="rate_limit",
         fallback_chain=["gpt-4o-mini", "claude-3-5-haiku"], rate_limited=True,
         input_tokens=11000, output_tokens=1000, total_tokens=12000, total_cost=0.8,
         duration_ms=5000, tenant_id="acme", metadata={"team": "ops", "env": {"stage": "prod"}},
         user_prompt="Classify this ticket", response='{"label": "spam"}'),
    # 3 · UTC and Berlin yesterday, LA today (Tue 01:00)
    dict(created_at="2026-11-24T09:00:00.000Z", agent_type="summarize", model_id="gpt-4o-mini",
         status="error", error_class="RateLimitError",
         error_message="rate limit exceeded for gpt-4o-mini", retryable=True, rate_limited=True,
         duration_ms=30000, tenant_id="beta", metadata={"team": "docs", "priority": "1"}),
    # 4 · yesterday everywhere (LA: Mon 23:59:59.999, the last instant of its yesterday)
    dict(created_at="2026-11-24T07:59:59.999Z", agent_type="translate", model_id="gpt-4o",
         status="timeout", error_class="Timeout", error_message="timed out after 30 s",
         retryable=True, duration_ms=30001, metadata={"priority": 2, "flag": True}),
    # 5 · Sunday 23:00 UTC = Monday 00:00 in Berlin: this week in Berlin only
    dict(created_at="2026-11-22T23:00:00.000Z", agent_type="classify", model_id="gpt-4o-mini",
         status="success", cache_hit=True, total_cost=0.0, input_tokens=50, output_tokens=5,
         total_tokens=55, duration_ms=3, batch_id="b1", tenant_id="beta", tool_calls_count=1,
         tool_calls=[{"id": "c1", "name": "lookup", "arguments": {"q": "x"}, "result": "42",
                      "error": None, "duration_ms": 2}]),
    # 6 · Sunday 23:59:59.999 in Berlin: last week everywhere
    dict(created_at="2026-11-22T22:59:59.999Z", agent_type="summarize", model_id="gpt-4o-mini",
         status="success", total_cost=0.01, total_tokens=1500, duration_ms=1200, batch_id="b1",
         tenant_id="", metadata={"flag": False}),
    # 7 · Monday 00:00 in LA; never finalized
    dict(created_at="2026-11-23T08:00:00.000Z", agent_type="translate", model_id="gpt-4o",
         status="running", streaming=True),
    # 8 · this month, not the last 7 days
    dict(created_at="2026-11-10T12:00:00.000Z", agent_type="translate", model_id="gpt-4o",
         status="error", error_class="AuthenticationError", error_message="invalid api key",
         duration_ms=120, tenant_id="acme"),
    # 9 · Oct 31 23:30 UTC = Nov 1 00:30 in Berlin: this month in Berlin only
    dict(created_at="2026-10-31T23:30:00.000Z", agent_type="summarize", model_id="gpt-4o-mini",
         status="success", total_cost=1.5, total_tokens=50000, duration_ms=9000),
    # 10 · older than 30 days
    dict(created_at="2026-10-20T12:00:00.000Z", agent_type="classify", model_id="gpt-4o-mini",
         status="success", total_cost=0.5, total_tokens=800, duration_ms=700),
]
ALL = set(range(1, len(ROWS) + 1))


def seed(path: Path | str, rows: list[dict] = ROWS) -> None:
    """Write rows through the Log: start as running, finalize unless the row is running."""
    with store.open(path) as log:
        for row in rows:
            values = {"chosen_model_id": row.get("model_id"), **row}
            status = values.pop("status")
            execution_id = log.start(values)
            if status != "running":
                log.finalize(execution_id, {"status": status})


def table_dump(path: Path) -> list:
    """Every row of every table, to prove that a query changed nothing."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def seeded_log(tmp_path, monkeypatch) -> Path:
    """The seeded log as $AGENTLOG_DB, with the clock frozen at NOW and the system zone UTC."""
    path = tmp_path / "seeded.db"
    seed(path)
    monkeypatch.setenv("AGENTLOG_DB", str(path))
    monkeypatch.setenv("AGENTLOG_NOW", NOW)
    return path


@pytest.fixture(params=BACKENDS)
def seeded_any(request, tmp_path, monkeypatch) -> Path | str:
    """The seeded log on each backend: an SQLite file, or a PostgreSQL database (its URL)."""
    where = (request.getfixturevalue("pg_url") if request.param == "postgresql"
             else tmp_path / "seeded.db")
    seed(where)
    monkeypatch.setenv("AGENTLOG_DB", str(where))
    monkeypatch.setenv("AGENTLOG_NOW", NOW)
    return where
