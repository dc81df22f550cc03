"""What the provider says about each call, kept for OpenTelemetry's GenAI conventions: the
model that answered, the response id, the server; and when each tool call started."""

from __future__ import annotations

import json
import os

from conftest import rows
from fake_replies import MODEL_SUFFIX


def _agent(server, behaviour: str = "ok", extra: str = "") -> str:
    return f"""
        agents:
          a:
            model: openai/gpt-4o-mini
            api_base: {server.base(behaviour)}
            api_key: x
            prompt: What is the weather in Paris?
            retries: {{max: 0}}
            {extra}
    """


def test_the_answering_model_response_id_and_server_are_recorded_on_both_backends(
        cli, write_agents, any_db, fake_server):
    write_agents(_agent(fake_server))
    assert cli("run", "a").exit_code == 0
    [row] = rows(any_db)
    assert row["response_model"] == "gpt-4o-mini" + MODEL_SUFFIX
    assert row["response_id"].startswith("chatcmpl-fake")
    assert (row["server_address"], row["server_port"]) == ("127.0.0.1", fake_server.port)
    [attempt] = json.loads(row["attempts"])
    assert attempt["response_model"] == row["response_model"]
    assert attempt["response_id"] == row["response_id"]
    assert (attempt["server_address"], attempt["server_port"]) == ("127.0.0.1", fake_server.port)

    shown = json.loads(cli("show", "last", "--json").stdout)
    assert {k: shown[k] for k in ("response_model", "response_id", "server_address",
                                  "server_port")} == \
        {k: row[k] for k in ("response_model", "response_id", "server_address", "server_port")}
    text = cli("show", "last").stdout
    assert f"gpt-4o-mini{MODEL_SUFFIX}" in text and row["response_id"] in text
    assert f"127.0.0.1:{fake_server.port}" in text


def test_a_streamed_answer_records_its_response_id_and_model(cli, write_agents, any_db,
                                                              fake_server):
    write_agents(_agent(fake_server, extra="stream: true"))
    assert cli("run", "a").exit_code == 0
    [row] = rows(any_db)
    assert row["response_model"] == "gpt-4o-mini" + MODEL_SUFFIX
    assert row["response_id"].startswith("chatcmpl-fake")


def test_a_failed_attempt_records_the_server_it_tried(cli, write_agents, any_db, fake_server):
    write_agents(_agent(fake_server, "e500"))
    assert cli("run", "a").exit_code == 1
    [row] = rows(any_db)
    assert (row["server_address"], row["server_port"]) == ("127.0.0.1", fake_server.port)
    assert row["response_id"] is None and row["response_model"] is None


def test_each_tool_call_records_when_it_started(cli, write_agents, any_db, fake_server):
    write_agents(_agent(fake_server, "tools", "tools: [sample_tools:get_weather]"))
    assert cli("run", "a").exit_code == 0
    shown = json.loads(cli("show", "last", "--json").stdout)
    [call] = shown["tool_calls"]
    assert shown["started_at"] <= call["started_at"] <= shown["completed_at"]
    assert call["started_at"] in cli("show", "last").stdout


def test_each_log_draws_its_own_id_and_db_copy_carries_it_both_ways(log, tmp_path):
    from agentlog import store
    from agentlog.store import copy

    mine = log.log_id()
    assert len(mine) == 32 and int(mine, 16)
    with store.open(os.environ["AGENTLOG_DB"]) as again:  # the fixture's log
        assert again.log_id() == mine  # kept, not drawn anew on each open
    with store.open(tmp_path / "other.db") as other:
        theirs = other.log_id()
        assert theirs != mine
        copy.copy(log, other)
        assert other.log_id() == mine
    with store.open(tmp_path / "third.db") as third:
        copy.copy(third, log)
        assert log.log_id() == third.log_id()
