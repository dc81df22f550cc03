"""The query builder: an immutable value that turns filters into SQL with bound parameters.

Each filter returns a new Query; `sql()` is the one place where SQL is assembled. Column names
come from a whitelist, values are always parameters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace

from agentlog.errors import QueryError
from agentlog.store.records import Execution

SORTABLE = (
    "id", "created_at", "agent_type", "model_id", "chosen_model_id", "status", "duration_ms",
    "time_to_first_token_ms", "input_tokens", "output_tokens", "total_tokens", "input_cost",
    "output_cost", "total_cost", "tenant_id", "attempts_count", "tool_calls_count",
)


@dataclass(frozen=True)
class Query:
    conditions: tuple[tuple[str, tuple], ...] = ()
    order: tuple[str, ...] = ("-id",)
    max_rows: int | None = None
    columns: str = "*"

    def where(self, clause: str, *params) -> Query:
        """Add a condition (SQL written inside store/ only, values as parameters)."""
        return replace(self, conditions=(*self.conditions, (clause, params)))

    def by_id(self, execution_id: int) -> Query:
        return self.where("id = ?", int(execution_id))

    def order_by(self, *keys: str) -> Query:
        for key in keys:
            if key.lstrip("-") not in SORTABLE:
                raise QueryError(f"cannot sort by '{key}' (choose from: {', '.join(SORTABLE)})")
        return replace(self, order=keys)

    def limit(self, n: int | None) -> Query:
        if n is not None and n < 0:
            raise QueryError(f"limit must be zero or more, got {n}")
        return replace(self, max_rows=n)

    def where_sql(self) -> tuple[str, list]:
        if not self.conditions:
            return "", []
        clause = " AND ".join(f"({c})" for c, _ in self.conditions)
        return " WHERE " + clause, [p for _, ps in self.conditions for p in ps]

    def sql(self) -> tuple[str, list]:
        where, params = self.where_sql()
        order = ", ".join(f"{k.lstrip('-')} {'DESC' if k.startswith('-') else 'ASC'}"
                          for k in self.order)
        text = f"SELECT {self.columns} FROM executions{where} ORDER BY {order}"
        if self.max_rows is not None:
            text += " LIMIT ?"
            params = [*params, self.max_rows]
        return text, params

    def rows(self, conn: sqlite3.Connection) -> Iterator[dict]:
        text, params = self.sql()
        cursor = conn.execute(text, params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def fetch(self, conn: sqlite3.Connection) -> Iterator[Execution]:
        for row in self.rows(conn):
            yield Execution.from_row(row)

    def count(self, conn: sqlite3.Connection) -> int:
        where, params = self.where_sql()
        return conn.execute(f"SELECT count(*) FROM executions{where}", params).fetchone()[0]

    def total_cost(self, conn: sqlite3.Connection) -> float | None:
        where, params = self.where_sql()
        return conn.execute(f"SELECT sum(total_cost) FROM executions{where}", params).fetchone()[0]


def latest(conn: sqlite3.Connection) -> Execution | None:
    return next(Query().limit(1).fetch(conn), None)


def get(conn: sqlite3.Connection, execution_id: int) -> Execution | None:
    return next(Query().by_id(execution_id).fetch(conn), None)
