"""The claims of sent alerts (table alerts_sent), as store/sqlite/alerts.py: the primary key
decides which of several machines crossing one condition at once sends it."""

from __future__ import annotations


def claim(conn, key: str, kind: str, at: str) -> bool:
    cursor = conn.execute("INSERT INTO alerts_sent (key, kind, sent_at) "
                          "VALUES (%s, %s, %s::timestamptz) ON CONFLICT (key) DO NOTHING",
                          (key, kind, at))
    return cursor.rowcount == 1


def keys(conn, prefix: str) -> list[str]:
    # starts_with compares characters, whatever the database's collation
    return [r[0] for r in conn.execute(
        "SELECT key FROM alerts_sent WHERE starts_with(key, %s) ORDER BY key", (prefix,))]
