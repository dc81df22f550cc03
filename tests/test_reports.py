"""`report daily` and `report cost-by-*` against a hand-placed log, numbers computed by hand.

The clock is frozen on Wednesday 2026-11-25 03:00 UTC (the system zone is UTC): today is
11-25, yesterday 11-24 holds the day that `report daily --yesterday` describes, and Sunday
11-22 belongs to last week.
"""

from __future__ import annotations

import pytest
from reporting import report_json, seeded

NOW = "2026-11-25T03:00:00.000Z"
MINI, HAIKU = "gpt-4o-mini", "claude-3-5-haiku"


def at(hour_minute: str, day: str = "2026-11-24") -> str:
    return f"{day}T{hour_minute}:00.000Z"


ROWS = [
    # --- yesterday, 2026-11-24 -------------------------------------------------------------
    dict(created_at=at("08:00"), agent_type="summarize", model_id=MINI, status="success",
         total_cost=0.002, input_cost=0.0015, output_cost=0.0005, total_tokens=300,
         duration_ms=100, tenant_id="acme", attempts_count=1),
    dict(created_at=at("09:00"), agent_type="summarize", model_id=MINI, status="success",
         total_cost=0.004, input_cost=0.003, output_cost=0.001, total_tokens=600,
         duration_ms=200, tenant_id="acme", attempts_count=1),
    # a cache hit: zero cost, the original's tokens
    dict(created_at=at("10:00"), agent_type="summarize", model_id=MINI, status="success",
         cache_hit=True, total_cost=0.0, input_cost=0.0, output_cost=0.0, total_tokens=300,
         duration_ms=5, tenant_id="", attempts_count=0),
    dict(created_at=at("11:00"), agent_type="summarize", model_id=MINI, status="error",
         error_class="RateLimitError", total_tokens=0, duration_ms=300, attempts_count=1),
    dict(created_at=at("12:00"), agent_type="summarize", model_id=MINI, status="timeout",
         error_class="Timeout", total_tokens=0, duration_ms=30000, attempts_count=1),
    # fell back from gpt-4o-mini to haiku after a rate limit
    dict(created_at=at("13:00"), agent_type="classify", model_id=MINI, chosen_model_id=HAIKU,
         status="success", fallback_reason="rate_limit", attempts_count=2, total_cost=0.01,
         input_cost=0.008, output_cost=0.002, total_tokens=1000, duration_ms=400,
         tenant_id="beta"),
    dict(created_at=at("14:00"), agent_type="classify", model_id=MINI, status="error",
         error_class="RateLimitError", total_tokens=0, duration_ms=50, attempts_count=1),
    dict(created_at=at("15:00"), agent_type="classify", model_id=MINI, status="error",
         error_class="AuthenticationError", total_tokens=0, duration_ms=60, attempts_count=1),
    dict(created_at=at("23:00"), agent_type="translate", model_id="gpt-4o", status="running"),
    # --- today, 2026-11-25 --------------------------------------------------------------------
    dict(created_at=at("02:00", "2026-11-25"), agent_type="translate", model_id="gpt-4o",
         status="success", total_cost=0.5, input_cost=0.3, output_cost=0.2, total_tokens=5000,
         duration_ms=1500, tenant_id="acme", attempts_count=1),
    # --- Sunday 2026-11-22: last week ----------------------------------------------------------
    dict(created_at=at("12:00", "2026-11-22"), agent_type="classify", model_id=MINI,
         status="success", total_cost=1.0, input_cost=0.6, output_cost=0.4, total_tokens=9000,
         duration_ms=900, tenant_id="acme", attempts_count=1),
]


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    return seeded(tmp_path_factory, ROWS)


@pytest.fixture
def report(cli, log_file, monkeypatch):
    """The JSON of `agentlog report ARGS --json` on the hand-placed log."""
    monkeypatch.setenv("AGENTLOG_DB", str(log_file))
    monkeypatch.setenv("AGENTLOG_NOW", NOW)
    return lambda *args: report_json(cli, *args)


# --- daily ------------------------------------------------------------------------------------
def test_daily_counts_outcomes_of_one_local_day(report):
    d = report("daily", "--date", "2026-11-24")
    assert d["date"] == "2026-11-24"
    assert (d["executions"], d["successful"], d["failed"], d["errors"], d["timeouts"],
            d["running"]) == (9, 4, 4, 3, 1, 1)
    assert d["success_rate"] == 0.5  # of the 8 finished; the running one has no outcome yet
    assert d["error_rate"] == 0.5


def test_daily_sums_cost_and_tokens(report):
    d = report("daily", "--date", "2026-11-24")
    assert d["total_cost"] == pytest.approx(0.016)
    assert d["input_cost"] == pytest.approx(0.0125)
    assert d["output_cost"] == pytest.approx(0.0035)
    assert d["total_tokens"] == 2200
    assert d["avg_cost"] == pytest.approx(0.016 / 4)  # over the 4 priced executions


def test_daily_average_and_nearest_rank_p95_duration(report):
    d = report("daily", "--date", "2026-11-24")
    # durations 5, 50, 60, 100, 200, 300, 400, 30000: p95 is the ceil(0.95·8) = 8th
    assert d["avg_duration_ms"] == pytest.approx(31115 / 8)
    assert d["p95_duration_ms"] == 30000


def test_daily_cache_hits_savings_and_fallbacks(report):
    d = report("daily", "--date", "2026-11-24")
    assert d["cache_hits"] == 1
    # the hit's 300 tokens at gpt-4o-mini's paid rate that day: $0.006 for 900 tokens
    assert d["cache_savings"] == pytest.approx(300 * 0.006 / 900)
    assert d["fallbacks"] == 1
    assert d["retried"] == 1


def test_daily_top_errors_and_executions_per_agent(report):
    d = report("daily", "--date", "2026-11-24")
    assert d["top_errors"] == [{"error_class": "RateLimitError", "count": 2},
                               {"error_class": "AuthenticationError", "count": 1},
                               {"error_class": "Timeout", "count": 1}]
    assert [(a["agent"], a["executions"], a["failed"]) for a in d["agents"]] == [
        ("summarize", 5, 2), ("classify", 3, 2), ("translate", 1, 0)]
    assert [a["total_cost"] for a in d["agents"]] == pytest.approx([0.006, 0.01, 0.0])


def test_daily_defaults_to_today_and_follows_yesterday(report):
    assert report("daily")["date"] == "2026-11-25"
    assert report("daily")["executions"] == 1
    assert report("daily", "--yesterday")["date"] == "2026-11-24"
    assert report("daily", "--yesterday")["executions"] == 9


def test_daily_takes_the_other_filters(report):
    d = report("daily", "--date", "2026-11-24", "--agent", "classify", "--failed")
    assert (d["executions"], d["failed"]) == (2, 2)
    assert d["success_rate"] == 0.0
    assert report("daily", "--date", "2026-11-24", "--tenant", "acme")["total_cost"] == \
        pytest.approx(0.006)


def test_daily_of_a_day_in_another_zone(report, write_agents):
    # 2026-11-24 23:00 UTC (the running row) is already 11-25 in Berlin
    config = write_agents("settings: {timezone: Europe/Berlin}\n")
    d = report("daily", "--date", "2026-11-25", "-c", str(config))
    assert (d["executions"], d["running"], d["timezone"]) == (2, 1, "Europe/Berlin")


# --- cost by agent, model, tenant ------------------------------------------------------------
def test_cost_by_agent_sorts_by_cost_with_share_and_average(report):
    d = report("cost-by-agent")
    assert [(r["agent"], r["executions"], r["total_tokens"]) for r in d["rows"]] == [
        ("classify", 4, 10000), ("translate", 2, 5000), ("summarize", 5, 1200)]
    classify = d["rows"][0]
    assert classify["total_cost"] == pytest.approx(1.01)
    assert classify["avg_cost"] == pytest.approx(1.01 / 2)  # two of four have a cost
    assert classify["share"] == pytest.approx(1.01 / 1.516)
    assert d["total"]["executions"] == 11
    assert d["total"]["total_cost"] == pytest.approx(1.516)
    assert d["total"]["share"] == 1.0
    assert sum(r["share"] for r in d["rows"]) == pytest.approx(1.0)


def test_cost_by_model_groups_by_the_model_that_answered(report):
    d = report("cost-by-model")
    assert [(r["model"], r["executions"]) for r in d["rows"]] == [
        (MINI, 8), ("gpt-4o", 2), (HAIKU, 1)]
    assert [r["total_cost"] for r in d["rows"]] == pytest.approx([1.006, 0.5, 0.01])


def test_cost_by_tenant_puts_empty_and_missing_tenants_together(report):
    d = report("cost-by-tenant")
    assert [(r["tenant"], r["executions"]) for r in d["rows"]] == [
        ("acme", 4), ("beta", 1), (None, 6)]
    assert [r["total_cost"] for r in d["rows"]] == pytest.approx([1.506, 0.01, 0.0])


def test_period_is_a_shorthand_for_the_time_filters(report):
    assert report("cost-by-agent", "--period", "this-week") == \
        report("cost-by-agent", "--this-week")
    week = report("cost-by-agent", "--period", "this-week")
    assert d_rows(week) == {"classify": 3, "translate": 2, "summarize": 5}
    assert week["since"] == "2026-11-23T00:00:00.000Z"
    assert d_rows(report("cost-by-agent", "--period", "today")) == {"translate": 1}
    assert report("cost-by-agent", "--period", "all") == report("cost-by-agent")


def d_rows(d: dict) -> dict:
    return {r["agent"]: r["executions"] for r in d["rows"]}


def test_cost_by_agent_this_week_for_one_tenant(report):
    d = report("cost-by-agent", "--this-week", "--tenant", "acme")
    assert [(r["agent"], r["executions"]) for r in d["rows"]] == [
        ("translate", 1), ("summarize", 2)]
    assert d["total"]["total_cost"] == pytest.approx(0.506)


def test_a_period_without_executions_gives_zeros_not_errors(report):
    d = report("cost-by-model", "--since", "2026-11-25T02:30", "--period", "today")
    assert d["rows"] == []
    assert d["total"] == {"executions": 0, "total_tokens": 0, "total_cost": 0.0,
                          "avg_cost": None, "share": None}
