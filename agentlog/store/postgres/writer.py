"""Writing executions: a `running` row before the model is called, finalized exactly once
(the search vector and the daily/hourly totals follow in the same statement's transaction:
a generated column and triggers).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from agentlog.store import closing, liveness
from agentlog.store.records import BOOL_COLUMNS, JSON_COLUMNS
from agentlog.timeutil import to_iso, utcnow

BUDGET_LOCK = 0x61676C62  # pg_advisory_xact_lock key: budget checks and reservations, one at a time
IDENTITY_LOCK = 0x61676C69  # copies moving the identity past their ids, one at a time


def encode(values: dict[str, Any]) -> dict[str, Any]:
    """Values as PostgreSQL holds them: JSON columns as JSON text (text that is not JSON as a
    JSON string), flags as booleans."""
    out = {}
    for key, value in values.items():
        if key in JSON_COLUMNS and value is not None:
            if isinstance(value, str):
                try:
                    json.loads(value)
                except ValueError:
                    value = json.dumps(value)
            else:
                value = json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                                   default=str)
            value = value.replace("\\u0000", "")  # jsonb holds no NUL character
        elif key in BOOL_COLUMNS and value is not None:
            value = bool(value)
        elif isinstance(value, str):
            value = value.replace("\x00", "")  # nor does text
        out[key] = value
    return out


def _insert(conn, row: dict[str, Any]) -> int:
    values = encode(row)
    names = ", ".join(f'"{k}"' for k in values)
    marks = ", ".join("%s" for _ in values)
    return conn.execute(f"INSERT INTO executions ({names}) VALUES ({marks}) RETURNING id",
                        list(values.values())).fetchone()[0]


def check_writable(conn) -> None:
    """Raise now, before any model is called, if the log cannot be written."""
    with conn.transaction():
        conn.execute("DELETE FROM executions WHERE false")


def insert_running(conn, row: dict[str, Any], admit: Callable[[], None] | None = None,
                   cost: float | None = None) -> int:
    """As SQLite's: `admit` checks the budgets and `cost` is reserved in the insert's
    transaction; the advisory lock makes concurrent starts take their turns, each reading
    the reservations the previous ones committed."""
    if admit is None:
        return _insert(conn, {**row, "status": "running"})
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (BUDGET_LOCK,))
        admit()
        execution_id = _insert(conn, {**row, "status": "running"})
        if cost:
            conn.execute("INSERT INTO reservations VALUES (%s, %s::timestamptz, %s, %s, %s)",
                         (execution_id, row["created_at"], row["agent_type"],
                          row.get("tenant_id"), cost))
        return execution_id


def reserved(conn, start: str, end: str, agent: str | None = None,
             tenant: str | None = None) -> float:
    """USD held by running executions created in [start, end)."""
    sql = ("SELECT coalesce(sum(cost), 0) FROM reservations "
           "WHERE created_at >= %s::timestamptz AND created_at < %s::timestamptz")
    params: list[Any] = [start, end]
    if agent is not None:
        sql, params = sql + " AND agent_type = %s", [*params, agent]
    if tenant is not None:
        sql, params = sql + " AND tenant_id = %s", [*params, tenant]
    return conn.execute(sql, params).fetchone()[0]


def insert_final(conn, row: dict[str, Any]) -> int:
    if row.get("status") not in closing.FINAL_STATUSES:
        raise ValueError(f"cannot insert a final row with status {row.get('status')!r}")
    return _insert(conn, row)


def insert_copies(conn, rows: list[dict[str, Any]]) -> int:
    """Insert rows of another log as they are (ids kept), in one transaction with COPY, their
    totals added grouped (migrations.add_totals); the identity then continues after the
    highest id. Several may run at once on different connections: the identity is moved
    under a lock, each seeing the rows the others committed."""
    if not rows:
        return 0
    from agentlog.store.postgres import migrations

    names = list(rows[0])
    columns = ", ".join(f'"{k}"' for k in names)
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute(f"SELECT set_config('{migrations.BULK}', 'on', true)")
        with cursor.copy(f"COPY executions ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = encode(row)
                copy.write_row([values[k] for k in names])
        migrations.add_totals(cursor, [row["id"] for row in rows])
        cursor.execute(f"SELECT set_config('{migrations.BULK}', 'off', true)")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (IDENTITY_LOCK,))
        cursor.execute("SELECT setval(pg_get_serial_sequence('executions', 'id'), "
                       "greatest((SELECT max(id) FROM executions), 1))")
    return len(rows)


def _update(conn, execution_id: int, values: dict[str, Any], reopen: bool = False) -> bool:
    """As SQLite's: a running row (`reopen`: or one closed as Interrupted meanwhile), its
    reservation released."""
    with conn.transaction():
        updated = closing.update(functools.partial(_set, conn), execution_id, values, reopen)
        if updated:
            conn.execute("DELETE FROM reservations WHERE execution_id = %s", (execution_id,))
    return updated


def _set(conn, execution_id: int, values: dict[str, Any], where: str) -> bool:
    encoded = encode(values)
    return conn.execute(
        "UPDATE executions SET " + ", ".join(f'"{k}" = %s' for k in encoded)
        + f" WHERE id = %s AND {where}", [*encoded.values(), execution_id],
    ).rowcount == 1


def finalize(conn, execution_id: int, values: dict[str, Any]) -> None:
    if not _update(conn, execution_id, values, reopen=True):
        found = conn.execute("SELECT status FROM executions WHERE id = %s",
                             (execution_id,)).fetchone()
        raise closing.not_recorded(execution_id, found and found[0], values["status"])


def finalize_many(conn, items: list[tuple[int, dict[str, Any]]]) -> int:
    """Finalize several executions in one transaction; rows no longer running are skipped."""
    return _close(conn, items, reopen=True)


def _close(conn, items: list[tuple[int, dict[str, Any]]], reopen: bool) -> int:
    with conn.transaction():
        return sum(_update(conn, execution_id, values, reopen)
                   for execution_id, values in items)


def close_running(conn, batch_id: str, values: dict[str, Any]) -> int:
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM executions WHERE batch_id = %s AND status = 'running'", (batch_id,))]
    return _close(conn, [(i, values) for i in ids], reopen=False)


def interrupt_stale(conn, grace: float = 60.0, now: datetime | None = None) -> int:
    """As SQLite's: abandoned running rows (liveness.py) marked `Interrupted`."""
    cutoff = to_iso((now or utcnow()) - timedelta(seconds=grace))
    found = conn.execute(
        "SELECT id, pid, host, deadline_at, deadline_at < %s::timestamptz FROM executions "
        "WHERE status = 'running' AND (deadline_at < %s::timestamptz OR host = %s)",
        (cutoff, cutoff, liveness.this_host())).fetchall()
    stale = [(i, why) for i, pid, host, deadline, past in found
             if (why := liveness.abandoned(pid, host, deadline, bool(past)))]
    return _close(conn, [(i, {
        "status": "error", "error_class": "Interrupted", "completed_at": to_iso(utcnow()),
        "error_message": why}) for i, why in stale], reopen=False)


def log_id(conn) -> str:
    """The log's own random id (migration m060)."""
    return conn.execute("SELECT value FROM log_meta WHERE key = 'log_id'").fetchone()[0]


def set_log_id(conn, value: str) -> None:
    conn.execute("UPDATE log_meta SET value = %s WHERE key = 'log_id'", (value,))
