"""What SQLite plans for each statement a report runs (EXPLAIN QUERY PLAN), for plan tests.

Tests assert plans, never timings: a covering index read is what makes a report fast on a
large log, and the plan shows it on a tiny one (no ANALYZE statistics either way).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path


class _Recorder:
    """A connection that notes the plan of every SELECT before running it."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self.plans: list[str] = []

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def execute(self, sql: str, params=()):
        if sql.lstrip().upper().startswith("SELECT"):
            rows = self._conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            self.plans.append(" | ".join(row[3] for row in rows))
        return self._conn.execute(sql, params)


def plans_of(path: Path, report: Callable[[sqlite3.Connection], object]) -> list[str]:
    """One line per SELECT that `report(conn)` ran on the log at `path`."""
    from agentlog.store import db

    conn = db.connect(path)
    try:
        recorder = _Recorder(conn)
        report(recorder)
        return recorder.plans
    finally:
        conn.close()
