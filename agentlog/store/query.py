"""The query builder: an immutable value that turns filters into SQL with bound parameters.

Each filter (store/filters.py) returns a new Query; `where_sql()` and `sql()` are the only
places where SQL is assembled. Column names come from whitelists, values are parameters.
Reports, exports and prune reuse `where_sql()` for their own SELECT, COPY or DELETE.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from agentlog import timeutil
from agentlog.errors import QueryError
from agentlog.store.filters import Filters
from agentlog.store.records import Execution
from agentlog.store.sqlite import dialect
from agentlog.timeutil import to_iso

SORTABLE = (
    "id", "created_at", "agent_type", "model_id", "chosen_model_id", "status", "duration_ms",
    "time_to_first_token_ms", "input_tokens", "output_tokens", "total_tokens", "input_cost",
    "output_cost", "total_cost", "tenant_id", "attempts_count", "tool_calls_count",
)
SORT_ALIASES = {"time": "created_at", "agent": "agent_type", "model": "chosen_model_id",
                "duration": "duration_ms", "tokens": "total_tokens", "cost": "total_cost"}
NUMERIC = (
    "duration_ms", "time_to_first_token_ms", "input_tokens", "output_tokens", "total_tokens",
    "cached_tokens", "cache_creation_tokens", "reasoning_tokens", "input_cost", "output_cost",
    "total_cost", "temperature", "attempts_count", "tool_calls_count",
)
AGGREGATES = ("count", "sum", "avg", "min", "max")
_RANK = "rank"  # the search rank, sortable only inside a search


@dataclass(frozen=True)
class Query(Filters):
    zone: str | None = None  # IANA zone of calendar periods; None: the system's
    tenant: str | None = None  # the current tenant, for current_tenant()
    # (SQL, parameters, the columns it reads if the totals of store/sqlite/totals.py may answer it)
    conditions: tuple[tuple[str, tuple, frozenset | None], ...] = ()
    after: str | None = None  # created_at >= after (a stored UTC string)
    before: str | None = None  # created_at < before
    claims: tuple[tuple[str, frozenset, str], ...] = ()  # (dimension, allowed values, flag)
    match: str | None = None  # FTS5 query of search()
    metas: tuple[tuple[str, Any, bool], ...] = ()  # metadata tests: (key, value, compare?)
    order: tuple[str, ...] = ()  # empty: by search rank when searching, then newest first
    max_rows: int | None = None

    def where(self, clause: str, *params, columns: tuple[str, ...] | None = None) -> Query:
        """Add a condition (SQL written inside store/ only, values as parameters). `columns`
        names every column it reads, so the totals can answer it (store/sqlite/totals.py)."""
        found = frozenset(columns) if columns is not None else None
        return replace(self, conditions=(*self.conditions, (clause, params, found)))

    def by_id(self, execution_id: int) -> Query:
        execution_id = int(execution_id)
        if abs(execution_id) > dialect.MAX_INTEGER:
            return self.where("0")  # no row has an id SQLite cannot even hold
        return self.where("id = ?", execution_id)

    def order_by(self, *keys: str) -> Query:
        """Column names (or time, agent, model, duration, tokens, cost); `-` for descending."""
        out = []
        for key in keys:
            desc = key.startswith("-")
            name = key[1:] if desc else key
            name = SORT_ALIASES.get(name, name)
            if name not in SORTABLE:
                choices = ", ".join((*SORT_ALIASES, *SORTABLE))
                raise QueryError(f"cannot sort by '{key}' (choose from: {choices})")
            out.append(("-" if desc else "") + name)
        return replace(self, order=tuple(out))

    def reverse(self) -> Query:
        return replace(self, order=tuple(k[1:] if k.startswith("-") else "-" + k
                                         for k in self._order()))

    def seek(self, last: Execution) -> Query:
        """The rows that follow `last` in this query's order (keyset pagination: the next page
        starts after the last row shown, without an OFFSET). The order ends with the id, so
        that ties and NULLs (last in either direction) have one place."""
        order = self._order()
        if any(k.lstrip("-") == _RANK for k in order):
            raise QueryError("pages of a search ranked by relevance cannot be followed by key "
                             "(sort by a column)")
        if order[-1].lstrip("-") != "id":
            order = (*order, "-id")
        values = last.to_dict()
        branches, params, equal, equal_params = [], [], [], []
        for key in order:
            name, desc = key.lstrip("-"), key.startswith("-")
            value = values[name]
            if value is not None:  # a NULL is last: nothing sorts after it but other NULLs
                branches.append(" AND ".join(
                    [*equal, f"({name} {'<' if desc else '>'} ? OR {name} IS NULL)"]))
                params += [*equal_params, value]
            equal.append(f"{name} IS ?")
            equal_params.append(value)
        clause = " OR ".join(f"({b})" for b in branches) or "0"
        return replace(self, order=order).where(clause, *params)

    def limit(self, n: int | None) -> Query:
        if n is not None and n < 0:
            raise QueryError(f"limit must be zero or more, got {n}")
        return replace(self, max_rows=None if n is not None and n > dialect.MAX_INTEGER else n)

    # --- what filters, reports and prune build on ------------------------------------------
    def claim(self, dimension: str, allowed: tuple, name: str) -> Query:
        """Record what the filter `name` (e.g. `failed()`) allows on one dimension; nothing
        left allowed is a conflict, whose error names both filters."""
        left, others = frozenset(allowed), []
        for dim, values, other in self.claims:
            if dim == dimension:
                left &= values
                others.append(other)
        if not left:
            raise QueryError(f"{name} cannot be combined with {' and '.join(others)}")
        return replace(self, claims=(*self.claims, (dimension, frozenset(allowed), name)))

    def narrow(self, start: datetime | str | None, end: datetime | str | None,
               name: str | None = None) -> Query:
        """Only rows created in [start, end) as well (None: no bound; a str is a stored UTC
        time). An empty range is an error naming the filter `name`; without a name (a
        report's bucket outside the query's range) it selects nothing."""
        start, end = (to_iso(t) if isinstance(t, datetime) else t for t in (start, end))
        after = max(filter(None, (self.after, start)), default=None)
        before = min(filter(None, (self.before, end)), default=None)
        if name and after and before and after >= before:
            raise QueryError(f"{name} leaves an empty time range "
                             f"(from {after} to {before}, UTC)")
        return replace(self, after=after, before=before)

    def local_zone(self):
        """The zone of calendar periods (the system's when `zone` is None)."""
        try:
            return timeutil.get_zone(self.zone)
        except ValueError as e:
            raise QueryError(str(e)) from None

    def _match(self, phrases: str) -> Query:
        return replace(self, match=f"{self.match} {phrases}" if self.match else phrases)

    # --- SQL ---------------------------------------------------------------------------------
    def _order(self) -> tuple[str, ...]:
        if self.order:
            return self.order
        return (_RANK, "-id") if self.match else ("-id",)

    def _where(self, ranked: bool, led: bool = False) -> tuple[str, list]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.after:
            clauses.append("created_at >= ?")
            params.append(self.after)
        if self.before:
            clauses.append("created_at < ?")
            params.append(self.before)
        for key, value, compare in self.metas:  # a leading one is tested on its index rows
            clause, values = (dialect.meta_lead_test(key, value) if led
                              else dialect.meta_equals(key, value) if compare
                              else dialect.meta_has(key))
            clauses.append(f"({clause})")
            params.extend(values)
        for clause, values, _ in self.conditions:
            clauses.append(f"({clause})")
            params.extend(values)
        if self.match and not ranked:  # a ranked query filters through its join instead
            clauses.append(dialect.fts_filter())
            params.append(self.match)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def where_sql(self) -> tuple[str, list]:
        """` WHERE …` (or "") over the executions table, and its parameters."""
        return self._where(ranked=False)

    def _source(self, ranked: bool) -> tuple[str, bool]:
        """The FROM clause of sql() and whether a metadata test leads it: the only one, if it
        compares a top-level key with text (see dialect.META_LEAD_ID); with several, SQLite
        picks the most selective index itself (a leading common value would walk past a rare
        second one)."""
        if ranked:
            return dialect.fts_ranked_source(), False
        if len(self.metas) == 1 and self.metas[0][2] and dialect.can_lead(*self.metas[0][:2]):
            return dialect.meta_lead_source(), True
        return "executions", False

    def sql(self, columns: str = "executions.*") -> tuple[str, list]:
        """The SELECT of matching rows; `columns` is a select list written inside store/."""
        order = self._order()
        ranked = any(k.lstrip("-") == _RANK for k in order)
        if ranked and not self.match:
            raise QueryError("sorting by rank needs a search")
        source, led = self._source(ranked)
        where, params = self._where(ranked, led)

        def key(name: str) -> str:
            if name == _RANK:
                return "fts_rank"
            return dialect.META_LEAD_ID if led and name == "id" else "executions." + name

        keys = ", ".join(  # unknown values (NULL) last in either direction
            f"{key(k.lstrip('-'))} {'DESC' if k.startswith('-') else 'ASC'} NULLS LAST"
            for k in order)
        text = f"SELECT {columns} FROM {source}{where} ORDER BY {keys}"
        params = [self.match, *params] if ranked else params
        if self.max_rows is not None:
            text += " LIMIT ?"
            params.append(self.max_rows)
        return text, params

    # --- running it --------------------------------------------------------------------------
    def rows(self, conn: sqlite3.Connection) -> Iterator[dict]:
        """Matching rows as dicts of stored values, streamed."""
        text, params = self.sql()
        cursor = conn.execute(text, params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def fetch(self, conn: sqlite3.Connection) -> Iterator[Execution]:
        for row in self.rows(conn):
            yield Execution.from_row(row)

    def aggregate(self, conn: sqlite3.Connection, *specs: tuple[str, str]) -> tuple:
        """One row of aggregates over every matching row (limit and order do not apply),
        e.g. `aggregate(conn, ("count", "*"), ("sum", "total_cost"))`."""
        exprs = []
        for fn, column in specs:
            if fn not in AGGREGATES:
                raise QueryError(f"unknown aggregate '{fn}' (choose from: {', '.join(AGGREGATES)})")
            if not (fn == "count" and column == "*") and column not in NUMERIC:
                raise QueryError(f"cannot {fn} '{column}' (choose from: {', '.join(NUMERIC)})")
            exprs.append(f"{fn}({column})")
        where, params = self.where_sql()
        return conn.execute(f"SELECT {', '.join(exprs)} FROM executions{where}",
                            params).fetchone()

    def totals_upto(self, conn: sqlite3.Connection, cap: int) -> tuple[int, float | None]:
        """Count and total cost of the matching rows, reading at most `cap + 1` of them: a
        count above `cap` only says "more than cap" (and its cost covers those rows only)."""
        source, led = self._source(ranked=False)
        where, params = self._where(ranked=False, led=led)
        return conn.execute(
            "SELECT count(*), sum(total_cost) FROM "
            f"(SELECT executions.total_cost FROM {source}{where} LIMIT ?)",
            [*params, cap + 1]).fetchone()


def latest(conn: sqlite3.Connection) -> Execution | None:
    return next(Query().limit(1).fetch(conn), None)


def get(conn: sqlite3.Connection, execution_id: int) -> Execution | None:
    return next(Query().by_id(execution_id).fetch(conn), None)
