"""`agentlog run`: the answer, the summary line, and the stored row field by field."""

from __future__ import annotations

import json
from importlib.metadata import version

import litellm
import pytest

HELLO = """
    agents:
      hello:
        description: greet
        model: gpt-4o-mini
        params:
          name: {default: world}
          api_key: {required: false}
        system: Be brief.
        prompt: "Say hello to {{ name }}{{ api_key or '' }}."
        metadata: {team: docs}
        mock_response: "Hello there"
"""


def expected_cost(model: str, tokens_in: int, tokens_out: int) -> tuple[float, float]:
    return litellm.cost_per_token(model=model, prompt_tokens=tokens_in,
                                  completion_tokens=tokens_out)


def test_run_prints_answer_and_summary_and_logs_the_row(cli, write_agents, db_path, read_rows):
    write_agents(HELLO)
    result = cli("run", "hello", "-p", "name=Ada", "--meta", "ticket=42", "--meta", "src=ci",
                 "--tenant", "acme")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Hello there\n"
    assert "#1 · gpt-4o-mini · 10→20 tokens" in result.stderr
    [row] = read_rows(db_path)
    cost_in, cost_out = expected_cost("gpt-4o-mini", 10, 20)
    assert row["status"] == "success"
    assert row["agent_type"] == "hello" and row["model_id"] == "gpt-4o-mini"
    assert row["chosen_model_id"] == "gpt-4o-mini" and row["provider"] == "openai"
    assert (row["input_tokens"], row["output_tokens"], row["total_tokens"]) == (10, 20, 30)
    assert row["input_cost"] == pytest.approx(cost_in)
    assert row["output_cost"] == pytest.approx(cost_out)
    assert row["total_cost"] == pytest.approx(cost_in + cost_out)
    assert row["cost_source"] == f"litellm-{version('litellm')}"
    assert row["user_prompt"] == "Say hello to Ada." and row["system_prompt"] == "Be brief."
    assert row["response"] == "Hello there"
    assert json.loads(row["parameters"]) == {"name": "Ada", "api_key": None}
    assert json.loads(row["metadata"]) == {"team": "docs", "ticket": 42, "src": "ci"}
    assert row["tenant_id"] == "acme"
    assert row["attempts_count"] == 1 and json.loads(row["fallback_chain"]) == ["gpt-4o-mini"]
    assert row["created_at"].endswith("Z") and row["completed_at"] >= row["created_at"]
    assert row["duration_ms"] >= 0 and len(row["agent_version"]) == 12


def test_params_from_file_and_json(cli, write_agents, db_path, read_rows, tmp_path):
    write_agents(HELLO)
    (tmp_path / "name.txt").write_text("Grace", encoding="utf-8")
    result = cli("run", "hello", "--params-json", '{"name": "Linus"}', "-p", "name=@name.txt")
    assert result.exit_code == 0, result.stderr
    assert read_rows(db_path)[0]["user_prompt"] == "Say hello to Grace."
    cli("run", "hello", "--params-json", '{"name": "Linus"}')
    assert read_rows(db_path)[1]["user_prompt"] == "Say hello to Linus."


def test_json_prints_the_whole_record(cli, write_agents, db_path):
    write_agents(HELLO)
    result = cli("run", "hello", "--json")
    record = json.loads(result.stdout)
    assert record["id"] == 1 and record["status"] == "success"
    assert record["response"] == "Hello there" and record["attempts"][0]["status"] == "success"


def test_secret_parameter_is_redacted_in_parameters_and_prompts(cli, write_agents, db_path,
                                                                 read_rows):
    write_agents(HELLO)
    secret = "sk-abcdefghijklmnopqrstuvwxyz"
    assert cli("run", "hello", "-p", f"api_key={secret}").exit_code == 0
    [row] = read_rows(db_path)
    assert json.loads(row["parameters"])["api_key"] == "[REDACTED]"
    assert secret not in row["user_prompt"] and "[REDACTED]" in row["user_prompt"]
    assert secret.encode() not in db_path.read_bytes()


def test_nested_secret_keys_and_value_patterns_are_redacted(cli, write_agents, db_path,
                                                            read_rows):
    write_agents("""
        settings:
          redact: [password, "re:^tok-[0-9]+$"]
        agents:
          a:
            model: gpt-4o-mini
            params: {cfg: {}, note: {}}
            prompt: "{{ note }}"
            mock_response: ok
    """)
    result = cli("run", "a", "--params-json",
                 '{"cfg": {"db": {"Password": "hunter2"}, "x": 1}, "note": "tok-12345"}')
    assert result.exit_code == 0, result.stderr
    [row] = read_rows(db_path)
    assert json.loads(row["parameters"]) == {"cfg": {"db": {"Password": "[REDACTED]"}, "x": 1},
                                             "note": "[REDACTED]"}
    assert row["user_prompt"] == "[REDACTED]"


def test_persistence_switches_leave_prompts_and_response_null(cli, write_agents, db_path,
                                                              read_rows):
    write_agents("""
        settings: {persist_prompts: false}
        agents:
          a: {model: gpt-4o-mini, prompt: hi, mock_response: yo, persist_responses: false}
          b: {model: gpt-4o-mini, prompt: hi, mock_response: yo}
    """)
    assert cli("run", "a").stdout == "yo\n"  # shown, only not stored
    assert cli("run", "b").stdout == "yo\n"
    a, b = read_rows(db_path)
    assert (a["system_prompt"], a["user_prompt"], a["response"]) == (None, None, None)
    assert (b["user_prompt"], b["response"]) == (None, "yo")
    assert a["input_tokens"] == 10  # the numbers are kept even when the text is not


def test_tenant_precedence_flag_env_settings(cli, write_agents, db_path, read_rows,
                                             monkeypatch):
    write_agents("""
        settings: {tenant: from-settings}
        agents:
          a: {model: gpt-4o-mini, prompt: hi, mock_response: yo}
    """)
    cli("run", "a")
    monkeypatch.setenv("AGENTLOG_TENANT", "from-env")
    cli("run", "a")
    cli("run", "a", "--tenant", "from-flag")
    assert [r["tenant_id"] for r in read_rows(db_path)] == ["from-settings", "from-env",
                                                            "from-flag"]


def test_database_precedence_flag_env_settings_default(cli, write_agents, tmp_path,
                                                       monkeypatch, read_rows):
    write_agents(f"""
        settings: {{db: {tmp_path / 'settings.db'}}}
        agents:
          a: {{model: gpt-4o-mini, prompt: hi, mock_response: yo}}
    """)
    cli("run", "a")
    assert len(read_rows(tmp_path / "settings.db")) == 1
    monkeypatch.setenv("AGENTLOG_DB", str(tmp_path / "env.db"))
    cli("run", "a")
    assert len(read_rows(tmp_path / "env.db")) == 1
    cli("run", "a", "--db", str(tmp_path / "flag.db"))
    assert len(read_rows(tmp_path / "flag.db")) == 1
    monkeypatch.delenv("AGENTLOG_DB")
    (tmp_path / "agents.yaml").write_text(
        "agents:\n  a: {model: gpt-4o-mini, prompt: hi, mock_response: yo}\n")
    cli("run", "a")
    assert len(read_rows(tmp_path / "xdg" / "agentlog" / "agentlog.db")) == 1


def test_failed_execution_is_recorded_and_exits_nonzero(cli, write_agents, db_path, read_rows):
    write_agents("""
        agents:
          a: {model: gpt-4o-mini, prompt: hi, mock_response: litellm.RateLimitError,
              retries: {max: 0}}
    """)
    result = cli("run", "a")
    assert result.exit_code == 1
    assert result.stdout == ""
    [row] = read_rows(db_path)
    assert row["status"] == "error" and row["error_class"] == "RateLimitError"
    assert row["error_message"] and row["total_cost"] is None
    assert "RateLimitError" in result.stderr


def test_agent_version_changes_with_prompt_not_description(write_agents):
    from agentlog import config

    base = "agents:\n  a: {model: gpt-4o-mini, prompt: hi, description: one}\n"
    v1 = config.load(str(write_agents(base))).agent("a").version
    v2 = config.load(str(write_agents(base.replace("one", "two")))).agent("a").version
    v3 = config.load(str(write_agents(base.replace("prompt: hi", "prompt: hey")))).agent(
        "a").version
    v4 = config.load(str(write_agents(base.replace("gpt-4o-mini", "gpt-4o")))).agent(
        "a").version
    assert v1 == v2
    assert len({v1, v3, v4}) == 3


def test_python_m_agentlog_works():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "agentlog", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("agentlog ")
