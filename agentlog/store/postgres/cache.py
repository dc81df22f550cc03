"""The response cache and the circuit breakers, shared by every machine that logs to the
database. The rules live in runner/cache.py and runner/breaker.py; a breaker's
read-modify-write holds the row's lock (SELECT … FOR UPDATE, or an advisory lock while no
row exists) so that two processes never act on the same state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agentlog.timeutil import now_iso

Row = dict[str, Any]
CACHE_COLUMNS = ("key", "agent", "model", "provider", "response", "finish_reason",
                 "input_tokens", "output_tokens", "cached_tokens", "cache_creation_tokens",
                 "reasoning_tokens", "execution_id", "created_at", "expires_at")
BREAKER_COLUMNS = ("agent", "model", "state", "failures", "opened_at", "reopen_at",
                   "updated_at")


def cache_get(conn, key: str, now: str) -> Row | None:
    row = conn.execute(f"SELECT {', '.join(CACHE_COLUMNS)} FROM response_cache "
                       "WHERE key = %s AND expires_at > %s::timestamptz", (key, now)).fetchone()
    return dict(zip(CACHE_COLUMNS, row, strict=True)) if row else None


def cache_put(conn, entry: Row) -> None:
    updates = ", ".join(f"{c} = excluded.{c}" for c in CACHE_COLUMNS[1:])
    conn.execute(f"INSERT INTO response_cache ({', '.join(CACHE_COLUMNS)}) "
                 f"VALUES ({', '.join('%s' for _ in CACHE_COLUMNS)}) "
                 f"ON CONFLICT (key) DO UPDATE SET {updates}",
                 [entry.get(c) for c in CACHE_COLUMNS])


def cache_live(conn) -> list[Row]:
    cursor = conn.execute(f"SELECT {', '.join(CACHE_COLUMNS)} FROM response_cache "
                          "WHERE expires_at > %s::timestamptz ORDER BY key", (now_iso(),))
    return [dict(zip(CACHE_COLUMNS, row, strict=True)) for row in cursor]


def cache_delete_expired(conn, now: str | None = None) -> int:
    return conn.execute("DELETE FROM response_cache WHERE expires_at <= %s::timestamptz",
                        (now or now_iso(),)).rowcount


def _decode(row) -> Row:
    out = dict(zip(BREAKER_COLUMNS, row, strict=True))
    out["failures"] = json.loads(out["failures"])
    return out


def breaker(conn, agent: str, model: str, lock: bool = False) -> Row | None:
    row = conn.execute(f"SELECT {', '.join(BREAKER_COLUMNS)} FROM breakers "
                       "WHERE agent = %s AND model = %s" + (" FOR UPDATE" if lock else ""),
                       (agent, model)).fetchone()
    return _decode(row) if row else None


def breaker_rows(conn) -> list[Row]:
    cursor = conn.execute(f"SELECT {', '.join(BREAKER_COLUMNS)} FROM breakers "
                          "ORDER BY agent, model")
    return [_decode(r) for r in cursor]


def change_breaker(conn, agent: str, model: str,
                   update: Callable[[Row | None], Row | None]) -> Row | None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                     (f"breaker {agent} {model}",))
        new = update(breaker(conn, agent, model, lock=True))
        if new is None:
            conn.execute("DELETE FROM breakers WHERE agent = %s AND model = %s", (agent, model))
        else:
            values = {**new, "agent": agent, "model": model,
                      "failures": json.dumps(new.get("failures", []))}
            updates = ", ".join(f"{c} = excluded.{c}" for c in BREAKER_COLUMNS[2:])
            conn.execute(f"INSERT INTO breakers ({', '.join(BREAKER_COLUMNS)}) "
                         f"VALUES ({', '.join('%s' for _ in BREAKER_COLUMNS)}) "
                         f"ON CONFLICT (agent, model) DO UPDATE SET {updates}",
                         [values.get(c) for c in BREAKER_COLUMNS])
    return new


def reset_breakers(conn, agent: str | None = None) -> int:
    if agent is None:
        return conn.execute("DELETE FROM breakers").rowcount
    return conn.execute("DELETE FROM breakers WHERE agent = %s", (agent,)).rowcount
