"""Circuit-breaker state per (agent, model), shared by every process that logs to the file.

The rules (when a circuit opens, who gets the trial call) live in runner/breaker.py; this
module only reads and writes rows, and gives the runner one read-modify-write transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from agentlog.store.sqlite.db import transaction

Row = dict[str, Any]
_COLUMNS = ("agent", "model", "state", "failures", "opened_at", "reopen_at", "updated_at")


def _decode(row: tuple) -> dict[str, Any]:
    out = dict(zip(_COLUMNS, row, strict=True))
    out["failures"] = json.loads(out["failures"])
    return out


def get(conn: sqlite3.Connection, agent: str, model: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM breakers WHERE agent = ? AND model = ?",
                       (agent, model)).fetchone()
    return _decode(row) if row else None


def list_all(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM breakers ORDER BY agent, model")
    return [_decode(r) for r in cursor]


def change(conn: sqlite3.Connection, agent: str, model: str,
           update: Callable[[Row | None], Row | None]) -> Row | None:
    """Apply `update` to the current row (None: no row) under a write lock, so that two
    processes never both act on the same state; a None result deletes the row."""
    with transaction(conn):
        new = update(get(conn, agent, model))
        if new is None:
            conn.execute("DELETE FROM breakers WHERE agent = ? AND model = ?", (agent, model))
        else:
            values = {**new, "agent": agent, "model": model,
                      "failures": json.dumps(new.get("failures", []))}
            conn.execute(f"INSERT OR REPLACE INTO breakers ({', '.join(_COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(_COLUMNS))})",
                         [values.get(c) for c in _COLUMNS])
    return new


def reset(conn: sqlite3.Connection, agent: str | None = None) -> int:
    """Close the circuits of one agent (or all); returns how many rows were removed."""
    if agent is None:
        return conn.execute("DELETE FROM breakers").rowcount
    return conn.execute("DELETE FROM breakers WHERE agent = ?", (agent,)).rowcount
