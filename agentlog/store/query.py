"""The query: an immutable value that describes a selection of executions.

Each filter (store/filters.py) returns a new Query. A Log compiles it (SQLite's in
store/sqlite/select.py): column names come from whitelists, values travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from agentlog import timeutil
from agentlog.errors import QueryError
from agentlog.store.conditions import Condition, Following, OneOf
from agentlog.store.filters import Filters
from agentlog.store.records import MAX_INTEGER, Execution
from agentlog.timeutil import to_iso

NUMERIC = (
    "duration_ms", "time_to_first_token_ms", "input_tokens", "output_tokens", "total_tokens",
    "cached_tokens", "cache_creation_tokens", "reasoning_tokens", "input_cost", "output_cost",
    "total_cost", "temperature", "max_tokens", "attempts_count", "tool_calls_count",
)
AGGREGATES = ("count", "sum", "avg", "min", "max")
RANK = "rank"  # the search rank, sortable only inside a search


@dataclass(frozen=True)
class Query(Filters):
    zone: str | None = None  # IANA zone of calendar periods; None: the system's
    tenant: str | None = None  # the current tenant, for current_tenant()
    conditions: tuple[Condition, ...] = ()  # all of them hold
    after: str | None = None  # created_at >= after (a stored UTC string)
    before: str | None = None  # created_at < before
    claims: tuple[tuple[str, frozenset, str], ...] = ()  # (dimension, allowed values, flag)
    search_text: str | None = None  # the words of search(), ANDed
    metas: tuple[tuple[str, Any, bool], ...] = ()  # metadata tests: (key, value, compare?)
    order: tuple[str, ...] = ()  # empty: by search rank when searching, then newest first
    max_rows: int | None = None

    def where(self, condition: Condition) -> Query:
        return replace(self, conditions=(*self.conditions, condition))

    def by_id(self, execution_id: int) -> Query:
        execution_id = int(execution_id)
        if abs(execution_id) > MAX_INTEGER:
            return self.where(OneOf(("id",), ()))  # no row has an id that cannot be stored
        return self.where(OneOf(("id",), (execution_id,)))

    def order_by(self, *keys: str) -> Query:
        """Names of store/columns.py (a column or time, agent, model, cost, …); `-` for
        descending."""
        from agentlog.store import columns

        out = []
        for key in keys:
            desc = key.startswith("-")
            name = columns.column(key[1:] if desc else key)
            out.append(("-" if desc else "") + name)
        return replace(self, order=tuple(out))

    def reverse(self) -> Query:
        return replace(self, order=tuple(k[1:] if k.startswith("-") else "-" + k
                                         for k in self.ordering()))

    def seek(self, last: Execution) -> Query:
        """The rows that follow `last` in this query's order (keyset pagination: the next page
        starts after the last row shown, without an OFFSET). The order ends with the id, so
        that ties and NULLs (last in either direction) have one place."""
        order = self.ordering()
        if any(k.lstrip("-") == RANK for k in order):
            raise QueryError("pages of a search ranked by relevance cannot be followed by key "
                             "(sort by a column)")
        if order[-1].lstrip("-") != "id":
            order = (*order, "-id")
        values = last.to_dict()
        following = Following(order, tuple(values[k.lstrip("-")] for k in order))
        return replace(self, order=order).where(following)

    def limit(self, n: int | None) -> Query:
        if n is not None and n < 0:
            raise QueryError(f"limit must be zero or more, got {n}")
        return replace(self, max_rows=None if n is not None and n > MAX_INTEGER else n)

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

    def _search(self, text: str) -> Query:
        joined = f"{self.search_text} {text}" if self.search_text else text
        return replace(self, search_text=joined)

    def ordering(self) -> tuple[str, ...]:
        """The sort keys (`-` for descending): by search rank when searching, then newest
        first, unless order_by() said otherwise."""
        if self.order:
            return self.order
        return (RANK, "-id") if self.search_text else ("-id",)


def aggregate_terms(specs: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(function, column) pairs such as ("sum", "total_cost"), checked against the lists."""
    for fn, column in specs:
        if fn not in AGGREGATES:
            raise QueryError(f"unknown aggregate '{fn}' (choose from: {', '.join(AGGREGATES)})")
        if not (fn == "count" and column == "*") and column not in NUMERIC:
            raise QueryError(f"cannot {fn} '{column}' (choose from: {', '.join(NUMERIC)})")
    return list(specs)
