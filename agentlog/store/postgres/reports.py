"""The reports over a PostgreSQL log, as the dataclasses of store/reports.py, with the same
numbers as SQLite's: grouped totals (the outcome columns next to the report's keys, added up
in Python) read from the daily/hourly totals where the filters allow (rollups.py), exact
nearest-rank percentiles from the rows, one statement per trend over the rows. Each
report reads one snapshot (a REPEATABLE READ transaction), so its totals and percentiles
agree while writers go on.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime

from agentlog import timeutil
from agentlog.store.conditions import OneOf, Present
from agentlog.store.filters import FAILED
from agentlog.store.postgres import rollups
from agentlog.store.postgres.select import where_sql
from agentlog.store.query import Query
from agentlog.store.reports import (
    OUTCOME_KEYS,
    PERCENTILES,
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
    nearest_rank,
    numbers,
    period_of,
    ratio,
    report_day,
    trend_buckets,
    trend_of,
    zone_name,
)


@contextlib.contextmanager
def snapshot(conn) -> Iterator[None]:
    if conn.info.transaction_status != 0:  # inside a transaction already: that one
        yield
        return
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


GROUP_SUMS = rollups.sums("executions", "total_cost", "priced", "input_cost", "output_cost",
                          "total_tokens", "duration_sum", "timed", "ttft_sum", "ttft_count",
                          "first_seen")


def grouped_tallies(conn, query: Query, keys: tuple[str, ...]) -> dict[tuple, Tally]:
    """A Tally per combination of `keys` (trusted names of rollups.KEYS) over the query's
    rows; a first_seen read from the totals is a day or hour (see first_seen())."""
    columns = ", ".join((*keys, *OUTCOME_KEYS))
    out: dict[tuple, Tally] = {}
    width = len(keys)
    for part in rollups.parts(query):
        for row in conn.execute(*part.select(GROUP_SUMS, columns, columns)):
            status, error_class, cache_hit, fallback_reason, attempts = row[width:width + 5]
            (count, cost, priced, in_cost, out_cost, tokens, dur, timed, ttft, ttft_n,
             first) = row[width + 5:]
            out.setdefault(tuple(row[:width]), Tally()).add(Tally(
                executions=count, successful=count if status == "success" else 0,
                errors=count if status == "error" else 0,
                timeouts=count if status == "timeout" else 0,
                total_cost=cost, priced=priced, input_cost=in_cost, output_cost=out_cost,
                total_tokens=tokens, duration_sum=dur, timed=timed, ttft_sum=ttft,
                ttft_count=ttft_n, cache_hits=count if cache_hit else 0,
                fallbacks=count if fallback_reason is not None else 0,
                retried=count if (attempts or 0) > 1 else 0, first_seen=first,
                error_classes=Counter({error_class: count}) if status in FAILED
                else Counter()))
    return out


def first_seen(conn, query: Query, seen: str | None) -> str | None:
    """The exact first created_at, given the `seen` of the Tally (a day or an hour when
    it was read from the totals: the first row is found inside it)."""
    if not rollups.is_bucket(seen):
        return seen
    where, params = where_sql(query.narrow(*rollups.bucket_bounds(seen)))
    return conn.execute(f"SELECT min(created_at) FROM executions{where}", params).fetchone()[0]


def percentiles(conn, query: Query, column: str, n: int,
                ps: tuple[int, ...] = PERCENTILES) -> dict[str, int | None]:
    """Exact nearest-rank percentiles of a numeric column (a trusted name), `n` being how
    many matching rows have a value: one ORDER BY … OFFSET per percentile, from the nearer
    end, which an index on (agent_type, column) answers by stepping over entries."""
    out: dict[str, int | None] = {f"p{p}": None for p in ps}
    if n <= 0:
        return out
    where, params = where_sql(query.where(Present(column)))
    for p in ps:
        rank = nearest_rank(p, n)
        descending = rank > n - rank + 1
        offset = n - rank if descending else rank - 1
        row = conn.execute(
            f"SELECT {column} FROM executions{where} ORDER BY {column} "
            f"{'DESC' if descending else 'ASC'} OFFSET %s LIMIT 1", [*params, offset]).fetchone()
        out[f"p{p}"] = row[0] if row else None
    return out


def daily(conn, query: Query, day: date | str | None = None) -> Daily:
    day = report_day(query, day)
    start, end = timeutil.day_bounds(day, query.local_zone())
    query = query.narrow(start, end, f"--date {day}")
    with snapshot(conn):
        groups = grouped_tallies(conn, query, ("agent_type", "chosen_model_id", "cache_hit"))
        overall = combined(groups.values())
        p95 = percentiles(conn, query, "duration_ms", overall.timed, (95,))["p95"]
    return daily_of(day, query, groups, p95)


COST_SUMS = rollups.sums("executions", "total_tokens", "total_cost", "priced")


def cost_by(conn, query: Query, dimension: str) -> CostReport:
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


def _latencies(conn, query: Query, summed: Tally) -> tuple[dict, dict]:
    duration = {"avg": ratio(summed.duration_sum, summed.timed),
                **percentiles(conn, query, "duration_ms", summed.timed)}
    ttft = {"count": summed.ttft_count, "avg": ratio(summed.ttft_sum, summed.ttft_count),
            **percentiles(conn, query, "time_to_first_token_ms", summed.ttft_count, (50, 95))}
    return duration, ttft


def stats(conn, query: Query, agent: str) -> AgentStats:
    query = query.by_agent(agent)
    with snapshot(conn):
        groups = grouped_tallies(conn, query, ("agent_version", "chosen_model_id"))
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


def _iso(t: datetime | str) -> str:
    return timeutil.to_iso(t) if isinstance(t, datetime) else t


TREND_SUMS = rollups.sums("executions", "failed", "total_cost", "duration_sum", "timed")


def trend(conn, query: Query, days: int | None = None, by: str = "day",
          split: str | None = None) -> Trend:
    """One row per local calendar day or clock hour, oldest first, zero-filled (with
    `split`, per name within each too), in one statement. As on SQLite, each bucket's whole
    days and hours come from the totals when the filters allow (a UNION ALL of the buckets'
    parts); otherwise the buckets are a VALUES list joined to the query's rows."""
    column = dimension_column(split, "split a trend by") if split else None
    buckets, last = trend_buckets(by, days, query)
    if not buckets:  # a time filter wholly in the future
        return Trend(by, zone_name(query), [], last, split)
    found: list[dict] = [{} for _ in buckets]
    totals = rollups.answers(query)
    with snapshot(conn):
        if totals:  # many small index reads: parallel workers cost more than they share
            conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        for i, key, *got in conn.execute(*(_trend_from_totals if totals
                                           else _trend_from_rows)(query, buckets, column)):
            names, key = found[i], key or None  # no tenant and the empty one: one name
            old = names.get(key)
            names[key] = got if old is None else [a + b for a, b in zip(old, got, strict=True)]
    return trend_of(by, query, buckets, found, last, split)


def _trend_from_totals(query: Query, buckets: list[tuple], column: str | None):
    head = ", " + column if column else ", NULL::text"
    branches = [part.select(TREND_SUMS, str(i) + head, column or "")
                for i, (_, start, end) in enumerate(buckets)
                for part in rollups.parts(query.narrow(start, end))]
    return (" UNION ALL ".join(sql for sql, _ in branches),
            [value for _, values in branches for value in values])


def _trend_from_rows(query: Query, buckets: list[tuple], column: str | None):
    where, params = where_sql(query)
    values = ", ".join("(%s, %s::timestamptz, %s::timestamptz)" for _ in buckets)
    bounds = [v for i, (_, s, e) in enumerate(buckets) for v in (i, _iso(s), _iso(e))]
    join = ("JOIN (VALUES " + values + ") AS b(i, s, e) "
            "ON executions.created_at >= b.s AND executions.created_at < b.e")
    name = f"executions.{column}" if column else "NULL::text"
    return (f"SELECT b.i, {name}, {TREND_SUMS[0]} FROM executions {join}{where} "
            "GROUP BY b.i, 2", [*bounds, *params])


def spent(conn, start: str, end: str, agent: str | None = None,
          tenant: str | None = None) -> float:
    """USD spent by executions created in [start, end); an unknown price counts as zero."""
    query = Query().narrow(start, end)
    if agent is not None:
        query = query.by_agent(agent)
    if tenant is not None:
        query = query.by_tenant(tenant)
    used = 0.0
    with snapshot(conn):
        for part in rollups.parts(query):
            used += conn.execute(*part.select(rollups.sums("total_cost"))).fetchone()[0]
    return used


def summary(conn, query: Query, ps: tuple[int, ...] = (50, 95),
            by: tuple[str, ...] = ()) -> Summary:
    """As SQLite's: the query's rows as one Tally and the exact duration percentiles `ps`;
    with `by`, the cost report of each dimension from one read grouped by their columns."""
    columns = ", ".join(dimension_column(d) for d in by)
    with snapshot(conn):
        overall = combined(grouped_tallies(conn, query, ()).values())
        duration = {"avg": ratio(overall.duration_sum, overall.timed),
                    **percentiles(conn, query, "duration_ms", overall.timed, ps)}
        found = [row for part in (rollups.parts(query) if by else ())
                 for row in conn.execute(*part.select(COST_SUMS, columns, columns))]
    return Summary(totals=overall, duration=duration, costs=cost_reports(query, by, found),
                   **period_of(query))


def duration_profile(conn, query: Query, by: str) -> dict:
    """As SQLite's: approximate p50/p95 from the duration histograms and, at the ends (or
    for a query with filters), from the rows."""
    from datetime import timedelta

    from agentlog.store import durations

    levels = (("execution_day_durations", 10, timedelta(days=1)),
              ("execution_hour_durations", 13, timedelta(hours=1)))
    parts = (rollups.split(query, levels[by == "hour":]) if durations.answers(query)
             else [rollups.Part("executions", *where_sql(query), summed=False)])
    found = []
    with snapshot(conn):
        bins = dict(conn.execute("SELECT lo, hi FROM duration_bins").fetchall())
        for part in parts:
            if part.summed:
                sql = (f"SELECT bucket, lo, sum(executions)::bigint FROM {part.source}"
                       f"{part.where} GROUP BY 1, 2")
            else:
                where = part.where + (" AND " if part.where else " WHERE ")
                sql = ("SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24'), "
                       "coalesce((SELECT lo FROM duration_bins WHERE lo <= duration_ms "
                       f"ORDER BY lo DESC LIMIT 1), 0), count(*) FROM {part.source}{where}"
                       "duration_ms IS NOT NULL GROUP BY 1, 2")
            found += [(b, lo, bins[lo], n) for b, lo, n in conn.execute(sql, part.params)]
    return durations.profile(found, query, by)
