"""Tool-calling agents: the tool loop over the fake server, the records, and validation."""

from __future__ import annotations

import json

import litellm
import pytest

from agentlog.runner import tools


def tool_agent(server, tool: str, extra: str = "") -> str:
    return f"""
        agents:
          weather:
            model: openai/gpt-4o-mini
            api_base: {server.base("tools")}
            api_key: fake-key
            prompt: What is the weather?
            tools: [{tool}]
            retries: {{max: 0}}
            {extra}
    """


def test_two_round_tool_conversation_is_recorded(cli, write_agents, db_path, read_rows,
                                                 fake_server):
    write_agents(tool_agent(fake_server, "sample_tools:get_weather"))
    result = cli("run", "weather")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "done: sunny in x, 21C\n"
    [row] = read_rows(db_path)
    [call] = json.loads(row["tool_calls"])
    assert call["name"] == "get_weather" and call["id"].startswith("call_fake")
    assert call["arguments"] == {"city": "x"}
    assert call["result"] == "sunny in x, 21C" and call["error"] is None
    assert call["duration_ms"] >= 0
    assert row["tool_calls_count"] == 1 and row["finish_reason"] == "stop"
    # both model calls are billed: 12 + 12 in, 7 + 7 out
    assert (row["input_tokens"], row["output_tokens"]) == (24, 14)
    cost_in, cost_out = litellm.cost_per_token(model="openai/gpt-4o-mini", prompt_tokens=24,
                                               completion_tokens=14)
    assert row["total_cost"] == pytest.approx(cost_in + cost_out)
    assert row["attempts_count"] == 2


def test_the_model_sees_the_schema_and_the_tool_result(cli, write_agents, db_path, fake_server):
    write_agents(tool_agent(fake_server, "sample_tools:get_weather"))
    assert cli("run", "weather").exit_code == 0
    first, second = (r["json"] for r in fake_server.requests)
    [spec] = first["tools"]
    assert spec["function"]["name"] == "get_weather"
    assert spec["function"]["description"] == "Current weather for a city."
    params = spec["function"]["parameters"]
    assert params["required"] == ["city"]
    assert params["properties"]["city"]["description"] == "The city name, e.g. Paris."
    assert params["properties"]["unit"]["enum"] == ["c", "f"]
    assistant, tool_message = second["messages"][-2:]
    assert assistant["tool_calls"][0]["function"]["name"] == "get_weather"
    assert tool_message == {"role": "tool", "tool_call_id": assistant["tool_calls"][0]["id"],
                            "content": "sunny in x, 21C"}


def test_a_raising_tool_is_reported_to_the_model_and_recorded(cli, write_agents, db_path,
                                                              read_rows, fake_server):
    write_agents(tool_agent(fake_server, "sample_tools:explode"))
    result = cli("run", "weather")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "done: error: RuntimeError: tool failed: x\n"
    [row] = read_rows(db_path)
    [call] = json.loads(row["tool_calls"])
    assert call["error"] == "RuntimeError: tool failed: x" and call["result"] is None
    assert row["status"] == "success"


def test_a_model_that_keeps_asking_for_tools_stops_at_max_tool_rounds(
        cli, write_agents, db_path, read_rows):
    mock = {"choices": [{"message": {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function",
         "function": {"name": "forecast", "arguments": '{"days": 2}'}}]},
        "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}}
    write_agents(f"""
        agents:
          loop:
            model: gpt-4o-mini
            prompt: go
            tools: [sample_tools:forecast]
            max_tool_rounds: 2
            mock_response: {json.dumps(mock)}
    """)
    result = cli("run", "loop")
    assert result.exit_code == 1
    [row] = read_rows(db_path)
    assert row["status"] == "error" and row["error_class"] == "ToolRoundsExceeded"
    assert row["tool_calls_count"] == 2 and row["attempts_count"] == 3
    assert json.loads(row["tool_calls"])[0]["result"] == '{"days": 2, "outlook": ["sun", "sun"]}'
    assert row["input_tokens"] == 15


def test_tools_reach_litellm_without_the_mcp_package(fake_server):
    """litellm's MCP hook (which needs the absent mcp package) is skipped on `tools=`."""
    from agentlog.runner import llm

    kwargs = llm.request_kwargs("openai/gpt-4o-mini", [{"role": "user", "content": "hi"}],
                                api_base=fake_server.base("tools"), api_key="x", timeout=5,
                                extra={"tools": [tools.load("sample_tools:get_weather").spec]})
    assert kwargs["_skip_mcp_handler"] is True
    assert llm.complete(**kwargs).tool_calls[0]["name"] == "get_weather"


@pytest.mark.parametrize(("tool", "message"), [
    ("nosuch_module:f", "cannot import 'nosuch_module' for tool 'nosuch_module:f' "
                        "(ModuleNotFoundError: No module named 'nosuch_module')"),
    ("sample_tools:missing", "tool 'sample_tools:missing': module 'sample_tools' has no "
                             "attribute 'missing'"),
    ("sample_tools:NOT_CALLABLE", "tool 'sample_tools:NOT_CALLABLE' is not callable"),
    ("sample_tools:no_hints", "tool 'sample_tools:no_hints': parameter 'city' has no type hint"),
    ("sample_tools", "'sample_tools' is not an import path of the form "
                     "package.module:function"),
])
def test_bad_tools_are_validation_errors(cli, write_agents, tool, message):
    write_agents(f"""
        agents:
          a: {{model: gpt-4o-mini, prompt: hi, tools: ["{tool}"]}}
    """)
    result = cli("agents", "validate")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"agents.yaml: agent 'a': key 'tools.0': {message}"


def test_tools_next_to_the_agents_file_are_importable(cli, write_agents, tmp_path, db_path,
                                                      read_rows):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "local_tools_for_test.py").write_text(
        "def shout(text: str) -> str:\n    return text.upper()\n")
    write_agents("""
        agents:
          a: {model: gpt-4o-mini, prompt: hi, tools: ["local_tools_for_test:shout"],
              mock_response: fine}
    """, name="conf/agents.yaml")
    result = cli("run", "a", "-c", str(tmp_path / "conf" / "agents.yaml"))
    assert result.exit_code == 0, result.stderr
    assert read_rows(db_path)[0]["tool_calls"] == "[]"


def test_secret_arguments_are_masked_and_results_follow_persist_responses(
        cli, write_agents, db_path, read_rows, fake_server):
    write_agents(tool_agent(fake_server, "sample_tools:login", "persist_responses: false"))
    assert cli("run", "weather").exit_code == 0
    [call] = json.loads(read_rows(db_path)[0]["tool_calls"])
    assert call["arguments"] == {"user": "x", "api_key": "[REDACTED]"}
    assert call["result"] is None and call["error"] is None
