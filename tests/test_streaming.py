"""Streaming: the answer as it arrives, time to first token, usage from the stream."""

from __future__ import annotations

import json

import litellm
import pytest

from agentlog import config, store
from agentlog.runner.execute import RunRequest, execute


def stream_agent(server, behaviour: str, extra: str = "") -> str:
    return f"""
        agents:
          a:
            model: openai/gpt-4o-mini
            api_base: {server.base(behaviour)}
            api_key: fake-key
            prompt: hi
            stream: true
            retries: {{max: 0}}
            {extra}
    """


def run_direct(path, agent="a", **request):
    pieces: list = []
    cfg = config.load(str(path))
    with store.open(store.locate()) as log:
        outcome = execute(cfg, RunRequest(agent=agent, **request), log, on_text=pieces.append)
    return outcome, pieces


def test_streamed_answer_arrives_in_pieces_with_usage_and_cost(write_agents, db_path, read_rows,
                                                               fake_server):
    outcome, pieces = run_direct(write_agents(stream_agent(fake_server, "ok")))
    assert pieces == ["fake ", "answer"]
    [row] = read_rows(db_path)
    assert row["streaming"] == 1 and row["response"] == "fake answer"
    assert (row["input_tokens"], row["output_tokens"]) == (12, 7)
    cost_in, cost_out = litellm.cost_per_token(model="openai/gpt-4o-mini", prompt_tokens=12,
                                               completion_tokens=7)
    assert row["total_cost"] == pytest.approx(cost_in + cost_out)
    assert fake_server.requests[0]["json"]["stream_options"] == {"include_usage": True}
    assert outcome.execution.time_to_first_token_ms == row["time_to_first_token_ms"]


def test_time_to_first_token_reflects_the_servers_delay(write_agents, db_path, read_rows,
                                                        fake_server):
    path = write_agents(stream_agent(fake_server, "ttft-0.3"))
    run_direct(path)  # the first call of a process pays for connection set-up
    run_direct(path)
    row = read_rows(db_path)[-1]
    assert 300 <= row["time_to_first_token_ms"] < 1500
    assert row["time_to_first_token_ms"] <= row["duration_ms"]
    [attempt] = json.loads(row["attempts"])
    assert attempt["ttft_ms"] == row["time_to_first_token_ms"]


def test_run_stream_flag_prints_the_answer_and_records_streaming(cli, write_agents, db_path,
                                                                 read_rows, fake_server):
    write_agents(stream_agent(fake_server, "ok").replace("stream: true", "stream: false"))
    result = cli("run", "a", "--stream")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "fake answer\n"
    [row] = read_rows(db_path)
    assert row["streaming"] == 1 and row["time_to_first_token_ms"] is not None


def test_non_streamed_runs_have_no_time_to_first_token(cli, write_agents, db_path, read_rows,
                                                       fake_server):
    write_agents(stream_agent(fake_server, "ok").replace("stream: true", "stream: false"))
    assert cli("run", "a").exit_code == 0
    [row] = read_rows(db_path)
    assert row["streaming"] == 0 and row["time_to_first_token_ms"] is None


def test_each_piece_is_flushed_to_stdout(monkeypatch):
    from agentlog.cli.render import StreamPrinter

    seen = []

    class Out:
        def write(self, text):
            seen.append(("write", text))

        def flush(self):
            seen.append(("flush",))

    monkeypatch.setattr("sys.stdout", Out())
    printer = StreamPrinter()
    printer("fake ")
    printer("answer")
    printer.end()
    assert seen == [("write", "fake "), ("flush",), ("write", "answer"), ("flush",),
                    ("write", "\n"), ("flush",)]


def test_a_broken_stream_fails_the_attempt_and_keeps_no_partial_text(
        cli, write_agents, db_path, read_rows, fake_server):
    write_agents(stream_agent(fake_server, "stream-break"))
    result = cli("run", "a")
    assert result.exit_code == 1
    assert "the text above is discarded: its attempt failed" in result.stderr
    [row] = read_rows(db_path)
    assert row["status"] == "error" and row["response"] is None
    assert row["error_class"] == "APIConnectionError"  # the server broke the stream off
    [attempt] = json.loads(row["attempts"])
    assert attempt["status"] == "error" and attempt["retryable"] is True


def test_a_broken_stream_is_saved_by_the_fallback(write_agents, db_path, read_rows, fake_server):
    path = write_agents(stream_agent(fake_server, "stream-break", extra=(
        f"fallback_models: [{{model: openai/gpt-4o, api_base: '{fake_server.base('ok')}', "
        "api_key: fake-key}]")))
    outcome, pieces = run_direct(path)
    assert outcome.ok and outcome.text == "fake answer"
    assert None in pieces and pieces[-2:] == ["fake ", "answer"]  # None: discard what was shown
    [row] = read_rows(db_path)
    assert row["response"] == "fake answer" and row["chosen_model_id"] == "openai/gpt-4o"
    assert [a["status"] for a in json.loads(row["attempts"])] == ["error", "success"]


def test_offline_mock_streams_too(write_agents, db_path, read_rows):
    path = write_agents("""
        agents:
          a: {model: gpt-4o-mini, prompt: hi, stream: true, mock_response: "one two three"}
    """)
    outcome, pieces = run_direct(path)
    assert "".join(pieces) == "one two three" and outcome.ok
    [row] = read_rows(db_path)
    assert row["output_tokens"] > 0 and row["total_cost"] > 0


def test_a_rejected_streamed_answer_is_discarded_before_the_fallback_answers(write_agents,
                                                                            db_path):
    path = write_agents("""
        agents:
          a:
            model: gpt-4o-mini
            prompt: hi
            stream: true
            schema: {type: object, required: [name]}
            mock_response: '{"nom": "Ada"}'
            retries: {max: 0}
            fallback_models: [{model: gpt-4o, mock_response: '{"name": "Ada"}'}]
    """)
    outcome, pieces = run_direct(path)
    assert outcome.output == {"name": "Ada"}
    assert "".join(pieces[:pieces.index(None)]) == '{"nom": "Ada"}'
    assert "".join(pieces[pieces.index(None) + 1:]) == '{"name": "Ada"}'
