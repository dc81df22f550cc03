"""Writing executions: a `running` row before the model is called, finalized exactly once.

A crash between the two leaves a visible `running` row, never nothing. Triggers index the text
once, at finalization, inside the same transaction as the final UPDATE (schema.py). Rows are written
with plain INSERT/UPDATE statements: sqlite-utils' insert introspects the table on every call,
which doubled the logging cost of an execution (1.6 ms against 0.7 ms).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from agentlog.errors import StoreError
from agentlog.store.records import encode
from agentlog.store.sqlite import db
from agentlog.timeutil import to_iso, utcnow

_FINAL_STATUSES = {"success", "error", "timeout"}


@contextmanager
def writing(conn: sqlite3.Connection) -> Iterator[None]:
    """db.transaction, where a log that cannot be written (read-only, damaged, a full disk)
    raises StoreError."""
    try:
        with db.transaction(conn):
            yield
    except sqlite3.Error as e:
        raise StoreError(f"cannot write to {db.path_of(conn) or 'the log'}: {e}") from None


def check_writable(conn: sqlite3.Connection) -> None:
    """Raise StoreError now, before any model is called, if the log cannot be written (a
    read-only file or directory): a write that changes no row. BEGIN alone does not tell."""
    with writing(conn):
        conn.execute("DELETE FROM executions WHERE 0")


def _insert(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    values = encode(row)
    return conn.execute(
        f"INSERT INTO executions ({', '.join(f'[{k}]' for k in values)}) "
        f"VALUES ({', '.join('?' for _ in values)})", list(values.values())).lastrowid


def insert_running(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Insert the row of an execution that is about to call a model; returns its id."""
    with writing(conn):
        return _insert(conn, {**row, "status": "running"})


def insert_final(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Insert an execution that ends as it starts (a cache hit, a refusal)."""
    if row.get("status") not in _FINAL_STATUSES:
        raise ValueError(f"cannot insert a final row with status {row.get('status')!r}")
    with writing(conn):
        return _insert(conn, row)


def insert_copies(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> int:
    """Insert rows of another log as they are (ids kept), in one transaction; the search
    index's triggers index the finalized ones."""
    with writing(conn):
        for row in rows:
            _insert(conn, row)
    return len(rows)


def _update(conn: sqlite3.Connection, execution_id: int, values: dict[str, Any]) -> bool:
    if values.get("status") not in _FINAL_STATUSES:
        raise ValueError(f"cannot finalize with status {values.get('status')!r}")
    updated = conn.execute(
        "UPDATE executions SET " + ", ".join(f"[{k}] = ?" for k in values)
        + " WHERE id = ? AND status = 'running'",
        [*encode(values).values(), execution_id],
    ).rowcount
    return updated == 1


def finalize(conn: sqlite3.Connection, execution_id: int, values: dict[str, Any]) -> None:
    """Write the outcome of an execution (its text indexed by the triggers)."""
    with writing(conn):
        if not _update(conn, execution_id, values):
            raise ValueError(f"execution {execution_id} is not running")


def finalize_many(conn: sqlite3.Connection, items: list[tuple[int, dict[str, Any]]]) -> int:
    """Finalize several executions in one transaction; rows no longer running are skipped
    (an interrupted batch already closed them). Returns how many were written."""
    with writing(conn):
        return sum(_update(conn, execution_id, values) for execution_id, values in items)


def close_running(conn: sqlite3.Connection, batch_id: str, values: dict[str, Any]) -> int:
    """Finalize every still-running row of a batch with the same values (an interruption)."""
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM executions WHERE batch_id = ? AND status = 'running'", (batch_id,))]
    return finalize_many(conn, [(i, values) for i in ids])


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


def log_id(conn: sqlite3.Connection) -> str:
    """The log's own random id (migration m110)."""
    return conn.execute("SELECT value FROM log_meta WHERE key = 'log_id'").fetchone()[0]


def set_log_id(conn: sqlite3.Connection, value: str) -> None:
    with writing(conn):
        conn.execute("UPDATE log_meta SET value = ? WHERE key = 'log_id'", (value,))
