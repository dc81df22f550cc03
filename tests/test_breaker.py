"""The circuit breaker: opens after N retryable failures, holds across processes, half-opens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from conftest import MODELS, REPO, chain_agents

from agentlog import store
from agentlog.runner import execute
from agentlog.runner.breaker import Breaker
from agentlog.timeutil import utcnow

BREAKER = "circuit_breaker: {errors: 2, within: 60, cooldown: 300}"


def later(monkeypatch, seconds: float) -> None:
    """Run the next executions `seconds` in the future (past the cooldown, say)."""
    shifted = utcnow() + timedelta(seconds=seconds)
    monkeypatch.setattr(execute, "utcnow", lambda: shifted)


def last_row(read_rows, any_db) -> dict:
    row = read_rows(any_db)[-1]
    for key in ("attempts", "fallback_chain"):
        row[key] = json.loads(row[key])
    return row


def run_in_another_process(any_db, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AGENTLOG_DB": str(any_db), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "agentlog", "run", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_breaker_opens_holds_in_a_second_process_then_half_opens(
        cli, write_agents, any_db, read_rows, fake_server, waits, monkeypatch):
    agents = write_agents(chain_agents(fake_server.base("e500"), fake_server.base("ok"),
                                       retries="{max: 0}", extra=BREAKER))
    for _ in range(2):  # two failures within a minute open the circuit of the primary
        assert cli("run", "a").exit_code == 0
    assert fake_server.count("e500") == 2

    other = run_in_another_process(any_db, "a", "-c", str(agents))
    assert other.returncode == 0, other.stderr
    assert fake_server.count("e500") == 2  # skipped, in a process that never saw it fail
    row = last_row(read_rows, any_db)
    assert row["fallback_reason"] == "circuit_open"
    assert row["fallback_chain"] == list(MODELS[:2])
    assert [a["model"] for a in row["attempts"]] == [MODELS[1]] and row["attempts_count"] == 1

    later(monkeypatch, 301)  # the cooldown is over: one trial call decides
    assert cli("run", "a").exit_code == 0
    assert fake_server.count("e500") == 3  # the trial failed: open again, for another cooldown
    assert cli("run", "a").exit_code == 0
    assert fake_server.count("e500") == 3

    later(monkeypatch, 602)
    write_agents(chain_agents(fake_server.base("flaky-0"), fake_server.base("ok"),
                              retries="{max: 0}", extra=BREAKER))  # the provider recovered
    assert cli("run", "a").exit_code == 0
    assert last_row(read_rows, any_db)["fallback_reason"] is None
    assert json.loads(cli("breakers", "--json").stdout) == []  # the trial closed it


def test_every_model_open_is_an_error_naming_models_and_reopen_times(
        cli, write_agents, any_db, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("e503"), fake_server.base("e500"),
                              retries="{max: 0}",
                              extra="circuit_breaker: {errors: 1, cooldown: 120}"))
    assert cli("run", "a").exit_code == 1  # both fail once: both circuits open
    result = cli("run", "a")
    assert result.exit_code == 1
    assert fake_server.count("e503") == 1 and fake_server.count("e500") == 1
    row = last_row(read_rows, any_db)
    assert row["status"] == "error" and row["error_class"] == "CircuitOpen"
    assert MODELS[0] in row["error_message"] and MODELS[1] in row["error_message"]
    assert row["error_message"].count("reopens 20") == 2
    assert row["attempts"] == [] and row["attempts_count"] == 0
    assert row["fallback_reason"] == "circuit_open" and row["retryable"] == 1
    assert "CircuitOpen" in result.stderr


def test_only_retryable_failures_count(cli, write_agents, any_db, fake_server, waits):
    write_agents(chain_agents(fake_server.base("e401"), retries="{max: 0}",
                              extra="circuit_breaker: {errors: 1}"))
    cli("run", "a")
    cli("run", "a")
    assert fake_server.count("e401") == 2
    assert json.loads(cli("breakers", "--json").stdout) == []


def test_a_retry_stops_once_the_failure_opened_the_circuit(
        cli, write_agents, any_db, read_rows, fake_server, waits):
    write_agents(chain_agents(fake_server.base("e500"), fake_server.base("ok"),
                              retries="{max: 5}", extra=BREAKER))
    assert cli("run", "a").exit_code == 0
    assert fake_server.count("e500") == 2 and waits == [0.5]
    assert last_row(read_rows, any_db)["fallback_reason"] == "server_error"


def test_breakers_command_shows_state_and_reset_closes(cli, write_agents, any_db,
                                                       fake_server, waits):
    write_agents(chain_agents(fake_server.base("e500"), fake_server.base("ok"),
                              retries="{max: 0}", extra=BREAKER, name="summarize"))
    cli("run", "summarize")
    [closed] = json.loads(cli("breakers", "--json").stdout)
    assert (closed["state"], closed["recent_failures"], closed["reopens_at"]) == \
        ("closed", 1, None)
    cli("run", "summarize")
    [opened] = json.loads(cli("breakers", "--json").stdout)
    assert opened["agent"] == "summarize" and opened["model"] == MODELS[0]
    assert opened["state"] == "open" and opened["reopens_at"] > opened["opened_at"]
    table = cli("breakers").stdout
    assert "summarize" in table and "open" in table
    assert cli("breakers", "reset", "other").stdout.startswith("No open")
    assert "closed 1 circuit" in cli("breakers", "reset", "summarize").stdout
    assert json.loads(cli("breakers", "--json").stdout) == []
    cli("run", "summarize")
    assert fake_server.count("e500") == 3  # called again


@pytest.fixture
def two_processes(tmp_path):
    """Two logs of one file, as two processes would hold them."""
    from agentlog.config import BreakerPolicy

    logs = [store.open(tmp_path / "shared.db") for _ in range(2)]
    policy = BreakerPolicy(errors=1, within=60, cooldown=10)
    yield [Breaker(log, "a", policy) for log in logs]
    for log in logs:
        log.close()


def test_after_the_cooldown_only_one_process_gets_the_trial_call(two_processes):
    first, second = two_processes
    assert first.record("m", healthy=False) is True  # one failure opens (errors: 1)
    assert second.blocked("m") is not None
    soon = utcnow() + timedelta(seconds=11)
    first.now = second.now = lambda: soon
    assert first.blocked("m") is None  # the trial is first's
    assert second.blocked("m") is not None  # second keeps skipping while it runs
    assert first.record("m", healthy=True) is False
    assert second.blocked("m") is None  # closed for everyone


def test_failures_outside_the_window_do_not_add_up(two_processes):
    first, _ = two_processes
    first.policy = first.policy.model_copy(update={"errors": 2, "within": 60})
    assert first.record("m", healthy=False) is False
    start = utcnow() + timedelta(seconds=61)
    first.now = lambda: start
    assert first.record("m", healthy=False) is False  # the first failure is too old to count
    assert first.record("m", healthy=False) is True
