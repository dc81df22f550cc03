"""What has been spent: sums of total_cost over the executions table, nothing kept elsewhere."""

from __future__ import annotations

import sqlite3


def spent(conn: sqlite3.Connection, start: str, end: str, agent: str | None = None,
          tenant: str | None = None) -> float:
    """USD spent by executions created in [start, end) (UTC ISO), optionally of one agent or
    tenant. Executions with an unknown price count as zero."""
    sql = "SELECT coalesce(sum(total_cost), 0) FROM executions WHERE created_at >= ? " \
          "AND created_at < ?"
    params: list = [start, end]
    if agent is not None:
        sql += " AND agent_type = ?"
        params.append(agent)
    if tenant is not None:
        sql += " AND tenant_id = ?"
        params.append(tenant)
    return float(conn.execute(sql, params).fetchone()[0])
