"""Structured output: `schema:` as the response format, the answer parsed and validated."""

from __future__ import annotations

import json

SCHEMA = ("{type: object, required: [name, age], "
          "properties: {name: {type: string}, age: {type: integer}}}")


def schema_agent(mock: str, extra: str = "") -> str:
    return f"""
        agents:
          person:
            model: gpt-4o-mini
            prompt: Who wrote the first program?
            schema: {SCHEMA}
            retries: {{max: 0}}
            mock_response: '{mock}'
            {extra}
    """


def test_valid_answer_is_parsed_and_json_shows_the_object(cli, write_agents, db_path,
                                                          read_rows):
    write_agents(schema_agent('{"name": "Ada", "age": 36}'))
    result = cli("run", "person", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["response"] == {"name": "Ada", "age": 36}
    [row] = read_rows(db_path)
    assert row["status"] == "success" and json.loads(row["response"]) == {"name": "Ada",
                                                                          "age": 36}
    assert cli("run", "person").stdout == '{"name": "Ada", "age": 36}\n'


def test_invalid_answer_is_a_schema_validation_error_with_the_validators_message(
        cli, write_agents, db_path, read_rows):
    write_agents(schema_agent('{"name": "Ada", "age": "old"}'))
    result = cli("run", "person")
    assert result.exit_code == 1
    [row] = read_rows(db_path)
    assert row["status"] == "error" and row["error_class"] == "SchemaValidationError"
    assert row["error_message"] == ("the answer does not match the schema at age: "
                                    "'old' is not of type 'integer'")
    assert row["response"] is None
    assert row["input_tokens"] == 10 and row["total_cost"] > 0  # the rejected answer was billed


def test_an_answer_that_is_not_json_is_a_schema_validation_error(cli, write_agents, db_path,
                                                                 read_rows):
    write_agents(schema_agent("Ada Lovelace"))
    assert cli("run", "person").exit_code == 1
    [row] = read_rows(db_path)
    assert row["error_class"] == "SchemaValidationError"
    assert row["error_message"].startswith("the answer is not valid JSON")


def test_a_fallback_model_can_fix_an_invalid_answer(cli, write_agents, db_path, read_rows):
    write_agents(schema_agent('{"name": "Ada"}', extra=(
        "fallback_models: [{model: gpt-4o, mock_response: '{\"name\": \"Ada\", \"age\": 36}'}]"
    )))
    result = cli("run", "person")
    assert result.exit_code == 0, result.stderr
    [row] = read_rows(db_path)
    assert row["chosen_model_id"] == "gpt-4o"
    first, second = json.loads(row["attempts"])
    assert first["error_class"] == "SchemaValidationError" and second["status"] == "success"
    assert "'age' is a required property" in first["error_message"]
    assert row["fallback_reason"] == "schema_validation"


def test_an_invalid_answer_is_retried_on_the_same_model(cli, write_agents, db_path, read_rows):
    write_agents(schema_agent('{"name": "Ada"}').replace("retries: {max: 0}",
                                                           "retries: {max: 2, base: 0}"))
    assert cli("run", "person").exit_code == 1
    [row] = read_rows(db_path)
    assert row["attempts_count"] == 3 and row["retryable"] == 1
    assert {a["error_class"] for a in json.loads(row["attempts"])} == {"SchemaValidationError"}


def test_invalid_answers_never_open_the_circuit_breaker(cli, write_agents, db_path):
    write_agents(schema_agent('{"name": "Ada"}',
                              extra="circuit_breaker: {errors: 1, within: 60, cooldown: 300}"))
    for _ in range(3):
        assert cli("run", "person").exit_code == 1
    assert json.loads(cli("breakers", "--json").stdout) == [] or all(
        b["state"] == "closed" for b in json.loads(cli("breakers", "--json").stdout))


def test_the_schema_is_sent_as_the_response_format(cli, write_agents, db_path, fake_server):
    fake_server.set_reply(content='{"name": "Ada", "age": 36}')
    write_agents(f"""
        agents:
          person:
            model: openai/gpt-4o-mini
            api_base: {fake_server.base("ok")}
            api_key: fake-key
            prompt: hi
            schema: {SCHEMA}
    """)
    assert cli("run", "person").exit_code == 0
    sent = fake_server.requests[0]["json"]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["schema"]["required"] == ["name", "age"]


def test_an_invalid_schema_is_a_validation_error(cli, write_agents):
    write_agents("""
        agents:
          a: {model: gpt-4o-mini, prompt: hi, schema: {type: 12}}
    """)
    result = cli("agents", "validate")
    assert result.exit_code == 2
    assert result.stderr.startswith("agents.yaml: agent 'a': key 'schema': not a valid JSON "
                                    "Schema: ")


def test_the_examples_extract_agent_runs_offline(cli, db_path):
    from conftest import REPO

    result = cli("run", "extract", "-c", str(REPO / "agentlog" / "agents.yaml.example"), "-p",
                 "text=Ada wrote the first program", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["response"] == {"name": "Ada Lovelace",
                                                     "deed": "wrote the first program"}
