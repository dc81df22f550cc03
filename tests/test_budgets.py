"""Budgets: spend from the executions table, hard refusal, soft warning, `agentlog budgets`."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from conftest import chain_agents

from agentlog.runner import execute
from agentlog.timeutil import to_iso, utcnow

ONE_CALL = 6e-6  # gpt-4o-mini, 12 input + 7 output tokens (the fake server's usage)


def agents_with_budgets(server, budgets: str, settings: str = "") -> str:
    """Agents a and b, both gpt-4o-mini on the fake server, under `budgets`."""
    agent = f"{{model: openai/gpt-4o-mini, api_base: '{server.base('ok')}', api_key: x, " \
            "prompt: hi, retries: {max: 0}}"
    return f"settings:\n  budgets: {budgets}\n{settings}agents:\n  a: {agent}\n  b: {agent}\n"


def spend(log, cost: float, at: datetime, agent: str = "a", tenant: str | None = None):
    log.insert({"agent_type": agent, "status": "success", "tenant_id": tenant,
                "created_at": to_iso(at), "total_cost": cost})


def test_hard_budget_refuses_once_spent_and_logs_the_refusal(
        cli, write_agents, fake_server, any_db, read_rows):
    write_agents(agents_with_budgets(fake_server, "{daily: 0.000005, enforcement: hard}"))
    assert cli("run", "a").exit_code == 0  # nothing spent yet
    result = cli("run", "a")
    assert result.exit_code == 1
    assert fake_server.count() == 1  # the model was not called
    refused = read_rows(any_db)[-1]
    assert refused["status"] == "error" and refused["error_class"] == "BudgetExceeded"
    assert refused["error_message"] == \
        "daily budget of $0.000005 is spent: $0.000006 spent today"
    assert (refused["total_cost"], refused["input_tokens"], refused["attempts_count"]) == \
        (0.0, 0, 0)
    assert "BudgetExceeded: daily budget of $0.000005 is spent" in result.stderr


def test_soft_budget_warns_and_runs(cli, write_agents, fake_server, any_db, read_rows):
    write_agents(agents_with_budgets(fake_server, "{monthly: 0.000005, enforcement: soft}"))
    cli("run", "a")
    result = cli("run", "a")
    assert result.exit_code == 0 and fake_server.count() == 2
    assert "warning: monthly budget of $0.000005 is spent: $0.000006 spent this month; " \
        "running anyway (enforcement: soft)" in result.stderr
    assert read_rows(any_db)[-1]["status"] == "success"


def test_enforcement_none_checks_nothing(cli, write_agents, fake_server, any_db):
    write_agents(agents_with_budgets(fake_server, "{daily: 0, enforcement: none}"))
    result = cli("run", "a")
    assert result.exit_code == 0 and "budget" not in result.stderr


def test_per_agent_budget_refuses_only_that_agent(cli, write_agents, fake_server, any_db):
    write_agents(agents_with_budgets(fake_server, "{per_agent: {a: {daily: 0.000005}}}"))
    cli("run", "a")
    refused = cli("run", "a")
    assert refused.exit_code == 1
    assert "agent 'a' daily budget of $0.000005 is spent" in refused.stderr
    assert cli("run", "b").exit_code == 0


def test_per_tenant_budget_counts_only_that_tenants_spend(cli, write_agents, fake_server,
                                                          log):
    write_agents(agents_with_budgets(fake_server, "{per_tenant: {acme: {monthly: 0.00001}}}"))
    spend(log, 0.00002, utcnow(), tenant="other")
    assert cli("run", "a", "--tenant", "acme").exit_code == 0
    spend(log, 0.00001, utcnow(), tenant="acme")
    refused = cli("run", "b", "--tenant", "acme")
    assert refused.exit_code == 1 and "tenant 'acme' monthly budget" in refused.stderr
    assert cli("run", "a", "--tenant", "other").exit_code == 0


@pytest.mark.parametrize(("spent_at", "refused"), [
    ("2026-03-15T03:30:00Z", False),  # 23:30 on March 14 in New York: yesterday's spend
    ("2026-03-15T04:30:00Z", True),  # 00:30 on March 15 in New York
])
def test_daily_spend_is_counted_from_local_midnight(cli, write_agents, fake_server, log,
                                                    monkeypatch, spent_at, refused):
    write_agents(agents_with_budgets(fake_server, "{daily: 0.5}",
                                     settings="  timezone: America/New_York\n"))
    spend(log, 1.0, datetime.fromisoformat(spent_at.replace("Z", "+00:00")))
    noon = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(execute, "utcnow", lambda: noon)
    assert cli("run", "a").exit_code == (1 if refused else 0)


def test_budgets_command_shows_spend_and_remaining(cli, write_agents, fake_server, log):
    write_agents(agents_with_budgets(
        fake_server, "{daily: 1.0, monthly: 10, per_agent: {a: {daily: 0.5}}, "
                     "per_tenant: {acme: {monthly: 0.1}}, enforcement: soft}"))
    spend(log, 0.25, utcnow(), tenant="acme")
    spend(log, 0.5, utcnow(), agent="b")
    rows = json.loads(cli("budgets", "--json").stdout)
    got = {r["name"]: (r["limit"], r["spent"], r["remaining"], r["exceeded"]) for r in rows}
    assert got == {"daily": (1.0, 0.75, 0.25, False),
                   "monthly": (10.0, 0.75, 9.25, False),
                   "agent 'a' daily": (0.5, 0.25, 0.25, False),
                   "tenant 'acme' monthly": (0.1, 0.25, 0.0, True)}
    assert {r["enforcement"] for r in rows} == {"soft"}
    table = cli("budgets").stdout
    assert "tenant 'acme' monthly" in table and "$9.25" in table


def test_budgets_command_without_budgets(cli, write_agents, fake_server, any_db):
    from agentlog import store

    store.open(any_db).close()
    write_agents(chain_agents(fake_server.base("ok")))
    assert "No budgets are set" in cli("budgets").stdout
    assert json.loads(cli("budgets", "--json").stdout) == []


def test_budget_for_an_unknown_agent_is_a_config_error(cli, write_agents, fake_server):
    write_agents(agents_with_budgets(fake_server, "{per_agent: {summarise: {daily: 1}}}"))
    result = cli("agents", "validate")
    assert result.exit_code == 2
    assert "settings: key 'budgets.per_agent.summarise': unknown agent" in result.stderr
