"""`agentlog alerts`: what needs attention now, with exit codes 0 / 1 / 2, and the same
conditions on the dashboard's attention panel."""

from __future__ import annotations

import json

from agentlog.timeutil import now_iso

AGENTS = """\
settings:
  budgets: {daily: 1.00}
  alerts: {budget_thresholds: [0.5, 0.9], error_spike: {errors: 3, within: 10m}}
agents:
  a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}
"""


def spend(log, cost: float, agent: str = "a", status: str = "success", **more) -> None:
    log.insert({"agent_type": agent, "status": status, "total_cost": cost,
                "created_at": now_iso(), **more})


def test_nothing_needs_attention_exits_0(cli, write_agents, log):
    write_agents(AGENTS)
    spend(log, 0.10)
    result = cli("alerts")
    assert result.exit_code == 0 and result.stdout.strip() == "Nothing needs attention."
    assert json.loads(cli("alerts", "--json").stdout)["any"] is False


def test_a_budget_past_a_threshold_and_an_error_spike_exit_1(cli, write_agents, log):
    write_agents(AGENTS)
    spend(log, 0.60)
    for _ in range(3):
        spend(log, 0.0, agent="b", status="error", error_class="APIError")
    spend(log, 0.0, status="error", error_class="BudgetExceeded")  # a refusal is no spike
    result = cli("alerts")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "budget daily: $0.60 of $1.00 spent (60%, past 50%)",
        "error spike: b failed 3 times in the last 10 minutes"]
    found = json.loads(cli("alerts", "--json").stdout)
    assert found["any"] and found["budgets"][0]["threshold"] == 0.5
    assert [s["agent"] for s in found["error_spike"]["agents"]] == ["b"]


def test_an_open_circuit_and_an_overdue_running_row_exit_1(cli, write_agents, log):
    write_agents(AGENTS)
    log.change_breaker("a", "gpt-4o-mini", lambda _: {
        "state": "open", "failures": [], "opened_at": now_iso(),
        "reopen_at": "2099-01-01T00:00:00.000Z"})
    log.start({"agent_type": "a", "created_at": "2026-01-01T00:00:00.000Z",
               "deadline_at": "2026-01-01T00:05:00.000Z"})
    found = json.loads(cli("alerts", "--json").stdout)
    assert [b["state"] for b in found["breakers"]] == ["open"]
    assert [e["agent_type"] for e in found["overdue"]] == ["a"]
    result = cli("alerts")
    assert result.exit_code == 1 and "circuit open: a / gpt-4o-mini" in result.stdout
    assert "overdue: #" in result.stdout


def test_a_missing_or_unreadable_log_exits_2_and_creates_nothing(cli, tmp_path):
    missing = tmp_path / "none.db"
    result = cli("alerts", "--db", str(missing))
    assert result.exit_code == 2 and "no log at" in result.stderr
    assert not missing.exists()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    assert cli("alerts", "--db", str(garbage), "--json").exit_code == 2


def test_a_bad_agents_file_exits_2(cli, write_agents, db_path):
    write_agents("settings:\n  alerts: {budget_thresholds: [-1]}\n")
    result = cli("alerts")
    assert result.exit_code == 2 and "budget_thresholds" in result.stderr


def test_the_dashboard_attention_panel_uses_the_configured_thresholds(seeded_log):
    from starlette.testclient import TestClient

    from agentlog import store
    from agentlog.config import Settings
    from agentlog.readsettings import ReadSettings
    from agentlog.web import app

    settings = Settings(budgets={"monthly": 100.0}, alerts={"budget_thresholds": [0.005, 0.5]})
    dashboard = app.create(store.open(seeded_log, readonly=True), ReadSettings(),
                           lambda: settings)
    with TestClient(dashboard) as client:
        attention = client.get("/api/overview").json()["attention"]
        page = client.get("/").text
    dashboard.state.log.close()
    assert [b["name"] for b in attention["budgets"]] == ["monthly"] and attention["any"]
    assert "Budget monthly: $0.812 of $100.00 (0.8%, past 0.5%)" in page
