"""Building blocks of the SQLite reports: grouped tallies and exact percentiles.

Tallies are computed in one SQL pass grouped by the low-cardinality columns that the rates need
(status, error class, cache hit, fallback reason, attempt count) next to the report's own keys;
Python then adds up those few group rows (never the executions themselves) into the numbers of
each key and of the whole report. Grouping costs less than one conditional sum per rate, and
the stats index (migration m040) holds these columns in this order, so the pass over one agent
reads the index alone and needs no sort. Whole days and hours are read from the totals instead
when the filters allow it (rollups.py): the same groups, from far fewer rows.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from agentlog.store.conditions import Present
from agentlog.store.filters import FAILED
from agentlog.store.query import Query
from agentlog.store.reports import OUTCOME_KEYS, PERCENTILES, Tally, nearest_rank
from agentlog.store.sqlite import dialect, rollups
from agentlog.store.sqlite.select import where_sql

# The numbers of a group over the rows, and the same from the totals (migration m060), where
# first seen is only the day or hour.
_FAILED = "status IN (" + ", ".join(f"'{s}'" for s in FAILED) + ")"
# Each aggregate once: its name (a field of Tally where there is one), what it is over the
# rows, and the same over the daily/hourly totals of migration m060, where first seen is
# only the day or hour. Never NULL, so that an empty range reads as zeros.
AGGREGATES = {
    "executions": ("count(*)", "coalesce(sum(executions), 0)"),
    "failed": (f"coalesce(sum({_FAILED}), 0)",
               f"coalesce(sum(CASE WHEN {_FAILED} THEN executions END), 0)"),
    "total_cost": ("total(total_cost)", "total(total_cost_sum)"),
    "priced": ("count(total_cost)", "coalesce(sum(priced), 0)"),
    "input_cost": ("total(input_cost)", "total(input_cost_sum)"),
    "output_cost": ("total(output_cost)", "total(output_cost_sum)"),
    "total_tokens": ("coalesce(sum(total_tokens), 0)", "coalesce(sum(total_tokens_sum), 0)"),
    "duration_sum": ("coalesce(sum(duration_ms), 0)", "coalesce(sum(duration_sum), 0)"),
    "timed": ("count(duration_ms)", "coalesce(sum(timed), 0)"),
    "ttft_sum": ("coalesce(sum(time_to_first_token_ms), 0)", "coalesce(sum(ttft_sum), 0)"),
    "ttft_count": ("count(time_to_first_token_ms)", "coalesce(sum(ttft_count), 0)"),
    "first_seen": ("min(created_at)", "min(bucket)"),
}


def sums(*names: str) -> tuple[str, str]:
    """The select list of these aggregates over the rows, and over the totals."""
    return tuple(", ".join(AGGREGATES[n][i] for n in names) for i in (0, 1))


# What grouped_tallies reads per group, in the order _add_groups unpacks it.
SUMS = sums("executions", "total_cost", "priced", "input_cost", "output_cost", "total_tokens",
            "duration_sum", "timed", "ttft_sum", "ttft_count", "first_seen")


def grouped_tallies(conn: sqlite3.Connection, query: Query, keys: tuple[str, ...],
                   index: str | None = None) -> dict[tuple, Tally]:
    """A Tally per combination of `keys` (trusted names of rollups.KEYS) over the query's rows,
    read through `index` when only rows can answer (see dialect.prefer_index). A first_seen
    read from the totals tables is a day or hour (see first_seen())."""
    columns = ", ".join((*keys, *OUTCOME_KEYS))
    out: dict[tuple, Tally] = {}
    for part in rollups.parts(query, index):
        _add_groups(out, conn.execute(*part.select(SUMS, columns, columns)), len(keys))
    return out


def _add_groups(out: dict[tuple, Tally], rows, width: int) -> None:
    for row in rows:
        key = row[:width]
        status, error_class, cache_hit, fallback_reason, attempts = row[width:width + 5]
        (count, cost, priced, in_cost, out_cost, tokens, dur, timed, ttft, ttft_n,
         first) = row[width + 5:]
        part = Tally(
            executions=count, successful=count if status == "success" else 0,
            errors=count if status == "error" else 0,
            timeouts=count if status == "timeout" else 0,
            total_cost=cost, priced=priced, input_cost=in_cost, output_cost=out_cost,
            total_tokens=tokens, duration_sum=dur, timed=timed, ttft_sum=ttft,
            ttft_count=ttft_n, cache_hits=count if cache_hit else 0,
            fallbacks=count if fallback_reason is not None else 0,
            retried=count if (attempts or 0) > 1 else 0, first_seen=first,
            error_classes=Counter({error_class: count}) if status in FAILED else Counter())
        out.setdefault(key, Tally()).add(part)


def first_seen(conn: sqlite3.Connection, query: Query, seen: str | None) -> str | None:
    """The exact first created_at of the query's rows, given the `seen` of their Tally (a day
    or an hour when it was read from the totals: the first row is found inside it)."""
    if not rollups.is_bucket(seen):
        return seen
    where, params = where_sql(query.narrow(*rollups.bucket_bounds(seen)))
    return conn.execute(f"SELECT min(created_at) FROM executions{where}", params).fetchone()[0]


def percentiles(conn: sqlite3.Connection, query: Query, column: str, n: int,
                ps: tuple[int, ...] = PERCENTILES,
                index: str | None = None) -> dict[str, int | None]:
    """Exact nearest-rank percentiles of a numeric column (a trusted name) over the query's
    rows, `n` being how many of them have a value.

    One `ORDER BY column LIMIT 1 OFFSET k` per percentile, walked from whichever end is
    nearer (p95 counts 5% down from the top), so that an index on (agent_type, column)
    answers it by stepping over index entries without sorting."""
    out: dict[str, int | None] = {f"p{p}": None for p in ps}
    if n <= 0:
        return out
    where, params = where_sql(query.where(Present(column)))
    source = "executions" + (dialect.prefer_index(index) if index else "")
    for p in ps:
        rank = nearest_rank(p, n)
        descending = rank > n - rank + 1
        offset = n - rank if descending else rank - 1
        row = conn.execute(
            f"SELECT {column} FROM {source}{where} ORDER BY {column} "
            f"{'DESC' if descending else 'ASC'} LIMIT 1 OFFSET ?", [*params, offset]).fetchone()
        out[f"p{p}"] = row[0] if row else None
    return out
