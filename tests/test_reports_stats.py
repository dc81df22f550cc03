"""`report stats AGENT`: rates, costs and exact nearest-rank percentiles on a known distribution.

summarize v1 (from 2026-11-10) ran 100 times with durations 1…100 ms, written in shuffled
order; its ten slowest failed. v2 (from 2026-11-20) ran 7 times, 1…7 ms, and once more is
still running. The clock is frozen on 2026-11-25 03:00 UTC.
"""

from __future__ import annotations

import random

import pytest
from reporting import plans_of, report_json, seeded

NOW = "2026-11-25T03:00:00.000Z"
ERRORS = ["RateLimitError"] * 5 + ["APIError"] * 3


def v1_row(ms: int) -> dict:
    """Durations 91…100 fail; 1…20 streamed (TTFT = duration); 1…5 were cache hits;
    21…23 fell back to haiku; 24…25 were retried on the same model."""
    row = dict(created_at=f"2026-11-10T12:{ms // 60:02d}:{ms % 60:02d}.000Z",
               agent_type="summarize", agent_version="v1", model_id="gpt-4o-mini",
               duration_ms=ms, attempts_count=1, total_tokens=0, tenant_id="acme")
    if ms > 90:
        failure = ERRORS[ms - 91] if ms <= 98 else "Timeout"
        return {**row, "status": "error" if ms <= 98 else "timeout", "error_class": failure}
    row.update(status="success", total_cost=0.0 if ms <= 5 else 0.001, total_tokens=100,
               cache_hit=ms <= 5)
    if ms <= 20:
        row.update(streaming=True, time_to_first_token_ms=ms)
    if 21 <= ms <= 23:
        row.update(chosen_model_id="claude-3-5-haiku", fallback_reason="rate_limit",
                   attempts_count=2)
    if ms in (24, 25):
        row["attempts_count"] = 3
    return row


V1 = [v1_row(ms) for ms in random.Random(6).sample(range(1, 101), 100)]
V2 = [dict(created_at=f"2026-11-20T08:00:0{ms}.000Z", agent_type="summarize",
           agent_version="v2", model_id="gpt-4o-mini", status="success", duration_ms=ms,
           total_cost=0.002, total_tokens=100, attempts_count=1, tenant_id="beta")
      for ms in (4, 1, 7, 2, 6, 3, 5)]
RUNNING = dict(created_at="2026-11-25T02:59:00.000Z", agent_type="summarize",
               agent_version="v2", model_id="gpt-4o-mini", status="running")
OTHER = dict(created_at="2026-11-20T09:00:00.000Z", agent_type="classify", model_id="gpt-4o",
             status="error", error_class="BadRequestError", duration_ms=99999)


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    return seeded(tmp_path_factory, [*V1, *V2, RUNNING, OTHER])


@pytest.fixture
def stats(cli, log_file, monkeypatch):
    monkeypatch.setenv("AGENTLOG_DB", str(log_file))
    monkeypatch.setenv("AGENTLOG_NOW", NOW)
    return lambda *args: report_json(cli, "stats", *args)


def test_percentiles_are_exact_nearest_rank_over_every_row(stats):
    d = stats("summarize")
    # 107 durations: 1…7 twice, then 8…100. Ranks ceil(p·107/100): 54, 102, 106.
    assert d["duration_ms"] == {"avg": pytest.approx((5050 + 28) / 107),
                                "p50": 47, "p95": 95, "p99": 99}


def test_each_version_has_its_own_percentiles(stats):
    v1, v2 = stats("summarize")["versions"]
    assert (v1["version"], v1["first_seen"]) == ("v1", "2026-11-10T12:00:01.000Z")
    assert (v2["version"], v2["first_seen"]) == ("v2", "2026-11-20T08:00:01.000Z")
    assert {k: v1["duration_ms"][k] for k in ("p50", "p95", "p99")} == \
        {"p50": 50, "p95": 95, "p99": 99}
    # 7 values: ranks ceil(3.5) = 4, ceil(6.65) = 7, ceil(6.93) = 7
    assert {k: v2["duration_ms"][k] for k in ("p50", "p95", "p99")} == \
        {"p50": 4, "p95": 7, "p99": 7}
    assert (v1["executions"], v2["executions"], v2["running"]) == (100, 8, 1)


def test_rates_count_finished_executions_only(stats):
    d = stats("summarize")
    assert (d["executions"], d["successful"], d["errors"], d["timeouts"], d["running"]) == \
        (108, 97, 8, 2, 1)
    assert d["success_rate"] == pytest.approx(97 / 107)
    assert d["error_rate"] == pytest.approx(10 / 107)
    assert d["timeout_rate"] == pytest.approx(2 / 107)
    assert d["cache_hit_rate"] == pytest.approx(5 / 107)
    assert d["fallback_rate"] == pytest.approx(3 / 107)
    assert d["retry_rate"] == pytest.approx(5 / 107)  # 3 fallbacks and 2 retries


def test_cost_and_tokens_total_and_average(stats):
    d = stats("summarize")
    assert d["total_cost"] == pytest.approx(85 * 0.001 + 7 * 0.002)
    assert d["avg_cost"] == pytest.approx((0.085 + 0.014) / 97)  # the priced executions
    assert d["total_tokens"] == 9700
    assert d["avg_tokens"] == pytest.approx(9700 / 107)


def test_time_to_first_token_of_streamed_executions(stats):
    assert stats("summarize")["ttft_ms"] == {"count": 20, "avg": 10.5, "p50": 10, "p95": 19}
    assert stats("summarize")["versions"][1]["ttft_ms"] == \
        {"count": 0, "avg": None, "p50": None, "p95": None}


def test_top_errors_and_models_used(stats):
    d = stats("summarize")
    assert d["top_errors"] == [{"error_class": "RateLimitError", "count": 5},
                               {"error_class": "APIError", "count": 3},
                               {"error_class": "Timeout", "count": 2}]
    assert d["models"] == [{"model": "gpt-4o-mini", "executions": 105},
                           {"model": "claude-3-5-haiku", "executions": 3}]


def test_a_period_with_one_version_lists_that_version_alone(stats):
    d = stats("summarize", "--period", "last-7-days")
    assert (d["executions"], d["running"]) == (8, 1)
    assert [v["version"] for v in d["versions"]] == ["v2"]
    assert d["duration_ms"]["p50"] == 4
    assert d["versions"][0]["duration_ms"] == d["duration_ms"]


def test_stats_combine_with_filters(stats):
    d = stats("summarize", "--tenant", "beta")
    assert [v["version"] for v in d["versions"]] == ["v2"]
    assert stats("summarize", "--failed")["duration_ms"]["p50"] == 95  # 91…100: rank 5
    assert stats("summarize", "--streaming")["duration_ms"]["p95"] == 19


def test_an_agent_without_executions_gives_zeros(stats, write_agents):
    write_agents("agents:\n  nobody: {model: gpt-4o-mini, prompt: hi}\n")  # declared, never run
    d = stats("nobody")
    assert (d["executions"], d["total_cost"], d["success_rate"]) == (0, 0.0, None)
    assert d["duration_ms"] == {"avg": None, "p50": None, "p95": None, "p99": None}
    assert d["versions"] == [] and d["models"] == [] and d["top_errors"] == []


def _summed(plan: str) -> bool:
    return "execution_days" in plan or "execution_hours" in plan


def test_stats_reads_the_totals_and_report_indexes_not_the_table(log_file):
    """Every query of stats is answered from the totals or a covering index (EXPLAIN
    QUERY PLAN), also when only the rows can answer (a condition the totals do not keep)."""
    from agentlog.store.conditions import Present
    from agentlog.store.query import Query
    from agentlog.store.sqlite import reports

    for query in (Query(zone="UTC"), Query(zone="UTC").period("this-month"),
                  Query(zone="UTC").where(Present("id"))):
        plans = plans_of(log_file, lambda conn, q=query: reports.stats(conn, q, "summarize"))
        assert plans and all(_summed(p) or "COVERING INDEX idx_report_" in p
                             for p in plans), plans
    all_time = plans_of(log_file, lambda conn: reports.stats(conn, Query(), "summarize"))
    on_rows = [p for p in all_time if not _summed(p)]
    assert on_rows and not any("TEMP B-TREE" in p for p in on_rows), all_time  # even p99
