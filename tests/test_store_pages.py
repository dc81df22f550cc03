"""What the dashboard reads through the Log: one summary of a selection, pages by key (on
every backend)."""

from __future__ import annotations

import pytest

from agentlog import store
from agentlog.errors import QueryError
from agentlog.store.query import Query


@pytest.mark.parametrize("order", [("-id",), ("-total_cost",), ("duration_ms",),
                                   ("-created_at",), ("agent_type", "-duration_ms")])
def test_pages_by_key_list_every_row_once_in_the_query_order(seeded_any, order):
    with store.open(seeded_any) as log:
        query = Query().order_by(*order)
        if order[-1].lstrip("-") != "id":
            query = query.order_by(*order, "-id")
        every = [e.id for e in log.fetch(query)]
        paged, last = [], None
        for _ in range(20):
            page = list(log.fetch((query.seek(last) if last else query).limit(3)))
            if not page:
                break
            paged += [e.id for e in page]
            last = page[-1]
    assert paged == every and sorted(paged) == list(range(1, 11))


def test_a_ranked_search_cannot_be_paged_by_key(seeded_any):
    with store.open(seeded_any) as log:
        first = log.get(1)
    with pytest.raises(QueryError, match="sort by a column"):
        Query().search("report").seek(first)


def test_summary_counts_rates_and_percentiles_of_the_selection(seeded_any):
    with store.open(seeded_any) as log:
        found = log.summary(Query()).to_dict()
        failed = log.summary(Query().failed(), (50,)).to_dict()
    assert (found["executions"], found["successful"], found["failed"], found["running"]) \
        == (10, 6, 3, 1)
    assert found["total_cost"] == pytest.approx(2.812)
    assert found["duration_ms"]["p50"] == 1200 and found["duration_ms"]["p95"] == 30001
    assert [e["error_class"] for e in found["top_errors"]] == \
        ["AuthenticationError", "RateLimitError", "Timeout"]
    assert failed["executions"] == 3 and set(failed["duration_ms"]) == {"avg", "p50"}


def test_duration_profile_gives_percentiles_of_the_range_and_of_each_day(seeded_any):
    with store.open(seeded_any) as log:
        week = Query().since("2026-11-22").until("2026-11-26")
        found = log.duration_profile(week, "day")
    # durations of rows 1-6 (row 7 is running): 800, 5000, 30000, 30001, 3, 1200
    close = pytest.approx
    assert (found["p50"], found["p95"]) == (close(1200, rel=0.025), close(30001, rel=0.025))
    assert [s["start"][:10] for s in found["slices"]] == \
        ["2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]
    assert [s["p50"] for s in found["slices"]] == \
        [3, None, close(30000, rel=0.025), close(800, rel=0.025)]


def test_a_readonly_log_reads_and_refuses_every_write(seeded_log, tmp_path):
    from agentlog.errors import StoreError

    with store.open(seeded_log, readonly=True) as log:
        assert log.count(Query()) == 10
        with pytest.raises(StoreError, match="readonly"):
            log.start({"agent_type": "a", "created_at": "2026-11-25T02:00:00.000Z"})
    with pytest.raises(StoreError, match="no log at"):
        store.open(tmp_path / "missing.db", readonly=True)
