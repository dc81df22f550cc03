"""PostgreSQL's compilation of a Query (the same Query SQLite's log compiles): its WHERE
clause, its SELECT, and running them. Reports, exports and prune reuse `where_sql()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentlog.errors import QueryError
from agentlog.store import records
from agentlog.store.postgres import dialect
from agentlog.store.query import RANK, Query, aggregate_terms
from agentlog.store.records import Execution, select_list

# Every column of the record (not the search vector), in the table's order.
COLUMNS = (
    "id", "agent_type", "agent_version", "model_id", "chosen_model_id", "provider", "status",
    "created_at", "started_at", "completed_at", "duration_ms", "time_to_first_token_ms",
    "input_tokens", "output_tokens", "total_tokens", "cached_tokens", "cache_creation_tokens",
    "reasoning_tokens", "input_cost", "output_cost", "total_cost", "cost_source", "streaming",
    "temperature", "finish_reason", "parameters", "system_prompt", "user_prompt", "response",
    "error_class", "error_message", "metadata", "tool_calls", "tool_calls_count", "attempts",
    "attempts_count", "fallback_chain", "fallback_reason", "cache_hit", "retryable",
    "rate_limited", "tenant_id", "batch_id", "deadline_at", "pid", "payloads_purged_at", "host",
    "response_model", "response_id", "server_address", "server_port", "max_tokens",
)
ALL = ", ".join(f"executions.{c}" for c in COLUMNS)
# Columns without NULLs sort as their B-trees do: NULLS LAST on a descending key would
# keep the planner from reading an index backwards (`list -n 20` sorted every row).
NOT_NULL = frozenset(("id", "agent_type", "status", "created_at"))


def where_sql(query: Query) -> tuple[str, list]:
    """` WHERE …` (or "") over the executions table, and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.after:
        clauses.append("created_at >= %s::timestamptz")
        params.append(query.after)
    if query.before:
        clauses.append("created_at < %s::timestamptz")
        params.append(query.before)
    for key, value, compare in query.metas:
        clause, values = (dialect.meta_equals(key, value) if compare
                          else dialect.meta_has(key))
        clauses.append(f"({clause})")
        params.extend(values)
    for condition in query.conditions:
        clause, values = dialect.condition_sql(condition)
        clauses.append(f"({clause})")
        params.extend(values)
    if query.search_text:
        clauses.append(dialect.SEARCH)
        params.append(dialect.tsquery(query.search_text))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def select_sql(query: Query, select: str = ALL) -> tuple[str, list]:
    """The SELECT of matching rows in the query's order; `select` is written inside store/."""
    order = query.ordering()
    ranked = any(k.lstrip("-") == RANK for k in order)
    if ranked and not query.search_text:
        raise QueryError("sorting by rank needs a search")
    where, params = where_sql(query)
    keys, key_params = [], []
    for k in order:
        name, descending = k.lstrip("-"), k.startswith("-")
        if name == RANK:  # SQLite's rank is best first ascending: here, the higher the better
            keys.append(f"{dialect.RANK} {'ASC' if descending else 'DESC'}")
            key_params.append(dialect.tsquery(query.search_text))
        else:
            keys.append(f"executions.{name} {'DESC' if descending else 'ASC'}"
                        + ("" if name in NOT_NULL else " NULLS LAST"))
    text = f"SELECT {select} FROM executions{where} ORDER BY {', '.join(keys)}"
    params = [*params, *key_params]
    if query.max_rows is not None:
        text += " LIMIT %s"
        params.append(query.max_rows)
    return text, params


def rows(conn, query: Query,
         columns: tuple[str, ...] | None = None) -> Iterator[dict]:
    cursor = conn.execute(*select_sql(query, select_list(columns, ALL)))
    names = [d.name for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def fetch(conn, query: Query,
          columns: tuple[str, ...] | None = None) -> Iterator[Execution]:
    for row in rows(conn, query, columns):
        yield Execution.from_row(row)


_FIELD_LIST = ", ".join(f"executions.{name}" for name in records.FIELDS)


def fetch_plain(conn, query: Query) -> Iterator[dict]:
    for row in conn.execute(*select_sql(query, _FIELD_LIST)):
        yield records.plain(row)


def aggregate(conn, query: Query, *specs: tuple[str, str]) -> tuple:
    exprs = ", ".join(_term(fn, column) for fn, column in aggregate_terms(specs))
    where, params = where_sql(query)
    return tuple(conn.execute(f"SELECT {exprs} FROM executions{where}", params).fetchone())


REALS = frozenset(("input_cost", "output_cost", "total_cost", "temperature"))


def _term(fn: str, column: str) -> str:
    """An aggregate typed as SQLite's: sums of integers are integers, averages floats (not
    PostgreSQL's numeric)."""
    if fn == "avg":
        return f"avg({column})::float8"
    if fn == "sum" and column not in REALS:
        return f"sum({column})::bigint"
    return f"{fn}({column})"


def count_upto(conn, query: Query, cap: int) -> tuple[int, float | None]:
    """Count and total cost of the matching rows, reading at most `cap + 1` of them."""
    where, params = where_sql(query)
    return tuple(conn.execute(
        "SELECT count(*), sum(total_cost) FROM "
        f"(SELECT total_cost FROM executions{where} LIMIT %s) AS capped",
        [*params, cap + 1]).fetchone())


def get(conn, execution_id: int) -> Execution | None:
    return next(fetch(conn, Query().by_id(execution_id)), None)


def latest(conn) -> Execution | None:
    return next(fetch(conn, Query().limit(1)), None)
