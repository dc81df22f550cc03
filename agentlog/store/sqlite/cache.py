"""The response cache: successful answers by request hash, each with an expiry time.

What goes into the hash and when an answer may be reused is decided in runner/cache.py.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from agentlog.timeutil import now_iso

COLUMNS = ("key", "agent", "model", "provider", "response", "finish_reason", "input_tokens",
           "output_tokens", "cached_tokens", "cache_creation_tokens", "reasoning_tokens",
           "execution_id", "created_at", "expires_at")


def get(conn: sqlite3.Connection, key: str, now: str) -> dict[str, Any] | None:
    """The entry for `key` unless it expired before `now` (UTC ISO)."""
    cursor = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM response_cache "
                          "WHERE key = ? AND expires_at > ?", (key, now))
    row = cursor.fetchone()
    return dict(zip(COLUMNS, row, strict=True)) if row else None


def live(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every entry that has not expired."""
    cursor = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM response_cache "
                          "WHERE expires_at > ? ORDER BY key", (now_iso(),))
    return [dict(zip(COLUMNS, row, strict=True)) for row in cursor]


def put(conn: sqlite3.Connection, entry: dict[str, Any]) -> None:
    conn.execute(f"INSERT OR REPLACE INTO response_cache ({', '.join(COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(COLUMNS))})", [entry.get(c) for c in COLUMNS])


def delete_expired(conn: sqlite3.Connection, now: str | None = None) -> int:
    """Remove entries that expired before `now` (default: now); returns how many."""
    return conn.execute("DELETE FROM response_cache WHERE expires_at <= ?",
                        (now or now_iso(),)).rowcount
