"""The rollups: the daily and hourly totals beside the log (tables `execution_days` and
`execution_hours`, migration m060), and how a report's range is split between them and the
rows.

Triggers on `executions` add each execution to its UTC day and hour and its combination of
KEYS, move it when it is updated and take it out when it is deleted, so the totals always sum
the live rows. A report whose filters read only KEYS (agent, model, tenant, status, cache,
fallback) reads the whole UTC days of its range from the daily totals, the whole hours left at
either end from the hourly totals, and only the part-hours at the very ends from the rows.
Costs are float sums, so a total read here may differ from the same total summed row by row in
its last digits (a few parts in 1e15), no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from agentlog import timeutil
from agentlog.store.query import Query
from agentlog.store.sqlite import dialect
from agentlog.store.sqlite.select import conditions_sql, where_sql

# The columns of the combination migration m060 sums by (it spells them itself: it is frozen)
KEYS = frozenset(("agent_type", "agent_version", "model_id", "chosen_model_id", "tenant_id",
                  "status", "error_class", "cache_hit", "fallback_reason", "attempts_count"))
# (table, characters of created_at that name its bucket, the bucket's length), longest first
LEVELS = (("execution_days", 10, timedelta(days=1)),
          ("execution_hours", 13, timedelta(hours=1)))
_START = "0000-00-00T00:00:00.000Z"  # what follows a bucket's name in the time it starts at


@dataclass(frozen=True)
class Part:
    """One FROM … WHERE … of a report; `summed` when it reads a table of totals."""

    source: str
    where: str
    params: list
    summed: bool

    def select(self, sums: tuple[str, str], head: str = "",
               group: str = "") -> tuple[str, list]:
        """`SELECT head, sums FROM … WHERE … [GROUP BY group]` and its parameters; `sums` is
        the same select list spelled over the rows and over the totals (trusted SQL)."""
        columns = ", ".join(filter(None, (head, sums[self.summed])))
        grouped = f" GROUP BY {group}" if group else ""
        return f"SELECT {columns} FROM {self.source}{self.where}{grouped}", self.params


def answers(query: Query) -> bool:
    """Whether every filter of the query reads only columns the totals keep."""
    return not query.search_text and not query.metas and all(
        c.reads <= KEYS for c in query.conditions)


def parts(query: Query, index: str | None = None) -> list[Part]:
    """The query's rows as parts that do not overlap: whole UTC days and hours from the totals,
    part-hours from the rows. A query the totals cannot answer is one part of rows, read
    through `index` when given (see dialect.prefer_index)."""
    if not answers(query):
        return [_rows(query, index)]
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
    """Whether a first_seen read from the totals names only its day or hour."""
    return first_seen is not None and any(len(first_seen) == width for _, width, _ in LEVELS)


def _rows(query: Query, index: str | None = None) -> Part:
    source = "executions" + (dialect.prefer_index(index) if index else "")
    return Part(source, *where_sql(query), summed=False)


def _split(query: Query, after: str | None, before: str | None, levels) -> list[Part]:
    if not levels:
        return [_rows(query.narrow(after, before))]
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
    out = [Part(table, *_where(query, start and start[:width], end and end[:width]),
                summed=True)]
    if start is not None and start != after:
        out += _split(query, after, start, levels[1:])
    if end is not None and end != before:
        out += _split(query, end, before, levels[1:])
    return out


def _where(query: Query, first: str | None, stop: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if first is not None:
        clauses.append("bucket >= ?")
        params.append(first)
    if stop is not None:
        clauses.append("bucket < ?")
        params.append(stop)
    more, values = conditions_sql(query)
    clauses += more
    params += values
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
