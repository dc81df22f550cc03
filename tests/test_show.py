"""`agentlog show ID|last`: one execution in sections, or its raw record."""

from __future__ import annotations

import json

import pytest
from seeding import seed

FULL = dict(
    created_at="2026-11-25T02:55:00.000Z", started_at="2026-11-25T02:55:00.000Z",
    completed_at="2026-11-25T02:55:03.210Z", agent_type="support", agent_version="abc123def456",
    model_id="gpt-4o-mini", chosen_model_id="claude-3-5-haiku", provider="anthropic",
    status="success", duration_ms=3210, time_to_first_token_ms=420, input_tokens=1200,
    output_tokens=300, total_tokens=1500, cached_tokens=1024, reasoning_tokens=64,
    input_cost=0.0012, output_cost=0.0015, total_cost=0.0027, cost_source="litellm-1.106.2",
    streaming=True, temperature=0.2, finish_reason="stop", tenant_id="acme", batch_id="b7",
    parameters={"question": "Where is my [red]order[/red]?", "api_key": "[REDACTED]"},
    metadata={"ticket": 42, "team": "support"},
    system_prompt="You answer [bold]support[/bold] questions.",
    user_prompt="Where is my order?",
    response='{"answer": "It ships tomorrow", "confidence": 0.9}',
    attempts=[
        {"model": "gpt-4o-mini", "attempt": 1, "duration_ms": 1200, "status": "error",
         "error_class": "RateLimitError", "error_message": "slow down", "http_status": 429,
         "retryable": True, "rate_limited": True, "retry_after": 2},
        {"model": "claude-3-5-haiku", "attempt": 2, "duration_ms": 2000, "status": "success",
         "input_tokens": 1200, "output_tokens": 300},
    ],
    attempts_count=2, fallback_chain=["gpt-4o-mini", "claude-3-5-haiku"],
    fallback_reason="rate_limit", rate_limited=True,
    tool_calls=[{"id": "t1", "name": "order_status", "arguments": {"order": "A-17"},
                 "result": {"state": "packed"}, "error": None, "duration_ms": 35}],
    tool_calls_count=1,
)


@pytest.fixture
def shown(cli, seeded_any):
    seed(seeded_any, [FULL])
    result = cli("show", "11", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_header_names_agent_version_status_models_tenant_batch_and_times(shown):
    for text in ("Execution #11 · support", "abc123def456", "success", "gpt-4o-mini",
                 "chosen model", "claude-3-5-haiku", "anthropic", "acme", "b7",
                 "2026-11-25 02:55:03  (2026-11-25T02:55:03.210Z)", "3.21 s", "420 ms"):
        assert text in shown


def test_usage_breaks_down_tokens_and_costs_with_their_source(shown):
    lines = {line.split()[0]: line.split()[1:] for line in shown.splitlines() if line.strip()}
    assert lines["input"] == ["1,200", "$0.0012"]
    assert lines["output"] == ["300", "$0.0015"]
    assert lines["cached"] == ["1,024"] and lines["reasoning"] == ["64"]
    assert lines["total"] == ["1,500", "$0.0027"]
    assert "litellm-1.106.2" in shown


def test_attempts_timeline_has_one_line_per_attempt(shown):
    assert ("#1 gpt-4o-mini · 1.20 s · error RateLimitError: slow down · HTTP 429 · "
            "retry after 2s") in shown
    assert "#2 claude-3-5-haiku · 2.00 s · success · 1,200→300 tokens" in shown


def test_fallback_chain_and_reason(shown):
    assert "gpt-4o-mini → claude-3-5-haiku  (reason: rate_limit)" in shown


def test_tool_calls_show_name_arguments_and_result(shown):
    assert "order_status" in shown and '"order": "A-17"' in shown
    assert '"state": "packed"' in shown


def test_parameters_metadata_prompts_and_json_response(shown):
    assert '"ticket": 42' in shown and "[REDACTED]" in shown
    assert '"answer": "It ships tomorrow"' in shown  # pretty-printed, one key per line
    assert "Where is my order?" in shown


def test_stored_text_is_printed_as_written_never_as_markup(shown):
    assert "You answer [bold]support[/bold] questions." in shown
    assert "[red]order[/red]" in shown


def test_a_failed_execution_shows_its_error(cli, seeded_any):
    out = cli("show", "3").stdout
    assert "RateLimitError: rate limit exceeded for gpt-4o-mini" in out


def test_show_last_is_the_newest_and_json_is_the_raw_record(cli, seeded_any):
    assert "Execution #10 · classify" in cli("show", "last").stdout
    record = json.loads(cli("show", "2", "--json").stdout)
    assert record["fallback_chain"] == ["gpt-4o-mini", "claude-3-5-haiku"]
    assert record["created_at"] == "2026-11-24T23:30:00.000Z"


def test_unknown_or_malformed_id_is_a_clear_error(cli, empty_db, seeded_any):
    missing = cli("show", "999")
    assert missing.exit_code == 1 and "no execution with id 999" in missing.stderr
    bad = cli("show", "abc")
    assert bad.exit_code == 2 and "must be a number or 'last'" in bad.stderr
    empty = cli("show", "last", "--db", str(empty_db))
    assert empty.exit_code == 1 and "holds no executions yet" in empty.stderr
