"""How a report's range is split between the daily/hourly totals (migration m020) and the
rows, as on SQLite (store/sqlite/rollups.py explains the idea): a report whose filters read
only the columns the totals keep reads whole UTC days from `execution_days`, the whole hours
left at either end from `execution_hours`, and only the part-hours at the very ends from the
rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from agentlog import timeutil
from agentlog.store.postgres.dialect import condition_sql
from agentlog.store.postgres.migrations import TOTAL_KEYS
from agentlog.store.postgres.select import where_sql
from agentlog.store.query import Query

KEYS = frozenset(TOTAL_KEYS)
LEVELS = (("execution_days", 10, timedelta(days=1)),
          ("execution_hours", 13, timedelta(hours=1)))
_START = "0000-00-00T00:00:00.000Z"
_FAILED = "status IN ('error', 'timeout')"
# Each aggregate over the rows, and the same over the totals; never NULL.
AGGREGATES = {
    "executions": ("count(*)", "coalesce(sum(executions), 0)::bigint"),
    "failed": (f"count(*) FILTER (WHERE {_FAILED})",
               f"coalesce(sum(executions) FILTER (WHERE {_FAILED}), 0)::bigint"),
    "total_cost": ("coalesce(sum(total_cost), 0)::float8", "coalesce(sum(total_cost_sum), 0)"),
    "priced": ("count(total_cost)", "coalesce(sum(priced), 0)::bigint"),
    "input_cost": ("coalesce(sum(input_cost), 0)::float8", "coalesce(sum(input_cost_sum), 0)"),
    "output_cost": ("coalesce(sum(output_cost), 0)::float8",
                    "coalesce(sum(output_cost_sum), 0)"),
    "total_tokens": ("coalesce(sum(total_tokens), 0)::bigint",
                     "coalesce(sum(total_tokens_sum), 0)::bigint"),
    "duration_sum": ("coalesce(sum(duration_ms), 0)::bigint",
                     "coalesce(sum(duration_sum), 0)::bigint"),
    "timed": ("count(duration_ms)", "coalesce(sum(timed), 0)::bigint"),
    "ttft_sum": ("coalesce(sum(time_to_first_token_ms), 0)::bigint",
                 "coalesce(sum(ttft_sum), 0)::bigint"),
    "ttft_count": ("count(time_to_first_token_ms)", "coalesce(sum(ttft_count), 0)::bigint"),
    "first_seen": ("min(created_at)", "min(bucket)"),
}


def sums(*names: str) -> tuple[str, str]:
    """The select list of these aggregates over the rows, and over the totals."""
    return tuple(", ".join(AGGREGATES[n][i] for n in names) for i in (0, 1))


@dataclass(frozen=True)
class Part:
    """One FROM … WHERE … of a report; `summed` when it reads a table of totals."""

    source: str
    where: str
    params: list
    summed: bool

    def select(self, spelled: tuple[str, str], head: str = "",
               group: str = "") -> tuple[str, list]:
        columns = ", ".join(filter(None, (head, spelled[self.summed])))
        grouped = f" GROUP BY {group}" if group else ""
        return f"SELECT {columns} FROM {self.source}{self.where}{grouped}", self.params


def answers(query: Query) -> bool:
    return not query.search_text and not query.metas and all(
        c.reads <= KEYS for c in query.conditions)


def parts(query: Query) -> list[Part]:
    if not answers(query):
        return [Part("executions", *where_sql(query), summed=False)]
    return _split(query, query.after, query.before, LEVELS)


def split(query: Query, levels) -> list[Part]:
    """The query's range as parts of `levels` (tables of UTC buckets, as LEVELS, longest
    first) and of rows; the caller knows that its filters are columns of those tables."""
    return _split(query, query.after, query.before, levels)


def bucket_bounds(name: str) -> tuple[str, str]:
    """The stored UTC times [start, end) of a day (YYYY-MM-DD) or hour (YYYY-MM-DDTHH)."""
    start = name + _START[len(name):]
    step = next(step for _, width, step in LEVELS if width == len(name))
    return start, timeutil.to_iso(timeutil.parse_iso(start) + step)


def is_bucket(first_seen: str | None) -> bool:
    return first_seen is not None and any(len(first_seen) == w for _, w, _ in LEVELS)


def _split(query: Query, after: str | None, before: str | None, levels) -> list[Part]:
    if not levels:
        return [Part("executions", *where_sql(query.narrow(after, before)), summed=False)]
    table, width, step = levels[0]
    start = end = None
    if after:
        start = after[:width] + _START[width:]
        if start != after:
            start = timeutil.to_iso(timeutil.parse_iso(start) + step)
    if before:
        end = before[:width] + _START[width:]
    if start is not None and end is not None and start >= end:  # no whole bucket inside
        return _split(query, after, before, levels[1:])
    out = [Part(table, *_where(query, start and start[:width], end and end[:width]), True)]
    if start is not None and start != after:
        out += _split(query, after, start, levels[1:])
    if end is not None and end != before:
        out += _split(query, end, before, levels[1:])
    return out


def _where(query: Query, first: str | None, stop: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if first is not None:
        clauses.append("bucket >= %s")
        params.append(first)
    if stop is not None:
        clauses.append("bucket < %s")
        params.append(stop)
    for condition in query.conditions:
        clause, values = condition_sql(condition)
        clauses.append(f"({clause})")
        params.extend(values)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
