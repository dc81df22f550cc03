"""Writing executions: a `running` row before the model is called, finalized exactly once.

A crash between the two leaves a visible `running` row, never nothing. Triggers index the text
once, at finalization, inside the same transaction as the final UPDATE (schema.py). Rows are written
with plain INSERT/UPDATE statements: sqlite-utils' insert introspects the table on every call,
which doubled the logging cost of an execution (1.6 ms against 0.7 ms).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from agentlog.errors import StoreError
from agentlog.store import closing, liveness
from agentlog.store.records import encode
from agentlog.store.sqlite import db
from agentlog.timeutil import to_iso, utcnow


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


def insert_running(conn: sqlite3.Connection, row: dict[str, Any],
                   admit: Callable[[], None] | None = None, cost: float | None = None) -> int:
    """Insert the row of an execution that is about to call a model; returns its id.

    `admit` checks the budgets (raising status.Overspent) and `cost` is reserved against them
    in the same write transaction as the insert, so that concurrent starts see each other's
    reservations: writers take the lock one at a time."""
    with writing(conn):
        if admit is not None:
            admit()
        execution_id = _insert(conn, {**row, "status": "running"})
        if cost:
            conn.execute("INSERT INTO reservations VALUES (?, ?, ?, ?, ?)",
                         (execution_id, row["created_at"], row["agent_type"],
                          row.get("tenant_id"), cost))
        return execution_id


def reserved(conn: sqlite3.Connection, start: str, end: str, agent: str | None = None,
             tenant: str | None = None) -> float:
    """USD held by running executions created in [start, end)."""
    sql, params = ("SELECT coalesce(sum(cost), 0) FROM reservations "
                   "WHERE created_at >= ? AND created_at < ?"), [start, end]
    if agent is not None:
        sql, params = sql + " AND agent_type = ?", [*params, agent]
    if tenant is not None:
        sql, params = sql + " AND tenant_id = ?", [*params, tenant]
    return conn.execute(sql, params).fetchone()[0]


def insert_final(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Insert an execution that ends as it starts (a cache hit, a refusal)."""
    if row.get("status") not in closing.FINAL_STATUSES:
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


def _update(conn: sqlite3.Connection, execution_id: int, values: dict[str, Any],
            reopen: bool = False) -> bool:
    """Finalize a running row and release its reservation. `reopen`: also a row that another
    process closed as Interrupted while its own process was still working: the real outcome
    replaces that guess."""
    updated = closing.update(functools.partial(_set, conn), execution_id, values, reopen)
    if updated:
        conn.execute("DELETE FROM reservations WHERE execution_id = ?", (execution_id,))
    return updated


def _set(conn: sqlite3.Connection, execution_id: int, values: dict[str, Any],
         where: str) -> bool:
    return conn.execute(
        "UPDATE executions SET " + ", ".join(f"[{k}] = ?" for k in values)
        + f" WHERE id = ? AND {where}", [*encode(values).values(), execution_id],
    ).rowcount == 1


def finalize(conn: sqlite3.Connection, execution_id: int, values: dict[str, Any]) -> None:
    """Write the outcome of an execution (its text indexed by the triggers)."""
    with writing(conn):
        if not _update(conn, execution_id, values, reopen=True):
            found = conn.execute("SELECT status FROM executions WHERE id = ?",
                                 (execution_id,)).fetchone()
            raise closing.not_recorded(execution_id, found and found[0], values["status"])


def finalize_many(conn: sqlite3.Connection, items: list[tuple[int, dict[str, Any]]]) -> int:
    """Finalize several executions in one transaction; rows no longer running are skipped
    (an interrupted batch already closed them). Returns how many were written."""
    return _close(conn, items, reopen=True)


def _close(conn: sqlite3.Connection, items: list[tuple[int, dict[str, Any]]],
           reopen: bool) -> int:
    with writing(conn):
        return sum(_update(conn, execution_id, values, reopen)
                   for execution_id, values in items)


def close_running(conn: sqlite3.Connection, batch_id: str, values: dict[str, Any]) -> int:
    """Finalize every still-running row of a batch with the same values (an interruption)."""
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM executions WHERE batch_id = ? AND status = 'running'", (batch_id,))]
    return _close(conn, [(i, values) for i in ids], reopen=False)


def interrupt_stale(conn: sqlite3.Connection, grace: float = 60.0,
                    now: datetime | None = None) -> int:
    """Finalize as error `Interrupted` every running row that was abandoned (liveness.py): of
    this host, when its process is gone; of another, when its deadline passed more than
    `grace` seconds ago. Returns how many rows were marked."""
    cutoff = to_iso((now or utcnow()) - timedelta(seconds=grace))
    found = conn.execute("SELECT id, pid, host, deadline_at, deadline_at < ? FROM executions "
                         "WHERE status = 'running' AND (deadline_at < ? OR host = ?)",
                         (cutoff, cutoff, liveness.this_host())).fetchall()
    stale = [(i, why) for i, pid, host, deadline, past in found
             if (why := liveness.abandoned(pid, host, deadline, bool(past)))]
    return _close(conn, [(i, {
        "status": "error", "error_class": "Interrupted", "completed_at": to_iso(utcnow()),
        "error_message": why}) for i, why in stale], reopen=False)


def log_id(conn: sqlite3.Connection) -> str:
    """The log's own random id (migration m110)."""
    return conn.execute("SELECT value FROM log_meta WHERE key = 'log_id'").fetchone()[0]


def set_log_id(conn: sqlite3.Connection, value: str) -> None:
    with writing(conn):
        conn.execute("UPDATE log_meta SET value = ? WHERE key = 'log_id'", (value,))
