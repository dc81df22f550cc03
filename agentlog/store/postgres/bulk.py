"""The indexes a copy into an empty log sets aside and builds once at the end: one sort per
index instead of an insert into each for every row. Which ones are aside is recorded in
`log_meta` in the transaction that drops them, so an interrupted copy leaves a log that
answers every command (slower) and the next copy into it builds them.

The search index stays: PostgreSQL builds a GIN index on one core, and its build costs as
much as adding each row to it did, which the copy's two writers share (bench/README.md).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

KEY = "indexes_set_aside"
KEPT = ("idx_executions_search",)
MEMORY = 256 * 1024 * 1024  # maintenance_work_mem the builds ask for, unless set higher


def set_aside(conn, empty: bool) -> bool:
    """Drop the secondary indexes of `executions` when `empty`; True when some are aside."""
    with conn.transaction():
        if _recorded(conn) is not None:
            return True
        if not empty:
            return False
        indexes = dict(conn.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'executions'::regclass AND NOT i.indisprimary "
            "AND c.relname <> ALL(%s)", (list(KEPT),)).fetchall())
        conn.execute("INSERT INTO log_meta VALUES (%s, %s)", (KEY, json.dumps(indexes)))
        for name in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    return True


def _recorded(conn) -> dict[str, str] | None:
    row = conn.execute("SELECT value FROM log_meta WHERE key = %s", (KEY,)).fetchone()
    return None if row is None else json.loads(row[0])


def build(connect, conn) -> None:
    """Create the indexes set aside that are missing, two at a time on connections made by
    `connect()` (the largest first), then forget them, refresh the planner's statistics and
    mark the copied pages all-visible."""
    indexes = _recorded(conn) or {}
    present = {r[0] for r in conn.execute(
        "SELECT relname FROM pg_class WHERE relname = ANY(%s)", (list(indexes),))}
    todo = [sql for name, sql in indexes.items() if name not in present]
    todo.sort(key=lambda sql: "USING gin" not in sql)  # the long builds start first
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda sql: _create(connect, sql), todo))
    with conn.transaction():
        conn.execute("DELETE FROM log_meta WHERE key = %s", (KEY,))
    conn.execute("VACUUM (ANALYZE) executions")  # index-only scans need the visibility map


def _create(connect, sql: str) -> None:
    conn = connect()
    with conn.transaction():
        conn.execute("SELECT set_config('maintenance_work_mem', %s, true) "
                     "WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < %s",
                     (f"{MEMORY // 1024}kB", MEMORY))
        conn.execute(sql)
