"""Alerts: each condition notified once to settings.alerts.webhook, across processes and
backends; a dead or slow webhook never fails a run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import closed_port
from receiver import receiver, slow_receiver  # noqa: F401  (fixtures used by name)

ONE_CALL = 1.35e-5  # gpt-4o-mini with litellm's mock usage: 10 input + 20 output tokens


def agents(webhook: str, budgets: str = "{daily: 0.00003}", alerts: str = "",
           agent: str = "{model: gpt-4o-mini, prompt: hi, mock_response: ok}") -> str:
    return (f"settings:\n  budgets: {budgets}\n"
            f"  alerts: {{webhook: '{webhook}', budget_thresholds: [0.5, 1.0]{alerts}}}\n"
            f"agents:\n  a: {agent}\n")


def test_the_alerts_table_lets_one_claim_of_a_key_win(log):
    at = "2026-12-01T10:00:00.000Z"
    assert log.claim_alert("budget|daily|2026-12-01T00:00:00.000Z|0.8", "budget", at)
    assert not log.claim_alert("budget|daily|2026-12-01T00:00:00.000Z|0.8", "budget", at)
    assert log.claim_alert("budget|daily|2026-12-01T00:00:00.000Z|1.0", "budget", at)
    assert log.alert_keys("budget|daily|") == [
        "budget|daily|2026-12-01T00:00:00.000Z|0.8", "budget|daily|2026-12-01T00:00:00.000Z|1.0"]
    assert log.alert_keys("spike|") == []


def test_each_budget_threshold_is_sent_once_and_a_refusal_sends_nothing_more(
        cli, write_agents, any_db, receiver):  # noqa: F811
    write_agents(agents(receiver.url))
    assert cli("run", "a").exit_code == 0  # 45% of the budget: below every threshold
    assert receiver.bodies == []
    assert cli("run", "a").exit_code == 0  # 90%: past 0.5
    assert cli("run", "a").exit_code == 0  # 135%: past 1.0
    assert cli("run", "a").exit_code == 1  # refused by the hard budget
    assert cli("run", "a").exit_code == 1
    assert receiver.kinds() == ["budget_threshold", "budget_exceeded"]
    first, second = receiver.bodies
    assert first["budget"] == "daily" and first["period"] == "daily"
    assert first["limit"] == 0.00003 and first["spent"] == pytest.approx(2 * ONE_CALL)
    assert first["threshold"] == 0.5 and first["agent"] == "a"
    assert first["model"] == "gpt-4o-mini"
    assert first["text"].startswith("agentlog: daily budget:") and "past 50%" in first["text"]
    assert second["threshold"] == 1.0 and second["spent"] == pytest.approx(3 * ONE_CALL)


def test_two_processes_crossing_the_same_threshold_at_once_send_one_alert(
        write_agents, any_db, receiver):  # noqa: F811
    from agentlog import store
    from agentlog.timeutil import now_iso

    path = write_agents(agents(receiver.url, budgets="{daily: 1.0}"))
    with store.open(any_db) as log:  # 49.999% spent: the next execution of either crosses 0.5
        log.insert({"agent_type": "a", "status": "success", "total_cost": 0.49999,
                    "created_at": now_iso()})
    procs = [subprocess.Popen([sys.executable, "-m", "agentlog", "run", "a", "-c", str(path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "warning" not in err, err
    assert [b["kind"] for b in receiver.wait_for(2, 3)] == ["budget_threshold"]  # not two


def test_an_error_spike_and_a_circuit_opening_and_closing_are_each_sent_once(
        cli, write_agents, any_db, receiver):  # noqa: F811
    from agentlog import store

    failing = ("{model: gpt-4o-mini, prompt: hi, mock_response: litellm.InternalServerError, "
               "retries: {max: 0}, circuit_breaker: {errors: 2, within: 60, cooldown: 300}}")
    spike = ", error_spike: {errors: 3, within: 15m}, dashboard_url: 'http://127.0.0.1:8765/'"
    write_agents(agents(receiver.url, budgets="{}", alerts=spike, agent=failing))
    for _ in range(5):
        cli("run", "a")
    assert sorted(receiver.kinds()) == ["breaker_open", "error_spike"]
    opened = next(b for b in receiver.bodies if b["kind"] == "breaker_open")
    assert opened["model"] == "gpt-4o-mini" and opened["agent"] == "a"
    assert opened["url"].startswith("http://127.0.0.1:8765/executions/")
    with store.open(any_db) as log:  # the cooldown is over and the trial call succeeded
        log.reset_breakers("a")
    write_agents(agents(receiver.url, budgets="{}", alerts=spike, agent=failing.replace(
        "litellm.InternalServerError", "ok")))
    assert cli("run", "a").exit_code == 0
    assert cli("run", "a").exit_code == 0
    assert sorted(receiver.kinds()) == ["breaker_closed", "breaker_open", "error_spike"]


def test_the_webhook_url_may_come_from_the_environment(cli, write_agents, db_path,
                                                      receiver, monkeypatch):  # noqa: F811
    monkeypatch.setenv("HOOK", receiver.url)
    write_agents(agents("${HOOK}", budgets="{daily: 0.00001}"))
    assert cli("run", "a").exit_code == 0
    assert receiver.kinds() == ["budget_exceeded"]


def test_a_webhook_that_refuses_connections_costs_the_run_nothing_but_one_warning(
        write_agents, db_path):
    path = write_agents(agents(f"http://127.0.0.1:{closed_port()}/hook",
                               budgets="{daily: 0.00001}"))
    done = subprocess.run([sys.executable, "-m", "agentlog", "run", "a", "-c", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok"
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "not sent to the webhook" in warnings[0]
    assert "Traceback" not in done.stderr


def test_a_slow_webhook_is_given_up_after_its_timeout(write_agents, db_path,
                                                     slow_receiver):  # noqa: F811
    path = write_agents(agents(slow_receiver.url, budgets="{daily: 0.00001}",
                               alerts=", timeout: 0.5"))
    done = subprocess.run([sys.executable, "-m", "agentlog", "run", "a", "-c", str(path)],
                          capture_output=True, text=True, timeout=200)  # it waits 300 s
    assert done.returncode == 0 and done.stdout.strip() == "ok"
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "timed out" in warnings[0]
    assert [b["kind"] for b in slow_receiver.wait_for(1)] == ["budget_exceeded"]


def test_without_a_webhook_nothing_is_claimed(cli, write_agents, db_path):
    from agentlog import store

    write_agents("settings:\n  budgets: {daily: 0.00001}\n"
                 "agents:\n  a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}\n")
    assert cli("run", "a").exit_code == 0
    with store.open(db_path) as log:
        assert log.alert_keys("") == []
