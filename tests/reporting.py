"""Helpers of the report tests: a seeded log file, a report's JSON, its query plans.

Plan tests assert plans, never timings: a covering index read is what makes a report fast on
a large log, and the plan shows it on a tiny one (no ANALYZE statistics either way).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from seeding import seed


def seeded(tmp_path_factory, rows: list[dict]) -> Path:
    """A log holding `rows`, written through the store; one per test module."""
    path = tmp_path_factory.mktemp("reports") / "log.db"
    seed(path, rows)
    return path


def report_json(cli, *args: str) -> dict:
    """The JSON that `agentlog report ARGS --json` prints (which must succeed)."""
    result = cli("report", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


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
    from agentlog.store.sqlite import db

    conn = db.connect(path)
    try:
        recorder = _Recorder(conn)
        report(recorder)
        return recorder.plans
    finally:
        conn.close()
