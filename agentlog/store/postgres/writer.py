"""Writing executions: a `running` row before the model is called, finalized exactly once
(the search vector and the daily/hourly totals follow in the same statement's transaction:
a generated column and triggers).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from agentlog.store.records import BOOL_COLUMNS, JSON_COLUMNS
from agentlog.timeutil import to_iso, utcnow

_FINAL_STATUSES = {"success", "error", "timeout"}


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


def insert_running(conn, row: dict[str, Any]) -> int:
    return _insert(conn, {**row, "status": "running"})


def insert_final(conn, row: dict[str, Any]) -> int:
    if row.get("status") not in _FINAL_STATUSES:
        raise ValueError(f"cannot insert a final row with status {row.get('status')!r}")
    return _insert(conn, row)


def insert_copies(conn, rows: list[dict[str, Any]]) -> int:
    """Insert rows of another log as they are (ids kept), in one transaction and one
    pipelined statement; the identity then continues after the highest id."""
    if not rows:
        return 0
    names = list(rows[0])
    columns = ", ".join(f'"{k}"' for k in names)
    with conn.transaction(), conn.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO executions ({columns}) VALUES ({', '.join('%s' for _ in names)})",
            [[encode(row)[k] for k in names] for row in rows])
        cursor.execute("SELECT setval(pg_get_serial_sequence('executions', 'id'), "
                       "greatest((SELECT max(id) FROM executions), 1))")
    return len(rows)


def _update(conn, execution_id: int, values: dict[str, Any]) -> bool:
    if values.get("status") not in _FINAL_STATUSES:
        raise ValueError(f"cannot finalize with status {values.get('status')!r}")
    encoded = encode(values)
    return conn.execute(
        "UPDATE executions SET " + ", ".join(f'"{k}" = %s' for k in encoded)
        + " WHERE id = %s AND status = 'running'", [*encoded.values(), execution_id],
    ).rowcount == 1


def finalize(conn, execution_id: int, values: dict[str, Any]) -> None:
    if not _update(conn, execution_id, values):
        raise ValueError(f"execution {execution_id} is not running")


def finalize_many(conn, items: list[tuple[int, dict[str, Any]]]) -> int:
    """Finalize several executions in one transaction; rows no longer running are skipped."""
    with conn.transaction():
        return sum(_update(conn, execution_id, values) for execution_id, values in items)


def close_running(conn, batch_id: str, values: dict[str, Any]) -> int:
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM executions WHERE batch_id = %s AND status = 'running'", (batch_id,))]
    return finalize_many(conn, [(i, values) for i in ids])


def interrupt_stale(conn, grace: float = 60.0, now: datetime | None = None) -> int:
    """Finalize as error `Interrupted` every running row whose deadline passed more than
    `grace` seconds ago: its process died before finalizing. Returns how many."""
    cutoff = to_iso((now or utcnow()) - timedelta(seconds=grace))
    stale = conn.execute("SELECT id, pid, deadline_at FROM executions WHERE status = 'running' "
                         "AND deadline_at < %s::timestamptz", (cutoff,)).fetchall()
    marked = 0
    for execution_id, pid, deadline in stale:
        marked += _update(conn, execution_id, {
            "status": "error", "error_class": "Interrupted", "completed_at": to_iso(utcnow()),
            "error_message": f"process {pid} ended without finalizing this execution "
                             f"(its deadline {deadline} passed)"})
    return marked


def log_id(conn) -> str:
    """The log's own random id (migration m060)."""
    return conn.execute("SELECT value FROM log_meta WHERE key = 'log_id'").fetchone()[0]


def set_log_id(conn, value: str) -> None:
    conn.execute("UPDATE log_meta SET value = %s WHERE key = 'log_id'", (value,))
