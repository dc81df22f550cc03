"""The claims of sent alerts (table alerts_sent): INSERT … ON CONFLICT DO NOTHING, so that of
several processes crossing one condition at once exactly one gets the row and sends."""

from __future__ import annotations

import sqlite3


def claim(conn: sqlite3.Connection, key: str, kind: str, at: str) -> bool:
    cursor = conn.execute("INSERT INTO alerts_sent (key, kind, sent_at) VALUES (?, ?, ?) "
                          "ON CONFLICT (key) DO NOTHING", (key, kind, at))
    return cursor.rowcount == 1


def keys(conn: sqlite3.Connection, prefix: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT key FROM alerts_sent WHERE key >= ? AND key < ? ORDER BY key",
        (prefix, prefix + "\U0010ffff"))]
