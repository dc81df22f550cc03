"""`agentlog run` over litellm's real HTTP path, against the fake server on 127.0.0.1."""

from __future__ import annotations

import json
from importlib.metadata import version

import litellm
import pytest


def agents_for(server, behaviour: str, extra: str = "") -> str:
    return f"""
        agents:
          a:
            model: openai/gpt-4o-mini
            api_base: {server.base(behaviour)}
            api_key: ${{FAKE_KEY}}
            prompt: hi
            retries: {{max: 0}}
            {extra}
    """


def test_success_records_server_usage_priced_as_requested_model(
        cli, write_agents, db_path, read_rows, fake_server, monkeypatch):
    monkeypatch.setenv("FAKE_KEY", "key-that-must-not-be-stored")
    write_agents(agents_for(fake_server, "ok"))
    result = cli("run", "a")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "fake answer\n"
    [row] = read_rows(db_path)
    cost_in, cost_out = litellm.cost_per_token(model="openai/gpt-4o-mini", prompt_tokens=12,
                                               completion_tokens=7)
    assert (row["input_tokens"], row["output_tokens"]) == (12, 7)
    assert row["total_cost"] == pytest.approx(cost_in + cost_out)  # not the echoed model's price
    assert fake_server.requests[0]["headers"].get("authorization") == \
        "Bearer key-that-must-not-be-stored"
    assert b"key-that-must-not-be-stored" not in db_path.read_bytes()


@pytest.mark.parametrize(("behaviour", "error_class", "status"), [
    ("e401", "AuthenticationError", 401),
    ("e500", "InternalServerError", 500),
])
def test_http_errors_are_recorded(cli, write_agents, db_path, read_rows, fake_server,
                                  monkeypatch, behaviour, error_class, status):
    monkeypatch.setenv("FAKE_KEY", "x")
    write_agents(agents_for(fake_server, behaviour))
    result = cli("run", "a")
    assert result.exit_code == 1
    [row] = read_rows(db_path)
    assert row["status"] == "error" and row["error_class"] == error_class
    [attempt] = json.loads(row["attempts"])
    assert attempt["http_status"] == status and attempt["status"] == "error"
    assert row["input_tokens"] == 0 and row["total_cost"] is None


def test_unset_env_var_is_a_clear_error_before_anything_is_logged(
        cli, write_agents, db_path, fake_server):
    write_agents(agents_for(fake_server, "ok"))
    result = cli("run", "a")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "agentlog: error: agents.yaml: agent 'a': model "
        "'openai/gpt-4o-mini': api_key: environment variable FAKE_KEY is not set")
    assert not db_path.exists()
    assert fake_server.count() == 0


def test_agent_pricing_prices_models_litellm_does_not_know(
        cli, write_agents, db_path, read_rows, fake_server, monkeypatch):
    monkeypatch.setenv("FAKE_KEY", "x")
    write_agents(agents_for(fake_server, "ok").replace("openai/gpt-4o-mini", "openai/my-local")
                 + "\n            pricing: {input_per_million: 1.0, output_per_million: 2.0}")
    assert cli("run", "a").exit_code == 0
    [row] = read_rows(db_path)
    assert row["cost_source"] == "agent-pricing"
    assert row["input_cost"] == pytest.approx(12e-6) and row["output_cost"] == pytest.approx(14e-6)


def test_unknown_price_is_null_with_a_warning(cli, write_agents, db_path, read_rows,
                                              fake_server, monkeypatch):
    monkeypatch.setenv("FAKE_KEY", "x")
    write_agents(agents_for(fake_server, "ok").replace("openai/gpt-4o-mini", "openai/my-local"))
    result = cli("run", "a")
    assert result.exit_code == 0
    assert "no price known for model 'openai/my-local'" in result.stderr
    [row] = read_rows(db_path)
    assert row["total_cost"] is None and row["cost_source"] == "unknown"
    assert row["input_tokens"] == 12


@pytest.mark.parametrize("stream", [False, True])
def test_a_proxy_reported_cost_prices_a_model_nothing_else_knows(
        cli, write_agents, db_path, read_rows, fake_server, monkeypatch, stream):
    monkeypatch.setenv("FAKE_KEY", "x")
    write_agents(agents_for(fake_server, "cost-0.0123", f"stream: {str(stream).lower()}")
                 .replace("openai/gpt-4o-mini", "openai/team-default"))
    result = cli("run", "a")
    assert result.exit_code == 0 and "no price known" not in result.stderr
    [row] = read_rows(db_path)
    assert (row["total_cost"], row["cost_source"]) == (0.0123, "provider-reported")
    assert row["input_cost"] is None and row["output_cost"] is None  # a proxy reports a total
    assert json.loads(row["attempts"])[0]["cost"] == 0.0123
    assert "cost source  provider-reported" in cli("show", "last", env={"COLUMNS": "100"}).stdout


@pytest.mark.parametrize(("model", "pricing", "source"), [
    ("openai/gpt-4o-mini", "", f"litellm-{version('litellm')}"),
    ("openai/team-default", "pricing: {input_per_million: 1.0, output_per_million: 2.0}",
     "agent-pricing"),
])
def test_litellms_map_then_the_agents_pricing_come_before_a_proxy_reported_cost(
        cli, write_agents, db_path, read_rows, fake_server, monkeypatch, model, pricing, source):
    monkeypatch.setenv("FAKE_KEY", "x")
    write_agents(agents_for(fake_server, "cost-9", pricing).replace("openai/gpt-4o-mini", model))
    assert cli("run", "a").exit_code == 0
    [row] = read_rows(db_path)
    assert row["cost_source"] == source and row["total_cost"] < 9
