"""Retries, backoff, fallbacks and timeouts, as the stored row tells them (real HTTP, fake server).

Waits go to a virtual clock (the `waits` fixture), so no test sleeps through a backoff.
"""

from __future__ import annotations

import json

import litellm
import pytest
from conftest import MODELS, chain_agents, closed_port


def row_of(read_rows, db_path) -> dict:
    [row] = read_rows(db_path)
    for key in ("attempts", "fallback_chain"):
        row[key] = json.loads(row[key])
    return row


def cost(model: str, tokens_in: int = 12, tokens_out: int = 7) -> float:
    return sum(litellm.cost_per_token(model=model, prompt_tokens=tokens_in,
                                      completion_tokens=tokens_out))


def test_flaky_model_is_retried_with_exponential_backoff_until_it_answers(
        cli, write_agents, db_path, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("flaky-2")))
    result = cli("run", "a")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "fake answer\n"
    assert waits == [0.5, 1.0]
    row = row_of(read_rows, db_path)
    assert row["status"] == "success" and row["attempts_count"] == 3
    assert [a["status"] for a in row["attempts"]] == ["error", "error", "success"]
    assert [a["http_status"] for a in row["attempts"]] == [500, 500, None]
    assert [a["attempt"] for a in row["attempts"]] == [1, 2, 3]
    assert all(a["retryable"] for a in row["attempts"][:2])
    assert row["fallback_chain"] == [MODELS[0]] and row["fallback_reason"] is None
    assert row["chosen_model_id"] == MODELS[0]
    assert (row["retryable"], row["rate_limited"]) == (0, 0)
    # only the attempt that answered was billed
    assert (row["input_tokens"], row["output_tokens"]) == (12, 7)
    assert row["total_cost"] == pytest.approx(cost(MODELS[0]))
    assert row["attempts"][2]["cost"] == pytest.approx(row["total_cost"])
    assert row["attempts"][0]["input_tokens"] is None and row["attempts"][0]["cost"] is None
    assert all(a["started_at"].endswith("Z") and a["duration_ms"] >= 0 for a in row["attempts"])


def test_retry_after_is_honoured_then_the_fallback_answers(
        cli, write_agents, db_path, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("retry-after-3"), fake_server.base("ok"),
                              retries="{max: 1, base: 0.5, max_delay: 8}"))
    assert cli("run", "a").exit_code == 0
    assert waits == [3.0]  # the server's Retry-After, not the 0.5 s backoff
    row = row_of(read_rows, db_path)
    assert row["status"] == "success" and row["attempts_count"] == 3
    first, second, third = row["attempts"]
    assert (first["model"], second["model"], third["model"]) == (MODELS[0], MODELS[0], MODELS[1])
    assert first["http_status"] == 429 and first["rate_limited"] and first["retry_after"] == 3
    assert first["error_class"] == "RateLimitError" and "Rate limit reached" in \
        first["error_message"]
    assert row["fallback_chain"] == list(MODELS[:2]) and row["fallback_reason"] == "rate_limit"
    assert row["chosen_model_id"] == MODELS[1] and row["rate_limited"] == 1
    assert row["total_cost"] == pytest.approx(cost(MODELS[1]))  # priced as the model that answered
    assert fake_server.count("retry-after-3") == 2 and fake_server.count("ok") == 1


@pytest.mark.parametrize("behaviour", ["retry-after-date-3", "retry-after-ms-2500"])
def test_retry_after_as_an_http_date_or_in_milliseconds_is_honoured(
        cli, write_agents, db_path, read_rows, fake_server, waits, behaviour):
    write_agents(chain_agents(fake_server.base(behaviour), retries="{max: 1, max_delay: 8}"))
    cli("run", "a")
    [wait] = waits  # the server's wait, not the 1 s backoff
    assert 1.5 < wait <= 3.0  # an HTTP date has whole seconds
    first = row_of(read_rows, db_path)["attempts"][0]
    assert first["retry_after"] == pytest.approx(wait)  # recorded in seconds
    assert fake_server.count(behaviour) == 2


@pytest.mark.parametrize("behaviour", ["retry-after-date-30", "retry-after-ms-30000"])
def test_a_retry_after_date_or_milliseconds_is_capped_by_max_delay(
        cli, write_agents, fake_server, waits, behaviour):
    write_agents(chain_agents(fake_server.base(behaviour), retries="{max: 1, max_delay: 2}"))
    cli("run", "a")
    assert waits == [2.0]


def test_retry_after_longer_than_max_delay_is_capped(cli, write_agents, db_path, fake_server,
                                                     waits):
    write_agents(chain_agents(fake_server.base("retry-after-30"), fake_server.base("ok"),
                              retries="{max: 1, max_delay: 2}"))
    assert cli("run", "a").exit_code == 0
    assert waits == [2.0]


def test_a_wait_that_would_outlast_total_timeout_moves_on_at_once(
        cli, write_agents, db_path, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("retry-after-30"), fake_server.base("ok"),
                              retries="{max: 3, max_delay: 60}", extra="total_timeout: 10"))
    assert cli("run", "a").exit_code == 0
    assert waits == []
    row = row_of(read_rows, db_path)
    assert [a["model"] for a in row["attempts"]] == [MODELS[0], MODELS[1]]
    assert row["fallback_reason"] == "rate_limit"


def test_persistent_server_error_exhausts_retries_then_falls_back(
        cli, write_agents, db_path, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("e500"), fake_server.base("ok")))
    assert cli("run", "a").exit_code == 0
    assert waits == [0.5, 1.0]
    row = row_of(read_rows, db_path)
    assert row["attempts_count"] == 4 and fake_server.count("e500") == 3
    assert [a["error_class"] for a in row["attempts"][:3]] == ["InternalServerError"] * 3
    assert row["fallback_reason"] == "server_error" and row["chosen_model_id"] == MODELS[1]
    assert (row["input_tokens"], row["retryable"], row["rate_limited"]) == (12, 0, 0)


def test_every_attempt_timing_out_ends_with_status_timeout(
        cli, write_agents, db_path, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("slow-1"), retries="{max: 1, base: 0.1}")
                 .replace("timeout: 5", "timeout: 0.2"))
    result = cli("run", "a")
    assert result.exit_code == 1
    assert waits == [0.1]
    row = row_of(read_rows, db_path)
    assert row["status"] == "timeout" and row["error_class"] == "Timeout"
    assert row["attempts_count"] == 2 and row["retryable"] == 1
    assert [a["error_class"] for a in row["attempts"]] == ["Timeout", "Timeout"]
    assert all(a["http_status"] is None and a["retryable"] for a in row["attempts"])
    assert all(150 <= a["duration_ms"] < 900 for a in row["attempts"])
    assert row["total_cost"] is None and row["input_tokens"] == 0


def test_total_timeout_cuts_a_chain_of_slow_models(
        cli, write_agents, db_path, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("slow-1"), fake_server.base("slow-2"),
                              fake_server.base("slow-3"), retries="{max: 0}",
                              extra="total_timeout: 0.7").replace("timeout: 5", "timeout: 0.5"))
    assert cli("run", "a").exit_code == 1
    row = row_of(read_rows, db_path)
    assert row["status"] == "timeout"
    assert row["fallback_chain"] == list(MODELS[:2]) and row["fallback_reason"] == "timeout"
    assert fake_server.count("slow-3") == 0  # no time was left for the third model
    assert row["attempts"][1]["duration_ms"] < 450  # the second attempt got what was left
    assert 650 <= row["duration_ms"] < 1400


def test_refused_connection_falls_back(cli, write_agents, db_path, read_rows, fake_server,
                                       waits):
    write_agents(chain_agents(f"http://127.0.0.1:{closed_port()}/v1", fake_server.base("ok"),
                              retries="{max: 1, base: 0.2}"))
    assert cli("run", "a").exit_code == 0
    assert waits == [0.2]
    row = row_of(read_rows, db_path)
    assert [a["status"] for a in row["attempts"]] == ["error", "error", "success"]
    assert row["attempts"][0]["http_status"] is None and row["attempts"][0]["retryable"]
    assert row["fallback_reason"] == "connection" and row["chosen_model_id"] == MODELS[1]


def test_refused_connection_is_recorded_as_a_retryable_connection_error(
        cli, write_agents, db_path, read_rows, waits):
    write_agents(chain_agents(f"http://127.0.0.1:{closed_port()}/v1",
                              retries="{max: 1, base: 0.2}"))
    result = cli("run", "a")
    assert result.exit_code == 1
    assert "APIConnectionError: [Errno 111] Connection refused" in result.stderr
    row = row_of(read_rows, db_path)
    assert (row["status"], row["error_class"], row["retryable"]) == \
        ("error", "APIConnectionError", 1)
    assert [(a["error_class"], a["retryable"]) for a in row["attempts"]] == \
        [("APIConnectionError", True)] * 2


def test_an_error_message_is_the_providers_once(cli, write_agents, db_path, read_rows,
                                                fake_server, waits):
    write_agents(chain_agents(fake_server.base("e429"), retries="{max: 0}"))
    result = cli("run", "a")
    said = ("Rate limit reached for gpt-4o-mini in organization org-fake on tokens per min "
            "(TPM): Limit 200000, Used 199990, Requested 50. Please try again in 15ms.")
    row = row_of(read_rows, db_path)
    assert row["error_message"] == said and row["attempts"][0]["error_message"] == said
    assert f"RateLimitError: {said}" in result.stderr
    assert "litellm" not in result.stderr and "OpenAIException" not in result.stderr


@pytest.mark.parametrize(("behaviour", "reason", "error_class"), [
    ("e401", "auth", "AuthenticationError"),
    ("context", "context_window", "ContextWindowExceededError"),
    ("e404", "not_found", "NotFoundError"),
    ("policy", "content_policy", "ContentPolicyViolationError"),
])
def test_non_retryable_error_moves_to_the_fallback_without_retry(
        cli, write_agents, db_path, read_rows, fake_server, waits, behaviour, reason,
        error_class):
    write_agents(chain_agents(fake_server.base(behaviour), fake_server.base("ok")))
    assert cli("run", "a").exit_code == 0
    assert waits == [] and fake_server.count(behaviour) == 1
    row = row_of(read_rows, db_path)
    assert row["attempts_count"] == 2
    assert row["attempts"][0]["error_class"] == error_class
    assert row["attempts"][0]["retryable"] is False
    assert row["fallback_reason"] == reason and row["status"] == "success"


def test_non_retryable_error_without_fallback_fails_after_one_attempt(
        cli, write_agents, db_path, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("e401")))
    result = cli("run", "a")
    assert result.exit_code == 1
    assert "AuthenticationError" in result.stderr
    row = row_of(read_rows, db_path)
    assert row["status"] == "error" and row["error_class"] == "AuthenticationError"
    assert row["attempts_count"] == 1 and row["retryable"] == 0
    assert row["fallback_chain"] == [MODELS[0]] and row["fallback_reason"] is None
    assert fake_server.count("e401") == 1 and waits == []


def test_last_failure_decides_status_and_retryable_of_a_failed_chain(
        cli, write_agents, db_path, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("e429"), fake_server.base("e503"),
                              retries="{max: 0}"))
    assert cli("run", "a").exit_code == 1
    row = row_of(read_rows, db_path)
    assert row["status"] == "error" and row["error_class"] == "ServiceUnavailableError"
    assert row["retryable"] == 1 and row["rate_limited"] == 1  # the 429 of the first attempt
    assert row["fallback_reason"] == "rate_limit" and row["chosen_model_id"] == MODELS[1]
