"""Pruning SQLite: deleting old executions, or their text, in batches (triggers keep the
full-text index).

Each batch is its own transaction (ids picked, rows deleted), so a crash
mid-prune leaves a consistent database with some of the rows gone. Running executions are
never deleted. Space comes back to the file system with VACUUM afterwards.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable

from agentlog.errors import StoreError
from agentlog.store.prune import PLAN_SQL, Plan
from agentlog.store.query import Query
from agentlog.store.sqlite import db, schema
from agentlog.store.sqlite.select import where_sql
from agentlog.timeutil import now_iso

BATCH = 5000
_CACHE_KIB = 65536  # page cache while deleting: the full-text index rewrites many pages
_CHECKPOINT_PAGES = 10_000


def tidy(conn: sqlite3.Connection) -> tuple[int, int]:
    """Mark rows left running by dead processes `Interrupted` (a later prune can then delete
    them like any other) and remove expired response-cache entries; returns both counts."""
    from agentlog.store.sqlite import cache, writer

    return writer.interrupt_stale(conn), cache.delete_expired(conn)


def plan(conn: sqlite3.Connection, selected: Query) -> Plan:
    """Count, time range and cost of the selected executions, in one pass."""
    where, params = where_sql(selected)
    return Plan.of(conn.execute(PLAN_SQL.format(where=where), params).fetchall())


def _stripped(column: str, keys: tuple[str, ...]) -> str:
    """A JSON array of objects without the given keys (anything else in it: NULL)."""
    paths = ", ".join(f"'$.{k}'" for k in keys)
    return (f"CASE WHEN json_valid({column}) AND json_type({column}) = 'array' THEN "
            f"(SELECT json_group_array(CASE WHEN type = 'object' THEN json_remove(value, {paths}) "
            f"END) FROM json_each({column})) END")


# The text of an execution; every number, status, class and model name stays.
_PURGE = ("UPDATE executions SET system_prompt = NULL, user_prompt = NULL, response = NULL, "
          "error_message = NULL, parameters = NULL, "
          f"tool_calls = {_stripped('tool_calls', ('arguments', 'result', 'error'))}, "
          f"attempts = {_stripped('attempts', ('error_message',))}, "
          "payloads_purged_at = ? WHERE id IN ({marks})")


def _delete(conn: sqlite3.Connection, ids: list[int], marks: str) -> None:
    conn.execute(f"DELETE FROM executions WHERE id IN ({marks})", ids)  # triggers unindex


def _purge(conn: sqlite3.Connection, ids: list[int], marks: str) -> None:
    conn.execute(_PURGE.format(marks=marks), [now_iso(), *ids])
    conn.execute(f"DELETE FROM response_cache WHERE execution_id IN ({marks})", ids)


def delete(conn: sqlite3.Connection, selected: Query, top_id: int,
           progress: Callable[[int], None] | None = None, batch: int = BATCH, *,
           payloads: bool = False, erase: bool = False) -> int:
    """Delete the selected executions with ids up to `top_id` (with `payloads`: drop their
    text, keep the rows); returns how many. `erase` overwrites what is freed with zeros, so
    that after `vacuum` the text is in no page of any file of the log."""
    where, params = where_sql(selected)
    pick = f"SELECT id FROM executions{where} AND id > ? AND id <= ? ORDER BY id LIMIT ?"
    act = _purge if payloads else _delete
    done, last = 0, 0
    # secure_delete=FAST: zeroing every freed page doubles the cost of a delete, and VACUUM
    # rewrites the file without those pages afterwards anyway. Checkpointing every ~40 MB of
    # write-ahead log instead of every 4 MB saves rewriting the same index pages per batch.
    with db.pragmas(conn, secure_delete="ON" if erase else "FAST", cache_size=-_CACHE_KIB,
                    wal_autocheckpoint=_CHECKPOINT_PAGES):
        while True:
            try:
                with db.transaction(conn):
                    ids = [r[0] for r in conn.execute(pick, [*params, last, top_id, batch])]
                    if ids:
                        with schema.fts_merging_later(conn):
                            act(conn, ids, ", ".join("?" * len(ids)))
            except sqlite3.OperationalError as e:  # locked too long, disk full, …
                verb = "purging the text of" if payloads else "deleting"
                raise StoreError(f"prune stopped after {verb} {done:,} executions: {e}") \
                    from None
            done += len(ids)
            if progress and ids:
                progress(len(ids))
            if len(ids) < batch:
                return done
            last = ids[-1]


def vacuum(conn: sqlite3.Connection) -> None:
    """Give the space of deleted rows back to the file system: merge the full-text index
    (deleted rows leave entries there until a merge), then rewrite the file."""
    try:
        schema.fts_optimize(conn)
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as e:
        raise StoreError(f"the executions are deleted, but reclaiming space failed: {e} "
                         "(`sqlite3 FILE VACUUM` shrinks the file later)") from None


def file_size(conn: sqlite3.Connection) -> int:
    """Bytes on disk of the database and its write-ahead log (0 in memory)."""
    path = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not path:
        return 0
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
