"""Approximate duration percentiles from the histograms of duration kept per UTC day and hour
(SQLite migration m120, PostgreSQL m080): a percentile over a month is a sum over a few
hundred (bucket, bin) rows instead of a pass over every duration of the month.

A bin [lo, hi) spans at most 5% of lo; its estimate is the value that is nearest, relatively,
to every whole millisecond in it, so a percentile read here is within ERROR (2.5%) of the
exact nearest-rank percentile that `report stats` computes (and exact below 20 ms, where each
millisecond is its own bin). Backend-neutral: each Log reads its histogram rows and hands
them here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from agentlog import timeutil
from agentlog.store.query import Query
from agentlog.store.reports import nearest_rank

ERROR = 0.025  # the largest relative error of an estimate (see the module's docstring)
STEPS = {"day": (10, timedelta(days=1)), "hour": (13, timedelta(hours=1))}
_START = "0000-00-00T00:00:00.000Z"  # what follows a bucket's name in the time it starts at


def answers(query: Query) -> bool:
    """Whether the histograms answer the query: only its time range selects."""
    return not query.search_text and not query.metas and not query.conditions


def estimate(lo: int, hi: int) -> int:
    """The bin's value: 2·lo·top/(lo + top), top being the bin's largest whole millisecond,
    is as far, relatively, from lo as from top."""
    top = hi - 1
    return lo if top <= lo else round(2 * lo * top / (lo + top))


def percentiles(bins: Iterable[tuple[int, int, int]], ps: tuple[int, ...] = (50, 95)) -> dict:
    """Nearest-rank percentiles `ps` of the (lo, hi, count) bins, as estimates."""
    ordered = sorted(bins)
    n = sum(count for _, _, count in ordered)
    out: dict[str, int | None] = {f"p{p}": None for p in ps}
    if not n:
        return out
    for p in ps:
        rank, seen = nearest_rank(p, n), 0
        for lo, hi, count in ordered:
            seen += count
            if seen >= rank:
                out[f"p{p}"] = estimate(lo, hi)
                break
    return out


def profile(rows: Iterable[tuple[str, int, int, int]], query: Query, by: str) -> dict:
    """p50/p95 of the query's range and of each UTC day (`by` day) or hour (`by` hour) in
    it, from (bucket, lo, hi, count) rows; buckets without a duration are None."""
    width, step = STEPS[by]
    per: dict[str, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    total: dict[tuple[int, int], int] = defaultdict(int)
    for bucket, lo, hi, count in rows:
        per[bucket[:width]][lo, hi] += count
        total[lo, hi] += count
    slices = []
    if query.after and query.before:
        start = timeutil.parse_iso(query.after[:width] + _START[width:])
        while (iso := timeutil.to_iso(start)) < query.before:
            found = per.get(iso[:width], {})
            slices.append({"start": max(iso, query.after),
                           **percentiles((lo, hi, n) for (lo, hi), n in found.items())})
            start += step
    return {"approximate": True, "error": ERROR, "by": by,
            **percentiles((lo, hi, n) for (lo, hi), n in total.items()), "slices": slices}
