"""Pruning a PostgreSQL log: deleting old executions, or their text, in batches (each its
own transaction, so an interruption leaves a consistent log with some rows gone; the
triggers take them out of the totals, the search vector follows the row). Running
executions are never deleted.
"""

from __future__ import annotations

from collections.abc import Callable

from agentlog.errors import StoreError
from agentlog.store.postgres.select import where_sql
from agentlog.store.prune import PLAN_SQL, Plan
from agentlog.store.query import Query
from agentlog.timeutil import now_iso

BATCH = 5000


def _stripped(column: str, keys: tuple[str, ...]) -> str:
    """A JSON array of objects without the given keys (anything else in it: NULL), as
    SQLite's prune spells it."""
    removed = "".join(f" - '{k}'" for k in keys)
    return (f"CASE WHEN jsonb_typeof({column}) = 'array' THEN coalesce((SELECT jsonb_agg("
            f"CASE WHEN jsonb_typeof(v) = 'object' THEN v{removed} END ORDER BY i) "
            f"FROM jsonb_array_elements({column}) WITH ORDINALITY AS t(v, i)), '[]') END")


# The text of an execution; every number, status, class and model name stays.
_PURGE = ("UPDATE executions SET system_prompt = NULL, user_prompt = NULL, response = NULL, "
          "error_message = NULL, parameters = NULL, "
          f"tool_calls = {_stripped('tool_calls', ('arguments', 'result', 'error'))}, "
          f"attempts = {_stripped('attempts', ('error_message',))}, "
          "payloads_purged_at = %s::timestamptz WHERE id = ANY(%s)")


def plan(conn, selected: Query) -> Plan:
    where, params = where_sql(selected)
    return Plan.of(conn.execute(PLAN_SQL.format(where=where), params).fetchall())


def _delete(conn, ids: list[int]) -> None:
    conn.execute("DELETE FROM executions WHERE id = ANY(%s)", (ids,))
    conn.execute("DELETE FROM response_cache WHERE execution_id = ANY(%s)", (ids,))


def _purge(conn, ids: list[int]) -> None:
    conn.execute(_PURGE, (now_iso(), ids))
    conn.execute("DELETE FROM response_cache WHERE execution_id = ANY(%s)", (ids,))


def delete(conn, selected: Query, top_id: int,
           progress: Callable[[int], None] | None = None, batch: int = BATCH, *,
           payloads: bool = False) -> int:
    """Delete the selected executions with ids up to `top_id` (with `payloads`: drop their
    text, keep the rows); returns how many."""
    import psycopg

    where, params = where_sql(selected)
    pick = (f"SELECT id FROM executions{where} AND id > %s AND id <= %s "
            "ORDER BY id LIMIT %s")
    deleted, last = 0, 0
    while True:
        try:
            with conn.transaction():
                ids = [r[0] for r in conn.execute(pick, [*params, last, top_id, batch])]
                if ids:
                    (_purge if payloads else _delete)(conn, ids)
        except psycopg.OperationalError as e:
            verb = "purging the text of" if payloads else "deleting"
            raise StoreError(f"prune stopped after {verb} {deleted:,} executions: "
                             f"{' '.join(str(e).split())}") from None
        deleted += len(ids)
        if progress and ids:
            progress(len(ids))
        if len(ids) < batch:
            return deleted
        last = ids[-1]


def vacuum(conn) -> None:
    """Make the space of deleted rows reusable (VACUUM cannot run inside a transaction:
    the connection is in autocommit)."""
    for table in ("executions", "execution_hours", "execution_days"):
        conn.execute(f"VACUUM (ANALYZE) {table}")


def size(conn) -> int:
    """Bytes the log's tables and indexes take in the database."""
    return conn.execute(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
        "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace "
        "AND c.relname IN ('executions', 'execution_days', 'execution_hours', "
        "'response_cache', 'breakers', '_migrations')").fetchone()[0]
