"""SQLite's compilation of a Query: its WHERE clause, its SELECT, and running them.

These are the only places where a Query becomes SQL; reports, exports and prune reuse
`where_sql()` for their own SELECT or DELETE.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from agentlog.errors import QueryError
from agentlog.store import records
from agentlog.store.conditions import (
    AtLeast,
    Blank,
    Condition,
    Flag,
    Following,
    NoneOf,
    OneOf,
    Present,
)
from agentlog.store.query import RANK, Query, aggregate_terms
from agentlog.store.records import BOOL_COLUMNS, Execution, select_list
from agentlog.store.sqlite import dialect


def condition_sql(c: Condition) -> tuple[str, list]:
    """One condition of store/conditions.py in SQLite's spelling, and its parameters."""
    if isinstance(c, OneOf):
        known = [v for v in c.values if v is not None]
        tests = [f"{column} IN ({', '.join('?' * len(known))})" for column in c.among
                 if known]
        tests += [f"{column} IS NULL" for column in c.among if None in c.values]
        return " OR ".join(tests) or "0", known * len(c.among)
    if isinstance(c, NoneOf):
        return f"{c.column} NOT IN ({', '.join('?' * len(c.values))})", list(c.values)
    if isinstance(c, AtLeast):
        return f"{c.column} >= ?", [c.value]
    if isinstance(c, Flag):
        return f"{c.column} = {1 if c.yes else 0}", []
    if isinstance(c, Present):
        return f"{c.column} IS {'NOT ' if c.yes else ''}NULL", []
    if isinstance(c, Blank):
        return (f"{c.column} IS NULL OR {c.column} = ''" if c.yes
                else f"{c.column} IS NOT NULL AND {c.column} != ''"), []
    if isinstance(c, Following):
        return _following(c)
    raise TypeError(f"no SQLite spelling of {c!r}")


def _following(c: Following) -> tuple[str, list]:
    """After the row: greater on the first key that differs (lesser when descending, and a
    value before any NULL), equal (`IS`, NULL-safe) on the keys before it."""
    branches, params, equal, equal_params = [], [], [], []
    for key, value in zip(c.keys, c.values, strict=True):
        name, desc = key.lstrip("-"), key.startswith("-")
        if value is not None:  # after a NULL come only other NULLs, told apart by later keys
            branches.append(" AND ".join(
                [*equal, f"({name} {'<' if desc else '>'} ? OR {name} IS NULL)"]))
            params += [*equal_params, value]
        equal.append(f"{name} IS ?")
        equal_params.append(value)
    return " OR ".join(f"({b})" for b in branches) or "0", params


def conditions_sql(query: Query) -> tuple[list[str], list]:
    """The query's conditions as parenthesised clauses, and their parameters."""
    clauses, params = [], []
    for condition in query.conditions:
        clause, values = condition_sql(condition)
        clauses.append(f"({clause})")
        params.extend(values)
    return clauses, params


def _where(query: Query, ranked: bool, led: bool = False) -> tuple[str, list]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.after:
        clauses.append("created_at >= ?")
        params.append(query.after)
    if query.before:
        clauses.append("created_at < ?")
        params.append(query.before)
    for key, value, compare in query.metas:  # a leading one is tested on its index rows
        clause, values = (dialect.meta_lead_test(key, value) if led
                          else dialect.meta_equals(key, value) if compare
                          else dialect.meta_has(key))
        clauses.append(f"({clause})")
        params.extend(values)
    more, values = conditions_sql(query)
    clauses += more
    params += values
    if query.search_text and not ranked:  # a ranked query filters through its join instead
        clauses.append(dialect.fts_filter())
        params.append(dialect.fts_phrases(query.search_text))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def where_sql(query: Query) -> tuple[str, list]:
    """` WHERE …` (or "") over the executions table, and its parameters."""
    return _where(query, ranked=False)


def _source(query: Query, ranked: bool) -> tuple[str, bool]:
    """The FROM clause of select_sql() and whether a metadata test leads it: the only one,
    if it compares a top-level key with text (see dialect.META_LEAD_ID); with several, SQLite
    picks the most selective index itself (a leading common value would walk past a rare
    second one)."""
    if ranked:
        return dialect.fts_ranked_source(), False
    metas = query.metas
    if len(metas) == 1 and metas[0][2] and dialect.can_lead(*metas[0][:2]):
        return dialect.meta_lead_source(), True
    return "executions", False


def order_sql(key: str, spelled: str) -> str:
    """One sort key, unknown values (NULL) last in either direction. SQLite puts NULLs last
    in a descending order by itself, and the id is never NULL: said only where it is needed,
    so that an index on the keys (as idx_executions_cost) yields the order without a sort."""
    if key.startswith("-"):
        return f"{spelled} DESC"
    return f"{spelled} ASC" + ("" if key == "id" else " NULLS LAST")


def select_sql(query: Query, select: str = "executions.*") -> tuple[str, list]:
    """The SELECT of matching rows in the query's order; `select` is a select list written
    inside store/."""
    order = query.ordering()
    ranked = any(k.lstrip("-") == RANK for k in order)
    if ranked and not query.search_text:
        raise QueryError("sorting by rank needs a search")
    source, led = _source(query, ranked)
    where, params = _where(query, ranked, led)

    def key(name: str) -> str:
        if name == RANK:
            return "fts_rank"
        return dialect.META_LEAD_ID if led and name == "id" else "executions." + name

    keys = ", ".join(order_sql(k, key(k.lstrip("-"))) for k in order)
    text = f"SELECT {select} FROM {source}{where} ORDER BY {keys}"
    if ranked:
        params = [dialect.fts_phrases(query.search_text), *params]
    if query.max_rows is not None:
        text += " LIMIT ?"
        params.append(query.max_rows)
    return text, params


def rows(conn: sqlite3.Connection, query: Query,
         columns: tuple[str, ...] | None = None) -> Iterator[dict]:
    """Matching rows as dicts of stored values, streamed."""
    cursor = conn.execute(*select_sql(query, select_list(columns, "executions.*")))
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def stored_after(conn: sqlite3.Connection, after: int, limit: int) -> list[dict]:
    """The next `limit` rows after id `after` as `Execution.to_dict()` gives them, without
    building the records: times as the stored ISO text, JSON columns as their JSON text
    (`db copy` reads every row of a log this way)."""
    cursor = conn.execute(f"SELECT {', '.join(records.FIELDS)} FROM executions WHERE id > ? "
                          "ORDER BY id LIMIT ?", (after, limit))
    flags = [i for i, name in enumerate(records.FIELDS) if name in BOOL_COLUMNS]
    out = []
    for row in cursor:
        values = dict(zip(records.FIELDS, row, strict=True))
        for i in flags:
            if row[i] is not None:
                values[records.FIELDS[i]] = bool(row[i])
        out.append(values)
    return out


def fetch(conn: sqlite3.Connection, query: Query,
          columns: tuple[str, ...] | None = None) -> Iterator[Execution]:
    for row in rows(conn, query, columns):
        yield Execution.from_row(row)


_FIELD_LIST = ", ".join(f"executions.{name}" for name in records.FIELDS)


def fetch_plain(conn: sqlite3.Connection, query: Query) -> Iterator[dict]:
    for row in conn.execute(*select_sql(query, _FIELD_LIST)):
        yield records.plain(row)


def aggregate(conn: sqlite3.Connection, query: Query, *specs: tuple[str, str]) -> tuple:
    """One row of aggregates over every matching row (limit and order do not apply),
    e.g. `aggregate(conn, query, ("count", "*"), ("sum", "total_cost"))`."""
    exprs = ", ".join(f"{fn}({column})" for fn, column in aggregate_terms(specs))
    where, params = where_sql(query)
    return conn.execute(f"SELECT {exprs} FROM executions{where}", params).fetchone()


def count_upto(conn: sqlite3.Connection, query: Query, cap: int) -> tuple[int, float | None]:
    """Count and total cost of the matching rows, reading at most `cap + 1` of them: a
    count above `cap` only says "more than cap" (and its cost covers those rows only)."""
    source, led = _source(query, ranked=False)
    where, params = _where(query, ranked=False, led=led)
    return conn.execute(
        "SELECT count(*), sum(total_cost) FROM "
        f"(SELECT executions.total_cost FROM {source}{where} LIMIT ?)",
        [*params, cap + 1]).fetchone()


def latest(conn: sqlite3.Connection) -> Execution | None:
    return next(fetch(conn, Query().limit(1)), None)


def get(conn: sqlite3.Connection, execution_id: int) -> Execution | None:
    return next(fetch(conn, Query().by_id(execution_id)), None)
