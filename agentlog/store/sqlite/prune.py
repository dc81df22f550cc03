"""Pruning SQLite: deleting old executions in batches (triggers keep the full-text index).

Each batch is its own transaction (ids picked, rows deleted), so a crash
mid-prune leaves a consistent database with some of the rows gone. Running executions are
never deleted. Space comes back to the file system with VACUUM afterwards.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable

from agentlog.errors import StoreError
from agentlog.store.prune import AgentShare, Plan
from agentlog.store.query import Query
from agentlog.store.sqlite import db, schema
from agentlog.store.sqlite.select import where_sql

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
    rows = conn.execute(
        "SELECT agent_type, count(*), sum(total_cost), min(created_at), max(created_at), "
        f"max(id) FROM executions{where} GROUP BY agent_type", params).fetchall()
    rows.sort(key=lambda r: (-r[1], r[0]))
    costs = [r[2] for r in rows if r[2] is not None]
    return Plan(
        count=sum(r[1] for r in rows),
        first=min((r[3] for r in rows), default=None),
        last=max((r[4] for r in rows), default=None),
        cost=sum(costs) if costs else None,
        agents=tuple(AgentShare(r[0], r[1], r[2]) for r in rows),
        top_id=max((r[5] for r in rows), default=None),
    )


def delete(conn: sqlite3.Connection, selected: Query, top_id: int,
           progress: Callable[[int], None] | None = None, batch: int = BATCH) -> int:
    """Delete the selected executions with ids up to `top_id`; returns how many went."""
    where, params = where_sql(selected)
    pick = f"SELECT id FROM executions{where} AND id > ? AND id <= ? ORDER BY id LIMIT ?"
    deleted, last = 0, 0
    # secure_delete=FAST: zeroing every freed page doubles the cost of a delete, and VACUUM
    # rewrites the file without those pages afterwards anyway. Checkpointing every ~40 MB of
    # write-ahead log instead of every 4 MB saves rewriting the same index pages per batch.
    with db.pragmas(conn, secure_delete="FAST", cache_size=-_CACHE_KIB,
                    wal_autocheckpoint=_CHECKPOINT_PAGES):
        while True:
            try:
                with db.transaction(conn):
                    ids = [r[0] for r in conn.execute(pick, [*params, last, top_id, batch])]
                    if ids:
                        marks = ", ".join("?" * len(ids))
                        with schema.fts_merging_later(conn):  # triggers unindex the rows
                            conn.execute(f"DELETE FROM executions WHERE id IN ({marks})", ids)
            except sqlite3.OperationalError as e:  # locked too long, disk full, …
                raise StoreError(f"prune stopped after deleting {deleted:,} executions: {e}") \
                    from None
            deleted += len(ids)
            if progress and ids:
                progress(len(ids))
            if len(ids) < batch:
                return deleted
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
