"""The Python API: `from agentlog import Executions`, the same filters as the CLI flags."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seeding import ALL

from agentlog import Executions
from agentlog.errors import QueryError
from agentlog.store.records import Execution


@pytest.fixture
def log(seeded_any):
    with Executions.open() as executions:
        yield executions


def ids(query) -> set[int]:
    return {e.id for e in query}


def test_import_agentlog_stays_cheap_until_executions_is_used():
    code = ("import sys, agentlog; a = 'agentlog.api_query' in sys.modules; "
            "agentlog.Executions; print(a, 'agentlog.api_query' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "True"]


def test_queries_are_values_each_filter_returns_a_new_one(log):
    failed = log.failed()
    today_failed = failed.yesterday()
    assert ids(failed) == {3, 4, 8}
    assert ids(today_failed) == {3, 4}
    assert ids(log) == ALL


def test_the_readme_example_runs(log):
    q = log.last_30_days().failed().order_by("-duration_ms")
    assert [e.id for e in q.limit(2)] == [4, 3]
    assert q.count() == 3
    assert log.this_week().sum("total_cost") == pytest.approx(0.802)


def test_iteration_yields_typed_records_with_parsed_json_and_datetimes(log):
    record = log.with_fallback().first()
    assert isinstance(record, Execution)
    assert record.created_at == datetime(2026, 11, 24, 23, 30, tzinfo=timezone.utc)
    assert record.fallback_chain == ["gpt-4o-mini", "claude-3-5-haiku"]
    assert record.metadata == {"team": "ops", "env": {"stage": "prod"}}
    assert record.rate_limited is True and record.streaming is False


def test_terminal_methods_count_sum_avg_first(log):
    assert log.count() == 10
    assert log.by_agent("summarize").avg("duration_ms") == pytest.approx(
        (800 + 30000 + 1200 + 9000) / 4)
    assert log.expensive(0.5).sum("total_cost") == pytest.approx(2.8)
    assert log.by_tenant("nobody").sum("total_cost") is None
    assert log.by_tenant("nobody").first() is None
    assert log.first().id == 10  # newest first by default
    with pytest.raises(QueryError, match="cannot sum 'agent_type'"):
        log.sum("agent_type")


@pytest.mark.parametrize(("build", "message"), [
    (lambda q: q.today().yesterday(), "yesterday() cannot be combined with today()"),
    (lambda q: q.failed().status("success"), "status('success') cannot be combined with failed()"),
    (lambda q: q.since("2026-11-20").until("2026-11-10"), "until() leaves an empty time range"),
    (lambda q: q.expensive(-1), "expensive() must be zero or more"),
    (lambda q: q.where_meta("a..b", 1), "where_meta() needs a key"),
])
def test_filter_errors_name_the_methods_not_the_flags(log, build, message):
    with pytest.raises(QueryError) as raised:
        build(log)
    assert str(raised.value).startswith(message)


def test_order_by_limit_and_reverse(log):
    assert [e.id for e in log.order_by("-total_cost").limit(3)] == [9, 2, 10]
    assert [e.id for e in log.order_by("cost").limit(2)] == [5, 1]
    assert [e.id for e in log.reverse().limit(2)] == [1, 2]
    with pytest.raises(QueryError, match="unknown column 'price'"):
        log.order_by("price")


def test_search_ranks_best_match_first_unless_sorted(log, seeded_any):
    from seeding import seed

    seed(seeded_any, [dict(created_at="2026-11-25T02:59:00.000Z", agent_type="a",
                           status="success", response="report"),
                      dict(created_at="2026-11-25T02:59:30.000Z", agent_type="a",
                           status="success", response="report report report report")])
    assert [e.id for e in log.search("report")] == [12, 11, 1]
    assert [e.id for e in log.search("report").order_by("-id")] == [12, 11, 1]
    assert [e.id for e in log.search("report").reverse()] == [1, 11, 12]
    assert log.search("report").count() == 3


def test_between_dates_and_datetimes_in_the_query_zone(seeded_any):
    with Executions.open(timezone="America/Los_Angeles") as log:
        assert ids(log.today()) == {1, 2, 3}
        assert ids(log.between("2026-11-24", "2026-11-25")) == {1, 2, 3}
        start = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
        assert ids(log.between(start, datetime(2026, 11, 24, 10, 0))) == {3}


def test_meta_values_compare_as_json_values(log):
    assert ids(log.where_meta("priority", 1)) == {1, 3}
    assert ids(log.where_meta("priority", "1")) == {3}
    assert ids(log.where_meta("flag", True)) == {4}
    assert ids(log.has_meta("env.stage")) == {2}


# --- the CLI and the API are one set of filters ------------------------------------------------
# Each flag, the Python call it must equal, and the values to draw.
CASES = {
    "--today": (lambda q: q.today(), None),
    "--yesterday": (lambda q: q.yesterday(), None),
    "--this-week": (lambda q: q.this_week(), None),
    "--last-7-days": (lambda q: q.last_7_days(), None),
    "--since": (lambda q, v: q.since(v), ["2h", "7d", "2026-11-01", "2026-11-24T10:00"]),
    "--until": (lambda q, v: q.until(v), ["1h", "2026-11-24", "2026-11-25T02:45"]),
    "--failed": (lambda q: q.failed(), None),
    "--successful": (lambda q: q.successful(), None),
    "--status": (lambda q, v: q.status(v), ["error", "running", "success"]),
    "--agent": (lambda q, v: q.by_agent(v), ["summarize", "classify", "translate"]),
    "--model": (lambda q, v: q.by_model(v), ["gpt-4o-mini", "gpt-4o", "claude-3-5-haiku"]),
    "--tenant": (lambda q, v: q.by_tenant(v), ["acme", "beta"]),
    "--with-tenant": (lambda q: q.with_tenant(), None),
    "--batch": (lambda q, v: q.by_batch(v), ["b1"]),
    "--expensive": (lambda q, v: q.expensive(float(v)), ["0", "0.01", "0.5"]),
    "--slow": (lambda q, v: q.slow(int(v)), ["800", "5000"]),
    "--high-tokens": (lambda q, v: q.high_token_usage(int(v)), ["300", "12000"]),
    "--streaming": (lambda q: q.streaming(), None),
    "--non-streaming": (lambda q: q.non_streaming(), None),
    "--with-fallback": (lambda q: q.with_fallback(), None),
    "--retryable": (lambda q: q.retryable_errors(), None),
    "--rate-limited": (lambda q: q.rate_limited(), None),
    "--cache-miss": (lambda q: q.cache_miss(), None),
    "--without-tool-calls": (lambda q: q.without_tool_calls(), None),
    "--meta": (lambda q, v: q.where_meta(*v.split("=")) if "=" in v else q.has_meta(v),
               ["team=docs", "team", "env.stage=prod"]),
    "--search": (lambda q, v: q.search(v), ["quarterly", "rate limit", "summ*"]),
}
choice = st.sampled_from(sorted(CASES)).flatmap(
    lambda flag: st.tuples(st.just(flag), st.sampled_from(CASES[flag][1] or [None])))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(choice, max_size=4, unique_by=lambda c: c[0]))
def test_cli_flags_and_python_api_return_the_same_ids(cli, seeded_any, picked):
    args = [part for flag, value in picked for part in ([flag] if value is None else [flag, value])]
    result = cli("list", "--all", "--json", *args)
    with Executions.open() as api:
        try:
            for flag, value in picked:
                call = CASES[flag][0]
                api = call(api) if value is None else call(api, value)
        except QueryError:  # a contradiction is an error on both sides
            assert result.exit_code == 2, result.output
            return
        assert result.exit_code == 0, result.output
        assert [r["id"] for r in json.loads(result.stdout)] == [e.id for e in api]
