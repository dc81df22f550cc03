"""Writing executions: a `running` row before the model is called, finalized exactly once.

A crash between the two leaves a visible `running` row, never nothing. The full-text index is
fed once, at finalization, inside the same transaction as the final UPDATE.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from agentlog.store.schema import JSON_COLUMNS, fts_index_row
from agentlog.timeutil import to_iso, utcnow

_FINAL_STATUSES = {"success", "error", "timeout"}


def _encode(values: dict[str, Any]) -> dict[str, Any]:
    import json

    out = {}
    for key, value in values.items():
        if key in JSON_COLUMNS and value is not None and not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        elif isinstance(value, bool):
            value = int(value)
        out[key] = value
    return out


def _table(conn: sqlite3.Connection):
    import sqlite_utils

    return sqlite_utils.Database(conn, execute_plugins=False)["executions"]


def insert_running(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Insert the row of an execution that is about to call a model; returns its id."""
    table = _table(conn)
    with table.db.atomic():
        table.insert(_encode({**row, "status": "running"}))
        return table.last_pk


def insert_final(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Insert an execution that ends as it starts (a cache hit, a refusal), indexed at once."""
    if row.get("status") not in _FINAL_STATUSES:
        raise ValueError(f"cannot insert a final row with status {row.get('status')!r}")
    table = _table(conn)
    with table.db.atomic():
        table.insert(_encode(row))
        execution_id = table.last_pk
        fts_index_row(conn, execution_id)
    return execution_id


def finalize(conn: sqlite3.Connection, execution_id: int, values: dict[str, Any]) -> None:
    """Write the outcome of an execution and index its text, in one transaction."""
    if values.get("status") not in _FINAL_STATUSES:
        raise ValueError(f"cannot finalize with status {values.get('status')!r}")
    table = _table(conn)
    with table.db.atomic():
        updated = conn.execute(
            "UPDATE executions SET " + ", ".join(f"[{k}] = ?" for k in values)
            + " WHERE id = ? AND status = 'running'",
            [*_encode(values).values(), execution_id],
        ).rowcount
        if updated != 1:
            raise ValueError(f"execution {execution_id} is not running")
        fts_index_row(conn, execution_id)


def interrupt_stale(conn: sqlite3.Connection, grace: float = 60.0,
                    now: datetime | None = None) -> int:
    """Finalize as error `Interrupted` every running row whose deadline (created_at +
    total_timeout) passed more than `grace` seconds ago: its process died before finalizing.
    Returns how many rows were marked."""
    cutoff = to_iso((now or utcnow()) - timedelta(seconds=grace))
    stale = conn.execute("SELECT id, pid, deadline_at FROM executions "
                         "WHERE status = 'running' AND deadline_at < ?", (cutoff,)).fetchall()
    marked = 0
    for execution_id, pid, deadline in stale:
        try:
            finalize(conn, execution_id, {
                "status": "error", "error_class": "Interrupted", "completed_at": to_iso(utcnow()),
                "error_message": f"process {pid} ended without finalizing this execution "
                                 f"(its deadline {deadline} passed)"})
        except ValueError:  # its own process finalized it after all
            continue
        marked += 1
    return marked
