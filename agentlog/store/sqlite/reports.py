"""The reports in SQL: aggregates over the executions a Query selects, returned as the
dataclasses of store/reports.py. Reports read the live log: the rows, or the daily and hourly
totals that triggers keep equal to them (rollups.py), so pruned executions are gone from every
report.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from agentlog import timeutil
from agentlog.store.conditions import OneOf
from agentlog.store.filters import FAILED
from agentlog.store.query import Query
from agentlog.store.reports import (
    AgentStats,
    CostReport,
    Daily,
    Summary,
    Tally,
    Trend,
    combined,
    cost_report,
    cost_reports,
    daily_of,
    dimension_column,
    numbers,
    period_of,
    ratio,
    report_day,
    trend_buckets,
    trend_of,
)
from agentlog.store.sqlite import rollups, select
from agentlog.store.sqlite.aggregates import first_seen, grouped_tallies, percentiles, sums
from agentlog.store.sqlite.db import snapshot

COMPOUND_LIMIT = 200  # UNION ALL branches per statement (SQLite allows 500)


def daily(conn: sqlite3.Connection, query: Query, day: date | str | None = None) -> Daily:
    """One local calendar day: counts, rates, cost, tokens, durations, cache, errors, agents."""
    day = report_day(query, day)
    start, end = timeutil.day_bounds(day, query.local_zone())
    query = query.narrow(start, end, f"--date {day}")
    with snapshot(conn):
        # cache_hit is an outcome key too; as a key it keeps hits apart for the savings.
        groups = grouped_tallies(conn, query, ("agent_type", "chosen_model_id", "cache_hit"))
        overall = combined(groups.values())
        p95 = percentiles(conn, query, "duration_ms", overall.timed, (95,))["p95"]
    return daily_of(day, query, groups, p95)


COST_SUMS = sums("executions", "total_tokens", "total_cost", "priced")


def cost_by(conn: sqlite3.Connection, query: Query, dimension: str) -> CostReport:
    """Executions, tokens, cost, average cost and share of the total per agent, chosen model or
    tenant, most expensive first. No tenant ('' or NULL) is one row named None."""
    column = dimension_column(dimension)
    groups: dict = {}
    with snapshot(conn):
        for part in rollups.parts(query):
            for name, count, tokens, cost, priced in conn.execute(
                    *part.select(COST_SUMS, column, column)):
                key = name or None  # the empty tenant and no tenant are one group
                old = groups.get(key, (0, 0, 0.0, 0))
                groups[key] = (old[0] + count, old[1] + tokens, old[2] + cost, old[3] + priced)
    return cost_report(query, dimension, groups)


# A summary's Tally as sums, without a GROUP BY: grouping by the outcome keys sorts every
# row of the range first (a long period's totals are tens of thousands of rows); here the
# outcomes are conditional counts and only the failed rows are grouped, by error class.
_OUTCOMES = {"successful": "status = 'success'", "errors": "status = 'error'",
             "timeouts": "status = 'timeout'", "cache_hits": "cache_hit",
             "fallbacks": "fallback_reason IS NOT NULL", "retried": "attempts_count > 1"}
_TOTALS = ("executions", "total_cost", "priced", "input_cost", "output_cost", "total_tokens",
           "duration_sum", "timed", "ttft_sum", "ttft_count")
TALLY_SUMS = tuple(", ".join((spelled, *(
    f"coalesce(sum(CASE WHEN {cond} THEN {one} END), 0)" for cond in _OUTCOMES.values())))
    for spelled, one in zip(sums(*_TOTALS), ("1", "executions"), strict=True))
_FAILED = "status IN (" + ", ".join(f"'{s}'" for s in FAILED) + ")"


def tally(conn: sqlite3.Connection, query: Query) -> Tally:
    """The query's rows as one Tally, from the daily and hourly totals where the filters
    allow (its first_seen is left unset)."""
    out = Tally()
    for part in rollups.parts(query):
        found = conn.execute(*part.select(TALLY_SUMS)).fetchone()
        out.add(Tally(**dict(zip((*_TOTALS, *_OUTCOMES), found, strict=True))))
        failed = part.where + (" AND " if part.where else " WHERE ") + _FAILED
        counted = "sum(executions)" if part.summed else "count(*)"
        out.error_classes.update(dict(conn.execute(
            f"SELECT error_class, {counted} FROM {part.source}{failed} GROUP BY error_class",
            part.params)))
    return out


def summary(conn: sqlite3.Connection, query: Query, ps: tuple[int, ...] = (50, 95),
            by: tuple[str, ...] = ()) -> Summary:
    """The query's rows as one Tally (from the daily and hourly totals where the filters
    allow) and the exact duration percentiles `ps`; with `by` (dimensions of cost_by), the
    cost report of each too, from one read grouped by all their columns (three cost_by
    read the totals three times)."""
    columns = ", ".join(dimension_column(d) for d in by)
    with snapshot(conn):
        overall = tally(conn, query)
        duration = {"avg": ratio(overall.duration_sum, overall.timed),
                    **percentiles(conn, query, "duration_ms", overall.timed, ps)}
        found = [row for part in (rollups.parts(query) if by else ())
                 for row in conn.execute(*part.select(COST_SUMS, columns, columns))]
    return Summary(totals=overall, duration=duration, costs=cost_reports(query, by, found),
                   **period_of(query))


def duration_profile(conn: sqlite3.Connection, query: Query, by: str) -> dict:
    """Approximate p50/p95 of duration_ms over the query's range and each UTC day or hour
    of it (store/durations.py), from the histograms of whole days and hours and, at the
    ends (or for a query with filters), from the rows."""
    from datetime import timedelta

    from agentlog.store import durations

    bins = dict(conn.execute("SELECT lo, hi FROM duration_bins"))
    levels = (("execution_day_durations", 10, timedelta(days=1)),
              ("execution_hour_durations", 13, timedelta(hours=1)))
    width = durations.STEPS[by][0]
    parts = (rollups.split(query, levels[by == "hour":]) if durations.answers(query)
             else [rollups.Part("executions", *select.where_sql(query), summed=False)])
    found = []
    with snapshot(conn):
        for part in parts:
            if part.summed:
                sql = (f"SELECT substr(bucket, 1, {width}), lo, sum(executions) "
                       f"FROM {part.source}{part.where} GROUP BY 1, 2")
            else:
                where = part.where + (" AND " if part.where else " WHERE ")
                sql = (f"SELECT substr(created_at, 1, {width}), coalesce((SELECT lo FROM "
                       "duration_bins WHERE lo <= duration_ms ORDER BY lo DESC LIMIT 1), 0), "
                       f"count(*) FROM {part.source}{where}duration_ms IS NOT NULL "
                       "GROUP BY 1, 2")
            found += [(b, lo, bins[lo], n) for b, lo, n in conn.execute(sql, part.params)]
    return durations.profile(found, query, by)


def _latencies(conn, query: Query, summed: Tally) -> tuple[dict, dict]:
    duration = {"avg": ratio(summed.duration_sum, summed.timed),
                **percentiles(conn, query, "duration_ms", summed.timed,
                              index="idx_report_duration")}
    ttft = {"count": summed.ttft_count, "avg": ratio(summed.ttft_sum, summed.ttft_count),
            **percentiles(conn, query, "time_to_first_token_ms", summed.ttft_count, (50, 95),
                          index="idx_report_ttft")}
    return duration, ttft


def stats(conn: sqlite3.Connection, query: Query, agent: str) -> AgentStats:
    """One agent over the query's rows, with the same numbers per agent_version (oldest
    first) so that prompt versions can be compared."""
    query = query.by_agent(agent)
    with snapshot(conn):
        groups = grouped_tallies(conn, query, ("agent_version", "chosen_model_id"),
                                index="idx_report_stats")
        versions: dict[str | None, Tally] = {}
        models: dict[str | None, int] = {}
        for (version, model), part in groups.items():
            versions.setdefault(version, Tally()).add(part)
            models[model] = models.get(model, 0) + part.executions
        overall = combined(versions.values())
        latencies = _latencies(conn, query, overall)
        per_version = []
        for version, part in versions.items():
            mine = query.where(OneOf(("agent_version",), (version,)))
            part.first_seen = first_seen(conn, mine, part.first_seen)
            per_version.append({"version": version, "first_seen": part.first_seen, **numbers(
                part, *(latencies if len(versions) == 1 else _latencies(conn, mine, part)))})
    per_version.sort(key=lambda v: v["first_seen"] or "")
    ranked = sorted(models.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    return AgentStats(agent=agent, totals=overall, duration=latencies[0], ttft=latencies[1],
                      models=[{"model": m, "executions": n} for m, n in ranked],
                      versions=per_version, **period_of(query))


TREND_SUMS = sums("executions", "failed", "total_cost", "duration_sum", "timed")


def trend(conn: sqlite3.Connection, query: Query, days: int | None = None,
          by: str = "day", split: str | None = None) -> Trend:
    """One row per local calendar day (default the last 7) or clock hour (default the last
    48), oldest first, zero-filled: executions, failed, cost, average duration; with
    `split` (agent, model or tenant) the same per name within each row.

    Each bucket is its own range (its whole days and hours from the totals when the filters
    allow, the rest from the rows), all of them in one UNION ALL: every branch is an index
    range scan, and a bucket without executions still yields its row of zeros (split, a
    bucket's names are its GROUP BY's rows: the one GROUP BY per branch)."""
    column = dimension_column(split, "split a trend by") if split else None
    buckets, last = trend_buckets(by, days, query)
    head = ", " + column if column else ", NULL"
    branches: list[tuple[str, list]] = []
    for i, (_, start, end) in enumerate(buckets):
        branches += [part.select(TREND_SUMS, str(i) + head, column or "")
                     for part in rollups.parts(query.narrow(start, end))]
    found: list[dict] = [{} for _ in buckets]
    with snapshot(conn):
        for first in range(0, len(branches), COMPOUND_LIMIT):
            chunk = branches[first:first + COMPOUND_LIMIT]
            params = [value for _, values in chunk for value in values]
            for i, name, *got in conn.execute(" UNION ALL ".join(sql for sql, _ in chunk),
                                              params):
                names, name = found[i], name or None  # no tenant and the empty one: one name
                old = names.get(name)
                names[name] = got if old is None else [a + b for a, b in zip(old, got,
                                                                             strict=True)]
    return trend_of(by, query, buckets, found, last, split)
