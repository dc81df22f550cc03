"""What has been spent: sums of total_cost over the live log, read from the daily and hourly
totals for whole days and hours (rollups.py), so a budget check on a large log reads a
few hundred rows instead of a month of executions."""

from __future__ import annotations

import sqlite3

from agentlog.store.query import Query
from agentlog.store.sqlite import rollups
from agentlog.store.sqlite.aggregates import sums
from agentlog.store.sqlite.db import snapshot


def spent(conn: sqlite3.Connection, start: str, end: str, agent: str | None = None,
          tenant: str | None = None) -> float:
    """USD spent by executions created in [start, end) (UTC ISO), optionally of one agent or
    tenant. Executions with an unknown price count as zero."""
    query = Query().narrow(start, end)
    if agent is not None:
        query = query.by_agent(agent)
    if tenant is not None:
        query = query.by_tenant(tenant)
    used = 0.0
    with snapshot(conn):
        for part in rollups.parts(query):
            used += conn.execute(*part.select(sums("total_cost"))).fetchone()[0]
    return used
